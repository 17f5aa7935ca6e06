"""The ingest pipeline end to end: read -> extract -> to_rdf -> SHACL gate -> store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import rdflib

from graph.model import Article, Evidence, Extraction, PledgeFact
from graph.pipeline import ArticleDoc, gate_stage, ingest_paths, rdf_stage, store_stage
from graph.vocab import article_iri, quarantine_graph_iri, quarantine_report_iri

pytest.importorskip("graph.extract", reason="the extractor has not landed yet")

ARTICLES = {
    # our own sentences, one article per file, with the metadata as a manifest
    "de-1.txt": ("en", "2025-04-11",
                 "Germany will deliver four more IRIS-T SLM air defence systems to Ukraine, "
                 "the German defence ministry said on Friday."),
    "se-1.txt": ("sv", "2025-03-20",
                 "Sverige skickar ytterligare artilleriammunition till Ukraina, meddelade "
                 "regeringen på torsdagen."),
    "no-facts.txt": ("en", "2025-01-05", "The weather in Brussels was mild and nobody said anything about "
                                         "anything at all."),
}
PLEDGE_DONORS = """
SELECT DISTINCT ?donor WHERE {
  GRAPH ?g { ?p a <https://w3id.org/aidgraph/ontology#Pledge> ; <https://schema.org/agent> ?d }
  ?d <http://www.w3.org/2004/02/skos/core#notation> ?donor .
}
"""


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    manifest = []
    for name, (lang, published, text) in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
        manifest.append({"file": name, "lang": lang, "published": published, "publisher": "Test Wire"})
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture
def store(store_factory):
    return store_factory("oxigraph")


def triple_count(store) -> int:
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))[0])


def test_ingest_stores_each_article_in_its_own_graph(corpus, store):
    summary = ingest_paths([corpus], store, progress=False, workers=0)
    assert summary.ok, summary.failures
    assert (summary.articles_read, summary.articles_stored) == (3, 3)
    assert summary.facts_stored > 0 and summary.triples_stored > 0
    names = set(store.graph_names())
    for stem in ("de-1", "se-1", "no-facts"):
        assert str(article_iri(stem)) in names
    german = store.get_graph(str(article_iri("de-1")))
    assert (article_iri("de-1"), rdflib.RDF.type, rdflib.URIRef("https://schema.org/NewsArticle")) in german


def test_ingest_extracts_pledges_with_their_donors(corpus, store):
    ingest_paths([corpus], store, progress=False, workers=0)
    donors = {str(row[0]) for row in store.query(PLEDGE_DONORS)}
    assert "DE" in donors


def test_reingest_replaces_instead_of_duplicating(corpus, store):
    ingest_paths([corpus], store, progress=False, workers=0)
    before, graphs = triple_count(store), store.graph_names()
    again = ingest_paths([corpus], store, progress=False, workers=0)
    assert again.ok
    assert triple_count(store) == before
    assert store.graph_names() == graphs


def test_malformed_input_leaves_the_store_intact(corpus, store, tmp_path):
    ingest_paths([corpus], store, progress=False, workers=0)
    before = triple_count(store)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02PNG")
    (bad / "latin1.txt").write_bytes("Malmö skickar hjälp".encode("latin-1"))
    with (bad / "huge.txt").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (bad / "lines.jsonl").write_text('{"text": ""}\n{oops\n', encoding="utf-8")
    summary = ingest_paths([bad], store, progress=False, workers=0)
    assert summary.articles_stored == 0
    assert len(summary.failures) == 6
    assert all(f.reason for f in summary.failures)
    assert triple_count(store) == before


def test_a_bad_file_does_not_stop_the_batch(corpus, store):
    (corpus / "0-binary.txt").write_bytes(b"\x00\x00\x00")
    summary = ingest_paths([corpus], store, progress=False, workers=0)
    assert summary.articles_stored == 3
    assert [Path(f.source).name for f in summary.failures] == ["0-binary.txt"]


def _doc(quantity: int) -> ArticleDoc:
    text = "Germany pledged IRIS-T systems to Ukraine on Friday."
    evidence = Evidence(text, 0, len(text), "test.pledge")
    article = Article(id="gate-1", text=text, lang="en", published=date(2025, 4, 11))
    pledges = [PledgeFact(donor="DE", category="air_defence", quantity=quantity, date="2025-04-11",
                          evidence=evidence),
               PledgeFact(donor="SE", category="artillery", quantity=2, date="2025-04-11", evidence=evidence)]
    doc = ArticleDoc(article, extraction=Extraction(article=article, pledges=pledges))
    return gate_stage(rdf_stage(doc))


def test_quarantine_graphs_are_written_and_cleared(store):
    quarantine, report = str(quarantine_graph_iri("gate-1")), str(quarantine_report_iri("gate-1"))
    store_stage(_doc(quantity=-3), store)
    assert {quarantine, report} <= set(store.graph_names())
    assert len(store.get_graph(quarantine)) > 0
    assert (None, rdflib.URIRef("http://www.w3.org/ns/shacl#focusNode"), None) in store.get_graph(report)
    store_stage(_doc(quantity=3), store)
    assert not {quarantine, report} & set(store.graph_names())
    assert str(article_iri("gate-1")) in store.graph_names()


def _contents(store) -> dict:
    return {name: set(store.get_graph(name)) for name in store.graph_names()}


def test_worker_processes_store_the_same_graphs(corpus, store_factory):
    alone, parallel = store_factory("oxigraph"), store_factory("oxigraph")
    one = ingest_paths([corpus], alone, progress=False, workers=0)
    two = ingest_paths([corpus], parallel, progress=False, workers=2, batch_size=1)
    assert one.ok and two.ok, (one.failures, two.failures)
    assert (two.workers, two.articles_stored, two.facts_stored) == (2, 3, one.facts_stored)
    assert _contents(parallel) == _contents(alone)


def test_small_batches_give_the_same_store_as_one_batch(corpus, store_factory):
    big, small = store_factory("memory"), store_factory("memory")
    ingest_paths([corpus], big, progress=False, workers=0, batch_size=32)
    ingest_paths([corpus], small, progress=False, workers=0, batch_size=1)
    assert _contents(small) == _contents(big)
