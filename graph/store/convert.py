"""Term conversion between rdflib and pyoxigraph (small, explicit, no private imports)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.namespace import XSD

from graph.vocab import PREFIXES


def to_ox(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r} (only IRIs, blank nodes and literals)")


def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    """A pyoxigraph term as an rdflib term (plain strings stay plain literals)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"unexpected term {term!r}")


def graph_to_ntriples(graph: Iterable[tuple]) -> str:
    """N-Triples text of an rdflib graph (or any iterable of rdflib triples), written by pyoxigraph
    (fast and strictly escaped). Each distinct term is converted once."""
    converted: dict = {}

    def term(node):
        found = converted.get(node)
        if found is None:
            found = converted[node] = to_ox(node)
        return found

    triples = [ox.Triple(term(s), term(p), term(o)) for s, p, o in graph]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def as_ntriples(content: str | Iterable[tuple]) -> str:
    """N-Triples text for a graph's new content: text as it is, an rdflib graph or triples converted."""
    return content if isinstance(content, str) else graph_to_ntriples(content)


def quads_to_graph(quads, identifier: str | None = None) -> rdflib.Graph:
    """An in-memory rdflib graph from pyoxigraph quads or triples."""
    graph = rdflib.Graph(identifier=rdflib.URIRef(identifier) if identifier else None)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for quad in quads:
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graph
