"""What the pages show, read through the REST lookup layer and :mod:`api.web.queries`.

The explorer's filters (:class:`Filters`) are the query string of its URL; :func:`explore` turns them into
the pledge records of one page (``api.queries_service`` paging over ``api.lookups``), the facet counts, and
the table rows (labels, not IRIs; evidence with the matched words marked). The CSV and the Gephi export
are made from the same rows, so they hold exactly what the table shows.
"""

from __future__ import annotations

import csv
import io
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from api import lookups as q
from api import queries_service as service
from api import routes_rest as rest
from api.problems import Problem
from api.web import queries as wq
from api.web.highlight import Piece, mark_words
from api.web.labels import LabelIndex, label_index
from graph import vocab

FACET_TTL = 60.0  # seconds facet counts of a remote store (written by others too) are kept
FACET_CACHE_SIZE = 256  # filter sets whose facet counts are kept per store version
PAGE_SIZES = (50, 100, 200, 500, 1000)
DEFAULT_PAGE_SIZE = 100
KEY = re.compile(rest.KEY)
DATE = re.compile(rest.DATE_PATTERN)
CATEGORY = re.compile(r"^[a-z0-9_]{1,50}$")
LANG = re.compile(r"^[a-z]{2,3}$")
STATUSES = ("pledged", "delivered", "planned", "proposed")
FACET_NAMES = ("donor", "recipient", "category", "item", "status", "meeting", "lang")

#: the table's columns: (key, heading); the CSV has the same columns with the same text
COLUMNS = (
    ("donor", "Donor"),
    ("recipient", "Recipient"),
    ("item", "Item"),
    ("category", "Category"),
    ("quantity", "Quantity"),
    ("amount", "Amount"),
    ("status", "Status"),
    ("date", "Date"),
    ("meeting", "Meeting"),
    ("evidence", "Evidence"),
    ("article", "Article"),
)
SORTABLE = tuple(key for key, _ in COLUMNS if key not in ("evidence", "article"))
LIST_SEPARATOR = " | "  # between the sources of one pledge in a CSV cell


def select(
    request: Request, sparql: str, bindings: dict[str, tuple] | None = None, cap: int | None = None
) -> list[dict[str, tuple]]:
    """Rows of a SELECT run by the store worker (:func:`api.queries_service.select`: the REST layer's
    call, with its timeout and cap)."""
    return service.select(request, sparql, bindings, cap)["rows"]


def labels(request: Request) -> LabelIndex:
    """The label index of the app (cached, see :mod:`api.web.labels`)."""
    return label_index(request.app, lambda sparql: select(request, sparql, cap=1_000_000))


