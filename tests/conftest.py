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
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _oxigraph_binary() -> str | None:
    local = Path(sys.executable).parent / "oxigraph"
    return str(local) if local.exists() else shutil.which("oxigraph")


@contextlib.contextmanager
def oxigraph_server(location: Path, *options: str):
    """``oxigraph serve`` on a free port over ``location`` (its query URL), stopped afterwards;
    skips the test when the binary is missing or does not start."""
    binary = _oxigraph_binary()
    if not binary:
        pytest.skip("no remote store: set AIDGRAPH_REMOTE_SPARQL or `pip install oxigraph` (dev extra)")
    port = _free_port()
    location.mkdir(parents=True, exist_ok=True)
    log = (location / "server.log").open("wb")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location / "db"), "--bind", f"127.0.0.1:{port}", *options],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.post(url, data={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                error = (location / "server.log").read_text(errors="replace")
                pytest.skip(f"`oxigraph serve` did not start: {error[:300]}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def start_oxigraph_server():
    """``start_oxigraph_server(location, *options)``: a context manager running ``oxigraph serve``."""
    return oxigraph_server


VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = {http_port}
ServerRoot = {db}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""


@contextlib.contextmanager
def virtuoso_server(location: Path):
    """Virtuoso (``virtuoso-t`` from Debian's virtuoso-opensource) on free ports over a database in
    ``location``, its SPARQL user allowed to update; yields the SPARQL URL; stopped afterwards."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    if not binary or not isql:
        pytest.skip("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)")
    location.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    ini = location / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=location, sql_port=sql_port, http_port=http_port))
    log = (location / "server.log").open("wb")
    process = subprocess.Popen([binary, "-f", "-c", str(ini)], cwd=location, stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.post(url, data={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                error = (location / "server.log").read_text(errors="replace")
                pytest.skip(f"Virtuoso did not start: {error[-300:]}")
            time.sleep(0.2)
        subprocess.run([isql, str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                       check=True, capture_output=True, timeout=30)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


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
