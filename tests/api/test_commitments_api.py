"""GET /commitments and /commitments/{id} on a real uvicorn server over a real on-disk store holding
the multi-article fixtures of tests/data/commitments (ingested, commitments recomputed)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from api.settings import ApiSettings
from graph.pipeline import ingest_paths
from graph.store import open_store

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "commitments"


@pytest.fixture(scope="module")
def http(tmp_path_factory, live_server_class):
    location = tmp_path_factory.mktemp("commitments-api") / "store"
    with open_store(location) as store:
        ingest_paths([FIXTURES], store, progress=False, workers=0)
    with live_server_class(ApiSettings(store=str(location), token="t" * 16, query_timeout=20)) as live, \
            live.client() as client:
        yield client


def iris_commitment(http) -> dict:
    params = {"donor": "DE", "item": "iris-t-slm", "contradicted": "true"}
    items = http.get("/commitments", params=params).json()
    assert items["count"] == 1, items
    return items["items"][0]


def test_the_list_filters_by_donor_item_and_contradiction(http):
    found = iris_commitment(http)
    assert found["stage"] == "delivered" and found["contradictions"] == ["quantity"]
    assert found["quantity"] is None and found["delivered_quantity"] == 3
    assert found["independent_sources"] == found["claims"] - 1  # the wire copy counts once


def test_the_list_filters_by_stage_instrument_and_category(http):
    delivered = http.get("/commitments", params={"stage": "delivered"}).json()["items"]
    assert {c["item"] for c in delivered} == {"IRIS-T SLM"}
    danish = http.get("/commitments", params={"instrument": "danish_model"}).json()["items"]
    assert [(c["donor"], c["item_iri"].rsplit("/", 1)[-1]) for c in danish] == [("DK", "bohdana")]
    air = http.get("/commitments", params={"category": "air_defence", "donor": "NO"}).json()["items"]
    assert {c["item_iri"].rsplit("/", 1)[-1] for c in air} == {"nasams"}
    assert http.get("/commitments", params={"stage": "shipped"}).status_code == 422


def test_one_commitment_has_its_sources_stages_and_contradicting_values(http):
    key = iris_commitment(http)["id"]
    detail = http.get(f"/commitments/{key}")
    assert detail.status_code == 200
    body = detail.json()
    articles = {s["article"] for s in body["sources"]}
    assert {"a1_en_iris_pledge", "a3_de_iris_pledge", "a4_sv_iris_pledge", "a8_en_iris_delivered"} <= articles
    copies = {s["article"]: s["near_duplicate_of"] for s in body["sources"] if s["near_duplicate_of"]}
    assert copies == {"a2_en_iris_wire": "a1_en_iris_pledge"}
    assert [s["stage"] for s in body["stages"]] == ["committed", "delivered"]
    assert body["stages"][1]["quantities"] == [3]
    quantities = {v["value"]: v["articles"] for v in body["contradicting_values"]["quantity"]}
    assert quantities[5] == ["a5_en_iris_contradiction"] and "a1_en_iris_pledge" in quantities[3]


def test_unknown_and_malformed_ids(http):
    assert http.get("/commitments/0000000000000000").status_code == 404
    assert http.get("/commitments/not-an-id").status_code == 422


def test_csv_has_the_rows_of_the_json(http):
    response = http.get("/commitments", params={"donor": "DE", "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    json_rows = http.get("/commitments", params={"donor": "DE"}).json()["items"]
    assert [r["id"] for r in rows] == [c["id"] for c in json_rows] and len(rows) >= 3


def saved(http, name: str) -> list[dict[str, str]]:
    from api.saved_queries import saved_queries

    response = http.post("/sparql", data={"query": saved_queries()[name].sparql},
                         headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    bindings = response.json()["results"]["bindings"]
    return [{k: v["value"].rsplit("/", 1)[-1] for k, v in b.items()} for b in bindings]


def test_saved_query_committed_but_not_delivered(http):
    rows = saved(http, "commitments_not_delivered")
    waiting = {(r["donor"], r.get("item")) for r in rows}
    assert ("NO", "nasams") in waiting and ("DE", "iris-t-slm") in waiting  # the "two more" of May 2026
    assert all(int(r["monthsSince"]) >= 6 for r in rows)
    delivered = iris_commitment(http)["iri"].rsplit("/", 1)[-1]
    assert delivered not in {r["commitment"] for r in rows}


def test_saved_query_delivery_lag_per_donor_and_system(http):
    rows = saved(http, "delivery_lag_per_donor_system")
    assert [(r["donor"], r["system"], r["commitments"]) for r in rows] == [("DE", "iris-t-slm", "1")]
    assert int(float(rows[0]["meanDays"])) == iris_commitment(http)["delivery_lag_days"]


def test_reconcile_answers_the_kiel_table_as_json_and_csv(http):
    body = http.get("/reconcile").json()
    assert (body["release"], body["cutoff"]) == ("29", "2026-04")
    germany = next(r for r in body["rows"] if r["donor"] == "DE" and r["category"] == "Air Defense")
    assert germany["coverage"] == 1.0
    assert set(germany["systems_in_graph"]) == {"iris-t-slm", "patriot", "gepard"}
    response = http.get("/reconcile", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["donor"], r["category"]) for r in rows] == [(r["donor"], r["category"]) for r in body["rows"]]


def test_reconcile_by_month_answers_kiel_military_totals_next_to_the_graph(http):
    body = http.get("/reconcile", params={"by": "month"}).json()
    assert (body["release"], body["by"]) == ("29", "month")
    germany = {r["month"]: r for r in body["rows"] if r["donor"] == "DE"}
    assert germany["2026-03"]["kiel_military_eur"] == 200_000_000
    assert germany["2026-03"]["graph_commitments"] >= 1
    assert all(r["month"] <= body["cutoff"] for r in body["rows"])
    response = http.get("/reconcile", params={"by": "month", "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["donor"], r["month"]) for r in rows] == [(r["donor"], r["month"]) for r in body["rows"]]
    assert http.get("/reconcile", params={"by": "week"}).status_code == 422


def test_an_article_posted_to_the_api_joins_its_commitment(http):
    before = iris_commitment(http)
    text = ("Berlin confirmed on Wednesday what it had announced the day before. Germany pledged three "
            "IRIS-T SLM air defence systems to Ukraine, a ministry spokeswoman said in Berlin.")
    response = http.post("/articles", headers={"Authorization": "Bearer " + "t" * 16},
                         json={"id": "posted-iris", "text": text, "lang": "en", "published": "2026-02-11"})
    assert response.status_code == 201, response.text
    after = http.get(f"/commitments/{before['id']}").json()
    assert "posted-iris" in {s["article"] for s in after["sources"]}
    assert after["independent_sources"] == before["independent_sources"] + 1
