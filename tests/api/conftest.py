"""Fixtures for the API tests: a real store on disk with known content, and a real uvicorn server."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
import rdflib

from api.app import create_app
from api.settings import ApiSettings
from graph.servers import aidgraph_server, app_in_thread
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


class LiveServer:
    """The app served by uvicorn in a thread of the test process on a free port
    (``graph.servers.app_in_thread``: the HTTP parser of ``aidgraph serve``, the app's lifespan)."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        self.url = ""
        self._served = None

    def __enter__(self) -> LiveServer:
        # worker processes start slowly on a loaded 2-core machine
        self._served = app_in_thread(self.app, start_seconds=180)
        self.url = self._served.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._served is not None:
            self._served.__exit__(*exc)
            self._served = None

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)


class ServedProcess:
    """``aidgraph serve`` as its own process (the real command: its uvicorn settings, its HTTP parser)
    on a free port over ``store``; stopped by its PID (``graph.servers.aidgraph_server``)."""

    def __init__(self, store: Path, *, token: str | None = TOKEN, log: Path | None = None,
                 **env: str) -> None:
        self.store, self.token, self.log_path, self.env = store, token, log, env
        self.url = ""
        self.process: subprocess.Popen | None = None
        self._server = None

    def __enter__(self) -> ServedProcess:
        self._server = aidgraph_server(self.store, token=self.token, env=self.env, log=self.log_path,
                                       start_seconds=90)
        self.url, self.process = self._server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.__exit__(*exc)

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
