"""Ingest throughput: extraction only, and end to end (read -> extract -> to_rdf -> SHACL -> store).

    python benchmarks/bench_ingest.py [--n 1000] [--seed 0] [--corpus DIR] [--json]

Generates a synthetic corpus with benchmarks/generate_corpus.py (or reads --corpus), then measures
in ONE process and prints:
  - reading (decode + language detection), extraction only: articles/s and MB/s;
  - end to end into the default oxigraph store on disk, with the time per stage and pyshacl's share;
  - the same end to end into the pure-rdflib memory store: the baseline the ratio is taken against;
  - peak resident memory after each phase (ru_maxrss; it only grows, so read it as "so far").
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate_corpus(n: int, seed: int, out_dir: Path) -> Path:
    spec = importlib.util.spec_from_file_location("generate_corpus", HERE / "generate_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(n, out_dir, seed=seed)
    return out_dir


def read_all(corpus: Path) -> tuple[list, float]:
    from graph.ingest import IngestFailure, read_articles

    started = time.perf_counter()
    items = list(read_articles([corpus]))
    seconds = time.perf_counter() - started
    failures = [i for i in items if isinstance(i, IngestFailure)]
    if failures:
        print(f"warning: {len(failures)} inputs failed to read, e.g. {failures[0]}", file=sys.stderr)
    return [i for i in items if not isinstance(i, IngestFailure)], seconds


def extraction_only(articles: list) -> float:
    from graph.extract import extract

    started = time.perf_counter()
    for article in articles:
        extract(article)
    return time.perf_counter() - started


def end_to_end(articles: list, store) -> dict:
    """Every article through every stage into ``store``; seconds per stage and in total."""
    from graph.pipeline import process_article

    stages: dict[str, float] = {}
    facts = failures = 0
    started = time.perf_counter()
    for article in articles:
        try:
            doc = process_article(article, store)
        except Exception as exc:  # count, never stop a benchmark on one article
            failures += 1
            if failures == 1:
                print(f"warning: {article.id}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        facts += doc.gate.facts_accepted + doc.gate.facts_quarantined
        for stage, seconds in doc.seconds.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    return {"seconds": time.perf_counter() - started, "stages": stages, "facts": facts, "failures": failures}


def warm_up(articles: list) -> float:
    """Load lexicons, reference knowledge and shapes once, so that the phases measure steady state."""
    from graph.pipeline import process_article
    from graph.store import open_store

    started = time.perf_counter()
    with open_store(backend="memory") as store:
        for article in articles[:3]:
            process_article(article, store)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="articles to generate (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, help="use this folder instead of generating one")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    from graph.store import open_store

    with tempfile.TemporaryDirectory(prefix="aidgraph-bench-") as tmp:
        corpus = args.corpus or generate_corpus(args.n, args.seed, Path(tmp) / "corpus")
        megabytes = sum(p.stat().st_size for p in corpus.rglob("*.txt")) / 1e6

        articles, read_seconds = read_all(corpus)
        n = len(articles)
        figures: dict = {"articles": n, "megabytes": round(megabytes, 3),
                         "read": {"seconds": read_seconds, "peak_rss_mb": peak_rss_mb()}}
        figures["warm_up_seconds"] = warm_up(articles)

        seconds = extraction_only(articles)
        figures["extract_only"] = {"seconds": seconds, "peak_rss_mb": peak_rss_mb()}

        with open_store(Path(tmp) / "store") as store:
            figures["end_to_end_oxigraph"] = end_to_end(articles, store) | {"peak_rss_mb": peak_rss_mb()}
        with open_store(backend="memory") as store:
            figures["end_to_end_memory"] = end_to_end(articles, store) | {"peak_rss_mb": peak_rss_mb()}

    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(report(figures))
    return 0


def report(figures: dict) -> str:
    n, mb = figures["articles"], figures["megabytes"]

    def rate(seconds: float) -> str:
        return f"{n / seconds:8.1f} articles/s  {mb / seconds:6.2f} MB/s  ({seconds:6.2f} s)"

    lines = [f"corpus: {n} articles, {mb:.2f} MB of text",
             f"read + language detection  {rate(figures['read']['seconds'])}",
             f"warm-up (lexicons, reference, shapes): {figures['warm_up_seconds']:.2f} s",
             f"extraction only            {rate(figures['extract_only']['seconds'])}"]
    for key, label in (("end_to_end_oxigraph", "end to end, oxigraph disk"),
                       ("end_to_end_memory", "end to end, rdflib memory")):
        run = figures[key]
        lines.append(f"{label:26} {rate(run['seconds'])}  peak RSS {run['peak_rss_mb']:.0f} MB")
        total = sum(run["stages"].values()) or 1.0
        shares = ", ".join(f"{stage} {100 * s / total:.0f}%" for stage, s in run["stages"].items())
        lines.append(f"    time per stage: {shares}; pyshacl (gate) share "
                     f"{100 * run['stages'].get('gate', 0) / total:.0f}%; facts {run['facts']}; "
                     f"failures {run['failures']}")
    oxigraph, memory = figures["end_to_end_oxigraph"], figures["end_to_end_memory"]
    store_ratio = memory["stages"].get("store", 0) / max(oxigraph["stages"].get("store", 0), 1e-9)
    lines.append(f"ratio oxigraph / rdflib-memory end-to-end throughput: "
                 f"{memory['seconds'] / oxigraph['seconds']:.2f}x  (store stage alone: {store_ratio:.2f}x)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
