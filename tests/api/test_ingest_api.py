"""POST /articles runs the real pipeline (extract, to_rdf, SHACL gate, store) inside the store worker."""

from __future__ import annotations

import pytest

from api.settings import ApiSettings

TOKEN = "ingest-token"
# written for this test (not from any corpus)
TEXT = ("Germany will send Ukraine four IRIS-T SLM air defence systems, Defence Minister Boris Pistorius "
        "said on 3 March 2025 in Berlin.")
ARTICLE = {"id": "posted-1", "text": TEXT, "lang": "en", "published": "2025-03-03", "publisher": "Test Wire"}


@pytest.fixture(scope="module")
def ingest_client(tmp_path_factory, store_builder, live_server_class):
    store = store_builder(tmp_path_factory.mktemp("ingest-store") / "store")
    with live_server_class(ApiSettings(store=str(store), token=TOKEN)) as live, live.client() as http:
        yield http


def test_post_article_stores_its_facts(ingest_client):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = ingest_client.post("/articles", headers=auth, json=ARTICLE)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["ingest"]["facts_accepted"] >= 1 and body["fact_counts"].get("Pledge", 0) >= 1
    pledges = ingest_client.get("/pledges", params={"donor": "DE", "item": "iris-t-slm"}).json()["items"]
    articles = {source["article"] for pledge in pledges for source in pledge["sources"]}
    assert "posted-1" in articles
    assert ingest_client.get("/articles/posted-1").status_code == 200


def test_reingesting_replaces_the_article_graph(ingest_client):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    first = ingest_client.get("/stats").json()["triples"]
    again = ingest_client.post("/articles", headers=auth, json=ARTICLE)
    assert again.status_code == 201
    assert ingest_client.get("/stats").json()["triples"] == first
