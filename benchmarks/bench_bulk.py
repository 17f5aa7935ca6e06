"""Disk and time of the store after ingest, against `oxigraph load` of the same quads (issue 11, §2).

    OXIGRAPH=/path/to/oxigraph python benchmarks/bench_bulk.py [N] [--workdir DIR] [--no-ray]

Generates N pledge-heavy articles (benchmarks/generate_corpus.py, default 1000) and builds four stores
of the same content:

* ``transactional``  `aidgraph ingest` (local workers, one transaction per batch of 32 articles);
* ``+ optimize``     the same store after pyoxigraph's ``Store.optimize()`` (RocksDB compaction);
* ``+ compact``      the same store after `aidgraph compact` (every quad bulk-loaded into a new store
  that replaces it: LZ4-compressed SST files, see ``OxigraphStore.compact``);
* ``ray --bulk``     `aidgraph ingest --engine ray --bulk` (shards bulk-loaded, merge rebuilt once);
* ``oxigraph load``  the `oxigraph load` CLI over an N-Quads dump of the transactional store, all of
  its quads (named graphs and the default graph, the merge): the baseline, measured in the same run.

and prints per store: seconds, quads, bytes on disk (SST files, RocksDB logs, the pledge read model,
other), and the ratio of its size to the baseline's, with and without the read model (goal: within 1.3x
with it). ``OXIGRAPH`` names the `oxigraph` CLI (default: beside the venv's python). The dump of
the named graphs alone is loaded too, to show what the materialised default graph costs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def disk(location: Path) -> dict[str, int]:
    """Bytes on disk of a store folder, by kind of file: RocksDB's SST files and logs, the pledge read
    model (its SQLite file, log and index), the rest (RocksDB's manifest and info logs, markers)."""
    from graph.store.readmodel import READ_MODEL_FILE

    sizes = {"sst": 0, "log": 0, "model": 0, "other": 0}
    for path in location.rglob("*"):
        if path.is_file():
            kind = ("model" if path.name.startswith(READ_MODEL_FILE) else "sst" if path.suffix == ".sst"
                    else "log" if path.suffix == ".log" else "other")
            sizes[kind] += path.stat().st_blocks * 512
    sizes["total"] = sum(sizes.values())
    return sizes


def quad_count(location: Path) -> tuple[int, int]:
    """(quads in named graphs, triples in the default graph) of a pyoxigraph store."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(location))
    named = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))[0].value)
    default = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)
    del store
    return named, default


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    import pyoxigraph as ox
    from generate_corpus import generate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=1000, help="articles (default 1000)")
    parser.add_argument("--workdir", help="where to build the stores (default: a temporary folder)")
    parser.add_argument("--no-ray", action="store_true", help="leave out the Ray bulk path")
    args = parser.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="aidgraph-bench-bulk-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    if not corpus.exists():
        generate(args.n, corpus)
    aidgraph = [sys.executable, "-m", "graph.cli"]
    oxigraph = os.environ.get("OXIGRAPH") or str(Path(sys.executable).with_name("oxigraph"))
    rows = []

    def row(name: str, location: Path, seconds: float) -> None:
        named, default = quad_count(location)
        rows.append((name, seconds, named, default, disk(location)))

    transactional = work / "transactional"
    shutil.rmtree(transactional, ignore_errors=True)
    seconds = timed([*aidgraph, "--store", str(transactional), "ingest", str(corpus), "--no-progress",
                     "--workers", "2"])
    row("transactional", transactional, seconds)

    dump_all, dump_named = work / "all.nq", work / "named.nq"
    store = ox.Store.read_only(str(transactional))
    store.dump(str(dump_all), format=ox.RdfFormat.N_QUADS)
    ox.serialize((q for g in store.named_graphs() for q in store.quads_for_pattern(None, None, None, g)),
                 str(dump_named), format=ox.RdfFormat.N_QUADS)
    del store

    optimized = work / "optimized"
    shutil.rmtree(optimized, ignore_errors=True)
    shutil.copytree(transactional, optimized)
    started = time.perf_counter()
    store = ox.Store(str(optimized))
    store.optimize()
    store.flush()
    del store
    row("+ optimize", optimized, time.perf_counter() - started)

    compacted = work / "compacted"
    shutil.rmtree(compacted, ignore_errors=True)
    shutil.copytree(transactional, compacted)
    seconds = timed([*aidgraph, "--store", str(compacted), "compact"])
    row("+ aidgraph compact", compacted, seconds)

    if not args.no_ray:
        bulk = work / "bulk"
        shutil.rmtree(bulk, ignore_errors=True)
        shutil.rmtree(work / "bulk.shards", ignore_errors=True)
        seconds = timed([*aidgraph, "--store", str(bulk), "ingest", str(corpus), "--no-progress",
                         "--engine", "ray", "--bulk"])
        row("ray --bulk", bulk, seconds)

    for name, dump in (("oxigraph load", dump_all), ("oxigraph load (named only)", dump_named)):
        location = work / name.replace(" ", "-").replace("(", "").replace(")", "")
        shutil.rmtree(location, ignore_errors=True)
        seconds = timed([oxigraph, "load", "--location", str(location), "--file", str(dump)])
        row(name, location, seconds)

    baseline = next(r for r in rows if r[0] == "oxigraph load")[4]["total"]
    print(f"{args.n} generated articles; stores in {work}")
    print(f"{'store':28} {'seconds':>8} {'named quads':>12} {'default':>9} {'SST MB':>8} {'log MB':>7} "
          f"{'other MB':>8} {'model MB':>8} {'total MB':>9} {'vs load':>8} {'excl. model':>11}")
    for name, seconds, named, default, sizes in rows:
        print(f"{name:28} {seconds:8.1f} {named:12} {default:9} {sizes['sst'] / 1e6:8.1f} "
              f"{sizes['log'] / 1e6:7.1f} {sizes['other'] / 1e6:8.1f} {sizes['model'] / 1e6:8.1f} "
              f"{sizes['total'] / 1e6:9.1f} {sizes['total'] / baseline:7.2f}x "
              f"{(sizes['total'] - sizes['model']) / baseline:10.2f}x")
    print(f"dumps: all quads {dump_all.stat().st_size / 1e6:.1f} MB, named graphs "
          f"{dump_named.stat().st_size / 1e6:.1f} MB of N-Quads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
