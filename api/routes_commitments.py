"""REST lookups of commitments (the derived graph aidg:commitments, graph/commitments.py).

``/commitments`` filters as ``/pledges`` does (donor, recipient, category with narrower ones, item, dates)
plus ``stage``, ``instrument`` and ``contradicted``; ``/commitments/{id}`` adds the claims with their
sources and values, the lifecycle stages and the contradicting values.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api import lookups as q
from api import models
from api.problems import Problem
from api.queries_service import pledge_filters
from api.queries_service import select as _select
from api.routes_rest import COMMON, KEY, NOT_FOUND, DateParam, Limit, Offset, _page, wants_csv
from graph import vocab
from graph.commitments import STAGES

router = APIRouter()

COMMITMENTS = f"<{vocab.COMMITMENTS_GRAPH}>"
ARTICLES = str(vocab.AIDR["article/"])
INSTRUMENTS = ("pda", "usai", "purl", "czech_initiative", "danish_model", "ifu", "epf")
ID = r"^[0-9a-f]{16}$"

FILTERS = {
    "donor": f"GRAPH {COMMITMENTS} {{ ?c schema:agent ?f_donor_node }} "
             "FILTER(?f_donor_node IN (?f_donor_a, ?f_donor_b))",
    "recipient": f"GRAPH {COMMITMENTS} {{ ?c schema:recipient ?f_recipient_node }} "
                 "FILTER(?f_recipient_node IN (?f_recipient_a, ?f_recipient_b))",
    "category": f"{{ GRAPH {COMMITMENTS} {{ ?c aid:category ?f_cat }} }} UNION "
                f"{{ GRAPH {COMMITMENTS} {{ ?c schema:object ?f_obj }} ?f_obj aid:category ?f_cat }} "
                "?f_cat skos:broader* ?f_category .",
    "item": f"{{ GRAPH {COMMITMENTS} {{ ?c schema:object ?f_item_iri }} }} UNION "
            f"{{ GRAPH {COMMITMENTS} {{ ?c schema:object ?f_obj2 }} "
            "?f_obj2 skos:prefLabel|skos:altLabel|schema:name ?f_item_text . "
            "FILTER(CONTAINS(LCASE(STR(?f_item_text)), LCASE(?f_item))) } UNION "
            f"{{ GRAPH {COMMITMENTS} {{ ?c aid:itemLabel ?f_item_text2 }} "
            "FILTER(CONTAINS(LCASE(STR(?f_item_text2)), LCASE(?f_item))) }",
    "stage": f"GRAPH {COMMITMENTS} {{ ?c aid:stage ?f_stage }}",
    "instrument": f"GRAPH {COMMITMENTS} {{ ?c aid:instrument ?f_instrument }}",
    "contradicted": f"FILTER EXISTS {{ GRAPH {COMMITMENTS} {{ ?c aid:contradiction ?f_any }} }}",
    "date_from": "FILTER(SUBSTR(?f_date_from, 1, STRLEN(?sortDate)) "
                 "<= SUBSTR(?sortDate, 1, STRLEN(?f_date_from)))",
    "date_to": "FILTER(SUBSTR(?sortDate, 1, STRLEN(?f_date_to)) <= SUBSTR(?f_date_to, 1, STRLEN(?sortDate)))",
}


def page_query(filters: list[str], bound: list[str], limit: int, offset: int) -> str:
    """The IRIs of one page of commitments (newest first) matching ``filters``."""
    fragments = "\n  ".join(FILTERS[name] for name in filters)
    projected = " ".join(f"?{name}" for name in sorted(bound))
    return q.PREFIXES + f"""
