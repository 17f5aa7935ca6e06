"""Resumable ingest: a rerun skips the articles stored unchanged (content hash and aidgraph fingerprint in
the article graph), re-ingests what changed, and --force re-ingests everything (issue 10.4)."""

from __future__ import annotations

import json

import pytest

from graph.pipeline import content_hash, ingest_paths, pipeline_fingerprint
from graph.vocab import article_iri

# our own sentences (not from any corpus)
TEXTS = {
    "a.txt": "Germany will send Ukraine four IRIS-T SLM air defence systems, the ministry said on 3 March.",
    "b.txt": "Sweden will send Ukraine ten Archer howitzers, the government said on 5 May 2025.",
    "c.txt": "Norway will send Ukraine two NASAMS launchers, the government said on 6 June 2025.",
}


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps(
        [{"file": name, "lang": "en", "published": "2025-06-07"} for name in TEXTS]), encoding="utf-8")
    return folder


def contents(store) -> dict:
    return {name: set(store.get_graph(name)) for name in store.graph_names()}


def test_the_article_graph_records_hash_source_and_version(corpus, store_factory):
    store = store_factory("oxigraph")
    ingest_paths([corpus], store, progress=False, workers=0)
    graph = store.get_graph(str(article_iri("a")))
    values = {str(p).rsplit("/", 1)[-1]: str(o) for _, p, o in graph}
    assert len(values["sha256"]) == 64
    assert values["source"] == (corpus / "a.txt").resolve().as_uri()
    assert values["softwareVersion"] == pipeline_fingerprint()


def test_a_rerun_skips_unchanged_articles_and_redoes_changed_ones(corpus, store_factory):
    store = store_factory("oxigraph")
    first = ingest_paths([corpus], store, progress=False, workers=0)
    assert first.articles_stored == 3
    before = contents(store)
    again = ingest_paths([corpus], store, progress=False, workers=0)
    assert (again.articles_read, again.articles_stored, again.articles_unchanged) == (3, 0, 3)
    assert contents(store) == before
    (corpus / "b.txt").write_text(TEXTS["b.txt"].replace("ten", "twelve"), encoding="utf-8")
    changed = ingest_paths([corpus], store, progress=False, workers=0)
    assert (changed.articles_stored, changed.articles_unchanged) == (1, 2)
    forced = ingest_paths([corpus], store, progress=False, workers=0, force=True)
    assert (forced.articles_stored, forced.articles_unchanged) == (3, 0)


def test_metadata_changes_count_as_changes(corpus, store_factory):
    store = store_factory("memory")
    ingest_paths([corpus], store, progress=False, workers=0)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    manifest[0]["published"] = "2025-06-08"
    (corpus / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rerun = ingest_paths([corpus], store, progress=False, workers=0)
    assert (rerun.articles_stored, rerun.articles_unchanged) == (1, 2)


def test_articles_stored_by_another_aidgraph_are_redone(corpus, store_factory):
    store = store_factory("oxigraph")
    ingest_paths([corpus], store, progress=False, workers=0)
    store.update('DELETE { GRAPH ?g { ?run <https://schema.org/softwareVersion> ?v } } '
                 'INSERT { GRAPH ?g { ?run <https://schema.org/softwareVersion> "0000000000000000" } } '
                 'WHERE { GRAPH ?g { ?run <https://schema.org/softwareVersion> ?v } }')
    rerun = ingest_paths([corpus], store, progress=False, workers=0)
    assert (rerun.articles_stored, rerun.articles_unchanged) == (3, 0)


def test_an_interrupted_run_resumes_with_the_same_store_as_a_clean_run(corpus, store_factory):
    """Half the corpus stored (as a crash would leave it), then a full rerun: same graphs as one clean run."""
    clean, resumed = store_factory("oxigraph"), store_factory("oxigraph")
    ingest_paths([corpus], clean, progress=False, workers=0)
    ingest_paths([corpus / "a.txt", corpus / "b.txt"], resumed, progress=False, workers=0)
    rerun = ingest_paths([corpus], resumed, progress=False, workers=0)
    assert (rerun.articles_stored, rerun.articles_unchanged) == (1, 2)
    assert contents(resumed) == contents(clean)


def test_content_hash_ignores_where_the_article_was_read(corpus):
    from graph.ingest import read_articles

    (article,) = [a for a in read_articles([corpus]) if a.id == "a"]
    from dataclasses import replace

    assert content_hash(article) == content_hash(replace(article, source="elsewhere", location=None))
    assert content_hash(article) != content_hash(replace(article, title="another title"))
