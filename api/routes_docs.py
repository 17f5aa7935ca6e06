"""The entry pages: ``/api`` (the entry points as JSON), ``/docs`` (Swagger UI), ``/redoc`` (ReDoc),
``/favicon.ico``.

FastAPI's own pages load their scripts from a CDN, so they break offline. These pages load the
vendored copies in ``api/static/swagger-ui/`` and ``api/static/redoc/`` (see their NOTICE.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

SWAGGER_JS = "/static/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = "/static/swagger-ui/swagger-ui.css"
FAVICON = "/static/swagger-ui/favicon-32x32.png"
REDOC_JS = "/static/redoc/redoc.standalone.js"
FAVICON_FILE = Path(__file__).resolve().parent / "static" / "swagger-ui" / "favicon-32x32.png"

#: what GET / lists: the entry points of the service
ENTRY_POINTS = {
    "app": "/", "index": "/api", "docs": "/docs", "reference": "/redoc", "openapi": "/openapi.json",
    "sparql": "/sparql",
    "saved_queries": "/queries", "pledges": "/pledges", "meetings": "/meetings", "actors": "/actors",
    "commitments": "/commitments", "reconcile": "/reconcile",
    "equipment": "/equipment", "articles": "/articles", "search": "/search?q=", "stats": "/stats",
    "health": "/health", "exports": "/export/{format}", "plots": "/plot/timeline",
}

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over /openapi.json, with no request leaving this server."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url, title=f"{request.app.title} API",
        swagger_js_url=SWAGGER_JS, swagger_css_url=SWAGGER_CSS, swagger_favicon_url=FAVICON,
        # validatorUrl None: the spec is not sent to validator.swagger.io
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True})


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc over /openapi.json, without Google Fonts."""
    return get_redoc_html(openapi_url=request.app.openapi_url, title=f"{request.app.title} API reference",
                          redoc_js_url=REDOC_JS, redoc_favicon_url=FAVICON, with_google_fonts=False)


@router.get("/api")
async def index(request: Request) -> Response:
    """The entry points as JSON (also at ``/`` for clients that do not ask for HTML: api.web)."""
    body: dict[str, Any] = {
        "name": request.app.title, "version": request.app.version,
        "description": "military aid to Ukraine as a knowledge graph: SPARQL at /sparql, REST lookups, "
                       "exports; every route is described at /docs",
        "links": ENTRY_POINTS,
    }
    return JSONResponse(body)


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """The icon browsers ask for (Swagger UI's)."""
    return FileResponse(FAVICON_FILE, media_type="image/png")


