"""The SPARQL behind the REST lookups, and the shaping of its rows into JSON records.

The lookups read the store's default graph: the merge of the ontology, reference and article graphs,
each triple once, quarantined facts left out (``graph.store.merge``). ``GRAPH`` appears only where
a lookup is about one article (its metadata, facts, SHACL report, quarantine).

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
    # the pledge's item is this equipment (the equipment pages)
    "object": "?pledge schema:object ?f_object .",
    # a source article of the pledge is in this language (the web explorer)
    "lang": "?pledge prov:wasDerivedFrom ?f_lang_article . ?f_lang_article schema:inLanguage ?f_lang_value ."
            " FILTER(STR(?f_lang_value) = ?f_lang)",
}


def pledge_criteria(filters: Iterable[str], bindings: dict[str, Term], extra: str = ""):
    """The read model's criteria (``graph.store.readmodel.PledgeCriteria``) meaning the same as these
    PLEDGE_FILTERS fragments with these bound values; None when ``extra`` adds a pattern it cannot
    express (the caller then asks SPARQL)."""
    from graph.store.readmodel import PledgeCriteria

    if extra.strip():
        return None
    criteria = PledgeCriteria()
    for name in filters:
        if name in ("donor", "recipient"):
            criteria.equal[name] = sorted({bindings[f"f_{name}_a"][1], bindings[f"f_{name}_b"][1]})
        elif name in ("category", "status", "meeting", "object", "lang"):
            criteria.equal[name] = [bindings[f"f_{name}"][1]]
        elif name == "item":
            criteria.item = (bindings["f_item_iri"][1], bindings["f_item"][1].lower())
        elif name == "date_from":
            criteria.date_from = bindings["f_date_from"][1]
        elif name == "date_to":
            criteria.date_to = bindings["f_date_to"][1]
        else:
            return None
    return criteria


def pledge_page_query(filters: Iterable[str], limit: int, offset: int, *, bound: Iterable[str] = (),
                      extra: str = "") -> str:
    """The IRIs of one page of pledges (newest first) matching ``filters``.

    ``filters`` names keys of PLEDGE_FILTERS; ``extra`` is a fixed pattern about ?pledge (no user text);
    ``bound`` names the variables the caller binds (pyoxigraph binds only projected variables, so they
    are projected).
    """
    fragments = "\n  ".join(PLEDGE_FILTERS[name] for name in filters)
    projected = " ".join(f"?{name}" for name in sorted(bound))
    return PREFIXES + f"""
SELECT DISTINCT ?pledge ?sortDate {projected} WHERE {{
  ?pledge a aid:Pledge .
  {extra}
  {fragments}
  OPTIONAL {{ ?pledge dcterms:date ?anyDate }}
  BIND(COALESCE(STR(?anyDate), "") AS ?sortDate)
}} ORDER BY DESC(?sortDate) ?pledge LIMIT {int(limit)} OFFSET {int(offset)}
"""


def pledge_count_query(filters: Iterable[str], *, bound: Iterable[str] = ()) -> str:
    """How many pledges match ``filters`` (``?n``; no row when none does). The bound variables are
    projected and grouped by (pyoxigraph binds only projected variables)."""
    fragments = "\n  ".join(PLEDGE_FILTERS[name] for name in filters)
    projected = " ".join(f"?{name}" for name in sorted(bound))
    group = f"GROUP BY {projected}" if projected else ""
    return PREFIXES + f"""
