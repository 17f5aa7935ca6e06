"""The query lane (api/query_pool.py): client SPARQL runs in query workers over read-only replicas of the
store, sees every write answered before it, and leaves no replica behind; the memory backend runs its
queries in the store worker behind the same admission."""

from __future__ import annotations

import httpx
import pytest

from api.query_pool import replica_root
from api.settings import ApiSettings

TOKEN = "lane-token-0042"
COUNT_X = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:lane:g> { ?s ?p ?o } }"


def count_x(http: httpx.Client) -> int:
    response = http.get("/sparql", params={"query": COUNT_X},
                        headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def insert(http: httpx.Client, index: int) -> None:
    update = f"INSERT DATA {{ GRAPH <urn:lane:g> {{ <urn:s{index}> <urn:p> {index} }} }}"
    response = http.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update",
                                                             "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204, response.text


def test_queries_see_every_write_answered_before_them(tmp_path, store_builder, live_server_class):
    store = store_builder(tmp_path / "store")
    settings = ApiSettings(store=str(store), token=TOKEN, query_timeout=10, query_workers=2)
    with live_server_class(settings) as live, live.client() as http:
        assert http.get("/health").json()["query_workers"] == 2
        assert count_x(http) == 0
        for index in range(1, 6):  # write, then read at once: each read is served from a new replica
            insert(http, index)
            assert count_x(http) == index
        replicas = list(replica_root(store).iterdir())
        assert 1 <= len(replicas) <= 2, replicas  # the ones no call reads are gone
    assert not replica_root(store).exists()  # and all of them when the server stops


@pytest.mark.parametrize("settings", [
    pytest.param({"backend": "memory", "store": None}, id="memory backend"),
    pytest.param({"query_workers": 0}, id="no query workers"),
])
def test_without_query_workers_queries_run_in_the_store_worker(tmp_path, store_builder, live_server_class,
                                                              settings):
    store = store_builder(tmp_path / "store") if "store" not in settings else None
    options = {"store": str(store) if store else None, "token": TOKEN, "query_timeout": 10} | settings
    with live_server_class(ApiSettings(**options)) as live, live.client() as http:
        assert http.get("/health").json()["query_workers"] == 0
        insert(http, 1)
        assert count_x(http) == 1


def test_saved_query_answers_are_kept_until_the_store_is_written(tmp_path, store_builder, live_server_class):
    store = store_builder(tmp_path / "store")
    with live_server_class(ApiSettings(store=str(store), token=TOKEN, query_timeout=10)) as live, \
            live.client() as http:
        accept = {"Accept": "text/csv"}
        first = http.get("/queries/air_defence_pledges", headers=accept)
        again = http.get("/queries/air_defence_pledges", headers=accept)
        assert first.status_code == again.status_code == 200
        assert "x-cache" not in first.headers and again.headers["x-cache"] == "hit"
        assert again.content == first.content
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.headers["x-result-count"] == first.headers["x-result-count"]
        as_json = http.get("/queries/air_defence_pledges",
                           headers={"Accept": "application/sparql-results+json"})
        assert "x-cache" not in as_json.headers  # another format is another answer
        insert(http, 1)
        after_write = http.get("/queries/air_defence_pledges", headers=accept)
        assert "x-cache" not in after_write.headers and after_write.content == first.content