SELECT DISTINCT ?c ?sortDate {projected} WHERE {{
  GRAPH {COMMITMENTS} {{ ?c a aid:Commitment ; dcterms:date ?date }}
  BIND(STR(?date) AS ?sortDate)
  {fragments}
}} ORDER BY DESC(?sortDate) ?c LIMIT {int(limit)} OFFSET {int(offset)}
"""


def details_query(commitments: list[str]) -> str:
    """The triples of the given commitments (IRIs read from the store, checked by pyoxigraph's parser)
    and their items' labels."""
    from pyoxigraph import NamedNode

    values = " ".join(str(NamedNode(iri)) for iri in commitments)
    return q.PREFIXES + f"""
SELECT DISTINCT ?c ?p ?o WHERE {{
  VALUES ?c {{ {values} }}
  {{ GRAPH {COMMITMENTS} {{ ?c ?p ?o }} }}
  UNION
  {{ GRAPH {COMMITMENTS} {{ ?c schema:object ?item }} ?item skos:prefLabel|schema:name ?o
     BIND(skos:prefLabel AS ?p) }}
}}
"""


CLAIMS_QUERY = q.PREFIXES + f"""
SELECT ?c ?claim ?pledge ?g ?status ?quantity ?value ?currency ?date ?evidence ?published ?lang ?publisherName
       ?duplicateOf WHERE {{
  GRAPH {COMMITMENTS} {{ ?c aid:groupsClaim ?claim }}
  GRAPH ?g {{
    ?pledge prov:qualifiedDerivation ?claim ; aid:status ?status .
    OPTIONAL {{ ?pledge aid:quantity ?quantity }}
    OPTIONAL {{ ?pledge schema:amount ?amount . OPTIONAL {{ ?amount schema:value ?value }}
               OPTIONAL {{ ?amount schema:currency ?currency }} }}
    OPTIONAL {{ ?pledge dcterms:date ?date }}
    OPTIONAL {{ ?claim nif:anchorOf ?evidence }}
    OPTIONAL {{ ?g schema:datePublished ?published }}
    OPTIONAL {{ ?g schema:inLanguage ?lang }}
    OPTIONAL {{ ?g schema:publisher/schema:name ?publisherName }}
  }}
  FILTER(STRSTARTS(STR(?g), "{ARTICLES}"))
  OPTIONAL {{ GRAPH {COMMITMENTS} {{ ?g aid:nearDuplicateOf ?duplicateOf }} }}
}} ORDER BY ?published ?claim
"""

A = "https://w3id.org/aidgraph/ontology#"
P = {"agent": "https://schema.org/agent", "recipient": "https://schema.org/recipient",
     "object": "https://schema.org/object", "itemLabel": A + "itemLabel", "category": A + "category",
     "quantity": A + "quantity", "date": "http://purl.org/dc/terms/date", "stage": A + "stage",
     "instrument": A + "instrument", "contradiction": A + "contradiction", "claim": A + "groupsClaim",
     "sources": A + "independentSources", "delivered": A + "deliveredQuantity", "lag": A + "deliveryLagDays",
     "label": "http://www.w3.org/2004/02/skos/core#prefLabel"}


def shape(order: list[str], rows: list[dict]) -> list[dict[str, Any]]:
    """One summary record per commitment (in ``order``) from the rows of :func:`details_query`."""
    facts: dict[str, dict[str, list]] = {}
    for row in rows:
        facts.setdefault(row["c"][1], {}).setdefault(row["p"][1], []).append(row["o"])
    records = []
    for iri in order:
        f = facts.get(iri, {})

        def one(name: str, f=f):
            values = sorted(f.get(P[name], []), key=lambda t: t[1])
            return q.python_value(values[0]) if values else None

        def many(name: str, f=f) -> list:
            return sorted({q.python_value(t) for t in f.get(P[name], [])})

        item_iri = one("object")
        records.append({
            "id": q.code(iri), "iri": iri, "donor": q.code(one("agent")),
            "recipient": q.code(one("recipient")),
            "item": q.pick_label(f.get(P["label"], [])) if item_iri else one("itemLabel"),
            "item_iri": item_iri,
            "category": q.code(one("category")), "date": one("date"), "quantity": one("quantity"),
            "stage": one("stage"), "instruments": many("instrument"), "contradictions": many("contradiction"),
            "claims": len(f.get(P["claim"], [])), "independent_sources": one("sources"),
            "delivered_quantity": one("delivered"), "delivery_lag_days": one("lag"),
        })
    return records


def _filters(donor, recipient, category, item, stage, instrument, contradicted, date_from, date_to):
    """The /pledges filters (:func:`api.queries_service.pledge_filters`) plus stage, instrument and
    contradicted."""
    filters, bindings = pledge_filters(category, donor, recipient, item, None, date_from, date_to, None)
    if stage:
        filters.append("stage")
        bindings["f_stage"] = q.text(stage)
    if instrument:
        filters.append("instrument")
        bindings["f_instrument"] = q.text(instrument)
    if contradicted:
        filters.append("contradicted")
    return filters, bindings


CSV_COLUMNS = ("id", "donor", "recipient", "item", "category", "date", "quantity", "stage", "instruments",
               "contradictions", "claims", "independent_sources", "delivered_quantity", "delivery_lag_days")


@router.get("/commitments", response_model=models.CommitmentPage, summary="Commitments, filtered",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}} | COMMON)
def list_commitments(
    request: Request,
    donor: Annotated[str | None, Query(pattern=KEY, description="ISO alpha-2 code or organisation key")]
    = None,
    recipient: Annotated[str | None, Query(pattern=KEY)] = None,
    category: Annotated[str | None, Query(
        pattern=r"^[a-z0-9_]{1,50}$", description="category key; narrower categories are included")] = None,
    item: Annotated[str | None, Query(min_length=1, max_length=100,
                                      description="equipment slug, or text in the item's labels")] = None,
    stage: Annotated[Literal[STAGES] | None, Query(description="lifecycle stage reached")] = None,  # type: ignore[valid-type]
    instrument: Annotated[Literal[INSTRUMENTS] | None, Query(description="instrument named")] = None,  # type: ignore[valid-type]
    contradicted: Annotated[bool, Query(description="only commitments whose claims disagree")] = False,
    date_from: DateParam = None,
    date_to: DateParam = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Response:
    """Commitments newest first (by their first date): donor, recipient, item, quantity when the claims
    agree, stage, instruments, contradictions, claims and independent sources (wire copies once)."""
    filters, bindings = _filters(donor, recipient, category, item, stage, instrument, contradicted,
                                 date_from, date_to)
    page = _select(request, page_query(filters, list(bindings), limit, offset), bindings, cap=limit)["rows"]
    order = [row["c"][1] for row in page]
    records = shape(order, _select(request, details_query(order))["rows"]) if order else []
    if wants_csv(request, format):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for record in records:
            writer.writerow([" ".join(v) if isinstance(v := record[c], list) else ("" if v is None else v)
                             for c in CSV_COLUMNS])
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")
    return _page(request, records, limit, offset)


@router.get("/commitments/{commitment_id}", response_model=models.Commitment,
            responses=COMMON | NOT_FOUND, summary="One commitment")
def get_commitment(request: Request, commitment_id: Annotated[
        str, Path(pattern=ID, description="16 hex digits")]) -> dict[str, Any]:
    """A commitment with every claim (article, publisher, values, evidence), its lifecycle stages with
    first date and quantities, and the values its claims disagree on with the articles stating each."""
    iri = str(vocab.AIDR[f"commitment/{commitment_id}"])
    found = shape([iri], _select(request, details_query([iri]))["rows"])[0]
    if not found["claims"]:
        raise Problem(404, "not-found", f"no commitment {commitment_id!r}", hint="list them at /commitments")
    rows = _select(request, CLAIMS_QUERY, {"c": q.iri(iri)})["rows"]
    sources = []
    for row in rows:
        value = {name: q.python_value(row.get(name)) for name in row}
        sources.append({
            "claim": value["claim"], "pledge": value["pledge"], "article": q.article_id(value["g"]),
            "article_iri": value["g"], "near_duplicate_of": q.article_id(value.get("duplicateOf")),
            "publisher": value.get("publisherName"), "published": value.get("published"),
            "status": q.code(value["status"]), "quantity": value.get("quantity"),
            "amount": value.get("value"),
            "currency": value.get("currency"), "date": value.get("date"), "evidence": value.get("evidence"),
            "lang": value.get("lang")})
    return {**found, "sources": sources, "stages": _stages(sources),
            "contradicting_values": _contradicting(sources, found["contradictions"])}


def _stages(sources: list[dict]) -> list[dict]:
    from graph.commitments import claim_stage

    stages: dict[str, dict] = {}
    for source in sources:
        name = claim_stage(source["status"], source["evidence"] or "", source["lang"] or "")
        stage = stages.setdefault(name, {"date": None, "quantities": set(), "claims": []})
        when = str(source["date"] or source["published"] or "")
        if when and (stage["date"] is None or when < stage["date"]):
            stage["date"] = when
        if source["quantity"] is not None:
            stage["quantities"].add(source["quantity"])
        stage["claims"].append(source["claim"])
    return [{"stage": name, "date": stages[name]["date"], "quantities": sorted(stages[name]["quantities"]),
             "claims": stages[name]["claims"]} for name in STAGES if name in stages]


def _contradicting(sources: list[dict], fields: list[str]) -> dict[str, list[dict]]:
    announced = [s for s in sources if s["status"] != "delivered"]
    found: dict[str, list[dict]] = {}
    if "quantity" in fields:
        by_value: dict = {}
        for s in announced:
            if s["quantity"] is not None:
                by_value.setdefault(s["quantity"], set()).add(s["article"])
        found["quantity"] = [{"value": v, "articles": sorted(a)} for v, a in sorted(by_value.items())]
    if "amount" in fields:
        by_amount: dict = {}
        for s in announced:
            if s["amount"] is not None:
                by_amount.setdefault((s["amount"], s["currency"]), set()).add(s["article"])
        found["amount"] = [{"value": v, "currency": c, "articles": sorted(a)}
                           for (v, c), a in sorted(by_amount.items(), key=lambda kv: str(kv[0]))]
    return found


# ------------------------------------------------------------------------------------------- reconcile

@router.get("/reconcile", response_model=models.Reconciliation | models.ReconciliationByMonth,
            summary="Kiel tracker vs the news graph",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}} | COMMON)
