"""REST lookups: pledges, meetings, actors, equipment, articles, search, stats, health; POST /articles."""

from __future__ import annotations

import csv
import io
import json
import time
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from api import lookups as q
from api import models
from api import queries_service as service
from api.engine import ServiceUnavailable
from api.lanes import health_answer
from api.problems import Problem
from api.results import Term, parse_accept
from api.routes_sparql import TOKEN_SECURITY, check_token
from graph import vocab
from graph.model import Status

router = APIRouter()

KEY = r"^[A-Za-z0-9][A-Za-z0-9_.~-]{0,99}$"
DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
COMMON = {400: {"description": "malformed filter value"}, 422: {"description": "parameter out of range"},
          503: {"description": "the store did not answer in time"}}
NOT_FOUND = {404: {"description": "no such resource"}}
TERM_CHECKS_KEPT = 10_000  # /pledges filter checks (does this IRI exist?) kept per store version

Limit = Annotated[int, Query(ge=1, le=1000, description="page size (hard maximum 1000)")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")]
PledgeLimit = Annotated[int, Query(ge=0, le=1000, description="how many of the newest pledges to list "
                                   "(``pledges_total``: how many there are; all of them: /pledges)")]
KeyParam = Annotated[str | None, Query(pattern=KEY, max_length=100)]
DateParam = Annotated[str | None, Query(pattern=DATE_PATTERN, description="YYYY, YYYY-MM or YYYY-MM-DD")]


def wants_csv(request: Request, format: str | None) -> bool:
    """CSV by ?format=csv or when text/csv is preferred over JSON in Accept."""
    if format:
        return format == "csv"
    for media, _ in parse_accept(request.headers.get("accept")):
        if media in ("text/csv",):
            return True
        if media in ("application/json", "*/*", "application/*"):
            return False
    return False


def _page(request: Request, items: list, limit: int, offset: int, extra: dict | None = None, *,
          count: int | None = None, items_json: list[str] | None = None) -> Response:
    """A page of ``items`` with its count and the link to the next page; with ``items_json``, the items
    as compact JSON texts written into the body as they are (the same bytes as ``JSONResponse``)."""
    count = len(items) if count is None else count
    body: dict[str, Any] = {"limit": limit, "offset": offset, "count": count} | (extra or {})
    headers = {}
    if count == limit:
        params = dict(request.query_params) | {"offset": str(offset + limit), "limit": str(limit)}
        body["next"] = f"{request.url.path}?{urlencode(params)}"
        headers["Link"] = f'<{body["next"]}>; rel="next"'
    if items_json is None:
        body["items"] = items
        return JSONResponse(body, headers=headers)
    head = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))[:-1]
    text = f'{head},"items":[{",".join(items_json)}]}}'
    return Response(text.encode("utf-8"), media_type="application/json", headers=headers)


# ------------------------------------------------------------------------------------------- pledges

