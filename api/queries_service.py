"""The lookups the REST routes and the web app share: run a SELECT on the store worker, turn filter
values into bound SPARQL terms, and read pledge records page by page.

These are the one implementation of each step (``api.routes_rest`` and ``api.web`` both call them):

* :func:`select` runs a SELECT (with its ``bindings``) on the store worker under the server's timeout and
  result cap; :func:`kept_select` keeps its answer for the store version (the lookup views and the
  aggregate lists /equipment, /actors, /meetings: many clients asking the same list do not queue for the
  store worker);
* :func:`pledge_filters` turns the ``/pledges`` filter values into filter names and bound terms
  (a bad value is a 400/422 :class:`api.problems.Problem` with the reason);
* :func:`pledge_records` answers one page of pledge records for those filters, newest first.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

from fastapi import Request

from api import lookups as q
from api.problems import Problem
from api.results import Term
from graph import vocab

__all__ = ["actor_candidates", "article_text", "checked_iri", "kept_select", "pledge_filters",
           "pledge_records", "pledge_records_json", "pledge_total", "select", "single_flight",
           "single_flight_async", "version_kept"]

T = TypeVar("T")

WINDOW_SHARE = 3  # /pledges pages through a date window while it holds at most a third of the store
ROW_FACTOR = 200  # detail rows per pledge read at most (own triples, claims, amount, item labels)
KEPT_SELECTS = 512  # answers kept_select keeps per store version
KEPT_ROWS = 5000  # rows of an answer kept_select keeps at most


def select(request: Request, sparql: str, bindings: dict[str, tuple] | None = None,
           cap: int | None = None) -> dict[str, Any]:
    """A SELECT run by the store worker: ``{"rows": [...], "truncated": bool, ...}``, at most ``cap`` rows
    (default: the server's result cap). ``bindings`` maps variable names to terms (``api.lookups.iri``,
    ``api.lookups.text``). Raises :class:`api.engine.ServiceUnavailable` when the store does not answer in
    time."""
    engine = request.app.state.engine
    return engine.call("select", {"sparql": sparql, "bindings": bindings or {},
                                  "cap": cap or request.app.state.settings.result_cap})


def version_kept(request: Request, name: str, limit: int | None = None) -> dict:
    """The answers kept on the app state under ``name`` for the store's current version (the engine's
    write count: any write through this server starts an empty dict), also emptied when it holds more
    than ``limit``. The one implementation of the per-version caches (:func:`kept_select`, the filter
    checks of /pledges, the saved-query answers)."""
    state = request.app.state
    version = state.engine.version
    kept = getattr(state, name, None)
    if kept is None or kept[0] != version or (limit is not None and len(kept[1]) > limit):
        kept = (version, {})
        setattr(state, name, kept)
    return kept[1]


def kept_select(request: Request, sparql: str, bindings: dict[str, tuple] | None = None,
                cap: int | None = None) -> dict[str, Any]:
    """:func:`select`, its answer kept for the store version (the engine's write count: any write through
    this server drops them all): the lookup views (/meetings, /actors/{id}, /equipment/{id}) ask the
    same few questions all day. At most KEPT_SELECTS answers of at most KEPT_ROWS rows each; every call
    gets its own copy of the rows.

    A question not kept yet is asked once however many clients ask it meanwhile: the first call runs it,
    the others wait for its answer (or its error). Without this, 50 clients opening /equipment after a
    write (or at start) each made the store worker compute the same aggregate, 50 times 0.4 s of work in
    front of every other lookup."""
    engine = request.app.state.engine
    kept = version_kept(request, "kept_selects")
    key = (sparql, tuple(sorted((bindings or {}).items())), cap)
    answer = kept.get(key)
    if answer is None:
        version = engine.version

        def ask() -> dict[str, Any]:
            found = select(request, sparql, bindings, cap)
            if version == engine.version and len(found["rows"]) <= KEPT_ROWS:
                if len(kept) >= KEPT_SELECTS:
                    kept.pop(next(iter(kept)), None)
                kept[key] = found
            return found

        answer = single_flight(request.app.state, ("kept_select", version, key), ask)
    return answer | {"rows": [dict(row) for row in answer["rows"]]}


_FLIGHTS_LOCK = threading.Lock()


def single_flight(state, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, run once for ``key`` however many threads ask at the same moment: the first
    caller runs it, the others wait for its answer (or its exception, raised in each of them). Nothing
    is kept after the answer: ``compute`` keeps it where its cache is (before the others can miss it
    again). ``key`` should name the cache and the store version. The one single-flight implementation
    of the app (the per-version caches of :func:`kept_select`, the /pledges filter checks, the web
    facet counts; :func:`single_flight_async` for the saved-query answers)."""
    flight, leader = _flight(state, key)
    if not leader:
        return flight.result()
    with _leading(state, key, flight):
        answer = compute()
        _settle(flight, answer)
        return answer


