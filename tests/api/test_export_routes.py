"""/export and /plot through the real server and its store worker: media types, the token for
whole-dataset dumps, the merged graph as N-Triples/Turtle, graph IRIs that name nothing."""

from __future__ import annotations

import pytest
import rdflib

DISTINCT_TRIPLES = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
                    "{ GRAPH ?g { ?s ?p ?o } } }")


def distinct_triples(client) -> int:
    response = client.get("/sparql", params={"query": DISTINCT_TRIPLES, "format": "json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("fmt", ["nt", "turtle", "nquads", "trig", "jsonld"])
def test_whole_dataset_rdf_needs_the_token(client, fmt):
    response = client.get(f"/export/{fmt}")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "Authorization: Bearer" in response.json()["hint"]


@pytest.mark.parametrize(("fmt", "media_type", "rdflib_format"),
                         [("nt", "application/n-triples", "nt"), ("turtle", "text/turtle", "turtle")])
def test_whole_dataset_as_triples_is_the_merged_graph(client, auth, fmt, media_type, rdflib_format):
    response = client.get(f"/export/{fmt}", headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    merged = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert len(merged) == distinct_triples(client) > 100


@pytest.mark.parametrize(("path", "signature", "media_type"), [
    ("/plot/timeline?format=png", b"\x89PNG", "image/png"),
    ("/plot/timeline?format=svg", b"<?xml", "image/svg+xml"),
    ("/plot/network?format=png&projection=donor-equipment", b"\x89PNG", "image/png"),
])
def test_plots_answer_the_declared_image_types(client, path, signature, media_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.content.startswith(signature)
    declared = client.get("/openapi.json").json()["paths"][path.split("?")[0]]["get"]["responses"]["200"]
    assert set(declared["content"]) == {"image/png", "image/svg+xml"}


@pytest.mark.parametrize("graph", ["not an iri", "https://example.org/no-such-graph"])
@pytest.mark.parametrize("path", ["/export/turtle", "/export/gexf", "/plot/timeline"])
def test_a_graph_that_names_nothing_is_404_with_a_hint(client, path, graph):
    response = client.get(path, params={"graph": graph})
    assert response.status_code == 404
    body = response.json()
    assert body["type"].endswith("graph-not-found") and graph in body["detail"] and body["hint"]
