"""Run the web app with uvicorn: ``serve(settings, host, port)``."""

from __future__ import annotations

import uvicorn

from api.app import create_app
from api.settings import ApiSettings


def serve(settings: ApiSettings | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the app until interrupted (one web process; the store lives in its worker process)."""
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5)