# ------------------------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """The explorer's state, as in its URL. Empty strings are "no filter"."""

    donor: str = ""
    recipient: str = ""
    category: str = ""
    item: str = ""
    status: str = ""
    date_from: str = ""
    date_to: str = ""
    meeting: str = ""
    lang: str = ""
    sort: str = "date"
    order: str = "desc"
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0
    errors: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_query(cls, params: Any) -> Filters:
        """Filters from a query string; a bad value is dropped and explained in ``errors``."""
        values: dict[str, Any] = {}
        errors = []
        checks = {
            "donor": KEY,
            "recipient": KEY,
            "category": CATEGORY,
            "meeting": KEY,
            "lang": LANG,
            "date_from": DATE,
            "date_to": DATE,
        }
        for name, pattern in checks.items():
            value = (params.get(name) or "").strip()
            if value and not pattern.match(value):
                errors.append(f"{name} {value!r} is not a valid value and was ignored")
            elif value:
                values[name] = value
        item = (params.get("item") or "").strip()
        if item:
            values["item"] = item[:100]
        status = (params.get("status") or "").strip()
        if status and status not in STATUSES:
            errors.append(f"status {status!r} is not one of {', '.join(STATUSES)} and was ignored")
        elif status:
            values["status"] = status
        sort = params.get("sort") or "date"
        values["sort"] = sort if sort in SORTABLE else "date"
        values["order"] = "asc" if params.get("order") == "asc" else "desc"
        values["limit"] = _int(params.get("limit"), DEFAULT_PAGE_SIZE)
        if values["limit"] not in PAGE_SIZES:
            values["limit"] = DEFAULT_PAGE_SIZE
        values["offset"] = max(0, min(_int(params.get("offset"), 0), 1_000_000))
        return cls(**values, errors=tuple(errors))

    def active(self) -> dict[str, str]:
        """The filters that are set (name -> value), in URL order."""
        return {
            name: getattr(self, name)
            for name in (*FACET_NAMES, "date_from", "date_to")
            if getattr(self, name)
        }

    def query(self, **changes: Any) -> str:
        """This state's query string with ``changes`` (a value of None or "" removes a parameter).
        Paging restarts unless ``offset`` is among the changes."""
        state = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "errors"}
        if "offset" not in changes:
            state["offset"] = 0
        state.update(changes)
        defaults = Filters()
        kept = {
            name: value
            for name, value in state.items()
            if value not in (None, "") and value != getattr(defaults, name)
        }
        return urlencode(kept)

    def without(self, name: str) -> Filters:
        """These filters less one (for the counts of that facet's other values)."""
        return Filters(
            **{f.name: getattr(self, f.name) for f in fields(self) if f.name != "errors"} | {name: ""}
        )

    def cache_key(self) -> tuple:
        return tuple(sorted(self.active().items()))


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def rest_filters(filters: Filters) -> tuple[list[str], dict[str, tuple], str]:
    """The REST layer's filter names, bound values and extra pattern for these filters."""
    names, bindings = service.pledge_filters(
        filters.category or None,
        filters.donor or None,
        filters.recipient or None,
        filters.item or None,
        filters.status or None,
        filters.date_from or None,
        filters.date_to or None,
        filters.meeting or None,
    )
    if filters.lang:
        names.append("lang")
        bindings["f_lang"] = q.text(filters.lang)
    return names, bindings, ""


# ------------------------------------------------------------------------------------------- pledges


def fetch_pledges(request: Request, filters: Filters) -> list[dict[str, Any]]:
    """One page of pledge records (newest first, as the REST lookup pages them)."""
    names, bindings, extra = rest_filters(filters)
    return service.pledge_records(request, names, bindings, filters.limit, filters.offset, extra)


def sort_records(records: list[dict[str, Any]], filters: Filters, index: LabelIndex) -> list[dict[str, Any]]:
    """The records of the page in the table's order (``sort``, ``order``); missing values last."""

    def value(record: dict[str, Any]) -> Any:
        cell = cell_text(record, filters.sort, index)
        number = record.get(filters.sort) if filters.sort in ("quantity", "amount") else None
        return (0, number) if isinstance(number, int | float) else (0, str(cell).casefold()) if cell else None

    present = [r for r in records if value(r) is not None]
    missing = [r for r in records if value(r) is None]
    present.sort(key=value, reverse=filters.order == "desc")
    return present + missing


def amount_text(record: dict[str, Any]) -> str:
    """``11,000,000,000 EUR`` (empty when there is no amount)."""
    amount = record.get("amount")
    if amount is None:
        return ""
    number = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{number} {record.get('currency') or ''}".strip()


def cell_text(record: dict[str, Any], column: str, index: LabelIndex) -> str:
    """The text of one table cell (the CSV cell is the same text)."""
    if column in ("donor", "recipient"):
        return _actor_label(record.get(column), index)
    if column == "category":
        return index.display(_iri_of("category", record.get("category"))) or ""
    if column == "status":
        return index.display(_iri_of("status", record.get("status"))) or ""
    if column == "item":
        return record.get("item") or ""
    if column == "quantity":
        return "" if record.get("quantity") is None else str(record["quantity"])
    if column == "amount":
        return amount_text(record)
    if column in ("date", "meeting"):
        return str(record.get(column) or "")
    if column == "evidence":
        return LIST_SEPARATOR.join(s["evidence"] or "" for s in record.get("sources", []))
    if column == "article":
        return LIST_SEPARATOR.join(s["article"] or "" for s in record.get("sources", []))
    raise KeyError(column)


