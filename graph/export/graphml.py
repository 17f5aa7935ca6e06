"""GraphML via networkx, for yEd, Cytoscape, igraph and other tools that do not read GEXF.

GraphML has no time model and networkx writes only scalar attributes, so spells become two
scalar attributes (``start`` = first day, ``end`` = last day) and a text ``spells`` attribute
("2025-04-11/2025-04-11;2025-06-01/2025-06-30"). ``None`` values are left out.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import networkx as nx

SCALAR_TYPES = (str, int, float, bool)


def scalar_attributes(data: Mapping[str, Any]) -> dict[str, Any]:
    """Node or edge data with spells flattened to text and everything non-scalar dropped."""
    result = {key: value for key, value in data.items() if isinstance(value, SCALAR_TYPES)}
    spells = data.get("spells")
    if spells:
        result["spells"] = ";".join(f"{start}/{end}" for start, end in spells)
        result["start"] = spells[0][0]
        result["end"] = max(end for _start, end in spells)
    return result


def graphml_ready(network: nx.Graph) -> nx.Graph:
    """A copy of ``network`` whose attributes networkx's GraphML writer accepts."""
    result = network.__class__()
    for node, data in sorted(network.nodes(data=True), key=lambda row: str(row[0])):
        result.add_node(str(node), **scalar_attributes(data))
    if network.is_multigraph():
        for source, target, key, data in network.edges(keys=True, data=True):
            result.add_edge(str(source), str(target), key=str(key), **scalar_attributes(data))
    else:
        for source, target, data in network.edges(data=True):
            result.add_edge(str(source), str(target), **scalar_attributes(data))
    return result


def to_graphml(network: nx.Graph) -> bytes:
    """Serialise a projection (see :mod:`graph.export.projections`) as GraphML bytes (UTF-8)."""
    buffer = io.BytesIO()
    nx.write_graphml(graphml_ready(network), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()
