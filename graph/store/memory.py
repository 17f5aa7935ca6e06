"""A pure-rdflib in-memory store (tests, and the baseline the benchmarks compare against)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import rdflib
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import StoreError
from graph.store import merge
from graph.store.base import (
    DATASET_FORMATS,
    GraphContent,
    StoreBase,
    check_bindings,
    initial_contents,
    query_syntax_error,
)
from graph.store.convert import from_ox, to_ox
from graph.vocab import PREFIXES

RDFLIB_FORMATS = {"trig": "trig", "nquads": "nquads", "turtle": "turtle", "ttl": "turtle",
                  "nt": "nt", "ntriples": "nt", "jsonld": "json-ld", "json-ld": "json-ld", "xml": "xml"}


class MemoryStore(StoreBase):
    """Named graphs in an rdflib ``Dataset`` with the Memory store; its default graph is the merge."""

    name = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.supports_update = True
        self._dataset = rdflib.Dataset(default_union=False)
        for prefix, namespace in PREFIXES.items():
            self._dataset.bind(prefix, namespace)
        self.replace_graphs(initial_contents())

    def replace_graphs(self, graphs: Mapping[str, GraphContent]) -> None:
        """Every content is read before anything changes, so bad text leaves the store as it was."""
        contents = merge.prepared(graphs)
        with self._write_lock:
            change = merge.plan_default_change(contents, self._graph_triples, self._holders)
            converted: dict = {}

            def rdflib_triple(triple) -> tuple:
                found = converted.get(triple)
                if found is None:
                    found = converted[triple] = _rdflib_triple(triple)
                return found

            for name, triples in contents.items():
                self._dataset.remove_graph(rdflib.URIRef(name))
                if triples:
                    target = self._dataset.graph(rdflib.URIRef(name))
                    target.addN((*rdflib_triple(triple), target) for triple in triples)
            default = self._dataset.default_graph
            for triple in change.remove:
                default.remove(rdflib_triple(triple))
            default.addN((*rdflib_triple(triple), default) for triple in change.add)

    def _graph_triples(self, name: str):
        return (_ox_triple(triple) for triple in self._dataset.graph(rdflib.URIRef(name)))

    def _holders(self, triple):
        for context in self._dataset.store.contexts(_rdflib_triple(triple)):
            identifier = context.identifier if isinstance(context, rdflib.Graph) else context
            if isinstance(identifier, rdflib.URIRef) and identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID:
                yield str(identifier)

    def rebuild_default_graph(self, progress: Callable[[int, int], None] | None = None) -> int:
        with self._write_lock:
            default = self._dataset.default_graph
            default.remove((None, None, None))
            names = self.graph_names()
            for done, name in enumerate(names, 1):
                if merge.is_merged(name):
                    for triple in self._dataset.graph(rdflib.URIRef(name)):
                        default.add(triple)
                if progress:
                    progress(done, len(names))
            return len(default)

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
            with self._write_lock:
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
        named = rdflib.Dataset()
        for prefix, namespace in PREFIXES.items():
            named.bind(prefix, namespace)
        for name in self.graph_names():  # the default graph is derived from them: not dumped
            target = named.graph(rdflib.URIRef(name))
            target += self._dataset.graph(rdflib.URIRef(name))
        return named.serialize(format=rdf_format, encoding="utf-8")

    def close(self) -> None:
        self._dataset = None


def _rdflib_triple(triple) -> tuple:
    return _rdflib_term(triple.subject), _rdflib_term(triple.predicate), _rdflib_term(triple.object)


@functools.lru_cache(maxsize=100_000)
def _rdflib_term(term):
    return from_ox(term)


def _ox_triple(triple: tuple):
    import pyoxigraph as ox

    return ox.Triple(to_ox(triple[0]), to_ox(triple[1]), to_ox(triple[2]))
