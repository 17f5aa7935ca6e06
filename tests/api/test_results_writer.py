"""One results writer: ``aidgraph query --format json|csv`` prints the bytes ``/sparql`` answers for the
same query on the same store (api.results; no xsd:string datatype on plain literals)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from api.settings import ApiSettings

QUERIES = [
    """SELECT ?pledge ?quantity ?label WHERE { ?pledge a aid:Pledge ; schema:agent ?donor .
       OPTIONAL { ?pledge aid:quantity ?quantity } OPTIONAL { ?donor skos:prefLabel ?label } }
       ORDER BY ?pledge ?label""",
    "SELECT ?e WHERE { ?claim nif:anchorOf ?e } ORDER BY ?e",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "ASK { ?m a aid:Meeting }",
]
MEDIA = {"json": "application/sparql-results+json", "csv": "text/csv"}


@pytest.fixture(scope="module")
def stores(tmp_path_factory, store_builder):
    folder = tmp_path_factory.mktemp("writer")
    served = store_builder(folder / "served")
    shutil.copytree(served, folder / "cli")
    return served, folder / "cli"


@pytest.fixture(scope="module")
def cli_outputs(stores):
    """``aidgraph query`` run as a user runs it (a process per query)."""
    outputs = {}
    for index, query in enumerate(QUERIES):
        for fmt in MEDIA:
            command = [sys.executable, "-m", "graph.cli", "--store", str(stores[1]), "query", query,
                       "--format", fmt]
            run = subprocess.run(command, capture_output=True, timeout=120)
            assert run.returncode == 0, run.stderr.decode()
            outputs[index, fmt] = run.stdout
    return outputs


@pytest.fixture(scope="module")
def endpoint_outputs(stores, live_server_class):
    from graph.cli.query_cmd import with_prefixes

    outputs = {}
    with live_server_class(ApiSettings(store=str(stores[0]))) as live, live.client() as http:
        for index, query in enumerate(QUERIES):
            for fmt, media_type in MEDIA.items():
                response = http.get("/sparql", params={"query": with_prefixes(query)},
                                    headers={"Accept": media_type})
                assert response.status_code == 200
                outputs[index, fmt] = response.content
    return outputs


@pytest.mark.parametrize("fmt", list(MEDIA))
@pytest.mark.parametrize("index", range(len(QUERIES)))
def test_cli_and_endpoint_write_the_same_bytes(cli_outputs, endpoint_outputs, index, fmt):
    assert cli_outputs[index, fmt] == endpoint_outputs[index, fmt]


def test_plain_literals_carry_no_string_datatype(cli_outputs):
    document = json.loads(cli_outputs[1, "json"])
    literals = [binding["e"] for binding in document["results"]["bindings"]]
    assert literals and all("datatype" not in literal for literal in literals)
    assert list(document) == ["head", "results"]
