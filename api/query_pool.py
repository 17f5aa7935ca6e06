"""The query lane: SPARQL queries from clients (/sparql, /queries/*) admitted by a bounded queue and run
in query worker processes of their own, so that the store worker keeps answering lookups and writes.

    pool = QueryPool(settings, store_engine); pool.start()
    pool.call("query", {...}, client="127.0.0.1")     # -> the worker's result, or raises
    pool.close()

Admission: a client (its address) may have ``queries_per_client`` queries running or waiting, and at most
``query_queue`` queries wait for a worker; beyond either, and after ``query_queue_wait`` seconds without a
free worker, :class:`api.engine.TooManyQueries` (HTTP 429 with Retry-After). Each query worker runs one
query at a time, under the deadline and memory cap of :class:`api.engine.Engine`: a runaway query gets its
own worker killed and restarted, and nobody else's call.

Share: one client runs on at most ``share`` workers at once (``query_worker_share``; by default all but
one), and a free worker goes to the longest-waiting query whose client is below its share. A worker
killed under a client's query counts in that client's share until it has restarted. So a client that
sends many slow queries waits for its own, and the others' queries find a worker at once.

Read-only replicas: RocksDB lets one process open a store for writing, and opening it read-only beside the
writer is undefined. So the query workers read a checkpoint of the store (``StoreService.checkpoint``:
hard links, a flush, a few milliseconds), made again after the store engine's write count (``version``)
changed: a query sees every write answered before it started. Old replicas are deleted when no call uses
them. Other backends (in memory, a remote SPARQL store) or ``query_workers=0``: the queries run in the
store worker, still behind the same admission.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from api.engine import Engine, TooManyQueries
from api.settings import ApiSettings

log = logging.getLogger("aidgraph.api")
WARM_TIMEOUT = 60.0  # seconds a new query worker may take to open the replica (a loaded machine)


def replica_root(store: Path) -> Path:
    """Where the replicas of ``store`` live: beside it (same file system, so checkpoints are hard links)."""
    return store.parent / f".{store.name}.replicas"


class QueryPool:
    """Bounded admission of client queries, and the query workers that run them."""

    def __init__(self, settings: ApiSettings, store_engine: Engine) -> None:
        self.settings = settings
        self.store_engine = store_engine
        self.root = replica_root(settings.store_path) if settings.store_path and settings.query_workers > 0 \
            else None
        count = settings.query_workers if self.root is not None else 0
        self.engines = [Engine(settings, name=f"query{index + 1}", backend="replica", threads=1)
                        for index in range(count)]
        self._admission = threading.Lock()
        self._per_client: Counter[str] = Counter()
        self._admitted = 0
        self._dispatch = threading.Condition()
        self._idle: list[Engine] = []
        self._waiting: list[tuple[str, object]] = []  # (client, ticket), oldest first
        self._running: Counter[str] = Counter()  # client -> query workers it occupies
        self._replica_lock = threading.Lock()
        self._replica: tuple[int, Path] | None = None  # (store version, directory)
        self._in_use: Counter[Path] = Counter()
        self._numbers = itertools.count(1)
        self.refused = 0

    @property
    def capacity(self) -> int:
        """Queries that may run at once."""
        return len(self.engines) or max(1, self.settings.worker_threads)

    @property
    def share(self) -> int:
        """Query workers one client may occupy at once."""
        if self.settings.query_worker_share > 0:
            return min(self.settings.query_worker_share, max(1, len(self.engines)))
        return max(1, len(self.engines) - 1)

    def start(self) -> None:
        """Start the query workers (in parallel: each is a Python process to spawn)."""
        if self.root is None:
            return
        shutil.rmtree(self.root, ignore_errors=True)  # left by a server that was killed
        self.root.mkdir(parents=True)
        errors: list[BaseException] = []

        def start(engine: Engine) -> None:
            try:
                engine.start()
            except BaseException as exc:  # re-raised below, in the caller's thread
                errors.append(exc)
            else:
                self._warm(engine)  # it opens the first replica, then takes queries

        threads = [threading.Thread(target=start, args=(engine,)) for engine in self.engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]

    def call(self, operation: str, arguments: dict[str, Any], *, client: str) -> Any:
        """Run a read-only ``operation`` (``query`` or ``select``) for ``client``, once admitted."""
        self._admit(client)
        started = time.monotonic()
        try:
            if not self.engines:
                return self.store_engine.call(operation, arguments)
            engine = self._take_worker(client, started)
            restarts = engine.restarts
            try:
                replica = self._acquire_replica()
                try:
                    return engine.call(operation, arguments | {"replica": str(replica)})
                finally:
                    self._release_replica(replica)
            finally:
                if engine.restarts == restarts:
                    self._give_back(engine, client)
                else:  # a new worker process: it opens the replica before it takes the next query, and
                    # counts in the share of the client whose query had it killed until then
                    threading.Thread(target=self._warm, args=(engine, client), daemon=True).start()
        finally:
            with self._admission:
                self._admitted -= 1
                self._per_client[client] -= 1
                if not self._per_client[client]:
                    del self._per_client[client]

    def _take_worker(self, client: str, started: float) -> Engine:
        """A free query worker for ``client``'s query: when one is free, no older query waits for one, and
        the client occupies fewer than its share; TooManyQueries after ``query_queue_wait`` seconds."""
        ticket = object()
        deadline = started + self.settings.query_queue_wait
        with self._dispatch:
            self._waiting.append((client, ticket))
            try:
                while True:
                    if self._idle and self._next_ticket() is ticket:
                        self._running[client] += 1
                        return self._idle.pop()
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._dispatch.wait(remaining)
            finally:
                self._waiting.remove((client, ticket))
                self._dispatch.notify_all()  # the next eligible query may take a worker now
        self.refused += 1
        busy = "its share of the query workers" if self._running[client] >= self.share else \
            "every query worker"
        raise TooManyQueries(
            f"no query worker was free for this client for {time.monotonic() - started:.1f} s ({busy} "
            f"stayed busy)", hint="retry after the time in Retry-After", retry_after=self._retry_after())

    def _next_ticket(self) -> object | None:
        """The ticket of the oldest waiting query whose client occupies fewer workers than its share."""
        share = self.share
        for client, ticket in self._waiting:
            if self._running[client] < share:
                return ticket
        return None

    def _give_back(self, engine: Engine, client: str | None = None) -> None:
        """``engine`` is free again (and no longer occupied by ``client``)."""
        with self._dispatch:
            if client is not None:
                self._running[client] -= 1
                if not self._running[client]:
                    del self._running[client]
            self._idle.append(engine)
            self._dispatch.notify_all()

    def _warm(self, engine: Engine, client: str | None = None) -> None:
        """Open the current replica in a restarted worker (about a second, not in a client's time)."""
        try:
            engine.start()  # waits for a restart under way to finish
            replica = self._acquire_replica()
            try:
                engine.call("open", {"replica": str(replica)}, timeout=max(WARM_TIMEOUT,
                                                                            self.settings.query_timeout))
            finally:
                self._release_replica(replica)
        except Exception as exc:  # the next query opens it instead
            log.info("could not warm the %s worker: %s", engine.name, exc)
        finally:
            self._give_back(engine, client)

    def _admit(self, client: str) -> None:
        with self._admission:
            if self._per_client[client] >= self.settings.queries_per_client:
                self.refused += 1
                raise TooManyQueries(
                    f"this client already has {self._per_client[client]} queries running or waiting (at "
                    f"most {self.settings.queries_per_client})",
                    hint="wait for them to finish, then send the next", retry_after=self._retry_after())
            if self._admitted >= self.capacity + self.settings.query_queue:
                self.refused += 1
                raise TooManyQueries(
                    f"{self._admitted} queries are running or waiting (at most {self.capacity} running and "
                    f"{self.settings.query_queue} waiting)",
                    hint="retry after the time in Retry-After", retry_after=self._retry_after())
            self._admitted += 1
            self._per_client[client] += 1

    def _retry_after(self) -> int:
        return max(1, min(60, round(self.settings.query_timeout / 4)))

    # ---------------------------------------------------------------------------- replicas

    def _acquire_replica(self) -> Path:
        """The replica of the store as of now (a new checkpoint when the store was written since)."""
        with self._replica_lock:
            version = self.store_engine.version
            if self._replica is None or self._replica[0] != version:
                target = self.root / f"r{next(self._numbers)}"
                self.store_engine.call("checkpoint", {"target": str(target)})
                self._replica = (version, target)
                self._delete_unused()
            replica = self._replica[1]
            self._in_use[replica] += 1
            return replica

    def _release_replica(self, replica: Path) -> None:
        with self._replica_lock:
            self._in_use[replica] -= 1
            if not self._in_use[replica]:
                del self._in_use[replica]
            self._delete_unused()

    def _delete_unused(self) -> None:
        """Delete the replicas that are neither current nor read by a call (a query worker still holding
        one open switches to the current replica before it reads again)."""
        current = self._replica[1] if self._replica else None
        for path in self.root.iterdir():
            if path != current and path not in self._in_use:
                shutil.rmtree(path, ignore_errors=True)

    def status(self) -> dict[str, Any]:
        """Counts for /health: workers, queries admitted, refused, worker restarts."""
        with self._admission:
            admitted = self._admitted
        return {"query_workers": len(self.engines), "query_worker_share": self.share,
                "queries_admitted": admitted,
                "queries_refused": self.refused,
                "query_worker_restarts": sum(engine.restarts for engine in self.engines)}

    def close(self) -> None:
        """Stop the query workers and delete the replicas."""
        for engine in self.engines:
            engine.close()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
