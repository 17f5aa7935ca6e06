"""The saved analyst queries give the same rows on Virtuoso as on the embedded Oxigraph store, both
filled by the same ingest of the demo corpus (fails on any difference in row count or values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.pipeline import ingest_paths
from graph.store import open_store

REPO = Path(__file__).resolve().parent.parent
QUERIES = sorted((REPO / "queries").glob("*.rq"))

pytestmark = [pytest.mark.slow, pytest.mark.remote]


def _rows(store, sparql: str) -> list[tuple]:
    return sorted(tuple(("", "") if term is None else (type(term).__name__, str(term)) for term in row)
                  for row in store.query(sparql))


@pytest.fixture(scope="module")
def stores(own_virtuoso_url, tmp_path_factory):
    local = open_store(tmp_path_factory.mktemp("oxigraph") / "store")
    remote = open_store(own_virtuoso_url, backend="virtuoso")
    for store in (local, remote):
        summary = ingest_paths([REPO / "corpus" / "demo"], store, progress=False, workers=0)
        assert summary.ok and summary.articles_stored == 22
    yield local, remote
    local.close()
    remote.close()


@pytest.mark.parametrize("path", QUERIES, ids=[path.stem for path in QUERIES])
def test_saved_query_gives_the_same_rows_on_virtuoso(stores, path):
    local, remote = stores
    sparql = path.read_text(encoding="utf-8")
    expected = _rows(local, sparql)
    assert expected, f"{path.name} gives no rows on the demo store: the comparison would prove nothing"
    assert _rows(remote, sparql) == expected


def test_graph_variables_range_over_the_named_graphs_only(stores):
    local, remote = stores
    sparql = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
              'FILTER(STRSTARTS(STR(?g), "https://w3id.org/aidgraph/") '
              "&& ?g != <https://w3id.org/aidgraph/graph/store>) } GROUP BY ?g")  # not the format graph
    assert _rows(remote, sparql) == _rows(local, sparql)
