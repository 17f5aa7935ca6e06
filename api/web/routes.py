"""The web app's pages: the pledge explorer at ``/``, meeting, actor, equipment and article pages, search.

Server-rendered HTML (Jinja2 templates in ``api/web/templates``) with one small script
(``api/web/static/web.js``: search suggestions, auto-apply of the date filters, the timeline's tooltip).
Everything the pages show is read through the REST lookups (``api.routes_rest``) and
:mod:`api.web.queries`; nothing is loaded from another host.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import networkx as nx
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from api import lookups as q
from api import routes_docs
from api import routes_rest as rest
from api.engine import ServiceUnavailable
from api.lanes import in_lane
from api.problems import Problem
from api.results import parse_accept
from api.web import data
from api.web import queries as wq
from api.web.data import COLUMNS, SORTABLE, Filters
from api.web.highlight import evidence_spans, highlight_text
from api.web.timeline import PALETTE, date_span, layout
from graph import vocab

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)

KIND_PAGES = {
    "country": "actors",
    "org": "actors",
    "person": "actors",
    "equipment": "equipment",
    "meeting": "meetings",
    "article": "articles",
}
KIND_NAMES = {
    "country": "country",
    "org": "organisation",
    "person": "person",
    "equipment": "equipment",
    "meeting": "meeting",
    "category": "category",
    "article": "article",
}


def wants_html(request: Request) -> bool:
    """Whether the client prefers HTML (a browser) over JSON."""
    ranges = parse_accept(request.headers.get("accept"))
    return bool(ranges) and ranges[0][0] in ("text/html", "application/xhtml+xml")


def href(kind: str | None, key: str | None) -> str | None:
    """The page of a resource (by kind and key), or None when it has none."""
    if not kind or not key:
        return None
    if kind == "category":
        return "/?" + urlencode({"category": key})
    page = KIND_PAGES.get(kind)
    return f"/web/{page}/{quote(key, safe='')}" if page else None


def sparql_link(sparql: str) -> str:
    """The SPARQL page (YASGUI) opened on ``sparql``."""
    return "/sparql?" + urlencode({"query": sparql})


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page of the app: the template with the shared context (links, labels, the search box)."""
    context.setdefault("title", "aidgraph")
    context.setdefault("errors", [])
    context |= {"href": href, "kind_names": KIND_NAMES, "search_text": request.query_params.get("q", "")}
    return templates.TemplateResponse(request, template, context, status_code=status)


def not_found(request: Request, what: str, problem) -> HTMLResponse:
    """The web app's page for a missing ``what`` (the problem's status and detail, as HTML)."""
    return render(
        request,
        "message.html",
        status=problem.status,
        title=f"{what} not found",
        heading=f"{what} not found",
        message=problem.detail,
        hint=problem.hint,
    )


# ------------------------------------------------------------------------------------------- explorer


@router.get("/", response_model=None)
@in_lane
async def home(request: Request) -> Response:
    """Browsers get the pledge explorer; other clients the entry points as JSON (also at /api)."""
    if not wants_html(request):
        return await routes_docs.index(request)
    from fastapi.concurrency import run_in_threadpool

    return await run_in_threadpool(explorer, request)


def _explorer_state(request: Request) -> tuple[Filters, list, data.LabelIndex, list[str]]:
    filters = Filters.from_query(request.query_params)
    index = data.labels(request)
    errors = list(filters.errors)
    records, problem = data.checked(data.fetch_pledges, request, filters)
    if problem is not None:
        errors.append(problem.detail)
        records = []
    records = data.sort_records(records, filters, index)
    return filters, data.table_rows(request, records, index), index, errors


