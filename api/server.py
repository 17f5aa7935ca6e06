"""Run the web app with uvicorn: ``serve(settings, host, port)``."""

from __future__ import annotations

import contextlib
import socket
from dataclasses import replace

import uvicorn

from api.app import create_app
from api.settings import ApiSettings
from graph.errors import InputError


def check_can_serve(settings: ApiSettings, host: str, port: int) -> None:
    """Fail early with a clear error, instead of a traceback from the server's startup, when the port is
    taken or the on-disk store is held by another process.

    Raises:
        InputError: nothing can listen on ``host:port``.
        StoreError: the store cannot be opened (e.g. locked by another ``aidgraph serve`` or ingest).
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="choose another --port (or --host), or stop the server that uses it") from None
    if settings.store_path is not None:
        from graph.store import open_store

        with open_store(settings.store_path):
            pass


def serve(settings: ApiSettings | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the app until interrupted (the store lives in its worker process).

    With ``settings.web_processes`` > 1 (``api.peers``), this process binds the socket, starts the other
    web processes on it (they die with this one) and serves as the primary: it owns the store worker.
    The Host names accepted are the local ones, those of ``host`` and AIDGRAPH_ALLOWED_HOSTS; the access
    log never shows a token sent in a query string (``api.guards``).
    """
    settings = replace((settings or ApiSettings.from_env()).serving_on(host), extract_at_start=True)
    check_can_serve(settings, host, port)
    if settings.web_processes <= 1:
        app = create_app(settings)
        uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5, http="h11")
        return
    import multiprocessing
    import os
    import secrets
    import tempfile

    from api.peers import SharedState
    from graph.workers import start_process

    config = uvicorn.Config("api.app:create_app", host=host, port=port, log_level="info", http="h11",
                            timeout_graceful_shutdown=5)
    sock = config.bind_socket()
    shared = SharedState()
    folder = tempfile.mkdtemp(prefix="aidgraph-web-")
    settings = replace(settings, peer_address=os.path.join(folder, "primary.sock"),
                       peer_key=secrets.token_bytes(32))
    context = multiprocessing.get_context("spawn")
    children = []
    try:
        for index in range(1, settings.web_processes):
            child = context.Process(target=_secondary, name=f"aidgraph-web-{index}", daemon=True,
                                    args=(replace(settings, web_index=index), sock, shared, os.getpid()))
            start_process(child)
            children.append(child)
        app = create_app(settings, shared)
        uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info", http="h11",
                                      timeout_graceful_shutdown=5)).run(sockets=[sock])
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
        for child in children:
            child.join(10)
            if child.is_alive():
                child.kill()
        sock.close()
        with contextlib.suppress(OSError):
            os.unlink(settings.peer_address)
            os.rmdir(folder)


def _secondary(settings: ApiSettings, sock, shared, parent_pid: int) -> None:
    """A secondary web process (``api.peers``): the app over the primary's engine, on the shared socket."""
    from graph.workers import die_with_parent

    die_with_parent(parent_pid)
    app = create_app(settings, shared)
    uvicorn.Server(uvicorn.Config(app, log_level="info", http="h11",
                                  timeout_graceful_shutdown=5)).run(sockets=[sock])
