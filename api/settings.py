"""Settings of the web service, read from the environment or given by the caller."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from graph.config import DEFAULT_ARTICLE_MEMORY_MB, DEFAULT_ARTICLE_SECONDS, DEFAULT_STORE, env_int
from graph.errors import InputError

#: Host header values always accepted (the bind address is added by ``aidgraph serve``)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Everything ``create_app`` needs.

    store            store location (directory for ``oxigraph``, URL for ``sparql``, None = in memory)
    backend          ``oxigraph`` | ``memory`` | ``sparql`` (see ``graph.store.open_store``)
    update_url       update URL of a remote ``sparql`` store when it differs from the query URL
    token            bearer token that enables SPARQL Update, POST /articles and dumps (None = read-only)
    query_timeout    seconds a query may run before its worker is killed and 503 is answered
    result_cap       most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) one response carries
    max_body_bytes   largest accepted request body (413 beyond)
    article_max_bytes largest article text POST /articles accepts
    page_max         hard maximum of ``limit`` on the REST lists
    worker_threads   queries the store worker runs at the same time
    request_threads  threads that run the synchronous routes (REST lookups, POST /articles) at once; more
                     requests wait in the event loop, which stays free for /health
                     (AIDGRAPH_REQUEST_THREADS). The SPARQL queries (/sparql, /queries/*) have threads
                     of their own (``query_workers + query_queue``), so that lookups filling these do not
                     hold back another client's light query
    pledge_window_min_rows  /pledges pages through a window of the newest dates only on stores with at
                     least this many dated pledge rows (below it sorting everything is as fast)
    cors_origins     origins whose pages may read responses (CORS); empty = same origin only
                     (AIDGRAPH_CORS_ORIGINS, comma-separated; "*" allows any)
    allowed_hosts    Host header values accepted (DNS rebinding); default the local names, plus the bind
                     address (AIDGRAPH_ALLOWED_HOSTS, comma-separated; "*" accepts any)
    article_seconds, article_memory_mb  the per-article budget of POST /articles (as for `aidgraph ingest`)
    extract_workers  processes that extract and validate POSTed articles (outside the store worker)
    extract_at_start start them with the server (``aidgraph serve`` does when a token is set), else
                     with the first POST
    heavy_slots      whole-store exports and plots computed at the same time (more wait, then 429)
    heavy_wait       seconds a heavy request waits for a slot before 429
    heavy_cache_bytes  exports and plots kept per store version (answered again without work)
    use_read_model   pledge lookups and facet counts read the pledge read model when it is current
                     (``graph.store.readmodel``; AIDGRAPH_READ_MODEL=0 asks SPARQL every time)
    worker_memory_mb  resident memory a store or query worker may use; past it the worker is killed and
                     restarted and its calls answer 503 ``memory-exceeded`` (AIDGRAPH_WORKER_MEMORY_MB)
    query_workers    processes that run SPARQL queries (/sparql, /queries/*) over a read-only replica of
                     an on-disk store, beside the store worker that answers the lookups and writes
                     (AIDGRAPH_QUERY_WORKERS; 0: queries run in the store worker)
    query_queue      queries that may wait for a query worker; more are refused at once (429)
    queries_per_client  queries one client (address) may have running or waiting; more: 429
    query_worker_share  query workers one client may occupy at once (0: all but one, at least one), so
                     the others' queries find a free worker (AIDGRAPH_QUERY_WORKER_SHARE)
    query_queue_wait  seconds a query waits for a worker before 429
    lookups_per_client  requests to the synchronous routes (REST lookups, web pages) one client (its
                     address; the server's token is a client of its own) runs at once; 0: all but two of
                     ``request_threads`` (at least one), so another client always finds a thread. A freed
                     thread goes to the waiting client with the fewest running (AIDGRAPH_LOOKUPS_PER_CLIENT)
    lookup_queue     such requests one client may have waiting; more: 429 with Retry-After
                     (AIDGRAPH_LOOKUP_QUEUE)
    lookup_queue_wait  seconds such a request waits for a thread before 429 (AIDGRAPH_LOOKUP_QUEUE_WAIT)
    web_processes    web processes accepting on the one listening socket (``api.peers``; 1 by default,
                     AIDGRAPH_WEB_PROCESSES, ``aidgraph serve --web-processes N``): the first owns the
                     store worker and the query workers, the others send it their calls
    web_index, peer_address, peer_key  set by ``api.server.serve`` for each web process (0: the primary)
    """

    store: str | None = str(DEFAULT_STORE)
    backend: str = "oxigraph"
    update_url: str | None = None
    token: str | None = None
    query_timeout: float = 30.0
    result_cap: int = 10_000
    max_body_bytes: int = 100_000
    article_max_bytes: int = 10 * 1024 * 1024
    page_max: int = 1000
    worker_threads: int = 4
    request_threads: int = 8
    pledge_window_min_rows: int = 5000
    cors_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    article_seconds: float = DEFAULT_ARTICLE_SECONDS
    article_memory_mb: int = DEFAULT_ARTICLE_MEMORY_MB
    extract_workers: int = 1
    extract_at_start: bool = False
    heavy_slots: int = 2
    heavy_wait: float = 5.0
    heavy_cache_bytes: int = 64 * 1024 * 1024
    use_read_model: bool = True
    worker_memory_mb: int = 3072
    query_workers: int = 2
    query_queue: int = 16
    queries_per_client: int = 8
    query_worker_share: int = 0
    query_queue_wait: float = 10.0
    lookups_per_client: int = 0
    lookup_queue: int = 64
    lookup_queue_wait: float = 10.0
    web_processes: int = 1
    web_index: int = 0
    peer_address: str | None = None
    peer_key: bytes = b""

    @classmethod
    def from_env(cls, **overrides: object) -> ApiSettings:
        """Settings from ``AIDGRAPH_*`` environment variables (``graph.config``), then ``overrides``."""
        from graph.config import Settings

        return cls.from_config(Settings.from_env(), **overrides)

    @classmethod
    def from_config(cls, config, **overrides: object) -> ApiSettings:
        """The API settings of a shared ``graph.config.Settings``, then ``overrides`` (None ignored)."""
        settings = cls(
            store=None if config.backend == "memory" else config.store,
            backend=config.backend,
            update_url=config.update_url,
            token=config.token,
            query_timeout=config.api_timeout_s,
            result_cap=config.api_result_cap,
            article_max_bytes=config.max_article_bytes,
            worker_threads=env_int("AIDGRAPH_WORKER_THREADS", 4),
            request_threads=env_int("AIDGRAPH_REQUEST_THREADS", 8),
            cors_origins=_env_list("AIDGRAPH_CORS_ORIGINS"),
            allowed_hosts=LOCAL_HOSTS + _env_list("AIDGRAPH_ALLOWED_HOSTS"),
            article_seconds=config.article_seconds,
            article_memory_mb=config.article_memory_mb,
            extract_workers=env_int("AIDGRAPH_API_EXTRACT_WORKERS", 1),
            heavy_slots=env_int("AIDGRAPH_HEAVY_REQUESTS", 2),
            use_read_model=env_int("AIDGRAPH_READ_MODEL", 1) != 0,
            worker_memory_mb=env_int("AIDGRAPH_WORKER_MEMORY_MB", 3072),
            query_workers=env_int("AIDGRAPH_QUERY_WORKERS", 2),
            query_queue=env_int("AIDGRAPH_QUERY_QUEUE", 16),
            queries_per_client=env_int("AIDGRAPH_QUERIES_PER_CLIENT", 8),
            query_worker_share=env_int("AIDGRAPH_QUERY_WORKER_SHARE", 0),
            lookups_per_client=env_int("AIDGRAPH_LOOKUPS_PER_CLIENT", 0),
            lookup_queue=env_int("AIDGRAPH_LOOKUP_QUEUE", 64),
            lookup_queue_wait=float(env_int("AIDGRAPH_LOOKUP_QUEUE_WAIT", 10)),
            web_processes=env_int("AIDGRAPH_WEB_PROCESSES", 1),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})

    def __post_init__(self) -> None:
        if self.query_timeout <= 0 or self.result_cap <= 0 or self.max_body_bytes <= 0:
            raise InputError("query_timeout, result_cap and max_body_bytes must be positive",
                             hint="check AIDGRAPH_QUERY_TIMEOUT, AIDGRAPH_RESULT_CAP, AIDGRAPH_MAX_BODY")
        if self.request_threads < 1:
            raise InputError(f"request_threads must be at least 1, not {self.request_threads}",
                             hint="check AIDGRAPH_REQUEST_THREADS")
        if not 1 <= self.web_processes <= 64:
            raise InputError(f"web_processes must be from 1 to 64, not {self.web_processes}",
                             hint="check --web-processes or AIDGRAPH_WEB_PROCESSES")
        if self.web_processes > 1 and self.backend == "memory":
            raise InputError("several web processes need a store they share: the memory backend lives in "
                             "one process's worker", hint="serve an on-disk store, or use --web-processes 1")
        if self.backend not in ("oxigraph", "memory", "sparql"):
            raise InputError(f"unknown store backend {self.backend!r}", hint="use oxigraph, memory or sparql")

    def serving_on(self, host: str) -> ApiSettings:
        """These settings with the Host names a server bound to ``host`` is reached by added."""
        names = [host.strip("[]").lower()]
        if names[0] in ("0.0.0.0", "::", ""):  # every interface: this machine's names and addresses
            import socket

            names = [socket.gethostname().lower(), socket.getfqdn().lower()]
            with contextlib.suppress(OSError):
                names += socket.gethostbyname_ex(socket.gethostname())[2]
        added = tuple(name for name in names if name and name not in self.allowed_hosts)
        return replace(self, allowed_hosts=self.allowed_hosts + added)

    @property
    def lookup_share(self) -> int:
        """Synchronous requests one client runs at once (``lookups_per_client``, 0: all but two)."""
        if self.lookups_per_client > 0:
            return min(self.lookups_per_client, self.request_threads)
        return max(1, self.request_threads - 2)

    @property
    def store_path(self) -> Path | None:
        """The store directory for the on-disk backend."""
        return Path(self.store) if self.store and self.backend == "oxigraph" else None



def _env_list(name: str) -> tuple[str, ...]:
    """A comma-separated list from the environment (empty when unset)."""
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())
