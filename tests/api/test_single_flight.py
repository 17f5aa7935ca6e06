"""Every per-store-version cache of the API asks the store once for a missing answer, however many clients
ask it at the same moment (issue 10: the first-request stampede after a start or a write), through the one
implementation ``api.queries_service.single_flight`` (``single_flight_async`` for coroutines); and hostile
parameters cannot grow a cache without bound."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from fastapi.responses import Response

from api import lookups as q
from api import routes_rest, routes_sparql
from api.queries_service import single_flight, single_flight_async
from api.web import data as web_data
from tests.api.test_kept_select import SlowEngine, request_for


def at_once(clients: int, ask) -> list:
    """``ask()`` in ``clients`` threads released together; each result or exception."""
    barrier = threading.Barrier(clients)

    def one():
        barrier.wait()
        try:
            return ask()
        except Exception as exc:  # returned, to compare
            return exc

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(lambda _: one(), range(clients)))


# ------------------------------------------------------------------ the implementation itself

def test_single_flight_runs_once_and_shares_errors_without_keeping_them():
    state, calls = SimpleNamespace(), []

    def compute():
        calls.append(1)
        time.sleep(0.2)
        raise TimeoutError("slow")

    answers = at_once(10, lambda: single_flight(state, ("k",), compute))
    assert len(calls) == 1 and all(isinstance(answer, TimeoutError) for answer in answers)
    assert single_flight(state, ("k",), lambda: 7) == 7  # the error was not kept
    assert state.kept_flights == {}  # nothing left behind


def test_single_flight_async_waiters_ask_again_when_the_first_caller_is_cancelled():
    state, calls = SimpleNamespace(), []

    async def compute():
        calls.append(1)
        await asyncio.sleep(0.2)
        return len(calls)

    async def main():
        first = asyncio.create_task(single_flight_async(state, ("k",), compute))
        await asyncio.sleep(0.05)
        others = [asyncio.create_task(single_flight_async(state, ("k",), compute)) for _ in range(5)]
        await asyncio.sleep(0.05)
        first.cancel()
        answers = await asyncio.gather(*others)
        with pytest.raises(asyncio.CancelledError):
            await first
        return answers

    answers = asyncio.run(main())
    assert len(calls) == 2 and answers == [2] * 5  # one of the waiters asked again, once for all
    assert state.kept_flights == {}


# ------------------------------------------------------------------ /pledges filter checks

def test_filter_checks_ask_the_store_once_under_concurrent_first_requests():
    engine = SlowEngine()
    request = request_for(engine)
    term = q.iri("https://example.org/no-such-donor")
    answers = at_once(20, lambda: routes_rest._cached_ask(request, q.EXISTS, term))
    assert engine.calls == 1 and answers == [True] * 20
    assert routes_rest._cached_ask(request, q.EXISTS, term) and engine.calls == 1  # kept
    engine.version += 1
    routes_rest._cached_ask(request, q.EXISTS, term)
    assert engine.calls == 2  # a write asks again


def test_filter_checks_stay_bounded_under_hostile_values(monkeypatch):
    monkeypatch.setattr(routes_rest, "TERM_CHECKS_KEPT", 50)
    engine = SlowEngine(seconds=0)
    request = request_for(engine)
    for n in range(500):
        routes_rest._cached_ask(request, q.EXISTS, q.iri(f"https://example.org/donor-{n}"))
    assert len(request.app.state.term_checks[1]) <= 51


# ------------------------------------------------------------------ /queries/{name}

def saved_request(engine, accept: str | None = None) -> SimpleNamespace:
    request = request_for(engine)
    request.headers = {"accept": accept} if accept else {}
    return request


@pytest.fixture
def counted_saved_answers(monkeypatch):
    """``_saved_answer`` replaced by a slow one that counts its runs."""
    runs = []

    async def answer(request, saved, format):
        runs.append(saved.name)
        await asyncio.sleep(0.3)
        return Response(b"a,b\r\n1,2\r\n", media_type="text/csv", headers={"X-Result-Count": "1"})

    monkeypatch.setattr(routes_sparql, "_saved_answer", answer)
    return runs


def test_saved_query_runs_once_under_concurrent_first_requests(counted_saved_answers):
    engine = SlowEngine()
    name = next(iter(routes_sparql.saved_queries()))
    request = saved_request(engine, "text/csv")

    async def main():
        return await asyncio.gather(*(routes_sparql.run_saved_query(request, name) for _ in range(20)))

    responses = asyncio.run(main())
    assert counted_saved_answers == [name]
    assert {r.body for r in responses} == {b"a,b\r\n1,2\r\n"}
    assert all("x-cache" not in r.headers for r in responses)
    again = asyncio.run(routes_sparql.run_saved_query(request, name))
    assert again.headers["x-cache"] == "hit" and counted_saved_answers == [name]


def test_hostile_accept_headers_do_not_grow_the_saved_answers(counted_saved_answers):
    engine = SlowEngine()
    name = next(iter(routes_sparql.saved_queries()))
    state = None
    for n in range(200):  # 200 different Accept texts that all negotiate CSV
        request = saved_request(engine, f"text/csv;q=0.{n % 9 + 1}, x-nonsense/v{n};q=0.01")
        if state is not None:
            request.app.state = state
        state = request.app.state
        response = asyncio.run(routes_sparql.run_saved_query(request, name))
        assert response.media_type == "text/csv"
    assert counted_saved_answers == [name]
    assert len(state.saved_results[1]) == 1


# ------------------------------------------------------------------ web facet counts

def test_facet_counts_are_counted_once_under_concurrent_first_requests():
    engine = SlowEngine()
    request = request_for(engine)
    filters = web_data.Filters(donor="xx")
    answers = at_once(20, lambda: web_data._counts(request, filters, ["status", "total"]))
    assert engine.calls == 2  # one query per facet, once
    assert all(answer == answers[0] for answer in answers)
    assert web_data._counts(request, filters, ["status", "total"], cached_only=True) == answers[0]


def test_facet_counts_are_kept_per_store_version():
    engine = SlowEngine(seconds=0.01)
    request = request_for(engine)
    filters = web_data.Filters(donor="yy")
    first = web_data._counts(request, filters, ["status", "total"])
    assert engine.calls == 2
    for _ in range(5):  # an unchanged store: the kept counts, no store call
        assert web_data._counts(request, filters, ["status", "total"]) == first
    assert engine.calls == 2
    engine.version += 1  # a write through this server: the next counts are fresh
    assert web_data._counts(request, filters, ["status", "total"], cached_only=True) is None
    web_data._counts(request, filters, ["status", "total"])
    assert engine.calls == 4
    web_data._counts(request, filters, ["status", "total"])
    assert engine.calls == 4


# ------------------------------------------------------------------ /export/* and /plot/*

def heavy_guard(runs: list, **options):
    from api.guards import HeavyRequestMiddleware

    async def app(scope, receive, send):
        runs.append(scope["query_string"])
        await asyncio.sleep(0.2)
        body = b"<gexf/>" + scope["query_string"]
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return HeavyRequestMiddleware(app, prefixes=("/export/",), version=lambda scope: 0,
                                  **{"slots": 2, "wait": 30.0, "cache_bytes": 1 << 20} | options)


async def heavy_get(guard, query: bytes = b"projection=actor-meeting", headers=()) -> tuple[int, dict, bytes]:
    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/export/gexf", "query_string": query,
             "headers": list(headers)}
    await guard(scope, None, send)
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


def test_an_export_is_computed_once_under_concurrent_first_requests():
    runs: list = []
    guard = heavy_guard(runs)

    async def main():
        return await asyncio.gather(*(heavy_get(guard) for _ in range(20)))

    answers = asyncio.run(main())
    assert len(runs) == 1
    assert {(status, body) for status, _, body in answers} == {(200, b"<gexf/>projection=actor-meeting")}
    assert sum(b"x-cache" not in headers for _, headers, _ in answers) == 1  # the one that computed it
    private = [(b"authorization", b"Bearer t")]
    asyncio.run(heavy_get(guard, headers=private))
    assert len(runs) == 2  # a private request is neither answered from nor put in the cache


def test_hostile_query_strings_do_not_grow_the_export_cache(monkeypatch):
    from api import guards

    monkeypatch.setattr(guards, "HEAVY_KEPT", 20)
    runs: list = []
    guard = heavy_guard(runs, slots=50)

    async def main():
        queries = [f"projection=actor-meeting&x={n}".encode() for n in range(100)]
        await asyncio.gather(*(heavy_get(guard, query) for query in queries))

    asyncio.run(main())
    assert len(runs) == 100 and len(guard._cache) == 20


def test_export_waiters_get_the_answer_when_the_first_clients_send_fails():
    runs: list = []
    guard = heavy_guard(runs)

    async def gone(message):  # the first client went away: its server's send raises
        raise OSError("client disconnected")

    async def first():
        scope = {"type": "http", "method": "GET", "path": "/export/gexf",
                 "query_string": b"projection=actor-meeting", "headers": []}
        await guard(scope, None, gone)

    async def main():
        return await asyncio.gather(first(), *(heavy_get(guard) for _ in range(5)), return_exceptions=True)

    answers = asyncio.run(main())
    assert answers[0] is None  # the first request ends quietly: nobody is listening
    assert len(runs) == 1
    assert {(status, body) for status, _, body in answers[1:]} == {(200, b"<gexf/>projection=actor-meeting")}
    assert asyncio.run(heavy_get(guard))[1].get(b"x-cache") == b"hit"  # and it was kept