SELECT (COUNT(DISTINCT ?pledge) AS ?n) {projected} WHERE {{
  ?pledge a aid:Pledge .
  {fragments}
}} {group}
"""


#: (sortDate, rows) newest first: how many (pledge, date) rows each date string has in the whole store.
#: One index scan, no IRI decoding; the windowed page query picks its date cutoff from it.
PLEDGE_DATE_HISTOGRAM = PREFIXES + """
SELECT ?sortDate (COUNT(*) AS ?rows) WHERE {
  { SELECT DISTINCT ?pledge ?sortDate WHERE { ?pledge dcterms:date ?date BIND(STR(?date) AS ?sortDate) } }
} GROUP BY ?sortDate ORDER BY DESC(?sortDate)
"""


def date_cutoff(histogram: list[tuple[str, int]], rows_wanted: int) -> str | None:
    """The newest date string whose window (it and every newer date) holds ``rows_wanted`` rows.

    ``histogram`` is (date string, rows) newest first; None when the whole store holds fewer rows.
    """
    seen = 0
    for sort_date, rows in histogram:
        seen += rows
        if seen >= rows_wanted:
            return sort_date
    return None


def rows_from(histogram: list[tuple[str, int]], cutoff: str) -> int:
    """How many rows the histogram has at or after ``cutoff`` (the candidates of that window)."""
    return sum(rows for sort_date, rows in histogram if sort_date >= cutoff)


def date_in_range(sort_date: str, date_from: str | None, date_to: str | None) -> bool:
    """Whether a pledge date passes the date_from / date_to filters (compared at the coarser precision,
    as PLEDGE_FILTERS does)."""
    if date_from and not date_from[:len(sort_date)] <= sort_date[:len(date_from)]:
        return False
    return not date_to or sort_date[:len(date_to)] <= date_to[:len(sort_date)]


def pledge_window_query(filters: Iterable[str], limit: int, offset: int, cutoff: str, *,
                        bound: Iterable[str] = (), extra: str = "") -> str:
    """:func:`pledge_page_query` restricted to the pledge dates at or after ``cutoff``.

    Its rows are the rows of the page query whose ``?sortDate >= cutoff``, in the same order; all the
    others sort after them. So when it answers a full page (``limit`` rows), that page is the page
    query's page. It is fast because the candidates come from one date-ordered pattern and only
    they are checked (a pledge, the filters) and sorted; the whole store is never sorted by
    pledge IRI (decoding every IRI for the tie-break is what made the page query slow on disk).
    ``cutoff`` is a date string read from the store, written as a literal by pyoxigraph's serialiser.
    """
    from pyoxigraph import Literal

    fragments = "\n  ".join(PLEDGE_FILTERS[name] for name in filters)
    projected = " ".join(f"?{name}" for name in sorted(bound))
    return PREFIXES + f"""
SELECT DISTINCT ?pledge ?sortDate {projected} WHERE {{
  {{ SELECT DISTINCT ?pledge ?sortDate WHERE {{ ?pledge dcterms:date ?anyDate
      BIND(STR(?anyDate) AS ?sortDate) FILTER(?sortDate >= {Literal(cutoff)}) }} }}
  FILTER EXISTS {{ ?pledge a aid:Pledge }}
  {extra}
  {fragments}
}} ORDER BY DESC(?sortDate) ?pledge LIMIT {int(limit)} OFFSET {int(offset)}
"""


def _detail_branches() -> list[str]:
    """The patterns of the pledge details: own properties, claims, amounts, items' labels."""
    own = ", ".join(f"<{P[name]}>" for name in PLEDGE_PROPERTIES)
    # FILTER(?p IN ...), not VALUES ?p: pyoxigraph would join VALUES ?p first and scan every pledge
    return [
        f"{{ ?pledge ?p ?o FILTER(?p IN ({own})) BIND(?pledge AS ?node) }}",
        "{ ?pledge prov:qualifiedDerivation ?node . ?node ?p ?o "
        "FILTER(?p IN (prov:entity, nif:anchorOf, aid:confidence)) }",
        "{ ?pledge schema:amount ?node . ?node ?p ?o FILTER(?p IN (schema:value, schema:currency)) }",
        "{ ?pledge schema:object ?node . ?node skos:prefLabel|schema:name ?o . BIND(skos:prefLabel AS ?p) }",
    ]


