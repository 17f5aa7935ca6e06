"""The share of the query workers per client address (api/query_pool.py, issue 10.1): one client that
keeps every query slot it may have busy with slow queries cannot take every worker, and the queries of
other clients, sent meanwhile from other addresses, are answered at once.

The clients are real: httpx connections from 127.0.0.2, 127.0.0.3 and 127.0.0.4 (Linux routes all of
127.0.0.0/8 to the loopback device) to a real server, so the server tells them apart by address as it
would tell remote clients apart.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api.settings import ApiSettings

pytestmark = pytest.mark.slow

TIMEOUT = 4.0
HOG, OTHERS = "127.0.0.2", ("127.0.0.3", "127.0.0.4")
#: a five-way cartesian product of the store: runs until the timeout stops it
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
LIGHT = "ASK { ?s ?p ?o }"


def client_from(address: str, url: str) -> httpx.Client:
    """An HTTP client whose connections come from ``address``."""
    return httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=address),
                        headers={"Accept": "application/sparql-results+json"})


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory, store_builder, live_server_class):
    store = store_builder(tmp_path_factory.mktemp("share") / "store")
    settings = ApiSettings(store=str(store), query_timeout=TIMEOUT, query_workers=2, queries_per_client=4,
                           query_queue=8)
    with live_server_class(settings) as live:
        yield live


def test_a_client_with_many_slow_queries_leaves_a_worker_to_the_others(shared_server):
    url = shared_server.url
    hog_answers: list[int] = []
    light_answers: list[tuple[str, int, float]] = []
    hog_busy = threading.Event()

    def hog(_: int) -> None:
        with client_from(HOG, url) as http:
            hog_busy.set()
            hog_answers.append(http.post("/sparql", data={"query": SLOW}).status_code)

    def others() -> None:
        hog_busy.wait(10)
        time.sleep(0.5)  # the hog's queries hold its slots now
        for address in OTHERS * 3:
            with client_from(address, url) as http:
                started = time.monotonic()
                response = http.get("/sparql", params={"query": LIGHT})
                light_answers.append((address, response.status_code, time.monotonic() - started))

    with ThreadPoolExecutor(7) as pool:
        hogs = [pool.submit(hog, index) for index in range(6)]
        other = pool.submit(others)
        other.result()
        for future in hogs:
            future.result()

    with client_from(OTHERS[0], url) as http:
        health = http.get("/health").json()
    assert health["query_worker_share"] == 1
    # the hog: 4 admitted (its slots), run one at a time on its share, so stopped at the timeout or
    # refused after waiting; the 2 beyond its slots refused at once
    assert hog_answers.count(503) >= 1 and set(hog_answers) <= {429, 503}, hog_answers
    assert hog_answers.count(429) >= 2, hog_answers
    # the others: every query answered, without waiting for one of the hog's to end
    assert [status for _, status, _ in light_answers] == [200] * len(light_answers), light_answers
    assert max(seconds for _, _, seconds in light_answers) < TIMEOUT, light_answers

