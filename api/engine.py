"""The web process's handle on the store worker: send a call, wait with a deadline, kill on overrun.

    engine = Engine(settings); engine.start()
    engine.call("select", {"sparql": ..., "cap": 100, "bindings": {...}})   # -> the worker's result
    engine.close()

Design (see api/README.md): one worker process owns the store (RocksDB allows one writer process, and a
read-only opening beside a writer is undefined). Calls are multiplexed over one pipe; the worker runs up
to ``worker_threads`` of them at once. A call that overruns ``query_timeout`` gets the worker killed
(SIGKILL: the only way to stop pyoxigraph or rdflib mid-query) and restarted; the caller gets
:class:`QueryTimeout` (HTTP 503). Read calls that were in flight on the killed worker are retried once on
the new worker, so one runaway query does not fail its neighbours; writes are not retried.

The worker dies with the web process (``graph.workers.die_with_parent``: SIGKILL from the kernel when the
web process goes, even by SIGKILL), so a killed server leaves no worker finishing a write or holding the
store's lock. ``version`` counts the writes sent (it changes whenever the store may have changed; the
heavy-request cache keys on it).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from api.settings import ApiSettings
from graph import errors
from graph.errors import AidgraphError, StoreError
from graph.workers import start_process

log = logging.getLogger("aidgraph.api")

READ_OPERATIONS = frozenset({"query", "select", "graph_names", "has_graph", "ping", "dump", "export", "plot"})
START_TIMEOUT = 120.0


class ServiceUnavailable(AidgraphError):  # noqa: N818 (named like its HTTP status)
    """The store worker could not answer (overloaded, restarting, or it failed to start)."""

    code = "service-unavailable"


class QueryTimeout(ServiceUnavailable):
    """A call overran its deadline; its worker was killed and restarted."""

    code = "query-timeout"


class WorkerGoneError(Exception):
    """Internal: the worker died while a call was in flight."""


class _Worker:
    """One generation of the worker process, its pipe and its calls in flight."""

    def __init__(self, settings: ApiSettings, generation: int) -> None:
        from api.worker import run_worker

        context = multiprocessing.get_context("spawn")
        self.generation = generation
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=run_worker, name=f"aidgraph-store-worker-{generation}", daemon=True,
            args=(child, settings.store, settings.backend, settings.update_url, settings.worker_threads,
                  os.getpid()),
        )
        self.pending: dict[int, Future] = {}
        self.lock = threading.Lock()
        self.send_lock = threading.Lock()
        self.alive = False
        start_process(self.process)  # from a thread that lives as long as this process (PDEATHSIG)
        child.close()

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        if not self.conn.poll(timeout):
            self.kill()
            raise ServiceUnavailable(f"the store worker did not start within {timeout:.0f} s",
                                     hint="check that the store directory is not locked by another process")
        _, status, payload = self.conn.recv()
        if status != "ready":
            self.kill()
            raise _rebuild(payload)
        self.alive = True
        threading.Thread(target=self._read, name=f"aidgraph-reader-{self.generation}", daemon=True).start()
        return payload

    def submit(self, request_id: int, operation: str, arguments: dict[str, Any]) -> Future:
        future: Future = Future()
        with self.lock:
            if not self.alive:
                raise WorkerGoneError()
            self.pending[request_id] = future
        try:
            with self.send_lock:
                self.conn.send((request_id, operation, arguments))
        except (OSError, ValueError) as exc:
            self._fail_all()
            raise WorkerGoneError() from exc
        return future

    def _read(self) -> None:
        while True:
            try:
                request_id, status, payload = self.conn.recv()
            except (EOFError, OSError):
                break
            with self.lock:
                future = self.pending.pop(request_id, None)
            if future is None:
                continue
            if status == "ok":
                future.set_result(payload)
            else:
                future.set_exception(_rebuild(payload))
        self._fail_all()

    def _fail_all(self) -> None:
        with self.lock:
            self.alive = False
            pending, self.pending = self.pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(WorkerGoneError())

    def kill(self) -> None:
        self.alive = False
        if self.process.is_alive():
            self.process.kill()
        self.process.join(10)
        self.conn.close()
        self._fail_all()

    def shutdown(self) -> None:
        try:
            with self.send_lock:
                self.conn.send((0, "shutdown", {}))
        except (OSError, ValueError):
            pass
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self._fail_all()


class Engine:
    """Runs store operations in a killable worker process with a deadline per call."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self._worker: _Worker | None = None
        self._lifecycle = threading.Lock()
        self._ids = itertools.count(1)
        self._generations = itertools.count(1)
        self._slots = threading.BoundedSemaphore(max(1, settings.worker_threads))
        self.restarts = 0
        self.native = False
        self.version = 0

    def start(self) -> None:
        """Start the worker and wait until its store is open."""
        with self._lifecycle:
            if self._worker is None or not self._worker.alive:
                self._start_locked()

    def _start_locked(self) -> None:
        worker = _Worker(self.settings, next(self._generations))
        info = worker.wait_ready(START_TIMEOUT)
        self.native = bool(info.get("native"))
        self._worker = worker

    def _restart(self, generation: int, reason: str) -> None:
        with self._lifecycle:
            worker = self._worker
            if worker is not None and worker.generation == generation:
                log.warning("restarting the store worker: %s", reason)
                worker.kill()
                self.restarts += 1
                self._worker = None
            if self._worker is None:
                self._start_locked()

    def _current(self, deadline: float) -> _Worker:
        worker = self._worker
        if worker is not None and worker.alive:
            return worker
        if not self._lifecycle.acquire(timeout=deadline):  # a restart is under way: do not outwait it
            raise ServiceUnavailable("the store worker is restarting", hint="retry in a moment")
        try:
            if self._worker is None or not self._worker.alive:
                if self._worker is not None:
                    self._worker.kill()
                self._start_locked()
            return self._worker
        finally:
            self._lifecycle.release()

    def call(self, operation: str, arguments: dict[str, Any], *, timeout: float | None = None) -> Any:
        """Run ``operation`` in the worker and return its result, or raise.

        Raises the worker's AidgraphError (syntax, input, store), :class:`QueryTimeout` after ``timeout``
        seconds (default: the configured query timeout), :class:`ServiceUnavailable` when every worker
        slot stays busy for that long or the worker dies.
        """
        deadline = timeout if timeout is not None else self.settings.query_timeout
        if not self._slots.acquire(timeout=deadline):
            raise ServiceUnavailable("the store is busy with other queries",
                                     hint="retry in a moment")
        writes = operation not in READ_OPERATIONS
        if writes:
            self.version += 1
        try:
            attempts = 1 if writes else 2
            for attempt in range(attempts):
                try:
                    return self._call_once(operation, arguments, deadline)
                except WorkerGoneError:
                    if attempt + 1 == attempts:
                        raise ServiceUnavailable(
                            "the store worker was restarted while running this request",
                            hint="retry; if it was an update, check whether it was applied") from None
            raise AssertionError("unreachable")
        finally:
            if writes:
                self.version += 1
            self._slots.release()

    def _call_once(self, operation: str, arguments: dict[str, Any], deadline: float) -> Any:
        worker = self._current(deadline)
        started = time.monotonic()
        future = worker.submit(next(self._ids), operation, arguments)
        try:
            return future.result(timeout=deadline)
        except FutureTimeout:
            elapsed = time.monotonic() - started
            self._restart(worker.generation, f"{operation} overran {deadline:g} s")
            raise QueryTimeout(
                f"the query was stopped after {elapsed:.1f} s (limit {deadline:g} s)",
                hint="make the query more selective (add LIMIT, bind variables, avoid cross products)",
            ) from None

    def close(self) -> None:
        """Stop the worker (it flushes and closes the store)."""
        with self._lifecycle:
            if self._worker is not None:
                self._worker.shutdown()
                self._worker = None


def _rebuild(problem: dict[str, Any]) -> Exception:
    """The exception a worker reported, rebuilt in this process."""
    kind = problem.get("kind")
    message, hint = problem.get("message", "error"), problem.get("hint")
    if kind == "QuerySyntaxError":
        return errors.QuerySyntaxError(message, line=problem.get("line"), column=problem.get("column"),
                                       hint=hint)
    error_class = getattr(errors, kind, None) if kind else None
    if isinstance(error_class, type) and issubclass(error_class, AidgraphError):
        return error_class(message, hint=hint)
    return StoreError(f"internal error in the store worker: {message}",
                      hint="this is a bug; please report it with the request")
