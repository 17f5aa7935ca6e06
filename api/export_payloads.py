"""The export operation of the API: ``graph.export.export_payload`` plus whole-dataset Turtle/N-Triples.

``graph.export`` writes Turtle and N-Triples for one named graph only (they cannot hold graph names).
Over HTTP, ``GET /export/nt`` without ``graph`` answers the *merged* graph instead: every triple of every
named graph once, graph names dropped. Like the other whole-dataset dumps it needs the bearer token.
"""

from __future__ import annotations

from typing import Any

#: formats that cannot name graphs: without ``graph`` they answer the merged graph
MERGED_FORMATS: dict[str, tuple[str, str]] = {
    "nt": ("application/n-triples", "nt"),
    "turtle": ("text/turtle", "ttl"),
}


def is_merged_dump(arguments: dict[str, Any]) -> bool:
    """True when the export asks for the merged graph of the whole dataset."""
    return arguments.get("fmt") in MERGED_FORMATS and arguments.get("graph") is None


def merged_graph(store: Any, fmt: str) -> dict[str, Any]:
    """Every distinct triple of the dataset (all named graphs merged) as N-Triples or Turtle."""
    import pyoxigraph as ox

    from graph.vocab import PREFIXES

    quads = ox.parse(store.serialize("nquads"), format=ox.RdfFormat.N_QUADS)
    triples = dict.fromkeys(ox.Triple(quad.subject, quad.predicate, quad.object) for quad in quads)
    media_type, extension = MERGED_FORMATS[fmt]
    if fmt == "turtle":
        body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
    else:
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return {"body": body, "media_type": media_type, "extension": extension}


def export_payload(store: Any, **arguments: Any) -> dict[str, Any]:
    """An export as ``{"body", "media_type", "extension"}``: the merged graph for whole-dataset
    Turtle/N-Triples, otherwise ``graph.export.export_payload``."""
    if is_merged_dump(arguments):
        return merged_graph(store, arguments["fmt"])
    from graph.export import export_payload as graph_export_payload

    return graph_export_payload(store, **arguments)
