"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store`` (indirect graph identification).

    GET|HEAD  /store?graph=IRI    the named graph, RDF by Accept (404 when the store has no such graph)
    GET|HEAD  /store?default      the default graph (the whole dataset merged: token, like GET /dump)
    PUT       /store?graph=IRI    replace the graph with the body (201 created, 204 replaced)
    POST      /store?graph=IRI    add the body's triples to the graph (201 created, 204 merged)
    POST      /store              a new graph named urn:uuid:... by the server (201, Location)
    DELETE    /store?graph=IRI    drop the graph (204, or 404 when there is none)

Writes need the bearer token (as SPARQL Update does) and go through the store's own write methods
(``Store.replace_graphs`` / ``Store.drop_graph``, in the worker's ``graph_write``), never through raw
SPARQL. The default graph is derived from the named graphs (see the service description), so it cannot
be written: PUT/POST/DELETE ``?default`` answer 405. Bodies are limited like every request body
(``max_body_bytes``, 413); RDF types by Content-Type (Turtle, N-Triples, N3, JSON-LD, RDF/XML).
Relative IRIs in a body resolve against the graph's IRI.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.lanes import in_lane
from api.problems import Problem
from api.results import GRAPH_FORMATS, negotiate
from api.routes_sparql import TOKEN_OPTIONAL, TOKEN_SECURITY, check_token, checked_iri

PATH = "/store"
#: graphs that POST /store creates get a UUID URN (outside aidg:, so they are merged into the default graph)
NEW_GRAPH_NS = "urn:uuid:"
UNBOUNDED = 2**62  # a graph is answered whole (the body limit bounds what can be written)

router = APIRouter(tags=["graph store"])

GraphParam = Annotated[str | None, Query(description="absolute IRI of a named graph")]
DefaultParam = Annotated[str | None, Query(description="present (empty value) to address the default graph")]

_RDF_CONTENT = {fmt.media_type: {"schema": {"type": "string"}} for fmt in GRAPH_FORMATS}
_BODY = {"requestBody": {"required": True, "content": _RDF_CONTENT}}
_ERRORS = {
    400: {"description": "no graph, or both graph and default, or a malformed IRI or RDF body"},
    403: {"description": "a write (or GET ?default) without a valid token"},
    413: {"description": "request body too large"},
    503: {"description": "the store did not answer in time"},
}


def _target(request: Request, *, allow_store: bool = False) -> str | None:
    """The graph IRI the request names; None for the default graph; "" for the store itself."""
    params = request.query_params
    graphs, default = params.getlist("graph"), "default" in params
    if len(graphs) > 1 or (graphs and default):
        raise Problem(400, "ambiguous-graph", "name one graph: a single 'graph' parameter or 'default'",
                      hint=f"{PATH}?graph=IRI or {PATH}?default")
    if graphs:
        return checked_iri(graphs[0])
    if default:
        return None
    if allow_store:
        return ""
    raise Problem(400, "missing-graph", "the request names no graph",
                  hint=f"{PATH}?graph=IRI for a named graph, {PATH}?default for the default graph "
                       "(GET /dump answers the whole dataset)")


def _refuse_default_write(request: Request) -> None:
    raise Problem(405, "default-graph-read-only",
                  "the default graph is the merge of the named graphs and cannot be written directly",
                  hint=f"write a named graph ({PATH}?graph=IRI)", headers={"Allow": "GET, HEAD"})


async def _call(request: Request, operation: str, arguments: dict) -> dict:
    return await run_in_threadpool(request.app.state.engine.call, operation, arguments)


_READ = {"dependencies": TOKEN_SECURITY, "openapi_extra": TOKEN_OPTIONAL, "response_class": Response,
         "responses": {200: {"description": "the graph", "content": _RDF_CONTENT},
                       404: {"description": "no such named graph"},
                       406: {"description": "no acceptable RDF type"}} | _ERRORS}


@router.get(PATH, summary="Read a graph (Graph Store Protocol)", operation_id="read_graph", **_READ)
@router.head(PATH, summary="Headers of a graph (Graph Store Protocol)", operation_id="graph_headers", **_READ)
@in_lane
async def read_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    """A named graph (no token needed) or the default graph (token) in the RDF type Accept asks for."""
    target = _target(request)
    fmt = negotiate(request.headers.get("accept"), "graph", request.query_params.getlist("format"))
    if fmt is None:
        raise Problem(406, "not-acceptable", "cannot answer a graph in any type the request accepts",
                      hint="accept one of " + ", ".join(f.media_type for f in GRAPH_FORMATS))
    if target is None:
        check_token(request)
        sparql = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    else:
        if not await _call(request, "has_graph", {"graph": target}):
            raise Problem(404, "graph-not-found", f"no named graph {target!r} in the store",
                          hint="list the graphs with SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"
    result = await _call(request, "query", {"sparql": sparql, "fmt": fmt.name, "cap": UNBOUNDED})
    return Response(result["body"], media_type=fmt.media_type,
                    headers={"X-Result-Count": str(result["count"])})


@router.put(PATH, summary="Replace a graph (Graph Store Protocol, token)", dependencies=TOKEN_SECURITY,
            status_code=204, openapi_extra=_BODY, response_class=Response,
            responses={201: {"description": "the graph was created"},
                       204: {"description": "the graph was replaced"},
                       405: {"description": "the default graph cannot be written"},
                       415: {"description": "not an RDF type"}} | _ERRORS)
@in_lane
async def put_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    """Replace the named graph with the triples of the body (an empty body empties it)."""
    check_token(request)
    target = _target(request)
    if target is None:
        _refuse_default_write(request)
    ntriples = await _read_body(request, target)
    answer = await _call(request, "graph_write", {"action": "put", "graph": target, "ntriples": ntriples})
    return Response(status_code=204 if answer["existed"] else 201)


@router.post(PATH, summary="Add to a graph, or create one (Graph Store Protocol, token)",
             dependencies=TOKEN_SECURITY, status_code=204, openapi_extra=_BODY, response_class=Response,
             responses={201: {"description": "a graph was created (Location names it when the server chose "
                                             "the IRI)"},
                        204: {"description": "the triples were added"},
                        405: {"description": "the default graph cannot be written"},
                        415: {"description": "not an RDF type"}} | _ERRORS)
@in_lane
async def post_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    """Merge the body's triples into the named graph; without ``graph``, create a new graph."""
    check_token(request)
    target = _target(request, allow_store=True)
    if target is None:
        _refuse_default_write(request)
    created_here = target == ""
    if created_here:
        target = f"{NEW_GRAPH_NS}{uuid.uuid4()}"
    ntriples = await _read_body(request, target)
    answer = await _call(request, "graph_write", {"action": "post", "graph": target, "ntriples": ntriples})
    if created_here:
        return Response(status_code=201, headers={"Location": f"{PATH}?graph={quote(target, safe='')}"})
    return Response(status_code=204 if answer["existed"] else 201)


@router.delete(PATH, summary="Drop a graph (Graph Store Protocol, token)", dependencies=TOKEN_SECURITY,
               status_code=204, response_class=Response,
               responses={204: {"description": "the graph was dropped"},
                          404: {"description": "no such named graph"},
                          405: {"description": "the default graph cannot be written"}} | _ERRORS)
@in_lane
async def delete_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    """Drop the named graph."""
    check_token(request)
    target = _target(request)
    if target is None:
        _refuse_default_write(request)
    answer = await _call(request, "graph_write", {"action": "delete", "graph": target})
    if not answer["existed"]:
        raise Problem(404, "graph-not-found", f"no named graph {target!r} in the store")
    return Response(status_code=204)


def body_format(content_type: str) -> str:
    """The RDF media type of a request body by its Content-Type (415 when it is not one)."""
    media_type = content_type.split(";")[0].strip().lower()
    for fmt in GRAPH_FORMATS:
        if media_type == fmt.media_type or media_type in fmt.media_aliases:
            return "text/n3" if "n3" in media_type else fmt.media_type
    raise Problem(415, "unsupported-media-type", f"cannot read a graph of type {media_type or '(none)'!r}",
                  hint="send " + ", ".join(f.media_type for f in GRAPH_FORMATS))


async def _read_body(request: Request, base_iri: str) -> str:
    """The request body's triples as N-Triples (400 for malformed RDF or quads)."""
    media_type = body_format(request.headers.get("content-type", ""))
    return await run_in_threadpool(to_ntriples, await request.body(), media_type, base_iri)


def to_ntriples(body: bytes, media_type: str, base_iri: str) -> str:
    """RDF of one graph (any type pyoxigraph parses) as N-Triples text."""
    import pyoxigraph as ox

    try:
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        quads = list(ox.parse(body, format=rdf_format, base_iri=base_iri))
    except (SyntaxError, ValueError) as exc:
        raise Problem(400, "rdf-syntax", f"the body is not valid {media_type}: {exc}",
                      hint="check the RDF, or the Content-Type") from None
    if any(not isinstance(quad.graph_name, ox.DefaultGraph) for quad in quads):
        raise Problem(400, "quads-in-graph", "the body names graphs; a graph holds triples",
                      hint=f"send one graph's triples to {PATH}?graph=IRI")
    return ox.serialize([quad.triple for quad in quads], format=ox.RdfFormat.N_TRIPLES).decode()
