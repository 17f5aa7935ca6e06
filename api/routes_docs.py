"""The OpenAPI pages, served from the app itself: ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc).

FastAPI's own pages load their scripts from a CDN, so they break offline. These pages load the
vendored copies in ``api/static/swagger-ui/`` and ``api/static/redoc/`` (see their NOTICE.md).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

SWAGGER_JS = "/static/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = "/static/swagger-ui/swagger-ui.css"
FAVICON = "/static/swagger-ui/favicon-32x32.png"
REDOC_JS = "/static/redoc/redoc.standalone.js"

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
