"""The answers kept per store version (``api.queries_service.kept_select``): a question not kept yet is
asked of the store worker once, however many clients ask it at the same moment (issue 10: 50 clients
opening /equipment at once made the store worker compute the same aggregate 50 times)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from api.queries_service import kept_select
from api.settings import ApiSettings


class SlowEngine:
    """A store engine whose SELECT takes ``seconds`` and counts its calls; ``fail`` makes it raise."""

    def __init__(self, seconds: float = 0.3, fail: Exception | None = None) -> None:
        self.seconds, self.fail = seconds, fail
        self.version = 0
        self.calls = 0
        self.lock = threading.Lock()

    def call(self, operation: str, arguments: dict) -> dict:
        with self.lock:
            self.calls += 1
        time.sleep(self.seconds)
        if self.fail is not None:
            raise self.fail
        return {"rows": [{"n": ("literal", "1")}], "truncated": False}


def request_for(engine: SlowEngine) -> SimpleNamespace:
    state = SimpleNamespace(engine=engine, settings=ApiSettings(store=None, backend="memory"))
    return SimpleNamespace(app=SimpleNamespace(state=state))


def ask_at_once(request, clients: int) -> list:
    barrier = threading.Barrier(clients)

    def ask():
        barrier.wait()
        try:
            return kept_select(request, "SELECT ?n {}", {}, cap=10)
        except Exception as exc:  # returned, to compare
            return exc

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(lambda _: ask(), range(clients)))


def test_concurrent_misses_ask_the_store_once():
    engine = SlowEngine()
    request = request_for(engine)
    answers = ask_at_once(request, 20)
    assert engine.calls == 1
    assert all(answer["rows"] == [{"n": ("literal", "1")}] for answer in answers)
    # each caller has rows of its own (a caller changing its rows changes nobody else's)
    answers[0]["rows"][0]["n"] = "changed"
    assert answers[1]["rows"][0]["n"] == ("literal", "1")
    kept_select(request, "SELECT ?n {}", {}, cap=10)  # kept: no new call
    assert engine.calls == 1


def test_a_write_asks_again():
    engine = SlowEngine(seconds=0.01)
    request = request_for(engine)
    kept_select(request, "SELECT ?n {}", {}, cap=10)
    engine.version += 1
    kept_select(request, "SELECT ?n {}", {}, cap=10)
    assert engine.calls == 2


def test_the_first_callers_error_reaches_the_waiting_ones_and_is_not_kept():
    engine = SlowEngine(fail=TimeoutError("the store did not answer"))
    request = request_for(engine)
    answers = ask_at_once(request, 10)
    assert engine.calls == 1
    assert all(isinstance(answer, TimeoutError) for answer in answers)
    engine.fail = None
    assert kept_select(request, "SELECT ?n {}", {}, cap=10)["rows"]
    assert engine.calls == 2


@pytest.mark.parametrize("cap", [10, 20])
def test_different_questions_are_asked_each(cap):
    engine = SlowEngine(seconds=0.01)
    request = request_for(engine)
    kept_select(request, "SELECT ?n {}", {}, cap=cap)
    kept_select(request, "SELECT ?m {}", {}, cap=cap)
    assert engine.calls == 2