def _pledge_values(pledges: list[str]) -> str:
    from pyoxigraph import NamedNode

    return "VALUES ?pledge { " + " ".join(str(NamedNode(iri)) for iri in pledges) + " }"


def pledge_details_branches(pledges: list[str]) -> list[str]:
    """The parts of :func:`pledge_details_query`, each a query of its own with the same variables.
    Run apart, each joins the VALUES first (in one UNION pyoxigraph evaluates every branch before it
    joins the VALUES): the read model's builder reads them so."""
    values = _pledge_values(pledges)
    return [PREFIXES + f"SELECT DISTINCT ?pledge ?node ?p ?o WHERE {{ {values} {branch} }}"
            for branch in _detail_branches()]


def pledge_details_query(pledges: list[str]) -> str:
    """The facts :func:`shape_pledges` reads about the given pledges, their claims and amounts, and
    their items' labels.

    The pledge IRIs come from the store (the page query), and are checked by pyoxigraph's IRI parser
    before they are written into the VALUES clause. One row per (pledge, node, property, value):
    linear in the data (a pledge reported by n articles has n claims, three rows each).
    """
    union = "\n  UNION\n  ".join(_detail_branches())
    return PREFIXES + f"""
SELECT DISTINCT ?pledge ?node ?p ?o WHERE {{
  {_pledge_values(pledges)}
  {union}
}}
"""


P = {
    "agent": "https://schema.org/agent", "recipient": "https://schema.org/recipient",
    "object": "https://schema.org/object", "itemLabel": "https://w3id.org/aidgraph/ontology#itemLabel",
    "category": "https://w3id.org/aidgraph/ontology#category",
    "quantity": "https://w3id.org/aidgraph/ontology#quantity", "amount": "https://schema.org/amount",
    "value": "https://schema.org/value", "currency": "https://schema.org/currency",
    "status": "https://w3id.org/aidgraph/ontology#status", "date": "http://purl.org/dc/terms/date",
    "meeting": "https://w3id.org/aidgraph/ontology#announcedAt",
    "claim": "http://www.w3.org/ns/prov#qualifiedDerivation", "entity": "http://www.w3.org/ns/prov#entity",
    "anchor": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf",
    "confidence": "https://w3id.org/aidgraph/ontology#confidence",
    "label": "http://www.w3.org/2004/02/skos/core#prefLabel",
}
#: the pledge's own properties a record shows
PLEDGE_PROPERTIES = ("agent", "recipient", "object", "itemLabel", "category", "quantity", "amount", "status",
                     "date", "meeting", "claim")


def shape_pledges(order: list[str], rows: list[dict[str, Term]]) -> list[dict[str, Any]]:
    """One record per pledge (in ``order``) from the rows of :func:`pledge_details_query`."""
    facts: dict[str, dict[str, dict[str, list[Term]]]] = {}
    for row in rows:
        pledge, node = row["pledge"][1], row["node"][1]
        values = facts.setdefault(pledge, {}).setdefault(node, {}).setdefault(row["p"][1], [])
        if row["o"] not in values:
            values.append(row["o"])
    records = []
    for pledge in order:
        nodes = facts.get(pledge, {})
        own = nodes.get(pledge, {})

        def values(prop: str, node: str | None = None, own=own, nodes=nodes) -> list[Term]:
            found = own if node is None else nodes.get(node, {})
            return sorted(found.get(P[prop], []))

        def first(prop: str, convert=python_value, node: str | None = None) -> Any:
            found = values(prop, node)
            return convert(found[0]) if found else None

        item_iri = first("object")
        amount_node = first("amount")
        record: dict[str, Any] = {
            "id": pledge, "donor": code(first("agent")), "recipient": code(first("recipient")),
            "item": first("itemLabel") or pick_label(values("label", item_iri) if item_iri else [])
            or code(item_iri),
            "item_iri": item_iri, "category": code(first("category")), "quantity": first("quantity"),
            "amount": first("value", node=amount_node) if amount_node else None,
            "currency": first("currency", node=amount_node) if amount_node else None,
            "status": code(first("status")), "date": first("date"), "meeting": code(first("meeting")),
        }
        conflicts = {name: [python_value(t) for t in values(name)]
                     for name in ("quantity", "date", "status", "agent") if len(values(name)) > 1}
        if conflicts:
            record["conflicting_values"] = conflicts
        sources = []
        for claim in values("claim"):
            article = first("entity", node=claim[1])
            sources.append({"claim": claim[1], "article": article_id(article), "article_iri": article,
                            "evidence": first("anchor", node=claim[1]),
                            "confidence": first("confidence", node=claim[1])})
        record["sources"] = sorted(sources, key=lambda source: (str(source["article"]), source["claim"]))
        records.append(record)
    return records


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

