"""Extraction cost against article length: 1 KB -> 5 MB should be linear.

    python benchmarks/bench_extract_scaling.py [--sizes 1,10,100,1000,5000] [--json]

Builds one article per size (in KB) from the synthetic news paragraphs of benchmarks/generate_corpus.py
(several languages' worth of English paragraphs, so every sentence has donors, items, sums and dates),
extracts it in process (CPU time, best of a few runs for small sizes), and prints seconds, KB/s and
the time per KB relative to the smallest size: a ratio near 1 means linear cost; a quadratic step
(every mention checked against every sentence) would make it grow with the size. Not a test.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def paragraphs() -> list[str]:
    spec = importlib.util.spec_from_file_location("generate_corpus", HERE / "generate_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with tempfile.TemporaryDirectory() as tmp:
        module.generate(60, Path(tmp), seed=1)
        texts = [p.read_text(encoding="utf-8") for p in sorted(Path(tmp).rglob("*.txt"))]
    return [block for text in texts for block in text.split("\n\n") if block.strip()]


def article_of(size_kb: int, blocks: list[str]) -> str:
    out, length, i = [], 0, 0
    while length < size_kb * 1024:
        block = blocks[i % len(blocks)]
        out.append(block)
        length += len(block.encode("utf-8")) + 2
        i += 1
    return "\n\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100,1000,5000", help="sizes in KB")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from graph.extract import extract
    from graph.model import Article

    blocks = paragraphs()
    extract(Article(id="warm", text=article_of(4, blocks), lang="en", published=datetime.date(2025, 4, 11)))
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        article = Article(id=f"size{size}", text=article_of(size, blocks), lang="en",
                          published=datetime.date(2025, 4, 11))
        runs = 5 if size <= 100 else 1
        best = float("inf")
        facts = 0
        for _ in range(runs):
            start = time.process_time()
            extraction = extract(article)
            best = min(best, time.process_time() - start)
            facts = len(extraction.pledges)
        kb = len(article.text.encode("utf-8")) / 1024
        rows.append({"kb": round(kb), "seconds": round(best, 3), "kb_per_s": round(kb / best, 1),
                     "ms_per_kb": round(best * 1000 / kb, 3), "pledges": facts})
    base = rows[0]["ms_per_kb"]
    for row in rows:
        row["ratio_to_smallest"] = round(row["ms_per_kb"] / base, 2)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(f"{'KB':>7s} {'s':>8s} {'KB/s':>8s} {'ms/KB':>7s} {'x 1st':>6s} {'pledges':>8s}")
        for r in rows:
            print(f"{r['kb']:7d} {r['seconds']:8.3f} {r['kb_per_s']:8.1f} {r['ms_per_kb']:7.3f} "
                  f"{r['ratio_to_smallest']:6.2f} {r['pledges']:8d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
