"""End to end: an article holding C0 control characters (a form feed between pages, a stray bell) is
ingested from a file and through POST /articles; SPARQL XML results and RDF/XML of its evidence must
be well-formed (lxml), and the evidence sentence runs on across the page break (a space now)."""

from __future__ import annotations

import io

import pytest
from lxml import etree

from api.settings import ApiSettings
from graph.pipeline import ingest_paths
from graph.store import open_store

TOKEN = "controls-token"
# written for this test (not from any corpus); \f is a page break, \a a stray control character
FILE_TEXT = ("Germany will send Ukraine four IRIS-T SLM air defence systems,\fDefence Minister Boris "
             "Pistorius said on 3 March 2025 in Berlin.\a\n")
POSTED_TEXT = ("Norway will donate two NASAMS air defence systems to Ukraine,\f\vthe Norwegian government "
               "said on 5 May 2025.\x1b")
EVIDENCE = """PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
SELECT ?text WHERE { ?claim nif:anchorOf ?text }"""
EVIDENCE_GRAPH = """PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
CONSTRUCT { ?claim nif:anchorOf ?text } WHERE { ?claim nif:anchorOf ?text }"""


@pytest.fixture(scope="module")
def controls_client(tmp_path_factory, live_server_class):
    folder = tmp_path_factory.mktemp("controls")
    article = folder / "en_controls_page_break.txt"
    article.write_text(FILE_TEXT, encoding="utf-8")
    with open_store(folder / "store") as store:
        summary = ingest_paths([article], store, progress=False, lang="en", published="2025-03-03")
    assert summary.articles_stored == 1 and not summary.failures
    with live_server_class(ApiSettings(store=str(folder / "store"), token=TOKEN)) as live, \
            live.client() as http:
        posted = http.post("/articles", headers={"Authorization": f"Bearer {TOKEN}"},
                           json={"id": "posted-controls", "text": POSTED_TEXT, "lang": "en",
                                 "published": "2025-05-05"})
        assert posted.status_code == 201, posted.text
        yield http


def _texts(document: etree._ElementTree) -> list[str]:
    return [text for text in document.getroot().itertext() if text.strip()]


def test_sparql_xml_results_parse(controls_client):
    response = controls_client.get("/sparql", params={"query": EVIDENCE},
                                   headers={"Accept": "application/sparql-results+xml"})
    assert response.status_code == 200
    texts = _texts(etree.parse(io.BytesIO(response.content)))  # raises when not well-formed
    assert any("IRIS-T" in text for text in texts) and any("NASAMS" in text for text in texts)
    assert not any(char in text for text in texts for char in "\f\v\a\x1b\ufffd")
    assert any("systems, Defence Minister" in text for text in texts), texts


def test_rdf_xml_of_the_evidence_parses(controls_client):
    response = controls_client.get("/sparql", params={"query": EVIDENCE_GRAPH},
                                   headers={"Accept": "application/rdf+xml"})
    assert response.status_code == 200
    texts = _texts(etree.parse(io.BytesIO(response.content)))
    assert any("NASAMS" in text for text in texts)
    assert not any("\ufffd" in text for text in texts)

