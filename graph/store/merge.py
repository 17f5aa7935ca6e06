"""The default graph of a store: the RDF merge (a set) of its accepted-knowledge graphs, kept exact.

A store holds named graphs: ``aidg:ontology``, ``aidg:reference``, one graph per article
(``aidr:article/{id}``) and per article its quarantine graph and SHACL report
(``aidg:quarantine/{id}``, ``aidg:quarantine/{id}/report``). The named graphs are the source of truth
and keep provenance: ``GRAPH ?g`` sees what each article states.

The SPARQL default graph is *derived*: it holds, once, every triple of the **merged** graphs
(:func:`is_merged`): the ontology, the reference knowledge and every graph whose IRI is outside the
internal namespace ``aidg:`` (the article graphs, and graphs a user writes). Quarantined facts and
validation reports are not merged, so a query without ``GRAPH`` never sees them. A pledge stated by
300 articles is one set of triples there, not 300 copies (joins over a bag of copies grow as n^k).

Every backend writes through :meth:`Store.replace_graphs`, which keeps the default graph exact in the
same transaction: the new content is added, and an old triple is removed only when no other merged
graph still states it. This module holds the one rule for which graphs merge, and the one
computation of what a replacement adds to and removes from the default graph, in two forms:

* :func:`plan_default_change` for engines the process reads directly (pyoxigraph, rdflib): a quad
  lookup per removed triple that stops at the first other merged graph holding it;
* :func:`remote_replacement_update`, the same computation as one SPARQL 1.1 Update
  (``FILTER NOT EXISTS``) for a remote endpoint, evaluated in the server's transaction; its steps
  (:func:`remote_replacement_steps`) for an endpoint that must receive them as several requests.

Blank nodes in a merged graph are replaced by IRIs (:func:`skolemized`), so two graphs' blank nodes
never become one node in the default graph and every triple can be found and removed again.
``aidgraph`` itself never writes blank nodes into article graphs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

from graph import vocab
from graph.errors import StoreError
from graph.vocab import AIDG, AIDR

GRAPH_NS = str(AIDG)
ONTOLOGY_GRAPH = str(vocab.ONTOLOGY_GRAPH)
REFERENCE_GRAPH = str(vocab.REFERENCE_GRAPH)
#: the internal graphs that are merged nonetheless (every other ``aidg:`` graph is not)
MERGED_INTERNAL_GRAPHS = (ONTOLOGY_GRAPH, REFERENCE_GRAPH)
#: the IRIs blank nodes of merged graphs are replaced with (RDF 1.1 skolemisation)
SKOLEM_NS = str(AIDR["genid/"])

#: the version of the store layout: 2 = the default graph is the materialised merge
#: (1, implicit, was "default graph = the union bag of all named graphs", evaluated per query)
STORE_FORMAT = "2"

#: the new content of a named graph: N-Triples text, an rdflib graph, or rdflib / pyoxigraph triples
GraphContent = str | rdflib.Graph | Iterable[tuple] | Iterable[ox.Triple]


def is_merged(name: str) -> bool:
    """Whether the named graph ``name`` is part of the default graph (see the module docstring)."""
    return name in MERGED_INTERNAL_GRAPHS or not name.startswith(GRAPH_NS)


def merged_filter(variable: str) -> str:
    """A SPARQL expression that is true when ``?variable`` names a merged graph (:func:`is_merged`)."""
    internal = ", ".join(f"<{name}>" for name in MERGED_INTERNAL_GRAPHS)
    return f'(?{variable} IN ({internal}) || !STRSTARTS(STR(?{variable}), "{GRAPH_NS}"))'


# --------------------------------------------------------------------------- content

#: rdflib IRIs and blank nodes already converted to pyoxigraph terms, across calls (articles share most
#: IRIs: their predicates, classes, reference entities); cleared when it holds more than CONVERTED_MAX.
#: Literals are converted each time: most are an article's own, and hashing one costs more than that
_CONVERTED: dict = {}
CONVERTED_MAX = 200_000
_OX_TERMS = (ox.NamedNode, ox.BlankNode, ox.Literal)


def to_ox_triples(content: GraphContent) -> list[ox.Triple]:
    """A graph's new content as pyoxigraph triples (N-Triples text parsed, rdflib terms converted).

    Raises:
        StoreError: the text is not N-Triples, or a term cannot be stored.
    """
    from graph.store.convert import to_ox

    try:
        if isinstance(content, str):
            if not content.strip():
                return []
            return [quad.triple for quad in ox.parse(content, format=ox.RdfFormat.N_TRIPLES)]
        converted = _CONVERTED
        if len(converted) > CONVERTED_MAX:
            converted.clear()
        known, triple = converted.get, ox.Triple

        def term(node):
            if type(node) is rdflib.Literal:
                return to_ox(node)
            found = known(node)
            if found is None:
                if isinstance(node, _OX_TERMS):
                    return node
                found = converted[node] = to_ox(node)
            return found

        return [item if isinstance(item, triple)
                else triple(term(item[0]), term(item[1]), term(item[2])) for item in content]
    except (SyntaxError, ValueError, TypeError) as exc:
        raise StoreError(f"cannot read the new graph content: {exc}",
                         hint="nothing was changed; check the graphs' content") from exc


def skolemized(name: str, triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """``triples`` with each blank node replaced by an IRI under :data:`SKOLEM_NS` that depends on
    the graph ``name`` and the node's label, so blank nodes of different graphs stay apart."""
    minted: dict[str, ox.NamedNode] = {}

    def iri(node):
        if not isinstance(node, ox.BlankNode):
            return node
        found = minted.get(node.value)
        if found is None:
            digest = hashlib.sha1(f"{name}\n{node.value}".encode()).hexdigest()[:20]
            found = minted[node.value] = ox.NamedNode(SKOLEM_NS + digest)
        return found

    return [t if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
            else ox.Triple(iri(t.subject), t.predicate, iri(t.object)) for t in triples]


