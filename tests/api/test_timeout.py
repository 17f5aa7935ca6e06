"""A runaway query is really stopped (its worker process is killed) while other requests are answered."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from api.settings import ApiSettings

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = "ASK { ?s a <https://w3id.org/aidgraph/ontology#Meeting> }"
TIMEOUT = 2.0


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory, store_builder, live_server_class):
    store = store_builder(tmp_path_factory.mktemp("timeout-store") / "store")
    # every test client is 127.0.0.1: a share of both workers lets its cheap query run beside the heavy
    # one (the share per client is tested in test_query_share.py)
    with live_server_class(ApiSettings(store=str(store), query_timeout=TIMEOUT, result_cap=100,
                                       query_worker_share=2)) as live:
        yield live


def test_runaway_query_is_stopped_and_others_are_served(slow_server):
    outcome: dict[str, object] = {}

    def heavy() -> None:
        started = time.monotonic()
        with httpx.Client(base_url=slow_server.url, timeout=60) as http:
            response = http.get("/sparql", params={"query": HEAVY})
        outcome["heavy"] = (response, time.monotonic() - started)

    thread = threading.Thread(target=heavy)
    thread.start()
    time.sleep(0.5)  # the heavy query is running now
    with httpx.Client(base_url=slow_server.url, timeout=60) as http:
        started = time.monotonic()
        cheap = http.get("/sparql", params={"query": CHEAP})
        cheap_seconds = time.monotonic() - started
        assert cheap.status_code == 200 and cheap.json()["boolean"] is True
        assert cheap_seconds < TIMEOUT, "the cheap query waited for the heavy one"
        thread.join(60)
        response, seconds = outcome["heavy"]
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "stopped" in response.json()["detail"]
        assert TIMEOUT <= seconds < TIMEOUT + 10
        # the query worker was replaced, the store worker untouched: the server still answers, from the
        # same store
        health = http.get("/health").json()
        assert health["status"] == "ok" and health["query_worker_restarts"] >= 1
        assert health["worker_restarts"] == 0
        after = http.get("/pledges", params={"category": "air_defence"})
        assert after.status_code == 200 and after.json()["count"] == 3
