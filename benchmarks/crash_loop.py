"""Crash loop: `kill -9` an `aidgraph ingest --workers N` at random moments, check the store after every kill,
and compare the store of the final (resumed) run with a clean run, graph by graph.

    python benchmarks/crash_loop.py [--kills 100] [--articles 300] [--workers 2] [--seed 1] [--work DIR]

Every other run passes --force (so kills also land in the middle of replacing stored graphs). After each
kill: the ingest's worker processes are gone within 5 s, `aidgraph stats` opens the store, every
graph in it equals the clean run's graph of the same name (no partial or duplicated article), and no
other graph exists. Finally one more run must finish (skipping what was stored) with the clean run's store.
Prints one line per kill and a summary; exits 1 on the first inconsistency. The test
tests/reliability/test_crash_loop.py runs the same loop with a few kills.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def command(*args) -> list[str]:
    """The argv of ``aidgraph *args`` run by this interpreter."""
    return [sys.executable, "-m", "graph.cli", *map(str, args)]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(REPO)}


def snapshot(location: Path) -> dict[str, str]:
    """{graph IRI: SHA-1 of its sorted N-Triples, blank nodes blanked}, read in a subprocess (read-only)."""
    script = (
        "import hashlib, re, sys, json\n"
        "from graph.store import open_store\n"
        "blank = re.compile(r'_:\\S+')\n"
        "out = {}\n"
        "with open_store(sys.argv[1], read_only=True) as store:\n"
        "    for name in store.graph_names():\n"
        "        text = store.serialize('nt', graph=name).decode('utf-8')\n"
        "        lines = sorted(blank.sub('_:b', l) for l in text.splitlines() if l.strip())\n"
        "        out[name] = hashlib.sha1('\\n'.join(lines).encode('utf-8')).hexdigest()\n"
        "print(json.dumps(out))\n")
    import json

    result = subprocess.run([sys.executable, "-c", script, str(location)], capture_output=True, text=True,
                            cwd=REPO, env=environment(), timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"cannot read the store: {result.stderr.strip()[-500:]}")
    return json.loads(result.stdout)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (exists and is not a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def ingest(store: Path, corpus: Path, workers: int, *, force: bool = False) -> subprocess.Popen:
    arguments = command("--store", store, "ingest", corpus, "--no-progress", "--workers", workers,
                        *(["--force"] if force else []))
    return subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
                            env=environment(), start_new_session=True)


def clean_run(store: Path, corpus: Path, workers: int) -> tuple[dict[str, str], float]:
    started = time.monotonic()
    process = ingest(store, corpus, workers)
    if process.wait(3600) != 0:
        raise RuntimeError("the clean run failed")
    return snapshot(store), time.monotonic() - started


def check(store: Path, reference: dict[str, str]) -> tuple[int, list[str]]:
    """(article graphs present, problems) of the store after a kill."""
    stats = subprocess.run(command("--store", store, "stats"), capture_output=True, text=True, cwd=REPO,
                           env=environment(), timeout=300)
    problems = [] if stats.returncode == 0 else [f"stats exit {stats.returncode}: {stats.stderr.strip()}"]
    present = snapshot(store)
    problems += [f"unexpected graph {name}" for name in present if name not in reference]
    problems += [f"graph {name} differs from the clean run" for name in present
                 if name in reference and present[name] != reference[name]]
    articles = sum("/id/article/" in name for name in present)
    return articles, problems


def crash_loop(corpus: Path, work: Path, kills: int, workers: int, seed: int, log=print,
               reference: tuple[dict[str, str], float] | None = None) -> dict:
    """Run the loop; return figures (raises AssertionError on an inconsistency).

    ``reference``: the clean run's snapshot and duration, when already known.
    """
    rng = random.Random(seed)
    reference, seconds = reference or clean_run(work / "reference", corpus, workers)
    log(f"clean run: {len(reference)} graphs in {seconds:.1f} s")
    store = work / "crashed"
    worst_exit = 0.0
    for number in range(1, kills + 1):
        delay = rng.uniform(0.3, max(0.5, seconds * 0.9))
        force = number % 2 == 0  # every other run replaces what is stored: kills land in replacements too
        process = ingest(store, corpus, workers, force=force)
        time.sleep(delay)
        helpers = children(process.pid)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(60)
        started = time.monotonic()
        while any(alive(pid) for pid in helpers) and time.monotonic() - started < 5:
            time.sleep(0.05)
        leftover = [pid for pid in helpers if alive(pid)]
        gone = time.monotonic() - started
        worst_exit = max(worst_exit, gone)
        articles, problems = check(store, reference)
        trouble = f", PROBLEMS: {problems}, still alive: {leftover}" if problems or leftover else ""
        log(f"kill {number:3d} at {delay:5.1f} s{' (--force)' if force else ''}: {articles} article graphs, "
            f"workers gone in {gone:.2f} s" + trouble)
        for pid in leftover:
            os.kill(pid, signal.SIGKILL)
        assert not leftover, f"worker processes {leftover} outlived the kill"
        assert not problems, problems
    final = ingest(store, corpus, workers)
    assert final.wait(3600) == 0, "the final run failed"
    assert snapshot(store) == reference, "the resumed store differs from the clean run"
    log(f"{kills} kills: every store consistent, final store = clean run ({len(reference)} graphs); "
        f"workers gone within {worst_exit:.2f} s")
    return {"kills": kills, "graphs": len(reference), "clean_seconds": seconds,
            "worst_worker_exit": worst_exit}


def generate(articles: int, folder: Path, seed: int) -> Path:
    path = REPO / "benchmarks" / "generate_corpus.py"
    spec = importlib.util.spec_from_file_location("generate_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(articles, folder, seed=seed)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="aidgraph-crash-loop-"))
    try:
        corpus = generate(args.articles, work / "corpus", args.seed)
        crash_loop(corpus, work, args.kills, args.workers, args.seed)
    except AssertionError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