def prepared(graphs: Mapping[str, GraphContent]) -> dict[str, list[ox.Triple]]:
    """Every graph's new content as distinct pyoxigraph triples, blank nodes of merged graphs
    skolemised. Everything is read before anything is written, so bad content changes nothing."""
    ready = {}
    for name, content in graphs.items():
        triples = list(dict.fromkeys(to_ox_triples(content)))
        ready[name] = skolemized(name, triples) if is_merged(name) else triples
    return ready


# --------------------------------------------------------------------------- the computation

@dataclass(frozen=True, slots=True)
class DefaultGraphChange:
    """What a replacement does to the default graph."""

    add: list[ox.Triple]
    remove: list[ox.Triple]


def plan_default_change(graphs: Mapping[str, Sequence[ox.Triple]],
                        old_content: Callable[[str], Iterable[ox.Triple]],
                        holders: Callable[[ox.Triple], Iterable[str]]) -> DefaultGraphChange:
    """The triples the default graph gains and loses when the named graphs ``graphs`` get the new
    contents given (an empty content drops the graph).

    ``old_content(name)`` gives a graph's current triples; ``holders(triple)`` the names of the named
    graphs that hold a triple now, lazily (the search stops at the first merged graph outside the batch).
    A triple is added when a merged graph newly states it; it is removed when a merged graph of
    the batch stated it, none does any longer, and no merged graph outside the batch holds it.
    """
    batch = frozenset(graphs)
    merged = [name for name in graphs if is_merged(name)]
    stated: set[ox.Triple] = set()
    for name in merged:
        stated.update(graphs[name])
    add: dict[ox.Triple, None] = {}
    candidates: dict[ox.Triple, None] = {}
    for name in merged:
        old = set(old_content(name))
        new = graphs[name]
        add.update((triple, None) for triple in new if triple not in old)
        candidates.update((triple, None) for triple in old if triple not in stated)
    remove = [triple for triple in candidates
              if not any(is_merged(holder) and holder not in batch for holder in holders(triple))]
    return DefaultGraphChange(add=list(add), remove=remove)


# --------------------------------------------------------------------------- SPARQL Update forms