def get_reconciliation(request: Request,
                       format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
                       by: Annotated[str, Query(pattern="^(category|month)$",
                                                description="rows per donor x weapon category, or per "
                                                            "donor x month (military totals in EUR)")]
                       = "category") -> Response:
    """Per donor x weapon category of the Kiel Ukraine Support Tracker (release 29, the copy in
    graph/kiel_data): Kiel's number and EUR value next to the store's commitments of systems in that
    category up to Kiel's cut-off, with coverage of Kiel's systems; largest disagreements first.
    ``by=month``: per donor x month, Kiel's military total next to the commitments of that month and
    their sums in EUR (ECB rate of the pledge date); largest differences first."""
    from fastapi.responses import JSONResponse

    from graph.kiel import read_release

    release = read_release()
    head = {"release": release.release, "label": release.label, "cutoff": release.cutoff}
    if by == "month":
        from graph.kiel import MONTH_QUERY_COLUMNS, MONTHS_QUERY, months_to_csv, reconcile_months

        rows = [tuple(None if row.get(c) is None else str(row[c][1]) for c in MONTH_QUERY_COLUMNS)
                for row in _select(request, MONTHS_QUERY, cap=1_000_000)["rows"]]
        months = reconcile_months(rows, release)
        if wants_csv(request, format):
            return Response(months_to_csv(months), media_type="text/csv; charset=utf-8")
        return JSONResponse(head | {"by": "month", "rows": [row.to_dict() for row in months]})
    from graph.kiel import COMMITMENT_COLUMNS, COMMITMENTS_QUERY, reconcile, to_csv

    rows = [tuple(None if row.get(c) is None else str(row[c][1]) for c in COMMITMENT_COLUMNS)
            for row in _select(request, COMMITMENTS_QUERY, cap=1_000_000)["rows"]]
    table = reconcile(rows, release)
    if wants_csv(request, format):
        return Response(to_csv(table), media_type="text/csv; charset=utf-8")
    return JSONResponse(head | {"rows": [row.to_dict() for row in table],
                                "unmapped_systems": release.unmapped()})
