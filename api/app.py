"""The FastAPI application: ``create_app(settings)``.

The app never opens the store itself: a worker process owns it (``api.engine``), started when the app
starts and stopped when it stops. POSTed articles are extracted and validated in other processes
(``graph.workers.ArticlePool``, under the per-article budget), so the store worker only writes them.

In front of the routes (``api.guards``): the Host check (DNS rebinding) and the refusal of other sites'
browser requests, CORS only for the configured origins (none by default: same origin), the body limits,
and the heavy-request limit with its cache for whole-store exports and plots.
"""

from __future__ import annotations

import gc
import importlib
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api.engine import Engine
from api.guards import HeavyRequestMiddleware, HostCheckMiddleware, host_name, install_log_redaction
from api.lanes import ClientLaneMiddleware, FairLane, fast_health_request, health_fast_path
from api.limits import BodyLimitMiddleware
from api.models import install_openapi
from api.problems import install_problem_handlers
from api.query_pool import QueryPool
from api.settings import ApiSettings

log = logging.getLogger("aidgraph.api")
STATIC_DIR = Path(__file__).resolve().parent / "static"


class AidgraphApp(FastAPI):
    """The FastAPI app with /health answered before its whole stack (``api.lanes.health_fast_path``):
    no middleware, routing, dependency injection or thread, so a probe answers at once however busy
    the lookups are."""

    host_allowed = staticmethod(lambda host: False)
    web_process: bytes | None = None  # X-Web-Process of every answer, when there are several

    async def __call__(self, scope, receive, send) -> None:
        if fast_health_request(scope, self.host_allowed) and getattr(self.state, "engine", None) is not None:
            await health_fast_path(self.state, scope, send)
            return
        if self.web_process is not None and scope["type"] == "http":  # several web processes: say which
            tag, inner = self.web_process, send

            async def send(message):
                if message["type"] == "http.response.start":
                    message = message | {"headers": [*message.get("headers", ()), (b"x-web-process", tag)]}
                await inner(message)
        await super().__call__(scope, receive, send)


_frozen_lock = threading.Lock()
_frozen_apps = 0  # apps of this process serving with the heap frozen (tests run several)


def _freeze_heap() -> None:
    """Move everything alive now out of the cyclic collector's reach (gc.freeze)."""
    global _frozen_apps
    with _frozen_lock:
        gc.collect()
        gc.freeze()
        _frozen_apps += 1


def _thaw_heap() -> None:
    """gc.freeze is process-wide: thaw only when the last serving app of the process stops."""
    global _frozen_apps
    with _frozen_lock:
        _frozen_apps -= 1
        if not _frozen_apps:
            gc.unfreeze()


