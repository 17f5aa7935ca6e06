"""Fixtures of the export tests: an on-disk oxigraph store holding ``data/network.trig``.

The store is built once per session and opened read-only by the tests (several read-only openings
of one RocksDB directory may coexist), so the CLI can open it too while a test holds it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from graph.commitments import recompute
from graph.store import open_store
from graph.vocab import AIDR

FIXTURE = Path(__file__).parent / "data" / "network.trig"


def article_graphs(path: Path = FIXTURE) -> dict[str, rdflib.Graph]:
    """The article graphs of a TriG file, by graph IRI."""
    dataset = rdflib.Dataset()
    dataset.parse(path, format="trig")
    return {str(graph.identifier): graph for graph in dataset.graphs()
            if len(graph) and str(graph.identifier).startswith(str(AIDR))}


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory of an oxigraph store with the fixture articles (plus ontology and reference)."""
    path = tmp_path_factory.mktemp("export") / "store"
    with open_store(path) as store:
        for name, graph in article_graphs().items():
            store.add_graph(name, graph)
        recompute(store)  # the derived commitments graph, as an ingest leaves it
    return path


@pytest.fixture(scope="module")
def store(store_path: Path):
    """The fixture store, opened read-only."""
    with open_store(store_path, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def sparql_count(store):
    """``sparql_count(query)``: the integer ?n a SELECT query answers on the fixture store. The text
    ``ARTICLES`` in the query is replaced by a filter keeping ?g to the article graphs."""
    from graph.export.projections import sparql_prefixes

    articles = ("FILTER(?g NOT IN (<https://w3id.org/aidgraph/graph/ontology>, "
                "<https://w3id.org/aidgraph/graph/reference>))")

    def run(query: str) -> int:
        return int(next(iter(store.query(sparql_prefixes() + query.replace("ARTICLES", articles)))).n)

    return run
