"""`OxigraphStore.compact` / `aidgraph compact`: the store rewritten compressed keeps every quad."""

from __future__ import annotations

import sqlite3

import pyoxigraph as ox
import rdflib
from rdflib import Literal

from graph.store import open_store

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
