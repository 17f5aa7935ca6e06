"""Child processes that die with their parent, and the pool that prepares articles under a budget.

    die_with_parent(parent_pid)        first call of every child: PR_SET_PDEATHSIG + a watchdog thread
    start_process(process)             process.start() on one long-lived thread (see below)
    pool = ArticlePool(workers, budget); pool.submit(articles) -> Future[list[ArticleDoc]]; pool.close()

**Children never outlive their parent.** A child asks the kernel for SIGKILL when its parent goes
(``prctl(PR_SET_PDEATHSIG)``, Linux) and also watches its parent id (other systems, and the moment before
the prctl). The kernel ties that signal to the *thread* that started the child, so children are started
from a thread that lives as long as the process (:func:`start_process`), or, for the pool, from its
supervisor thread (which lives until the pool closes, after its children are stopped).

**The budget.** Extraction, conversion and the SHACL gate run in the pool's worker processes. The
supervisor thread of this process watches each worker's progress (the worker reports every stage it
enters) and kills a worker whose stage overruns its deadline: ``seconds`` per article for extract +
to_rdf and for serialising, ``seconds`` x max(1, batch size / 4) for the SHACL gate of a batch. Each worker's
address space is capped at its size after start-up plus ``memory_mb`` (``RLIMIT_AS``), so an article that
needs more fails with MemoryError (or kills its worker) instead of the machine. The article that overran
fails with a message naming the budget; the other articles of its batch are prepared again by a fresh
worker (one by one when the culprit is not known), so one bad article never fails its neighbours.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import queue
import resource
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

from graph.config import DEFAULT_ARTICLE_MEMORY_MB, DEFAULT_ARTICLE_SECONDS

PR_SET_PDEATHSIG = 1
#: how often a child checks that its parent is still there (where PR_SET_PDEATHSIG is not available)
WATCHDOG_INTERVAL = 0.5
#: the gate of a batch may take the per-article budget times this share of the batch size (at least 1x)
GATE_SHARE = 0.25
#: a worker that has not started within this many seconds is given up
START_TIMEOUT = 120.0
MEMORY_FAILURE = "memory budget"
#: the pool gives up after this many workers in a row die before they are ready
MAX_FAILED_STARTS = 3


# ----------------------------------------------------------------------------------------- lifetimes

def die_with_parent(parent_pid: int) -> None:
    """Make this (child) process die when ``parent_pid`` exits, even by SIGKILL.

    Call it first thing in a child's entry point with the parent's pid (``os.getpid()`` taken in the
    parent). Exits at once when the parent is already gone.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="aidgraph-parent-watchdog",
                     daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(WATCHDOG_INTERVAL)
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGKILL)


_spawn_queue: queue.Queue | None = None
_spawn_lock = threading.Lock()


def start_process(process: multiprocessing.process.BaseProcess) -> None:
    """``process.start()`` on a thread that lives as long as this process (so that a child's
    PR_SET_PDEATHSIG fires when this process dies, not when the thread that asked for it ends)."""
    global _spawn_queue
    with _spawn_lock:
        if _spawn_queue is None:
            _spawn_queue = queue.Queue()
            threading.Thread(target=_spawn_loop, args=(_spawn_queue,), name="aidgraph-spawner",
                             daemon=True).start()
    started: Future = Future()
    _spawn_queue.put((process, started))
    started.result()


def _spawn_loop(requests: queue.Queue) -> None:
    while True:
        process, started = requests.get()
        try:
            process.start()
        except BaseException as exc:  # reported to the caller
            started.set_exception(exc)
        else:
            started.set_result(None)


def limit_memory(extra_mb: int) -> None:
    """Cap this process's address space at its current size plus ``extra_mb`` (no-op where unsupported)."""
    if extra_mb <= 0:
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            current = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        current = 0
    limit = current + extra_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


# ----------------------------------------------------------------------------------------- the budget