@router.get("/pledges", response_model=models.PledgePage, summary="Pledges, filtered",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}} | COMMON)
def list_pledges(
    request: Request,
    category: Annotated[str | None, Query(
        pattern=r"^[a-z0-9_]{1,50}$", description="category key; narrower categories are included")] = None,
    donor: Annotated[str | None, Query(pattern=KEY, description="ISO alpha-2 code, organisation key or "
                                                                "'multiple'")] = None,
    recipient: Annotated[str | None, Query(pattern=KEY)] = None,
    item: Annotated[str | None, Query(min_length=1, max_length=100,
                                      description="equipment slug, or text in the item's labels")] = None,
    status: Annotated[Status | None, Query(description="pledge status")] = None,
    date_from: DateParam = None,
    date_to: DateParam = None,
    meeting: KeyParam = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Response:
    """Pledges newest first; each with donor, recipient, item, category, quantity, amount, currency,
    status, date, meeting and its sources (article and evidence sentence).

    "Who pledged air defence when" is ``/pledges?category=air_defence``.
    """
    filters, bindings = service.pledge_filters(category, donor, recipient, item, status, date_from, date_to,
                                               meeting)
    # a filter value that no triple of the store mentions (a cheap look-up each, cached per store
    # version) matches no pledge: the empty page and its warnings are the answer, without the page query
    absent = any(not any(_mentioned(request, term) for term in candidates)
                 for candidates in _filter_terms(bindings))
    csv_wanted = wants_csv(request, format)
    texts = None if absent or csv_wanted else service.pledge_records_json(request, filters, bindings, limit,
                                                                          offset)
    if texts:  # the read model's records as they are: spliced into the page, not parsed and written again
        return _page(request, [], limit, offset, count=len(texts), items_json=texts)
    records = [] if absent or texts is not None else \
        service.pledge_records(request, filters, bindings, limit, offset)
    warnings = _unknown_filter_values(request, bindings) if not records and (offset == 0 or absent) else []
    if csv_wanted:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(q.PLEDGE_CSV_COLUMNS)
        writer.writerows(q.pledge_csv_row(record) for record in records)
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")
    return _page(request, records, limit, offset, {"warnings": warnings} if warnings else None)


def _cached_ask(request: Request, sparql: str, term: tuple) -> bool:
    """Whether ``sparql`` with ``?x`` bound to ``term`` has a row; remembered per store version (the
    engine's write count), so repeated filter values cost nothing. At most TERM_CHECKS_KEPT (then
    emptied: hostile filter values cannot grow it); a check not kept yet is asked once however many
    clients ask it at the same moment (``service.single_flight``)."""
    kept = service.version_kept(request, "term_checks", limit=TERM_CHECKS_KEPT)
    key = (sparql, term)
    found = kept.get(key)
    if found is None:
        engine = request.app.state.engine
        version = engine.version

        def ask() -> bool:
            answer = bool(service.select(request, sparql, {"x": term}, cap=1)["rows"])
            if version == engine.version:
                kept[key] = answer
            return answer

        found = service.single_flight(request.app.state, ("term_checks", version, key), ask)
    return found


def _known(request: Request, term: tuple) -> bool:
    """Whether the IRI ``term`` names a typed resource of the store (reference knowledge or facts)."""
    return _cached_ask(request, q.EXISTS, term)


def _mentioned(request: Request, term: tuple) -> bool:
    """Whether any triple of the store has the IRI ``term`` as subject or object."""
    return _cached_ask(request, q.MENTIONED, term)


def _filter_terms(bindings: dict[str, tuple]) -> list[list[tuple]]:
    """The IRIs each donor/recipient/category/meeting filter may match (one of them must exist)."""
    groups = [[bindings[key] for key in (f"f_{name}_a", f"f_{name}_b") if key in bindings]
              for name in ("donor", "recipient")]
    return [group for group in groups if group] + \
        [[bindings[key]] for key in ("f_category", "f_meeting") if key in bindings]


def _unknown_filter_values(request: Request, bindings: dict[str, tuple]) -> list[str]:
    """The filter values that name nothing in the store, each with what to use instead (empty when every
    value names something). A filter on such a value matches no pledge."""
    def exists(term: tuple) -> bool:
        return _known(request, term)

    warnings = []
    for name in ("donor", "recipient"):
        candidates = {bindings.get(f"f_{name}_a"), bindings.get(f"f_{name}_b")} - {None}
        if candidates and not any(exists(term) for term in candidates):
            value = q.code(next(iter(candidates))[1])
            warnings.append(f"{name} {value!r} names no country or organisation in the store: use an ISO "
                            f"alpha-2 code (DE, GB, US) or an organisation key (EU, NATO); find it with "
                            f"/search?q={value}")
    if "f_category" in bindings and not exists(bindings["f_category"]):
        warnings.append(_unknown_category(request, bindings["f_category"]))
    if "f_meeting" in bindings and not exists(bindings["f_meeting"]):
        warnings.append(f"meeting {q.code(bindings['f_meeting'][1])!r} is not a meeting in the store; list "
                        f"the meeting keys at /meetings")
    return warnings


def _unknown_category(request: Request, category: tuple) -> str:
    keys = [q.python_value(row["key"]) for row in service.select(request, q.CATEGORY_KEYS)["rows"]]
    return f"category {q.code(category[1])!r} is not a category; the categories are: {', '.join(keys)}"


# ------------------------------------------------------------------------------------------- meetings

@router.get("/meetings", response_model=models.MeetingPage, responses=COMMON, summary="Meetings")
def list_meetings(request: Request, format_key: Annotated[str | None, Query(
        alias="format", pattern=KEY, description="format / organisation key, e.g. UDCG")] = None,
        limit: Limit = 100, offset: Offset = 0) -> JSONResponse:
    """Meetings newest first, with format, date, place, number of countries, attendees and pledges."""
    model = service.read_model(request)
    sparql, bindings = (q.MEETINGS, {}) if model is None else (q.MEETINGS_WITHOUT_PLEDGES, {})
    if format_key:
        sparql = sparql.replace("#FILTER_FORMAT", q.MEETING_FORMAT_FILTER)
        bindings["f_format"] = service.checked_iri(vocab.org_iri, format_key, "format")
    result = service.kept_select(request, sparql, bindings, cap=offset + limit)
    if model is not None:  # the pledges per meeting, counted by the read model
        totals = model.totals("meeting")
        for row in result["rows"]:
            if row["meeting"][1] in totals:
                row["pledges"] = ("literal", str(totals[row["meeting"][1]]), q.XSD + "integer", None)
    items = [{
        "id": q.code(q.python_value(row.get("meeting"))), "iri": q.python_value(row.get("meeting")),
        "key": q.python_value(row.get("key")), "format": q.code(q.python_value(row.get("format"))),
        "date": q.python_value(row.get("date")), "place": q.python_value(row.get("placeName")),
        "countries": q.python_value(row.get("countries")), "attendees": q.python_value(row.get("attendees")),
        "pledges": q.python_value(row.get("pledges")),
    } for row in result["rows"][offset:offset + limit]]
    return _page(request, items, limit, offset)


@router.get("/meetings/{meeting_id}", response_model=models.Meeting, response_model_exclude_unset=True,
            responses=COMMON | NOT_FOUND, summary="One meeting")
def get_meeting(request: Request, meeting_id: Annotated[str, Path(pattern=KEY)]) -> dict[str, Any]:
    """A meeting: chairs, attendees in person and remote, pledges announced there, sources."""
    meeting = service.checked_iri(vocab.meeting_iri, meeting_id, "meeting")
    rows = service.select(request, q.MEETING_DETAIL, {"meeting": meeting})["rows"]
    if not rows:
        raise Problem(404, "not-found", f"no meeting {meeting_id!r}", hint="list them at /meetings")
    fields: dict[str, list[Term]] = {}
    names: dict[str, str] = {}
    for row in rows:
        if row["field"][1] == "name":
            names.setdefault(row["value"][1], row["name"][1])
        else:
            fields.setdefault(row["field"][1], []).append(row["value"])

    def one(field: str) -> Any:
        values = sorted(fields.get(field, []))
        return q.python_value(values[0]) if values else None

    def people(field: str, exclude: set[str] = frozenset()) -> list[dict[str, Any]]:
        iris = sorted({term[1] for term in fields.get(field, [])} - exclude)
        return [{"id": q.code(iri), "iri": iri, "name": names.get(iri)} for iri in iris]

    remote = {term[1] for term in fields.get("remote", [])}
    pledges = service.pledge_records(request, ["meeting"], {"f_meeting": meeting})
    return {
        "id": meeting_id, "iri": meeting[1], "key": one("key"), "format": q.code(one("format")),
        "date": one("date"), "place": one("place"), "countries": one("countries"),
        "chairs": sorted(q.code(term[1]) for term in fields.get("chair", [])),
        "attendees_in_person": people("attendee", exclude=remote), "attendees_remote": people("remote"),
        "pledges": pledges, "articles": sorted(q.article_id(term[1]) for term in fields.get("article", [])),
    }


# ------------------------------------------------------------------------------------------- actors

@router.get("/actors", response_model=models.ActorPage, responses=COMMON,
            summary="Persons, countries and organisations")
def list_actors(request: Request,
                type: Annotated[str | None, Query(pattern="^(person|country|organisation)$")] = None,
                limit: Limit = 100, offset: Offset = 0) -> JSONResponse:
    """Actors, most-mentioned first."""
    sparql, bindings = q.ACTORS, {}
    if type:
        sparql = sparql.replace("#FILTER_TYPE", q.ACTOR_TYPE_FILTER)
        bindings["f_type"] = q.text(type)
    rows = service.kept_select(request, sparql, bindings, cap=offset + limit)["rows"][offset:offset + limit]
    items = [{"id": q.code(row["actor"][1]), "iri": row["actor"][1], "type": q.python_value(row["type"]),
              "name": q.python_value(row.get("name")), "articles": q.python_value(row.get("articles"))}
             for row in rows]
    return _page(request, items, limit, offset)


@router.get("/actors/{actor_id}", response_model=models.Actor, response_model_exclude_unset=True,
            responses=COMMON | NOT_FOUND, summary="One actor")
def get_actor(request: Request, actor_id: Annotated[str, Path(pattern=KEY)],
              pledge_limit: PledgeLimit = 100) -> dict[str, Any]:
    """A person (by slug), country (ISO alpha-2) or organisation (key): posts over time, meetings
    attended, the newest pledges made and how many there are (all of them: ``/pledges?donor=``)."""
    candidates = []
    for make in (vocab.person_iri, vocab.country_iri, vocab.org_iri):
        if make is vocab.country_iri and len(actor_id) != 2:
            continue
        try:
            candidates.append(q.iri(make(actor_id)))
        except ValueError:
            continue
    if not candidates:
        raise Problem(400, "bad-id", f"{actor_id!r} cannot name an actor")
    candidates += [candidates[-1]] * (3 - len(candidates))
    bound = dict(zip(("f_a", "f_b", "f_c"), candidates, strict=True))
    found = service.kept_select(request, q.ACTOR_TYPE, bound)["rows"]
    if not found:
        raise Problem(404, "not-found", f"no actor {actor_id!r}", hint="list them at /actors or /search")
    actor = found[0]["actor"]
    kinds = sorted({q.local_name(row["class"][1]) for row in found})
    bound = {"actor": actor}
    labels = [row["label"] for row in service.kept_select(request, q.ACTOR_LABELS, bound)["rows"]]
    posts = []
    for row in service.kept_select(request, q.ACTOR_POSTS, bound)["rows"]:
        post = {name: q.code(q.python_value(row.get(name))) for name in ("post", "role", "country")}
        post |= {name: q.python_value(row.get(name)) for name in ("start", "end")}
        if post not in posts:
            posts.append(post)
    meetings = [{
        "id": q.code(row["meeting"][1]), "key": q.python_value(row.get("key")),
        "date": q.python_value(row.get("date")), "mode": q.python_value(row.get("mode")),
    } for row in service.kept_select(request, q.ACTOR_MEETINGS, bound)["rows"]]
    pledge_bindings = {"f_donor_a": actor, "f_donor_b": actor}
    pledges = service.pledge_records(request, ["donor"], pledge_bindings, limit=pledge_limit)
    total = service.pledge_total(request, ["donor"], pledge_bindings)
    body = {"id": actor_id, "iri": actor[1], "types": kinds, "name": q.pick_label(labels),
            "labels": sorted({(t[3] or "", t[1]) for t in labels}), "posts": posts, "meetings": meetings,
            "pledges": pledges, "pledges_total": total}
    body["labels"] = [{"lang": lang or None, "label": label} for lang, label in body["labels"]]
    if "Country" in kinds:
        body["people"] = [{"id": q.code(r["person"][1]), "name": q.python_value(r.get("name")),
                           "role": q.code(q.python_value(r.get("role")))}
                          for r in service.kept_select(request, q.COUNTRY_PEOPLE, bound)["rows"]]
    return body


# ------------------------------------------------------------------------------------------- equipment

@router.get("/equipment", response_model=models.EquipmentPage, responses=COMMON, summary="Equipment systems")
def list_equipment(request: Request,
                   category: Annotated[str | None, Query(pattern=r"^[a-z0-9_]{1,50}$")] = None,
                   limit: Limit = 100, offset: Offset = 0) -> JSONResponse:
    """Equipment systems (reference and pledged) with category and how often they were pledged."""
    sparql, bindings = q.EQUIPMENT, {}
    if category:
        sparql = sparql.replace("#FILTER_CATEGORY", q.EQUIPMENT_CATEGORY_FILTER)
        bindings["f_category"] = service.checked_iri(vocab.category_iri, category, "category")
        if not _mentioned(request, bindings["f_category"]):  # no such category: nothing to look up
            return _page(request, [], limit, offset,
                         {"warnings": [_unknown_category(request, bindings["f_category"])]})
    rows = service.kept_select(request, sparql, bindings, cap=offset + limit)["rows"][offset:offset + limit]
    items = [{"id": q.code(row["equipment"][1]), "iri": row["equipment"][1],
              "name": q.python_value(row.get("name")),
              "category": q.code(q.python_value(row.get("category"))),
              "pledges": q.python_value(row.get("pledges")), "donors": q.python_value(row.get("donors"))}
             for row in rows]
    return _page(request, items, limit, offset)


@router.get("/equipment/{equipment_id}", response_model=models.Equipment, response_model_exclude_unset=True,
            responses=COMMON | NOT_FOUND, summary="One equipment system")
def get_equipment(request: Request, equipment_id: Annotated[str, Path(pattern=KEY)],
                  pledge_limit: PledgeLimit = 100) -> dict[str, Any]:
    """An equipment system: category, labels, the newest pledges of it (donors and quantities over
    time among them) and how many there are."""
    equipment = service.checked_iri(vocab.equipment_iri, equipment_id, "equipment")
    detail = service.kept_select(request, q.EQUIPMENT_DETAIL, {"equipment": equipment})["rows"]
    pledges = service.pledge_records(request, ["object"], {"f_object": equipment}, limit=pledge_limit)
    total = service.pledge_total(request, ["object"], {"f_object": equipment})
    labels = [row["label"] for row in detail if "label" in row]
    categories = sorted({q.code(row["category"][1]) for row in detail if "category" in row})
    if not labels and not categories and not pledges:
        raise Problem(404, "not-found", f"no equipment {equipment_id!r}", hint="list it at /equipment")
    timeline = sorted(({"date": p["date"], "donor": p["donor"], "quantity": p["quantity"],
                        "status": p["status"], "amount": p["amount"], "currency": p["currency"]}
                       for p in pledges), key=lambda row: str(row["date"] or ""))
    return {"id": equipment_id, "iri": equipment[1], "name": q.pick_label(labels), "category": categories,
            "labels": sorted({f"{t[1]}@{t[3]}" if t[3] else t[1] for t in labels}),
            "donors": sorted({p["donor"] for p in pledges if p["donor"]}),
            "quantities_over_time": timeline, "pledges": pledges, "pledges_total": total}


# ------------------------------------------------------------------------------------------- articles

@router.get("/articles", response_model=models.ArticlePage, responses=COMMON, summary="Articles")
def list_articles(request: Request,
                  lang: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$", description="e.g. en, de, sv")]
                  = None,
                  limit: Limit = 100, offset: Offset = 0) -> JSONResponse:
    """The stored articles, newest first: id, publication date, language, headline, publisher, url."""
    sparql, bindings = q.ARTICLES, {}
    if lang:
        sparql = sparql.replace("#FILTER_LANG", q.ARTICLE_LANG_FILTER)
        bindings["f_lang"] = q.text(lang)
    rows = service.select(request, sparql, bindings, cap=offset + limit)["rows"][offset:offset + limit]
    items = [{"id": q.python_value(row["id"]), "iri": row["article"][1],
              "published": q.python_value(row.get("published")), "lang": q.python_value(row.get("lang")),
              "headline": q.python_value(row.get("headline")),
              "publisher": q.python_value(row.get("publisherName")), "url": q.python_value(row.get("url"))}
             for row in rows]
    return _page(request, items, limit, offset)


@router.get("/articles/{article_id}", response_model=models.Article, response_model_exclude_unset=True,
            responses=COMMON | NOT_FOUND, summary="One article")
def get_article(request: Request, article_id: Annotated[str, Path(pattern=KEY)]) -> dict[str, Any]:
    """An article: metadata, its normalised text (the string the claims' offsets index into), the facts
    extracted from it, and its SHACL validation report."""
    return _article_view(request, article_id)


def _article_view(request: Request, article_id: str, *, must_exist: bool = True) -> dict[str, Any]:
    article = service.checked_iri(vocab.article_iri, article_id, "article id")
    metadata: dict[str, Any] = {}
    for row in service.select(request, q.ARTICLE, {"article": article})["rows"]:
        name = q.local_name(row["p"][1])
        metadata.setdefault(name, q.python_value(row["o"]))
    facts = [{"iri": row["fact"][1], "type": q.local_name(row["type"][1])}
             for row in service.select(request, q.ARTICLE_FACTS, {"f_article": article})["rows"]]
    report_graph = q.iri(vocab.quarantine_report_iri(article_id))
    report = [_report_row(row)
              for row in service.select(request, q.ARTICLE_REPORT, {"f_report": report_graph})["rows"]]
    quarantine_graph = q.iri(vocab.quarantine_graph_iri(article_id))
    quarantined = service.select(request, q.QUARANTINED, {"f_quarantine": quarantine_graph})
    quarantined_triples = q.python_value(quarantined["rows"][0]["triples"]) if quarantined["rows"] else 0
    if must_exist and not metadata and not facts and not report:
        raise Problem(404, "not-found", f"no article {article_id!r}", hint="list them at /articles")
    for row in report:
        row["severity"] = (row["severity"] or "").rsplit("#", 1)[-1] or None
    counts: dict[str, int] = {}
    for fact in facts:
        counts[fact["type"]] = counts.get(fact["type"], 0) + 1
    text = service.article_text(request, article_id)
    return {"id": article_id, "iri": article[1], "metadata": metadata} | ({"text": text} if text else {}) | {
            "fact_counts": counts, "facts": facts,
            "validation": {"conforms": not any(r["severity"] == "Violation" for r in report),
                           "results": report, "quarantined_triples": quarantined_triples}}


SHACL = "http://www.w3.org/ns/shacl#"


def _report_row(row: dict[str, Term]) -> dict[str, Any]:
    """One SHACL result: severity, focus node, path, message, value, the shape (None when it is a blank
    node, whose id means nothing outside the store) and the constraint, e.g. ``sh:MinInclusive``."""
    result = {key: q.python_value(row.get(key)) for key in ("severity", "focus", "path", "message", "value")}
    shape = row.get("shape")
    result["shape"] = q.python_value(shape) if shape and shape[0] == "uri" else None
    constraint = q.python_value(row.get("constraint"))
    result["constraint"] = ("sh:" + constraint.removeprefix(SHACL).removesuffix("ConstraintComponent")
                            if constraint and constraint.startswith(SHACL) else constraint)
    return result


class ArticleIn(BaseModel):
    """An article to ingest."""

    text: str = Field(min_length=1, description="the article text")
    id: str | None = Field(default=None, pattern=KEY, description="stable id (default: hash of the text)")
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    published: date | None = None
    publisher: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    title: str | None = Field(default=None, max_length=1000)


@router.post("/articles", status_code=201, summary="Ingest one article (token required)",
             response_model=models.IngestedArticle, response_model_exclude_unset=True,
             responses={403: {"description": "no valid token"}, 413: {"description": "article too large"},
                        422: {"description": "a field is invalid (the problem names it: url without "
                                             "scheme, date, lang, ...), the article ran past its time or "
                                             "memory budget (budget-exceeded), every fact failed SHACL "
                                             "(the report is in 'validation' and kept at "
                                             "GET /articles/{id}), or no fact was found at all (nothing "
                                             "is stored)"},
                        503: {"description": "the store or the extraction processes did not answer"}},
             dependencies=TOKEN_SECURITY)
def post_article(request: Request, article: ArticleIn) -> dict[str, Any]:
    """Extract, validate and store one article; answers what was stored and the validation report.

    The metadata is checked first (422 naming the field). Extraction and validation run in a separate
    process under the per-article budget (AIDGRAPH_ARTICLE_SECONDS, AIDGRAPH_ARTICLE_MEMORY_MB; 422
    ``budget-exceeded`` beyond it), so queries and /health keep answering meanwhile; the store worker only
    writes the result. An article in which no fact is found (no pledge, meeting, person, ...) is not
    stored: 422 ``no-facts``, and what was stored before under its id stays. Re-posting an id replaces
    the stored article."""
    check_token(request)
    record = _article_record(article)
    pool = request.app.state.article_pool
    started = time.perf_counter()
    try:
        doc = pool.submit([record]).result(timeout=pool.budget.seconds * 3 + 60)[0]
    except FutureTimeout:
        raise Problem(503, "service-unavailable", "the extraction processes did not answer",
                      hint="retry in a moment") from None
    if doc.failure is not None:
        reason = doc.failure.reason
        if "budget" in reason or "worker process died" in reason:
            raise Problem(422, "budget-exceeded", reason, hint="split the article into smaller ones")
        if "pool" in reason:
            raise Problem(503, "service-unavailable", reason, hint="retry in a moment")
        raise Problem(500, "extraction-failed", reason,
                      hint="this is a bug; please report it with the article")
    summary = {"article": record.id, "lang": record.lang,
               "stored": doc.facts_accepted + doc.facts_quarantined > 0,
               "facts_accepted": doc.facts_accepted, "facts_quarantined": doc.facts_quarantined,
               "triples_stored": doc.triples_stored,
               "seconds": {stage: round(value, 4) for stage, value in doc.seconds.items()}}
    if not summary["stored"]:
        summary["triples_stored"] = 0
        raise Problem(422, "no-facts", "no fact (pledge, meeting, person, country, equipment) was found in "
                      "the article, so nothing was stored", ingest=summary,
                      hint=f"check that the text is about military aid and that 'lang' "
                           f"({record.lang or 'unknown'}{'' if article.lang else ', detected'}) and "
                           "'published' are right")
    engine = request.app.state.engine
    write_started = time.perf_counter()
    engine.call("replace_graphs", {"graphs": doc.graphs}, timeout=request.app.state.settings.query_timeout)
    summary["seconds"]["store"] = round(time.perf_counter() - write_started, 4)
    commitments_started = time.perf_counter()
    try:  # the article is stored; commitments that cannot be recomputed in time are reported, not fatal
        engine.call("recompute_commitments", {"articles": sorted(doc.graphs)},
                    timeout=request.app.state.settings.query_timeout)
        summary["seconds"]["commitments"] = round(time.perf_counter() - commitments_started, 4)
    except ServiceUnavailable as exc:
        summary["warnings"] = [f"the article is stored, but the commitments were not recomputed: {exc}; "
                               "run `aidgraph commitments` on the store"]
    summary["seconds"]["total"] = round(time.perf_counter() - started, 4)
    view = _article_view(request, record.id, must_exist=False)
    if summary["facts_accepted"] == 0 and summary["facts_quarantined"] > 0:
        raise Problem(422, "nothing-valid", "no fact of the article passed validation",
                      hint="see the SHACL report in 'validation'", validation=view["validation"])
    return view | {"ingest": summary}


def _article_record(article: ArticleIn):
    """The Article of a POST body, built as for files (text cleaned, metadata checked): 422 naming the
    field when one is invalid."""
    from graph.errors import IngestError, MetadataError
    from graph.ingest import make_article
    from graph.model import text_article_id

    article_id = article.id or text_article_id(article.text)
    metadata = article.model_dump(exclude={"text", "id"})
    try:
        return make_article(article.text, source=f"api:{article_id}", metadata=metadata,
                            article_id=article_id)
    except MetadataError as exc:
        field = exc.field
        raise Problem(422, "invalid-parameter", f"body.{field}: {exc.message}", hint=exc.hint,
                      errors=[{"location": ["body", field], "message": exc.message}]) from None
    except IngestError as exc:
        message = exc.message.removeprefix(f"api:{article_id}: ")
        errors = [{"location": ["body", "text"], "message": message}]
        if message == "no text":
            raise Problem(422, "empty-text", "body.text: the article text holds no visible characters",
                          hint="send the article's text in 'text'", errors=errors) from None
        raise Problem(422, "invalid-parameter", f"body.text: {message}", hint=exc.hint,
                      errors=errors) from None


# ------------------------------------------------------------------------------------------- search, stats

@router.get("/search", response_model=models.SearchResult, response_model_exclude_unset=True,
            responses=COMMON, summary="Search labels in all languages")
def search(request: Request, q_text: Annotated[str, Query(alias="q", min_length=2, max_length=100)],
           limit: Limit = 50) -> dict[str, Any]:
    """Resources whose label, alternative label, name, notation or adjective contains ``q``
    (any language, case-insensitive); exact matches first."""
    rows = service.select(request, q.SEARCH, {"f_q": q.text(q_text)}, cap=5000)["rows"]
    found: dict[str, dict[str, Any]] = {}
    needle = q_text.casefold()
    for row in rows:
        resource = row["resource"][1]
        label = row["label"]
        entry = found.setdefault(resource, {"id": q.code(resource), "iri": resource,
                                            "kind": q.kind_of(resource), "matches": set()})
        entry["matches"].add((label[1], label[3]))

    def rank(entry):
        labels = [text.casefold() for text, _ in entry["matches"]]
        return (0 if needle in labels else 1, min(len(label) for label in labels), entry["iri"])

    results = sorted(found.values(), key=rank)[:limit]
    for entry in results:
        ordered = sorted(entry["matches"], key=lambda match: (match[1] or "", match[0]))
        entry["matches"] = [{"label": text, "lang": lang} for text, lang in ordered]
    return {"q": q_text, "count": len(results), "items": results}


@router.get("/stats", response_model=models.Stats, response_model_exclude_unset=True, responses=COMMON,
            summary="Counts")
def stats(request: Request) -> dict[str, Any]:
    """How many pledges, meetings, persons, ... the store holds, and its graphs."""
    counts = {q.python_value(row["what"]): q.python_value(row["n"])
              for row in service.select(request, q.STATS)["rows"]}
    graphs = service.select(request, q.STATS_GRAPHS, cap=1_000_000)["rows"]
    article_prefix = q.AIDR + "article/"
    quarantine_prefix = "https://w3id.org/aidgraph/graph/quarantine/"
    names = [row["g"][1] for row in graphs]
    return counts | {
        "triples": sum(q.python_value(row["triples"]) for row in graphs),
        "graphs": len(names),
        "article_graphs": sum(name.startswith(article_prefix) for name in names),
        "quarantine_graphs": sum(name.startswith(quarantine_prefix) and not name.endswith("/report")
                                 for name in names),
    }


@router.get("/health", response_model=models.Health, summary="Liveness",
            responses={503: {"description": "the store worker has not answered its heartbeat for 10 s"}})
async def health(request: Request) -> dict[str, Any]:
    """OK while the store worker answers its heartbeat (a ping every second, answered at once even
    when every query thread is busy). Never waits on a worker nor on a thread: it answers from what this
    process knows. Served before routing and every middleware (``api.lanes.health_fast_path``); this
    route documents it and answers the requests the fast path leaves to the whole stack (a browser's
    cross-origin request, a query string)."""
    status, body = health_answer(request.app.state)
    if status != 200:
        raise Problem(status, "unhealthy", body.pop("detail"), hint=body.pop("hint"),
                      **{k: v for k, v in body.items() if k not in ("type", "title", "status")})
    return body


