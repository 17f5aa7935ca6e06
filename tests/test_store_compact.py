"""`OxigraphStore.compact` / `aidgraph compact`: the store rewritten compressed keeps every quad."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal

from graph.config import Settings
from graph.errors import InputError
from graph.store import open_store
from graph.store.oxigraph import COMPACTED_MARKER, CompactionPolicy, read_compaction

EX = rdflib.Namespace("http://example.org/compact/")


def article(number: int) -> list[tuple]:
    pledge = EX[f"pledge/{number}"]
    return [(pledge, EX[f"p{k}"], Literal(f"a sentence repeated about delivery {k} of batch {number % 7}"))
            for k in range(20)]


def every_quad(store) -> set:
    return set(store.native.quads_for_pattern(None, None, None, None))


def test_compact_keeps_every_quad_and_shrinks_a_store_written_in_transactions(tmp_path):
    location = tmp_path / "store"
    with open_store(location) as store:
        for start in range(0, 200, 10):  # 20 transactions
            store.replace_graphs({str(EX[f"article/{n}"]): article(n) for n in range(start, start + 10)})
        store.native.optimize()  # RocksDB's own compaction: the baseline compact must beat
        quads, graphs = every_quad(store), store.graph_names()
        before, after = store.compact()
        assert after < 0.8 * before, (before, after)
        assert every_quad(store) == quads and store.graph_names() == graphs
        assert store.read_model_path.exists()
        with sqlite3.connect(store.read_model_path) as db:  # the read model rewritten too: no free pages
            assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
        wal = store.read_model_path.with_name(store.read_model_path.name + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        store.replace_graphs({str(EX["article/new"]): article(1000)})  # still writable
        assert (EX["pledge/1000"], EX.p0, None) in store.get_graph(str(EX["article/new"]))
    assert not (tmp_path / "store.compacting").exists() and not (tmp_path / "store.replaced").exists()
    with open_store(location, read_only=True) as store:  # reopens as a current store
        assert len(every_quad(store)) == len(quads) + 20 * 2  # the new graph and its copy in the merge
        default = store.native.quads_for_pattern(None, None, None, ox.DefaultGraph())
        assert (str(EX["pledge/1000"]), str(EX.p0)) in {(q.subject.value, q.predicate.value) for q in default}


def test_ingest_compact_and_the_compact_command(run_cli):
    ingest = run_cli("ingest", "corpus/demo/en_coalition_paris.txt", "--no-progress", "--compact")
    assert ingest.returncode == 0, ingest.stderr
    result = run_cli("compact")
    assert result.returncode == 0, result.stderr
    assert "store compacted:" in result.stdout and "MiB ->" in result.stdout
    assert run_cli("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }").returncode == 0


# ---------------------------------------------------------------- a kill during compaction

KILLED_COMPACTION = """
import os, signal, sys
import graph.store.oxigraph as oxigraph
from graph.store import open_store

def stop(step):
    if step == sys.argv[2]:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no finally: as a kill -9 or a power cut

oxigraph._compaction_step = stop
with open_store(sys.argv[1]) as store:
    store.compact()
"""


@pytest.mark.parametrize("step", ["copied", "closed", "renamed", "moved", "swapped"])
def test_a_kill_during_compaction_leaves_the_store_openable_with_every_quad(tmp_path, step):
    location = tmp_path / "store"
    with open_store(location) as store:
        for start in range(0, 60, 10):
            store.replace_graphs({str(EX[f"article/{n}"]): article(n) for n in range(start, start + 10)})
        quads, graphs = every_quad(store), store.graph_names()
    own_files = sorted(p.name for p in location.iterdir() if p.name.startswith("aidgraph"))
    killed = subprocess.run([sys.executable, "-c", KILLED_COMPACTION, str(location), step],
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with open_store(location, read_only=True) as store:  # a reader first: it finds the store
        assert every_quad(store) == quads
    with open_store(location) as store:  # a writer: the leftovers are gone, the store writable
        assert every_quad(store) == quads and store.graph_names() == graphs
        assert store.read_model_path.exists()
        store.replace_graphs({str(EX["article/after"]): article(500)})
        store.compact()  # and compacts again
        assert len(every_quad(store)) == len(quads) + 40
    assert not (tmp_path / "store.compacting").exists() and not (tmp_path / "store.replaced").exists()
    assert not (location / COMPACTED_MARKER).exists()
    assert set(own_files) <= {p.name for p in location.iterdir()}


# ---------------------------------------------------------------- automatic compaction

def test_the_policy_compacts_after_enough_growth_since_the_last_compaction():
    policy = CompactionPolicy(percent=50, min_bytes=64 * 2**20)
    mib = 2**20
    assert policy.due(100 * mib, None)  # never compacted: all of it is growth
    assert not policy.due(40 * mib, None)  # too little to be worth a rewrite
    assert not policy.due(140 * mib, {"compacted_bytes": 100 * mib})  # +40 %
    assert not policy.due(160 * mib, {"compacted_bytes": 100 * mib})  # +60 %, but 60 MiB only
    assert policy.due(200 * mib, {"compacted_bytes": 100 * mib})  # +100 %, 100 MiB
    assert not policy.due(1000 * mib, {"compacted_bytes": 800 * mib})  # 200 MiB, but +25 %
    assert not CompactionPolicy(percent=None).due(10**12, None)


def test_the_auto_compact_setting(monkeypatch):
    for raw, expected in (("", 50.0), ("25", 25.0), ("30%", 30.0), ("off", None), ("0", None)):
        monkeypatch.setenv("AIDGRAPH_AUTO_COMPACT", raw)
        assert Settings.from_env().auto_compact_percent == expected
    monkeypatch.setenv("AIDGRAPH_AUTO_COMPACT", "lots")
    with pytest.raises(InputError):
        Settings.from_env()


def test_an_ingest_compacts_by_itself_past_the_threshold_and_stats_shows_it(run_cli, cli_store):
    low = {"AIDGRAPH_AUTO_COMPACT_MIN_MB": "0", "AIDGRAPH_AUTO_COMPACT": "10"}
    skipped = run_cli("ingest", "corpus/demo/en_coalition_paris.txt", "--no-progress", "--no-compact",
                      env=low)
    assert skipped.returncode == 0, skipped.stderr
    assert "compacted" not in skipped.stderr and read_compaction(cli_store) is None
    stats = json.loads(run_cli("stats", "--json", env=low).stdout)
    assert stats["compacted_bytes"] is None and "10 %" in stats["auto_compact"]
    grown = stats["disk_bytes"]
    ingest = run_cli("ingest", "corpus/demo/en_udcg_brussels_june.txt", "--no-progress", env=low)
    assert ingest.returncode == 0, ingest.stderr
    assert "store compacted automatically" in ingest.stderr
    last = read_compaction(cli_store)
    assert last["auto"] is True and last["compacted_bytes"] < last["before_bytes"]
    assert last["before_bytes"] > grown  # measured after the second article went in
    text = run_cli("stats").stdout
    assert "compacted" in text and last["compacted_at"] in text and "auto compact" in text
    # the default threshold (64 MiB) is far above a demo article's growth: no rewrite
    again = run_cli("ingest", "corpus/demo/en_coalition_paris.txt", "--no-progress", "--force")
    assert again.returncode == 0 and "compacted" not in again.stderr
    off = run_cli("stats", "--json", env={"AIDGRAPH_AUTO_COMPACT": "off"})
    assert json.loads(off.stdout)["auto_compact"] == "off"