def ntriples(triples: Iterable[ox.Triple]) -> str:
    """N-Triples text of pyoxigraph triples."""
    return ntriples_bytes(triples).decode("utf-8")


def ntriples_bytes(triples: Iterable[ox.Triple]) -> bytes:
    """N-Triples of pyoxigraph triples, UTF-8."""
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)


def native_replacement_update(graphs: Mapping[str, Sequence[ox.Triple]], exists: Callable[[str], bool],
                              change: DefaultGraphChange) -> str:
    """One SPARQL update (one transaction) applying a replacement planned by :func:`plan_default_change`."""
    operations = []
    for name, triples in graphs.items():
        target = ox.NamedNode(name)
        if exists(name):
            operations.append(f"DROP SILENT GRAPH {target}")
        if triples:
            operations.append(f"INSERT DATA {{ GRAPH {target} {{\n{ntriples(triples)}}} }}")
    if change.remove:
        operations.append(f"DELETE DATA {{\n{ntriples(change.remove)}}}")
    if change.add:
        operations.append(f"INSERT DATA {{\n{ntriples(change.add)}}}")
    return " ;\n".join(operations)


@dataclass(frozen=True, slots=True)
class GraphLoad:
    """A step of :func:`remote_replacement_steps`: the just dropped named graph ``name`` gets ``triples``."""

    name: str
    triples: Sequence[ox.Triple]

    def as_update(self) -> str:
        """This step as a SPARQL ``INSERT DATA`` operation."""
        return f"INSERT DATA {{ GRAPH {ox.NamedNode(self.name)} {{\n{ntriples(self.triples)}}} }}"


def remote_replacement_steps(graphs: Mapping[str, Sequence[ox.Triple]]) -> list[str | GraphLoad]:
    """:func:`plan_default_change` and its application, as steps for a remote endpoint, in order:
    SPARQL Update operations (text) and the loading of each replaced graph's content (:class:`GraphLoad`).

    First the default graph loses the old triples of the batch's merged graphs that no merged graph
    outside the batch holds (``FILTER NOT EXISTS``), then the graphs are dropped and loaded, then the
    new contents of the merged graphs are copied into the default graph on the server.
    """
    merged = [ox.NamedNode(name) for name in graphs if is_merged(name)]
    batch = " ".join(str(node) for node in merged)
    steps: list[str | GraphLoad] = []
    if merged:
        steps.append(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {batch} }} GRAPH ?g {{ ?s ?p ?o }}\n"
            f"  FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER(?h NOT IN ({', '.join(map(str, merged))})"
            f" && {merged_filter('h')}) }} }}")
    for name, triples in graphs.items():
        steps.append(f"DROP SILENT GRAPH {ox.NamedNode(name)}")
        if triples:
            steps.append(GraphLoad(name, triples))
    filled = [ox.NamedNode(name) for name in graphs if is_merged(name) and graphs[name]]
    if filled:
        steps.append(f"INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {' '.join(map(str, filled))} }} "
                     f"GRAPH ?g {{ ?s ?p ?o }} }}")
    return steps


def remote_replacement_update(graphs: Mapping[str, Sequence[ox.Triple]]) -> str:
    """:func:`remote_replacement_steps` as one SPARQL 1.1 Update request (graphs loaded with
    ``INSERT DATA``). Servers that run one request as one transaction (oxigraph does) apply it all or
    nothing."""
    return " ;\n".join(step.as_update() if isinstance(step, GraphLoad) else step
                        for step in remote_replacement_steps(graphs))


def remote_rebuild_update() -> str:
    """A SPARQL update that rebuilds the default graph from the named graphs (one transaction)."""
    return ("CLEAR SILENT DEFAULT ;\n"
            f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER{merged_filter('g')} }}")


def rebuild_progress_bar() -> Callable[[int, int], None]:
    """A ``progress`` callback for ``rebuild_default_graph``: a bar on stderr (none when stderr is not a
    terminal), closed when the last graph is done."""
    import sys

    from tqdm import tqdm

    bar = None

    def step(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit=" graphs", desc="default graph", file=sys.stderr, disable=None)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return step
