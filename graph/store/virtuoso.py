"""OpenLink Virtuoso as a remote store: SPARQL 1.1 Protocol over HTTP at ``http://HOST:8890/sparql``.

Virtuoso answers a query without ``FROM`` over *all* its graphs, so the default graph aidgraph keeps
(the merge, :mod:`graph.store.merge`) lives in a graph of its own, :data:`MERGE_GRAPH`, and every
query and update names it as the default graph (Virtuoso's ``DEFINE input:default-graph-uri``).
That graph is internal (``aidg:``), so it is never merged and never listed, and queries are rewritten
(:func:`for_virtuoso`) so that ``GRAPH ?g`` does not see it and ``GRAPH <iri>`` finds the named graph
(Virtuoso 7.2 finds nothing there once a query names its default graph).

The endpoint must let its SPARQL user update (``GRANT SPARQL_UPDATE TO "SPARQL"`` in ``isql``), and
keep ``[SPARQL] ResultSetMaxRows`` above the largest result you read (the default, 10,000, truncates
silently). Everything else is :class:`graph.store.sparql.SparqlStore`.

Virtuoso's SPARQL compiler runs out of memory on an ``INSERT DATA`` of a few thousand triples, so a
replacement is sent as several requests (graph contents with the Graph Store Protocol), the steps of
:func:`graph.store.merge.remote_replacement_steps` in their order: the default graph first loses
what only the replaced graphs stated, then the graphs are replaced, then their new triples are copied into the
default graph on the server. What it gives up: a replacement is not one transaction. All content is
parsed before anything is sent (bad content changes nothing); a failure half-way leaves the graphs
of that batch partly written, and ``aidgraph rebuild`` restores the merge from the named graphs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx
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
        result = super().query(_DEFINE + for_virtuoso(text))
        if result.type == "SELECT" and result.vars:
            result.vars = [v for v in result.vars if not v.startswith(GRAPH_VARIABLE_PREFIX)]
        return result

    def replace_graphs(self, graphs: Mapping[str, merge.GraphContent]) -> None:
        """The steps of :func:`graph.store.merge.remote_replacement_steps`, as several requests: the
        update operations between two graph loads in one request, each graph's content with the Graph
        Store Protocol."""
        self._check_writable()
        contents = merge.prepared(graphs)
        if not contents:
            return
        with self._write_lock:
            operations: list[str] = []
            for step in [*merge.remote_replacement_steps(contents), None]:
                if isinstance(step, str):
                    operations.append(step)
                    continue
                if operations:
                    self.update(" ;\n".join(operations))
                    operations = []
                if step is not None:
                    self._post_graph(step.name, merge.ntriples(step.triples))

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
        bare = _LEXICAL.sub(" ", sparql)
        form = _QUERY_FORM.search(bare)
        if form and form.group(1).upper() in ("CONSTRUCT", "DESCRIBE"):
            return "application/n-triples"
        return super()._accept(sparql)

    def update(self, sparql: str) -> None:
        self._check_writable()
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
        self._post(self.update_url, {"update": _DEFINE + prologue + sparql}, "*/*")


def for_virtuoso(sparql: str) -> str:
    """``sparql`` rewritten so that its ``GRAPH`` patterns mean on Virtuoso what they mean elsewhere.

    * ``FILTER(?g != <MERGE_GRAPH>)`` after each ``GRAPH ?g { ... }`` group, so that graph variables
      range over the named graphs only, as on the other backends;
    * ``GRAPH <iri> { ... }`` (or a prefixed name) becomes ``GRAPH ?aidgraph_graph_N { ... }
      FILTER(?aidgraph_graph_N = <iri>)``: once a query names its default graph
      (``input:default-graph-uri``, as every aidgraph query does), Virtuoso 7.2 finds nothing in a
      named graph given by IRI (it is not among the query's ``FROM NAMED`` graphs), while graph
      variables still range over every graph. :meth:`VirtuosoStore.query` drops these variables from
      the result's columns (``SELECT *``).
    """
    masked = _LEXICAL.sub(
        lambda match: match.group(0) if match.group(0).startswith("<") else " " * len(match.group(0)), sparql)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), non-overlapping
    for number, match in enumerate(_GRAPH_PATTERN.finditer(masked)):
        term = match.group(1)
        end = _group_end(masked, match.end() - 1)
        if end is None:
            continue
        if term[0] in "?$":
            edits.append((end, end, f" FILTER({term} != <{MERGE_GRAPH}>) "))
        else:
            variable = f"?{GRAPH_VARIABLE_PREFIX}{number}"
            edits.append((match.start(1), match.end(1), variable))
            edits.append((end, end, f" FILTER({variable} = {term}) "))
    for start, end, text in sorted(edits, reverse=True):
        sparql = sparql[:start] + text + sparql[end:]
    return sparql


def _group_end(masked: str, opening: int) -> int | None:
    """The position just after the ``}`` closing the group opened at ``opening``."""
    depth = 0
    for position in range(opening, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[position], 0)
        if depth == 0:
            return position + 1
    return None


#: the prefix of the graph variables :func:`for_virtuoso` introduces
GRAPH_VARIABLE_PREFIX = "aidgraph_graph_"
_GRAPH_PATTERN = re.compile(r"\bGRAPH\s+([?$]\w+|<[^\s<>]*>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]*)\s*\{",
                            re.IGNORECASE)
#: IRIs, strings and comments (where SPARQL's keywords and braces are not syntax)
_LEXICAL = re.compile(r'<[^\s<>"{}]*>|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\])*"'
                    r"|'(?:\\.|[^'\\])*'|#[^\n]*")
_QUERY_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_DEFINE = f"DEFINE input:default-graph-uri <{MERGE_GRAPH}>\n"
