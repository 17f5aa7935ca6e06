"""What stands between the network and the routes: Host and cross-site checks, the heavy-request limit
with its cache, and the access log without tokens.

    HostCheckMiddleware      Host must be an allowed name (DNS rebinding); cross-site requests from
                             browsers are refused, except top-level navigation (a link to the server)
    HeavyRequestMiddleware   whole-store /export/* and /plot/*: cached per store version, at most
                             ``slots`` computed at once, the next ones wait ``wait`` s, then 429
    install_log_redaction()  uvicorn's access log shows ``token=[redacted]`` instead of query-string tokens
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable

from api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE
from api.queries_service import single_flight_async

log = logging.getLogger("aidgraph.api")

HEAVY_KEPT = 256  # exports and plots kept at most (whatever their size: hostile query strings cannot grow it)


async def send_problem(send, status: int, code: str, title: str, detail: str, hint: str,
                       headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """A problem-details response from ASGI middleware (before any route runs)."""
    body = json.dumps({"type": PROBLEM_TYPE + code, "title": title, "status": status, "detail": detail,
                       "hint": hint}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def host_name(value: str) -> str:
    """The name of a Host header without its port (``[::1]:8000`` -> ``::1``), lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value[1:]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostCheckMiddleware:
    """Refuse requests whose Host is not an allowed name (400), and browser requests that another site's
    page makes (403): a page an analyst opens elsewhere can neither read nor load the local server.

    ``allowed_hosts`` containing ``*`` accepts any Host; ``allowed_origins`` (the CORS origins) may make
    cross-site requests. Top-level navigations (someone follows a link to the server) are allowed.
    """

    def __init__(self, app, *, allowed_hosts: tuple[str, ...], allowed_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.any_host = "*" in allowed_hosts
        self.hosts = {host_name(h) for h in allowed_hosts}
        self.any_origin = "*" in allowed_origins
        self.origins = {o.rstrip("/").lower() for o in allowed_origins}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = host_name(headers.get("host", ""))
        if not self.any_host and host not in self.hosts:
            await send_problem(send, 400, "host-not-allowed", "Bad request",
                               f"the Host header names {host[:100]!r}, which this server does not answer to",
                               "reach the server by one of its allowed names (localhost, 127.0.0.1, the "
                               "address it listens on), or add the name to AIDGRAPH_ALLOWED_HOSTS")
            return
        if self._cross_site(scope, headers):
            await send_problem(send, 403, "cross-site", "Forbidden",
                               "a page of another site may not call this server",
                               "open the server's own pages, or add that site's origin to "
                               "AIDGRAPH_CORS_ORIGINS")
            return
        await self.app(scope, receive, send)

    def _cross_site(self, scope, headers: dict[str, str]) -> bool:
        """Whether a browser sent this request from another origin's page (and it is not a navigation)."""
        if self.any_origin:
            return False
        origin = headers.get("origin", "").rstrip("/").lower()
        if origin:
            own = headers.get("host", "").lower()
            return origin not in self.origins and origin not in (f"http://{own}", f"https://{own}")
        site = headers.get("sec-fetch-site", "")
        if site in ("cross-site", "same-site"):
            return not (headers.get("sec-fetch-mode") == "navigate" and scope.get("method") == "GET")
        return False


class HeavyRequestMiddleware:
    """Whole-store exports and plots: answer a repeat from the cache of the current store version, and
    compute at most ``slots`` at once; a request that finds no slot within ``wait`` seconds gets 429 with
    Retry-After.

    ``version()`` gives the store version (None: do not cache, e.g. a remote store others write to).
    Requests with an Authorization header are never answered from or put in the cache. The same
    request asked by many clients at once is computed once (``api.queries_service.single_flight_async``).
    """

    def __init__(self, app, *, prefixes: tuple[str, ...], slots: int, wait: float, cache_bytes: int,
                 version: Callable[[dict], int | None]) -> None:
        self.app = app
        self.prefixes = prefixes
        self.slots = max(1, slots)
        self.wait = wait
        self.cache_bytes = cache_bytes
        self.version = version
        self._semaphore: asyncio.Semaphore | None = None
        self._cache: OrderedDict[tuple, tuple[int, int, list, bytes]] = OrderedDict()
        self._cached_bytes = 0
        self.hits = 0

    def _heavy(self, scope) -> bool:
        return scope["type"] == "http" and scope.get("method") == "GET" and \
            scope.get("path", "").startswith(self.prefixes)

    async def __call__(self, scope, receive, send) -> None:
        if not self._heavy(scope):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        key = (scope["path"], scope.get("query_string", b""), headers.get(b"accept", b""))
        private = b"authorization" in headers
        version = self.version(scope)
        cached = self._cache.get(key) if version is not None and not private else None
        if cached is not None and cached[0] == version:
            self._cache.move_to_end(key)
            self.hits += 1
            _, status, response_headers, body = cached
            await send({"type": "http.response.start", "status": status,
                        "headers": [*response_headers, (b"x-cache", b"hit")]})
            await send({"type": "http.response.body", "body": body})
            return
        if version is None or private:
            await self._compute(scope, receive, send, key, None)
            return
        led = False

        async def lead() -> tuple | None:
            nonlocal led
            led = True
            return await self._compute(scope, receive, send, key, version)

        # the same export asked by many clients at once is computed once (issue 10): the first one
        # computes it (its response streamed as it comes), the others get its response when it is done
        answer = await single_flight_async(self, ("heavy", version, key), lead)
        if led:
            return
        if answer is None:  # the first one got no slot: this one waits for its own turn
            await self._compute(scope, receive, send, key, version)
            return
        status, response_headers, body = answer
        self.hits += 1
        await send({"type": "http.response.start", "status": status,
                    "headers": [*response_headers, (b"x-cache", b"hit")]})
        await send({"type": "http.response.body", "body": body})

    async def _compute(self, scope, receive, send, key: tuple, version: int | None) -> tuple | None:
        """Run the route in a slot (429 when none frees within ``wait``); its (status, headers, body),
        kept when it is 200 and ``version`` is not None. None when it got no slot."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.slots)
        started = time.monotonic()
        try:
            if self._semaphore.locked():
                await asyncio.wait_for(self._semaphore.acquire(), timeout=self.wait)
            else:
                await self._semaphore.acquire()
        except TimeoutError:
            await send_problem(send, 429, "too-many-heavy-requests", "Too many requests",
                               f"{self.slots} whole-store exports or plots are being computed; this one "
                               f"waited {time.monotonic() - started:.1f} s for its turn",
                               "retry after the time in Retry-After (repeats of a finished export are "
                               "answered from the cache)", headers=[(b"retry-after", b"10")])
            return None
        captured: dict = {"status": 0, "headers": [], "body": [], "gone": False}

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                captured["status"], captured["headers"] = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))
            if captured["gone"]:
                return
            try:
                await send(message)
            except Exception:  # the client went away (whatever the server raises then)
                # this request's client went away: the answer is still computed to its end, for the
                # requests waiting on it (they get it, not this client's send error) and the cache
                captured["gone"] = True
                log.info("an export's client went away; its answer goes to the others waiting for it")

        try:
            await self.app(scope, receive, capture)
        finally:
            self._semaphore.release()
        body = b"".join(captured["body"])
        if captured["status"] == 200 and version is not None:
            self._remember(key, version, captured["status"], captured["headers"], body)
        return captured["status"], captured["headers"], body

    def _remember(self, key: tuple, version: int, status: int, headers: list, body: bytes) -> None:
        if len(body) > self.cache_bytes // 4:
            return
        old = self._cache.pop(key, None)
        if old is not None:
            self._cached_bytes -= len(old[3])
        self._cache[key] = (version, status, headers, body)
        self._cached_bytes += len(body)
        while (self._cached_bytes > self.cache_bytes or len(self._cache) > HEAVY_KEPT) and self._cache:
            _, dropped = self._cache.popitem(last=False)
            self._cached_bytes -= len(dropped[3])


# ------------------------------------------------------------------------------------ access log

SECRET_PARAMETER = re.compile(r"(?i)([?&;](?:access_token|token|api[_-]?key|password|secret)=)[^&;#\s\"]*")


def redact(text: str) -> str:
    """``text`` with the values of token-like query parameters replaced by ``[redacted]``."""
    return SECRET_PARAMETER.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """A log filter: no token from a query string reaches the log (uvicorn's access log shows the URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_log_redaction() -> None:
    """Put :class:`RedactTokens` on uvicorn's loggers (once)."""
    for name in ("uvicorn.access", "uvicorn.error", "aidgraph.api"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