# One row per meeting even where articles disagree (two dates, two places): each property is read in
# its own aggregate subquery, joined on ?meeting.
MEETINGS = PREFIXES + """
SELECT ?meeting ?key ?format ?date ?placeName ?countries ?attendees ?pledges ?f_format
WHERE {
  { SELECT DISTINCT ?meeting ?f_format WHERE {
      ?meeting a aid:Meeting .
      #FILTER_FORMAT
  } }
  OPTIONAL { SELECT ?meeting (SAMPLE(?k) AS ?key) WHERE { ?meeting skos:notation ?k } GROUP BY ?meeting }
  OPTIONAL { SELECT ?meeting (SAMPLE(?fm) AS ?format)
             WHERE { ?meeting aid:format ?fm } GROUP BY ?meeting }
  OPTIONAL { SELECT ?meeting (SAMPLE(?d) AS ?date)
             WHERE { ?meeting schema:startDate ?d } GROUP BY ?meeting }
  OPTIONAL { SELECT ?meeting (SAMPLE(?pn) AS ?placeName)
             WHERE { ?meeting schema:location/schema:name ?pn } GROUP BY ?meeting }
  OPTIONAL { SELECT ?meeting (MAX(?n) AS ?countries)
             WHERE { ?meeting aid:numberOfCountries ?n } GROUP BY ?meeting }
  OPTIONAL { SELECT ?meeting (COUNT(DISTINCT ?a) AS ?attendees)
             WHERE { ?meeting schema:attendee|aid:remoteAttendee ?a } GROUP BY ?meeting }
  #PLEDGES
}
ORDER BY DESC(STR(?date)) ?meeting
"""
#: the pledges announced at each meeting (the read model has these counts: ``facet_totals``, of the
#: subjects typed aid:Pledge, the domain of aid:announcedAt; requiring the type here took 45x longer)
MEETING_PLEDGES = """OPTIONAL { SELECT ?meeting (COUNT(DISTINCT ?p) AS ?pledges)
             WHERE { ?p aid:announcedAt ?meeting } GROUP BY ?meeting }"""
MEETINGS_WITHOUT_PLEDGES = MEETINGS
MEETINGS = MEETINGS.replace("#PLEDGES", MEETING_PLEDGES)
MEETING_FORMAT_FILTER = "?meeting aid:format ?f_format ."

# one row per (field, value): linear however many articles report the meeting
MEETING_DETAIL = PREFIXES + """
SELECT DISTINCT ?meeting ?field ?value ?name
WHERE {
  { ?meeting skos:notation ?value BIND("key" AS ?field) }
  UNION { ?meeting aid:format ?value BIND("format" AS ?field) }
  UNION { ?meeting schema:startDate ?value BIND("date" AS ?field) }
  UNION { ?meeting schema:location/schema:name ?value BIND("place" AS ?field) }
  UNION { ?meeting aid:numberOfCountries ?value BIND("countries" AS ?field) }
  UNION { ?meeting prov:wasDerivedFrom ?value BIND("article" AS ?field) }
  UNION { ?meeting aid:chair ?value BIND("chair" AS ?field) }
  UNION { ?meeting schema:attendee ?value BIND("attendee" AS ?field) }
  UNION { ?meeting aid:remoteAttendee ?value BIND("remote" AS ?field) }
  UNION { { ?meeting schema:attendee|aid:remoteAttendee ?value } ?value schema:name ?name
          BIND("name" AS ?field) }
}
"""

