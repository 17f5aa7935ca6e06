"""Export and picture routes: ``GET /export/{format}``, ``GET /plot/timeline``, ``GET /plot/network``.

The work runs where the store is, through an *export runner*: a callable ``(operation, arguments)
-> {"body", "media_type", "extension"}``. In the service it is the store engine
(``request.app.state.engine.call``); its worker answers the operations "export" and "plot" with
``graph.export.export_payload`` and ``graph.export.plot_payload``. Tests and embedders can override
the dependency :func:`export_runner` with any runner over a store, e.g. :func:`store_runner`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.problems import Problem
from api.routes_sparql import TOKEN_OPTIONAL, TOKEN_SECURITY, check_token
from graph.errors import InputError, StoreError

ExportRunner = Callable[[str, dict[str, Any]], dict[str, Any]]
ExportFormat = Literal["gexf", "graphml", "turtle", "trig", "nquads", "jsonld", "nt", "csv"]
Projection = Literal["full", "actor-meeting", "donor-equipment", "co-attendance", "donor-commitment"]
ImageFormat = Literal["png", "svg"]

router = APIRouter(tags=["export"])


def export_runner(request: Request) -> ExportRunner:
    """The runner of the service: the store engine kept in ``app.state.engine``."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        raise StoreError("the export routes have no store engine",
                         hint="create the app with api.app.create_app, which starts the engine")
    return engine.call


