"""The store protocol every backend implements, plus helpers the backends share.

A store is a set of named graphs: ``aidg:ontology``, ``aidg:reference``, one graph per article
(named by the article IRI) and the quarantine graphs. The SPARQL default graph is the RDF merge of
the accepted-knowledge graphs (ontology, reference, articles; not quarantine), materialised and kept
exact by every write (:mod:`graph.store.merge`); ``GRAPH ?g`` sees each named graph.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

import rdflib
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import QuerySyntaxError, StoreError
from graph.store.merge import GRAPH_NS, ONTOLOGY_GRAPH, REFERENCE_GRAPH, GraphContent  # noqa: F401

#: formats accepted by ``Store.serialize``; dataset formats keep the graph names.
DATASET_FORMATS = ("trig", "nquads")
GRAPH_FORMATS = ("turtle", "nt", "jsonld", "xml")


@runtime_checkable
class Store(Protocol):
    """What the pipeline, CLI, API and exports need from a store."""

    name: str
    supports_update: bool

    def add_graph(self, name: str, graph: rdflib.Graph) -> None:
        """Replace the named graph ``name`` with the triples of ``graph`` (``replace_graphs`` of one)."""

    def drop_graph(self, name: str) -> None:
        """Remove the named graph ``name`` (no error when it does not exist; ``replace_graphs`` of one)."""

    def replace_graphs(self, graphs: Mapping[str, GraphContent]) -> None:
        """Replace several named graphs in one step: all or none where the backend has transactions.

        Each value is the graph's new content: N-Triples text, an rdflib graph or an iterable of
        rdflib or pyoxigraph triples. Empty content drops the graph. The default graph (the merge)
        follows in the same step. This is the one write path that keeps the merge exact.
        """

    def rebuild_default_graph(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Recompute the default graph from the named graphs (after raw SPARQL Updates of named
        graphs); ``progress(done, total)`` is called as graphs are read. Answers the default graph's size."""

    def graph_names(self) -> list[str]:
        """IRIs of all non-empty named graphs, sorted."""

    def get_graph(self, name: str) -> rdflib.Graph:
        """An in-memory copy of the named graph ``name`` (empty when it does not exist)."""

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run a SPARQL query string; ``bindings`` pre-bind variables to user values safely."""

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update string. It writes exactly what it says: an update of named graphs
        does not change the default graph until :meth:`rebuild_default_graph`."""

    def serialize(self, fmt: str, *, graph: str | None = None) -> bytes:
        """The named graphs (trig/nquads; the default graph is derived, so not dumped) or one graph
        (any format) as bytes."""

    def close(self) -> None:
        """Release the store (files, locks, connections)."""

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...


class StoreBase:
    """Plumbing shared by the backends: the context manager, the write lock, and ``add_graph`` /
    ``drop_graph`` as replacements of one graph."""

    name = "base"
    supports_update = True

    def __init__(self) -> None:
        # writes plan their change of the default graph from what the store holds, then apply it:
        # two writers in one process (the API worker's threads) must not interleave
        self._write_lock = threading.RLock()

    def add_graph(self, name: str, graph: rdflib.Graph) -> None:
        self.replace_graphs({name: graph})

    def drop_graph(self, name: str) -> None:
        self.replace_graphs({name: ()})

    def replace_graphs(self, graphs: Mapping[str, GraphContent]) -> None:  # pragma: no cover
        raise NotImplementedError

    def update_unmerged(self, sparql: str) -> None:
        """A SPARQL 1.1 Update that writes only named graphs outside the default graph (the derived
        ``aidg:commitments``): the merge and any read model of the default graph stay as they are."""
        self.update(sparql)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:  # pragma: no cover - overridden
        pass

    def _check_writable(self) -> None:
        if not self.supports_update:
            raise StoreError(
                f"the {self.name} store was opened read-only",
                hint="open it without read_only to change it (is another `aidgraph serve` holding it?)",
            )


# --------------------------------------------------------------------------- initial content

def project_root() -> Path:
    """The repository root (where ``ontology/`` lives)."""
    return Path(__file__).resolve().parents[2]


def initial_graph_files() -> dict[str, list[Path]]:
    """The Turtle files every fresh store is initialised with, per named graph."""
    ontology_dir = project_root() / "ontology"
    return {
        ONTOLOGY_GRAPH: sorted(ontology_dir.glob("*.ttl")),
        REFERENCE_GRAPH: sorted((ontology_dir / "reference").glob("*.ttl")),
    }


