"""OpenLink Virtuoso as a remote store: SPARQL 1.1 Protocol over HTTP at ``http://HOST:8890/sparql``.

Virtuoso answers a query without ``FROM`` over *all* its graphs, so the default graph aidgraph keeps
(the merge, :mod:`graph.store.merge`) lives in a graph of its own, :data:`MERGE_GRAPH`, and every
query and update names it as the default graph (Virtuoso's ``DEFINE input:default-graph-uri``).
That graph is internal (``aidg:``), so it is never merged and never listed; ``GRAPH ?g`` patterns do
see it, like the quarantine graphs (filter on the graph IRI when that matters).

The endpoint must let its SPARQL user update (``GRANT SPARQL_UPDATE TO "SPARQL"`` in ``isql``), and
keep ``[SPARQL] ResultSetMaxRows`` above the largest result you read (the default, 10,000, truncates
silently). Everything else is :class:`graph.store.sparql.SparqlStore`.

Virtuoso's SPARQL compiler runs out of memory on an ``INSERT DATA`` of a few thousand triples, so a
replacement is sent as several requests (graph contents with the Graph Store Protocol), in the order of
:func:`graph.store.merge.remote_replacement_update`: the default graph first loses what only the
replaced graphs stated, then the graphs are replaced, then their new triples are copied into the
default graph on the server. What it gives up: a replacement is not one transaction. All content is
parsed before anything is sent (bad content changes nothing); a failure half-way leaves the graphs
of that batch partly written, and ``aidgraph rebuild`` restores the merge from the named graphs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx
import pyoxigraph as ox
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import StoreError
from graph.store import merge
from graph.store.base import inject_values
from graph.store.sparql import SparqlStore
from graph.vocab import PREFIXES

#: the graph that holds the default graph (the merge) on a Virtuoso server
MERGE_GRAPH = merge.GRAPH_NS + "merge"


class VirtuosoStore(SparqlStore):
    """A Virtuoso endpoint, its default graph kept in :data:`MERGE_GRAPH`."""

    name = "virtuoso"
    hidden_graphs = (*SparqlStore.hidden_graphs, MERGE_GRAPH)

    def __init__(self, query_url: str, *, update_url: str | None = None, read_only: bool = False,
                 timeout: float = 60.0) -> None:
        self._http = httpx.Client(timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0))
        super().__init__(query_url, update_url=update_url or query_url, read_only=read_only, timeout=timeout)

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        text = inject_values(sparql, bindings) if bindings else sparql
        return super().query(_DEFINE + without_merge_graph(text))

    def replace_graphs(self, graphs: Mapping[str, merge.GraphContent]) -> None:
        """The steps of :func:`graph.store.merge.remote_replacement_update` as several requests."""
        self._check_writable()
        contents = merge.prepared(graphs)
        if not contents:
            return
        merged = [ox.NamedNode(name) for name in contents if merge.is_merged(name)]
        with self._write_lock:
            if merged:
                batch = " ".join(map(str, merged))
                self.update(
                    f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {batch} }} GRAPH ?g {{ ?s ?p ?o }}\n"
                    f"  FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} "
                    f"FILTER(?h NOT IN ({', '.join(map(str, merged))}) && {merge.merged_filter('h')}) }} }}")
            for name, triples in contents.items():
                target = ox.NamedNode(name)
                self.update(f"DROP SILENT GRAPH {target}")
                if triples:
                    self._post_graph(name, merge.ntriples(triples))
            filled = [ox.NamedNode(name) for name in contents if merge.is_merged(name) and contents[name]]
            if filled:
                self.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {' '.join(map(str, filled))} }} "
                            "GRAPH ?g { ?s ?p ?o } }")

    def _post_graph(self, name: str, ntriples: str) -> None:
        """Add N-Triples to a graph with the Graph Store Protocol (no SPARQL compiler, no size limit)."""
        url = self.query_url.rstrip("/").removesuffix("/sparql") + "/sparql-graph-crud"
        try:
            response = self._http.post(url, params={"graph-uri": name}, content=ntriples.encode("utf-8"),
                                       headers={"Content-Type": "text/plain"})
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the Virtuoso graph store {url}: {exc}",
                             hint="is the server running? check the URL given as --store") from exc
        if response.status_code >= 300:
            raise StoreError(f"the Virtuoso graph store {url} answered {response.status_code}: "
                             f"{response.text.strip()[:300]}",
                             hint='grant updates to its SPARQL user: GRANT SPARQL_UPDATE TO "SPARQL"')

    def _accept(self, sparql: str) -> str:
        # Virtuoso answers a CONSTRUCT asked for JSON with JSON bindings: ask graph results as N-Triples
        bare = _STRINGS_AND_IRIS.sub(" ", sparql)
        form = _QUERY_FORM.search(bare)
        if form and form.group(1).upper() in ("CONSTRUCT", "DESCRIBE"):
            return "application/n-triples"
        return super()._accept(sparql)

    def update(self, sparql: str) -> None:
        self._check_writable()
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
        self._post(self.update_url, {"update": _DEFINE + prologue + sparql}, "*/*")


def without_merge_graph(sparql: str) -> str:
    """``sparql`` with ``FILTER(?g != <MERGE_GRAPH>)`` after each ``GRAPH ?g { ... }`` group, so that
    graph variables range over the named graphs only, as on the other backends."""
    masked = _STRINGS_AND_IRIS.sub(lambda match: " " * len(match.group(0)), sparql)
    inserts = []
    for match in _GRAPH_VARIABLE.finditer(masked):
        depth, position = 0, match.end() - 1
        while position < len(masked):
            depth += {"{": 1, "}": -1}.get(masked[position], 0)
            if depth == 0:
                inserts.append((position + 1, f" FILTER(?{match.group(1)} != <{MERGE_GRAPH}>) "))
                break
            position += 1
    for position, text in reversed(inserts):
        sparql = sparql[:position] + text + sparql[position:]
    return sparql


_GRAPH_VARIABLE = re.compile(r"\bGRAPH\s+[?$](\w+)\s*\{", re.IGNORECASE)
_STRINGS_AND_IRIS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\''
                               r"|<[^\s<>]*>|#[^\n]*")
_QUERY_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_DEFINE = f"DEFINE input:default-graph-uri <{MERGE_GRAPH}>\n"
