"""Feeds as ingest inputs: read rates of WARC, RSS and sitemap inputs, and what the prefilter saves.

    python benchmarks/bench_feeds.py [--pages 2000] [--aid-share 0.1] [--ingest 200] [--json]

Builds a backfill-like crawl in a temporary folder: ``--pages`` news pages, ``--aid-share`` of them
about military aid (benchmarks/generate_corpus.py), the rest unrelated news
(benchmarks/generate_unrelated.py), each set into one of the five page layouts of
benchmarks/bench_html_text.py (menus, teaser rails, comments). The same articles are written as
a WARC file (warcio, gzip per record), an RSS feed (item content) and a news sitemap whose pages are
read from the WARC (``pages``).

Prints, per input and with the prefilter off / on (the early check on a page's whole text, before its
main text is extracted, graph.feeds): articles read per second of CPU time (reading only: decoding, main text,
metadata), the share passed over, and the prefilter's recall on the aid pages and rejection of the
unrelated ones. Then end to end (``graph.pipeline.ingest_paths`` into a fresh Oxigraph store, one
process): ``--ingest`` pages of the WARC with the prefilter off and on, in articles/s of wall time.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))


def build(folder: Path, n: int, aid_share: float, seed: int = 0) -> dict:
    """Write crawl.warc.gz, feed.rss and sitemap.xml into ``folder``; return the URLs of the aid pages."""
    import bench_html_text as layouts
    import generate_corpus
    import generate_unrelated
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    aid_n = max(1, round(n * aid_share))
    generated = folder / "aid"
    manifest = json.loads(generate_corpus.generate(aid_n, generated, seed).read_text(encoding="utf-8"))
    aid = [{"lang": e["lang"], "title": e["title"], "paragraphs": (generated / e["file"]).read_text(
        encoding="utf-8").split("\n\n")[1:] or [e["title"]], "published": e["published"]} for e in manifest]
    unrelated = [{"lang": a["lang"], "title": a["title"], "paragraphs": a["text"].split("\n\n")[1:],
                  "published": "2024-05-02"} for a in generate_unrelated.articles(n - aid_n, seed)]
    labels = json.loads(layouts.LAYOUTS_FILE.read_text(encoding="utf-8"))["labels"]
    pool = generate_unrelated.articles(300, seed + 1)
    rng = random.Random(seed)
    entries = [(a, True) for a in aid] + [(a, False) for a in unrelated]
    rng.shuffle(entries)
    functions = list(layouts.LAYOUTS.values())
    aid_urls, items, urls = set(), [], []
    with open(folder / "crawl.warc.gz", "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for number, (article, is_aid) in enumerate(entries):
            url = f"https://news.example/{article['lang']}/{number}"
            page = functions[number % len(functions)](article, labels.get(article["lang"], labels["any"]),
                                                      layouts._teasers(rng, pool, article["lang"], 6))
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(page.encode("utf-8")), http_headers=http,
                warc_headers_dict={"WARC-Date": f"{article['published']}T12:00:00Z"}))
            if is_aid:
                aid_urls.add(url)
            urls.append(url)
            content = "".join(f"<p>{html.escape(p)}</p>" for p in article["paragraphs"])
            items.append(f"<item><title>{html.escape(article['title'])}</title><link>{url}</link>"
                         f"<content:encoded><![CDATA[{content}]]></content:encoded></item>")
    (folder / "feed.rss").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/'
        f'modules/content/"><channel><title>Bench</title>{"".join(items)}</channel></rss>', encoding="utf-8")
    (folder / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{u}</loc></url>" for u in urls) + "</urlset>", encoding="utf-8")
    return {"aid": aid_urls, "pages": len(entries)}


def read_rate(path: Path, *, prefilter: bool, pages=None) -> dict:
    """Read one feed file; articles/s of CPU time, and which URLs came out as articles."""
    from graph.feeds import PassedOver, read_feed
    from graph.ingest import IngestFailure
    from graph.model import Article
    from graph.pipeline import early_prefilter

    check = early_prefilter() if prefilter else None
    started = time.process_time()
    kept, passed, failed = set(), 0, 0
    for item in read_feed(path, pages=pages, prefilter=check):
        if isinstance(item, Article):
            kept.add(item.url)
        elif isinstance(item, PassedOver):
            passed += 1
        elif isinstance(item, IngestFailure):
            failed += 1
    seconds = time.process_time() - started
    total = len(kept) + passed
    return {"items": total, "kept": kept, "passed_over": passed, "failures": failed, "cpu_s": seconds,
            "per_s": total / seconds if seconds else 0.0}


def end_to_end(warc: Path, limit: int, prefilter: bool, folder: Path) -> dict:
    """``ingest_paths`` of the first ``limit`` pages of the crawl into a fresh store (one process)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    from graph.pipeline import ingest_paths
    from graph.store import open_store

    part = folder / f"part-{limit}.warc.gz"
    if not part.exists():
        with open(warc, "rb") as source, open(part, "wb") as target:
            writer = WARCWriter(target, gzip=True)
            for count, record in enumerate(ArchiveIterator(source)):
                if count >= limit:
                    break
                writer.write_record(record)
    store = open_store(folder / f"store-{prefilter}", backend="oxigraph")
    started = time.perf_counter()
    summary = ingest_paths([part], store, progress=False, workers=0, prefilter=prefilter)
    seconds = time.perf_counter() - started
    store.close()
    return {"read": summary.articles_read, "stored": summary.articles_stored,
            "not_about_aid": summary.articles_not_about_aid, "seconds": seconds,
            "per_s": summary.articles_read / seconds if seconds else 0.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--aid-share", type=float, default=0.1)
    parser.add_argument("--ingest", type=int, default=200, help="pages ingested end to end (0: skip)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from graph.feeds.pages import LocalPages

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        built = build(folder, args.pages, args.aid_share)
        aid = built["aid"]
        rows = []
        inputs = (("WARC", folder / "crawl.warc.gz", None), ("RSS", folder / "feed.rss", None),
                  ("sitemap+WARC pages", folder / "sitemap.xml", folder / "crawl.warc.gz"))
        for name, path, pages in inputs:
            for prefilter in (False, True):
                local = LocalPages([pages]) if pages else None
                if local:
                    local.get("https://news.example/")  # index the WARC outside the timing
                result = read_rate(path, prefilter=prefilter, pages=local)
                kept = result.pop("kept")
                result.update(input=name, prefilter=prefilter,
                              aid_recall=len(kept & aid) / len(aid),
                              unrelated_rejected=1 - len(kept - aid) / max(built["pages"] - len(aid), 1))
                rows.append(result)
        ingest = [end_to_end(folder / "crawl.warc.gz", args.ingest, p, folder) for p in (False, True)] \
            if args.ingest else []
    if args.json:
        print(json.dumps({"pages": built["pages"], "aid_pages": len(aid), "read": rows, "ingest": ingest},
                         indent=1))
        return 0
    print(f"{built['pages']} pages, {len(aid)} about aid ({args.aid_share:.0%}); reading only, CPU time")
    print(f"{'input':20} {'prefilter':9} {'items':>6} {'passed over':>11} {'articles/s':>10} "
          f"{'aid recall':>10} {'unrelated rejected':>18}")
    for r in rows:
        print(f"{r['input']:20} {'on' if r['prefilter'] else 'off':9} {r['items']:6} {r['passed_over']:11} "
              f"{r['per_s']:10.0f} {r['aid_recall']:10.3f} {r['unrelated_rejected']:18.3f}")
    if ingest:
        print(f"end to end (ingest_paths, one process, first {args.ingest} pages of the WARC):")
        for prefilter, r in zip(("off", "on"), ingest, strict=True):
            print(f"  prefilter {prefilter:3}: {r['read']} read, {r['not_about_aid']} passed over, "
                  f"{r['stored']} stored in {r['seconds']:.1f} s = {r['per_s']:.1f} articles/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
