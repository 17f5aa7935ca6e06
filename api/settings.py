"""Settings of the web service, read from the environment or given by the caller."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from graph.config import DEFAULT_STORE, env_int
from graph.errors import InputError


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
    pledge_window_min_rows  /pledges pages through a window of the newest dates only on stores with at
                     least this many dated pledge rows (below it sorting everything is as fast)
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
    pledge_window_min_rows: int = 5000
    cors_origins: tuple[str, ...] = ("*",)

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
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})

    def __post_init__(self) -> None:
        if self.query_timeout <= 0 or self.result_cap <= 0 or self.max_body_bytes <= 0:
            raise InputError("query_timeout, result_cap and max_body_bytes must be positive",
                             hint="check AIDGRAPH_QUERY_TIMEOUT, AIDGRAPH_RESULT_CAP, AIDGRAPH_MAX_BODY")
        if self.backend not in ("oxigraph", "memory", "sparql"):
            raise InputError(f"unknown store backend {self.backend!r}", hint="use oxigraph, memory or sparql")

    @property
    def store_path(self) -> Path | None:
        """The store directory for the on-disk backend."""
        return Path(self.store) if self.store and self.backend == "oxigraph" else None

