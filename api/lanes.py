"""Who is answered first: /health before everything else, and a fair lane for the synchronous lookups.

    health_fast_path(app, scope, send)   GET/HEAD /health answered on the event loop before routing,
                                         middleware and dependency injection (``api.app.AidgraphApp``)
    ClientLaneMiddleware                 requests to synchronous routes (the REST lookups, the web
                                         pages: they run in the request threads) and to async routes
                                         marked ``in_lane`` (the explorer, /store: their work runs in
                                         the request threads too) take a slot of a fair
                                         lane first: one client (its address, or the server's token)
                                         runs at most ``per_client`` at once, a free slot goes to the
                                         waiting client with the fewest running, at most ``queue``
                                         wait per client (429 with Retry-After beyond it, or after
                                         ``wait`` seconds)

Without the lane, every synchronous route waited in one first-come queue for the request threads: a
client sending 50 heavy lookups at once held all of them, and another client's light /pledges waited
behind the 50. The lane has as many slots as there are request threads, so a request that has its slot
finds a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import time
from collections import Counter, deque

from api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE

JSON_HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]


# ------------------------------------------------------------------------------------------ /health

def health_answer(state) -> tuple[int, dict]:
    """The status and body of /health from what this process knows (never waits): 200 while the store
    worker answers its heartbeat, else 503 (a problem). One implementation for the fast path and the
    documented route."""
    engine = state.engine
    pool = getattr(state, "queries", None)
    counts = {"worker_restarts": engine.restarts, "memory_kills": engine.memory_kills} | \
        (pool.status() if pool is not None else {})
    lane = getattr(state, "lane", None)
    if lane is not None:
        counts |= lane.status()
    answered = getattr(engine, "last_answer", None)
    if answered:  # the store's liveness: how long ago its worker answered a heartbeat
        counts["store_heartbeat_s"] = round(max(0.0, time.monotonic() - answered), 3)
    if not engine.healthy():
        return 503, {"type": PROBLEM_TYPE + "unhealthy", "title": "Service unavailable", "status": 503,
                     "detail": "the store worker has not answered its heartbeat for 10 s",
                     "hint": "it may be restarting; retry in a moment"} | counts
    if state.settings.web_processes > 1:
        counts["web_process"] = state.settings.web_index
    return 200, {"status": "ok", "store": state.settings.backend, "native_engine": engine.native} | counts


def fast_health_request(scope, host_allowed) -> bool:
    """Whether the fast path may answer this request: GET or HEAD /health without a query string, from
    an allowed Host and not a browser's cross-origin request (those go through the whole stack: the
    Host check answers them, CORS adds its headers)."""
    if scope["type"] != "http" or scope.get("path") != "/health" or \
            scope.get("method") not in ("GET", "HEAD") or scope.get("query_string") or scope.get("root_path"):
        return False
    host = b""
    for name, value in scope.get("headers", ()):
        if name in (b"origin", b"sec-fetch-site"):
            return False
        if name == b"host":
            host = value
    return host_allowed(host.decode("latin-1"))


async def health_fast_path(state, scope, send) -> None:
    """Answer /health (``fast_health_request``) at once, on the event loop."""
    status, body = health_answer(state)
    payload = json.dumps(body, separators=(",", ":")).encode()
    media = PROBLEM_MEDIA_TYPE.encode() if status != 200 else b"application/json"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", media), (b"cache-control", b"no-store"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else payload})


# ------------------------------------------------------------------------------------- the fair lane

class LaneFull(Exception):  # noqa: N818 (a refusal, answered 429)
    """A request the lane refuses: its client has too many waiting, or it waited too long."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail, self.retry_after = detail, retry_after


