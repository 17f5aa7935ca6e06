"""Child processes die with their parent: `kill -9` of `aidgraph ingest --workers N` leaves no worker, and
`kill -9` of the web process of `aidgraph serve` stops its store worker at once, so the store's lock is
free for the next server (issues 10.4, 14.6)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time

import httpx
import pytest

pytestmark = pytest.mark.slow
BOUND = 5.0  # seconds within which the children must be gone


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_killing_an_ingest_kills_its_worker_processes(generated_corpus, tmp_path, tools):
    children, alive, wait_until = tools.children, tools.alive, tools.wait_until
    process = subprocess.Popen(tools.command("--store", tmp_path / "store", "ingest", generated_corpus,
                                             "--no-progress", "--workers", "2"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tools.repo,
                               env=tools.env())
    try:
        assert wait_until(lambda: len(children(process.pid)) >= 2, 120), "no worker processes appeared"
        time.sleep(1.0)  # the workers are busy now
        workers = children(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        assert wait_until(lambda: not any(alive(pid) for pid in workers), BOUND), \
            [pid for pid in workers if alive(pid)]
    finally:
        if process.poll() is None:
            process.kill()


def serve(tools, store, port: int, log) -> subprocess.Popen:
    return subprocess.Popen(tools.command("--store", store, "serve", "--port", port), stdout=log,
                            stderr=subprocess.STDOUT, cwd=tools.repo,
                            env=tools.env(AIDGRAPH_TOKEN="process-token"))


#: an update that would run for hours in flat memory: a filter over every triple of triples, matching none
LONG_UPDATE = ("INSERT { GRAPH <urn:x:copy> { ?s <urn:x:p> ?o } } WHERE { GRAPH ?g { ?s ?p ?o } "
               "GRAPH ?h { ?a ?b ?c } GRAPH ?i { ?d ?e ?f } "
               'FILTER(STR(?c) = CONCAT(STR(?o), STR(?f), "-never")) }')


def long_update(port: int) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server is killed under it
        httpx.post(f"http://127.0.0.1:{port}/sparql", data={"update": LONG_UPDATE}, timeout=120,
                   headers={"Authorization": "Bearer process-token"})


def healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_killing_the_web_process_kills_its_store_worker(tmp_path, tools):
    children, alive, wait_until = tools.children, tools.alive, tools.wait_until
    store, port = tmp_path / "store", free_port()
    with (tmp_path / "serve.log").open("wb") as log:
        web = serve(tools, store, port, log)
        try:
            assert wait_until(lambda: healthy(port), 120, 0.2), (tmp_path / "serve.log").read_text()
            helpers = children(web.pid)  # the store worker and the extraction worker (a token is set)
            assert len(helpers) >= 2, helpers
            writer = threading.Thread(target=long_update, args=(port,), daemon=True)
            writer.start()
            time.sleep(1.5)  # the store worker is inside the update now
            os.kill(web.pid, signal.SIGKILL)
            web.wait(10)
            started = time.monotonic()
            assert wait_until(lambda: not any(alive(pid) for pid in helpers), BOUND), \
                [pid for pid in helpers if alive(pid)]
            gone_after = time.monotonic() - started
        finally:
            if web.poll() is None:
                web.kill()
            for pid in helpers if "helpers" in locals() else []:
                if alive(pid):  # only when the test fails: leave nothing running
                    os.kill(pid, signal.SIGKILL)
        # the lock is free: a new server opens the same store straight away, and the update never landed
        port2 = free_port()
        again = serve(tools, store, port2, log)
        try:
            assert wait_until(lambda: healthy(port2), 120, 0.2), (tmp_path / "serve.log").read_text()
            assert again.poll() is None
            landed = httpx.get(f"http://127.0.0.1:{port2}/sparql", timeout=30,
                               params={"query": "ASK { GRAPH <urn:x:copy> { ?s ?p ?o } }"}).json()["boolean"]
            assert landed is False
        finally:
            again.terminate()
            again.wait(30)
    assert gone_after < BOUND