def explorer(request: Request) -> HTMLResponse:
    """The pledge explorer: facets with counts, the timeline, the sortable table."""
    filters, rows, index, errors = _explorer_state(request)
    counted = data.facets(request, filters, index, cached_only=True)
    total, facets = counted if counted else (None, None)
    try:
        names, bindings, extra = data.rest_filters(filters)
    except Problem:  # already on the page as an error
        names, bindings, extra = [], {}, ""
    show_query = sparql_link(
        wq.inline(wq.explorer_query(names, extra, filters.limit, filters.offset), bindings)
    )
    timeline = _timeline(request, rows, filters, index)
    chips = [
        (name, _chip_label(name, value, index), "/?" + filters.query(**{name: ""}))
        for name, value in filters.active().items()
    ]
    return render(
        request,
        "explorer.html",
        title="Pledges · aidgraph",
        filters=filters,
        rows=rows,
        columns=COLUMNS,
        sortable=SORTABLE,
        facets=facets,
        total=total,
        errors=errors,
        chips=chips,
        timeline=timeline,
        show_query=show_query,
        csv_link="/web/pledges.csv?" + filters.query(offset=filters.offset),
        gexf_link="/web/pledges.gexf?" + filters.query(offset=filters.offset),
        facet_titles=FACET_TITLES,
        facets_link="/web/facets?" + filters.query(offset=filters.offset),
        page_sizes=data.PAGE_SIZES,
        next_link=(
            "/?" + filters.query(offset=filters.offset + filters.limit)
            if len(rows) == filters.limit
            else None
        ),
        previous_link=(
            "/?" + filters.query(offset=max(0, filters.offset - filters.limit)) if filters.offset else None
        ),
        questions=QUESTIONS,
        sort_link=lambda key: "/?" + filters.query(sort=key, order=_order(filters, key)),
        caption=_caption(filters),
    )


@router.get("/web/facets")
def facets_page(request: Request, fragment: bool = False) -> HTMLResponse:
    """The explorer's filter values with their counts: the fragment the explorer's script puts in place
    (``fragment=1``), or a page of its own (without script). When the store does not answer in time the
    fragment says so, and the explorer keeps working without counts."""
    filters = Filters.from_query(request.query_params)
    index = data.labels(request)
    try:
        total, facets = data.facets(request, filters, index)
    except (ServiceUnavailable, Problem) as exc:
        message = getattr(exc, "detail", None) or getattr(exc, "message", str(exc))
        return HTMLResponse('<div id="facet-lists" data-total="" data-failed="true"><p class="error">'
                            f"The counts are not available: {html.escape(message)}</p></div>")
    template = "facet_lists.html" if fragment else "facets.html"
    return render(request, template, title="Filters · aidgraph", filters=filters, facets=facets, total=total,
                  facet_titles=FACET_TITLES)


def _order(filters: Filters, key: str) -> str:
    """The order a column heading link asks for: the other way round when it is the sorted column."""
    if key == filters.sort:
        return "asc" if filters.order == "desc" else "desc"
    return "desc" if key in ("date", "quantity", "amount") else "asc"


def _caption(filters: Filters) -> str:
    heading = dict(COLUMNS)[filters.sort].lower()
    direction = "ascending" if filters.order == "asc" else "descending"
    note = (
        ""
        if filters.sort == "date" and filters.order == "desc"
        else "; the sort applies to the rows of this page"
    )
    return f"Pledges sorted by {heading}, {direction}{note}. Select a column heading to sort by it."


FACET_TITLES = {
    "donor": "Donor",
    "recipient": "Recipient",
    "category": "Category",
    "item": "Item",
    "status": "Status",
    "meeting": "Meeting",
    "lang": "Article language",
    "date_from": "From",
    "date_to": "To",
}

#: one-click questions for a newcomer (each an explorer URL)
QUESTIONS = (
    ("Who pledged air defence, and when?", "/?category=air_defence&sort=date&order=asc"),
    ("Which pledges were announced at a meeting?", "/web/meetings"),
    ("What was delivered?", "/?status=delivered"),
)


def _chip_label(name: str, value: str, index: data.LabelIndex) -> str:
    if name in ("date_from", "date_to"):
        return value
    return data._facet_label(name, value, index)


