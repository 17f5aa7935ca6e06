"""Projections read from a real store: counts agree with SPARQL, weights and spells are right."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest

from graph.errors import InputError
from graph.export import PROJECTIONS
from graph.export.projections import (
    build_projection,
    date_interval,
    full_graph,
    merge_spells,
    node_type,
    project,
)
from graph.vocab import AIDR

DE, SE, NO = AIDR["country/DE"], AIDR["country/SE"], AIDR["country/NO"]
IRIS_T = str(AIDR["equipment/iris-t-slm"])
PISTORIUS = str(AIDR["person/boris-pistorius"])
T3 = str(AIDR["article/t3"])


@pytest.fixture(scope="module")
def full(store):
    return full_graph(store)


def edges_of(network: nx.Graph, edge_type: str) -> list[tuple]:
    return [(u, v, data) for u, v, data in network.edges(data=True) if data["type"] == edge_type]


@pytest.mark.parametrize(("edge_type", "query"), [
    ("attended", "SELECT (COUNT(DISTINCT *) AS ?n) WHERE { GRAPH ?g { ?m schema:attendee ?p } ARTICLES }"),
    ("attended_remotely",
     "SELECT (COUNT(DISTINCT *) AS ?n) WHERE { GRAPH ?g { ?m aid:remoteAttendee ?p } ARTICLES }"),
    ("chaired", "SELECT (COUNT(DISTINCT *) AS ?n) WHERE { GRAPH ?g { ?m aid:chair ?c } ARTICLES }"),
    ("holds_post", "SELECT (COUNT(DISTINCT *) AS ?n) WHERE { GRAPH ?g { ?p org:holds ?post } ARTICLES }"),
    ("member_of", """SELECT (COUNT(DISTINCT *) AS ?n) WHERE { GRAPH ?g {
        { ?a org:memberOf ?o } UNION { ?o org:hasMember ?a } } ARTICLES }"""),
    ("in_format", "SELECT (COUNT(DISTINCT *) AS ?n) WHERE { GRAPH ?g { ?m aid:format ?o } ARTICLES }"),
    ("pledged", """SELECT (COUNT(DISTINCT *) AS ?n) WHERE { SELECT DISTINCT ?d ?t WHERE { GRAPH ?g {
        ?p a aid:Pledge ; schema:agent ?d . OPTIONAL { ?p schema:object ?o } OPTIONAL { ?p aid:category ?c }
        BIND(COALESCE(?o, ?c) AS ?t) FILTER(BOUND(?t)) } ARTICLES } }"""),
])
def test_edge_counts_match_sparql(full, sparql_count, edge_type, query):
    expected = sparql_count(query)
    assert expected > 0
    assert len(edges_of(full, edge_type)) == expected


def test_pledged_edges_aggregate_every_pledge(full, sparql_count):
    pledges = sparql_count(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?p a aid:Pledge } ARTICLES }")
    assert sum(data["n_pledges"] for *_ends, data in edges_of(full, "pledged")) == pledges


@pytest.mark.parametrize(("node_kind", "classes"), [
    ("person", "schema:Person"),
    ("country", "schema:Country"),
    ("organisation", "org:Organization aid:DonorGroup"),
    ("meeting", "aid:Meeting"),
])
def test_node_counts_match_sparql(full, sparql_count, node_kind, classes):
    expected = sparql_count(f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
        GRAPH ?g {{ ?x a ?class }} VALUES ?class {{ {classes} }} ARTICLES }}""")
    assert sum(1 for _node, data in full.nodes(data=True) if data["type"] == node_kind) == expected


def test_equipment_nodes_are_systems_and_categories_pledged_without_a_system(full, sparql_count):
    systems = sparql_count(
        "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { GRAPH ?g { ?x a aid:EquipmentSystem } ARTICLES }")
    categories = sparql_count("""SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g {
        ?p a aid:Pledge ; aid:category ?c FILTER NOT EXISTS { ?p schema:object ?o } } ARTICLES }""")
    equipment = [node for node, data in full.nodes(data=True) if data["type"] == "equipment"]
    assert len(equipment) == systems + categories


def test_nodes_have_labels_and_known_types(full):
    for node, data in full.nodes(data=True):
        assert data["type"] == node_type(node)
        assert data["label"]
    assert full.nodes[PISTORIUS]["label"] == "Boris Pistorius"
    assert full.nodes[IRIS_T]["label"] == "IRIS-T SLM"


