"""REST lookups against a real server over the known test store (tests/api/data/store.trig)."""

from __future__ import annotations

import csv
import io

import pytest


def donors(response) -> list[str]:
    return sorted(item["donor"] for item in response.json()["items"])


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["DE", "GB", "NL", "NO"]),
    ({"category": "air_defence"}, ["DE", "NL", "NO"]),      # manpads is narrower than air_defence
    ({"category": "manpads"}, ["NL"]),
    ({"category": "drones"}, ["GB"]),
    ({"donor": "DE"}, ["DE"]),
    ({"donor": "de"}, ["DE"]),
    ({"recipient": "UA", "status": "delivered"}, ["NO"]),
    ({"item": "iris-t-slm"}, ["DE", "NO"]),
    ({"item": "stinger"}, ["NL"]),                           # text in a free item label (any language)
    ({"meeting": "UDCG-2025-04-11"}, ["DE"]),
    ({"date_from": "2025-05-01"}, ["NL", "NO"]),            # NL is dated "2025": it overlaps
    ({"date_to": "2025-04-30"}, ["DE", "GB", "NL"]),
    ({"date_from": "2025-04", "date_to": "2025-04"}, ["DE", "GB", "NL"]),
    ({"donor": "FR"}, []),
    ({"date_from": "2025-06", "date_to": "2024-12"}, []),  # a reversed range is empty
    ({"date_from": "2025-06", "date_to": "2025-01"}, ["NL"]),  # ... but "2025" overlaps it
])
def test_pledge_filters(client, params, expected):
    response = client.get("/pledges", params=params)
    assert response.status_code == 200, response.text
    assert donors(response) == expected


def test_pledge_record_fields_and_sources(client):
    items = client.get("/pledges", params={"donor": "GB"}).json()["items"]
    assert len(items) == 1
    pledge = items[0]
    assert {k: pledge[k] for k in ("donor", "recipient", "item", "category", "quantity", "amount", "currency",
                                   "status", "date", "meeting")} == {
        "donor": "GB", "recipient": "UA", "item": "attack drones", "category": "drones", "quantity": 100,
        "amount": 450000000, "currency": "GBP", "status": "pledged", "date": "2025-04", "meeting": None}
    assert pledge["sources"][0]["article"] == "a1"
    assert "one hundred attack drones" in pledge["sources"][0]["evidence"]


def test_one_pledge_from_two_articles_keeps_both_sources_and_the_conflict(client):
    pledge = client.get("/pledges", params={"donor": "DE"}).json()["items"][0]
    assert sorted(source["article"] for source in pledge["sources"]) == ["a1", "a2"]
    assert sorted(pledge["conflicting_values"]["quantity"]) == [2, 4]


def test_pledges_newest_first_and_paged(client):
    first = client.get("/pledges", params={"limit": 2})
    body = first.json()
    assert [item["date"] for item in body["items"]] == ["2025-06-04", "2025-04-11"]
    assert body["next"] and 'rel="next"' in first.headers["link"]
    rest = client.get("/pledges", params={"limit": 2, "offset": 2}).json()["items"]
    assert len(rest) == 2
    assert not {i["id"] for i in rest} & {i["id"] for i in body["items"]}


@pytest.mark.parametrize("how", [{"params": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}])
def test_pledges_as_csv(client, how):
    response = client.get("/pledges", params={"category": "air_defence", **how.get("params", {})},
                          headers=how.get("headers"))
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(row["donor"] for row in rows) == ["DE", "NL", "NO"]
    assert {row["articles"] for row in rows if row["donor"] == "DE"} == {"a1 | a2"}


@pytest.mark.parametrize("params", [
    {"limit": 10**9}, {"limit": 0}, {"offset": -1}, {"status": "stolen"}, {"date_from": "2025-13-01"},
    {"date_from": "yesterday"}, {"donor": 'DE" } ; DROP ALL ; #'}, {"category": "Air Defence"},
    {"meeting": "<http://evil>"}, {"format": "xml"}, {"date_from": "2025-02-30"},
])
def test_hostile_or_bad_parameters_are_refused(client, params):
    response = client.get("/pledges", params=params)
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"


def test_injection_in_free_text_is_just_a_value(client):
    hostile = 'x")) } OPTIONAL { ?s ?p ?o } FILTER(("1"="1'
    response = client.get("/pledges", params={"item": hostile})
    assert response.status_code == 200 and response.json()["items"] == []
    search = client.get("/search", params={"q": hostile[:60]})
    assert search.status_code == 200 and search.json()["items"] == []


def test_meetings(client):
    items = client.get("/meetings").json()["items"]
    assert [m["id"] for m in items] == ["UDCG-2025-06-04", "UDCG-2025-04-11"]
    brussels = items[1]
    assert brussels["place"] == "Brussels" and brussels["countries"] == 50 and brussels["format"] == "UDCG"
    assert [m["id"] for m in client.get("/meetings", params={"format": "NATO"}).json()["items"]] == []


def test_meeting_detail(client):
    meeting = client.get("/meetings/UDCG-2025-04-11").json()
    assert meeting["chairs"] == ["DE", "GB"]
    assert [a["name"] for a in meeting["attendees_in_person"]] == ["Boris Pistorius"]
    assert [a["name"] for a in meeting["attendees_remote"]] == ["Pete Hegseth"]
    assert [p["donor"] for p in meeting["pledges"]] == ["DE"]
    assert client.get("/meetings/UDCG-1999-01-01").status_code == 404