@dataclass(frozen=True, slots=True)
class ArticleBudget:
    """Time and memory one article may take in a worker process."""

    seconds: float = DEFAULT_ARTICLE_SECONDS
    memory_mb: int = DEFAULT_ARTICLE_MEMORY_MB

    @classmethod
    def from_settings(cls, settings) -> ArticleBudget:
        """The budget of a ``graph.config.Settings``."""
        return cls(seconds=settings.article_seconds, memory_mb=settings.article_memory_mb)

    def time_message(self, stage: str) -> str:
        return (f"{stage} took longer than the {self.seconds:g} s budget for one article and was stopped; "
                "split the article, or raise AIDGRAPH_ARTICLE_SECONDS (--article-seconds)")

    def memory_message(self) -> str:
        return (f"needed more than the {self.memory_mb} MB {MEMORY_FAILURE} for one article; split the "
                "article, or raise AIDGRAPH_ARTICLE_MEMORY_MB (--article-memory-mb)")


# ----------------------------------------------------------------------------------------- the worker

def _worker_main(conn, parent_pid: int, memory_mb: int) -> None:
    """Entry point of a worker process: prepare the batches it is sent until told to stop."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    with contextlib.suppress(EOFError, OSError):  # the supervisor closed the pipe (closing, or gave up)
        _serve_batches(conn, memory_mb)


#: the memory budget of this process when it is a pool worker (for the messages of MemoryError)
_worker_memory_mb: int | None = None


def memory_message() -> str:
    """What a MemoryError in extraction means, with this worker's budget when known."""
    if _worker_memory_mb is None:
        return ("ran out of memory; split the article, or raise AIDGRAPH_ARTICLE_MEMORY_MB "
                "(--article-memory-mb)")
    return ArticleBudget(memory_mb=_worker_memory_mb).memory_message()


def _serve_batches(conn, memory_mb: int) -> None:
    global _worker_memory_mb
    from graph import pipeline

    _worker_memory_mb = memory_mb
    pipeline.warm_up()
    limit_memory(memory_mb)
    conn.send(("ready", None, None, None))
    while True:
        message = conn.recv()
        if message is None:
            return
        task_id, articles = message

        def progress(stage: str, index: int | None, task_id=task_id) -> None:
            conn.send(("progress", task_id, stage, index))

        try:
            docs = pipeline.prepare_batch(articles, progress=progress)
            slim = []
            for index, doc in enumerate(docs):
                progress("serialise", index)
                slim.append(pipeline.slim_doc(doc))
        except (EOFError, OSError):
            raise
        except MemoryError:
            conn.send(("crashed", task_id, "memory", None))
            return
        except BaseException as exc:  # a bug outside the per-article guards: report, then stop
            conn.send(("crashed", task_id, f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=3)))
            return
        conn.send(("done", task_id, slim, None))
        if any(doc.failure is not None and MEMORY_FAILURE in doc.failure.reason for doc in slim):
            return  # after a MemoryError the heap may be fragmented: the supervisor starts a fresh worker


# ----------------------------------------------------------------------------------------- the pool

@dataclass(slots=True)
class _Job:
    """One submitted batch: its articles, a result slot per article, and the caller's future."""

    articles: list
    future: Future
    results: list = field(default_factory=list)
    missing: int = 0


@dataclass(slots=True)
class _Task:
    """Some articles of a job sent to one worker (all of them first; fewer after a kill)."""

    job: _Job
    indices: list[int]
    task_id: int = 0


@dataclass(slots=True)
class _Slot:
    """One worker process and what it is doing."""

    process: Any = None
    conn: Any = None
    ready: bool = False
    started: float = 0.0
    task: _Task | None = None
    stage: str = ""
    index: int | None = None
    stage_started: float = 0.0