def _actor_label(key: str | None, index: LabelIndex) -> str:
    if not key:
        return ""
    for iri in (_iri_of("country", key), _iri_of("org", key)):
        if iri and iri in index.labels:
            return index.display(iri) or key
    return key


def _iri_of(kind: str, key: str | None) -> str | None:
    """Our IRI of a key (``country``/DE, ``category``/air_defence, ...); None for a key that cannot be one."""
    if not key:
        return None
    make = {
        "country": vocab.country_iri,
        "org": vocab.org_iri,
        "category": vocab.category_iri,
        "status": vocab.status_iri,
        "equipment": vocab.equipment_iri,
        "meeting": vocab.meeting_iri,
        "person": vocab.person_iri,
        "article": vocab.article_iri,
    }[kind]
    if kind == "country" and len(key) != 2:
        return None
    try:
        return str(make(key))
    except ValueError:
        return None


def actor_iri(key: str | None, index: LabelIndex) -> str | None:
    """The IRI a donor/recipient key names (country code or organisation key)."""
    if not key:
        return None
    if key == "multiple":
        return str(vocab.MULTIPLE_DONORS_IRI)
    country = _iri_of("country", key)
    return country if country and country in index.labels else _iri_of("org", key)


@dataclass
class Source:
    """One source of a pledge as the table shows it: the article, its evidence in pieces."""

    article: str | None
    claim: str
    pieces: list[Piece]
    text: str
    lang: str | None


