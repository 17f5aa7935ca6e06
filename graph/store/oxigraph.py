"""The default store: rdflib ``Dataset(store="Oxigraph")`` persisted on disk (RocksDB).

Queries go to pyoxigraph as strings through oxrdflib (never as prepared query objects, which fall back
to rdflib's slow engine). Graph replacement, dumps and loads use pyoxigraph directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
import rdflib
from oxrdflib import OxigraphStore as _OxrdflibStore
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import StoreError
from graph.store.base import (
    DATASET_FORMATS,
    GraphContent,
    StoreBase,
    check_bindings,
    initial_fingerprint,
    initial_graph_files,
    inject_values,
    query_syntax_error,
    replacement_update,
)
from graph.store.convert import graph_to_ntriples, quads_to_graph
from graph.vocab import PREFIXES

#: a small file in the store directory that records which ontology/reference files were loaded
FINGERPRINT_FILE = "aidgraph-reference.sha1"

OX_FORMATS = {
    "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS, "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD, "json-ld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML,
}


class OxigraphStore(StoreBase):
    """Named graphs in a pyoxigraph store: on disk at ``location``, or in memory when it is None."""

    name = "oxigraph"

    def __init__(self, location: str | Path | None = None, *, read_only: bool = False) -> None:
        self.location = Path(location) if location is not None else None
        self.supports_update = not read_only
        self._ox = self._open(read_only)
        self._dataset = rdflib.Dataset(store=_OxrdflibStore(store=self._ox), default_union=True)
        if not read_only:
            self._initialise()

    @property
    def native(self) -> ox.Store | None:
        """The pyoxigraph store underneath, for callers that want its native engine and writers."""
        return self._ox

    def _open(self, read_only: bool) -> ox.Store:
        if self.location is None:
            return ox.Store()
        try:
            if read_only:
                if not self.location.exists():
                    raise StoreError(f"no store at {self.location}",
                                     hint="create it with `aidgraph ingest PATH` or `aidgraph stats`")
                return ox.Store.read_only(str(self.location))
            self.location.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(self.location))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"the store {self.location} is locked by another process",
                    hint="is `aidgraph serve` or another `aidgraph ingest` running? Stop it, or use "
                         "another --store directory",
                ) from exc
            raise StoreError(f"cannot open the store {self.location}: {exc}",
                             hint="check the path and its permissions, or use another --store") from exc

    def _initialise(self) -> None:
        """Load ontology and reference knowledge when missing or when their files changed."""
        fingerprint = initial_fingerprint()
        marker = self.location / FINGERPRINT_FILE if self.location else None
        if marker and marker.exists() and marker.read_text().strip() == fingerprint:
            return
        for graph_name, files in initial_graph_files().items():
            target = ox.NamedNode(graph_name)
            if self._ox.contains_named_graph(target):
                self._ox.remove_graph(target)
            for path in files:
                try:
                    self._ox.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=target)
                except SyntaxError as exc:
                    raise StoreError(f"cannot load {path}: {exc}",
                                     hint="fix the Turtle file (run `aidgraph validate` on it)") from exc
        if marker:
            self._ox.flush()
            marker.write_text(fingerprint + "\n")

    # ------------------------------------------------------------------ graphs

    def add_graph(self, name: str, graph: rdflib.Graph) -> None:
        self._check_writable()
        target = ox.NamedNode(name)
        body = graph_to_ntriples(graph)
        # one SPARQL update is one transaction: readers see the old or the new graph, never half
        self._ox.update(f"DROP SILENT GRAPH {target} ; INSERT DATA {{ GRAPH {target} {{ {body} }} }}")

    def drop_graph(self, name: str) -> None:
        self._check_writable()
        self._ox.update(f"DROP SILENT GRAPH {ox.NamedNode(name)}")

    def replace_graphs(self, graphs: Mapping[str, GraphContent]) -> None:
        """One SPARQL update (one transaction) drops the graphs that exist and inserts the new contents.

        Which graphs exist is read just before the update: the store has one writer (RocksDB's lock).
        """
        self._check_writable()

        def exists(name: str) -> bool:
            return self._ox.contains_named_graph(ox.NamedNode(name))

        try:
            update = replacement_update(graphs, exists)
            if update:
                self._ox.update(update)
        except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
            raise StoreError(f"cannot replace {len(graphs)} graphs: {exc}",
                             hint="nothing was changed; check the graphs' names and content") from exc

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))

    def get_graph(self, name: str) -> rdflib.Graph:
        return quads_to_graph(self._ox.quads_for_pattern(None, None, None, ox.NamedNode(name)), name)

    # ------------------------------------------------------------------ SPARQL

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        if not isinstance(sparql, str):
            raise TypeError("pass the query as a string (prepared queries run on rdflib's slow engine)")
        try:
            try:
                return self._dataset.query(sparql, initBindings=check_bindings(bindings))
            except RuntimeError as exc:
                if bindings and "projection" in str(exc):
                    # pyoxigraph substitutes only projected variables; bind the others with VALUES
                    return self._dataset.query(inject_values(sparql, bindings))
                raise StoreError(f"query failed: {exc}", hint="simplify the query") from exc
        except SyntaxError as exc:
            raise query_syntax_error(exc, sparql) from exc

    def update(self, sparql: str) -> None:
        self._check_writable()
        try:
            self._ox.update(sparql, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise query_syntax_error(exc, sparql) from exc
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"update failed: {exc}", hint="check the update") from exc

    def serialize(self, fmt: str, *, graph: str | None = None) -> bytes:
        try:
            rdf_format = OX_FORMATS[fmt.lower()]
        except KeyError:
            raise StoreError(f"unknown RDF format {fmt!r}",
                             hint=f"use one of {', '.join(sorted(OX_FORMATS))}") from None
        if graph is None and fmt.lower() not in DATASET_FORMATS:
            raise StoreError(f"{fmt} cannot hold named graphs",
                             hint="use trig or nquads for the whole dataset, or pass graph=IRI")
        from_graph = ox.NamedNode(graph) if graph else None
        prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        return self._ox.dump(format=rdf_format, from_graph=from_graph, prefixes=prefixes)

    def close(self) -> None:
        if self._ox is not None:
            if self.supports_update:
                self._ox.flush()
            self._dataset = None
            self._ox = None