def create_app(settings: ApiSettings | None = None, shared=None) -> FastAPI:
    """The web app over the configured store (settings from the environment when None).

    Accepts :class:`api.settings.ApiSettings` or the shared ``graph.config.Settings``. ``shared``
    (``api.peers.SharedState``) and ``settings.peer_address``: one of several web processes
    (``api.peers``; ``settings.web_index`` 0 owns the store worker, the others call it).
    """
    if settings is None:
        settings = ApiSettings.from_env()
    elif not isinstance(settings, ApiSettings):
        settings = ApiSettings.from_config(settings)

    install_log_redaction()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from graph.workers import ArticleBudget, ArticlePool

        install_log_redaction()  # again: the server may have configured logging after create_app
        # the synchronous routes share request_threads threads (fewer threads contend less for the GIL);
        # the SPARQL queries get a lane of their own (api.routes_sparql), /health runs in the event loop
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        app.state.query_threads = anyio.CapacityLimiter(
            max(1, settings.query_workers) + max(1, settings.query_queue))
        peers = None
        if settings.peer_address and settings.web_index > 0:  # a secondary: the primary owns the store
            from api.peers import PeerClient, RemoteEngine, RemoteQueries

            client = await anyio.to_thread.run_sync(PeerClient, settings.peer_address, settings.peer_key)
            engine, queries = RemoteEngine(settings, shared, client), RemoteQueries(settings, client)
        else:
            engine = Engine(settings)
            engine.shared = shared
            engine.start()
            queries = QueryPool(settings, engine)  # client SPARQL: admitted, run beside the store worker
            queries.start()
            if settings.peer_address:
                from api.peers import PeerServer

                peers = PeerServer(settings.peer_address, settings.peer_key,
                                   {"engine": engine, "queries": queries})
        app.state.engine = engine
        app.state.queries = queries
        budget = ArticleBudget(seconds=settings.article_seconds, memory_mb=settings.article_memory_mb)
        # writes need the token: without it no article can be posted, and no pool process is started
        app.state.article_pool = ArticlePool(settings.extract_workers, budget,
                                             eager=bool(settings.token) and settings.extract_at_start
                                             and settings.web_index == 0)
        # everything alive now (modules, lexicons, the schema and app objects: ~100k objects or more)
        # lives as long as the server: out of the cyclic collector's reach, so a full collection walks
        # only what requests made since. Without it, one request in 10-40 of those that allocate most
        # (/equipment/{id}: 100 records and their timeline) paid a full collection of the whole heap,
        # 100-500 ms on this shared machine (issue 11, the /equipment/patriot p95).
        _freeze_heap()
        try:
            yield
        finally:
            _thaw_heap()
            if peers is not None:
                peers.close()
            app.state.article_pool.close()
            queries.close()
            engine.close()

    app = AidgraphApp(
        title="aidgraph",
        version="0.1.0",
        description="Military aid to Ukraine as a knowledge graph: a SPARQL 1.1 endpoint at /sparql and "
                    "REST lookups of pledges, meetings, actors, equipment and articles. Errors are "
                    "problem details (application/problem+json); 400 answers a malformed query or "
                    "filter, 422 a parameter outside its range.",
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc come from api.routes_docs, with vendored scripts (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    if settings.web_processes > 1:
        app.web_process = str(settings.web_index).encode()
    install_problem_handlers(app)
    install_openapi(app)

    from api import routes_commitments, routes_docs, routes_gsp, routes_rest, routes_sparql, web

    web.install(app)  # the analysts' web app at / (before routes_docs: / is the app for browsers)
    app.include_router(routes_docs.router)
    app.include_router(routes_sparql.router)
    app.include_router(routes_gsp.router)
    app.include_router(routes_rest.router)
    app.include_router(routes_commitments.router)
    try:
        export_routes = importlib.import_module("api.routes_export")
    except ModuleNotFoundError as exc:
        if exc.name != "api.routes_export":
            raise
        log.info("api.routes_export not available: no /export and /plot routes")
    else:
        app.include_router(export_routes.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # the last added is the outermost: Host check, CORS, body limits, heavy requests, the fair lane, routes
    app.state.lane = FairLane(settings.request_threads, settings.lookup_share, settings.lookup_queue,
                              settings.lookup_queue_wait)
    app.add_middleware(ClientLaneMiddleware, lane=app.state.lane, token=settings.token)
    app.add_middleware(HeavyRequestMiddleware, prefixes=("/export/", "/plot/"), slots=settings.heavy_slots,
                       wait=settings.heavy_wait, cache_bytes=settings.heavy_cache_bytes,
                       version=_store_version if settings.backend != "sparql" else _no_cache)
    app.add_middleware(BodyLimitMiddleware, default=settings.max_body_bytes,
                       limits={"/articles": settings.article_max_bytes})
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_credentials=False,
                           allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Authorization", "Accept"],
                           expose_headers=["X-Result-Truncated", "X-Result-Count", "X-Result-Cap", "Link"])
    app.add_middleware(HostCheckMiddleware, allowed_hosts=settings.allowed_hosts,
                       allowed_origins=settings.cors_origins)
    allowed = {host_name(host) for host in settings.allowed_hosts}
    app.host_allowed = (lambda host: True) if "*" in settings.allowed_hosts else \
        (lambda host: host_name(host) in allowed)
    return app


def _store_version(scope) -> int | None:
    """The store version the heavy-request cache keys on: the engine's count of writes."""
    engine = getattr(scope["app"].state, "engine", None)
    return None if engine is None else engine.version


def _no_cache(scope) -> None:
    """A remote store may be written by others: its exports are not cached."""
    return None
