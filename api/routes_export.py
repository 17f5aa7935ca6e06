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
from api.routes_sparql import check_token
from graph.errors import InputError, StoreError

ExportRunner = Callable[[str, dict[str, Any]], dict[str, Any]]
ExportFormat = Literal["gexf", "graphml", "turtle", "trig", "nquads", "jsonld", "nt", "csv"]
Projection = Literal["full", "actor-meeting", "donor-equipment", "co-attendance"]
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
    from graph.export import export_payload, plot_payload

    operations = {"export": export_payload, "plot": plot_payload}

    def run(operation: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return operations[operation](store, **arguments)

    return run


RunnerDep = Annotated[ExportRunner, Depends(export_runner)]
GraphParam = Annotated[str | None, Query(description="IRI of one named graph (default: all)")]
ProjectionParam = Annotated[Projection, Query(description="network projection for gexf/graphml/network")]
ImageParam = Annotated[ImageFormat, Query(alias="format", description="png or svg")]


# Whole-dataset dumps are unbounded: like GET /dump they need the bearer token.
DATASET_DUMP_FORMATS = frozenset({"trig", "nquads", "jsonld"})


async def _respond(runner: ExportRunner, operation: str, arguments: dict[str, Any],
                   filename: str) -> Response:
    """Run the operation off the event loop; an unknown graph is 404, other bad input 400."""
    try:
        payload = await run_in_threadpool(runner, operation, arguments)
    except InputError as exc:
        if exc.message.startswith("no named graph"):
            raise Problem(404, "graph-not-found", exc.message, hint=exc.hint) from exc
        raise
    headers = {"Content-Disposition": f'inline; filename="{filename}.{payload["extension"]}"'}
    return Response(content=payload["body"], media_type=payload["media_type"], headers=headers)


@router.get("/export/{fmt}", summary="Export the graph (GEXF, GraphML, RDF or CSV)",
            responses={400: {"description": "bad input"}, 403: {"description": "dataset dump without token"},
                       404: {"description": "no such named graph"}})
async def get_export(
    request: Request, fmt: ExportFormat, runner: RunnerDep, projection: ProjectionParam = "full",
    graph: GraphParam = None,
    table: Annotated[Literal["pledges", "meetings", "actors"], Query(description="csv table")] = "pledges",
    weight_by: Annotated[Literal["pledges", "quantity"], Query(description="donor-equipment weight")]
    = "pledges",
    dynamic: Annotated[bool, Query(description="gexf with time spells")] = True,
) -> Response:
    """The store (or one named graph) as ``fmt``: gexf (Gephi, dynamic), graphml, csv (one table)
    or RDF (turtle and nt need ``graph``; trig, nquads and jsonld without ``graph`` dump the whole
    dataset and need the bearer token, like GET /dump)."""
    if fmt in DATASET_DUMP_FORMATS and graph is None:
        check_token(request)
    arguments = {"fmt": fmt, "projection": projection, "graph": graph, "table": table,
                 "weight_by": weight_by, "dynamic": dynamic}
    name = f"aidgraph-{table}" if fmt == "csv" else f"aidgraph-{projection}" if fmt in {
        "gexf", "graphml"} else "aidgraph"
    return await _respond(runner, "export", arguments, name)


@router.get("/plot/timeline", summary="Pledges over time by donor and category (PNG or SVG)")
async def get_timeline(runner: RunnerDep, graph: GraphParam = None,
                       image_format: ImageParam = "png") -> Response:
    """Timeline of pledges: one row per donor, markers coloured by category."""
    arguments = {"kind": "timeline", "fmt": image_format, "graph": graph}
    return await _respond(runner, "plot", arguments, "aidgraph-timeline")


@router.get("/plot/network", summary="A network projection drawn (PNG or SVG)")
async def get_network(runner: RunnerDep, projection: ProjectionParam = "full", graph: GraphParam = None,
                      image_format: ImageParam = "png") -> Response:
    """The projection drawn: nodes coloured by type and sized by degree."""
    arguments = {"kind": "network", "fmt": image_format, "projection": projection, "graph": graph}
    return await _respond(runner, "plot", arguments, f"aidgraph-{projection}")
