"""The SPARQL behind the REST lookups, and the shaping of its rows into JSON records.

User values never enter the query text: each filter adds a fixed fragment that mentions a variable
(``?f_donor``, ...), and the value is bound to that variable by the engine (pyoxigraph substitutions,
rdflib initBindings). Only integers validated by FastAPI (limit, offset) are written into the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from api.results import Term

AIDR = "https://w3id.org/aidgraph/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = """PREFIX aid: <https://w3id.org/aidgraph/ontology#>
PREFIX aidr: <https://w3id.org/aidgraph/id/>
PREFIX aidg: <https://w3id.org/aidgraph/graph/>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
"""
LABEL_PATH = "skos:prefLabel|schema:name|rdfs:label"
SEARCH_LABEL_PATH = ("skos:prefLabel|skos:altLabel|skos:hiddenLabel|schema:name|rdfs:label|skos:notation"
                     "|aid:adjective|aid:demonym|aid:metonym")


def iri(term: Term) -> Term:
    """A bound value: an IRI."""
    return ("uri", str(term))


def text(value: str) -> Term:
    """A bound value: a plain string literal."""
    return ("literal", value, None, None)


# ------------------------------------------------------------------------------------------- values

def python_value(term: Term | None) -> Any:
    """A term as a JSON value: numbers for numeric literals, strings otherwise."""
    if term is None:
        return None
    if term[0] != "literal":
        return term[1]
    datatype = term[2] or ""
    try:
        if datatype in (XSD + "integer", XSD + "int", XSD + "long", XSD + "nonNegativeInteger",
                        XSD + "positiveInteger"):
            return int(term[1])
        if datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
            number = float(term[1])
            return int(number) if number.is_integer() and abs(number) < 2**53 else number
        if datatype == XSD + "boolean":
            return term[1] == "true"
    except ValueError:
        return term[1]
    return term[1]


def code(value: str | None) -> str | None:
    """The key of one of our resource IRIs (``.../country/DE`` -> ``DE``); other values unchanged."""
    if value is None or not value.startswith(AIDR):
        return value
    return value.rsplit("/", 1)[-1]


def kind_of(value: str | None) -> str | None:
    """The kind of one of our resource IRIs (``.../country/DE`` -> ``country``)."""
    if value is None or not value.startswith(AIDR):
        return None
    return value[len(AIDR):].split("/", 1)[0]


def local_name(value: str) -> str:
    """The last segment of an IRI (``https://schema.org/Person`` -> ``Person``)."""
    return value.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def article_id(value: str | None) -> str | None:
    """The article id of an article IRI (``.../article/001`` -> ``001``)."""
    prefix = AIDR + "article/"
    return value[len(prefix):] if value and value.startswith(prefix) else code(value)


def pick_label(labels: Iterable[Term]) -> str | None:
    """The best display label: English, then no language, then any (alphabetically stable)."""
    ranked = sorted(labels, key=lambda t: (
        0 if (t[3] or "").lower().startswith("en") else 1 if not t[3] else 2, t[1]))
    return ranked[0][1] if ranked else None


DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# ------------------------------------------------------------------------------------------- pledges

# dates of different precision (2025 / 2025-04 / 2025-04-11) are compared at the coarser of the two:
# a pledge dated "2025-04" is inside date_from=2025-04-15 and inside date_to=2025-04-01
PLEDGE_FILTERS = {
    "donor": "?pledge schema:agent ?f_donor_node . FILTER(?f_donor_node IN (?f_donor_a, ?f_donor_b))",
    "recipient": "?pledge schema:recipient ?f_recipient_node . "
                 "FILTER(?f_recipient_node IN (?f_recipient_a, ?f_recipient_b))",
    "category": "?pledge aid:category|schema:object/aid:category ?f_cat . ?f_cat skos:broader* ?f_category .",
    "item": "{ ?pledge schema:object ?f_item_iri } UNION "
            "{ ?pledge (schema:object/(skos:prefLabel|skos:altLabel|schema:name|rdfs:label))|aid:itemLabel "
            "?f_item_text . FILTER(CONTAINS(LCASE(STR(?f_item_text)), LCASE(?f_item))) }",
    "status": "?pledge aid:status ?f_status .",
    "meeting": "?pledge aid:announcedAt ?f_meeting .",
    "date_from": "?pledge dcterms:date ?f_date1 . "
                 "FILTER(SUBSTR(?f_date_from, 1, STRLEN(STR(?f_date1))) "
                 "<= SUBSTR(STR(?f_date1), 1, STRLEN(?f_date_from)))",
    "date_to": "?pledge dcterms:date ?f_date2 . "
               "FILTER(SUBSTR(STR(?f_date2), 1, STRLEN(?f_date_to)) "
               "<= SUBSTR(?f_date_to, 1, STRLEN(STR(?f_date2))))",
}


QUARANTINE = "https://w3id.org/aidgraph/graph/quarantine/"


def accepted(pattern: str, graph_var: str) -> str:
    """``pattern`` as asserted in some graph other than a quarantine graph (rejected facts are hidden)."""
    return f'GRAPH ?{graph_var} {{ {pattern} }} FILTER(!STRSTARTS(STR(?{graph_var}), "{QUARANTINE}"))'


def pledge_query(filters: Iterable[str], limit: int, offset: int, *, bound: Iterable[str] = (),
                 extra: str = "") -> str:
    """One row per pledge x source x value, for a page of pledges (newest first) matching ``filters``.

    ``filters`` names keys of PLEDGE_FILTERS; ``extra`` is a fixed pattern about ?pledge (no user text);
    ``bound`` names the variables the caller binds (pyoxigraph binds only projected variables, so they
    are projected here).
    """
    fragments = "\n      ".join(PLEDGE_FILTERS[name] for name in filters)
    projected = " ".join(f"?{name}" for name in sorted(bound))
    return PREFIXES + f"""
SELECT ?pledge ?donor ?recipient ?item ?itemLabel ?itemName ?category ?quantity ?value ?currency ?status
       ?date ?meeting ?claim ?article ?evidence ?confidence {projected}
WHERE {{
  {{ SELECT DISTINCT ?pledge ?sortDate {projected} WHERE {{
      {accepted("?pledge a aid:Pledge", "g0")}
      {extra}
      {fragments}
      OPTIONAL {{ ?pledge dcterms:date ?anyDate }}
      BIND(COALESCE(STR(?anyDate), "") AS ?sortDate)
    }} ORDER BY DESC(?sortDate) ?pledge LIMIT {int(limit)} OFFSET {int(offset)} }}
  OPTIONAL {{ {accepted("?pledge schema:agent ?donor", "g1")} }}
  OPTIONAL {{ {accepted("?pledge schema:recipient ?recipient", "g2")} }}
  OPTIONAL {{ {accepted("?pledge schema:object ?item", "g3")} OPTIONAL {{ ?item {LABEL_PATH} ?itemName }} }}
  OPTIONAL {{ {accepted("?pledge aid:itemLabel ?itemLabel", "g4")} }}
  OPTIONAL {{ {accepted("?pledge aid:category ?category", "g5")} }}
  OPTIONAL {{ {accepted("?pledge aid:quantity ?quantity", "g6")} }}
  OPTIONAL {{ {accepted("?pledge schema:amount ?amountNode", "g7")} ?amountNode schema:value ?value .
             OPTIONAL {{ ?amountNode schema:currency ?currency }} }}
  OPTIONAL {{ {accepted("?pledge aid:status ?status", "g8")} }}
  OPTIONAL {{ {accepted("?pledge dcterms:date ?date", "g9")} }}
  OPTIONAL {{ {accepted("?pledge aid:announcedAt ?meeting", "g10")} }}
  OPTIONAL {{ {accepted("?pledge prov:qualifiedDerivation ?claim", "g11")}
             OPTIONAL {{ ?claim prov:entity ?article }}
             OPTIONAL {{ ?claim nif:anchorOf ?evidence }}
             OPTIONAL {{ ?claim aid:confidence ?confidence }} }}
}}
ORDER BY DESC(?sortDate) ?pledge ?claim
"""


def shape_pledges(rows: list[dict[str, Term]]) -> list[dict[str, Any]]:
    """Group pledge rows into one record per pledge (first-seen order), with its sources."""
    records: dict[str, dict[str, Any]] = {}
    values: dict[str, dict[str, list]] = {}
    for row in rows:
        pledge = row["pledge"][1]
        if pledge not in records:
            records[pledge] = {"id": pledge, "sources": []}
            values[pledge] = {}
        seen = values[pledge]
        for name in ("donor", "recipient", "item", "itemLabel", "category", "quantity", "value", "currency",
                     "status", "date", "meeting"):
            term = row.get(name)
            if term is not None and term not in seen.setdefault(name, []):
                seen[name].append(term)
        if "itemName" in row:
            seen.setdefault("itemName", []).append(row["itemName"])
        claim = row.get("claim")
        if claim is not None and all(s["claim"] != claim[1] for s in records[pledge]["sources"]):
            records[pledge]["sources"].append({
                "claim": claim[1], "article": article_id(python_value(row.get("article"))),
                "article_iri": python_value(row.get("article")),
                "evidence": python_value(row.get("evidence")),
                "confidence": python_value(row.get("confidence")),
            })
    out = []
    for pledge, record in records.items():
        seen = values[pledge]

        def first(name: str, convert=python_value, seen=seen):
            terms = seen.get(name) or []
            return convert(terms[0]) if terms else None

        def term_code(term: Term) -> str | None:
            return code(term[1])

        item_iri = first("item")
        record |= {
            "donor": first("donor", term_code), "recipient": first("recipient", term_code),
            "item": first("itemLabel") or pick_label(seen.get("itemName", [])) or code(item_iri),
            "item_iri": item_iri, "category": first("category", term_code),
            "quantity": first("quantity"), "amount": first("value"), "currency": first("currency"),
            "status": first("status", term_code), "date": first("date"),
            "meeting": first("meeting", term_code),
        }
        conflicts = {name: [python_value(t) for t in seen[name]]
                     for name in ("quantity", "value", "date", "status") if len(seen.get(name, [])) > 1}
        if conflicts:
            record["conflicting_values"] = conflicts
        record["sources"] = record.pop("sources")
        out.append(record)
    return out


PLEDGE_CSV_COLUMNS = ("donor", "recipient", "item", "category", "quantity", "amount", "currency", "status",
                      "date", "meeting", "articles", "evidence", "id")


def pledge_csv_row(record: dict[str, Any]) -> list[Any]:
    """A pledge record flattened for CSV (sources joined with ' | ')."""
    sources = record.get("sources", [])
    flat = dict(record)
    flat["articles"] = " | ".join(str(s["article"] or "") for s in sources)
    flat["evidence"] = " | ".join(str(s["evidence"] or "") for s in sources)
    return ["" if flat.get(name) is None else flat[name] for name in PLEDGE_CSV_COLUMNS]


# ------------------------------------------------------------------------------------------- meetings

MEETINGS = PREFIXES + """
SELECT ?meeting ?key ?format ?date ?placeName ?countries
       (COUNT(DISTINCT ?attendee) AS ?attendees) (COUNT(DISTINCT ?pledge) AS ?pledges) ?f_format
WHERE {
  GRAPH ?g { ?meeting a aid:Meeting } FILTER(!STRSTARTS(STR(?g), "https://w3id.org/aidgraph/graph/quarantine/"))
  OPTIONAL { ?meeting skos:notation ?key }
  OPTIONAL { ?meeting aid:format ?format }
  OPTIONAL { ?meeting schema:startDate ?date }
  OPTIONAL { ?meeting schema:location/schema:name ?placeName }
  OPTIONAL { ?meeting aid:numberOfCountries ?countries }
  OPTIONAL { ?meeting schema:attendee|aid:remoteAttendee ?attendee }
  OPTIONAL { ?pledge aid:announcedAt ?meeting }
  #FILTER_FORMAT
}
GROUP BY ?meeting ?key ?format ?date ?placeName ?countries ?f_format
ORDER BY DESC(STR(?date)) ?meeting
"""
MEETING_FORMAT_FILTER = "?meeting aid:format ?f_format ."

MEETING_DETAIL = PREFIXES + """
SELECT ?meeting ?key ?format ?date ?placeName ?countries ?chair ?attendee ?remote ?name ?article
WHERE {
  ?meeting a aid:Meeting .
  OPTIONAL { ?meeting skos:notation ?key }
  OPTIONAL { ?meeting aid:format ?format }
  OPTIONAL { ?meeting schema:startDate ?date }
  OPTIONAL { ?meeting schema:location/schema:name ?placeName }
  OPTIONAL { ?meeting aid:numberOfCountries ?countries }
  OPTIONAL { ?meeting prov:wasDerivedFrom ?article }
  OPTIONAL { ?meeting aid:chair ?chair }
  OPTIONAL {
    { ?meeting schema:attendee ?attendee }
    UNION { ?meeting aid:remoteAttendee ?attendee . BIND(true AS ?remote) }
    OPTIONAL { ?attendee schema:name ?name }
  }
}
"""

# ------------------------------------------------------------------------------------------- actors

ACTORS = PREFIXES + """
SELECT ?actor ?type (SAMPLE(?label) AS ?name) (COUNT(DISTINCT ?article) AS ?articles) ?f_type
WHERE {
  VALUES (?type ?class) {
    ("person" schema:Person) ("country" schema:Country) ("organisation" org:Organization) }
  ?actor a ?class .
  #FILTER_TYPE
  OPTIONAL { ?actor aid:mentionedIn ?article }
  OPTIONAL { ?actor skos:prefLabel|schema:name ?label
             FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")) }
}
GROUP BY ?actor ?type ?f_type
ORDER BY DESC(?articles) ?actor
"""

ACTOR_TYPE_FILTER = "FILTER(?type = ?f_type)"
ACTOR_TYPE = PREFIXES + """
SELECT ?actor ?class ?f_a ?f_b ?f_c WHERE { ?actor a ?class .
  FILTER(?actor IN (?f_a, ?f_b, ?f_c))
  FILTER(?class IN (schema:Person, schema:Country, org:Organization, aid:DonorGroup)) }
"""

ACTOR_LABELS = PREFIXES + f"SELECT ?actor ?label WHERE {{ ?actor {LABEL_PATH} ?label }}"

ACTOR_POSTS = PREFIXES + """
SELECT DISTINCT ?actor ?post ?role ?country ?start ?end
WHERE {
  { ?actor org:holds ?post }
  UNION
  { ?tenure org:member ?actor ; aid:post ?post .
    OPTIONAL { ?tenure schema:startDate ?start } OPTIONAL { ?tenure schema:endDate ?end } }
  OPTIONAL { ?post org:role ?role }
  OPTIONAL { ?post org:postIn ?country }
}
ORDER BY STR(?start)
"""

ACTOR_MEETINGS = PREFIXES + """
SELECT DISTINCT ?actor ?meeting ?key ?date ?mode
WHERE {
  { ?meeting aid:remoteAttendee ?actor . BIND("remote" AS ?mode) }
  UNION
  { ?meeting schema:attendee ?actor . FILTER NOT EXISTS { ?meeting aid:remoteAttendee ?actor }
    BIND("in person" AS ?mode) }
  UNION
  { ?meeting aid:chair ?actor . BIND("chair" AS ?mode) }
  OPTIONAL { ?meeting skos:notation ?key }
  OPTIONAL { ?meeting schema:startDate ?date }
}
ORDER BY STR(?date)
"""

COUNTRY_PEOPLE = PREFIXES + """
SELECT DISTINCT ?actor ?person ?name ?role
WHERE { ?post org:postIn ?actor ; org:role ?role .
        { ?person org:holds ?post } UNION { ?tenure org:member ?person ; aid:post ?post }
        OPTIONAL { ?person schema:name ?name } }
ORDER BY ?name
"""

# ------------------------------------------------------------------------------------------- equipment

EQUIPMENT = PREFIXES + """
SELECT ?equipment (SAMPLE(?label) AS ?name) (SAMPLE(?cat) AS ?category)
       (COUNT(DISTINCT ?pledge) AS ?pledges) (COUNT(DISTINCT ?donor) AS ?donors) ?f_category
WHERE {
  { ?equipment a aid:EquipmentSystem } UNION { ?pledge0 schema:object ?equipment }
  #FILTER_CATEGORY
  OPTIONAL { ?equipment aid:category ?cat }
  OPTIONAL { ?equipment skos:prefLabel|schema:name ?label
             FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?pledge schema:object ?equipment ; a aid:Pledge . OPTIONAL { ?pledge schema:agent ?donor } }
}
GROUP BY ?equipment ?f_category
ORDER BY DESC(?pledges) ?equipment
"""
EQUIPMENT_CATEGORY_FILTER = "?equipment aid:category/skos:broader* ?f_category ."

EQUIPMENT_DETAIL = PREFIXES + """
SELECT ?equipment ?category ?label ?wikidata
WHERE {
  OPTIONAL { ?equipment aid:category ?category }
  OPTIONAL { ?equipment skos:prefLabel|skos:altLabel|schema:name|rdfs:label ?label }
  OPTIONAL { ?equipment <http://www.w3.org/2002/07/owl#sameAs> ?wikidata }
}
"""

# ------------------------------------------------------------------------------------------- articles

ARTICLE = PREFIXES + """
SELECT ?article ?p ?o WHERE { GRAPH ?article { ?article ?p ?o } }
"""
ARTICLE_FACTS = PREFIXES + """
SELECT ?fact ?type ?f_article WHERE {
  GRAPH ?f_article { ?fact a ?type .
    FILTER(?type IN (aid:Pledge, aid:Meeting, schema:Person, aid:EquipmentSystem, aid:Tenure)) }
}
ORDER BY ?type ?fact
"""
ARTICLE_REPORT = PREFIXES + """
SELECT ?result ?severity ?focus ?path ?message ?value ?shape ?f_report WHERE {
  GRAPH ?f_report { ?result a sh:ValidationResult .
    OPTIONAL { ?result sh:resultSeverity ?severity } OPTIONAL { ?result sh:focusNode ?focus }
    OPTIONAL { ?result sh:resultPath ?path } OPTIONAL { ?result sh:resultMessage ?message }
    OPTIONAL { ?result sh:value ?value } OPTIONAL { ?result sh:sourceShape ?shape } }
}
"""
QUARANTINED = PREFIXES + """
SELECT (COUNT(*) AS ?triples) ?f_quarantine WHERE { GRAPH ?f_quarantine { ?s ?p ?o } } GROUP BY ?f_quarantine
"""

# ------------------------------------------------------------------------------------------- search, stats

SEARCH = PREFIXES + f"""
SELECT ?resource ?label ?type ?f_q WHERE {{
  ?resource {SEARCH_LABEL_PATH} ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), LCASE(?f_q)))
  OPTIONAL {{ ?resource a ?type }}
}}
"""

STATS = PREFIXES + """
SELECT ?what (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES (?what ?class) {
    ("pledges" aid:Pledge) ("meetings" aid:Meeting) ("persons" schema:Person) ("countries" schema:Country)
    ("organisations" org:Organization) ("equipment" aid:EquipmentSystem) ("articles" schema:NewsArticle)
    ("claims" aid:Claim)
  }
  OPTIONAL { GRAPH ?g { ?x a ?class }
             FILTER(!STRSTARTS(STR(?g), "https://w3id.org/aidgraph/graph/quarantine/")) }
}
GROUP BY ?what
"""
STATS_GRAPHS = "SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
