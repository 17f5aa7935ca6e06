"""The SPARQL 1.1 Protocol endpoint (/sparql), the query page, saved queries and the token-guarded dump."""

from __future__ import annotations

import functools
import hmac
import json
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPBearer

from api.problems import Problem
from api.results import GRAPH_FORMATS, TABLE_FORMATS, negotiate, parse_accept
from api.saved_queries import saved_queries
from api.sparql_text import classify

STATIC_DIR = Path(__file__).resolve().parent / "static"
FORM = "application/x-www-form-urlencoded"
QUERY_MEDIA = "application/sparql-query"
UPDATE_MEDIA = "application/sparql-update"
DUMP_FORMATS = {"trig": "application/trig", "nquads": "application/n-quads"}

router = APIRouter()

_SPARQL_RESPONSES = {
    200: {"description": "query results (SPARQL JSON/XML/CSV/TSV, or Turtle/N-Triples/JSON-LD), or the "
                         "query page for Accept: text/html",
          "content": {fmt.media_type: {} for fmt in TABLE_FORMATS + GRAPH_FORMATS} | {"text/html": {}}},
    400: {"description": "malformed query (the parser's message with line and column), or a missing query"},
    403: {"description": "SERVICE/LOAD refused, or an update without a valid token"},
    406: {"description": "no acceptable result format in Accept"},
    413: {"description": "request body too large"},
    415: {"description": "POST with a Content-Type other than form, sparql-query or sparql-update"},
    503: {"description": "the query overran the timeout and was stopped, or the store is busy"},
}


#: The bearer token as an OpenAPI security scheme, so that Swagger UI at /docs shows "Authorize" and
#: sends the header. It only declares and reads the header (auto_error=False): check_token decides,
#: and answers the documented 403 problem (never FastAPI's own 401/403).
BEARER = HTTPBearer(scheme_name="bearerToken", auto_error=False,
                    description="the server's AIDGRAPH_TOKEN, sent as 'Authorization: Bearer TOKEN'; "
                                "needed for SPARQL Update, POST /articles, GET /dump and whole-dataset "
                                "RDF exports")
#: route dependencies that declare the scheme on an operation (security: [{bearerToken: []}])
TOKEN_SECURITY = [Security(BEARER)]
#: openapi_extra for operations where only some requests need the token (POST /sparql: updates;
#: /export/{fmt}: whole-dataset RDF). FastAPI appends this list to the declared requirement, giving
#: [{bearerToken: []}, {}]: the token, or no authentication at all.
TOKEN_OPTIONAL = {"security": [{}]}


def check_token(request: Request) -> None:
    """Allow the request only with the configured bearer token (403 otherwise, or when none is set)."""
    token = request.app.state.settings.token
    if not token:
        raise Problem(403, "read-only", "this endpoint is read-only: writes are disabled",
                      hint="start the server with AIDGRAPH_TOKEN set and send 'Authorization: Bearer TOKEN'")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Problem(403, "bad-token", "a valid bearer token is required for this request",
                      hint="send the header 'Authorization: Bearer TOKEN' (AIDGRAPH_TOKEN of the server)")


def wants_html(request: Request) -> bool:
    """True when the client's preferred media type is HTML (a browser)."""
    ranges = parse_accept(request.headers.get("accept"))
    return bool(ranges) and ranges[0][0] in ("text/html", "application/xhtml+xml")


@functools.cache
def _page_template() -> str:
    return (STATIC_DIR / "sparql.html").read_text(encoding="utf-8")


def query_page() -> HTMLResponse:
    """The YASGUI query editor with the saved queries."""
    examples = [{"name": q.name, "title": q.title, "description": q.description, "sparql": q.sparql}
                for q in saved_queries().values()]
    payload = json.dumps(examples).replace("</", "<\\/")
    return HTMLResponse(_page_template().replace("/*SAVED_QUERIES*/[]", payload))


