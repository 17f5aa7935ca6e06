"""Pictures are valid PNG/SVG of the documented size with the expected content counts."""

from __future__ import annotations

import io

import matplotlib.image
import pytest
from lxml import etree

from graph.errors import InputError
from graph.export import plot
from graph.export.plots import DEFAULT_DPI, NETWORK_SIZE, TIMELINE_SIZE, dated_pledges, draw_network
from graph.export.projections import build_projection

SVG_NS = {"svg": "http://www.w3.org/2000/svg"}
T3 = "https://w3id.org/aidgraph/id/article/t3"


def png_shape(content: bytes) -> tuple[int, int]:
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    height, width, _channels = matplotlib.image.imread(io.BytesIO(content), format="png").shape
    return width, height


def svg_groups(content: bytes, prefix: str) -> dict[str, etree._Element]:
    root = etree.fromstring(content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return {g.get("id"): g for g in root.iter("{http://www.w3.org/2000/svg}g")
            if (g.get("id") or "").startswith(prefix)}


def markers(group: etree._Element) -> int:
    """Scatter markers: matplotlib writes one <use> of a shared marker per point, or one <path> per
    point when the points differ in size."""
    uses = group.findall(".//svg:use", SVG_NS)
    return len(uses) if uses else len(group.findall("svg:path", SVG_NS))


@pytest.mark.parametrize(("kind", "size"), [("timeline", TIMELINE_SIZE), ("network", NETWORK_SIZE)])
def test_png_has_the_documented_size(store, kind, size):
    result = plot(store, kind, fmt="png")
    assert result.media_type == "image/png"
    assert png_shape(result.content) == (int(size[0] * DEFAULT_DPI), int(size[1] * DEFAULT_DPI))


def test_timeline_svg_has_one_marker_group_per_donor(store, sparql_count):
    content = plot(store, "timeline", fmt="svg").content
    groups = svg_groups(content, "donor-")
    pledges, undated = dated_pledges(store)
    donors = sparql_count("""SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g {
        ?p a aid:Pledge ; schema:agent ?d . { ?p dcterms:date ?date } UNION { ?p aid:announcedAt ?m } }
        ARTICLES }""")
    assert len(groups) == donors == 4
    assert sum(markers(group) for group in groups.values()) == len(pledges) == 5
    assert undated == 1
    assert markers(groups["donor-DE"]) == 2
    assert b"1 undated not shown" in content


def test_timeline_of_a_graph_without_dated_pledges(store):
    content = plot(store, "timeline", fmt="svg", graph=T3).content
    assert svg_groups(content, "donor-") == {}
    assert b"no dated pledges" in content


@pytest.mark.parametrize("projection", ["full", "co-attendance", "donor-equipment"])
def test_network_svg_has_one_group_per_node_type(store, projection):
    network = build_projection(store, projection)
    content = plot(store, "network", fmt="svg", projection=projection).content
    groups = svg_groups(content, "nodes-")
    drawn = [data for node, data in network.nodes(data=True) if network.degree(node) > 0]  # no isolates
    types = {data["type"] for data in drawn}
    assert set(groups) == {f"nodes-{node_type}" for node_type in types}
    for node_type in types:
        expected = sum(1 for data in drawn if data["type"] == node_type)
        assert markers(groups[f"nodes-{node_type}"]) == expected


def test_network_drawing_keeps_only_the_largest_nodes(store):
    network = build_projection(store, "full")
    content = draw_network(network, fmt="svg", max_nodes=5)
    assert sum(markers(group) for group in svg_groups(content, "nodes-").values()) == 5
    assert f"({network.number_of_nodes() - 5} smaller nodes not shown)".encode() in content


def test_unknown_plot_or_format(store):
    with pytest.raises(InputError, match="unknown plot"):
        plot(store, "pie")
    with pytest.raises(InputError, match="unknown image format"):
        plot(store, "timeline", fmt="gif")
