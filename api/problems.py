"""Errors as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.engine import QueryTimeout, ServiceUnavailable, TooManyQueries
from graph.errors import AidgraphError, InputError, QuerySyntaxError, StoreError

PROBLEM_TYPE = "https://w3id.org/aidgraph/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(Exception):  # noqa: N818 (an RFC 9457 "problem")
    """An HTTP error with a problem type, raised by the routes."""

    def __init__(self, status: int, code: str, detail: str, *, hint: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.hint = status, code, detail, hint
        self.headers = headers or {}
        self.extra = extra


TITLES = {
    400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
    406: "Not acceptable", 413: "Request body too large", 415: "Unsupported media type",
    422: "Unprocessable content", 429: "Too many requests", 500: "Internal error", 503: "Service unavailable",
}


#: hints for the errors of routing itself (no route, wrong method)
ROUTING_HINTS = {
    404: "GET / lists the entry points; /docs describes every route",
    405: "/docs lists the methods of each route (the 'Allow' header names those of this one)",
}


def problem_response(status: int, code: str, detail: str, *, hint: str | None = None,
                     headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """A problem-details JSON response."""
    body: dict[str, Any] = {"type": PROBLEM_TYPE + code, "title": TITLES.get(status, "Error"),
                            "status": status, "detail": detail}
    if hint:
        body["hint"] = hint
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def status_of(exc: AidgraphError) -> int:
    """The HTTP status of a library error."""
    if isinstance(exc, ServiceUnavailable | QueryTimeout):
        return 503
    if isinstance(exc, TooManyQueries):
        return 429
    if isinstance(exc, QuerySyntaxError | InputError):
        return 400
    if isinstance(exc, StoreError):
        return 500
    return 400


def install_problem_handlers(app: FastAPI) -> None:
    """Turn every error the app raises into a problem response."""

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.code, exc.detail, hint=exc.hint, headers=exc.headers,
                                **exc.extra)

    @app.exception_handler(AidgraphError)
    async def _library(_: Request, exc: AidgraphError) -> JSONResponse:
        status = status_of(exc)
        headers = {"Retry-After": str(getattr(exc, "retry_after", 5))} if status in (429, 503) else None
        return problem_response(status, exc.code, exc.message, hint=exc.hint, headers=headers,
                                line=getattr(exc, "line", None), column=getattr(exc, "column", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"location": list(map(str, e.get("loc", ()))), "message": e.get("msg", "")}
                  for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(e['location'])}: {e['message']}" for e in errors) or "invalid request"
        return problem_response(422, "invalid-parameter", detail, errors=errors,
                                hint="see /docs for the accepted parameters")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail, hint = str(exc.detail), ROUTING_HINTS.get(exc.status_code)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route {request.url.path}"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return problem_response(exc.status_code, f"http-{exc.status_code}", detail, hint=hint,
                                headers=getattr(exc, "headers", None))
