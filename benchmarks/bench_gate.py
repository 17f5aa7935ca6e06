"""The SHACL gate per article graph: the gate (pyshacl-turbo) against pySHACL, in the same run.

    python benchmarks/bench_gate.py [--n 200] [--seed 0] [--demo DIR] [--repeats 3]
                                    [--before REV] [--json]

Articles: corpus/demo and ``--n`` generated ones (benchmarks/generate_corpus.py), each run through
extract -> to_rdf once. Then, article by article and in turn (so that load on a shared machine hits
every engine alike), ``--repeats`` times:

  gate                ``graph.validate.gate(article_graph)``: what the pipeline runs (engine input,
                      pyshacl-turbo, report reading, split into accepted / quarantined)
  turbo validate      ``graph.validate.validate_triples``: the validation alone
  pySHACL             pySHACL 0.40 on the same shapes (not lifted), an rdflib graph built from the
                      triples, SPARQL texts parsed once (the reference of tests/test_shacl_engines.py)
  before: gate        with ``--before REV``: ``gate`` of graph/validate.py as of git revision REV
                      (e.g. da3e206, pySHACL with lifted shapes and screened SPARQL), loaded beside
                      the current one; ``gate_many`` of REV over batches of 32 is timed too, per article

Prints p50 / p95 in ms per article of wall time and of CPU time (``time.process_time``: on a shared
machine the wall time also counts the waits for a core), the mean CPU time, and the CPU ratios to
``gate``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BATCH = 32


def article_graphs(folder: Path) -> list:
    from graph.extract import extract
    from graph.ingest import IngestFailure, read_articles
    from graph.to_rdf import to_rdf

    return [to_rdf(extract(a)) for a in read_articles([folder]) if not isinstance(a, IngestFailure)]


def pyshacl_validator():
    """pySHACL on the aidgraph shapes, as the differential test runs it."""
    import pyshacl
    from rdflib import Graph
    from rdflib.plugins.sparql import prepareQuery

    from graph.validate import shapes_graph

    prepared = functools.lru_cache(maxsize=64)(prepareQuery)

    class ParsedOnce(Graph):
        def query(self, query_object, *args, **kwargs):
            if isinstance(query_object, str):
                query_object = prepared(query_object)
            return super().query(query_object, *args, **kwargs)

    def validate(triples):
        data = ParsedOnce(bind_namespaces="none")
        for triple in triples:
            data.add(triple)
        return pyshacl.validate(data, shacl_graph=shapes_graph(), inference="none", inplace=True,
                                allow_warnings=True, allow_infos=True, advanced=False)
    return validate


def load_before(rev: str):
    """graph/validate.py as of ``rev``, imported as a separate module (its own shapes cache)."""
    source = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:graph/validate.py"],
                            check=True, capture_output=True, text=True).stdout
    module = type(sys)(f"validate_{rev}")
    module.__file__ = f"<graph/validate.py@{rev}>"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(graphs: list, engines: dict, repeats: int) -> dict:
    """ms per article for each engine, interleaved article by article."""
    times: dict = {name: ([], []) for name in engines}   # (wall ms, CPU ms) per call
    for run in engines.values():  # warm up: shapes parsed and compiled, caches filled
        run(graphs[0])
    for _ in range(repeats):
        for graph in graphs:
            for name, run in engines.items():
                wall, cpu = time.perf_counter(), time.process_time()
                run(graph)
                times[name][0].append((time.perf_counter() - wall) * 1000)
                times[name][1].append((time.process_time() - cpu) * 1000)
    return times


def measure_batches(graphs: list, gate_many, repeats: int) -> tuple[list[float], list[float]]:
    """ms per article of a batch gate over batches of BATCH articles (each batch's time shared)."""
    wall_ms, cpu_ms = [], []
    for _ in range(repeats):
        for start in range(0, len(graphs), BATCH):
            batch = graphs[start:start + BATCH]
            wall, cpu = time.perf_counter(), time.process_time()
            gate_many(batch)
            wall_ms += [(time.perf_counter() - wall) * 1000 / len(batch)] * len(batch)
            cpu_ms += [(time.process_time() - cpu) * 1000 / len(batch)] * len(batch)
    return wall_ms, cpu_ms


def summarise(times: dict) -> dict:
    def figures(xs: list[float]) -> dict:
        return {"p50": statistics.median(xs), "p95": percentile(xs, 0.95), "mean": statistics.fmean(xs)}
    return {name: {"wall": figures(wall), "cpu": figures(cpu), "n": len(wall)}
            for name, (wall, cpu) in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="generated articles (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--demo", type=Path, default=REPO / "corpus" / "demo", help="demo corpus folder")
    parser.add_argument("--repeats", type=int, default=3, help="passes over each corpus (default 3)")
    parser.add_argument("--before", metavar="REV", help="also time graph/validate.py of this git revision")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    from graph.validate import gate, validate_triples

    pyshacl_validate = pyshacl_validator()
    engines = {
        "gate": gate,
        "turbo validate": lambda graph: validate_triples(graph.triples()),
        "pySHACL": lambda graph: pyshacl_validate(graph.triples()),
    }
    before = load_before(args.before) if args.before else None
    if before is not None:
        engines["before: gate"] = before.gate

    from generate_corpus import generate  # this script's folder, benchmarks/, is on sys.path

    with tempfile.TemporaryDirectory(prefix="bench-gate-") as folder:
        corpora = {"demo": article_graphs(args.demo),
                   "generated": article_graphs(generate(args.n, Path(folder), seed=args.seed).parent)}
    figures: dict = {"load_average": os.getloadavg(), "corpora": {}}
    for name, graphs in corpora.items():
        times = measure(graphs, engines, args.repeats)
        if before is not None:
            times[f"before: gate_many x{BATCH}"] = measure_batches(graphs, before.gate_many, args.repeats)
        triples = [len(graph.triples()) for graph in graphs]
        figures["corpora"][name] = {"articles": len(graphs), "triples_mean": statistics.fmean(triples),
                                    "triples_max": max(triples), "engines": summarise(times)}
    figures["load_average_after"] = os.getloadavg()

    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"load average before / after: {figures['load_average'][0]:.1f} / "
          f"{figures['load_average_after'][0]:.1f}")
    for name, corpus in figures["corpora"].items():
        print(f"\n{name}: {corpus['articles']} articles, {corpus['triples_mean']:.0f} triples on average "
              f"(max {corpus['triples_max']}), {args.repeats} passes")
        print(f"  {'ms per article':24s} {'wall p50':>9s} {'p95':>7s} {'CPU p50':>8s} {'p95':>7s} "
              f"{'mean':>7s}"
              f"   CPU p50 / gate  CPU p95 / gate")
        base = corpus["engines"]["gate"]["cpu"]
        for engine, f in corpus["engines"].items():
            wall, cpu = f["wall"], f["cpu"]
            print(f"  {engine:24s} {wall['p50']:9.2f} {wall['p95']:7.2f} {cpu['p50']:8.2f} {cpu['p95']:7.2f} "
                  f"{cpu['mean']:7.2f}   {cpu['p50'] / base['p50']:13.1f}x {cpu['p95'] / base['p95']:14.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