# ------------------------------------------------------------------------------------------- actors

ACTORS = PREFIXES + """
SELECT ?actor ?type ?name ?articles ?f_type
WHERE {
  { SELECT DISTINCT ?actor ?type ?f_type WHERE {
      VALUES (?type ?class) {
        ("person" schema:Person) ("country" schema:Country) ("organisation" org:Organization) }
      ?actor a ?class .
      #FILTER_TYPE
  } }
  OPTIONAL { SELECT ?actor (COUNT(DISTINCT ?article) AS ?articles)
             WHERE { ?actor aid:mentionedIn ?article } GROUP BY ?actor }
  OPTIONAL { SELECT ?actor (SAMPLE(?label) AS ?name) WHERE {
               ?actor skos:prefLabel|schema:name ?label
               FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")) } GROUP BY ?actor }
}
ORDER BY DESC(COALESCE(?articles, 0)) ?actor
"""

ACTOR_TYPE_FILTER = "FILTER(?type = ?f_type)"
ACTOR_TYPE = PREFIXES + """
SELECT DISTINCT ?actor ?class ?f_a ?f_b ?f_c WHERE {
  # one branch per candidate (a lookup each), not FILTER(?actor IN ...) over every typed resource
  { ?f_a a ?class BIND(?f_a AS ?actor) } UNION { ?f_b a ?class BIND(?f_b AS ?actor) }
  UNION { ?f_c a ?class BIND(?f_c AS ?actor) }
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
SELECT ?actor ?meeting ?key ?date ?mode
WHERE {
  { SELECT ?actor ?meeting (IF(MAX(?how) = 2, "chair", IF(MAX(?how) = 1, "remote", "in person")) AS ?mode)
    WHERE {
      { SELECT DISTINCT ?actor ?meeting ?how WHERE {
          { ?meeting schema:attendee ?actor BIND(0 AS ?how) }
          UNION { ?meeting aid:remoteAttendee ?actor BIND(1 AS ?how) }
          UNION { ?meeting aid:chair ?actor BIND(2 AS ?how) } } }
    } GROUP BY ?actor ?meeting }
  OPTIONAL { SELECT ?meeting (SAMPLE(?k) AS ?key) WHERE { ?meeting skos:notation ?k } GROUP BY ?meeting }
  OPTIONAL { SELECT ?meeting (SAMPLE(?d) AS ?date) WHERE { ?meeting schema:startDate ?d } GROUP BY ?meeting }
}
ORDER BY STR(?date)
"""

COUNTRY_PEOPLE = PREFIXES + """
SELECT ?actor ?person ?name ?role
WHERE {
  { SELECT DISTINCT ?actor ?person ?role WHERE {
      ?post org:postIn ?actor ; org:role ?role .
      { ?person org:holds ?post } UNION { ?tenure org:member ?person ; aid:post ?post } } }
  OPTIONAL { SELECT ?person (SAMPLE(?n) AS ?name) WHERE { ?person schema:name ?n } GROUP BY ?person }
}
ORDER BY ?name
"""

# ------------------------------------------------------------------------------------------- equipment

