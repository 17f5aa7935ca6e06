"""Request body size limits, enforced before a route reads the body (413)."""

from __future__ import annotations

import json

from api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE


class BodyLimitMiddleware:
    """ASGI middleware: refuse bodies larger than the limit of their path with 413.

    Checks Content-Length up front and counts the bytes of chunked bodies as they arrive.
    ``limits`` maps a path prefix to its limit; ``default`` applies elsewhere.
    """

    def __init__(self, app, *, default: int, limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.default = default
        self.limits = limits or {}

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.limits.items():
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > limit
            except ValueError:
                too_big = False
            if too_big:
                await _send_413(send, limit)
                return
        received = 0
        response_started = False
        too_large = False

        async def limited_receive():
            nonlocal received, too_large
            if too_large:
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # a streamed body over the limit: end it here; whatever the route answers to the cut
                    # body (a parse error), the client gets the 413 instead
                    too_large = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def tracking_send(message):
            nonlocal response_started
            if too_large:
                if not response_started:
                    response_started = True
                    await _send_413(send, limit)
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)


async def _send_413(send, limit: int) -> None:
    body = json.dumps({
        "type": PROBLEM_TYPE + "body-too-large", "title": "Request body too large", "status": 413,
        "detail": f"the request body is larger than {limit} bytes",
        "hint": "send a smaller query or article",
    }).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