@router.get("/sparql", responses=_SPARQL_RESPONSES, summary="SPARQL 1.1 query (GET)")
async def sparql_get(
    request: Request,
    query: Annotated[str | None, Query(description="SPARQL query", examples=["ASK {}"])] = None,
    default_graph_uri: Annotated[list[str] | None, Query(alias="default-graph-uri")] = None,
    named_graph_uri: Annotated[list[str] | None, Query(alias="named-graph-uri")] = None,
    format: Annotated[str | None, Query(description="json, xml, csv, tsv, turtle, ntriples, jsonld "
                                                    "(overrides Accept)")] = None,
) -> Response:
    """Run a query given in the URL; a browser without a query gets the query page."""
    if wants_html(request) and format is None:
        return query_page()
    if "update" in request.query_params:
        raise Problem(400, "update-needs-post", "SPARQL updates must be sent with POST",
                      hint="POST the update as application/sparql-update or as the form field 'update'")
    if query is None:
        raise Problem(400, "missing-query", "no 'query' parameter", hint="send ?query=SELECT ...")
    return await _run_query(request, query, default_graph_uri, named_graph_uri,
                            request.query_params.getlist("format"))


_POST_BODY = {"requestBody": {"required": True, "content": {
    FORM: {"schema": {"type": "object", "properties": {
        "query": {"type": "string"}, "update": {"type": "string"},
        "default-graph-uri": {"type": "string"}, "named-graph-uri": {"type": "string"}}}},
    QUERY_MEDIA: {"schema": {"type": "string"}, "example": "ASK {}"},
    UPDATE_MEDIA: {"schema": {"type": "string"}},
}}}


@router.post("/sparql", responses=_SPARQL_RESPONSES | {204: {"description": "update applied"}},
             summary="SPARQL 1.1 query or update (POST)", dependencies=TOKEN_SECURITY,
             openapi_extra=_POST_BODY | TOKEN_OPTIONAL)