EQUIPMENT = PREFIXES + """
SELECT ?equipment ?name ?category ?pledges ?donors ?f_category
WHERE {
  { SELECT DISTINCT ?equipment ?f_category WHERE {
      { ?equipment a aid:EquipmentSystem } UNION { ?anyPledge schema:object ?equipment }
      #FILTER_CATEGORY
  } }
  OPTIONAL { SELECT ?equipment (SAMPLE(?cat) AS ?category) WHERE { ?equipment aid:category ?cat }
             GROUP BY ?equipment }
  OPTIONAL { SELECT ?equipment (SAMPLE(?label) AS ?name) WHERE {
               ?equipment skos:prefLabel|schema:name ?label
               FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")) } GROUP BY ?equipment }
  OPTIONAL { SELECT ?equipment (COUNT(DISTINCT ?pledge) AS ?pledges) (COUNT(DISTINCT ?donor) AS ?donors)
             WHERE { ?pledge schema:object ?equipment ; a aid:Pledge .
                     OPTIONAL { ?pledge schema:agent ?donor } }
             GROUP BY ?equipment }
}
ORDER BY DESC(COALESCE(?pledges, 0)) ?equipment
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
SELECT ?result ?severity ?focus ?path ?message ?value ?shape ?constraint ?f_report WHERE {
  GRAPH ?f_report { ?result a sh:ValidationResult .
    OPTIONAL { ?result sh:resultSeverity ?severity } OPTIONAL { ?result sh:focusNode ?focus }
    OPTIONAL { ?result sh:resultPath ?path } OPTIONAL { ?result sh:resultMessage ?message }
    OPTIONAL { ?result sh:value ?value } OPTIONAL { ?result sh:sourceShape ?shape }
    OPTIONAL { ?result sh:sourceConstraintComponent ?constraint } }
}
"""
#: the normalised text of the article of a graph (its nif:Context; the claims' offsets index into it)
ARTICLE_TEXT = PREFIXES + """
SELECT ?text ?f_graph ?f_article WHERE {
  GRAPH ?f_graph { ?context a nif:Context ; nif:isString ?text ; prov:wasDerivedFrom ?f_article }
}
"""
QUARANTINED = PREFIXES + """
SELECT (COUNT(*) AS ?triples) ?f_quarantine WHERE { GRAPH ?f_quarantine { ?s ?p ?o } } GROUP BY ?f_quarantine
"""

# ------------------------------------------------------------------------------------------- search, stats

SEARCH = PREFIXES + f"""
SELECT DISTINCT ?resource ?label ?f_q WHERE {{
  ?resource {SEARCH_LABEL_PATH} ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), LCASE(?f_q)))
}}
"""

STATS = PREFIXES + """
SELECT ?what (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES (?what ?class) {
    ("pledges" aid:Pledge) ("meetings" aid:Meeting) ("persons" schema:Person) ("countries" schema:Country)
    ("organisations" org:Organization) ("equipment" aid:EquipmentSystem) ("articles" schema:NewsArticle)
    ("claims" aid:Claim)
  }
  OPTIONAL { ?x a ?class }
}
GROUP BY ?what
"""
STATS_GRAPHS = "SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"

# ------------------------------------------------------------------------------------------- filter checks

#: one row when the bound ?x is a typed resource of the store (the filter value names something)
EXISTS = "SELECT ?x WHERE { ?x a ?type } LIMIT 1"
MENTIONED = "SELECT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } } LIMIT 1"
CATEGORY_KEYS = PREFIXES + """
SELECT DISTINCT ?key WHERE {
  ?category skos:inScheme <https://w3id.org/aidgraph/id/scheme/categories> ; skos:notation ?key }
ORDER BY ?key
"""

# ------------------------------------------------------------------------------------------- article list

ARTICLES = PREFIXES + """
SELECT ?article ?id ?published ?lang ?headline ?publisherName ?url ?f_lang WHERE {
  GRAPH ?article { ?article a schema:NewsArticle ; schema:identifier ?id .
    OPTIONAL { ?article schema:datePublished ?published }
    OPTIONAL { ?article schema:inLanguage ?lang }
    OPTIONAL { ?article schema:headline ?headline }
    OPTIONAL { ?article schema:url ?url }
    OPTIONAL { ?article schema:publisher/schema:name ?publisherName } }
  #FILTER_LANG
}
ORDER BY DESC(?published) ?id
"""
ARTICLE_LANG_FILTER = "FILTER(STR(?lang) = ?f_lang)"
