"""Start the servers aidgraph is or talks to, as child processes, for the tests and the benchmarks:
``aidgraph serve``, ``oxigraph serve`` and Virtuoso. One way to start, wait and stop for all of them;
and an ASGI app served by uvicorn in a thread of this process (the benchmarks that time one app object).

    with aidgraph_server(store, timeout=3) as (url, process): ...     # http://127.0.0.1:PORT
    with app_in_thread(create_app(settings)) as url: ...              # http://127.0.0.1:PORT
    with oxigraph_server(location, "--union-default-graph") as url: ... # its /query URL
    with virtuoso_server(location) as url: ...                          # its /sparql URL

Each runs on a free local port, is waited for until it answers (``ready``), and is stopped by its PID
afterwards (SIGINT, then SIGKILL after a grace period). A server that is not installed or does not
start raises :class:`ServerUnavailable` with the end of its log; the test suite turns that into a skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


class ServerUnavailable(RuntimeError):  # noqa: N818 (a state, like the HTTP status it stands for)
    """A server is not installed, exited, or did not answer in time (the message ends with its log)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers_ask(url: str) -> bool:
    """Whether the SPARQL endpoint ``url`` answers ``ASK {}`` with 200."""
    return httpx.post(url, data={"query": "ASK {}"}, timeout=2).status_code == 200


def answers_health(url: str) -> bool:
    """Whether ``url``/health answers 200 (an aidgraph server)."""
    return httpx.get(f"{url}/health", timeout=2).status_code == 200


@contextlib.contextmanager
def running(command: list[str], *, url: str, ready: Callable[[str], bool], log: Path, name: str,
            start_seconds: float = 60, stop_seconds: float = 20, cwd: Path | None = None,
            env: dict[str, str] | None = None,
            stop_signal: int = signal.SIGINT) -> Iterator[subprocess.Popen]:
    """Run ``command`` (its output in ``log``) until ``ready(url)``; yield the process; stop it by PID.

    Raises:
        ServerUnavailable: the process exited, or was not ready within ``start_seconds``.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=cwd, env=env)
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if ready(url):
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                state = f"exited with {process.returncode}" if process.poll() is not None else \
                    f"did not answer within {start_seconds:g} s"
                tail = log.read_text(errors="replace")[-600:]
                raise ServerUnavailable(f"{name} {state}: {tail}")
            time.sleep(0.1)
        yield process
    finally:
        stop(process, stop_signal, stop_seconds)


def stop(process: subprocess.Popen, stop_signal: int = signal.SIGINT, seconds: float = 20) -> None:
    """Stop ``process``: ``stop_signal``, then SIGKILL when it has not exited within ``seconds``."""
    if process.poll() is None:
        process.send_signal(stop_signal)
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextlib.contextmanager
def aidgraph_server(store: Path, *, timeout: float | None = None, token: str | None = None,
                    env: dict[str, str] | None = None, as_gb: float = 0, log: Path | None = None,
                    code: Path = REPO, start_seconds: float = 120) -> Iterator[tuple[str, subprocess.Popen]]:
    """``aidgraph serve`` over the on-disk ``store``; yields (base URL, process).

    ``timeout``: its query timeout (``--timeout``); ``token``: AIDGRAPH_TOKEN (None: none, whatever the
    environment says); ``env``: more variables; ``as_gb``: an address-space cap (``prlimit --as``) so that
    a regression cannot take the machine's memory; ``code``: the checkout that runs (another one to
    measure a baseline); ``log``: its output (default beside the store).
    """
    port = free_port()
    command = [sys.executable, "-m", "graph.cli", "--store", str(store), "serve", "--host", "127.0.0.1",
               "--port", str(port)]
    if timeout is not None:
        command += ["--timeout", f"{timeout:g}"]
    if as_gb:
        command = ["prlimit", f"--as={int(as_gb * 1e9)}", *command]
    environment = {k: v for k, v in os.environ.items() if k != "AIDGRAPH_TOKEN"}
    environment |= {"PYTHONPATH": str(code), "PYTHONIOENCODING": "utf-8", **(env or {})}
    if token:
        environment["AIDGRAPH_TOKEN"] = token
    url = f"http://127.0.0.1:{port}"
    with running(command, url=url, ready=answers_health, log=log or store.parent / f"serve-{port}.log",
                 name="aidgraph serve", start_seconds=start_seconds, stop_seconds=30, cwd=code,
                 env=environment) as process:
        yield url, process


@contextlib.contextmanager
def app_in_thread(app, *, start_seconds: float = 180, stop_seconds: float = 30,
                  log_level: str = "warning") -> Iterator[str]:
    """uvicorn serving the ASGI ``app`` in a daemon thread of this process on a free port (the HTTP parser
    of ``aidgraph serve``, h11; the app's lifespan runs); yields its base URL; stops it on exit.

    Raises:
        ServerUnavailable: the thread ended, or the server had not started within ``start_seconds``.
    """
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level,
                                           lifespan="on", http="h11"))
    thread = threading.Thread(target=server.run, daemon=True, name=f"uvicorn-{port}")
    thread.start()
    try:
        deadline = time.monotonic() + start_seconds
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                state = "stopped" if not thread.is_alive() else f"did not start within {start_seconds:g} s"
                raise ServerUnavailable(f"uvicorn in a thread {state} (see the log above)")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(stop_seconds)


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` command of this venv (the dev extra), else one on PATH."""
    local = Path(sys.executable).parent / "oxigraph"
    return str(local) if local.exists() else shutil.which("oxigraph")


@contextlib.contextmanager
def oxigraph_server(location: Path, *options: str) -> Iterator[str]:
    """``oxigraph serve`` over a database in ``location`` (with ``options``); yields its query URL."""
    binary = oxigraph_binary()
    if not binary:
        raise ServerUnavailable("`oxigraph` is not installed (`pip install oxigraph`, the dev extra)")
    port = free_port()
    location.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}/query"
    command = [binary, "serve", "--location", str(location / "db"), "--bind", f"127.0.0.1:{port}", *options]
    with running(command, url=url, ready=answers_ask, log=location / "server.log", name="oxigraph serve",
                 start_seconds=20, stop_seconds=10, stop_signal=signal.SIGTERM):
        yield url


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
def virtuoso_server(location: Path) -> Iterator[str]:
    """Virtuoso (``virtuoso-t`` from Debian's virtuoso-opensource) over a database in ``location``, its
    SPARQL user allowed to update; yields the SPARQL URL."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    if not binary or not isql:
        raise ServerUnavailable("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)")
    location.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = location / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=location, sql_port=sql_port, http_port=http_port))
    url = f"http://127.0.0.1:{http_port}/sparql"
    with running([binary, "-f", "-c", str(ini)], url=url, ready=answers_ask, log=location / "server.log",
                 name="Virtuoso", start_seconds=60, stop_seconds=20, cwd=location,
                 stop_signal=signal.SIGTERM):
        subprocess.run([isql, str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                       check=True, capture_output=True, timeout=30)
        yield url
