"""A remote SPARQL 1.1 store (Protocol over HTTP), e.g. ``oxigraph serve --location DIR``.

``location`` is the query URL; the update URL is ``update_url`` or derived from it (``/query`` ->
``/update``; any other URL is used for both). Bindings are sent as a ``VALUES`` block inside the
WHERE group (values serialised by rdflib, so user input cannot change the query's structure).

The endpoint's default graph must be a graph of its own, as SPARQL 1.1 defines it (so NOT
``oxigraph serve --union-default-graph``): aidgraph keeps it the merge of the accepted graphs with
SPARQL Update (:func:`graph.store.merge.remote_replacement_update`). A small internal graph
(:data:`FORMAT_GRAPH`) records the layout version; a store without it is migrated when opened for
writing, and a server whose default graph shows it (a union default graph) is refused.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import httpx
import rdflib
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import QuerySyntaxError, StoreError
from graph.store import merge
from graph.store.base import (
    DATASET_FORMATS,
    ONTOLOGY_GRAPH,
    GraphContent,
    StoreBase,
    initial_contents,
    initial_fingerprint,
    inject_values,
    query_syntax_error,
)
from graph.vocab import DCTERMS, PREFIXES

#: the internal (not merged) graph that records the layout and the ontology files' fingerprint
FORMAT_GRAPH = merge.GRAPH_NS + "store"
_FORMAT_NODE = f"<{FORMAT_GRAPH}>"


class SparqlStore(StoreBase):
    """Talks to a SPARQL 1.1 endpoint whose default graph is a graph of its own (not a union)."""

    name = "sparql"
    #: internal graphs of the server that are not listed or dumped
    hidden_graphs: tuple[str, ...] = (FORMAT_GRAPH,)

    def __init__(self, query_url: str, *, update_url: str | None = None, read_only: bool = False,
                 timeout: float = 60.0) -> None:
        super().__init__()
        self.query_url = query_url
        self.update_url = update_url or _derive_update_url(query_url)
        self.supports_update = not read_only
        if getattr(self, "_http", None) is None:
            self._http = httpx.Client(timeout=timeout)
        self._check_default_graph()
        if not read_only:
            self._initialise()

    def _check_default_graph(self) -> None:
        """Refuse an endpoint whose default graph is the union of its named graphs."""
        if self._ask(f"ASK {{ {_FORMAT_NODE} <{DCTERMS.conformsTo}> ?format }}"):
            raise StoreError(
                f"the SPARQL endpoint {self.query_url} answers queries over the union of all its named "
                "graphs (quarantined facts included, every copy counted)",
                hint="restart it without --union-default-graph (`oxigraph serve --location DIR`)")

    def _ask(self, sparql: str) -> bool:
        return bool(self.query(sparql).askAnswer)

    def _recorded(self) -> tuple[str | None, str | None]:
        """(store format, ontology fingerprint) as recorded in FORMAT_GRAPH."""
        rows = self.query(f"SELECT ?p ?o WHERE {{ GRAPH {_FORMAT_NODE} {{ {_FORMAT_NODE} ?p ?o }} }}")
        found = {str(row[0]): str(row[1]) for row in rows}
        return found.get(str(DCTERMS.conformsTo)), found.get(str(DCTERMS.source))

    def _initialise(self) -> None:
        """Migrate an older store, and load ontology and reference knowledge when missing or changed."""
        store_format, fingerprint = self._recorded()
        if store_format == merge.STORE_FORMAT and fingerprint == initial_fingerprint():
            return
        if store_format != merge.STORE_FORMAT and ONTOLOGY_GRAPH in self.graph_names():
            self.rebuild_default_graph()
        if fingerprint != initial_fingerprint():
            self.replace_graphs(initial_contents())
        self._record()
        self._check_default_graph()

    def _record(self) -> None:
        version = rdflib.Literal(merge.STORE_FORMAT).n3()
        fingerprint = rdflib.Literal(initial_fingerprint()).n3()
        facts = f"{_FORMAT_NODE} <{DCTERMS.conformsTo}> {version} ; <{DCTERMS.source}> {fingerprint}"
        graph = _FORMAT_NODE
        self.update(f"DROP SILENT GRAPH {graph} ; INSERT DATA {{ GRAPH {graph} {{ {facts} }} }}")

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

    def replace_graphs(self, graphs: Mapping[str, GraphContent]) -> None:
        """One update request: the server computes the default graph's change (``FILTER NOT EXISTS``)
        in the same request (one transaction on servers that run a request as one, like oxigraph)."""
        self._check_writable()
        contents = merge.prepared(graphs)
        if contents:
            with self._write_lock:
                self.update(merge.remote_replacement_update(contents))

    def rebuild_default_graph(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the default graph on the server with one update request."""
        self._check_writable()
        with self._write_lock:
            self.update(merge.remote_rebuild_update())
        if progress:
            progress(1, 1)
        return int(next(iter(self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0])

    def graph_names(self) -> list[str]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(str(row[0]) for row in result
                      if isinstance(row[0], rdflib.URIRef) and str(row[0]) not in self.hidden_graphs)

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
        response = self._post(self.query_url, {"query": text}, self._accept(text))
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        if content_type == "application/sparql-results+json":
            return Result.parse(io.BytesIO(response.content), format="json")
        result = Result("CONSTRUCT")
        result.graph = rdflib.Graph()
        rdf_format = {"application/n-triples": "nt", "text/turtle": "turtle"}.get(content_type, "turtle")
        result.graph.parse(data=response.content, format=rdf_format)
        return result

    def _accept(self, sparql: str) -> str:
        """The Accept header of a query request."""
        return "application/sparql-results+json, application/n-triples;q=0.9"

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
        hidden = ", ".join(f"<{name}>" for name in self.hidden_graphs)
        for row in self.query(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                              f"FILTER(?g NOT IN ({hidden})) }}"):
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
