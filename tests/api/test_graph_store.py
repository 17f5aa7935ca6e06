"""The SPARQL 1.1 Graph Store HTTP Protocol endpoint (/store) against a real server and store."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import rdflib
from rdflib.compare import isomorphic

GRAPH = "https://example.org/gsp-test/g1"
TURTLE = """@prefix ex: <https://example.org/vocab#> .
<item/1> ex:name "first"@en ; ex:size 3 ; ex:part [ ex:name "inner" ] .
"""
MORE = '<https://example.org/item/2> <https://example.org/vocab#name> "second" .\n'


def url(graph: str = GRAPH) -> str:
    return f"/store?graph={quote(graph, safe='')}"


def graph_of(response, fmt: str = "turtle") -> rdflib.Graph:
    """The graph of a response, skolem IRIs (``.../genid/...``, RDF 1.1 §3.5: a store may replace blank
    nodes by IRIs) read as blank nodes again."""
    graph = rdflib.Graph()
    for triple in rdflib.Graph().parse(data=response.content, format=fmt):
        graph.add(tuple(rdflib.BNode(term.rsplit("/", 1)[-1]) if isinstance(term, rdflib.URIRef)
                        and "/genid/" in term else term for term in triple))
    return graph


@pytest.fixture
def clean(client, auth):
    """Drop the test graph before and after."""
    client.delete(url(), headers=auth)
    yield
    client.delete(url(), headers=auth)


def test_put_get_replace_merge_delete(client, auth, clean):
    created = client.put(url(), content=TURTLE, headers=auth | {"Content-Type": "text/turtle"})
    assert created.status_code == 201
    got = client.get(url(), headers={"Accept": "text/turtle"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/turtle")
    expected = rdflib.Graph().parse(data=TURTLE, format="turtle", publicID=GRAPH)
    assert isomorphic(graph_of(got), expected)
    # relative IRIs resolve against the graph IRI
    assert (rdflib.URIRef("https://example.org/gsp-test/item/1"), None, None) in graph_of(got)

    replaced = client.put(url(), content=MORE, headers=auth | {"Content-Type": "application/n-triples"})
    assert replaced.status_code == 204
    assert len(graph_of(client.get(url()))) == 1

    merged = client.post(url(), content=TURTLE, headers=auth | {"Content-Type": "text/turtle"})
    assert merged.status_code == 204
    assert len(graph_of(client.get(url()))) == 1 + len(expected)

    assert client.delete(url(), headers=auth).status_code == 204
    assert client.delete(url(), headers=auth).status_code == 404
    assert client.get(url()).status_code == 404


def test_written_graph_is_queryable_by_sparql(client, auth, clean):
    client.put(url(), content=TURTLE, headers=auth | {"Content-Type": "text/turtle"})
    query = f'ASK {{ GRAPH <{GRAPH}> {{ ?s <https://example.org/vocab#name> "first"@en }} }}'
    assert client.get("/sparql", params={"query": query}).json()["boolean"] is True


def test_post_to_the_store_creates_a_graph_with_a_location(client, auth):
    response = client.post("/store", content=MORE, headers=auth | {"Content-Type": "application/n-triples"})
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith("/store?graph=")
    assert len(graph_of(client.get(location))) == 1
    assert client.delete(location, headers=auth).status_code == 204


def test_post_to_a_missing_graph_creates_it(client, auth, clean):
    response = client.post(url(), content=MORE, headers=auth | {"Content-Type": "application/n-triples"})
    assert response.status_code == 201


@pytest.mark.parametrize(("media_type", "fmt"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
])
def test_every_rdf_type_in_and_out(client, auth, clean, media_type, fmt):
    body = rdflib.Graph().parse(data=TURTLE, format="turtle", publicID=GRAPH).serialize(format=fmt)
    assert client.put(url(), content=body, headers=auth | {"Content-Type": media_type}).status_code == 201
    got = client.get(url(), headers={"Accept": media_type})
    assert got.headers["content-type"].startswith(media_type)
    assert isomorphic(graph_of(got, fmt),
                                     rdflib.Graph().parse(data=TURTLE, format="turtle", publicID=GRAPH))


def test_head_answers_headers_only(client, auth, clean):
    client.put(url(), content=MORE, headers=auth | {"Content-Type": "application/n-triples"})
    head = client.head(url(), headers={"Accept": "application/n-triples"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"].startswith("application/n-triples")
    assert client.head(url("https://example.org/none")).status_code == 404


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
def test_writes_need_the_token(client, auth, clean, method, headers):
    response = client.request(method, url(), content=MORE, headers=headers | {"Content-Type": "text/turtle"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(url()).status_code == 404


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_the_default_graph_cannot_be_written(client, auth, method):
    response = client.request(method, "/store?default", content=MORE,
                              headers=auth | {"Content-Type": "application/n-triples"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_the_default_graph_is_read_with_the_token(client, auth):
    assert client.get("/store?default").status_code == 403
    response = client.get("/store?default", headers=auth | {"Accept": "application/n-triples"})
    assert response.status_code == 200
    pledge = rdflib.URIRef("https://w3id.org/aidgraph/id/pledge/de-iris")
    merged = graph_of(response, "nt")
    assert (pledge, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/aidgraph/ontology#Pledge")) in merged
    lines = response.text.strip().splitlines()
    assert len(lines) == len(set(lines)), "a triple of several graphs appears once"


@pytest.mark.parametrize(("target", "status"), [
    ("/store", 400), (f"/store?graph={quote(GRAPH)}&default", 400), ("/store?graph=not%20an%20iri", 400),
    (f"/store?graph={quote(GRAPH)}&graph={quote(GRAPH)}", 400),
])
def test_bad_graph_names(client, target, status):
    assert client.get(target).status_code == status


def test_bad_bodies_change_nothing(client, auth, clean, server):
    client.put(url(), content=MORE, headers=auth | {"Content-Type": "application/n-triples"})
    bad = client.put(url(), content="<a> <b> .", headers=auth | {"Content-Type": "text/turtle"})
    assert bad.status_code == 400 and bad.json()["type"].endswith("rdf-syntax")
    assert client.put(url(), content=MORE, headers=auth | {"Content-Type": "text/csv"}).status_code == 415
    quads = "<https://a.example/s> <https://a.example/p> <https://a.example/o> <https://a.example/g> .\n"
    nquads = auth | {"Content-Type": "application/n-quads"}
    assert client.put(url(), content=quads, headers=nquads).status_code == 415
    big = MORE * (server.settings.max_body_bytes // len(MORE) + 1)
    ntriples = auth | {"Content-Type": "application/n-triples"}
    assert client.put(url(), content=big, headers=ntriples).status_code == 413
    assert len(graph_of(client.get(url()))) == 1


def test_unacceptable_type_is_406(client, auth, clean):
    client.put(url(), content=MORE, headers=auth | {"Content-Type": "application/n-triples"})
    response = client.get(url(), headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 406
    assert json.loads(response.content)["status"] == 406
