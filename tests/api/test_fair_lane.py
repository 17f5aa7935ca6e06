"""Who is answered first (api/lanes.py): /health before the whole FastAPI stack, and a fair lane for the
synchronous lookups, so one client's flood of heavy lookups neither starves another client's light
requests nor /health; beyond its queue a client gets 429 with Retry-After."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api.app import create_app
from api.lanes import FairLane, LaneFull
from api.settings import ApiSettings

OTHER_CLIENT = "127.0.0.2"  # another loopback address: another client
HEAVY_SECONDS = 0.6


def heavy_lookup() -> dict:
    """A synchronous lookup that holds its request thread (a stand-in for a slow aggregate)."""
    time.sleep(HEAVY_SECONDS)
    return {"ok": True}


def serve_with_heavy_route(live_server_class, store, **options):
    settings = ApiSettings(store=str(store), query_timeout=20, query_workers=0, **options)
    live = live_server_class(settings)
    live.app.add_api_route("/heavy-lookup", heavy_lookup, methods=["GET"])
    return live


def flood(url: str, clients: int, stop: threading.Event | None = None,
          rounds: int = 1) -> list[httpx.Response]:
    """``clients`` threads of one client address sending /heavy-lookup at once, ``rounds`` times each
    (or until ``stop``)."""
    barrier = threading.Barrier(clients)

    def one(_) -> list[httpx.Response]:
        answers = []
        with httpx.Client(base_url=url, timeout=60) as http:
            barrier.wait()
            for _ in range(rounds):
                answers.append(http.get("/heavy-lookup"))
                if stop is not None and stop.is_set():
                    break
        return answers

    with ThreadPoolExecutor(clients) as pool:
        return [answer for answers in pool.map(one, range(clients)) for answer in answers]


def timed(http: httpx.Client, path: str, **params) -> tuple[int, float]:
    started = time.monotonic()
    status = http.get(path, params=params).status_code
    return status, time.monotonic() - started


def test_another_clients_light_requests_answer_while_one_client_floods(tmp_path, store_builder,
                                                                       live_server_class):
    live = serve_with_heavy_route(live_server_class, store_builder(tmp_path / "store"),
                                  request_threads=4, lookups_per_client=2, lookup_queue=64)
    with live:
        other = httpx.Client(base_url=live.url, timeout=30,
                             transport=httpx.HTTPTransport(local_address=OTHER_CLIENT))
        with other:
            assert other.get("/pledges", params={"limit": 5}).status_code == 200  # warm
            stop = threading.Event()
            with ThreadPoolExecutor(1) as pool:
                flooding = pool.submit(flood, live.url, 30, stop, 3)
                deadline = time.monotonic() + 30  # until the flood fills its share and queue
                while other.get("/health").json()["lookups_waiting"] < 10 and time.monotonic() < deadline:
                    time.sleep(0.1)
                light = [timed(other, "/pledges", donor="DE", limit=5) for _ in range(5)]
                health = [timed(other, "/health") for _ in range(5)]
                status = other.get("/health").json()
                assert 0 <= status["store_heartbeat_s"] < 5  # the store worker answers its heartbeat
                stop.set()
                answers = flooding.result()
    assert {code for code, _ in light} == {200} and {code for code, _ in health} == {200}
    # client A's 30 lookups of 0.6 s on 2 threads queue for ~9 s; B's light ones do not wait for them
    assert max(seconds for _, seconds in light) < 2 * HEAVY_SECONDS, light
    assert max(seconds for _, seconds in health) < 1.0, health
    assert status["lookups_waiting"] > 0  # the flood was queued meanwhile
    assert {answer.status_code for answer in answers} == {200}  # within its queue nothing is refused


def test_a_flood_beyond_the_clients_queue_gets_429_with_retry_after(tmp_path, store_builder,
                                                                   live_server_class):
    live = serve_with_heavy_route(live_server_class, store_builder(tmp_path / "store"),
                                  request_threads=4, lookups_per_client=2, lookup_queue=4)
    with live:
        answers = flood(live.url, 16)
        with httpx.Client(base_url=live.url, timeout=30) as http:
            after = http.get("/pledges", params={"limit": 5})
            refused = http.get("/health").json()["lookups_refused"]
    codes = sorted(answer.status_code for answer in answers)
    assert codes.count(200) >= 6 and codes.count(429) >= 6, codes  # 2 running + 4 waiting get through
    assert set(codes) <= {200, 429}
    too_many = next(answer for answer in answers if answer.status_code == 429)
    assert int(too_many.headers["Retry-After"]) >= 1
    assert too_many.headers["Content-Type"].startswith("application/problem+json")
    assert too_many.json()["type"].endswith("/too-many-lookups")
    assert after.status_code == 200  # the flood is over: the client is served again
    assert refused == codes.count(429)


def test_health_is_answered_before_the_fastapi_stack(tmp_path):
    app = create_app(ApiSettings(store=None, backend="memory"))

    class Healthy:
        restarts = memory_kills = 0
        native = True

        def healthy(self) -> bool:
            return True

    app.state.engine = Healthy()
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        raise AssertionError("the fast path reads no body")

    scope = {"type": "http", "method": "GET", "path": "/health", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"localhost:8000")], "client": ("127.0.0.1", 1)}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 200
    assert b'"status":"ok"' in sent[1]["body"]
    assert app.middleware_stack is None  # Starlette builds it on the first request through the stack
    Healthy.healthy = lambda self: False
    sent.clear()
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 503 and b"/unhealthy" in sent[1]["body"]
    assert dict(sent[0]["headers"])[b"content-type"] == b"application/problem+json"
    sent.clear()  # a Host this server does not answer to: the whole stack (its Host check) answers
    asyncio.run(app(scope | {"headers": [(b"host", b"rebind.example")]}, receive, send))
    assert sent[0]["status"] == 400 and app.middleware_stack is not None


# ------------------------------------------------------------------ the lane itself

def test_a_freed_slot_goes_to_the_waiting_client_with_the_fewest_running():
    async def main():
        lane = FairLane(slots=3, per_client=2, queue=10, wait=5)
        await lane.acquire("a")
        await lane.acquire("a")
        a_waits = asyncio.ensure_future(lane.acquire("a"))  # a is at its share
        await asyncio.sleep(0.05)
        assert not a_waits.done()
        await asyncio.wait_for(lane.acquire("b"), 1)  # b finds the third slot at once
        b_waits = asyncio.ensure_future(lane.acquire("b"))
        await asyncio.sleep(0.05)
        lane.release("a")  # a: 1 running, b: 1 running; the oldest waiter among equals is a's
        await asyncio.sleep(0.05)
        assert a_waits.done() and not b_waits.done()
        lane.release("a")
        await asyncio.sleep(0.05)
        assert b_waits.done()
        assert lane.status() == {"lookups_running": 3, "lookups_waiting": 0, "lookups_refused": 0}

    asyncio.run(main())


def test_the_lane_refuses_beyond_the_queue_and_after_the_wait():
    async def main():
        lane = FairLane(slots=1, per_client=1, queue=1, wait=0.2)
        await lane.acquire("a")
        waiting = asyncio.ensure_future(lane.acquire("a"))
        await asyncio.sleep(0.05)
        with pytest.raises(LaneFull, match="waiting"):
            await lane.acquire("a")
        with pytest.raises(LaneFull, match="no request thread was free"):
            await waiting
        lane.release("a")
        await asyncio.wait_for(lane.acquire("a"), 1)  # nothing left behind
        assert lane.refused == 2 and lane.total == 1

    asyncio.run(main())


def test_the_servers_token_is_a_client_of_its_own_and_other_tokens_are_not():
    from api.lanes import ClientLaneMiddleware

    lanes = ClientLaneMiddleware(None, lane=FairLane(4, 2, 4, 1), token="s3cret")
    scope = {"client": ("127.0.0.1", 5000), "headers": []}
    assert lanes.client_of(scope) == "127.0.0.1"
    assert lanes.client_of(scope | {"headers": [(b"authorization", b"Bearer s3cret")]}) == "token"
    # a made-up token cannot buy a lane of its own: the address counts
    assert lanes.client_of(scope | {"headers": [(b"authorization", b"Bearer other")]}) == "127.0.0.1"


def test_async_routes_whose_work_runs_in_the_request_threads_take_a_lane_slot(tmp_path):
    """The explorer page and /store run their work in the request threads (``run_in_threadpool``):
    marked ``in_lane``, the lane counts them like the synchronous routes; /sparql has a lane of its own."""
    from api.app import create_app
    from api.lanes import ClientLaneMiddleware, FairLane
    from api.settings import ApiSettings

    app = create_app(ApiSettings(store=str(tmp_path / "unused")))
    middleware = ClientLaneMiddleware(app.router, lane=FairLane(2, 1, 1, 1.0))

    def scope(method: str, path: str) -> dict:
        return {"type": "http", "method": method, "path": path, "app": app, "headers": [],
                "query_string": b"", "root_path": ""}

    assert middleware._in_lane(scope("GET", "/"))
    for method in ("GET", "PUT", "POST", "DELETE"):
        assert middleware._in_lane(scope(method, "/store"))
    assert middleware._in_lane(scope("GET", "/pledges"))  # a synchronous route
    assert not middleware._in_lane(scope("GET", "/sparql"))
    assert not middleware._in_lane(scope("GET", "/health"))
