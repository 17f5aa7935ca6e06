"""kill -9 of an ingest *inside* pyoxigraph's bulk load of a fresh batch (the TriG path of
``OxigraphStore.replace_graphs``): the batch is all there or not at all (no partial article graph, the
default graph as before the batch or as after it), the store opens, and a rerun gives the store of a
clean run.

The whole corpus is one batch (``batch_size`` above its size), so its bulk load is one call (0.4 s
here, 2026-12-07). A test-only hook (``AIDGRAPH_TEST_BULK_LOAD_MARKER``) writes a file just before the load
and another after it returns; the process is killed once the first exists, at 0 % and at 50 % of the
load's duration in the clean run, and the test requires that at least one kill landed before the
second file was written (inside the load). tests/reliability/test_crash_loop.py kills at random
moments of whole runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.store.oxigraph import BULK_LOAD_MARKER_ENV

pytestmark = pytest.mark.slow
ARTICLES = 150
SEED = 23

INGEST = """
import sys
from graph.pipeline import ingest_paths
from graph.store import open_store
with open_store(sys.argv[1]) as store:
    if len(sys.argv) > 2:
        summary = ingest_paths([sys.argv[2]], store, progress=False, workers=0, batch_size=100_000)
        sys.exit(0 if summary.ok and summary.articles_stored else 1)
"""

SIZES = """
import json, sys
from graph.store import open_store
from graph.store.oxigraph import default_graph_size
with open_store(sys.argv[1], read_only=True) as store:
    print(json.dumps(default_graph_size(store.native)))
"""


def _python(script: str, *args, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], cwd=Path(__file__).parents[2],
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _run(script: str, *args, env: dict | None = None) -> str:
    process = _python(script, *args, env=env)
    out, err = process.communicate(timeout=900)
    assert process.returncode == 0, err[-2000:]
    return out


def _default_size(location: Path) -> int:
    import json

    return json.loads(_run(SIZES, location))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from generate_corpus import generate

    folder = tmp_path_factory.mktemp("bulk-kill") / "corpus"
    generate(ARTICLES, folder, seed=SEED)
    return folder


def test_kill_9_inside_the_bulk_load_leaves_all_or_nothing(corpus, tools, tmp_path):
    clean = tmp_path / "clean"
    _run(INGEST, clean)  # ontology and reference first, so the only load under the marker is the batch
    empty_size = _default_size(clean)
    marker = tmp_path / "clean-load"
    _run(INGEST, clean, corpus, env={BULK_LOAD_MARKER_ENV: str(marker)})
    load_seconds = Path(f"{marker}.done").stat().st_mtime - Path(f"{marker}.start").stat().st_mtime
    reference, reference_size = tools.snapshot(clean), _default_size(clean)
    articles = sum("/id/article/" in name for name in reference)
    assert articles == ARTICLES and reference_size > empty_size

    inside = 0
    for number, fraction in enumerate((0.0, 0.5)):
        store, marker = tmp_path / f"crashed-{number}", tmp_path / f"load-{number}"
        _run(INGEST, store)
        process = _python(INGEST, store, corpus, env={BULK_LOAD_MARKER_ENV: str(marker)})
        started = Path(f"{marker}.start")
        assert tools.wait_until(lambda s=started, p=process: s.exists() or p.poll() is not None, 900, 0.002)
        time.sleep(fraction * load_seconds)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=60)
        landed = not Path(f"{marker}.done").exists()
        inside += landed
        print(f"kill at {fraction:.0%} of a {load_seconds:.2f} s load: inside the load {landed}")

        stats = tools.run("--store", store, "stats")  # opens for writing (recovery, read model rebuilt)
        assert stats.returncode == 0, stats.stderr
        present = tools.snapshot(store)
        assert set(present) <= set(reference), set(present) - set(reference)
        assert all(present[name] == reference[name] for name in present), "a graph differs from the clean run"
        stored = sum("/id/article/" in name for name in present)
        assert stored in (0, articles), f"{stored} of {articles} article graphs: the batch is partial"
        assert _default_size(store) == (reference_size if stored else empty_size)

        _run(INGEST, store, corpus)  # the rerun: what the kill lost is ingested, nothing else changes
        assert tools.snapshot(store) == reference
        assert _default_size(store) == reference_size
    assert inside, f"no kill landed inside the bulk load (it took {load_seconds:.2f} s)"
