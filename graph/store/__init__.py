"""Stores behind one small protocol (:class:`graph.store.base.Store`).

>>> with open_store("data/store") as store:          # doctest: +SKIP
...     store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
"""

from __future__ import annotations

from pathlib import Path

from graph.errors import InputError
from graph.store.base import ONTOLOGY_GRAPH, REFERENCE_GRAPH, Store

__all__ = ["BACKENDS", "ONTOLOGY_GRAPH", "REFERENCE_GRAPH", "Store", "open_store"]

BACKENDS = ("oxigraph", "memory", "sparql", "virtuoso")


def open_store(location: str | Path | None = None, *, backend: str = "oxigraph",
               read_only: bool = False, update_url: str | None = None) -> Store:
    """Open (and on first use initialise) a store.

    ``backend`` "oxigraph": pyoxigraph on disk in the directory ``location`` (in memory when None);
    "memory": pure rdflib in memory; "sparql": the remote endpoint whose query URL is ``location``.
    A fresh store holds the ontology (graph aidg:ontology) and reference knowledge (aidg:reference).
    Its SPARQL default graph is the merge of the accepted graphs (:mod:`graph.store.merge`); a store
    written by an older aidgraph is migrated when opened for writing.
    """
    if backend == "oxigraph":
        from graph.store.oxigraph import OxigraphStore

        return OxigraphStore(location, read_only=read_only)
    if backend == "memory":
        from graph.store.memory import MemoryStore

        return MemoryStore()
    if backend in ("sparql", "virtuoso"):
        if not location or not str(location).startswith(("http://", "https://")):
            raise InputError(f"the sparql backend needs an endpoint URL, got {location!r}",
                             hint="pass --store http://HOST:PORT/query")
        if backend == "virtuoso":
            from graph.store.virtuoso import VirtuosoStore

            return VirtuosoStore(str(location), update_url=update_url, read_only=read_only)
        from graph.store.sparql import SparqlStore

        return SparqlStore(str(location), update_url=update_url, read_only=read_only)
    raise InputError(f"unknown store backend {backend!r}", hint=f"use one of {', '.join(BACKENDS)}")
