"""Main text of news pages: aidgraph's extractor (graph.ingest.html_to_text) against trafilatura.

    python benchmarks/bench_html_text.py [--json] [--limit N]

There is no HTML in ../shared/corpus, so the pages are built: every real article of
../shared/corpus/real/articles and every demo article (corpus/demo) is set into five page layouts
modelled on common news sites (semantic <article> page; div soup with a teaser rail; inline teaser
boxes and figures; a WordPress theme with comments and widgets; <br>-separated text with a most-read
list and a newsletter box). The chrome's labels come from benchmarks/page_layouts.json; teasers,
comments and most-read items are whole sentences of unrelated news (benchmarks/generate_unrelated.py),
the hard case for an extractor. The known text is the article's paragraphs (its title is the page's
<h1> and is not counted).

Measured per page on word tokens (lowercased ``\\w+``, multisets): recall = known words extracted /
known words, precision = extracted words that are known / extracted words; printed per layout and
overall (micro-averaged), with the time per page. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

LAYOUTS_FILE = ROOT / "benchmarks" / "page_layouts.json"
SOURCES = (ROOT.parent / "shared" / "corpus" / "real" / "articles", ROOT / "corpus" / "demo")
WORD = re.compile(r"\w+")


def load_articles() -> list[dict]:
    """Articles with lang, title and paragraphs from the real and demo corpora (read at run time)."""
    out = []
    for folder in SOURCES:
        if not folder.is_dir():
            continue
        manifest = {}
        if (folder / "manifest.json").exists():
            data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            manifest = {entry["file"]: entry for entry in (data if isinstance(data, list) else [])}
        for path in sorted(folder.glob("*.txt")):
            blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))]
            blocks = [b for b in blocks if b]
            if len(blocks) < 2:
                blocks = [b for b in re.split(r"(?<=[.!?])\s+(?=\S)", " ".join(blocks)) if b]
            lang = (manifest.get(path.name) or {}).get("lang") or path.name[:2]
            title, body = (blocks[0], blocks[1:]) if len(blocks[0]) < 200 and len(blocks) > 1 else \
                (path.stem.replace("_", " "), blocks)
            out.append({"name": path.stem, "lang": lang, "title": title, "paragraphs": body})
    return out


def _teasers(rng: random.Random, pool: list[dict], lang: str, n: int) -> list[str]:
    same = [a for a in pool if a["lang"] == lang] or pool
    sentences = []
    for article in rng.sample(same, min(n, len(same))):
        parts = re.split(r"(?<=[.!?])\s+", article["text"].replace("\n", " "))
        sentences.append(" ".join(parts[:2]))
    return sentences


def _menu(labels: dict) -> str:
    return "".join(f'<li><a href="/{i}">{html.escape(x)}</a></li>' for i, x in enumerate(labels["menu"]))


def _links(items: list[str]) -> str:
    return "".join(f'<li><a href="/story/{i}">{html.escape(x[:90])}</a></li>' for i, x in enumerate(items))


def _head(article: dict) -> str:
    title = html.escape(article["title"])
    return (f'<!DOCTYPE html><html lang="{article["lang"]}"><head><meta charset="utf-8"><title>{title} | '
            f'Example News</title><meta property="og:title" content="{title}"></head>')


def layout_semantic(a: dict, lab: dict, t: list[str]) -> str:
    ps = "".join(f"<p>{html.escape(p)}</p>" for p in a["paragraphs"])
    return (_head(a) + f'<body><header><nav><ul>{_menu(lab)}</ul></nav></header><main><article>'
            f'<h1>{html.escape(a["title"])}</h1><p class="byline">{lab["by"]} Jane Roe</p>{ps}'
            f'<p class="related">{lab["read_also"]}: <a href="/x">{html.escape(t[0][:80])}</a></p></article>'
            f'<aside><h2>{lab["read_also"]}</h2><ul>{_links(t[1:4])}</ul></aside>'
            f'<section class="comments"><h2>{lab["comments"]}</h2><p>{html.escape(t[4])}</p></section></main>'
            f'<footer><p>{lab["rights"]} <a href="/privacy">Privacy</a></p></footer></body></html>')


def layout_div_soup(a: dict, lab: dict, t: list[str]) -> str:
    ps = "".join(f'<div class="txt">{html.escape(p)}</div>' for p in a["paragraphs"])
    rail = "".join(f'<div class="card"><a href="/c{i}"><span class="hl">{html.escape(x[:70])}</span></a>'
                   f'<div class="dek">{html.escape(x)}</div></div>' for i, x in enumerate(t[:4]))
    return (_head(a) + f'<body><div id="top-bar"><ul>{_menu(lab)}</ul></div><div class="cookie-notice">'
            f'{lab["cookie"]}</div><div class="wrap"><div class="col-8"><div class="headline">'
            f'<h1>{html.escape(a["title"])}</h1></div><div class="story-body">{ps}</div>'
            f'<div class="share-bar">'
            f'{lab["share"]}: <a href="/fb">Facebook</a> <a href="/x">X</a></div></div>'
            f'<div class="col-4 rail">{rail}</div></div><div id="bottom"><p>{lab["rights"]}</p></div>'
            f'</body></html>')


def layout_inline(a: dict, lab: dict, t: list[str]) -> str:
    parts = []
    for i, p in enumerate(a["paragraphs"]):
        parts.append(f"<p>{html.escape(p)}</p>")
        if i == 1:
            parts.append(f'<div class="inline-teaser"><a href="/t1"><h3>{html.escape(t[0][:70])}</h3>'
                         f'<p>{html.escape(t[0])}</p></a></div>')
        if i == 2:
            parts.append(f'<figure><img src="/p.jpg" alt=""><figcaption>{html.escape(t[1][:100])}'
                         f'</figcaption></figure>')
    return (_head(a) + f'<body><nav class="main-nav"><ul>{_menu(lab)}</ul></nav><div class="page">'
            f'<article class="story"><h1>{html.escape(a["title"])}</h1>'
            f'<div class="meta">{lab["by"]} Ann Poe, '
            f'<time datetime="2024-05-02">2024-05-02</time></div>{"".join(parts)}'
            f'<div class="newsletter-box"><p>{lab["newsletter"]}</p></div></article>'
            f'<div class="more"><h2>{lab["most_read"]}</h2><ol>{_links(t[2:6])}</ol></div></div>'
            f'<footer>{lab["rights"]}</footer></body></html>')


def layout_wordpress(a: dict, lab: dict, t: list[str]) -> str:
    ps = "".join(f"<p>{html.escape(p)}</p>" for p in a["paragraphs"])
    comments = "".join(f'<li class="comment"><div class="comment-author">user{i}</div><p>{html.escape(x)}'
                       f'</p></li>' for i, x in enumerate(t[3:6]))
    return (_head(a) + f'<body class="single"><div id="page"><header id="masthead"><div class="site-title">'
            f'Example News</div><ul id="primary-menu">{_menu(lab)}</ul></header><div id="content">'
            f'<div id="primary"><main id="main"><article class="post type-post"><header class="entry-header">'
            f'<h1 class="entry-title">{html.escape(a["title"])}</h1><div class="entry-meta">2024-05-02 '
            f'{lab["by"]} admin</div></header><div class="entry-content">{ps}<div class="sharedaddy">'
            f'<h3>{lab["share"]}:</h3><ul><li><a href="/s1">Facebook</a></li><li><a href="/s2">X</a></li>'
            f'</ul></div></div><footer class="entry-footer">{lab["tags"]}: <a href="/t">Europe</a></footer>'
            f'</article><nav class="post-navigation"><a href="/prev">{html.escape(t[0][:60])}</a>'
            f'<a href="/next">{html.escape(t[1][:60])}</a></nav><div id="comments"><h2>{lab["comments"]}</h2>'
            f'<ol class="comment-list">{comments}</ol></div></main></div>'
            f'<div id="secondary" class="widget-area">'
            f'<section class="widget"><h2>{lab["most_read"]}</h2><ul>{_links(t[:5])}</ul></section>'
            f'</div></div>'
            f'<footer id="colophon"><p>{lab["rights"]}</p></footer></div></body></html>')


def layout_br_text(a: dict, lab: dict, t: list[str]) -> str:
    body = "<br><br>".join(html.escape(p) for p in a["paragraphs"])
    most = "".join(f"<li><span>{html.escape(x)}</span></li>" for x in t[:4])
    return (_head(a) + f'<body><table width="100%"><tr><td class="menu">{" | ".join(lab["menu"])}</td></tr>'
            f'<tr><td><h1>{html.escape(a["title"])}</h1><div class="text">{body}</div></td>'
            f'<td class="side"><b>{lab["most_read"]}</b><ol>{most}</ol><div class="subscribe">'
            f'{lab["newsletter"]}</div></td></tr><tr><td class="foot">{lab["rights"]}</td></tr></table>'
            f'</body></html>')


LAYOUTS = {"semantic": layout_semantic, "div_soup": layout_div_soup, "inline_teasers": layout_inline,
           "wordpress": layout_wordpress, "br_text": layout_br_text}


def build_pages(limit: int | None = None) -> list[dict]:
    """Every article in every layout: name, layout, html, known (the article's paragraphs)."""
    from generate_unrelated import articles as unrelated

    labels = json.loads(LAYOUTS_FILE.read_text(encoding="utf-8"))["labels"]
    pool = unrelated(400, seed=7)
    rng = random.Random(3)
    pages = []
    for article in load_articles()[:limit]:
        chrome = labels.get(article["lang"], labels["any"])
        for name, layout in LAYOUTS.items():
            teasers = _teasers(rng, pool, article["lang"], 6)
            pages.append({"name": article["name"], "layout": name, "html": layout(article, chrome, teasers),
                          "known": "\n\n".join(article["paragraphs"])})
    return pages


def aidgraph_text(page: str) -> str:
    """aidgraph's extractor: its block walk confirmed by trafilatura (what ingest uses)."""
    from graph.ingest import html_to_text

    return html_to_text(page)[0]


def blocks_text(page: str) -> str:
    """aidgraph's block walk alone (the extractor before trafilatura confirmed its blocks)."""
    from graph.ingest import html_to_text

    return html_to_text(page, main_text=False)[0]


def trafilatura_text(page: str) -> str:
    import trafilatura

    return trafilatura.extract(page, include_comments=False, include_tables=True) or ""


def trafilatura_fast_text(page: str) -> str:
    import trafilatura

    return trafilatura.extract(page, include_comments=False, include_tables=True, fast=True) or ""


def trafilatura_precision_text(page: str) -> str:
    import trafilatura

    return trafilatura.extract(page, include_comments=False, favor_precision=True) or ""


EXTRACTORS = {"blocks": blocks_text, "blocks+trafilatura": aidgraph_text, "trafilatura": trafilatura_text,
              "trafilatura_fast": trafilatura_fast_text, "trafilatura_precision": trafilatura_precision_text}


def score(known: str, got: str) -> tuple[int, int, int]:
    """(common words, known words, extracted words) as multisets of lowercased tokens."""
    a, b = Counter(WORD.findall(known.lower())), Counter(WORD.findall(got.lower()))
    return sum((a & b).values()), sum(a.values()), sum(b.values())


def measure(pages: list[dict]) -> dict:
    """Per extractor and layout: recall, precision, F1, pages at recall >= 0.95, ms per page."""
    results: dict = {}
    for extractor, function in EXTRACTORS.items():
        function(pages[0]["html"])  # imports and caches outside the timing
        rows: dict = {}
        for page in pages:
            started = time.perf_counter()
            got = function(page["html"])
            seconds = time.perf_counter() - started
            common, known, extracted = score(page["known"], got)
            for key in (page["layout"], "all"):
                row = rows.setdefault(key, {"common": 0, "known": 0, "extracted": 0, "seconds": 0.0,
                                            "pages": 0, "complete": 0})
                row["common"] += common
                row["known"] += known
                row["extracted"] += extracted
                row["seconds"] += seconds
                row["pages"] += 1
                row["complete"] += common >= 0.95 * known
        for row in rows.values():
            row["recall"] = row["common"] / max(row["known"], 1)
            row["precision"] = row["common"] / max(row["extracted"], 1)
            total = row["recall"] + row["precision"]
            row["f1"] = 2 * row["recall"] * row["precision"] / total if total else 0.0
            row["ms_per_page"] = 1000 * row["seconds"] / max(row["pages"], 1)
        results[extractor] = rows
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--limit", type=int, help="at most this many articles")
    args = parser.parse_args(argv)
    pages = build_pages(args.limit)
    results = measure(pages)
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print(f"{len(pages)} pages ({len(pages) // len(LAYOUTS)} articles x {len(LAYOUTS)} layouts)")
    print(f"{'extractor':22} {'layout':15} {'recall':>7} {'precision':>9} {'F1':>6} {'complete':>9} "
          f"{'ms/page':>8}")
    for extractor, rows in results.items():
        for layout in [*LAYOUTS, "all"]:
            r = rows[layout]
            print(f"{extractor:22} {layout:15} {r['recall']:7.3f} {r['precision']:9.3f} {r['f1']:6.3f} "
                  f"{r['complete']:4}/{r['pages']:<4} {r['ms_per_page']:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
