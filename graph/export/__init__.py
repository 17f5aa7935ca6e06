"""Exports of the aidgraph store for Gephi and other tools, and pictures of the graph.

    projections  networks read from the store (networkx) and their projections
    gexf         GEXF 1.3 (Gephi), valid against the vendored RelaxNG schema, dynamic with spells
    graphml      GraphML (yEd, Cytoscape, igraph) via networkx, scalar attributes only
    rdf_dump     the dataset or one named graph as Turtle, TriG, N-Quads, N-Triples or JSON-LD
    csv_export   pledges, meetings and actors as CSV tables
    plots        timeline of pledges and network pictures (matplotlib, PNG or SVG)

Submodules import networkx, lxml and matplotlib; this package imports nothing heavy by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.errors import InputError

if TYPE_CHECKING:
    from graph.store.base import Store

NETWORK_FORMATS: tuple[str, ...] = ("gexf", "graphml")
RDF_EXPORT_FORMATS: tuple[str, ...] = ("turtle", "trig", "nquads", "jsonld", "nt")
FORMATS: tuple[str, ...] = (*NETWORK_FORMATS, *RDF_EXPORT_FORMATS, "csv")
PROJECTIONS: tuple[str, ...] = ("full", "actor-meeting", "donor-equipment", "co-attendance",
                                "donor-commitment")
CSV_TABLES: tuple[str, ...] = ("pledges", "meetings", "actors")


@dataclass(frozen=True, slots=True)
class ExportResult:
    """Exported bytes with their media type and the usual file extension."""

    content: bytes
    media_type: str
    extension: str


def export(store: Store, fmt: str, *, projection: str = "full", graph: str | None = None,
           table: str = "pledges", dynamic: bool = True, weight_by: str = "pledges") -> ExportResult:
    """Export the store (or its named graph ``graph``) in ``fmt``, one of :data:`FORMATS`.

    ``projection`` and ``weight_by`` apply to gexf/graphml, ``table`` to csv, ``dynamic`` to gexf.

    Raises:
        InputError: unknown format, projection, table, or graph.
    """
    if fmt == "gexf":
        from graph.export.gexf import to_gexf
        from graph.export.projections import build_projection

        network = build_projection(store, projection, graph=graph, weight_by=weight_by)
        description = f"aidgraph {projection} network" + (f" of {graph}" if graph else "")
        return ExportResult(to_gexf(network, dynamic=dynamic, description=description),
                            "application/gexf+xml", "gexf")
    if fmt == "graphml":
        from graph.export.graphml import to_graphml
        from graph.export.projections import build_projection

        network = build_projection(store, projection, graph=graph, weight_by=weight_by)
        return ExportResult(to_graphml(network), "application/graphml+xml", "graphml")
    if fmt == "csv":
        from graph.export.csv_export import table_csv

        return ExportResult(table_csv(store, table, graph=graph), "text/csv; charset=utf-8", "csv")
    if fmt in RDF_EXPORT_FORMATS:
        from graph.export.rdf_dump import RDF_FORMATS, dump_rdf

        _name, media_type, extension = RDF_FORMATS[fmt]
        return ExportResult(dump_rdf(store, fmt, graph=graph), media_type, extension)
    raise InputError(f"unknown export format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}")


PLOT_KINDS: tuple[str, ...] = ("timeline", "network")


def plot(store: Store, kind: str, *, fmt: str = "png", projection: str = "full",
         graph: str | None = None) -> ExportResult:
    """A picture of the store: ``kind`` "timeline" (pledges by donor and category over time) or
    "network" (the projection ``projection`` drawn), as PNG or SVG.

    Raises:
        InputError: unknown kind, image format, projection or graph.
    """
    from graph.export.plots import IMAGE_FORMATS, network_plot, timeline_plot

    if fmt not in IMAGE_FORMATS:
        raise InputError(f"unknown image format {fmt!r}", hint=f"choose one of {', '.join(IMAGE_FORMATS)}")
    if kind == "timeline":
        content = timeline_plot(store, graph=graph, fmt=fmt)
    elif kind == "network":
        content = network_plot(store, projection, graph=graph, fmt=fmt)
    else:
        raise InputError(f"unknown plot {kind!r}", hint=f"choose one of {', '.join(PLOT_KINDS)}")
    return ExportResult(content, IMAGE_FORMATS[fmt], fmt)


def export_payload(store: Store, **arguments: object) -> dict[str, object]:
    """:func:`export` as a plain dict (``body``, ``media_type``, ``extension``) for the API worker."""
    result = export(store, **arguments)  # type: ignore[arg-type]
    return {"body": result.content, "media_type": result.media_type, "extension": result.extension}


def plot_payload(store: Store, **arguments: object) -> dict[str, object]:
    """:func:`plot` as a plain dict (``body``, ``media_type``, ``extension``) for the API worker."""
    result = plot(store, **arguments)  # type: ignore[arg-type]
    return {"body": result.content, "media_type": result.media_type, "extension": result.extension}
