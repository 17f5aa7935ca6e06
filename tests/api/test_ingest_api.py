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


# written for this test: every dated fact lies before the 2014 floor of the shapes
OLD_ARTICLE = {"id": "posted-old", "lang": "en", "published": "2010-05-01", "publisher": "Test Wire",
               "text": "Germany will send Ukraine four IRIS-T SLM air defence systems, the government in "
                       "Berlin said on 3 March 2010."}
NO_FACTS = {"id": "posted-weather", "lang": "en", "published": "2025-05-01",
            "text": "The weather in the capital stayed mild and sunny all week, with light winds "
                    "from the west."}


def test_article_whose_every_fact_fails_shacl_is_422_with_the_report(ingest_client):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = ingest_client.post("/articles", headers=auth, json=OLD_ARTICLE)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/nothing-valid") and problem["hint"]
    validation = problem["validation"]
    assert validation["conforms"] is False and validation["quarantined_triples"] > 0
    violations = {(result["path"], result["value"]) for result in validation["results"]
                  if result["severity"] == "Violation"}
    assert ("http://purl.org/dc/terms/date", "2010-03-03") in violations  # the pledge's date, before 2014
    assert all("2014" in result["message"] for result in validation["results"])
    # each result names its SHACL constraint; blank-node shape ids (meaningless outside) are left out
    assert all(result["constraint"].startswith("sh:") and result["shape"] is None
               for result in validation["results"])
    # the report stays readable, and nothing of the article reached the REST lookups
    assert ingest_client.get("/articles/posted-old").json()["validation"] == validation
    pledges = ingest_client.get("/pledges", params={"donor": "DE"}).json()["items"]
    assert "posted-old" not in {source["article"] for pledge in pledges for source in pledge["sources"]}


def test_article_without_any_fact_is_422_and_not_stored(ingest_client):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = ingest_client.get("/stats").json()["triples"]
    response = ingest_client.post("/articles", headers=auth, json=NO_FACTS)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/no-facts") and "nothing was stored" in problem["detail"]
    assert "'lang' (en)" in problem["hint"]
    assert problem["ingest"]["facts_accepted"] == 0 and problem["ingest"]["stored"] is False
    assert ingest_client.get("/articles/posted-weather").status_code == 404
    assert ingest_client.get("/stats").json()["triples"] == before
