"""Fixtures of the reliability suite: a generated corpus, a clean reference ingest of it, store snapshots
(a hash per named graph), CLI runs as subprocesses, and the child processes of a process.

    generated_corpus      a folder of synthetic articles (benchmarks/generate_corpus.py, fixed seed)
    reference_run         ({graph IRI: hash}, seconds) of a clean `aidgraph ingest` of it
    reference_snapshot    its {graph IRI: hash}
    tools                 the helpers below: snapshot(store), run(*args), command(*args), env(**extra),
                          children(pid), alive(pid) (those two: benchmarks/crash_loop.py's),
                          wait_until(predicate, timeout), benchmark(name) (a benchmarks/ script)
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS_SIZE = 60
CORPUS_SEED = 11


@functools.cache
def benchmark(name: str) -> ModuleType:
    """The script ``benchmarks/<name>.py`` as a module (loaded once; benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def cli_command(*args) -> list[str]:
    return benchmark("crash_loop").command(*args)


def cli_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONIOENCODING": "utf-8", **extra}


def run_aidgraph(*args, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cli_command(*args), capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env=cli_env(**(env or {})))


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


_BLANK = re.compile(r"_:\S+")


def snapshot(location: Path) -> dict[str, str]:
    """{graph IRI: SHA-1 of its sorted N-Triples, blank nodes blanked} of the store at ``location``."""
    from graph.store import open_store

    hashes = {}
    with open_store(location, read_only=True) as store:
        for name in store.graph_names():
            text = store.serialize("nt", graph=name).decode("utf-8")
            lines = sorted(_BLANK.sub("_:b", line) for line in text.splitlines() if line.strip())
            hashes[name] = hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()
    return hashes


@pytest.fixture(scope="session")
def generated_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reliability") / "corpus"
    benchmark("generate_corpus").generate(CORPUS_SIZE, folder, seed=CORPUS_SEED)
    return folder


@pytest.fixture(scope="session")
def reference_run(generated_corpus, tmp_path_factory) -> tuple[dict[str, str], float]:
    """The snapshot of a clean `aidgraph ingest --workers 2` of the generated corpus, and its seconds."""
    store = tmp_path_factory.mktemp("reference") / "store"
    started = time.monotonic()
    result = run_aidgraph("--store", store, "ingest", generated_corpus, "--no-progress", "--workers", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    return snapshot(store), time.monotonic() - started


@pytest.fixture(scope="session")
def reference_snapshot(reference_run) -> dict[str, str]:
    return reference_run[0]


@pytest.fixture(scope="session")
def tools() -> SimpleNamespace:
    """The helpers of this module, for the tests of the suite."""
    processes = benchmark("crash_loop")  # one implementation of the /proc helpers, shared with it
    return SimpleNamespace(snapshot=snapshot, run=run_aidgraph, command=cli_command, env=cli_env,
                           children=processes.children, alive=processes.alive, wait_until=wait_until,
                           benchmark=benchmark, repo=REPO)