def initial_fingerprint() -> str:
    """A hash of the ontology and reference files (to tell whether a store is up to date)."""
    digest = hashlib.sha1()
    for name, files in sorted(initial_graph_files().items()):
        digest.update(name.encode())
        for path in files:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def _parsed_initial_contents(fingerprint: str) -> dict[str, tuple]:
    import pyoxigraph as ox

    contents: dict[str, tuple] = {}
    for name, files in initial_graph_files().items():
        triples: dict = {}
        for path in files:
            try:
                parsed = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
                triples.update((quad.triple, None) for quad in parsed)
            except (SyntaxError, OSError) as exc:
                raise StoreError(f"cannot load {path}: {exc}",
                                 hint="fix the Turtle file (run `aidgraph validate` on it)") from exc
        contents[name] = tuple(triples)
    return contents


def initial_contents() -> dict[str, tuple]:
    """The ontology and reference graphs as pyoxigraph triples (parsed once per process)."""
    return _parsed_initial_contents(initial_fingerprint())


# --------------------------------------------------------------------------- SPARQL helpers

_SYNTAX_POSITION = re.compile(r"(?:error )?at (\d+):(\d+)")


def query_syntax_error(exc: Exception, sparql: str) -> QuerySyntaxError:
    """A QuerySyntaxError with line/column from a parser exception when it gives them."""
    text = str(exc)
    line = column = None
    match = _SYNTAX_POSITION.search(text)
    if match:
        line, column = int(match.group(1)), int(match.group(2))
    else:  # pyparsing style: "(at char 12), (line:1, col:13)"
        m = re.search(r"line:(\d+), col:(\d+)", text)
        if m:
            line, column = int(m.group(1)), int(m.group(2))
    where = f" at line {line}, column {column}" if line else ""
    return QuerySyntaxError(f"malformed SPARQL{where}: {text}", line=line, column=column,
                            hint="check the query near that position")


def inject_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """Pre-bind variables by inserting ``VALUES`` at the start of the query's WHERE group.

    User values are written with rdflib's N-Triples serialisation (``Node.n3()``), which escapes
    literals and refuses malformed IRIs, so they cannot change the query's structure.
    """
    if not bindings:
        return sparql
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(_safe_n3(term) for term in bindings.values())
    clause = f" VALUES ({names}) {{ ({values}) }} "
    position = _where_brace(sparql)
    return sparql[: position + 1] + clause + sparql[position + 1:]


def check_bindings(bindings: Mapping[str, Node] | None) -> dict[str, Node]:
    """The bindings as a dict, refusing malformed IRIs and blank nodes (same rule on every backend)."""
    checked = dict(bindings or {})
    for term in checked.values():
        _safe_n3(term)
    return checked


def _safe_n3(term: Node) -> str:
    if isinstance(term, rdflib.URIRef) and re.search(r'[\s<>"{}|^`\\]', str(term)):
        raise QuerySyntaxError(f"not a valid IRI to bind: {str(term)!r}", hint="pass a full, valid IRI")
    if isinstance(term, rdflib.BNode):
        raise QuerySyntaxError("blank nodes cannot be bound in a query", hint="bind an IRI or a literal")
    return term.n3()


def _where_brace(sparql: str) -> int:
    """Index of the opening brace of the outermost WHERE group (skipping strings, IRIs, comments)."""
    depth = 0
    braces: list[int] = []
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            i = sparql.find("\n", i)
            if i < 0:
                break
        elif c in "\"'":
            triple = sparql[i:i + 3] in ('"""', "'''")
            quote = sparql[i:i + 3] if triple else c
            i += len(quote)
            while i < n and not sparql.startswith(quote, i):
                i += 2 if sparql[i] == "\\" else 1
            i += len(quote) - 1
        elif c == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", sparql[i:]):
            i = sparql.index(">", i)
        elif c == "{":
            if depth == 0:
                braces.append(i)
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    if not braces:
        raise QuerySyntaxError("the query has no WHERE { ... } group to bind values in",
                               hint="write the query as SELECT ... WHERE { ... }")
    is_construct = re.match(r"(?is)\s*(?:(?:PREFIX|BASE)[^{]*?>\s*)*CONSTRUCT\s*\{", _strip_comments(sparql))
    if is_construct and len(braces) > 1:
        return braces[1]
    return braces[0]


def _strip_comments(sparql: str) -> str:
    return re.sub(r"(?m)#[^\n<>\"]*$", "", sparql)
