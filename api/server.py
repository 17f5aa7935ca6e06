"""Run the web app with uvicorn: ``serve(settings, host, port)``."""

from __future__ import annotations

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
    """Serve the app until interrupted (one web process; the store lives in its worker process).

    The Host names accepted are the local ones, those of ``host`` and AIDGRAPH_ALLOWED_HOSTS; the access
    log never shows a token sent in a query string (``api.guards``).
    """
    settings = replace((settings or ApiSettings.from_env()).serving_on(host), extract_at_start=True)
    check_can_serve(settings, host, port)
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5, http="h11")