def claim_offsets(request: Request, records: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Begin and end offsets of every claim of ``records`` (one small query)."""
    claims = sorted({s["claim"] for r in records for s in r.get("sources", []) if s.get("claim")})
    if not claims:
        return {}
    rows = select(request, wq.claim_offsets_query(claims), cap=len(claims) * 4)
    return {row["claim"][1]: (int(row["begin"][1]), int(row["end"][1])) for row in rows}


def pledge_words(record: dict[str, Any], index: LabelIndex) -> dict[str, list[str]]:
    """The words of a pledge that its evidence may contain: donor and item labels, the quantity."""
    words = {
        "donor": index.words(actor_iri(record.get("donor"), index)),
        "item": index.words(record.get("item_iri")),
    }
    if record.get("item") and record["item"] not in words["item"]:
        words["item"].append(record["item"])
    if record.get("quantity") is not None:
        words["quantity"] = [str(record["quantity"])]
    return words


def sources_of(
    record: dict[str, Any],
    index: LabelIndex,
    offsets: dict[str, tuple[int, int]],
    langs: dict[str, str | None],
) -> list[Source]:
    """The sources of a pledge with the matched words of each evidence sentence marked."""
    words = pledge_words(record, index)
    sources = []
    for source in record.get("sources", []):
        text = source.get("evidence") or ""
        begin = offsets.get(source["claim"], (0, len(text)))[0]
        sources.append(
            Source(
                source.get("article"),
                source["claim"],
                mark_words(text, begin, words),
                text,
                langs.get(source.get("article") or ""),
            )
        )
    return sources


def article_summaries(request: Request, article_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Headline, date, language, publisher and url per article id (ids not in the store are left out);
    one query for the lot."""
    iris = {article_id: _iri_of("article", article_id) for article_id in sorted(set(article_ids))}
    iris = {article_id: iri for article_id, iri in iris.items() if iri}
    if not iris:
        return {}
    rows = select(request, wq.article_summaries_query(list(iris.values())), cap=len(iris) + 1)
    by_iri = {row["article"][1]: row for row in rows}
    return {
        article_id: {"id": article_id, "iri": iri}
        | {
            name: q.python_value(by_iri[iri].get(name))
            for name in ("headline", "published", "lang", "publisherName", "url")
        }
        for article_id, iri in iris.items()
        if iri in by_iri
    }


@dataclass
class Row:
    """One table row: the record, its cells' text, its sources."""

    record: dict[str, Any]
    cells: dict[str, str]
    sources: list[Source]


def table_rows(request: Request, records: list[dict[str, Any]], index: LabelIndex) -> list[Row]:
    """The table rows of ``records`` (in their order)."""
    offsets = claim_offsets(request, records)
    articles = article_summaries(
        request, [s["article"] for r in records for s in r.get("sources", []) if s.get("article")]
    )
    langs = {article_id: summary.get("lang") for article_id, summary in articles.items()}
    return [
        Row(
            record,
            {key: cell_text(record, key, index) for key, _ in COLUMNS},
            sources_of(record, index, offsets, langs),
        )
        for record in records
    ]


def rows_csv(rows: list[Row]) -> str:
    """The table as CSV: the same columns (headings) and the same cell text, in the same order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([heading for _, heading in COLUMNS])
    for row in rows:
        writer.writerow([row.cells[key] for key, _ in COLUMNS])
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------- facets


@dataclass
class FacetValue:
    """One value of a facet: the filter key, its label, how many pledges, whether it is selected."""

    key: str
    label: str
    count: int
    selected: bool = False
    depth: int = 0  # categories: how far below a top category
    original: str | None = None  # a label in the value's own language, when it differs


def _counts(request: Request, filters: Filters, facets: list[str],
            cached_only: bool = False) -> dict[str, dict[str, int]] | None:
    """Pledges per facet value (facet -> value key -> count) under ``filters``, kept for the store version
    (``api.queries_service.version_kept``: any write through this server counts afresh; a remote
    ``sparql`` store, which others may write, also after FACET_TTL seconds).

    One query per facet, sent together (the store worker runs several at once). ``cached_only``: None
    unless the counts are kept."""
    key = (filters.cache_key(), tuple(facets))
    version = request.app.state.engine.version
    kept = service.version_kept(request, "kept_facet_counts", FACET_CACHE_SIZE)
    cached = kept.get(key)
    if cached is not None and (request.app.state.settings.backend != "sparql" or
                               time.monotonic() - cached[0] < FACET_TTL):
        return cached[1]
    if cached_only:
        return None
    # counts not kept yet are counted once however many browsers ask for them meanwhile (issue 10)
    return service.single_flight(request.app.state, ("facet_counts", version, key),
                                 lambda: _count_and_keep(request, filters, facets, key, kept, version))


def _count_and_keep(request: Request, filters: Filters, facets: list[str], key: tuple, kept: dict,
                    version: int) -> dict[str, dict[str, int]]:
    """The counts of :func:`_counts`, computed and kept (when the store is still at ``version``)."""
    now = time.monotonic()
    names, bindings, extra = rest_filters(filters)
    model = service.read_model(request)
    criteria = q.pledge_criteria(names, bindings, extra) if model is not None else None
    if criteria is not None:
        counts = {facet: _model_counts(model, facet, criteria) for facet in facets}
    else:
        def count(facet: str) -> dict[str, int]:
            rows = select(request, wq.facet_query(facet, names, bindings, extra), cap=1_000_000)
            found: dict[str, int] = {}
            for row in rows:
                value = row.get("value")
                text = "" if value is None else value[1] if value[0] == "literal" \
                    else _value_key(facet, value[1])
                found[text] = int(row["n"][1])
            return found

        with ThreadPoolExecutor(max_workers=min(4, len(facets))) as pool:
            counts = dict(zip(facets, pool.map(count, facets), strict=True))
    if version == request.app.state.engine.version:
        kept[key] = (now, counts)
    return counts


#: the web facets' names in the read model (the category facet counts the pledge's own category)
MODEL_FACETS = {"category": "own_category", "item": "object"}


def _model_counts(model, facet: str, criteria) -> dict[str, int]:
    """A facet's counts from the pledge read model, keyed as the SPARQL counts are."""
    found = model.counts(MODEL_FACETS.get(facet, facet), criteria)
    if facet in ("lang", "total"):
        return found
    return {_value_key(facet, value): n for value, n in found.items()}


def _rolled_up(counts: dict[str, int], index: LabelIndex) -> dict[str, int]:
    """Category counts with each broader category counting the pledges of its narrower ones too (as the
    category filter does: ``category=air_defence`` includes MANPADS)."""
    rolled = dict(counts)
    for key, n in counts.items():
        iri = _iri_of("category", key)
        for ancestor in index.ancestors(iri) if iri else ():
            if q.kind_of(ancestor) == "category":
                rolled[q.code(ancestor)] = rolled.get(q.code(ancestor), 0) + n
    return rolled


def _value_key(facet: str, iri: str) -> str:
    return q.code(iri) or iri


def facets(request: Request, filters: Filters, index: LabelIndex,
           cached_only: bool = False) -> tuple[int, dict[str, list[FacetValue]]] | None:
    """The number of matching pledges and, per facet, its values with counts (None when ``cached_only``
    and they are not all in the cache: the explorer then has the browser ask /web/facets for them).

    A facet that is set counts under the other filters only, so its other values stay visible.
    """
    active = filters.active()
    plain = [name for name in FACET_NAMES if name not in active]
    counts = _counts(request, filters, [*plain, "total"], cached_only)
    if counts is None:
        return None
    counts = dict(counts)
    for name in FACET_NAMES:
        if name in active:
            own = _counts(request, filters.without(name), [name], cached_only)
            if own is None:
                return None
            counts[name] = own[name]
    counts["category"] = _rolled_up(counts["category"], index)
    total = counts["total"].get("", 0)
    result = {name: _facet_values(name, counts[name], getattr(filters, name), index) for name in FACET_NAMES}
    return total, result


def _facet_values(name: str, counts: dict[str, int], selected: str, index: LabelIndex) -> list[FacetValue]:
    if selected and selected not in counts:
        counts = counts | {selected: 0}
    values = []
    for key, count in counts.items():
        label = _facet_label(name, key, index)
        values.append(FacetValue(key, label, count, key == selected))
    if name == "category":
        return _category_tree(values, index)
    if name in ("meeting",):
        return sorted(values, key=lambda v: v.key, reverse=True)
    return sorted(values, key=lambda v: (-v.count, v.label.casefold()))


def _facet_label(name: str, key: str, index: LabelIndex) -> str:
    if name in ("donor", "recipient"):
        return _actor_label(key, index)
    if name == "lang":
        return LANGUAGE_NAMES.get(key, key)
    kind = {"category": "category", "item": "equipment", "status": "status", "meeting": "meeting"}[name]
    return index.display(_iri_of(kind, key)) or key


def _category_tree(values: list[FacetValue], index: LabelIndex) -> list[FacetValue]:
    """Categories as a tree: each top category followed by its narrower ones (indented)."""
    by_key = {v.key: v for v in values}
    parents = {
        v.key: [
            q.code(b) for b in index.broader.get(_iri_of("category", v.key) or "", ()) if q.code(b) in by_key
        ]
        for v in values
    }
    ordered: list[FacetValue] = []

    def visit(value: FacetValue, depth: int) -> None:
        if value in ordered:
            return
        value.depth = depth
        ordered.append(value)
        children = [by_key[k] for k, ps in parents.items() if value.key in ps]
        for child in sorted(children, key=lambda v: (-v.count, v.label)):
            visit(child, depth + 1)

    for root in sorted((v for v in values if not parents[v.key]), key=lambda v: (-v.count, v.label)):
        visit(root, 0)
    for value in values:
        visit(value, 0)
    return ordered


#: language names in English (the UI's language); the facts themselves stay in theirs
LANGUAGE_NAMES = {
    "en": "English",
    "de": "German",
    "sv": "Swedish",
    "fr": "French",
    "nb": "Norwegian",
    "no": "Norwegian",
    "da": "Danish",
    "nl": "Dutch",
    "pl": "Polish",
    "uk": "Ukrainian",
    "it": "Italian",
    "es": "Spanish",
    "fi": "Finnish",
    "cs": "Czech",
    "et": "Estonian",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "pt": "Portuguese",
    "ro": "Romanian",
}


def checked(call, *args, **kwargs):
    """Run a REST lookup; its 400/404 problems become a message for the page instead of an error."""
    try:
        return call(*args, **kwargs), None
    except Problem as problem:
        if problem.status >= 500:
            raise
        return None, problem
