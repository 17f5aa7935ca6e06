"""A remote SPARQL 1.1 store (Protocol over HTTP), e.g. ``oxigraph serve --union-default-graph``.

``location`` is the query URL; the update URL is ``update_url`` or derived from it (``/query`` ->
``/update``; any other URL is used for both). Bindings are sent as a ``VALUES`` block inside the
WHERE group (values serialised by rdflib, so user input cannot change the query's structure).
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import httpx
import rdflib
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import QuerySyntaxError, StoreError
from graph.store.base import (
    DATASET_FORMATS,
    GraphContent,
    StoreBase,
    initial_graphs,
    inject_values,
    query_syntax_error,
    replacement_update,
)
from graph.store.convert import graph_to_ntriples
from graph.vocab import PREFIXES


class SparqlStore(StoreBase):
    """Talks to a SPARQL 1.1 endpoint; the endpoint's default graph should be the union graph."""

    name = "sparql"

    def __init__(self, query_url: str, *, update_url: str | None = None, read_only: bool = False,
                 timeout: float = 60.0) -> None:
        self.query_url = query_url
        self.update_url = update_url or _derive_update_url(query_url)
        self.supports_update = not read_only
        self._http = httpx.Client(timeout=timeout)
        if not read_only:
            self._initialise()

    def _initialise(self) -> None:
        from graph.store.base import ONTOLOGY_GRAPH

        if ONTOLOGY_GRAPH in self.graph_names():
            return
        for name, graph in initial_graphs().items():
            if len(graph):
                self.add_graph(name, graph)

    # ------------------------------------------------------------------ HTTP

    def _post(self, url: str, data: dict[str, str], accept: str) -> httpx.Response:
        try:
            response = self._http.post(url, data=data, headers={"Accept": accept})
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {url}: {exc}",
                             hint="is the server running? check the URL given as --store") from exc
        if response.status_code == 400:
            raise query_syntax_error(QuerySyntaxError(response.text.strip()), data.get("query", ""))
        if response.status_code >= 300:
            raise StoreError(f"the SPARQL endpoint {url} answered {response.status_code}: "
                             f"{response.text.strip()[:300]}",
                             hint="check the endpoint URL and whether it accepts updates")
        return response

    # ------------------------------------------------------------------ graphs

    def add_graph(self, name: str, graph: rdflib.Graph) -> None:
        self._check_writable()
        target = rdflib.URIRef(name).n3()
        self.update(f"DROP SILENT GRAPH {target} ; INSERT DATA {{ GRAPH {target} {{ "
                    f"{graph_to_ntriples(graph)} }} }}")

    def drop_graph(self, name: str) -> None:
        self._check_writable()
        self.update(f"DROP SILENT GRAPH {rdflib.URIRef(name).n3()}")

    def replace_graphs(self, graphs: Mapping[str, GraphContent]) -> None:
        """One update request (one transaction on servers that run a request as one, like oxigraph)."""
        self._check_writable()
        if graphs:
            self.update(replacement_update(graphs))

    def graph_names(self) -> list[str]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(str(row[0]) for row in result if isinstance(row[0], rdflib.URIRef))

    def get_graph(self, name: str) -> rdflib.Graph:
        result = self.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                            bindings={"g": rdflib.URIRef(name)})
        graph = rdflib.Graph(identifier=rdflib.URIRef(name))
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        graph += result.graph
        return graph

    # ------------------------------------------------------------------ SPARQL

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        text = inject_values(sparql, bindings) if bindings else sparql
        accept = "application/sparql-results+json, application/n-triples;q=0.9"
        response = self._post(self.query_url, {"query": text}, accept)
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        if content_type == "application/sparql-results+json":
            return Result.parse(io.BytesIO(response.content), format="json")
        result = Result("CONSTRUCT")
        result.graph = rdflib.Graph()
        rdf_format = {"application/n-triples": "nt", "text/turtle": "turtle"}.get(content_type, "turtle")
        result.graph.parse(data=response.content, format=rdf_format)
        return result

    def update(self, sparql: str) -> None:
        self._check_writable()
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
        self._post(self.update_url, {"update": prologue + sparql}, "*/*")

    def serialize(self, fmt: str, *, graph: str | None = None) -> bytes:
        if graph is not None:
            return self.get_graph(graph).serialize(format=_rdflib_format(fmt), encoding="utf-8")
        if fmt.lower() not in DATASET_FORMATS:
            raise StoreError(f"{fmt} cannot hold named graphs",
                             hint="use trig or nquads for the whole dataset, or pass graph=IRI")
        dataset = rdflib.Dataset()
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace)
        for row in self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
            dataset.add((row[0], row[1], row[2], row[3]))
        return dataset.serialize(format=_rdflib_format(fmt), encoding="utf-8")

    def close(self) -> None:
        self._http.close()


def _derive_update_url(query_url: str) -> str:
    if query_url.rstrip("/").endswith("/query"):
        return query_url.rstrip("/")[: -len("query")] + "update"
    return query_url


def _rdflib_format(fmt: str) -> str:
    return {"ttl": "turtle", "ntriples": "nt", "jsonld": "json-ld"}.get(fmt.lower(), fmt.lower())
