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
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from api.settings import ApiSettings
from graph import errors
from graph.errors import AidgraphError, StoreError
from graph.workers import start_process

log = logging.getLogger("aidgraph.api")

READ_OPERATIONS = frozenset({"query", "select", "graph_names", "has_graph", "ping", "dump", "export", "plot",
                             "checkpoint", "open"})
START_TIMEOUT = 120.0
WATCH_INTERVAL = 0.1  # seconds between two looks at a worker's memory (growth seen: ~230 MB/s)
HEARTBEAT_INTERVAL = 1.0  # seconds between two pings of the worker (/health reads their answers)


def replies(conn) -> Iterator[tuple[int, str, Any]]:
    """The (request id, status, payload) answers arriving on a connection, until it closes."""
    while True:
        try:
            yield conn.recv()
        except (EOFError, OSError):
            return


class ServiceUnavailable(AidgraphError):  # noqa: N818 (named like its HTTP status)
    """The store worker could not answer (overloaded, restarting, or it failed to start)."""

    code = "service-unavailable"


class QueryTimeout(ServiceUnavailable):
    """A call overran its deadline; its worker was killed and restarted."""

    code = "query-timeout"


class MemoryCapExceeded(ServiceUnavailable):
    """A worker passed its memory cap while running the call; it was killed and restarted."""

    code = "memory-exceeded"


class TooManyQueries(AidgraphError):  # noqa: N818 (named like its HTTP status, 429)
    """The query queue is full, or this client already has its share of queries running or queued."""

    code = "too-many-queries"

    def __init__(self, message: str, *, hint: str | None = None, retry_after: int = 5) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class WorkerGoneError(Exception):
    """Internal: the worker died while a call was in flight (``reason`` when it was killed on purpose)."""

    def __init__(self, reason: str | None = None, *, memory: bool = False) -> None:
        super().__init__(reason or "the worker died")
        self.reason, self.memory = reason, memory


