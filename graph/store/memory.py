"""A pure-rdflib in-memory store (tests, and the baseline the benchmarks compare against)."""

from __future__ import annotations

from collections.abc import Mapping

import rdflib
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import StoreError
from graph.store.base import (
    DATASET_FORMATS,
    GraphContent,
    StoreBase,
    check_bindings,
    initial_graphs,
    query_syntax_error,
)
from graph.vocab import PREFIXES

RDFLIB_FORMATS = {"trig": "trig", "nquads": "nquads", "turtle": "turtle", "ttl": "turtle",
                  "nt": "nt", "ntriples": "nt", "jsonld": "json-ld", "json-ld": "json-ld", "xml": "xml"}


class MemoryStore(StoreBase):
    """Named graphs in an rdflib ``Dataset`` with the Memory store; default graph = union."""

    name = "memory"

    def __init__(self) -> None:
        self.supports_update = True
        self._dataset = rdflib.Dataset(default_union=True)
        for prefix, namespace in PREFIXES.items():
            self._dataset.bind(prefix, namespace)
        for name, graph in initial_graphs().items():
            if len(graph):
                self.add_graph(name, graph)

    def add_graph(self, name: str, graph: rdflib.Graph) -> None:
        self.drop_graph(name)
        target = self._dataset.graph(rdflib.URIRef(name))
        target += graph

    def drop_graph(self, name: str) -> None:
        self._dataset.remove_graph(rdflib.URIRef(name))

    def replace_graphs(self, graphs: Mapping[str, GraphContent]) -> None:
        """Every content is parsed before anything changes, so bad text leaves the store as it was."""
        parsed = {}
        for name, content in graphs.items():
            if isinstance(content, str):
                try:
                    parsed[name] = rdflib.Graph().parse(data=content, format="nt")
                except Exception as exc:  # rdflib raises parser-specific errors
                    raise StoreError(f"cannot replace graph {name}: {exc}",
                                     hint="nothing was changed; check the graphs' content") from exc
            else:
                parsed[name] = content
        for name, content in parsed.items():
            self.drop_graph(name)
            target = self._dataset.graph(rdflib.URIRef(name))
            for triple in content:
                target.add(triple)

    def graph_names(self) -> list[str]:
        return sorted(str(g.identifier) for g in self._dataset.graphs()
                      if isinstance(g.identifier, rdflib.URIRef) and len(g)
                      and g.identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID)

    def get_graph(self, name: str) -> rdflib.Graph:
        copy = rdflib.Graph(identifier=rdflib.URIRef(name))
        for prefix, namespace in PREFIXES.items():
            copy.bind(prefix, namespace)
        copy += self._dataset.graph(rdflib.URIRef(name))
        return copy

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        if not isinstance(sparql, str):
            raise TypeError("pass the query as a string")
        checked = check_bindings(bindings)
        try:
            result = self._dataset.query(sparql, initBindings=checked)
        except Exception as exc:  # pyparsing.ParseException and friends
            if type(exc).__name__ in ("ParseException", "ParseSyntaxException"):
                raise query_syntax_error(exc, sparql) from exc
            raise StoreError(f"query failed: {exc}", hint="check the query") from exc
        return result

    def update(self, sparql: str) -> None:
        try:
            self._dataset.update(sparql, initNs=PREFIXES)
        except Exception as exc:
            if type(exc).__name__ in ("ParseException", "ParseSyntaxException"):
                raise query_syntax_error(exc, sparql) from exc
            raise StoreError(f"update failed: {exc}", hint="check the update") from exc

    def serialize(self, fmt: str, *, graph: str | None = None) -> bytes:
        try:
            rdf_format = RDFLIB_FORMATS[fmt.lower()]
        except KeyError:
            raise StoreError(f"unknown RDF format {fmt!r}",
                             hint=f"use one of {', '.join(sorted(RDFLIB_FORMATS))}") from None
        if graph is not None:
            return self.get_graph(graph).serialize(format=rdf_format, encoding="utf-8")
        if fmt.lower() not in DATASET_FORMATS:
            raise StoreError(f"{fmt} cannot hold named graphs",
                             hint="use trig or nquads for the whole dataset, or pass graph=IRI")
        return self._dataset.serialize(format=rdf_format, encoding="utf-8")

    def close(self) -> None:
        self._dataset = None
