"""Fixtures for the API tests: a real store on disk with known content, and a real uvicorn server."""

from __future__ import annotations

import socket
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
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
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