class _Worker:
    """One generation of the worker process, its pipe and its calls in flight."""

    def __init__(self, settings: ApiSettings, generation: int, *, name: str = "store",
                 backend: str | None = None, threads: int | None = None) -> None:
        from api.worker import run_worker

        context = multiprocessing.get_context("spawn")
        self.generation = generation
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=run_worker, name=f"aidgraph-{name}-worker-{generation}", daemon=True,
            args=(child, settings.store, backend or settings.backend, settings.update_url,
                  threads or settings.worker_threads, os.getpid()),
        )
        self.killed: WorkerGoneError | None = None  # why this worker was killed, for the calls in flight
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
        for request_id, status, payload in replies(self.conn):
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
                future.set_exception(self.killed or WorkerGoneError())

    def rss_bytes(self) -> int:
        """The worker's resident memory (0 when it cannot be read)."""
        try:
            with open(f"/proc/{self.process.pid}/statm", "rb") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return 0

    def kill(self, reason: WorkerGoneError | None = None) -> None:
        if reason is not None and self.killed is None:
            self.killed = reason
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

    def __init__(self, settings: ApiSettings, *, name: str = "store", backend: str | None = None,
                 threads: int | None = None) -> None:
        self.settings = settings
        self.name, self._backend, self._threads = name, backend, threads
        self._worker: _Worker | None = None
        self._lifecycle = threading.Lock()
        self._ids = itertools.count(1)
        self._generations = itertools.count(1)
        self._slots = threading.BoundedSemaphore(max(1, threads or settings.worker_threads))
        self.restarts = 0
        self.memory_kills = 0
        self.native = False
        self.shared = None  # api.peers.SharedState: version, heartbeat and counts for the other web processes
        self._version = 0
        self._last_answer = 0.0  # monotonic time of the last heartbeat answered
        self.peak_rss = 0
        self._closed = threading.Event()
        self._watch: threading.Thread | None = None

    @property
    def version(self) -> int:
        """The count of writes sent (twice per write: before and after it)."""
        return self._version

    @version.setter
    def version(self, value: int) -> None:
        self._version = value
        if self.shared is not None:  # before the write's answer leaves: every web process sees it
            self.shared.publish(self)

    @property
    def last_answer(self) -> float:
        return self._last_answer

    @last_answer.setter
    def last_answer(self, value: float) -> None:
        self._last_answer = value
        if self.shared is not None:
            self.shared.publish(self)

    def start(self) -> None:
        """Start the worker and wait until its store is open; then watch its memory and heartbeat."""
        with self._lifecycle:
            if self._worker is None or not self._worker.alive:
                self._start_locked()
        if self._watch is None:
            self._watch = threading.Thread(target=self._watch_loop, name=f"aidgraph-{self.name}-watch",
                                           daemon=True)
            self._watch.start()

    def _start_locked(self) -> None:
        worker = _Worker(self.settings, next(self._generations), name=self.name, backend=self._backend,
                         threads=self._threads)
        info = worker.wait_ready(START_TIMEOUT)
        self.native = bool(info.get("native"))
        self._worker = worker
        self.last_answer = time.monotonic()

    def _restart(self, generation: int, reason: str, why: WorkerGoneError | None = None) -> None:
        with self._lifecycle:
            worker = self._worker
            if worker is not None and worker.generation == generation:
                log.warning("restarting the %s worker: %s", self.name, reason)
                worker.kill(why or WorkerGoneError(reason))
                self.restarts += 1
                self._worker = None
            if self._worker is None and not self._closed.is_set():
                self._start_locked()

    def _restart_soon(self, generation: int, reason: str) -> None:
        """Kill the worker now and start its successor in the background: the caller answers at once,
        the next calls wait for the new worker (``_current``)."""
        with self._lifecycle:
            worker = self._worker
            if worker is not None and worker.generation == generation:
                log.warning("restarting the %s worker: %s", self.name, reason)
                worker.kill(WorkerGoneError(reason))
                self.restarts += 1
                self._worker = None
        threading.Thread(target=self._start_if_needed, name=f"aidgraph-{self.name}-restart",
                         daemon=True).start()

    def _start_if_needed(self) -> None:
        try:
            with self._lifecycle:
                if self._worker is None and not self._closed.is_set():
                    self._start_locked()
        except AidgraphError as exc:  # the next call tries again
            log.warning("could not restart the %s worker: %s", self.name, exc)

    def _watch_loop(self) -> None:
        """Kill the worker when it passes the memory cap; ping it now and then (``healthy``)."""
        cap = self.settings.worker_memory_mb * 1024 * 1024
        ping: tuple[int, Future, float] | None = None
        last_ping = 0.0
        while not self._closed.wait(WATCH_INTERVAL):
            worker = self._worker
            if worker is None or not worker.alive:
                ping = None
                continue
            rss = worker.rss_bytes()
            self.peak_rss = max(self.peak_rss, rss)
            if cap and rss > cap:
                self.memory_kills += 1
                reason = (f"the {self.name} worker used {rss / 2**20:.0f} MB, over its memory cap of "
                          f"{self.settings.worker_memory_mb} MB")
                try:
                    self._restart(worker.generation, reason, WorkerGoneError(reason, memory=True))
                except AidgraphError as exc:  # the new worker did not start: the next call tries again
                    log.warning("could not restart the %s worker: %s", self.name, exc)
                ping = None
                continue
            now = time.monotonic()
            if ping is not None and ping[1].done():
                if ping[1].exception() is None and ping[0] == worker.generation:
                    self.last_answer = now
                ping = None
            if ping is None and now - last_ping >= HEARTBEAT_INTERVAL:
                last_ping = now
                try:
                    ping = (worker.generation, worker.submit(next(self._ids), "ping", {}), now)
                except WorkerGoneError:
                    ping = None

    def healthy(self, within: float = 10.0) -> bool:
        """Whether the worker answered a heartbeat in the last ``within`` seconds (never waits)."""
        return time.monotonic() - self.last_answer <= within

    def _current(self, deadline: float) -> _Worker:
        worker = self._worker
        if worker is not None and worker.alive:
            return worker
        if not self._lifecycle.acquire(timeout=deadline):  # a restart is under way: do not outwait it
            raise ServiceUnavailable(f"the {self.name} worker is restarting", hint="retry in a moment")
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
                except WorkerGoneError as exc:
                    if exc.memory:  # not retried: it may well be this call that used the memory
                        raise MemoryCapExceeded(
                            f"the request was stopped: {exc.reason}",
                            hint="make the query more selective (add LIMIT, bind variables, avoid cross "
                                 "products and sorting or grouping them)") from None
                    if attempt + 1 == attempts:
                        raise ServiceUnavailable(
                            f"the {self.name} worker was restarted while running this request",
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
            self._restart_soon(worker.generation, f"{operation} overran {deadline:g} s")
            raise QueryTimeout(
                f"the query was stopped after {elapsed:.1f} s (limit {deadline:g} s)",
                hint="make the query more selective (add LIMIT, bind variables, avoid cross products)",
            ) from None

    def close(self) -> None:
        """Stop the worker (it flushes and closes the store)."""
        self._closed.set()
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