async def single_flight_async(state, key: tuple, compute: Callable[[], Awaitable[T]]) -> T:
    """:func:`single_flight` for a coroutine (``compute()`` is awaited; the others await its answer
    without blocking the event loop). When the first caller is cancelled (its client went away), a
    waiting caller asks again itself."""
    while True:
        flight, leader = _flight(state, key)
        if leader:
            break
        try:
            return await asyncio.shield(asyncio.wrap_future(flight))
        except asyncio.CancelledError:
            if not flight.cancelled():
                raise  # this caller was cancelled, not the first one
    with _leading(state, key, flight):
        answer = await compute()
        _settle(flight, answer)
        return answer


@contextmanager
def _leading(state, key: tuple, flight: Future) -> Iterator[None]:
    """The first caller's run of a flight (both single-flight forms): its exception reaches the waiters
    too, a cancelled first caller cancels the flight (a waiter then asks again), and the flight lands
    whatever happened."""
    try:
        yield
    except asyncio.CancelledError:
        flight.cancel()
        raise
    except BaseException as exc:
        _settle(flight, exc=exc)
        raise
    finally:
        _land(state, key)


def _flight(state, key) -> tuple[Future, bool]:
    """The pending answer of ``key`` on the app ``state``, and whether this caller is the first (it
    computes the answer; the others wait on the future)."""
    with _FLIGHTS_LOCK:
        flights = getattr(state, "kept_flights", None)
        if flights is None:
            flights = state.kept_flights = {}
        flight = flights.get(key)
        if flight is not None:
            return flight, False
        flight = flights[key] = Future()
        return flight, True


def _settle(flight: Future, answer: Any = None, exc: BaseException | None = None) -> None:
    if flight.done():
        return
    if exc is not None:
        flight.set_exception(exc)
    else:
        flight.set_result(answer)


def _land(state, key) -> None:
    with _FLIGHTS_LOCK:
        state.kept_flights.pop(key, None)


def read_model(request: Request):
    """The pledge read model of the served store (``graph.store.readmodel``), or None when there is
    none or it is not current (then the lookups ask SPARQL). Opened read-only, once per app."""
    state = request.app.state
    model = getattr(state, "read_model", None)
    if model is None:
        from graph.store.readmodel import READ_MODEL_FILE, PledgeReadModel

        path = state.settings.store_path
        if path is None or not (path / READ_MODEL_FILE).exists() or not state.settings.use_read_model:
            return None
        model = state.read_model = PledgeReadModel(path / READ_MODEL_FILE, read_only=True)
    return model if model.is_current() else None


def pledge_records(request: Request, filters: list[str], bindings: dict[str, tuple], limit: int = 1000,
                   offset: int = 0, extra: str = "") -> list[dict[str, Any]]:
    """Pledge records matching the named ``filters`` (values in ``bindings``, see :func:`pledge_filters`),
    newest first: a page of pledge IRIs, then their details shaped by :func:`api.lookups.shape_pledges`.
    ``extra`` is a further graph pattern over ``?pledge``. From the read model when it is current and
    can express the filters (``api.lookups.pledge_criteria``)."""
    model = read_model(request)
    criteria = q.pledge_criteria(filters, bindings, extra) if model is not None else None
    if criteria is not None:
        return model.page(criteria, limit, offset)
    page = _pledge_page(request, filters, bindings, limit, offset, extra)
    order = [row["pledge"][1] for row in page]
    if not order:
        return []
    cap = max(limit * ROW_FACTOR, request.app.state.settings.result_cap)
    return q.shape_pledges(order, _pledge_details(request, order, cap))


