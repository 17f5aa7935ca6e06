"""Settings shared by the CLI, pipeline and API: where the store is, and the limits.

Every value comes from (highest first) an explicit argument, an environment variable, a default:

    store               --store / AIDGRAPH_STORE / ./data/store  (an http(s) URL selects the sparql backend)
    backend             AIDGRAPH_BACKEND / "oxigraph" ("memory", "sparql")
    update_url          AIDGRAPH_UPDATE_URL (remote stores whose update URL differs from the query URL)
    max_article_bytes   AIDGRAPH_MAX_ARTICLE_BYTES / 10 MB (a larger input file is refused)
    article_seconds     AIDGRAPH_ARTICLE_SECONDS / 60 s per article for extraction (and per stage after it)
    article_memory_mb   AIDGRAPH_ARTICLE_MEMORY_MB / 2,048 MB more than a worker process's start-up size
    api_timeout_s       AIDGRAPH_API_TIMEOUT / 30 s per SPARQL query (the API and `aidgraph query`)
    query_memory_mb     AIDGRAPH_QUERY_MEMORY_MB / 4,096 MB of memory `aidgraph query` may use
    api_result_cap      AIDGRAPH_RESULT_CAP / 10,000 result rows
    token               AIDGRAPH_TOKEN (bearer token for writes through the API; None = writes off)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from graph.errors import InputError

DEFAULT_STORE = Path("data/store")
DEFAULT_MAX_ARTICLE_BYTES = 10_000_000
DEFAULT_ARTICLE_SECONDS = 60.0
DEFAULT_ARTICLE_MEMORY_MB = 2048
DEFAULT_QUERY_TIMEOUT_S = 30.0
DEFAULT_QUERY_MEMORY_MB = 4096


@dataclass(frozen=True, slots=True)
class Settings:
    """Runtime settings; build with :meth:`Settings.from_env`."""

    store: str = str(DEFAULT_STORE)
    backend: str = "oxigraph"
    update_url: str | None = None
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES
    article_seconds: float = DEFAULT_ARTICLE_SECONDS
    article_memory_mb: int = DEFAULT_ARTICLE_MEMORY_MB
    api_timeout_s: float = DEFAULT_QUERY_TIMEOUT_S
    query_memory_mb: int = DEFAULT_QUERY_MEMORY_MB
    api_result_cap: int = 10_000
    token: str | None = None
    #: an ingest compacts the embedded store when it grew by this % since the last compaction (None: never)
    auto_compact_percent: float | None = 50.0
    #: ... and by at least this many MiB
    auto_compact_min_mb: int = 64

    @classmethod
    def from_env(cls, store: str | Path | None = None, backend: str | None = None,
                 **overrides: object) -> Settings:
        """Settings from arguments, then ``AIDGRAPH_*`` environment variables, then defaults."""
        env = os.environ
        location = str(store or env.get("AIDGRAPH_STORE") or DEFAULT_STORE)
        chosen_backend = backend or env.get("AIDGRAPH_BACKEND") or (
            "sparql" if location.startswith(("http://", "https://")) else "oxigraph")
        settings = cls(
            store=location,
            backend=chosen_backend,
            update_url=env.get("AIDGRAPH_UPDATE_URL") or None,
            max_article_bytes=env_int("AIDGRAPH_MAX_ARTICLE_BYTES", DEFAULT_MAX_ARTICLE_BYTES),
            article_seconds=env_float("AIDGRAPH_ARTICLE_SECONDS", DEFAULT_ARTICLE_SECONDS),
            article_memory_mb=env_int("AIDGRAPH_ARTICLE_MEMORY_MB", DEFAULT_ARTICLE_MEMORY_MB),
            api_timeout_s=env_float("AIDGRAPH_API_TIMEOUT", DEFAULT_QUERY_TIMEOUT_S),
            query_memory_mb=env_int("AIDGRAPH_QUERY_MEMORY_MB", DEFAULT_QUERY_MEMORY_MB),
            api_result_cap=env_int("AIDGRAPH_RESULT_CAP", 10_000),
            token=env.get("AIDGRAPH_TOKEN") or None,
            auto_compact_percent=env_auto_compact(),
            auto_compact_min_mb=env_int("AIDGRAPH_AUTO_COMPACT_MIN_MB", 64),
        )
        return replace(settings, **overrides) if overrides else settings

    def open_store(self, *, read_only: bool = False):
        """Open the configured store (see :func:`graph.store.open_store`)."""
        from graph.store import open_store

        location = None if self.backend == "memory" else self.store
        return open_store(location, backend=self.backend, read_only=read_only, update_url=self.update_url)


def env_int(name: str, default: int) -> int:
    """An integer setting from the environment; unset or empty gives ``default``, junk an InputError."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r} is not a whole number",
                         hint=f"unset {name} or give a number") from None


def env_auto_compact() -> float | None:
    """``AIDGRAPH_AUTO_COMPACT``: the store growth (% since the last compaction) after which an ingest
    compacts the store; ``off`` (or 0, no, false) never; unset: 50."""
    raw = (os.environ.get("AIDGRAPH_AUTO_COMPACT") or "").strip().lower().rstrip("%")
    if not raw:
        return 50.0
    if raw in ("off", "no", "false", "0", "never"):
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise InputError(f"AIDGRAPH_AUTO_COMPACT={raw!r} is neither a percentage nor off",
                         hint="e.g. AIDGRAPH_AUTO_COMPACT=50 (compact after 50 % growth) or off")
    return value


def env_float(name: str, default: float) -> float:
    """A positive number from the environment; unset or empty gives ``default``, junk an InputError."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value != value or value == float("inf"):
        raise InputError(f"{name}={raw!r} is not a positive number of seconds",
                         hint=f"unset {name} or give a number such as 60")
    return value