async def sparql_post(request: Request) -> Response:
    """Query or update in the body: URL-encoded form (query= / update=), or a direct SPARQL body."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    url_params = request.query_params
    if media_type == FORM:
        form = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
        queries, updates = form.get("query", []), form.get("update", [])
        if len(queries) + len(updates) != 1:
            raise Problem(400, "missing-query", "send exactly one 'query' or 'update' form field")
        if updates:
            return await _run_update(request, updates[0], form)
        return await _run_query(request, queries[0], form.get("default-graph-uri"),
                                form.get("named-graph-uri"), url_params.getlist("format"))
    text = (await request.body()).decode("utf-8", "replace")
    if media_type == QUERY_MEDIA:
        return await _run_query(request, text, url_params.getlist("default-graph-uri") or None,
                                url_params.getlist("named-graph-uri") or None, url_params.getlist("format"))
    if media_type == UPDATE_MEDIA:
        return await _run_update(request, text, {})
    raise Problem(415, "unsupported-media-type",
                  f"cannot read a request body of type {media_type or '(none)'!r}",
                  hint=f"send {FORM}, {QUERY_MEDIA} or {UPDATE_MEDIA}")


async def _run_query(request: Request, sparql: str, default_graphs, named_graphs, fmt_name) -> Response:
    if not sparql.strip():
        raise Problem(400, "missing-query", "the query is empty")
    operation = classify(sparql)
    if operation.remote:
        raise Problem(403, "remote-access-refused",
                      f"{' and '.join(operation.remote)} is disabled on this endpoint",
                      hint="the server does not fetch remote data; query only the local graphs")
    if operation.is_update:
        raise Problem(400, "update-in-query", "this is an update, sent as a query",
                      hint="send updates with POST as application/sparql-update or the form field 'update'")
    kind = "graph" if operation.is_graph_result else "table"
    fmt = negotiate(request.headers.get("accept"), kind, fmt_name)
    if fmt is None:
        offered = ", ".join(f.media_type for f in (GRAPH_FORMATS if kind == "graph" else TABLE_FORMATS))
        raise Problem(406, "not-acceptable",
                      f"cannot answer this {operation.form or 'query'} in any type the request accepts",
                      hint=f"accept one of {offered} (or pass ?format=)")
    settings = request.app.state.settings
    engine = request.app.state.engine
    result = await run_in_threadpool(engine.call, "query", {
        "sparql": sparql, "fmt": fmt.name, "cap": settings.result_cap,
        "default_graphs": _graph_list(default_graphs), "named_graphs": _graph_list(named_graphs),
    })
    headers = {"X-Result-Count": str(result["count"])}
    body = result["body"]
    if result["truncated"]:
        note = (f"result truncated at {settings.result_cap} "
                f"{'triples' if kind == 'graph' else 'rows'}; page with LIMIT/OFFSET to see the rest")
        headers |= {"X-Result-Truncated": "true", "X-Result-Cap": str(settings.result_cap),
                    "Warning": f'199 aidgraph "{note}"'}
        body = _annotate(body, fmt.name, note)
    return Response(body, media_type=fmt.media_type, headers=headers)


def _annotate(body: bytes, fmt_name: str, note: str) -> bytes:
    """Put the truncation note inside formats that can carry one without breaking parsers."""
    if fmt_name == "json":
        document = json.loads(body)
        document["aidgraph"] = {"truncated": True, "note": note}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    if fmt_name in ("turtle", "ntriples"):
        return f"# {note}\n".encode() + body
    return body


def _graph_list(values) -> list[str] | None:
    if not values:
        return None
    from pyoxigraph import NamedNode

    for value in values:
        try:
            NamedNode(value)
        except ValueError:
            raise Problem(400, "bad-graph-iri", f"not a valid graph IRI: {value!r}") from None
    return list(values)


async def _run_update(request: Request, sparql: str, form: dict) -> Response:
    check_token(request)
    if form.get("using-graph-uri") or form.get("using-named-graph-uri") or \
            request.query_params.get("using-graph-uri") or request.query_params.get("using-named-graph-uri"):
        raise Problem(400, "unsupported-parameter",
                      "using-graph-uri / using-named-graph-uri are not supported",
                      hint="write USING / WITH in the update itself")
    operation = classify(sparql)
    if "LOAD" in operation.remote or "SERVICE" in operation.remote:
        raise Problem(403, "remote-access-refused", "LOAD and SERVICE are disabled on this endpoint",
                      hint="insert the data with INSERT DATA, or ingest articles with POST /articles")
    await run_in_threadpool(request.app.state.engine.call, "update", {"sparql": sparql})
    return Response(status_code=204)


@router.get("/queries", summary="The saved analyst queries")
def list_saved_queries() -> list[dict[str, str]]:
    """Name, title, description, parameters and SPARQL text of every saved query (queries/*.rq)."""
    return [{"name": q.name, "title": q.title, "description": q.description, "parameters": q.parameters,
             "sparql": q.sparql} for q in saved_queries().values()]


@router.get("/queries/{name}", summary="Run one saved query",
            responses={404: {"description": "no saved query of that name"}} | _SPARQL_RESPONSES)
async def run_saved_query(
        request: Request, name: str,
        format: Annotated[str | None, Query(description="result format")] = None) -> Response:
    """The results of a saved query (content negotiation as on /sparql)."""
    saved = saved_queries().get(name)
    if saved is None:
        raise Problem(404, "no-such-query", f"no saved query named {name!r}",
                      hint=f"one of: {', '.join(saved_queries())}")
    return await _run_query(request, saved.sparql, None, None, format)


@router.get("/dump", summary="The whole dataset (token required)",
            responses={200: {"content": {m: {} for m in DUMP_FORMATS.values()}},
                       403: {"description": "no valid token"}, 503: {"description": "timed out"}},
            dependencies=TOKEN_SECURITY)
async def dump(request: Request,
               format: Annotated[str, Query(pattern="^(trig|nquads)$")] = "trig") -> Response:
    """Every named graph as TriG or N-Quads. Dumps are unbounded, hence the token."""
    check_token(request)
    body = await run_in_threadpool(request.app.state.engine.call, "dump", {"fmt": format})
    return Response(body, media_type=DUMP_FORMATS[format])
