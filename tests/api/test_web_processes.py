"""Several web processes over one store worker (``aidgraph serve --web-processes N``, ``api.peers``):
a real server, real concurrent clients."""

from __future__ import annotations

import os
import signal
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

OTHER_CLIENT = "127.0.0.2"  # another loopback address: another client
NT = {"Content-Type": "application/n-triples"}


def by_process(url: str, method: str, path: str, *, want: int = 2, tries: int = 200,
               **options) -> dict[str, httpx.Response]:
    """The answer of each web process to the same request: new connections until ``want`` processes
    have answered (the kernel gives each connection to one of them)."""
    answers: dict[str, httpx.Response] = {}
    for _ in range(tries):
        with httpx.Client(base_url=url, timeout=30) as http:
            response = http.request(method, path, **options)
        answers.setdefault(response.headers["x-web-process"], response)
        if len(answers) >= want:
            break
        time.sleep(0.01)  # let the other process's loop take the next connection
    return answers


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory, store_builder, served_process_class):
    store = store_builder(tmp_path_factory.mktemp("web-processes") / "store")
    with served_process_class(store, AIDGRAPH_WEB_PROCESSES="2") as served:
        yield served


def test_every_web_process_answers_and_says_which(two_processes):
    lookups = by_process(two_processes.url, "GET", "/pledges", params={"limit": 1})
    assert set(lookups) == {"0", "1"}
    assert all(response.status_code == 200 for response in lookups.values())
    health = by_process(two_processes.url, "GET", "/health", params={"probe": 1})  # the whole stack
    assert {name: response.json()["web_process"] for name, response in health.items()} == {"0": 0, "1": 1}
    assert all(response.json()["store_heartbeat_s"] < 10 for response in health.values())


def test_a_write_through_one_web_process_is_seen_by_every_one(two_processes):
    """The cached export of a graph (kept per store version in each process) follows a write made
    through the other process."""
    url, auth = two_processes.url, two_processes.auth()
    graph = "http://example.org/web-processes/g"
    path = "/export/nt"
    put = by_process(url, "PUT", "/store", want=2, params={"graph": graph}, headers=NT | auth,
                     content='<http://example.org/a> <http://example.org/b> "first" .\n')
    assert {response.status_code for response in put.values()} <= {201, 204}
    for _ in range(2):  # each process computes it, then keeps it
        first = by_process(url, "GET", path, params={"graph": graph})
        assert set(first) == {"0", "1"}
        assert all('"first"' in response.text for response in first.values())
    assert any(response.headers.get("x-cache") == "hit" for response in first.values())
    for writer in ("1", "0"):  # a write through the secondary, then through the primary
        text = f"through {writer}"
        for _ in range(200):  # until the write lands on the process we want
            with httpx.Client(base_url=url, timeout=30) as http:
                response = http.put("/store", params={"graph": graph}, headers=NT | auth,
                                    content=f'<http://example.org/a> <http://example.org/b> "{text}" .\n')
            assert response.status_code == 204
            if response.headers["x-web-process"] == writer:
                break
        after = by_process(url, "GET", path, params={"graph": graph})
        assert set(after) == {"0", "1"}
        for response in after.values():
            assert response.status_code == 200
            assert f'"{text}"' in response.text and '"first"' not in response.text


def test_errors_from_the_primary_reach_the_secondarys_clients(two_processes):
    malformed = by_process(two_processes.url, "GET", "/sparql", params={"query": "SELECT * WHERE { ?s"},
                           headers={"Accept": "application/sparql-results+json"})
    assert set(malformed) == {"0", "1"}
    for response in malformed.values():
        assert response.status_code == 400
        assert response.json()["type"].endswith("sparql-syntax")
    missing = by_process(two_processes.url, "GET", "/store", params={"graph": "http://example.org/none"})
    assert {response.status_code for response in missing.values()} == {404}
    queries = by_process(two_processes.url, "POST", "/sparql", data={"query": "ASK { ?s ?p ?o }"},
                         headers={"Accept": "application/sparql-results+json"})
    assert all(response.json()["boolean"] is True for response in queries.values())


def test_health_and_a_light_lookup_answer_while_another_client_floods_cpu_bound_requests(two_processes):
    """127.0.0.1 keeps 24 connections busy with requests that are CPU work in the web process (the
    OpenAPI document's JSON, the explorer page); 127.0.0.2's /health and light lookup, each on a new
    connection, answer within bounds generous enough for a loaded machine."""
    url = two_processes.url
    stop = threading.Event()
    statuses: list[int] = []

    def flood(index: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            while not stop.is_set():
                response = http.get("/openapi.json" if index % 2 else "/", headers={"Accept": "text/html"})
                statuses.append(response.status_code)

    transport = httpx.HTTPTransport(local_address=OTHER_CLIENT)
    with ThreadPoolExecutor(24) as pool:
        for index in range(24):
            pool.submit(flood, index)
        try:
            time.sleep(2.0)
            health, light = [], []
            for _ in range(15):
                for path, times, params in (("/health", health, {}), ("/pledges", light, {"limit": 2})):
                    with httpx.Client(base_url=url, timeout=30, transport=transport) as http:
                        started = time.perf_counter()
                        response = http.get(path, params=params)
                        times.append(time.perf_counter() - started)
                    assert response.status_code == 200
                time.sleep(0.05)
        finally:
            stop.set()
    assert statuses and set(statuses) <= {200, 429}
    assert statistics.median(health) < 0.5 and max(health) < 3.0, health
    assert statistics.median(light) < 1.0 and max(light) < 5.0, light


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found |= {int(child) for child in text}
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_a_killed_primary_leaves_no_web_process_or_worker_behind(tmp_path, store_builder,
                                                                 served_process_class):
    store = store_builder(tmp_path / "store")
    with served_process_class(store, AIDGRAPH_WEB_PROCESSES="2") as served:
        assert set(by_process(served.url, "GET", "/pledges", params={"limit": 1})) == {"0", "1"}
        children = _children(served.process.pid)
        assert len(children) >= 3  # the other web process, the store worker, the query workers
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(child) for child in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [child for child in children if _alive(child)]
