"""Fixtures for the API tests: a real store on disk with known content, and a real uvicorn server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import rdflib
import uvicorn

from api.app import create_app
from api.settings import ApiSettings
from graph.store import open_store

DATA = Path(__file__).parent / "data"
TOKEN = "test-token-1234"


def build_store(location: Path) -> Path:
    """A fresh on-disk store holding tests/api/data/store.trig, one named graph per graph there."""
    dataset = rdflib.Dataset()
    dataset.parse(DATA / "store.trig", format="trig")
    with open_store(location) as store:
        for graph in dataset.graphs():
            if isinstance(graph.identifier, rdflib.URIRef) and len(graph):
                store.add_graph(str(graph.identifier), graph)
    return location


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving the app in a background thread on a free port."""

    def __init__(self, settings: ApiSettings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = settings
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on", http="h11")  # the HTTP parser of api.server.serve
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 180  # worker processes start slowly on a loaded 2-core machine
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(30)

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)


class ServedProcess:
    """``aidgraph serve`` as its own process (the real command: its uvicorn settings, its HTTP parser)
    on a free port over ``store``; stopped by its PID."""

    def __init__(self, store: Path, *, token: str | None = TOKEN, log: Path | None = None,
                 **env: str) -> None:
        self.store, self.port = store, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = token
        self.log_path = log or store.parent / f"serve-{self.port}.log"
        self.env = {k: v for k, v in os.environ.items() if k != "AIDGRAPH_TOKEN"} | env
        if token:
            self.env["AIDGRAPH_TOKEN"] = token
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> ServedProcess:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "graph.cli", "--store", str(self.store), "serve",
                 "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2])
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                log_text = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"aidgraph serve exited: {log_text}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("aidgraph serve did not answer /health within 90 s")
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@pytest.fixture(scope="session")
def served_process_class():
    """``ServedProcess(store, token=...)``: a context manager running ``aidgraph serve`` on a free port."""
    return ServedProcess


@pytest.fixture(scope="session")
def store_builder():
    """``build_store(location)``: a fresh store with the known test content."""
    return build_store


@pytest.fixture(scope="session")
def live_server_class():
    """``LiveServer(settings)``: a context manager serving the app on a free port."""
    return LiveServer


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app over the known test store; token TOKEN; normal limits (result cap 50 rows)."""
    store = build_store(tmp_path_factory.mktemp("api-store") / "store")
    settings = ApiSettings(store=str(store), token=TOKEN, query_timeout=20, result_cap=50,
                           max_body_bytes=20_000, article_max_bytes=200_000)
    with LiveServer(settings) as live:
        yield live


@pytest.fixture(scope="session")
def auth() -> dict[str, str]:
    """The Authorization header that the test server accepts."""
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="session")
def client(server):
    with server.client() as http:
        yield http