def store_runner(store: Any) -> ExportRunner:
    """A runner over a store opened in this process (tests, embedding without the worker)."""
    from api.export_payloads import export_payload
    from graph.export import plot_payload

    def has_graph(store: Any, graph: str) -> bool:
        return graph in set(store.graph_names())

    operations = {"export": export_payload, "plot": plot_payload, "has_graph": has_graph}

    def run(operation: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return operations[operation](store, **arguments)

    return run


RunnerDep = Annotated[ExportRunner, Depends(export_runner)]
GraphParam = Annotated[str | None, Query(description="IRI of one named graph (default: all)")]
ProjectionParam = Annotated[Projection, Query(description="network projection for gexf/graphml/network")]
ImageParam = Annotated[ImageFormat, Query(alias="format", description="png or svg")]


# Whole-dataset dumps are unbounded: like GET /dump they need the bearer token. Turtle and N-Triples
# cannot name graphs: without ``graph`` they carry the merged graph (api.export_payloads).
DATASET_DUMP_FORMATS = frozenset({"trig", "nquads", "jsonld", "turtle", "nt"})

EXPORT_MEDIA_TYPES = ("application/gexf+xml", "application/graphml+xml", "text/turtle", "application/trig",
                      "application/n-quads", "application/ld+json", "application/n-triples", "text/csv")
IMAGE_MEDIA_TYPES = ("image/png", "image/svg+xml")
BAD_INPUT = {400: {"description": "bad input (the problem's hint says which values are accepted)"},
             404: {"description": "no such named graph (list them at /stats or with SPARQL)"},
             422: {"description": "a parameter outside its allowed values (problem details list them)"},
             503: {"description": "the store did not answer in time"}}
EXPORT_RESPONSES = {
    200: {"description": "the export, in the media type of the format",
          "content": {media_type: {} for media_type in EXPORT_MEDIA_TYPES}},
    403: {"description": "an RDF dump of the whole dataset (trig, nquads, jsonld, turtle or nt without "
                         "'graph') needs 'Authorization: Bearer TOKEN' (the server's AIDGRAPH_TOKEN)"},
} | BAD_INPUT
PLOT_RESPONSES = {200: {"description": "the picture", "content": {media_type: {} for media_type
                                                                 in IMAGE_MEDIA_TYPES}}} | BAD_INPUT


GRAPH_HINT = ("pass the full IRI of a named graph (an article graph is "
              "https://w3id.org/aidgraph/id/article/ID; GET /articles/ID shows it as 'iri'), "
              "or leave 'graph' out for the whole store")


async def _check_graph(runner: ExportRunner, graph: str | None) -> None:
    """404 when ``graph`` is given but names no graph of the store (not an IRI, or not there)."""
    if graph is None:
        return
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(graph)
    except ValueError:
        raise Problem(404, "graph-not-found", f"no named graph {graph!r}: it is not an absolute IRI",
                      hint=GRAPH_HINT) from None
    if not await run_in_threadpool(runner, "has_graph", {"graph": graph}):
        raise Problem(404, "graph-not-found", f"no named graph {graph!r} in the store", hint=GRAPH_HINT)


async def _respond(runner: ExportRunner, operation: str, arguments: dict[str, Any],
                   filename: str) -> Response:
    """Run the operation off the event loop; an unknown graph is 404, other bad input 400."""
    await _check_graph(runner, arguments.get("graph"))
    try:
        payload = await run_in_threadpool(runner, operation, arguments)
    except InputError as exc:
        if exc.message.startswith("no named graph"):
            raise Problem(404, "graph-not-found", exc.message, hint=GRAPH_HINT) from exc
        raise
    headers = {"Content-Disposition": f'inline; filename="{filename}.{payload["extension"]}"'}
    return Response(content=payload["body"], media_type=payload["media_type"], headers=headers)


@router.get("/export/{fmt}", summary="Export the graph (GEXF, GraphML, RDF or CSV)",
            responses=EXPORT_RESPONSES, response_class=Response, dependencies=TOKEN_SECURITY,
            openapi_extra=TOKEN_OPTIONAL)
async def get_export(
    request: Request, fmt: ExportFormat, runner: RunnerDep, projection: ProjectionParam = "full",
    graph: GraphParam = None,
    table: Annotated[Literal["pledges", "meetings", "actors"], Query(description="csv table")] = "pledges",
    weight_by: Annotated[Literal["pledges", "quantity"], Query(description="donor-equipment weight")]
    = "pledges",
    dynamic: Annotated[bool, Query(description="gexf with time spells")] = True,
) -> Response:
    """The store (or one named graph) as ``fmt``: gexf (Gephi, dynamic), graphml, csv (one table)
    or RDF of one named graph (``graph``). RDF without ``graph`` dumps the whole dataset and needs the
    bearer token, like GET /dump: trig, nquads and jsonld keep the named graphs, turtle and nt carry
    the merged graph (every distinct triple once)."""
    if fmt in DATASET_DUMP_FORMATS and graph is None:
        check_token(request)
    arguments = {"fmt": fmt, "projection": projection, "graph": graph, "table": table,
                 "weight_by": weight_by, "dynamic": dynamic}
    name = f"aidgraph-{table}" if fmt == "csv" else f"aidgraph-{projection}" if fmt in {
        "gexf", "graphml"} else "aidgraph"
    return await _respond(runner, "export", arguments, name)


@router.get("/plot/timeline", summary="Pledges over time by donor and category (PNG or SVG)",
            responses=PLOT_RESPONSES, response_class=Response)
async def get_timeline(runner: RunnerDep, graph: GraphParam = None,
                       image_format: ImageParam = "png") -> Response:
    """Timeline of pledges: one row per donor, markers coloured by category."""
    arguments = {"kind": "timeline", "fmt": image_format, "graph": graph}
    return await _respond(runner, "plot", arguments, "aidgraph-timeline")


@router.get("/plot/network", summary="A network projection drawn (PNG or SVG)",
            responses=PLOT_RESPONSES, response_class=Response)
async def get_network(runner: RunnerDep, projection: ProjectionParam = "full", graph: GraphParam = None,
                      image_format: ImageParam = "png") -> Response:
    """The projection drawn: nodes coloured by type and sized by degree."""
    arguments = {"kind": "network", "fmt": image_format, "projection": projection, "graph": graph}
    return await _respond(runner, "plot", arguments, f"aidgraph-{projection}")