def test_actor_person(client):
    person = client.get("/actors/boris-pistorius").json()
    assert person["name"] == "Boris Pistorius" and "Person" in person["types"]
    assert {"post": "defence_minister-DE", "role": "defence_minister", "country": "DE", "start": None,
            "end": None} in person["posts"]
    modes = {(m["id"], m["mode"]) for m in person["meetings"]}
    assert modes == {("UDCG-2025-04-11", "in person"), ("UDCG-2025-06-04", "remote")}


def test_actor_country(client):
    country = client.get("/actors/DE").json()
    assert country["name"] == "Germany"
    assert {"lang": "de", "label": "Deutschland"} in country["labels"]
    assert [p["item"] for p in country["pledges"]] == ["IRIS-T SLM"]
    assert ("UDCG-2025-04-11", "chair") in {(m["id"], m["mode"]) for m in country["meetings"]}
    assert "boris-pistorius" in {p["id"] for p in country["people"]}
    assert client.get("/actors/nobody-at-all").status_code == 404


def test_actor_list(client):
    people = client.get("/actors", params={"type": "person", "limit": 2}).json()["items"]
    assert [p["id"] for p in people] == ["boris-pistorius", "pete-hegseth"]
    assert client.get("/actors", params={"type": "robot"}).status_code == 422


def test_equipment(client):
    listed = client.get("/equipment", params={"category": "air_defence"}).json()["items"]
    assert listed[0]["id"] == "iris-t-slm" and listed[0]["donors"] == 2
    detail = client.get("/equipment/iris-t-slm").json()
    assert detail["category"] == ["air_defence"] and detail["donors"] == ["DE", "NO"]
    assert [row["donor"] for row in detail["quantities_over_time"]] == ["DE", "NO"]
    assert client.get("/equipment/no-such-thing").status_code == 404


def test_article_with_facts(client):
    article = client.get("/articles/a1").json()
    assert article["metadata"]["headline"] == "Allies meet in Brussels"
    assert article["fact_counts"] == {"Pledge": 2, "Meeting": 1, "Person": 2}
    assert article["validation"]["conforms"] is True


def test_article_with_quarantined_facts(client):
    article = client.get("/articles/a3").json()
    assert article["validation"]["conforms"] is False
    [result] = article["validation"]["results"]
    assert result["severity"] == "Violation" and result["message"] == "quantity must be positive"
    assert article["validation"]["quarantined_triples"] == 2
    assert client.get("/articles/zzz").status_code == 404


@pytest.mark.parametrize(("text", "expected"), [
    ("Luftverteidigung", "air_defence"),   # German label of a category
    ("Tyskland", "DE"),                    # Swedish / Norwegian / Danish label of a country
    ("iris-t", "iris-t-slm"),              # alternative label of a system
    ("pistorius", "boris-pistorius"),
])
def test_search_across_languages(client, text, expected):
    response = client.get("/search", params={"q": text})
    assert response.status_code == 200
    assert expected in [item["id"] for item in response.json()["items"]]


def test_search_needs_a_query(client):
    assert client.get("/search").status_code == 422
    assert client.get("/search", params={"q": "x"}).status_code == 422


def test_stats_and_health(client):
    stats = client.get("/stats").json()
    assert stats["pledges"] == 4 and stats["meetings"] == 2 and stats["claims"] == 5
    assert stats["article_graphs"] == 3 and stats["quarantine_graphs"] == 1
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["native_engine"] is True


def test_post_article_needs_token(client):
    assert client.post("/articles", json={"text": "Some text."}).status_code == 403


def test_post_article_validates_its_body(client, auth):
    assert client.post("/articles", json={"lang": "en"}, headers=auth).status_code == 422
    assert client.post("/articles", json={"text": "x", "published": "soon"}, headers=auth).status_code == 422


def test_post_article_too_large_is_413(client, server, auth):
    text = "word " * (server.settings.article_max_bytes // 5 + 10)
    assert client.post("/articles", json={"text": text}, headers=auth).status_code == 413


def test_openapi_documents_the_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/sparql", "/pledges", "/meetings/{meeting_id}", "/actors/{actor_id}",
                 "/equipment/{equipment_id}",
                 "/articles/{article_id}", "/articles", "/search", "/stats", "/health"):
        assert path in paths
    assert client.get("/docs").status_code == 200


def test_kept_view_answers_are_dropped_by_a_write(store_builder, live_server_class, auth, tmp_path):
    """/actors/{id}, /equipment/{id} and /meetings keep their SPARQL answers per store version: a
    repeat is the same answer, and an update through the server is seen by the next request."""
    from api.settings import ApiSettings

    store = store_builder(tmp_path / "store")
    settings = ApiSettings(store=str(store), token=auth["Authorization"].removeprefix("Bearer "),
                           query_timeout=20)
    with live_server_class(settings) as live, live.client() as http:
        first = http.get("/actors/DE").json()
        assert http.get("/actors/DE").json() == first
        assert "Testland" not in [label["label"] for label in first["labels"]]
        meetings = http.get("/meetings").json()
        assert http.get("/meetings").json() == meetings
        # into the default graph, which the lookups read
        update = ("INSERT DATA { <https://w3id.org/aidgraph/id/country/DE> "
                  "<http://www.w3.org/2004/02/skos/core#prefLabel> \"Testland\"@xx }")
        response = http.post("/sparql", content=update,
                             headers={"Content-Type": "application/sparql-update"} | auth)
        assert response.status_code == 204
        assert "Testland" in [label["label"] for label in http.get("/actors/DE").json()["labels"]]
