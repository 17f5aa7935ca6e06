"""GEXF 1.3 for Gephi, written with lxml and valid against the official RelaxNG schema.

networkx's own GEXF 1.3 writer produces files that neither GEXF schema accepts (see
``graph/export/schemas/gexf-1.3/README.md``), so aidgraph writes the XML itself:

- ``<node id=IRI label=...>`` with attribute values (``type`` for Gephi's partition colouring,
  ``degree`` for ranking, whatever else the projection carries), ``viz:color`` by type (as r/g/b,
  which networkx.read_gexf needs) and
  ``viz:size`` by degree;
- ``<edge kind=type weight=...>``: ``kind`` keeps edges of different types between the same two nodes
  apart (GEXF 1.3 parallel edges);
- in dynamic mode (``timeformat="date"``, interval representation) every dated node and edge carries
  ``<spells>``, so Gephi's timeline animates meetings and pledges. Undated elements have no spell,
  which Gephi reads as "always present".

>>> data = to_gexf(network)               # doctest: +SKIP
>>> validate_gexf(data)                   # doctest: +SKIP
[]
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
from lxml import etree

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "gexf-1.3" / "gexf.rng"

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), one per node type.
TYPE_COLOURS: Mapping[str, str] = {
    "person": "#E69F00",
    "country": "#0072B2",
    "organisation": "#009E73",
    "meeting": "#CC79A7",
    "equipment": "#D55E00",
}
DEFAULT_COLOUR = "#999999"

# Node and edge data keys that become GEXF structure rather than attribute values.
RESERVED_NODE_KEYS = frozenset({"label", "spells"})
RESERVED_EDGE_KEYS = frozenset({"weight", "spells"})

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def rgb_channels(colour: str) -> dict[str, str]:
    """``viz:color`` attributes r, g, b of a ``#RRGGBB`` colour. GEXF 1.3 allows hex or r/g/b (one of the
    two); networkx.read_gexf reads only r/g/b, Gephi both."""
    channels = (("r", 1), ("g", 3), ("b", 5))
    return {channel: str(int(colour[start:start + 2], 16)) for channel, start in channels}


def node_size(degree: int) -> float:
    """viz:size of a node: grows with the square root of its degree (area ~ degree)."""
    return round(5.0 + 5.0 * math.sqrt(degree), 2)


def to_gexf(network: nx.Graph, *, dynamic: bool = True, description: str | None = None,
            modified: date | None = None) -> bytes:
    """Serialise a projection (see :mod:`graph.export.projections`) as GEXF 1.3 bytes.

    ``dynamic`` writes ``mode="dynamic"`` and the ``spells`` of nodes and edges; when no element has
    spells the graph is written static. ``modified`` sets ``meta/@lastmodifieddate`` (default today).
    """
    has_spells = any(data.get("spells") for _node, data in network.nodes(data=True)) or any(
        data.get("spells") for *_ends, data in network.edges(data=True))
    dynamic = dynamic and has_spells
    root = etree.Element(f"{{{GEXF_NS}}}gexf", nsmap={None: GEXF_NS, "viz": VIZ_NS}, version="1.3")
    meta = etree.SubElement(root, f"{{{GEXF_NS}}}meta",
                            lastmodifieddate=(modified or date.today()).isoformat())
    etree.SubElement(meta, f"{{{GEXF_NS}}}creator").text = "aidgraph"
    if description:
        etree.SubElement(meta, f"{{{GEXF_NS}}}description").text = _clean(description)
    graph_element = etree.SubElement(
        root, f"{{{GEXF_NS}}}graph",
        defaultedgetype="directed" if network.is_directed() else "undirected",
        mode="dynamic" if dynamic else "static",
    )
    if dynamic:
        graph_element.set("timeformat", "date")
        graph_element.set("timerepresentation", "interval")

    degrees = dict(network.degree())
    node_rows = sorted(((node, {**data, "degree": degrees[node]}) for node, data in network.nodes(data=True)),
                       key=lambda row: str(row[0]))
    edge_rows = sorted(((u, v, data) for u, v, *_key, data in _edges(network)),
                       key=lambda row: (str(row[0]), str(row[1]), str(row[2].get("type", ""))))
    node_ids = _declare_attributes(graph_element, "node",
                                   (data for _node, data in node_rows), RESERVED_NODE_KEYS)
    edge_ids = _declare_attributes(graph_element, "edge",
                                   (data for *_ends, data in edge_rows), RESERVED_EDGE_KEYS)

    nodes_element = etree.SubElement(graph_element, f"{{{GEXF_NS}}}nodes", count=str(len(node_rows)))
    for node, data in node_rows:
        element = etree.SubElement(nodes_element, f"{{{GEXF_NS}}}node", id=_clean(str(node)),
                                   label=_clean(str(data.get("label") or node)))
        _write_attvalues(element, data, node_ids)
        if dynamic:
            _write_spells(element, data.get("spells"))
        etree.SubElement(element, f"{{{VIZ_NS}}}color",
                         rgb_channels(TYPE_COLOURS.get(data.get("type", ""), DEFAULT_COLOUR)))
        etree.SubElement(element, f"{{{VIZ_NS}}}size", value=str(node_size(data["degree"])))

    edges_element = etree.SubElement(graph_element, f"{{{GEXF_NS}}}edges", count=str(len(edge_rows)))
    for number, (source, target, data) in enumerate(edge_rows):
        element = etree.SubElement(edges_element, f"{{{GEXF_NS}}}edge", id=f"e{number}",
                                   source=_clean(str(source)), target=_clean(str(target)),
                                   weight=repr(float(data.get("weight", 1.0))))
        if data.get("type"):
            element.set("kind", _clean(str(data["type"])))
        _write_attvalues(element, data, edge_ids)
        if dynamic:
            _write_spells(element, data.get("spells"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _edges(network: nx.Graph) -> Iterable[tuple[Any, ...]]:
    if network.is_multigraph():
        return network.edges(keys=True, data=True)
    return network.edges(data=True)


def _clean(text: str) -> str:
    """Text without the control characters XML 1.0 forbids."""
    return _XML_ILLEGAL.sub("", text)


def gexf_type(values: Iterable[Any]) -> str:
    """The GEXF attribute type that holds every value: boolean, long, double or string."""
    kinds = {type(value) for value in values}
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "long"
    if kinds and kinds <= {int, float}:
        return "double"
    return "string"


def _declare_attributes(graph_element: etree._Element, attribute_class: str,
                        rows: Iterable[Mapping[str, Any]], reserved: frozenset[str]) -> dict[str, str]:
    """Write ``<attributes class=...>`` for every non-reserved key; return key -> attribute id."""
    values: dict[str, list[Any]] = {}
    for data in rows:
        for key, value in data.items():
            if key not in reserved and value is not None and value != "":
                values.setdefault(key, []).append(value)
    element = etree.SubElement(graph_element, f"{{{GEXF_NS}}}attributes", {"class": attribute_class})
    ids: dict[str, str] = {}
    for key in sorted(values):
        ids[key] = key
        etree.SubElement(element, f"{{{GEXF_NS}}}attribute", id=key, title=key,
                         type=gexf_type(values[key]))
    return ids


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return _clean(str(value))


def _write_attvalues(element: etree._Element, data: Mapping[str, Any], ids: Mapping[str, str]) -> None:
    present = [(ids[key], value) for key, value in data.items()
               if key in ids and value is not None and value != ""]
    if not present:
        return
    attvalues = etree.SubElement(element, f"{{{GEXF_NS}}}attvalues")
    for attribute_id, value in present:
        etree.SubElement(attvalues, f"{{{GEXF_NS}}}attvalue", {"for": attribute_id,
                                                                "value": _format_value(value)})


def _write_spells(element: etree._Element, spells: Iterable[tuple[str, str]] | None) -> None:
    spells = list(spells or [])
    if not spells:
        return
    spells_element = etree.SubElement(element, f"{{{GEXF_NS}}}spells")
    for start, end in spells:
        etree.SubElement(spells_element, f"{{{GEXF_NS}}}spell", start=start, end=end)


@functools.cache
def gexf_schema() -> etree.RelaxNG:
    """The GEXF 1.3 RelaxNG schema vendored in ``graph/export/schemas/gexf-1.3``."""
    return etree.RelaxNG(etree.parse(str(SCHEMA_PATH)))


def validate_gexf(data: bytes | str | Path) -> list[str]:
    """Validate GEXF (bytes, or a file path) against the GEXF 1.3 RelaxNG schema.

    Returns the schema errors as ``"line N: message"`` strings; an empty list means valid.
    """
    if isinstance(data, str | Path):
        document = etree.parse(str(data))
    else:
        document = etree.fromstring(data).getroottree()
    schema = gexf_schema()
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]