def pledge_records_json(request: Request, filters: list[str], bindings: dict[str, tuple], limit: int = 1000,
                        offset: int = 0) -> list[str] | None:
    """:func:`pledge_records` as the records' compact JSON texts, straight from the read model (no
    parsing and writing again); None when the read model cannot answer (then ask :func:`pledge_records`)."""
    model = read_model(request)
    criteria = q.pledge_criteria(filters, bindings) if model is not None else None
    return None if criteria is None else model.page_json(criteria, limit, offset)


def article_text(request: Request, article_id: str) -> str | None:
    """The article's normalised text (the string its claims' offsets index into): in its graph, or in
    its quarantine graph when the gate rejected the article as a whole; None for an article stored
    before aidgraph kept the text."""
    article = vocab.article_iri(article_id)
    for graph in (article, vocab.quarantine_graph_iri(article_id)):
        rows = select(request, q.ARTICLE_TEXT, {"f_graph": q.iri(graph), "f_article": q.iri(article)}, cap=1)
        if rows["rows"]:
            return rows["rows"][0]["text"][1]
    return None


def pledge_total(request: Request, filters: list[str], bindings: dict[str, tuple]) -> int:
    """How many pledges match the named ``filters``: the read model's count for one filter value,
    else a SPARQL count."""
    model = read_model(request)
    criteria = q.pledge_criteria(filters, bindings) if model is not None else None
    if criteria is not None and criteria.item is None and criteria.date_from is None and \
            criteria.date_to is None and len(criteria.equal) == 1:
        (facet, values), = criteria.equal.items()
        if len(values) == 1:
            return model.totals(facet).get(values[0], 0)
    rows = select(request, q.pledge_count_query(filters, bound=bindings), bindings)["rows"]
    return int(rows[0]["n"][1]) if rows else 0


def pledge_filters(category: str | None, donor: str | None, recipient: str | None, item: str | None,
                   status: str | None, date_from: str | None, date_to: str | None,
                   meeting: str | None) -> tuple[list[str], dict[str, tuple]]:
    """The filter names and bound terms of the ``/pledges`` filter values (``None`` = no filter).

    Raises:
        Problem: 400 for a value that cannot name a resource, 422 for a date that is not a calendar date.
    """
    filters: list[str] = []
    bindings: dict[str, tuple] = {}
    if donor:
        filters.append("donor")
        bindings["f_donor_a"], bindings["f_donor_b"] = actor_candidates(donor)
    if recipient:
        filters.append("recipient")
        bindings["f_recipient_a"], bindings["f_recipient_b"] = actor_candidates(recipient)
    if category:
        filters.append("category")
        bindings["f_category"] = checked_iri(vocab.category_iri, category, "category")
    if item:
        filters.append("item")
        bindings["f_item"] = q.text(item)
        try:
            bindings["f_item_iri"] = q.iri(vocab.equipment_iri(item))
        except ValueError:
            bindings["f_item_iri"] = q.iri(vocab.equipment_iri("none"))
    if status:
        filters.append("status")
        bindings["f_status"] = checked_iri(vocab.status_iri, status, "status")
    if date_from:
        filters.append("date_from")
        bindings["f_date_from"] = q.text(_checked_date(date_from))
    if date_to:
        filters.append("date_to")
        bindings["f_date_to"] = q.text(_checked_date(date_to))
    if meeting:
        filters.append("meeting")
        bindings["f_meeting"] = checked_iri(vocab.meeting_iri, meeting, "meeting")
    return filters, bindings


