"""The SPARQL 1.1 Protocol endpoint (/sparql), the query page, saved queries and the token-guarded dump."""

from __future__ import annotations

import functools
import gzip
import hmac
import json
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPBearer

from api.models import SPARQL_RESULTS_SCHEMA, SavedQuery
from api.problems import Problem
from api.queries_service import single_flight_async, version_kept
from api.results import GRAPH_FORMATS, TABLE_FORMATS, negotiate, parse_accept
from api.saved_queries import saved_queries
from api.sparql_text import (
    KNOWN_VERSIONS,
    MAX_NESTING,
    classify,
    declared_versions,
    has_dataset_keywords,
    nesting_depth,
    with_base,
    with_using,
)
from graph.errors import QuerySyntaxError

STATIC_DIR = Path(__file__).resolve().parent / "static"
FORM = "application/x-www-form-urlencoded"
QUERY_MEDIA = "application/sparql-query"
UPDATE_MEDIA = "application/sparql-update"
DUMP_FORMATS = {"trig": "application/trig", "nquads": "application/n-quads"}
SAVED_RESULTS_KEPT = 64  # saved-query answers kept per store version (by query and negotiated format)
SAVED_GZIP_FROM = 64 * 1024  # a kept answer of at least this many bytes is also kept gzip-compressed

router = APIRouter()