class FairLane:
    """``slots`` requests at once, at most ``per_client`` of one client; a freed slot goes to the waiting
    client with the fewest running (the oldest waiter among equals). Runs on one event loop (no locks).
    """

    def __init__(self, slots: int, per_client: int, queue: int, wait: float) -> None:
        self.slots = max(1, slots)
        self.per_client = max(1, min(per_client, self.slots))
        self.queue, self.wait = max(0, queue), wait
        self.running: Counter[str] = Counter()
        self.total = 0
        self.waiting: dict[str, deque[tuple[int, asyncio.Future]]] = {}
        self._order = itertools.count()
        self.refused = 0

    def _free_for(self, client: str) -> bool:
        return self.total < self.slots and self.running[client] < self.per_client

    async def acquire(self, client: str) -> None:
        """A slot for ``client`` (now, or when the lane gives it one). Raises LaneFull."""
        if self._free_for(client) and not any(self._eligible()):
            self._take(client)
            return
        queue = self.waiting.setdefault(client, deque())
        if len(queue) >= self.queue:
            self.refused += 1
            raise LaneFull(f"this client already has {self.running[client]} lookups running and {len(queue)} "
                           f"waiting (at most {self.per_client} and {self.queue})", self._retry_after())
        granted = asyncio.get_running_loop().create_future()
        entry = (next(self._order), granted)
        queue.append(entry)
        self._dispatch()
        started = time.monotonic()
        try:
            await asyncio.wait_for(asyncio.shield(granted), timeout=self.wait)
        except (TimeoutError, asyncio.CancelledError) as exc:
            if granted.done() and not granted.cancelled():  # granted just as it gave up: give it back
                self.release(client)
            else:
                granted.cancel()
                self._forget(client, entry)
            if isinstance(exc, asyncio.CancelledError):
                raise
            self.refused += 1
            waited = time.monotonic() - started
            raise LaneFull(f"no request thread was free for this client for {waited:.1f} s (it has "
                           f"{self.running[client]} lookups running, at most {self.per_client})",
                           self._retry_after()) from None

    def release(self, client: str) -> None:
        self.running[client] -= 1
        if self.running[client] <= 0:
            del self.running[client]
        self.total -= 1
        self._dispatch()

    def _take(self, client: str) -> None:
        self.running[client] += 1
        self.total += 1

    def _forget(self, client: str, entry) -> None:
        queue = self.waiting.get(client)
        if queue is not None:
            with contextlib.suppress(ValueError):
                queue.remove(entry)
            if not queue:
                del self.waiting[client]

    def _eligible(self):
        """The waiting clients below their share."""
        return (client for client, queue in self.waiting.items()
                if queue and self.running[client] < self.per_client)

    def _dispatch(self) -> None:
        while self.total < self.slots:
            candidates = [(self.running[client], self.waiting[client][0][0], client)
                          for client in self._eligible()]
            if not candidates:
                return
            _, _, client = min(candidates)
            _, granted = self.waiting[client].popleft()
            if not self.waiting[client]:
                del self.waiting[client]
            if granted.done():  # given up meanwhile
                continue
            self._take(client)
            granted.set_result(None)

    def _retry_after(self) -> int:
        return max(1, min(30, round(self.wait / 2)))

    def status(self) -> dict[str, int]:
        return {"lookups_running": self.total, "lookups_waiting": sum(map(len, self.waiting.values())),
                "lookups_refused": self.refused}


def in_lane(endpoint):
    """Mark an async route whose work runs in the request threads (``run_in_threadpool``): it takes a
    slot of the lane like the synchronous routes."""
    endpoint.aidgraph_lane = True
    return endpoint


def _api_routes(routes, prefix: str):
    """(prefix, APIRoute) of ``routes`` and of the routers included among them, at any depth."""
    from fastapi.routing import APIRoute

    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix, route
            continue
        context = getattr(route, "include_context", None)  # fastapi.routing._IncludedRouter
        inner = getattr(context, "included_router", None)
        if inner is not None:
            yield from _api_routes(inner.routes, prefix + (getattr(context, "prefix", "") or ""))


class ClientLaneMiddleware:
    """ASGI middleware: requests whose route is synchronous run in a slot of a :class:`FairLane`.

    The client is the server's token when the request carries it (a writer gets its own lane), else the
    client's address. ``token`` is the server's bearer token (None: addresses only).
    """

    def __init__(self, app, *, lane: FairLane, token: str | None = None) -> None:
        self.app = app
        self.lane = lane
        self.bearer = f"Bearer {token}".encode() if token else None
        self._sync_routes: list | None = None

    def _routes(self, scope) -> list:
        """(path prefix, route) of every route in the lane, the included routers' too (FastAPI 0.165
        keeps those behind one ``_IncludedRouter`` entry each: looking at the top level only found none
        of the REST lookups, and the lane held nothing)."""
        if self._sync_routes is None:
            routes = _api_routes(scope["app"].router.routes, "")
            self._sync_routes = [(prefix, route) for prefix, route in routes
                                 if not inspect.iscoroutinefunction(route.endpoint)
                                 or getattr(route.endpoint, "aidgraph_lane", False)]
        return self._sync_routes

    def _in_lane(self, scope) -> bool:
        from starlette.routing import Match

        path = scope.get("path", "")
        for prefix, route in self._routes(scope):
            if prefix and not path.startswith(prefix):
                continue
            if route.matches(scope | {"path": path[len(prefix):]} if prefix else scope)[0] is Match.FULL:
                return True
        return False

    def client_of(self, scope) -> str:
        if self.bearer is not None:
            for name, value in scope.get("headers", ()):
                if name == b"authorization" and value == self.bearer:
                    return "token"
        client = scope.get("client")
        return client[0] if client else "?"

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self._in_lane(scope):
            await self.app(scope, receive, send)
            return
        client = self.client_of(scope)
        try:
            await self.lane.acquire(client)
        except LaneFull as refused:
            body = json.dumps({"type": PROBLEM_TYPE + "too-many-lookups", "title": "Too many requests",
                               "status": 429, "detail": refused.detail,
                               "hint": "send fewer lookups at once; retry after the time in Retry-After",
                               }).encode()
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                                    (b"content-length", str(len(body)).encode()),
                                    (b"retry-after", str(refused.retry_after).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.lane.release(client)
