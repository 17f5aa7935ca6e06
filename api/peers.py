"""Several web processes over one store worker (``aidgraph serve --web-processes N``).

    primary web process (index 0)            secondary web processes (1 .. N-1)
      Engine ── pipe ── store worker           RemoteEngine / RemoteQueries
      QueryPool ── query workers                  │ one Unix socket each (authenticated)
      PeerServer ◀────────────────────────────────┘ engine.call / queries.call, answered in threads
      SharedState (shared memory): the store version, the heartbeat, the counts; read by every process

All processes accept on one listening socket (bound before they start), so a connection goes to the
process whose event loop takes it first: a process busy with CPU-bound lookups (read-model pages and
their JSON hold the GIL) takes fewer new connections, and a cheap request (/health, a light lookup)
is answered by a process that has the processor, not one waiting for its GIL.

Correctness: one writer still. Only the primary owns the store worker, the query workers and the
admission of queries (per client, across every process); the others send their calls to it. The store
version (the count of writes the caches key on) lives in shared memory and is raised before a write's
answer leaves the primary, so a write through any process makes every process's caches (heavy
answers, kept answers, facet counts) compute afresh on their next request. The label index (300 s)
and the read model's connection are per process.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import pickle
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from multiprocessing.connection import Client, Listener
from typing import Any

from api.engine import ServiceUnavailable, replies

log = logging.getLogger("aidgraph.api")

_VERSION, _HEARTBEAT, _RESTARTS, _MEMORY_KILLS, _NATIVE = range(5)
CONNECT_TIMEOUT = 180.0  # the primary opens the store first (START_TIMEOUT of its worker, and more)
CALL_MARGIN = 30.0  # beyond the call's own timeout (enforced by the primary) before a secondary gives up


class SharedState:
    """What every web process reads without asking the primary: made before the processes start."""

    def __init__(self) -> None:
        self.cells = multiprocessing.get_context("spawn").RawArray("d", 5)

    def publish(self, engine) -> None:
        cells = self.cells
        cells[_RESTARTS], cells[_MEMORY_KILLS] = engine.restarts, engine.memory_kills
        cells[_NATIVE] = 1.0 if engine.native else 0.0
        cells[_HEARTBEAT] = engine.last_answer
        cells[_VERSION] = engine.version

    def __getitem__(self, index: int) -> float:
        return self.cells[index]


class PeerServer:
    """The primary's side: answers the secondaries' calls on its engine and query pool, each in a thread."""

    def __init__(self, address: str, authkey: bytes, targets: dict[str, Any], threads: int = 32) -> None:
        self.listener = Listener(address, family="AF_UNIX", authkey=authkey)
        self.targets = targets
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="aidgraph-peer-call")
        self.closed = threading.Event()
        threading.Thread(target=self._accept, name="aidgraph-peer-accept", daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn = self.listener.accept()
            except Exception:  # (a failed handshake, or the listener closed)
                if self.closed.is_set():
                    return
                continue
            threading.Thread(target=self._serve, args=(conn,), name="aidgraph-peer", daemon=True).start()

    def _serve(self, conn) -> None:
        lock = threading.Lock()
        while not self.closed.is_set():
            try:
                request_id, target, operation, arguments, options = conn.recv()
            except (EOFError, OSError):
                return
            self.pool.submit(self._answer, conn, lock, request_id, target, operation, arguments, options)

    def _answer(self, conn, lock, request_id, target, operation, arguments, options) -> None:
        try:
            message = (request_id, "ok", self.targets[target].call(operation, arguments, **options))
        except Exception as exc:  # (sent to the caller, raised there)
            try:  # raised again in the secondary: it must come back whole
                pickle.loads(pickle.dumps(exc))
            except Exception:  # (an error class whose arguments do not round-trip)
                exc = ServiceUnavailable(str(exc))
            message = (request_id, "error", exc)
        with lock:
            try:
                conn.send(message)
            except (OSError, ValueError):
                return
            except Exception as exc:  # (an answer or error that does not pickle)
                conn.send((request_id, "error", ServiceUnavailable(f"the answer could not be sent: {exc}")))

    def close(self) -> None:
        self.closed.set()
        self.listener.close()
        self.pool.shutdown(wait=False, cancel_futures=True)


class PeerClient:
    """A secondary's connection to the primary: calls multiplexed by request id, one reader thread."""

    def __init__(self, address: str, authkey: bytes) -> None:
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            try:
                self.conn = Client(address, family="AF_UNIX", authkey=authkey)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise ServiceUnavailable("the primary web process did not start within "
                                             f"{CONNECT_TIMEOUT:.0f} s") from None
                time.sleep(0.1)
        self.pending: dict[int, Future] = {}
        self.ids = itertools.count(1)
        self.lock = threading.Lock()
        threading.Thread(target=self._read, name="aidgraph-peer-reader", daemon=True).start()

    def _read(self) -> None:
        for request_id, status, payload in replies(self.conn):
            future = self.pending.pop(request_id, None)
            if future is not None:
                (future.set_result if status == "ok" else future.set_exception)(payload)
        for future in list(self.pending.values()):
            future.set_exception(ServiceUnavailable("the primary web process is gone"))

    def call(self, target: str, operation: str, arguments: dict[str, Any], wait: float,
             **options: Any) -> Any:
        """``target.call(operation, arguments, **options)`` in the primary; gives up ``wait`` seconds
        (the call's own deadline, enforced there) plus a margin later."""
        future: Future = Future()
        request_id = next(self.ids)
        self.pending[request_id] = future
        with self.lock:
            self.conn.send((request_id, target, operation, arguments, options))
        try:
            return future.result(timeout=wait + CALL_MARGIN)
        except FutureTimeout:
            self.pending.pop(request_id, None)
            raise ServiceUnavailable("the primary web process did not answer",
                                     hint="retry in a moment") from None

    def close(self) -> None:
        self.conn.close()


class RemoteEngine:
    """``api.engine.Engine`` as a secondary web process sees it: calls go to the primary's engine."""

    name = "store"
    peak_rss = 0

    def __init__(self, settings, shared: SharedState, client: PeerClient) -> None:
        self.settings, self.shared, self.client = settings, shared, client

    version = property(lambda self: int(self.shared[_VERSION]))
    last_answer = property(lambda self: self.shared[_HEARTBEAT])
    restarts = property(lambda self: int(self.shared[_RESTARTS]))
    memory_kills = property(lambda self: int(self.shared[_MEMORY_KILLS]))
    native = property(lambda self: bool(self.shared[_NATIVE]))

    def start(self) -> None:
        pass

    def healthy(self, within: float = 10.0) -> bool:
        return time.monotonic() - self.last_answer <= within

    def call(self, operation: str, arguments: dict[str, Any], *, timeout: float | None = None) -> Any:
        deadline = timeout if timeout is not None else self.settings.query_timeout
        return self.client.call("engine", operation, arguments, deadline, timeout=timeout)

    def close(self) -> None:
        self.client.close()


class RemoteQueries:
    """``api.query_pool.QueryPool`` of a secondary: the primary admits and runs the queries."""

    def __init__(self, settings, client: PeerClient) -> None:
        self.settings, self.client = settings, client

    def start(self) -> None:
        pass

    def call(self, operation: str, arguments: dict[str, Any], *, client: str) -> Any:
        wait = self.settings.query_queue_wait + self.settings.query_timeout
        return self.client.call("queries", operation, arguments, wait, client=client)

    def status(self) -> dict[str, int]:
        return {}

    def close(self) -> None:
        pass
