"""Every export format read back: GEXF validates against the GEXF 1.3 RelaxNG schema, GraphML through
networkx, RDF through rdflib, CSV through the csv module; counts agree with SPARQL on the same store."""

from __future__ import annotations

import csv
import io
import itertools

import networkx as nx
import pytest
import rdflib
from lxml import etree

from graph.errors import InputError
from graph.export import PROJECTIONS, export
from graph.export.gexf import GEXF_NS, TYPE_COLOURS, VIZ_NS, to_gexf, validate_gexf
from graph.export.graphml import to_graphml
from graph.export.projections import build_projection
from graph.export.rdf_dump import dump_rdf
from graph.vocab import AIDR

NS = {"g": GEXF_NS, "viz": VIZ_NS}
T1 = str(AIDR["article/t1"])


@pytest.fixture(scope="module")
def networks(store):
    return {name: build_projection(store, name) for name in PROJECTIONS}


def parse_gexf(data: bytes) -> etree._Element:
    return etree.fromstring(data)


@pytest.mark.parametrize("dynamic", [True, False])
@pytest.mark.parametrize("name", PROJECTIONS)
def test_gexf_is_valid_and_complete(networks, name, dynamic):
    network = networks[name]
    data = to_gexf(network, dynamic=dynamic)
    assert validate_gexf(data) == []
    root = parse_gexf(data)
    nodes = root.findall(".//g:nodes/g:node", NS)
    edges = root.findall(".//g:edges/g:edge", NS)
    assert len(nodes) == network.number_of_nodes()
    assert len(edges) == network.number_of_edges()
    assert {node.get("id") for node in nodes} == {str(node) for node in network.nodes}
    graph = root.find("g:graph", NS)
    assert graph.get("mode") == ("dynamic" if dynamic else "static")
    assert bool(root.findall(".//g:spells", NS)) == dynamic


@pytest.mark.parametrize("dynamic", [True, False])
@pytest.mark.parametrize("name", PROJECTIONS)
def test_networkx_reads_every_gexf_export(networks, name, dynamic, tmp_path):
    """networkx.read_gexf (the most used Python GEXF reader) reads each projection back whole."""
    network = networks[name]
    path = tmp_path / f"{name}.gexf"
    path.write_bytes(to_gexf(network, dynamic=dynamic))
    read = nx.read_gexf(path)
    assert read.number_of_nodes() == network.number_of_nodes()
    assert read.number_of_edges() == network.number_of_edges()
    assert set(read.nodes) == {str(node) for node in network.nodes}
    for node, data in read.nodes(data=True):
        assert data["label"] == network.nodes[node].get("label", node)
        colour = TYPE_COLOURS.get(network.nodes[node].get("type", ""))
        if colour:
            assert "#{:02X}{:02X}{:02X}".format(*(data["viz"]["color"][c] for c in "rgb")) == colour
    if dynamic and any(data.get("spells") for *_ends, data in network.edges(data=True)):
        assert any(data.get("spells") for *_ends, data in read.edges(data=True))


def test_gexf_nodes_carry_type_colour_size_and_label(networks):
    network = networks["full"]
    root = parse_gexf(to_gexf(network))
    declarations = root.findall(".//g:attributes[@class='node']/g:attribute", NS)
    declared = {attribute.get("title"): attribute.get("id") for attribute in declarations}
    for node in root.findall(".//g:nodes/g:node", NS):
        data = network.nodes[node.get("id")]
        values = {v.get("for"): v.get("value") for v in node.findall("g:attvalues/g:attvalue", NS)}
        assert values[declared["type"]] == data["type"]
        assert values[declared["degree"]] == str(network.degree(node.get("id")))
        assert node.get("label") == data["label"]
        colour = node.find("viz:color", NS)
        channels = (int(colour.get(channel)) for channel in "rgb")
        assert "#{:02X}{:02X}{:02X}".format(*channels) == TYPE_COLOURS[data["type"]]
        assert float(node.find("viz:size", NS).get("value")) > 0
    sizes = {node.get("id"): float(node.find("viz:size", NS).get("value"))
             for node in root.findall(".//g:nodes/g:node", NS)}
    by_degree = sorted(network.nodes, key=network.degree)
    assert sizes[by_degree[0]] < sizes[by_degree[-1]]


def test_dynamic_gexf_shows_meetings_and_pledges_on_a_timeline(networks):
    root = parse_gexf(to_gexf(networks["full"]))
    graph = root.find("g:graph", NS)
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    edge_kinds = {edge.get("kind") for edge in root.findall(".//g:edges/g:edge", NS)
                  if edge.find("g:spells", NS) is not None}
    assert {"pledged", "attended", "chaired"} <= edge_kinds
    meetings = [node for node in root.findall(".//g:nodes/g:node", NS) if "/meeting/" in node.get("id")]
    assert meetings and all(node.find("g:spells", NS) is not None for node in meetings)
    for spells in root.findall(".//g:spells", NS):
        intervals = [(spell.get("start"), spell.get("end")) for spell in spells.findall("g:spell", NS)]
        assert intervals
        assert all(start <= end for start, end in intervals)
        assert all(first[1] < second[0] for first, second in itertools.pairwise(intervals))


def test_gexf_edge_kind_and_weight(networks):
    network = networks["donor-equipment"]
    root = parse_gexf(to_gexf(network))
    for edge in root.findall(".//g:edges/g:edge", NS):
        data = network.edges[edge.get("source"), edge.get("target")]
        assert edge.get("kind") == "pledged"
        assert float(edge.get("weight")) == data["weight"]