class ArticlePool:
    """``workers`` processes that run :func:`graph.pipeline.prepare_batch` under an :class:`ArticleBudget`.

    ``submit(articles)`` returns a future of the prepared docs, in input order, each slimmed
    (graphs as N-Triples) or carrying its failure. Thread-safe; ``close()`` stops the workers.
    """

    def __init__(self, workers: int = 1, budget: ArticleBudget | None = None, *, eager: bool = False) -> None:
        self.budget = budget or ArticleBudget()
        self._eager = eager  # start the workers now, not with the first batch
        self.size = max(1, int(workers))
        self._context = multiprocessing.get_context("spawn")  # no fork: the caller may hold store threads
        self._queue: deque[_Task] = deque()
        self._lock = threading.Lock()
        self._wake_reader, self._wake_writer = self._context.Pipe(duplex=False)
        self._closing = False
        self._broken: str | None = None
        self._ids = iter(range(1, 1 << 62))
        self._slots = [_Slot() for _ in range(self.size)]
        self._failed_starts = 0  # workers lost before they were ready, since the last one that was
        self.kills = 0
        self._thread = threading.Thread(target=self._supervise, name="aidgraph-article-pool", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------------ callers

    def submit(self, articles: list) -> Future:
        """Prepare ``articles`` (one batch); the future's result is the list of docs."""
        from graph.pipeline import ArticleDoc

        future: Future = Future()
        job = _Job(list(articles), future, [None] * len(articles), len(articles))
        if not articles:
            future.set_result([])
            return future
        with self._lock:
            if self._broken or self._closing:
                reason = self._broken or "the article pool is closed"
                future.set_result([ArticleDoc(a, failure=_failure(a, reason)) for a in articles])
                return future
            self._queue.append(_Task(job, list(range(len(articles)))))
        self._wake()
        return future

    def map(self, batches: Iterable[list], in_flight: int | None = None) -> Iterator[list]:
        """Prepared docs per batch, in order, with at most ``in_flight`` batches submitted ahead."""
        limit = in_flight or 2 * self.size
        pending: deque[Future] = deque()
        for batch in batches:
            pending.append(self.submit(batch))
            while len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        """Stop the workers (idle ones at once, busy ones are killed) and the supervisor."""
        with self._lock:
            self._closing = True
        self._wake()
        self._thread.join(30)

    def __enter__(self) -> ArticlePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for tests and diagnostics)."""
        return [slot.process.pid for slot in self._slots
                if slot.process is not None and slot.process.is_alive()]

    def progress(self) -> list[tuple[int, str, int | None]]:
        """(pid, stage, index in its task) of each busy worker (for tests and diagnostics)."""
        return [(slot.process.pid, slot.stage, slot.index) for slot in self._slots
                if slot.process is not None and slot.task is not None and slot.ready]

    def _wake(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._wake_writer.send(None)

    # ------------------------------------------------------------------------ supervisor thread

    def _supervise(self) -> None:
        try:
            while True:
                with self._lock:
                    closing = self._closing
                if closing:
                    break
                self._fill()
                connections = [slot.conn for slot in self._slots if slot.conn is not None]
                for conn in wait([*connections, self._wake_reader], timeout=0.2):
                    if conn is self._wake_reader:
                        with contextlib.suppress(EOFError, OSError):
                            while self._wake_reader.poll():
                                self._wake_reader.recv()
                        continue
                    slot = next(s for s in self._slots if s.conn is conn)
                    self._receive(slot)
                self._check_deadlines()
        except BaseException as exc:  # a bug here must not leave callers waiting for ever
            self._break(f"the article pool failed: {type(exc).__name__}: {exc}")
        finally:
            for slot in self._slots:
                self._stop(slot)
            self._fail_queued("the article pool was closed")

    def _fill(self) -> None:
        """Start missing workers and give idle ready workers a task."""
        now = time.monotonic()
        for slot in self._slots:
            if self._broken:
                return
            if slot.process is None:
                with self._lock:
                    if not self._queue and not self._eager:
                        continue  # start workers on demand
                self._spawn(slot)
            if not slot.ready:
                if now - slot.started > START_TIMEOUT:
                    self._break(f"a worker process did not start within {START_TIMEOUT:.0f} s")
                continue
            if slot.task is None:
                with self._lock:
                    task = self._queue.popleft() if self._queue else None
                if task is None:
                    continue
                task.task_id = next(self._ids)
                slot.task, slot.stage, slot.index, slot.stage_started = task, "extract", 0, time.monotonic()
                articles = [task.job.articles[i] for i in task.indices]
                try:
                    slot.conn.send((task.task_id, articles))
                except (OSError, ValueError, EOFError):
                    self._lost(slot, "the worker process could not be reached")

    def _spawn(self, slot: _Slot) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_main, args=(child, os.getpid(), self.budget.memory_mb),
                                        name="aidgraph-article-worker", daemon=True)
        process.start()  # from this thread: the child's PR_SET_PDEATHSIG is tied to it
        child.close()
        slot.process, slot.conn, slot.ready, slot.started = process, parent, False, time.monotonic()

    def _receive(self, slot: _Slot) -> None:
        try:
            kind, task_id, first, second = slot.conn.recv()
        except (EOFError, OSError):
            self._lost(slot, _death_reason(slot.process))
            return
        if kind == "ready":
            slot.ready = True
            self._failed_starts = 0
        elif kind == "progress" and slot.task is not None and task_id == slot.task.task_id:
            slot.stage, slot.index, slot.stage_started = first, second, time.monotonic()
        elif kind == "done" and slot.task is not None and task_id == slot.task.task_id:
            task, slot.task = slot.task, None
            self._deliver(task, first)
        elif kind == "crashed":
            reason = self.budget.memory_message() if first == "memory" else \
                f"internal error in a worker: {first}"
            self._lost(slot, reason)

    def _check_deadlines(self) -> None:
        now = time.monotonic()
        for slot in self._slots:
            if slot.task is None:
                continue
            allowed = self.budget.seconds
            if slot.stage == "gate":
                allowed *= max(1.0, GATE_SHARE * len(slot.task.indices))
            if now - slot.stage_started > allowed:
                self.kills += 1
                self._lost(slot, self.budget.time_message(_STAGE_NAMES.get(slot.stage, slot.stage)))

    def _lost(self, slot: _Slot, reason: str) -> None:
        """The worker overran or died: fail the article it was on, prepare the others again."""
        task, stage, index = slot.task, slot.stage, slot.index
        self._stop(slot)
        if task is None:
            if not slot.ready and not self._broken:
                self._failed_starts += 1
                if self._failed_starts >= MAX_FAILED_STARTS:
                    self._break(f"worker processes fail to start ({reason})")
            return
        job = task.job
        if stage in ("extract", "serialise") and index is not None and 0 <= index < len(task.indices):
            culprit = task.indices[index]
            self._set(job, culprit, _failure(job.articles[culprit], reason))
            rest = [i for i in task.indices if i != culprit and job.results[i] is None]
            if rest:
                with self._lock:
                    self._queue.appendleft(_Task(job, rest))
        elif len(task.indices) == 1:
            only = task.indices[0]
            self._set(job, only, _failure(job.articles[only], reason))
        else:  # the culprit is not known (the gate of a batch): prepare each article alone
            with self._lock:
                for i in reversed(task.indices):
                    self._queue.appendleft(_Task(job, [i]))

    def _deliver(self, task: _Task, docs: list) -> None:
        for i, doc in zip(task.indices, docs, strict=True):
            self._set(task.job, i, doc)

    def _set(self, job: _Job, index: int, doc) -> None:
        if job.results[index] is None:
            job.results[index] = doc
            job.missing -= 1
            if job.missing == 0 and not job.future.done():
                job.future.set_result(job.results)

    def _stop(self, slot: _Slot) -> None:
        process, conn = slot.process, slot.conn
        slot.process = slot.conn = slot.task = None
        slot.ready, slot.stage, slot.index = False, "", None
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
            conn.close()
        if process is not None:
            process.join(0.05)
            if process.is_alive():
                process.kill()
            process.join(5)

    def _break(self, reason: str) -> None:
        with self._lock:
            self._broken = reason
        for slot in self._slots:
            task = slot.task
            self._stop(slot)
            if task is not None:
                for i in task.indices:
                    self._set(task.job, i, _failure(task.job.articles[i], reason))
        self._fail_queued(reason)

    def _fail_queued(self, reason: str) -> None:
        with self._lock:
            tasks, self._queue = list(self._queue), deque()
        for task in tasks:
            for i in task.indices:
                self._set(task.job, i, _failure(task.job.articles[i], reason))


_STAGE_NAMES = {"extract": "extraction", "gate": "the SHACL check", "serialise": "serialising the graphs"}


def _failure(article, reason: str):
    from graph.ingest import IngestFailure
    from graph.pipeline import ArticleDoc

    return ArticleDoc(article, failure=IngestFailure(article.source or article.id, reason))


def _death_reason(process) -> str:
    if process is None:
        return "the worker process is gone"
    process.join(1)
    code = process.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        extra = " (out of memory?)" if name in ("SIGKILL", "SIGABRT", "SIGSEGV") else ""
        return f"the worker process died ({name}{extra}) while preparing this article"
    return f"the worker process exited (code {code}) while preparing this article"