def _timeline(request: Request, rows: list, filters: Filters, index: data.LabelIndex):
    points = []
    for row in rows:
        record = row.record
        title = " · ".join(
            part
            for part in (
                row.cells["donor"],
                row.cells["item"] + (f" ×{row.cells['quantity']}" if row.cells["quantity"] else ""),
                row.cells["category"],
                row.cells["amount"],
                row.cells["status"],
                row.cells["date"],
            )
            if part
        )
        points.append(
            {
                "pledge": record["id"],
                "date": record.get("date"),
                "donor": record.get("donor") or "",
                "donor_label": row.cells["donor"],
                "category": record.get("category"),
                "category_label": row.cells["category"],
                "title": title,
            }
        )
    spans = [date_span(str(p["date"])) for p in points if p.get("date")]
    spans = [s for s in spans if s]
    meetings: list[tuple[str, str]] = []
    if spans:
        bounds = {
            "f_from": q.text(min(s[0] for s in spans).isoformat()[:7]),
            "f_to": q.text(max(s[1] for s in spans).isoformat() + "~"),
        }
        meetings = [
            (q.python_value(r["key"]), q.python_value(r["date"]))
            for r in data.select(request, wq.MEETINGS_BETWEEN, bounds, cap=500)
        ]
    return layout(points, meetings, lambda **changes: "/?" + filters.query(**changes))