def test_validator_rejects_what_the_schema_forbids(networks):
    data = to_gexf(networks["full"])
    broken = data.replace(b'mode="dynamic"', b'mode="dynamic" name=""', 1)
    assert validate_gexf(broken)
    no_version = data.replace(b'version="1.3"', b"", 1)
    assert validate_gexf(no_version)


def test_networkx_gexf_13_output_is_rejected(tmp_path):
    """Why aidgraph writes GEXF itself: networkx's 1.3 output fails the schema (see the README)."""
    network = nx.Graph()
    network.add_edge("a", "b")
    path = tmp_path / "nx.gexf"
    nx.write_gexf(network, path, version="1.3")
    assert validate_gexf(path)


def test_gexf_strips_characters_xml_forbids():
    network = nx.Graph()
    network.add_node("x", label="bad\x01label", type="person")
    network.add_node("y", label="fine", type="country")
    network.add_edge("x", "y", type="member_of", weight=1.0)
    data = to_gexf(network)
    assert validate_gexf(data) == []
    assert b'label="badlabel"' in data


@pytest.mark.parametrize("name", PROJECTIONS)
def test_graphml_round_trips(networks, name):
    network = networks[name]
    back = nx.read_graphml(io.BytesIO(to_graphml(network)))
    assert back.number_of_nodes() == network.number_of_nodes()
    assert back.number_of_edges() == network.number_of_edges()
    assert back.is_directed() == network.is_directed()
    for node, data in network.nodes(data=True):
        assert back.nodes[node]["type"] == data["type"]
        assert back.nodes[node]["label"] == data["label"]
        if data.get("spells"):
            assert back.nodes[node]["start"] == data["spells"][0][0]


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_rdf_dump_of_the_dataset(store, sparql_count, fmt):
    dataset = rdflib.Dataset()
    dataset.parse(data=dump_rdf(store, fmt), format="json-ld" if fmt == "jsonld" else fmt)
    quads = sparql_count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len(set(dataset.quads((None, None, None, None)))) == quads
    assert T1 in {str(graph.identifier) for graph in dataset.graphs()}


@pytest.mark.parametrize("fmt", ["turtle", "nt", "trig", "nquads", "jsonld"])
def test_rdf_dump_of_one_graph(store, sparql_count, fmt):
    parse_as = {"jsonld": "json-ld"}.get(fmt, fmt)
    dataset = rdflib.Dataset()
    dataset.parse(data=dump_rdf(store, fmt, graph=T1), format=parse_as)
    triples = sparql_count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{T1}> {{ ?s ?p ?o }} }}")
    assert len(set(dataset.triples((None, None, None)))) == triples


@pytest.mark.parametrize(("fmt", "graph", "message"), [
    ("turtle", None, "holds one graph"),
    ("rdfxml", None, "unknown RDF format"),
    ("trig", "https://example.org/nothing", "no named graph"),
])
def test_rdf_dump_refuses_what_it_cannot_do(store, fmt, graph, message):
    with pytest.raises(InputError, match=message):
        dump_rdf(store, fmt, graph=graph)


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_csv_pledges(store, sparql_count):
    rows = read_csv(export(store, "csv", table="pledges").content)
    assert len(rows) == sparql_count(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?p a aid:Pledge } ARTICLES }")
    by_id = {row["pledge"].rsplit("/", 1)[-1]: row for row in rows}
    assert by_id["p1"]["object_label"] == "IRIS-T SLM"
    assert by_id["p1"]["donor"] == str(AIDR["country/DE"])
    assert by_id["p1"]["quantity"] == "4"
    assert len(by_id["p1"]["sources"].split("; ")) == 2
    assert (by_id["p2"]["amount"], by_id["p2"]["currency"]) == ("350000000.0", "GBP")
    assert by_id["p4"]["date"] == "2025" and by_id["p4"]["status"] == "planned"
    assert by_id["p6"]["date"] == ""


def test_csv_meetings(store, sparql_count):
    rows = read_csv(export(store, "csv", table="meetings").content)
    assert len(rows) == sparql_count(
        "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH ?g { ?m a aid:Meeting } ARTICLES }")
    first = next(row for row in rows if row["meeting"].endswith("UDCG-2025-04-11"))
    assert first["chairs"].split("; ") == sorted(first["chairs"].split("; "))
    assert len(first["chairs"].split("; ")) == 2
    assert first["remote_attendees"] == "Pete Hegseth"
    assert (first["place"], first["n_countries"]) == ("Brussels", "50")
    assert first["n_pledges"] == "2"


def test_csv_actors(store, networks):
    rows = read_csv(export(store, "csv", table="actors").content)
    network = networks["full"]
    actors = [n for n, d in network.nodes(data=True) if d["type"] in {"person", "country", "organisation"}]
    assert len(rows) == len(actors)
    pistorius = next(row for row in rows if row["actor"].endswith("boris-pistorius"))
    assert pistorius["n_meetings"] == "2"
    assert pistorius["roles"].startswith("defence_minister")


def test_export_refuses_unknown_format_and_table(store):
    with pytest.raises(InputError, match="unknown export format"):
        export(store, "xlsx")
    with pytest.raises(InputError, match="unknown CSV table"):
        export(store, "csv", table="people")