_TEXT = {"schema": {"type": "string"}}
_SPARQL_RESPONSES = {
    200: {"description": "query results (SPARQL JSON/XML/CSV/TSV, or Turtle/N-Triples/JSON-LD/RDF/XML), the "
                         "query page for Accept: text/html, or (GET without a query) the service description",
          "content": {fmt.media_type: _TEXT for fmt in TABLE_FORMATS + GRAPH_FORMATS}
          | {TABLE_FORMATS[0].media_type: {"schema": SPARQL_RESULTS_SCHEMA}, "text/html": _TEXT}},
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


@router.get("/sparql", responses=_SPARQL_RESPONSES, summary="SPARQL 1.1 query (GET)", response_class=Response)
async def sparql_get(
    request: Request,
    query: Annotated[str | None, Query(description="SPARQL query; without it the service description is "
                                                   "answered (RDF, by Accept)", examples=["ASK {}"])] = None,
    default_graph_uri: Annotated[list[str] | None, Query(alias="default-graph-uri")] = None,
    named_graph_uri: Annotated[list[str] | None, Query(alias="named-graph-uri")] = None,
    format: Annotated[str | None, Query(description="json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml "
                                                    "(overrides Accept)")] = None,
    version: Annotated[str | None, Query(description="SPARQL version of the query: 1.1 or 1.2")] = None,
) -> Response:
    """Run a query given in the URL; without a query, a browser gets the query page and other clients
    the SPARQL 1.1 Service Description."""
    params = request.query_params
    if wants_html(request) and format is None:
        return query_page()
    _refuse_get_body(request)
    if "update" in params:
        raise Problem(400, "update-needs-post", "SPARQL updates must be sent with POST",
                      hint="POST the update as application/sparql-update or as the form field 'update'")
    _check_versions(params.getlist("version"))
    queries = params.getlist("query")
    if not queries:
        return _service_description_response(request)
    if len(queries) > 1:
        raise Problem(400, "multiple-queries", f"{len(queries)} 'query' parameters: send exactly one",
                      hint="a request carries one query (SPARQL 1.1 Protocol 2.1.1)")
    return await _run_query(request, queries[0], params.getlist("default-graph-uri") or None,
                            params.getlist("named-graph-uri") or None, params.getlist("format"))


_POST_BODY = {"requestBody": {"required": True, "content": {
    FORM: {"schema": {"type": "object", "properties": {
        "query": {"type": "string"}, "update": {"type": "string"},
        "default-graph-uri": {"type": "string"}, "named-graph-uri": {"type": "string"},
        "using-graph-uri": {"type": "string"}, "using-named-graph-uri": {"type": "string"},
        "version": {"type": "string"}}}},
    QUERY_MEDIA: {"schema": {"type": "string"}, "example": "ASK {}"},
    UPDATE_MEDIA: {"schema": {"type": "string"}},
}}}


@router.post("/sparql", responses=_SPARQL_RESPONSES | {204: {"description": "update applied"}},
             summary="SPARQL 1.1 query or update (POST)", dependencies=TOKEN_SECURITY,
             response_class=Response, openapi_extra=_POST_BODY | TOKEN_OPTIONAL)
async def sparql_post(request: Request) -> Response:
    """Query or update in the body: URL-encoded form (query= / update=), or a direct SPARQL body.

    Dataset parameters (default-graph-uri, named-graph-uri, using-graph-uri, using-named-graph-uri) may
    be in the URL or, for forms, in the body too; the operation itself must be in the body."""
    media_type, media_params = _media_type(request.headers.get("content-type", ""))
    url = request.query_params
    if media_type not in (FORM, QUERY_MEDIA, UPDATE_MEDIA):
        raise Problem(415, "unsupported-media-type",
                      f"cannot read a request body of type {media_type or '(none)'!r}",
                      hint=f"send {FORM}, {QUERY_MEDIA} or {UPDATE_MEDIA}")
    charset = media_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise Problem(415, "unsupported-charset", f"the body is declared as {charset!r}; SPARQL requests "
                      "are UTF-8", hint="encode the request body as UTF-8")
    if "query" in url or "update" in url:
        raise Problem(400, "operation-in-url", "a POST carries its query or update in the body, not the URL",
                      hint="move 'query=' / 'update=' into the body, or send the query with GET")
    text = _utf8(await request.body())
    fields: dict[str, list[str]] = {}
    if media_type == FORM:
        try:
            fields = parse_qs(text, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise Problem(400, "bad-encoding", "a percent-encoded form value is not UTF-8",
                          hint="percent-encode the UTF-8 bytes of each value") from None
        queries, updates = fields.get("query", []), fields.get("update", [])
        if len(queries) + len(updates) != 1:
            raise Problem(400, "missing-query" if not queries + updates else "multiple-operations",
                          f"the form carries {len(queries)} 'query' and {len(updates)} 'update' fields",
                          hint="send exactly one 'query' or 'update' form field in the body")
        is_update, text = bool(updates), (updates or queries)[0]
    else:
        is_update = media_type == UPDATE_MEDIA
        if "version" in media_params:
            fields["version"] = [media_params["version"]]
    _check_versions(fields.get("version", []) + url.getlist("version"))

    def param(name: str) -> list[str]:
        return fields.get(name, []) + url.getlist(name)

    if is_update:
        return await _run_update(request, text, param("using-graph-uri"), param("using-named-graph-uri"))
    return await _run_query(request, text, param("default-graph-uri") or None,
                            param("named-graph-uri") or None, param("format"))


def _media_type(header: str) -> tuple[str, dict[str, str]]:
    """The media type of a Content-Type header (lower case) and its parameters."""
    media, *params = header.split(";")
    parsed = {}
    for item in params:
        name, _, value = item.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), parsed


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(400, "bad-encoding", f"the request body is not UTF-8 (byte {exc.start})",
                      hint="encode the request body as UTF-8") from None


def _refuse_get_body(request: Request) -> None:
    """A GET request has no body (SPARQL 1.1 Protocol 2.1.1: the query goes in the URL)."""
    length = request.headers.get("content-length", "0").strip()
    if (length not in ("", "0")) or "chunked" in request.headers.get("transfer-encoding", "").lower():
        raise Problem(400, "get-with-body", "a GET request must not carry a body",
                      hint="put the query in the URL (?query=), or POST it")


def client_of(request: Request) -> str:
    """The key of the per-client query limit: the client's address."""
    return request.client.host if request.client else "?"


def check_nesting(sparql: str) -> None:
    """400 for a text nested deeper than the parser can take (it would crash the store worker)."""
    depth = nesting_depth(sparql)
    if depth > MAX_NESTING:
        raise Problem(400, "nesting-too-deep",
                      f"the query nests braces, parentheses or brackets {depth} levels deep (at most "
                      f"{MAX_NESTING})", hint="flatten the query: join patterns side by side, combine "
                      "filters with && and ||")


def _check_versions(versions: list[str], text: str | None = None) -> None:
    """At most one ``version`` parameter, and only versions the engine understands (SPARQL 1.2)."""
    if len(versions) > 1:
        raise Problem(400, "multiple-versions", f"{len(versions)} 'version' values: send at most one",
                      hint="a request names one SPARQL version (1.1 or 1.2)")
    declared = declared_versions(text) if text else []
    for value in versions + declared:
        if value not in KNOWN_VERSIONS:
            raise Problem(400, "unsupported-version", f"SPARQL version {value!r} is not supported",
                          hint=f"use one of {', '.join(KNOWN_VERSIONS)}")


def endpoint_iri(request: Request) -> str:
    """The IRI of the SPARQL endpoint as the client addressed it: the service's base IRI."""
    return str(request.base_url).rstrip("/") + "/sparql"


def _service_description_response(request: Request) -> Response:
    from api.service_description import describe

    fmt = negotiate(request.headers.get("accept"), "graph", request.query_params.getlist("format"))
    if fmt is None:
        raise Problem(400, "missing-query", "no 'query' parameter",
                      hint="send ?query=SELECT ...; without a query the endpoint answers its service "
                           "description in an RDF type (Accept: text/turtle)")
    body = describe(endpoint_iri(request), request.app.state.settings, fmt)
    return Response(body, media_type=fmt.media_type)


async def _run_query(request: Request, sparql: str, default_graphs, named_graphs, fmt_name) -> Response:
    result, fmt = await _query_result(request, sparql, default_graphs, named_graphs, fmt_name)
    return _result_response(request, result, fmt)


async def _query_result(request: Request, sparql: str, default_graphs, named_graphs, fmt_name):
    """The query lane's answer (body, count, truncated) and its negotiated format."""
    if not sparql.strip():
        raise Problem(400, "missing-query", "the query is empty")
    _check_versions([], sparql)
    check_nesting(sparql)
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
    try:
        result = await in_query_lane(request, functools.partial(request.app.state.queries.call, "query", {
            "sparql": with_base(sparql, endpoint_iri(request)), "fmt": fmt.name, "cap": settings.result_cap,
            "default_graphs": _graph_list(default_graphs), "named_graphs": _graph_list(named_graphs),
        }, client=client_of(request)))
    except QuerySyntaxError as exc:
        raise exc.shifted(-1) from None
    return result, fmt


def _result_response(request: Request, result: dict, fmt) -> Response:
    """The HTTP response of a query lane answer: its count, and the truncation note when capped."""
    settings = request.app.state.settings
    kind = "graph" if fmt in GRAPH_FORMATS else "table"
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
        # a last member written into the object (not parsed and written again: megabytes at the cap)
        closed = body.rstrip()
        if not closed.endswith(b"}"):
            return body
        member = json.dumps({"truncated": True, "note": note}, ensure_ascii=False, separators=(",", ":"))
        return closed[:-1] + b',"aidgraph":' + member.encode() + b"}\n"
    if fmt_name in ("turtle", "ntriples"):
        return f"# {note}\n".encode() + body
    return body


def _graph_list(values) -> list[str] | None:
    if not values:
        return None
    return [checked_iri(value) for value in values]


def checked_iri(value: str) -> str:
    """``value`` when it is an absolute IRI (400 otherwise)."""
    from pyoxigraph import NamedNode

    try:
        NamedNode(value)
    except ValueError:
        raise Problem(400, "bad-graph-iri", f"not a valid graph IRI: {value!r}",
                      hint="graph IRIs are absolute, e.g. https://w3id.org/aidgraph/id/article/ID") from None
    if ":" not in value:
        raise Problem(400, "bad-graph-iri", f"not an absolute IRI: {value!r}")
    return value


async def in_query_lane(request: Request, call):
    """``call()`` in a thread of the SPARQL query lane (``app.state.query_threads``): queries wait there
    for their query worker without taking the threads of the REST lookups, nor lookups theirs."""
    limiter = getattr(request.app.state, "query_threads", None)
    return await anyio.to_thread.run_sync(call, limiter=limiter)


async def _run_update(request: Request, sparql: str, using: list[str], using_named: list[str]) -> Response:
    check_token(request)
    if not sparql.strip():
        raise Problem(400, "missing-update", "the update is empty")
    _check_versions([], sparql)
    check_nesting(sparql)
    operation = classify(sparql)
    if "LOAD" in operation.remote or "SERVICE" in operation.remote:
        raise Problem(403, "remote-access-refused", "LOAD and SERVICE are disabled on this endpoint",
                      hint="insert the data with INSERT DATA, or ingest articles with POST /articles")
    if using or using_named:
        if has_dataset_keywords(sparql):
            raise Problem(400, "dataset-conflict", "using-graph-uri / using-named-graph-uri given for an "
                          "update that names its own dataset (USING or WITH)",
                          hint="give the dataset either in the parameters or in the update, not both "
                               "(SPARQL 1.1 Protocol 2.2.3)")
        sparql = with_using(sparql, [checked_iri(g) for g in using], [checked_iri(g) for g in using_named])
    try:
        await run_in_threadpool(request.app.state.engine.call, "update",
                                {"sparql": with_base(sparql, endpoint_iri(request))})
    except QuerySyntaxError as exc:
        raise exc.shifted(-1) from None
    return Response(status_code=204)


@router.get("/queries", summary="The saved analyst queries", response_model=list[SavedQuery])
def list_saved_queries() -> list[dict[str, str]]:
    """Name, title, description, parameters and SPARQL text of every saved query (queries/*.rq)."""
    return [{"name": q.name, "title": q.title, "description": q.description, "parameters": q.parameters,
             "sparql": q.sparql} for q in saved_queries().values()]


@router.get("/queries/{name}", summary="Run one saved query", response_class=Response,
            responses={404: {"description": "no saved query of that name"}} | _SPARQL_RESPONSES)
async def run_saved_query(
        request: Request, name: str,
        format: Annotated[str | None, Query(description="result format")] = None) -> Response:
    """The results of a saved query (content negotiation as on /sparql). Kept per store version: a
    repeat is answered without running it again until the store is written (``X-Cache: hit``)."""
    saved = saved_queries().get(name)
    if saved is None:
        raise Problem(404, "no-such-query", f"no saved query named {name!r}",
                      hint=f"one of: {', '.join(saved_queries())}")
    state = request.app.state
    kind = "graph" if classify(saved.sparql).is_graph_result else "table"
    fmt = negotiate(request.headers.get("accept"), kind, format)
    if fmt is None:  # 406, never kept
        return await _saved_answer(request, saved, format)
    # keyed by the negotiated format, not the raw Accept/format text: hostile headers cannot fill it
    key = (name, fmt.name)
    kept = version_kept(request, "saved_results")
    hit = key in kept
    if not hit:
        version = state.engine.version

        async def answer() -> Response:
            response = await _saved_answer(request, saved, format)
            if version == state.engine.version and len(kept) < SAVED_RESULTS_KEPT:
                await _keep_saved(kept, key, response)
            return response

        # a saved query not kept yet is run once however many clients ask it meanwhile (issue 10)
        response = await single_flight_async(state, ("saved_results", version, key), answer)
        if key not in kept:  # not kept (a write meanwhile, or full): this caller's own copy
            return Response(response.body, status_code=response.status_code, media_type=response.media_type,
                            headers={k: v for k, v in response.headers.items()
                                     if k not in ("content-length", "content-type")})
    body, media_type, headers, packed = kept[key]
    if hit:
        headers = headers | {"X-Cache": "hit"}
    if packed is not None and _accepts_gzip(request):
        return Response(packed, media_type=media_type, headers=headers | {
            "Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return Response(body, media_type=media_type, headers=headers)


async def _keep_saved(kept: dict, key: tuple, response: Response) -> None:
    """Keep a saved query's answer (gzip-compressed too when large: compressed once, sent to every
    client that takes gzip)."""
    headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")}
    packed = None
    if len(response.body) >= SAVED_GZIP_FROM:
        packed = await run_in_threadpool(gzip.compress, response.body, 6, mtime=0)
        headers["Vary"] = "Accept-Encoding"
    kept[key] = (response.body, response.media_type, headers, packed)


def _accepts_gzip(request: Request) -> bool:
    """Whether the client takes a gzip-encoded body (``Accept-Encoding`` names gzip, not with q=0)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


async def _saved_answer(request: Request, saved, format: str | None) -> Response:
    """A saved query's response: its answer kept by the read model for this store when there is one
    (``graph.store.readmodel``: computed by ``aidgraph rebuild`` or by an earlier run, dropped by every
    write), else the query lane's answer, then kept. The same bytes either way."""
    from api.queries_service import read_model

    model = read_model(request)
    fmt = negotiate(request.headers.get("accept"), "table", format)
    cap = request.app.state.settings.result_cap
    if model is None or fmt is None or "now()" in saved.sparql.lower() or \
            classify(saved.sparql).is_graph_result:
        return await _run_query(request, saved.sparql, None, None, format)
    kept = await run_in_threadpool(model.saved_answer, saved.name, fmt.name, cap)
    if kept is not None:
        return _result_response(request, kept, fmt)
    generation = model.generation()
    result, fmt = await _query_result(request, saved.sparql, None, None, format)
    if generation is not None:
        await run_in_threadpool(model.keep_answer, saved.name, fmt.name, cap, generation, result)
    return _result_response(request, result, fmt)


@router.get("/dump", summary="The whole dataset (token required)",
            response_class=Response, responses={200: {"content": {m: _TEXT for m in DUMP_FORMATS.values()}},
                       403: {"description": "no valid token"}, 503: {"description": "timed out"}},
            dependencies=TOKEN_SECURITY)
async def dump(request: Request,
               format: Annotated[str, Query(pattern="^(trig|nquads)$")] = "trig") -> Response:
    """Every named graph as TriG or N-Quads. Dumps are unbounded, hence the token."""
    check_token(request)
    body = await run_in_threadpool(request.app.state.engine.call, "dump", {"fmt": format})
    return Response(body, media_type=DUMP_FORMATS[format])
