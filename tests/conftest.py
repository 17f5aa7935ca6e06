"""Fixtures shared by the whole test suite (the one global conftest).

    store_factory(backend)   a fresh store: "oxigraph" (on disk in tmp_path), "memory", "sparql"
    remote_sparql_url        query URL of a real remote store: $AIDGRAPH_REMOTE_SPARQL, else an
                             `oxigraph serve` started for the session (skipped when unavailable)
    start_oxigraph_server    start_oxigraph_server(location, *options): another `oxigraph serve`
    virtuoso_url             SPARQL URL of a Virtuoso (Debian virtuoso-opensource) started for the
                             session on free ports (skipped when it is not installed)
    run_cli(*args)           runs `python -m graph.cli` in a subprocess with AIDGRAPH_STORE=tmp store
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph import servers

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def oxigraph_server(location: Path, *options: str):
    """``oxigraph serve`` on a free port over ``location`` (its query URL), stopped afterwards;
    skips the test when the binary is missing or does not start (``graph.servers``)."""
    try:
        with servers.oxigraph_server(location, *options) as url:
            yield url
    except servers.ServerUnavailable as exc:
        pytest.skip(f"no remote store (or set AIDGRAPH_REMOTE_SPARQL): {str(exc)[:300]}")


@contextlib.contextmanager
def virtuoso_server(location: Path):
    """Virtuoso on free ports over a database in ``location`` (its SPARQL URL), stopped afterwards;
    skips the test when it is not installed or does not start (``graph.servers``)."""
    try:
        with servers.virtuoso_server(location) as url:
            yield url
    except servers.ServerUnavailable as exc:
        pytest.skip(str(exc)[:300])


@pytest.fixture(scope="session")
def start_oxigraph_server():
    """``start_oxigraph_server(location, *options)``: a context manager running ``oxigraph serve``."""
    return oxigraph_server


@pytest.fixture(scope="session")
def virtuoso_url(tmp_path_factory):
    """A Virtuoso server for the session (its SPARQL URL)."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as url:
        yield url


@pytest.fixture(scope="module")
def own_virtuoso_url(tmp_path_factory):
    """A Virtuoso server for one test module only: nothing another module wrote is in it."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso-own")) as url:
        yield url


@pytest.fixture(scope="session")
def remote_sparql_url(tmp_path_factory):
    """A live SPARQL 1.1 endpoint with a default graph of its own (not --union-default-graph): aidgraph
    keeps it the merge of the accepted graphs."""
    configured = os.environ.get("AIDGRAPH_REMOTE_SPARQL")
    if configured:
        yield configured
        return
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as url:
        yield url


@pytest.fixture
def store_factory(tmp_path, request):
    """Open fresh stores of a backend; all are closed after the test."""
    opened = []

    def make(backend: str = "oxigraph", location: Path | str | None = None):
        from graph.store import open_store

        if backend == "oxigraph":
            store = open_store(location or tmp_path / f"store-{len(opened)}", backend="oxigraph")
        elif backend == "sparql":
            store = open_store(request.getfixturevalue("remote_sparql_url"), backend="sparql")
        elif backend == "virtuoso":
            store = open_store(request.getfixturevalue("virtuoso_url"), backend="virtuoso")
        else:
            store = open_store(backend=backend)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def cli_store(tmp_path) -> Path:
    """Location of the store the CLI subprocesses of a test use."""
    return tmp_path / "cli-store"


@pytest.fixture
def run_cli(cli_store):
    """Run ``aidgraph ARGS`` as a subprocess against ``cli_store``; returns CompletedProcess."""

    def run(*args: str, input: str | None = None, timeout: float = 120, env: dict | None = None):
        environment = {**os.environ, "AIDGRAPH_STORE": str(cli_store), "PYTHONIOENCODING": "utf-8",
                       **(env or {})}
        return subprocess.run([sys.executable, "-m", "graph.cli", *map(str, args)], input=input,
                              capture_output=True, text=True, timeout=timeout, cwd=REPO, env=environment)

    return run
