"""Pictures of the graph: a timeline of pledges and a drawing of a network projection.

Both draw on a bare ``matplotlib.figure.Figure`` (Agg/SVG canvases, no pyplot state, no display
needed) and return PNG or SVG bytes. In SVG output every donor row of the timeline is one group
``<g id="donor-{code}">`` (the last segment of the donor IRI, e.g. ``donor-DE``) and every node type
of the network one group ``<g id="nodes-{type}">``, so the pictures can be styled or checked.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.errors import InputError
from graph.export.gexf import DEFAULT_COLOUR, TYPE_COLOURS
from graph.export.projections import (
    build_projection,
    date_interval,
    iri_tail,
    meeting_dates_of,
    node_labels,
    pledge_records,
)

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure

    from graph.store.base import Store

IMAGE_FORMATS: Mapping[str, str] = {"png": "image/png", "svg": "image/svg+xml"}
DEFAULT_DPI = 100
TIMELINE_SIZE = (10.0, 6.0)   # inches; 1000 x 600 px at the default dpi
NETWORK_SIZE = (10.0, 10.0)


def _new_figure(size: tuple[float, float]) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=size, dpi=DEFAULT_DPI, layout="constrained")


def _render(figure: Figure, fmt: str) -> bytes:
    if fmt not in IMAGE_FORMATS:
        raise InputError(f"unknown image format {fmt!r}", hint=f"choose one of {', '.join(IMAGE_FORMATS)}")
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else None
    figure.savefig(buffer, format=fmt, dpi=DEFAULT_DPI, metadata=metadata)
    return buffer.getvalue()


def _midpoint(interval: tuple[str, str]) -> date:
    start, end = date.fromisoformat(interval[0]), date.fromisoformat(interval[1])
    return start + (end - start) / 2


def dated_pledges(store: Store, *, graph: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """Pledges with a ``when`` date (their own date, else their meeting's; the middle of a month or
    year when only that is known) and a ``donor_label``; plus the number of undated pledges."""
    labels = node_labels(store)
    meetings = meeting_dates_of(store)
    dated, undated = [], 0
    for record in pledge_records(store, graph=graph):
        interval = date_interval(record.get("date")) or meetings.get(record.get("meeting") or "")
        if interval is None:
            undated += 1
            continue
        donor = record["donor"]
        category = iri_tail(record["category"]) if record.get("category") else "other"
        dated.append({**record, "when": _midpoint(interval), "category_name": category,
                      "donor_label": labels.get(donor, iri_tail(donor))})
    return dated, undated


def timeline_plot(store: Store, *, graph: str | None = None, fmt: str = "png") -> bytes:
    """Pledges over time: one row per donor, one marker per pledge coloured by category, marker area
    growing with the quantity. Returns PNG or SVG bytes (1000 x 600 px)."""
    import matplotlib.dates as mdates

    pledges, undated = dated_pledges(store, graph=graph)
    figure = _new_figure(TIMELINE_SIZE)
    axes = figure.add_subplot()
    labels = {p["donor"]: p["donor_label"] for p in pledges}
    donors = sorted(labels, key=lambda donor: labels[donor].lower(), reverse=True)
    categories = sorted({p["category_name"] for p in pledges})
    palette = _category_palette(categories)
    by_donor: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pledge in pledges:
        by_donor[pledge["donor"]].append(pledge)
    for row, donor in enumerate(donors):
        rows = sorted(by_donor[donor], key=lambda p: p["when"])
        axes.scatter(
            [p["when"] for p in rows], [row] * len(rows),
            # log scale: a pledge of 100,000 drones must not hide the rest of the row
            s=[30 + 30 * math.log10(1 + (p.get("quantity") or 0)) for p in rows],
            c=[palette[p["category_name"]] for p in rows], alpha=0.8, edgecolors="black", linewidths=0.4,
            gid=f"donor-{_svg_id(iri_tail(donor))}", zorder=3,
        )
    axes.set_yticks(range(len(donors)), [labels[donor] for donor in donors])
    axes.set_ylim(-0.8, max(len(donors), 1) - 0.2)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(mdates.AutoDateLocator()))
    axes.grid(axis="x", alpha=0.3)
    axes.set_xlabel("date of pledge (or of the meeting where it was announced)")
    title = f"Pledges over time by donor and category ({len(pledges)} pledges"
    title += f", {undated} undated not shown)" if undated else ")"
    axes.set_title(title)
    if not pledges:
        axes.text(0.5, 0.5, "no dated pledges", transform=axes.transAxes, ha="center", va="center")
    _category_legend(axes, palette)
    return _render(figure, fmt)


def _category_palette(categories: list[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    colours = colormaps["tab20"]
    return {category: colours(index % 20) for index, category in enumerate(categories)}


def _category_legend(axes: Any, palette: Mapping[str, Any]) -> None:
    from matplotlib.lines import Line2D

    if not palette:
        return
    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor=colour, markeredgecolor="black",
                      label=category.replace("_", " ")) for category, colour in palette.items()]
    axes.legend(handles=handles, title="category", loc="upper left", bbox_to_anchor=(1.01, 1.0),
                frameon=False)


def _svg_id(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


def network_plot(store: Store, projection: str = "full", *, graph: str | None = None, fmt: str = "png",
                 max_nodes: int = 150, seed: int = 7) -> bytes:
    """Draw ``projection`` (nodes coloured by type, sized by degree, the best-connected labelled).

    Only the ``max_nodes`` connected nodes of highest degree are drawn, so large stores stay readable.
    Returns PNG or SVG bytes (1000 x 1000 px).
    """
    network = build_projection(store, projection, graph=graph)
    return draw_network(network, title=f"aidgraph: {projection}", fmt=fmt, max_nodes=max_nodes, seed=seed)


def top_nodes(network: nx.Graph, max_nodes: int) -> list[Any]:
    """The ``max_nodes`` connected nodes of highest degree (ties broken by id, so the choice is stable).

    Isolated nodes are left out: scattered at the edges they only shrink the picture."""
    connected = [node for node in network.nodes if network.degree(node) > 0]
    return sorted(connected, key=lambda node: (-network.degree(node), str(node)))[:max_nodes]


def draw_network(network: nx.Graph, *, title: str = "", fmt: str = "png", max_nodes: int = 150,
                 seed: int = 7) -> bytes:
    """Draw a networkx graph with the node attributes of :mod:`graph.export.projections`."""
    import networkx as nx
    from matplotlib.collections import LineCollection

    shown = network.subgraph(top_nodes(network, max_nodes))
    figure = _new_figure(NETWORK_SIZE)
    axes = figure.add_subplot()
    axes.set_axis_off()
    hidden = network.number_of_nodes() - shown.number_of_nodes()
    axes.set_title(title + (f" ({hidden} smaller nodes not shown)" if hidden else ""))
    if shown.number_of_nodes() == 0:
        axes.text(0.5, 0.5, "empty network", transform=axes.transAxes, ha="center", va="center")
        return _render(figure, fmt)
    positions = nx.spring_layout(nx.Graph(shown), seed=seed, weight="weight",
                                 k=1.5 / math.sqrt(shown.number_of_nodes()))
    segments = [(positions[u], positions[v]) for u, v in shown.edges()]
    widths = [0.4 + math.log1p(data.get("weight", 1.0)) for *_ends, data in shown.edges(data=True)]
    axes.add_collection(LineCollection(segments, colors="#888888", linewidths=widths, alpha=0.5,
                                       zorder=1, gid="edges"))
    degrees = dict(shown.degree())
    by_type: dict[str, list[Any]] = defaultdict(list)
    for node, data in shown.nodes(data=True):
        by_type[data.get("type") or "other"].append(node)
    for node_type, nodes in sorted(by_type.items()):
        axes.scatter([positions[n][0] for n in nodes], [positions[n][1] for n in nodes],
                     s=[40 + 40 * math.sqrt(degrees[n]) for n in nodes],
                     c=TYPE_COLOURS.get(node_type, DEFAULT_COLOUR), edgecolors="white", linewidths=0.6,
                     label=node_type, zorder=2, gid=f"nodes-{node_type}")
    for node in top_nodes(shown, 25):
        x, y = positions[node]
        axes.annotate(str(shown.nodes[node].get("label") or node), (x, y), fontsize=8, ha="center",
                      va="bottom", xytext=(0, 6), textcoords="offset points", zorder=4)
    axes.legend(loc="lower left", frameon=False, markerscale=0.6)
    axes.autoscale_view()
    return _render(figure, fmt)
