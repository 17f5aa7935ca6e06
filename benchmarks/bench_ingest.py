"""Ingest throughput: extraction only, and end to end (read -> extract -> to_rdf -> SHACL -> store).

    python benchmarks/bench_ingest.py [--n 1000] [--seed 0] [--corpus DIR] [--workers 1 2]
                                      [--batch-size 32] [--no-memory] [--json]

Generates a synthetic corpus with benchmarks/generate_corpus.py (or reads --corpus), then measures
and prints:
  - reading (decode + language detection), extraction only: articles/s and MB/s;
  - end to end with ``graph.pipeline.ingest_paths`` (reading included) into the default oxigraph store
    on disk, once per --workers value: articles/s, MB/s, ms per article and stage, the gate's share;
  - the same with one process into the pure-rdflib memory store (the baseline of the store ratio);
  - peak resident memory: this process so far (ru_maxrss only grows) and the largest worker process.
Stage times are per article, summed over the workers' processes (so with several workers they add up
to more than the wall time). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far, in MB (Linux reports KiB); RUSAGE_CHILDREN: largest child."""
    return resource.getrusage(who).ru_maxrss / 1024


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


def warm_up(articles: list) -> float:
    """Load lexicons, reference knowledge and shapes once, so that the phases measure steady state."""
    from graph.pipeline import prepare_batch

    started = time.perf_counter()
    prepare_batch(articles[:3])
    return time.perf_counter() - started


def end_to_end(corpus: Path, store, workers: int, batch_size: int) -> dict:
    """``ingest_paths`` over the corpus into ``store``: wall seconds, CPU seconds of this process,
    seconds per stage (summed over processes), facts and failures."""
    from graph.pipeline import ingest_paths

    cpu, total = time.process_time(), _cpu_with_children()
    summary = ingest_paths([corpus], store, progress=False, workers=workers, batch_size=batch_size)
    total = _cpu_with_children() - total
    if summary.failures:
        print(f"warning: {len(summary.failures)} failures, e.g. {summary.failures[0]}", file=sys.stderr)
    return {"workers": workers, "batch_size": batch_size, "seconds": summary.seconds,
            "main_process_cpu_seconds": time.process_time() - cpu, "cpu_seconds": total,
            "stages": summary.stage_seconds,
            "articles": summary.articles_stored, "facts": summary.facts_stored + summary.facts_quarantined,
            "triples": summary.triples_stored, "failures": len(summary.failures)}


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its finished (waited for) children: the workers'."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="articles to generate (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, help="use this folder instead of generating one")
    parser.add_argument("--workers", type=int, nargs="+", default=None,
                        help="worker counts to measure end to end (0 = everything in this process, no "
                             "budget; default: 0, 1 and the CPUs, at most 4)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--no-memory", action="store_true", help="skip the rdflib memory-store baseline")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    from graph.pipeline import MAX_DEFAULT_WORKERS
    from graph.store import open_store

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    worker_counts = args.workers or sorted({0, 1, min(cpus, MAX_DEFAULT_WORKERS)})
    from generate_corpus import generate  # this script's folder, benchmarks/, is on sys.path

    with tempfile.TemporaryDirectory(prefix="aidgraph-bench-", ignore_cleanup_errors=True) as tmp:
        corpus = args.corpus or generate(args.n, Path(tmp) / "corpus", seed=args.seed).parent
        megabytes = sum(p.stat().st_size for p in corpus.rglob("*.txt")) / 1e6

        articles, read_seconds = read_all(corpus)
        figures: dict = {"articles": len(articles), "megabytes": round(megabytes, 3), "cpus": cpus,
                         "read": {"seconds": read_seconds, "peak_rss_mb": peak_rss_mb()}}
        figures["warm_up_seconds"] = warm_up(articles)
        figures["extract_only"] = {"seconds": extraction_only(articles), "peak_rss_mb": peak_rss_mb()}
        del articles

        runs = []
        for workers in worker_counts:
            with open_store(Path(tmp) / f"store-{workers}") as store:
                run = end_to_end(corpus, store, workers, args.batch_size)
            runs.append(run | {"store": "oxigraph", "peak_rss_mb": peak_rss_mb(),
                               "worker_peak_rss_mb": peak_rss_mb(resource.RUSAGE_CHILDREN)})
        if not args.no_memory:
            with open_store(backend="memory") as store:
                run = end_to_end(corpus, store, 0, args.batch_size)
            runs.append(run | {"store": "memory", "peak_rss_mb": peak_rss_mb(), "worker_peak_rss_mb": 0.0})
        figures["end_to_end"] = runs

    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(report(figures))
    return 0


def report(figures: dict) -> str:
    n, mb = figures["articles"], figures["megabytes"]

    def rate(seconds: float) -> str:
        return f"{n / seconds:8.1f} articles/s  {mb / seconds:6.3f} MB/s  ({seconds:7.2f} s)"

    lines = [f"corpus: {n} articles, {mb:.2f} MB of text; {figures['cpus']} CPUs",
             f"read + language detection        {rate(figures['read']['seconds'])}",
             f"warm-up (lexicons, reference, shapes): {figures['warm_up_seconds']:.2f} s",
             f"extraction only                  {rate(figures['extract_only']['seconds'])}"]
    for run in figures["end_to_end"]:
        procs = "in-process" if run["workers"] == 0 else f"{run['workers']} worker(s)"
        label = f"end to end, {run['store']}, {procs}"
        lines.append(f"{label:32} {rate(run['seconds'])}  peak RSS {run['peak_rss_mb']:.0f} MB"
                     + (f" (workers {run['worker_peak_rss_mb']:.0f} MB)" if run["workers"] else ""))
        total = sum(run["stages"].values()) or 1.0
        per_article = ", ".join(f"{stage} {1000 * s / max(run['articles'], 1):.1f}"
                                for stage, s in run["stages"].items())
        lines.append(f"    ms per article: {per_article}; gate (SHACL) share "
                     f"{100 * run['stages'].get('gate', 0) / total:.0f}%; main process CPU "
                     f"{run['main_process_cpu_seconds']:.1f} s; all processes' CPU {run['cpu_seconds']:.1f} s"
                     f" ({run['articles'] / max(run['cpu_seconds'], 1e-9):.1f} articles per CPU-second); "
                     f"facts {run['facts']}; "
                     f"triples {run['triples']}; failures {run['failures']}")
    by_store = {run["store"]: run for run in figures["end_to_end"] if run["workers"] == 0}
    if {"oxigraph", "memory"} <= set(by_store):
        oxigraph, memory = by_store["oxigraph"], by_store["memory"]
        store_ratio = memory["stages"].get("store", 0) / max(oxigraph["stages"].get("store", 0), 1e-9)
        lines.append("ratio oxigraph / rdflib-memory end-to-end throughput (1 process): "
                     f"{memory['seconds'] / oxigraph['seconds']:.2f}x (store stage: {store_ratio:.2f}x)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