@router.get("/web/pledges.csv")
def pledges_csv(request: Request) -> Response:
    """The explorer's table as CSV: the same rows, order, columns and text."""
    _filters, rows, _index, errors = _explorer_state(request)
    headers = {"Content-Disposition": 'attachment; filename="aidgraph-pledges.csv"'}
    if errors:
        headers["Warning"] = '199 aidgraph "' + "; ".join(errors).replace('"', "'") + '"'
    return Response(data.rows_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/web/pledges.gexf")
def pledges_gexf(request: Request) -> Response:
    """The pledges of the explorer (same filters and page) as a GEXF network for Gephi: donors ->
    items, one edge per pledge; with the meeting's attendees when the table is one meeting's."""
    from graph.export.gexf import to_gexf

    filters, rows, index, _errors = _explorer_state(request)
    network = nx.MultiDiGraph()
    for row in rows:
        record = row.record
        donor = data.actor_iri(record.get("donor"), index) or "unknown-donor"
        item = record.get("item_iri") or f"item:{record.get('item') or record.get('category')}"
        network.add_node(
            donor,
            label=row.cells["donor"] or donor,
            type="country" if "/country/" in donor else "organisation",
        )
        network.add_node(
            item,
            label=row.cells["item"] or row.cells["category"],
            type="equipment",
            category=row.cells["category"],
        )
        span = date_span(str(record["date"])) if record.get("date") else None
        network.add_edge(
            donor,
            item,
            key=record["id"],
            type="pledged",
            pledge=record["id"],
            date=row.cells["date"],
            quantity=record.get("quantity") or 0,
            status=row.cells["status"],
            amount=row.cells["amount"],
            articles=row.cells["article"],
            spells=[(span[0].isoformat(), span[1].isoformat())] if span else None,
        )
    if filters.meeting:
        meeting, _problem = data.checked(rest.get_meeting, request, filters.meeting)
        if meeting:
            network.add_node(meeting["iri"], label=meeting["id"], type="meeting", date=meeting["date"] or "")
            for mode, people in (
                ("attended", meeting["attendees_in_person"]),
                ("attended_remotely", meeting["attendees_remote"]),
            ):
                for person in people:
                    network.add_node(person["iri"], label=person["name"] or person["id"], type="person")
                    network.add_edge(person["iri"], meeting["iri"], key=mode, type=mode)
    body = to_gexf(
        network, description="aidgraph: the pledges of the web explorer, " + (filters.query() or "no filter")
    )
    return Response(
        body,
        media_type="application/gexf+xml",
        headers={"Content-Disposition": 'attachment; filename="aidgraph-pledges.gexf"'},
    )


# ------------------------------------------------------------------------------------------- pages


@router.get("/web/meetings")
def meetings_page(request: Request) -> HTMLResponse:
    """Every meeting, newest first."""
    response = rest.list_meetings(request, None, 1000, 0)
    items = json.loads(response.body)["items"]
    index = data.labels(request)
    for item in items:
        item["format_label"] = index.display(data._iri_of("org", item["format"])) if item["format"] else None
    return render(
        request,
        "meetings.html",
        title="Meetings · aidgraph",
        meetings=items,
        show_query=sparql_link(q.MEETINGS),
    )


@router.get("/web/meetings/{key}")
def meeting_page(request: Request, key: str) -> HTMLResponse:
    """A meeting: format, date, place, chairs, attendees in person and remote, pledges, articles."""
    meeting, problem = data.checked(rest.get_meeting, request, key)
    if problem is not None:
        return not_found(request, "Meeting", problem)
    index = data.labels(request)
    filters = Filters(meeting=key, limit=1000)
    records = data.sort_records(meeting["pledges"], Filters(sort="date", order="asc"), index)
    rows = data.table_rows(request, records, index)
    articles = data.article_summaries(request, meeting["articles"])
    chairs = [(chair, data._actor_label(chair, index)) for chair in meeting["chairs"]]
    format_label = index.display(data._iri_of("org", meeting["format"])) if meeting["format"] else None
    sparql = wq.inline(q.MEETING_DETAIL, {"meeting": q.iri(meeting["iri"])})
    return render(
        request,
        "meeting.html",
        title=f"{key} · aidgraph",
        meeting=meeting,
        rows=rows,
        columns=COLUMNS,
        chairs=chairs,
        format_label=format_label,
        articles=[articles.get(a) or {"id": a} for a in meeting["articles"]],
        show_query=sparql_link(sparql),
        explorer_link="/?" + filters.query(limit=None),
        gexf_link="/web/pledges.gexf?" + filters.query(),
    )


@router.get("/web/actors/{key}")
def actor_page(request: Request, key: str) -> HTMLResponse:
    """A country, organisation or person: labels in every language, posts over time, meetings, pledges."""
    return _pledges_page(request, rest.get_actor, key, "Actor", "actor.html", _actor_context)


def _pledges_page(request: Request, fetch, key: str, what: str, template: str, context_of) -> HTMLResponse:
    """The shape of the actor and equipment pages: the REST view of ``key`` (``fetch``: its route
    function, so the page reads what the API answers, through the read model), a 404 page when there is
    none, its pledges as table rows oldest first, then ``context_of(view, rows, index, key)`` rendered."""
    view, problem = data.checked(fetch, request, key)
    if problem is not None:
        return not_found(request, what, problem)
    index = data.labels(request)
    records = data.sort_records(view["pledges"], Filters(sort="date", order="asc"), index)
    rows = data.table_rows(request, records, index)
    return render(request, template, rows=rows, columns=COLUMNS, **context_of(view, rows, index, key))


def _actor_context(actor: dict, rows: list, index: data.LabelIndex, key: str) -> dict[str, Any]:
    posts = []
    for post in actor["posts"]:
        role = index.display(str(vocab.AIDR) + f"role/{post['role']}") if post.get("role") else None
        posts.append(
            post
            | {
                "role_label": role or post.get("role"),
                "country_label": data._actor_label(post.get("country"), index),
            }
        )
    posts.sort(key=lambda post: (str(post.get("start") or ""), str(post.get("role") or "")))
    posts = _merge_posts(posts)
    people = [
        person | {"role_label": index.display(str(vocab.AIDR) + f"role/{person['role']}")}
        for person in actor.get("people", [])
    ]
    kind = q.kind_of(actor["iri"])
    sparql = wq.inline(q.ACTOR_MEETINGS, {"actor": q.iri(actor["iri"])})
    filters = Filters(donor=key) if kind in ("country", "org") else None
    return dict(
        title=f"{actor['name'] or key} · aidgraph",
        actor=actor,
        kind=kind,
        posts=posts,
        people=people,
        show_query=sparql_link(sparql),
        explorer_link="/?" + filters.query() if filters else None,
        gexf_link="/web/pledges.gexf?" + filters.query(limit=1000) if filters else None,
        labels=_labels_by_language(actor["labels"]),
    )


def _merge_posts(posts: list[dict]) -> list[dict]:
    """Posts once each: a post known with dates replaces the same post without them."""
    dated = {(p["post"]) for p in posts if p.get("start") or p.get("end")}
    return [p for p in posts if p.get("start") or p.get("end") or p["post"] not in dated]


def _labels_by_language(labels: list[dict]) -> list[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = {}
    for label in labels:
        grouped.setdefault(label["lang"] or "", []).append(label["label"])
    return sorted(grouped.items(), key=lambda item: (item[0] != "en", item[0]))


@router.get("/web/equipment/{key}")
def equipment_page(request: Request, key: str) -> HTMLResponse:
    """An equipment system: category, variants, labels, who pledged it, quantities over time."""
    return _pledges_page(request, rest.get_equipment, key, "Equipment", "equipment.html", _equipment_context)


def _equipment_context(equipment: dict, rows: list, index: data.LabelIndex, key: str) -> dict[str, Any]:
    iri = equipment["iri"]
    parents = [
        (q.code(p), index.display(p), q.kind_of(p))
        for p in index.broader.get(iri, ())
        if q.kind_of(p) == "equipment"
    ]
    variants = sorted(
        (q.code(n), index.display(n)) for n in index.narrower.get(iri, ()) if q.kind_of(n) == "equipment"
    )
    categories = [(c, index.display(data._iri_of("category", c))) for c in equipment["category"]]
    labels = []
    for text in equipment["labels"]:
        label, _, lang = (
            text.rpartition("@") if "@" in text and len(text.rpartition("@")[2]) <= 3 else (text, "", "")
        )
        labels.append({"label": label, "lang": lang or None})
    points = [
        {
            "date": r.record.get("date"),
            "quantity": r.record.get("quantity"),
            "donor": r.cells["donor"],
            "status": r.cells["status"],
        }
        for r in rows
    ]
    filters = Filters(item=key, limit=1000)
    sparql = wq.inline(q.EQUIPMENT_DETAIL, {"equipment": q.iri(iri)})
    return dict(
        title=f"{equipment['name'] or key} · aidgraph",
        equipment=equipment,
        parents=parents,
        variants=variants,
        categories=categories,
        labels=_labels_by_language(labels),
        quantities=points,
        donors=[(d, data._actor_label(d, index)) for d in equipment["donors"]],
        show_query=sparql_link(sparql),
        explorer_link="/?" + filters.query(limit=None),
        gexf_link="/web/pledges.gexf?" + filters.query(),
    )


@router.get("/web/articles")
def articles_page(request: Request, lang: str | None = Query(None, pattern=r"^[a-z]{2,3}$")) -> HTMLResponse:
    """The stored articles, newest first."""
    response = rest.list_articles(request, lang, 1000, 0)
    items = json.loads(response.body)["items"]
    return render(
        request,
        "articles.html",
        title="Articles · aidgraph",
        articles=items,
        lang=lang,
        language_names=data.LANGUAGE_NAMES,
        show_query=sparql_link(q.ARTICLES),
    )


@router.get("/web/articles/{key}")
def article_page(request: Request, key: str) -> HTMLResponse:
    """An article: its text with every extracted fact marked at its offsets (accepted and quarantined
    apart), the facts the SHACL gate quarantined and why, and the source link."""
    view, problem = data.checked(rest.get_article, request, key)
    if problem is not None:
        return not_found(request, "Article", problem)
    index = data.labels(request)
    article_graph = view["iri"]
    quarantine_graph = str(vocab.quarantine_graph_iri(key))
    claims = _claims(request, article_graph, index, accepted=True)
    claims += _claims(request, quarantine_graph, index, accepted=False)
    text = view.get("text")
    spans = evidence_spans(text or "", claims)
    words: dict[str, dict[str, list[str]]] = {}
    for span in spans:
        span.facts = _facts_of(span.claims)
        for claim in span.claims:
            for role, found in claim["words"].items():
                words.setdefault(span.key, {}).setdefault(role, []).extend(found)
    evidence_of = {claim["fact"]: span.key for span in spans if span.found for claim in span.claims}
    quarantined = _quarantined(request, quarantine_graph, view["validation"]["results"], index)
    for fact in quarantined:
        fact["evidence"] = evidence_of.get(fact["fact"])
    metadata = view["metadata"]
    summary = data.article_summaries(request, [key]).get(key, {})
    sparql = wq.inline(wq.ARTICLE_TEXT, {"f_graph": q.iri(article_graph), "f_article": q.iri(article_graph)})
    return render(
        request,
        "article.html",
        title=f"{metadata.get('headline') or key} · aidgraph",
        article=view,
        metadata=metadata,
        summary=summary,
        text=text,
        highlighted=highlight_text(text, spans, words) if text is not None else None,
        spans=spans,
        quarantined=quarantined,
        show_query=sparql_link(sparql),
        gexf_link="/export/gexf?" + urlencode({"graph": article_graph}),
        language_names=data.LANGUAGE_NAMES,
    )


def _facts_of(claims: list[dict]) -> list[dict]:
    """The facts of a passage once each (a fact may have several claims there: a mention and a role)."""
    facts: dict[tuple, dict] = {}
    for claim in claims:
        key = (claim["fact"], claim["accepted"])
        fact = facts.setdefault(key, claim | {"rules": []})
        if claim.get("rule") and claim["rule"] not in fact["rules"]:
            fact["rules"].append(claim["rule"])
    return list(facts.values())


def _claims(request: Request, graph: str, index: data.LabelIndex, *, accepted: bool) -> list[dict]:
    """The claims of one graph of an article, each with its fact described and the fact's words."""
    bound = {"f_graph": q.iri(graph)}
    rows = data.select(request, wq.ARTICLE_CLAIMS, bound, cap=20_000)
    values: dict[str, dict[str, list]] = {}
    for row in data.select(request, wq.FACT_VALUES, bound, cap=50_000):
        values.setdefault(row["fact"][1], {}).setdefault(q.local_name(row["p"][1]), []).append(row["o"])
    claims: dict[str, dict] = {}
    for row in rows:
        claim = claims.setdefault(
            row["claim"][1],
            {
                "claim": row["claim"][1],
                "fact": row["fact"][1],
                "begin": int(row["begin"][1]),
                "end": int(row["end"][1]),
                "anchor": row["anchor"][1],
                "rule": q.python_value(row.get("rule")),
                "type": None,
                "accepted": accepted,
            },
        )
        if row.get("type"):
            claim["type"] = q.local_name(row["type"][1])
    for claim in claims.values():
        claim |= _describe(claim["fact"], claim["type"], values.get(claim["fact"], {}), index)
    return sorted(claims.values(), key=lambda c: (c["begin"], c["claim"]))


def _describe(fact: str, kind: str | None, values: dict[str, list], index: data.LabelIndex) -> dict:
    """A fact as the article page lists it: a short text, its page, the words to mark in its evidence."""

    def first(name: str):
        found = sorted(values.get(name, []))
        return found[0][1] if found else None

    fact_kind = q.kind_of(fact)
    if kind == "Pledge" or fact_kind == "pledge":
        donor, item_iri, item_text = first("agent"), first("object"), first("itemLabel")
        quantity, date = first("quantity"), first("date")
        item = item_text or index.display(item_iri) or index.display(first("category"))
        donor_label = index.display(donor) or q.code(donor) or "?"
        text = (
            f"{donor_label} → {item or '?'}"
            + (f" ×{quantity}" if quantity else "")
            + (f" ({index.display(first('status')) or ''}{', ' + date if date else ''})")
        )
        words = {
            "donor": index.words(donor),
            "item": index.words(item_iri) + ([item_text] if item_text else []),
        }
        if quantity:
            words["quantity"] = [str(quantity)]
        link = "/?" + urlencode(
            {k: v for k, v in (("donor", q.code(donor)), ("item", q.code(item_iri) or "")) if v}
        )
        return {"kind": "pledge", "text": text, "link": link, "words": words}
    if kind == "Meeting" or fact_kind == "meeting":
        key = q.code(fact)
        return {
            "kind": "meeting",
            "text": f"meeting {key}",
            "link": href("meeting", key),
            "words": {
                "meeting": index.words(str(vocab.org_iri(key.split("-")[0]))) if key and "-" in key else []
            },
        }
    if kind == "Person" or fact_kind == "person":
        name = first("name") or index.display(fact)
        return {
            "kind": "person",
            "text": name,
            "link": href("person", q.code(fact)),
            "words": {"person": sorted({*index.words(fact), *([name] if name else [])})},
        }
    if kind == "EquipmentSystem" or fact_kind == "equipment":
        return {
            "kind": "equipment",
            "text": index.display(fact),
            "link": href("equipment", q.code(fact)),
            "words": {"item": index.words(fact)},
        }
    return {"kind": fact_kind or "fact", "text": index.display(fact) or fact, "link": None, "words": {}}


def _quarantined(request: Request, graph: str, results: list[dict], index: data.LabelIndex) -> list[dict]:
    """The rejected facts of an article, each with the SHACL results about it (why it was rejected)."""
    rows = data.select(request, wq.QUARANTINED_FACTS, {"f_graph": q.iri(graph)}, cap=10_000)
    values: dict[str, dict[str, list]] = {}
    for row in data.select(request, wq.FACT_VALUES, {"f_graph": q.iri(graph)}, cap=50_000):
        values.setdefault(row["fact"][1], {}).setdefault(q.local_name(row["p"][1]), []).append(row["o"])
    facts: dict[str, dict] = {}
    for row in rows:
        fact = row["fact"][1]
        kind = q.local_name(row["type"][1])
        if kind not in ("Pledge", "Meeting", "Person", "EquipmentSystem", "Tenure"):
            continue
        facts.setdefault(fact, {"fact": fact} | _describe(fact, kind, values.get(fact, {}), index))
    for fact in facts.values():
        fact["reasons"] = [r for r in results if r.get("focus") == fact["fact"]]
    known = set(facts)
    other = [r for r in results if r.get("focus") not in known]
    if other:
        facts["(other)"] = {
            "fact": None,
            "kind": "other",
            "text": "other results of the report",
            "link": None,
            "reasons": other,
        }
    return list(facts.values())


# ------------------------------------------------------------------------------------------- search


@router.get("/web/search")
def search_page(request: Request, q_text: str = Query("", alias="q", max_length=100)) -> HTMLResponse:
    """Resources whose labels (any language) contain the text, with links to their pages."""
    hits = data.labels(request).search(q_text, limit=100) if len(q_text.strip()) >= 2 else []
    return render(request, "search.html", title=f"Search: {q_text} · aidgraph", hits=hits, query=q_text)


@router.get("/web/suggest")
def suggest(request: Request, q_text: str = Query("", alias="q", max_length=100)) -> JSONResponse:
    """Suggestions for the search box: up to 8 resources, each with its page."""
    hits = data.labels(request).search(q_text, limit=8)
    return JSONResponse(
        [
            hit | {"href": href(hit["kind"], hit["key"]), "kind_name": KIND_NAMES.get(hit["kind"])}
            for hit in hits
        ]
    )


__all__ = ["PALETTE", "STATIC_DIR", "router"]
