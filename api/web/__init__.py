"""The web app for analysts (``/``): the pledge explorer and the pages of meetings, actors, equipment and
articles, server-rendered over the REST lookups. ``install(app)`` adds its routes and static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def install(app: FastAPI) -> None:
    """Add the web app's routes (``/``, ``/web/...``) and its static files (``/web/static``) to ``app``.

    Call it before the router that serves the JSON index at ``/api``: ``/`` answers browsers with the
    explorer and other clients with that index."""
    from api.web.routes import STATIC_DIR, router

    app.include_router(router)
    app.mount("/web/static", StaticFiles(directory=STATIC_DIR), name="web-static")