def checked_iri(make, value: str, what: str) -> tuple:
    """``make(value)`` (a ``graph.vocab`` IRI helper) as a bound IRI term; 400 when it makes no IRI."""
    try:
        return q.iri(make(value))
    except ValueError as exc:
        raise Problem(400, "bad-filter", f"{what} {value!r} is not valid: {exc}") from None


def actor_candidates(value: str) -> tuple[tuple, tuple]:
    """A donor/recipient key as the two IRIs it may name: a country code, or an organisation key."""
    if value.lower() == "multiple":
        return q.iri(vocab.MULTIPLE_DONORS_IRI), q.iri(vocab.MULTIPLE_DONORS_IRI)
    country = checked_iri(vocab.country_iri, value, "country") if len(value) == 2 else None
    organisation = checked_iri(vocab.org_iri, value, "organisation")
    return country or organisation, organisation


# --------------------------------------------------------------------------- internals

def _pledge_page(request: Request, filters: list[str], bindings: dict[str, tuple], limit: int, offset: int,
                 extra: str) -> list[dict[str, Term]]:
    """The page query's rows, found in a window of the newest dates first when that can answer.

    The first window holds the newest dates with twice the rows the page reaches (offset + limit;
    1.25 times without filters), counting only dates inside date_from/date_to. While the filters
    leave less than a full page in it, it grows by the share of its rows that matched (or eightfold
    when that is unknown). When it would hold more than a third of the store, or the store is small
    (``pledge_window_min_rows``), the page query runs over everything. Same rows, same order,
    either way (see :func:`api.lookups.pledge_window_query`).
    """
    histogram = [(row["sortDate"][1], int(row["rows"][1]))
                 for row in select(request, q.PLEDGE_DATE_HISTOGRAM)["rows"]]
    date_from, date_to = (bindings.get(name, (None, None))[1] for name in ("f_date_from", "f_date_to"))
    in_range = [(sort_date, rows) for sort_date, rows in histogram
                if q.date_in_range(sort_date, date_from, date_to)]
    total = sum(rows for _, rows in histogram)
    if total < request.app.state.settings.pledge_window_min_rows:
        in_range = []  # a small store: sorting everything is as fast as a window
    reach = offset + limit
    wanted = math.ceil(reach * (2 if filters or extra else 1.25))  # headroom for the rows filters drop
    while (cutoff := q.date_cutoff(in_range, wanted)) is not None and \
            q.rows_from(histogram, cutoff) <= total // WINDOW_SHARE:
        page = select(request, q.pledge_window_query(filters, limit, offset, cutoff, bound=bindings,
                                                      extra=extra), bindings, cap=limit)["rows"]
        if len(page) == limit:
            return page
        matched = offset + len(page) if page or not offset else 0  # rows of the window that matched
        wanted = math.ceil(wanted * max(2.0, 1.5 * reach / matched)) if matched else wanted * 8
    return select(request, q.pledge_page_query(filters, limit, offset, bound=bindings, extra=extra),
                   bindings, cap=limit)["rows"]


def _pledge_details(request: Request, pledges: list[str], cap: int) -> list[dict[str, Term]]:
    """The detail rows of the pledges, read in halves while a read overruns ``cap`` rows (a pledge
    restated by many articles has a claim per article); 503 only when one pledge alone overruns it."""
    details = select(request, q.pledge_details_query(pledges), cap=cap)
    if not details["truncated"]:
        return details["rows"]
    if len(pledges) == 1:
        raise Problem(503, "too-much-detail", "a pledge of this page has too many facts to list",
                      hint="ask for its sources with SPARQL (/sparql)")
    half = len(pledges) // 2
    return _pledge_details(request, pledges[:half], cap) + _pledge_details(request, pledges[half:], cap)


def _checked_date(value: str) -> str:
    padded = value + "-01-01"[len(value) - 4:] if len(value) < 10 else value
    try:
        date.fromisoformat(padded)
    except ValueError:
        raise Problem(422, "invalid-parameter", f"{value!r} is not a calendar date") from None
    return value
