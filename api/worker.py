"""The store worker: the one process that owns the store and runs every engine call.

The web process never opens the store. It sends requests ``(request_id, operation, arguments)`` over a
pipe; this process runs each in a thread (pyoxigraph releases the GIL, so queries run side by side) and
answers ``(request_id, "ok", result)`` or ``(request_id, "error", problem)``. When a query overruns its
deadline the web process kills this whole process (a thread cannot be stopped, and pyoxigraph has no
cancel) and starts a fresh one; see ``api.engine`` and ``api/README.md``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from api.results import (
    GRAPH_FORMATS,
    TABLE_FORMATS,
    Term,
    rdflib_row,
    rdflib_term,
    write_boolean,
    write_rdfxml,
    write_table,
)
from graph.errors import AidgraphError, InputError, QuerySyntaxError, StoreError
from graph.vocab import PREFIXES

FORMATS = {fmt.name: fmt for fmt in TABLE_FORMATS + GRAPH_FORMATS}
#: added to a query worker's niceness: heavy queries get the processor time lookups leave them
QUERY_WORKER_NICENESS = 10


class StoreService:
    """The operations the web process may ask for, over one open store."""

    def __init__(self, store) -> None:
        self.store = store
        self.native = _native_store(store)
        self._graph_writes = threading.Lock()  # Graph Store writes read, then replace: one at a time

    # -------------------------------------------------------------------------------- queries

    def query(self, sparql: str, fmt: str, cap: int, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None) -> dict[str, Any]:
        """Run a SPARQL query; answer the body in ``fmt``, at most ``cap`` rows/triples."""
        fmt_ = FORMATS[fmt]
        if self.native is not None:
            result = self._native_query(sparql, default_graphs, named_graphs)
            return self._native_body(result, fmt_, cap)
        if default_graphs or named_graphs:
            raise InputError("default-graph-uri and named-graph-uri need the oxigraph store",
                             hint="use FROM / FROM NAMED in the query instead")
        return self._rdflib_body(self.store.query(sparql), fmt_, cap)

    def select(self, sparql: str, cap: int, bindings: Mapping[str, Term] | None = None) -> dict[str, Any]:
        """Run a SELECT with values bound to variables; answer variables, rows (term tuples), truncation."""
        if self.native is not None:
            import pyoxigraph as ox

            substitutions = {ox.Variable(name): _to_ox(term) for name, term in (bindings or {}).items()}
            result = self._native_query(sparql, None, None, substitutions)
            variables = [v.value for v in result.variables]
            rows, truncated = _take(result, cap)
            return {"vars": variables, "truncated": truncated,
                    "rows": [_native_row(variables, solution) for solution in rows]}
        rdflib_bindings = {name: _to_rdflib(term) for name, term in (bindings or {}).items()}
        result = self.store.query(sparql, bindings=rdflib_bindings)
        variables = [str(v) for v in result.vars]
        rows, truncated = _take(result, cap)
        return {"vars": variables, "truncated": truncated,
                "rows": [rdflib_row(variables, row) for row in rows]}

    def _native_query(self, sparql, default_graphs, named_graphs, substitutions=None):
        """Run on pyoxigraph. Without a dataset (protocol parameters, FROM) the query reads the
        store's default graph: the merge of the accepted graphs (``graph.store.merge``)."""
        import pyoxigraph as ox

        options: dict[str, Any] = {"prefixes": PREFIXES}
        if default_graphs is not None or named_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs or []]
            if named_graphs is not None:
                options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            options["substitutions"] = substitutions
        try:
            return self.native.query(sparql, **options)
        except SyntaxError as exc:
            raise _syntax_error(exc) from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise StoreError(f"the query failed: {exc}", hint="check the query") from exc

    def _native_body(self, result, fmt, cap: int) -> dict[str, Any]:
        return native_body(result, fmt, cap)

    def _rdflib_body(self, result, fmt, cap: int) -> dict[str, Any]:
        if result.type == "ASK":
            return _body(write_boolean(fmt, bool(result.askAnswer)), fmt, 1, False)
        if result.type == "SELECT":
            variables = [str(v) for v in result.vars]
            rows, truncated = _take(result, cap)
            table = write_table(fmt, variables, (rdflib_row(variables, row) for row in rows))
            return _body(table, fmt, len(rows), truncated)
        import rdflib

        triples, truncated = _take(result, cap)
        if fmt.name == "rdfxml":
            terms = ((rdflib_term(s), rdflib_term(p), rdflib_term(o)) for s, p, o in triples)
            return _body(write_rdfxml(terms, PREFIXES), fmt, len(triples), truncated)
        graph = rdflib.Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        for triple in triples:
            graph.add(triple)
        return _body(graph.serialize(format=fmt.media_type, encoding="utf-8"), fmt, len(triples), truncated)

    # -------------------------------------------------------------------------------- writes

    def update(self, sparql: str) -> dict[str, Any]:
        """Run a SPARQL 1.1 Update."""
        if not getattr(self.store, "supports_update", True):
            raise StoreError("this store is read-only", hint="serve a store opened for writing")
        self.store.update(sparql)
        return {"ok": True}

    def replace_graphs(self, graphs: dict[str, str]) -> dict[str, Any]:
        """Replace named graphs in one step (graph IRI -> N-Triples; empty drops the graph): how an
        article prepared outside this process (``graph.workers.ArticlePool``) is stored."""
        if not getattr(self.store, "supports_update", True):
            raise StoreError("this store is read-only", hint="serve a store opened for writing")
        self.store.replace_graphs(graphs)
        return {"ok": True, "graphs": len(graphs)}

    def recompute_commitments(self, articles: list[str] | None = None) -> dict[str, Any]:
        """Bring the derived graph ``aidg:commitments`` up to date after an article was stored:
        ``articles``, the graphs written, re-clusters only the commitments their claims can touch
        (:func:`graph.commitments.update`); without them every commitment is recomputed."""
        if not getattr(self.store, "supports_update", True):
            raise StoreError("this store is read-only", hint="serve a store opened for writing")
        from graph.commitments import recompute, update

        summary = recompute(self.store) if articles is None else update(self.store, articles)
        return summary.to_dict()

    def graph_write(self, action: str, graph: str, ntriples: str = "") -> dict[str, Any]:
        """A Graph Store Protocol write through the store's own methods: ``put`` replaces the named
        graph with ``ntriples``, ``post`` adds them to it, ``delete`` drops it. Answers whether the graph
        existed before."""
        if not getattr(self.store, "supports_update", True):
            raise StoreError("this store is read-only", hint="serve a store opened for writing")
        with self._graph_writes:
            existed = self.has_graph(graph)
            if action == "delete":
                if existed:
                    self.store.drop_graph(graph)
                return {"existed": existed}
            if action == "post" and existed:
                from graph.store.convert import graph_to_ntriples

                ntriples = graph_to_ntriples(self.store.get_graph(graph)) + "\n" + ntriples
            elif action not in ("put", "post"):
                raise InputError(f"unknown graph store action {action!r}", hint="put, post or delete")
            self.store.replace_graphs({graph: ntriples})
            return {"existed": existed}

    def dump(self, fmt: str, graph: str | None = None) -> bytes:
        """The whole dataset (trig/nquads) or one graph serialised."""
        return self.store.serialize(fmt, graph=graph)

    def export(self, **arguments: Any) -> dict[str, Any]:
        """A graph export (GEXF, GraphML, RDF, CSV) over this store: ``api.export_payloads.export_payload``
        (``graph.export.export_payload``, plus the merged graph as Turtle/N-Triples)."""
        from api.export_payloads import export_payload

        return export_payload(self.store, **arguments)

    def plot(self, **arguments: Any) -> dict[str, Any]:
        """A picture (timeline, network): ``graph.export.plot_payload`` over this store."""
        from graph.export import plot_payload

        return plot_payload(self.store, **arguments)

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs."""
        return self.store.graph_names()

    def has_graph(self, graph: str) -> bool:
        """Whether ``graph`` is the IRI of a named graph of the store."""
        if self.native is not None:
            import pyoxigraph as ox

            return self.native.contains_named_graph(ox.NamedNode(graph))
        return graph in set(self.store.graph_names())

    def checkpoint(self, target: str) -> dict[str, Any]:
        """Write a read-only replica of the store to the new directory ``target``: a RocksDB checkpoint
        (hard links on the same file system, so it costs a flush, not a copy) plus aidgraph's marker
        files. The query workers open it read-only (``ReplicaService``); nobody ever writes it."""
        location = getattr(self.store, "location", None)
        if self.native is None or location is None:
            raise StoreError("only an on-disk oxigraph store can be replicated",
                             hint="queries run in the store worker for this backend")
        self.native.flush()
        self.native.backup(target)
        for marker in Path(location).glob("aidgraph-*"):
            shutil.copy2(marker, Path(target) / marker.name)
        return {"replica": target}

    def ping(self) -> dict[str, Any]:
        """Liveness: the store answers a trivial query."""
        if self.native is not None:
            self.native.query("ASK {}")
        else:
            self.store.query("ASK {}")
        return {"store": getattr(self.store, "name", "?"), "native": self.native is not None}

    def close(self) -> None:
        self.store.close()


class ReplicaService:
    """A query worker's operations: read-only queries over the replica each call names.

    The web process makes a new replica (``StoreService.checkpoint``) after writes and names it in every
    call; this service opens it read-only on first use and closes the one before. So queries run in
    processes of their own, beside the store worker, and still see every write answered before them.
    """

    def __init__(self) -> None:
        import graph.store  # noqa: F401 (imported now, before "ready": not in the first query's time)

        self.path: str | None = None
        self.service: StoreService | None = None

    def _on(self, replica: str) -> StoreService:
        if replica != self.path or self.service is None:
            from graph.store import open_store

            previous, self.service, self.path = self.service, None, None
            if previous is not None:
                previous.close()
            self.service = StoreService(open_store(replica, backend="oxigraph", read_only=True))
            self.path = replica
        return self.service

    def open(self, replica: str) -> dict[str, Any]:
        """Open ``replica`` now (a restarted worker, before its first query)."""
        self._on(replica)
        return {"replica": replica}

    def query(self, replica: str, **arguments: Any) -> dict[str, Any]:
        """``StoreService.query`` over ``replica``."""
        return self._on(replica).query(**arguments)

    def select(self, replica: str, **arguments: Any) -> dict[str, Any]:
        """``StoreService.select`` over ``replica``."""
        return self._on(replica).select(**arguments)

    def ping(self) -> dict[str, Any]:
        """Liveness of the process (no store needed)."""
        return {"store": "replica", "native": True}

    def close(self) -> None:
        if self.service is not None:
            self.service.close()


# ------------------------------------------------------------------------------------------- helpers

def _native_store(store):
    """The pyoxigraph store behind a store object, when there is one (fast path, native writers)."""
    import pyoxigraph as ox

    candidate = getattr(store, "native", None)
    return candidate if isinstance(candidate, ox.Store) else None


def native_answer(native, sparql: str, fmt: str, cap: int) -> dict[str, Any]:
    """A query's answer on a pyoxigraph store as the query lane gives it (body in ``fmt``, media type,
    count, truncated): what ``GET /queries/{name}`` keeps (``graph.store.readmodel``)."""
    return native_body(native.query(sparql, prefixes=PREFIXES), FORMATS[fmt], cap)


def native_body(result, fmt, cap: int) -> dict[str, Any]:
    """The body of a pyoxigraph result in ``fmt``, at most ``cap`` rows/triples."""
    import pyoxigraph as ox

    try:
        if isinstance(result, ox.QueryBoolean):
            return _body(write_boolean(fmt, bool(result)), fmt, 1, False)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows, truncated = _take(result, cap)
            table = write_table(fmt, variables, (_native_row(variables, s) for s in rows))
            return _body(table, fmt, len(rows), truncated)
        triples, truncated = _take(result, cap)
        if fmt.name == "rdfxml":
            body = write_rdfxml(((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object))
                                 for t in triples), PREFIXES)
        else:
            prefixes = PREFIXES if fmt.name == "turtle" else None
            body = ox.serialize(triples, format=ox.RdfFormat.from_media_type(fmt.media_type),
                                prefixes=prefixes)
        return _body(body, fmt, len(triples), truncated)
    except (OSError, RuntimeError) as exc:  # evaluation errors surface while iterating
        raise StoreError(f"the query failed: {exc}", hint="check the query") from exc



def _body(body: bytes, fmt, count: int, truncated: bool) -> dict[str, Any]:
    return {"body": body, "media_type": fmt.media_type, "count": count, "truncated": truncated}


def _take(iterable, cap: int) -> tuple[list, bool]:
    """At most ``cap`` items, and whether there were more."""
    items = []
    for item in iterable:
        if len(items) == cap:
            return items, True
        items.append(item)
    return items, False


def _from_ox(term) -> Term:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    return ("literal", str(term), None, None)  # RDF 1.2 triple terms: shown as text


def _native_row(variables: list[str], solution) -> dict[str, Term]:
    row = {}
    for index, name in enumerate(variables):
        term = solution[index]
        if term is not None:
            row[name] = _from_ox(term)
    return row


def _to_ox(term: Term):
    import pyoxigraph as ox

    try:
        if term[0] == "uri":
            return ox.NamedNode(term[1])
        if term[2] and not term[3]:
            return ox.Literal(term[1], datatype=ox.NamedNode(term[2]))
        return ox.Literal(term[1], language=term[3]) if term[3] else ox.Literal(term[1])
    except ValueError as exc:
        raise InputError(f"not a valid RDF term: {term[1]!r} ({exc})", hint="check the value") from exc


def _to_rdflib(term: Term):
    import rdflib

    if term[0] == "uri":
        return rdflib.URIRef(term[1])
    return rdflib.Literal(term[1], lang=term[3], datatype=rdflib.URIRef(term[2]) if term[2] else None)


def _syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    from graph.store.base import query_syntax_error

    return query_syntax_error(exc, "")


def problem_of(exc: BaseException) -> dict[str, Any]:
    """A picklable description of an error, rebuilt into an exception by the web process."""
    if isinstance(exc, AidgraphError):
        return {"kind": type(exc).__name__, "message": exc.message, "hint": exc.hint,
                "line": getattr(exc, "line", None), "column": getattr(exc, "column", None)}
    return {"kind": "internal", "message": f"{type(exc).__name__}: {exc}", "hint": None}


def run_worker(conn, store: str | None, backend: str, update_url: str | None, threads: int,
               parent_pid: int | None = None) -> None:
    """Entry point of the worker process: open the store, then serve requests until the pipe closes.

    With ``parent_pid`` the worker dies with the web process (SIGKILL, no write finishing after it).
    """
    if parent_pid is not None:
        from graph.workers import die_with_parent

        die_with_parent(parent_pid)
    service: StoreService | ReplicaService
    try:
        if backend == "replica":  # a query worker: it opens the replicas its calls name
            os.nice(QUERY_WORKER_NICENESS)  # the store worker (lookups, /health's heartbeat) comes first
            service = ReplicaService()
        else:
            from graph.store import open_store

            service = StoreService(open_store(store, backend=backend, update_url=update_url))
    except BaseException as exc:  # report why the store could not be opened, then stop
        conn.send((None, "error", problem_of(exc)))
        return
    conn.send((None, "ready", {"native": isinstance(service, ReplicaService) or service.native is not None}))
    send_lock = threading.Lock()

    def handle(request_id: int, operation: str, arguments: dict[str, Any]) -> None:
        try:
            reply = (request_id, "ok", getattr(service, operation)(**arguments))
        except BaseException as exc:
            reply = (request_id, "error", problem_of(exc))
        with send_lock:
            conn.send(reply)

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="aidgraph-query") as pool:
        while True:
            try:
                request_id, operation, arguments = conn.recv()
            except (EOFError, OSError):
                # the web process is gone without saying goodbye: stop now, finishing nothing it started
                os._exit(1)
            if operation == "shutdown":
                break
            if operation == "ping":  # answered at once, even when every thread is busy (heartbeat)
                handle(request_id, operation, arguments)
                continue
            pool.submit(handle, request_id, operation, arguments)
    service.close()