def test_contradicting_quantities_keep_the_largest(full):
    # pledge p1 says 4 in one article and 2 in another; p3 adds 3 more of the same system
    edge = full.edges[str(DE), IRIS_T, "pledged"]
    assert edge["n_pledges"] == 2
    assert edge["quantity"] == 4 + 3
    assert edge["spells"] == [("2025-04-11", "2025-04-11"), ("2025-06-01", "2025-06-30")]


def test_undated_pledge_has_no_spell_and_meeting_date_is_used(full):
    (edge,) = [data for u, _v, data in edges_of(full, "pledged") if u == str(AIDR["org/multiple"])]
    assert "spells" not in edge
    (gb_edge,) = [data for u, _v, data in edges_of(full, "pledged") if u == str(AIDR["country/GB"])]
    assert gb_edge["spells"] == [("2025-04-11", "2025-04-11")]  # date of the meeting it was announced at


def test_spells_are_sorted_and_ordered(full):
    elements = [data for _n, data in full.nodes(data=True)] + [d for *_e, d in full.edges(data=True)]
    dated = [data["spells"] for data in elements if data.get("spells")]
    assert len(dated) > 10
    for spells in dated:
        assert all(start <= end for start, end in spells)
        assert all(first[1] < second[0] for first, second in itertools.pairwise(spells))


def test_one_named_graph(store):
    network = full_graph(store, graph=T3)
    assert set(network.nodes) == {str(SE), str(AIDR["org/multiple"]), str(AIDR["person/ulf-kristersson"]),
                                  str(AIDR["category/ammunition"])}
    assert [data["type"] for *_ends, data in network.edges(data=True)] == ["pledged"]


def test_unknown_graph_and_projection_are_input_errors(store, full):
    with pytest.raises(InputError, match="no named graph"):
        full_graph(store, graph="https://example.org/none")
    with pytest.raises(InputError, match="unknown projection"):
        project(full, "everything")


def test_actor_meeting_is_bipartite_with_one_edge_per_pair(full, sparql_count):
    network = project(full, "actor-meeting")
    pairs = sparql_count("""SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?m WHERE {
        GRAPH ?g { ?m schema:attendee|aid:remoteAttendee|aid:chair ?a } ARTICLES } }""")
    assert network.number_of_edges() == pairs
    top = {node for node, data in network.nodes(data=True) if data["bipartite"] == 0}
    assert nx.bipartite.is_bipartite_node_set(network, top)
    assert {network.nodes[node]["type"] for node in top} <= {"person", "country", "organisation"}
    assert network.edges[str(DE), str(AIDR["meeting/UDCG-2025-04-11"])]["type"] == "chaired"


@pytest.mark.parametrize(("weight_by", "expected"), [("pledges", 2.0), ("quantity", 7.0)])
def test_donor_equipment_weights(full, weight_by, expected):
    network = project(full, "donor-equipment", weight_by=weight_by)
    assert network.is_directed()
    assert network.edges[str(DE), IRIS_T]["weight"] == expected
    assert {data["type"] for *_ends, data in network.edges(data=True)} == {"pledged"}


def test_co_attendance_counts_shared_meetings(full):
    network = project(full, "co-attendance")
    assert network.edges[str(DE), PISTORIUS]["weight"] == 2.0
    assert network.edges[str(AIDR["person/pete-hegseth"]), PISTORIUS]["weight"] == 1.0
    # every co-attendance edge joins two actors who share a meeting in the bipartite view
    bipartite = project(full, "actor-meeting")
    for first, second, data in network.edges(data=True):
        shared = set(bipartite.neighbors(first)) & set(bipartite.neighbors(second))
        assert len(shared) == data["meetings"] == data["weight"]


@pytest.mark.parametrize("name", PROJECTIONS)
def test_build_projection_gives_typed_weighted_edges(store, name):
    network = build_projection(store, name)
    assert network.number_of_edges() > 0
    assert all(data["weight"] > 0 for *_ends, data in network.edges(data=True))


@pytest.mark.parametrize(("value", "expected"), [
    ("2025", ("2025-01-01", "2025-12-31")),
    ("2024-02", ("2024-02-01", "2024-02-29")),
    ("2025-04-11", ("2025-04-11", "2025-04-11")),
    ("2025-04-11T10:00:00", ("2025-04-11", "2025-04-11")),
    ("", None), (None, None), ("spring", None), ("2025-13", None),
])
def test_date_interval(value, expected):
    assert date_interval(value) == expected


def test_merge_spells_joins_overlaps_only():
    spells = [("2025-06-01", "2025-06-30"), ("2025-01-01", "2025-12-31"), ("2026-01-05", "2026-01-05")]
    assert merge_spells(spells) == [("2025-01-01", "2025-12-31"), ("2026-01-05", "2026-01-05")]
