"""The SPARQL of the web app (kept in one module so that a change of the store model is made here once).

The pledge table itself comes from the REST lookup layer (``api.routes_rest`` over ``api.lookups``);
these are the few extra questions the pages ask: facet counts, the words to highlight, the claims of an
article with their offsets, the label index of the search box. User values are bound to variables
(``?f_...``), never written into the text, exactly as in :mod:`api.lookups`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from api.lookups import ARTICLE_TEXT, PLEDGE_FILTERS, PREFIXES, SEARCH_LABEL_PATH

#: the properties whose values the label index keeps (search and display); display uses the first three
LABEL_PROPERTIES = (
    "skos:prefLabel",
    "schema:name",
    "rdfs:label",
    *(p for p in SEARCH_LABEL_PATH.split("|") if p not in ("skos:prefLabel", "schema:name", "rdfs:label")),
    "schema:headline",
)

#: every label of every resource of ours: (resource, property, label); read once, then cached
LABELS = (
    PREFIXES
    + f"""
SELECT DISTINCT ?r ?p ?label WHERE {{
  VALUES ?p {{ {" ".join(LABEL_PROPERTIES)} }}
  ?r ?p ?label .
  FILTER(STRSTARTS(STR(?r), "https://w3id.org/aidgraph/id/"))
}}
"""
)

#: the category tree (narrower -> broader) and the variants of equipment systems (variant -> parent)
BROADER = (
    PREFIXES
    + """
SELECT DISTINCT ?narrower ?broader WHERE {
  ?narrower skos:broader ?broader .
  FILTER(STRSTARTS(STR(?narrower), "https://w3id.org/aidgraph/id/"))
  FILTER(STRSTARTS(STR(?broader), "https://w3id.org/aidgraph/id/"))
}
"""
)

#: the language filter of the explorer (the REST lookups have none): a source article in ?f_lang
LANGUAGE_FILTER = PLEDGE_FILTERS["lang"]

#: what each facet counts: a pattern binding ?value for ?pledge. Each facet is its own query: in one
#: UNION they took minutes on a 1k-article store (the planner joins the branches badly), apart about 1 s.
#: Categories count the pledge's own category; api.web.data rolls them up to the broader categories (a
#: pledge has one category). ``schema:object/aid:category`` is left out on purpose: in the union default
#: graph the item's category repeats once per article graph, and that path multiplied the rows.
FACETS = {
    "donor": "?pledge schema:agent ?value .",
    "recipient": "?pledge schema:recipient ?value .",
    "category": "?pledge aid:category ?value .",
    "item": "?pledge schema:object ?value .",
    "status": "?pledge aid:status ?value .",
    "meeting": "?pledge aid:announcedAt ?value .",
    "lang": "?pledge prov:wasDerivedFrom ?a . ?a schema:inLanguage ?l . BIND(STR(?l) AS ?value)",
    "total": 'BIND("" AS ?value)',
}


#: the filters of the facet queries: the REST lookups' fragments, except the category: the pledge's own
#: (``aid:category``, which every pledge has) among the categories under the chosen one, found first.
#: ``schema:object/aid:category`` repeats the item's category once per article graph in the union
#: default graph, and counting over it (or over ``?c skos:broader* ?f_category`` joined late) timed out
#: at 1k articles.
#: The two date bounds test one date pattern (``#DATE``, added once) instead of one pattern each, whose
#: product over the repeated dates made a donor + date range count take 10 s at 1k articles.
FACET_FILTERS = PLEDGE_FILTERS | {
    "category": "{ SELECT DISTINCT ?f_cat WHERE { VALUES ?f_category { #CATEGORY } "
                "?f_cat skos:broader* ?f_category } } ?pledge aid:category ?f_cat .",
    "date_from": "FILTER(SUBSTR(?f_date_from, 1, STRLEN(STR(?f_date))) "
                 "<= SUBSTR(STR(?f_date), 1, STRLEN(?f_date_from)))",
    "date_to": "FILTER(SUBSTR(STR(?f_date), 1, STRLEN(?f_date_to)) "
               "<= SUBSTR(?f_date_to, 1, STRLEN(STR(?f_date))))",
}
DATE_PATTERN = "{ SELECT DISTINCT ?pledge ?f_date WHERE { ?pledge dcterms:date ?f_date } }"


def facet_query(facet: str, filters: Iterable[str], bindings: dict[str, tuple], extra: str = "") -> str:
    """Distinct pledges per value of ``facet`` among the accepted pledges matching ``filters``.

    ``filters`` names keys of :data:`FACET_FILTERS`, ``extra`` is a fixed pattern (the language filter).
    The bound values are written into the query as VALUES (by pyoxigraph's serialiser, as
    :func:`inline` does), inside the subquery: values bound by the engine do not reach into a subquery.
    """
    inner = {name: value for name, value in bindings.items() if name != "f_category"}
    values = _values(inner)
    fragments = "\n    ".join(FACET_FILTERS[name] for name in filters)
    if "f_category" in bindings:
        fragments = fragments.replace("#CATEGORY", _term(bindings["f_category"]))
    if {"date_from", "date_to"} & set(filters):
        fragments = fragments + "\n    " + DATE_PATTERN
    return PREFIXES + f"""
SELECT ?value (COUNT(DISTINCT ?pledge) AS ?n) WHERE {{
  {{ SELECT DISTINCT ?pledge WHERE {{
    {values}
    {fragments}
    {extra}
    ?pledge a aid:Pledge .
  }} }}
  {FACETS[facet]}
}} GROUP BY ?value
"""


def _term(value: tuple) -> str:
    """A bound value (engine term) as SPARQL text, written by pyoxigraph's serialiser."""
    from pyoxigraph import Literal, NamedNode

    if value[0] == "uri":
        return str(NamedNode(value[1]))
    datatype = value[2] if len(value) > 2 else None
    lang = value[3] if len(value) > 3 else None
    if lang:
        return str(Literal(value[1], language=lang))
    return str(Literal(value[1], datatype=NamedNode(datatype))) if datatype else str(Literal(value[1]))


def _values(bindings: dict[str, tuple]) -> str:
    """A VALUES block binding ``bindings`` (empty text when there are none)."""
    if not bindings:
        return ""
    names = sorted(bindings)
    row = " ".join(_term(bindings[name]) for name in names)
    return f"VALUES ({' '.join('?' + name for name in names)}) {{ ({row}) }}"


def claim_offsets_query(claims: list[str]) -> str:
    """Begin and end offsets of the given claims (IRIs from the store, checked by pyoxigraph's parser)."""
    from pyoxigraph import NamedNode

    values = " ".join(str(NamedNode(iri)) for iri in claims)
    return (
        PREFIXES
        + f"""
SELECT DISTINCT ?claim ?begin ?end WHERE {{
  VALUES ?claim {{ {values} }}
  ?claim nif:beginIndex ?begin ; nif:endIndex ?end .
}}
"""
    )


#: the claims read from one article (graph ?f_graph: the article graph or its quarantine graph), each with
#: the fact it supports, the fact's type, its evidence and offsets
ARTICLE_CLAIMS = (
    PREFIXES
    + """
SELECT DISTINCT ?fact ?type ?claim ?begin ?end ?anchor ?rule ?f_graph WHERE {
  GRAPH ?f_graph {
    ?fact prov:qualifiedDerivation ?claim .
    ?claim nif:beginIndex ?begin ; nif:endIndex ?end ; nif:anchorOf ?anchor .
    OPTIONAL { ?claim aid:extractionRule ?rule }
    OPTIONAL { ?fact a ?type FILTER(?type IN (aid:Pledge, aid:Meeting, schema:Person, aid:EquipmentSystem)) }
  }
}
"""
)

#: the subjects of a quarantine graph (the rejected facts) and their types
QUARANTINED_FACTS = (
    PREFIXES
    + """
SELECT DISTINCT ?fact ?type ?f_graph WHERE { GRAPH ?f_graph { ?fact a ?type } }
"""
)

#: the pledge-level values of the facts of one graph (to describe a rejected pledge: donor, item, quantity)
FACT_VALUES = (
    PREFIXES
    + """
SELECT DISTINCT ?fact ?p ?o ?f_graph WHERE {
  GRAPH ?f_graph { ?fact ?p ?o .
    FILTER(?p IN (schema:agent, schema:recipient, schema:object, aid:itemLabel, aid:category, aid:quantity,
                  aid:status, dcterms:date, aid:announcedAt, schema:name, skos:notation)) }
}
"""
)


def article_summaries_query(articles: list[str]) -> str:
    """Headline, date, language, publisher and url of the given articles (IRIs checked by pyoxigraph)."""
    from pyoxigraph import NamedNode

    values = " ".join(str(NamedNode(iri)) for iri in articles)
    return (
        PREFIXES
        + f"""
SELECT ?article (SAMPLE(?h) AS ?headline) (SAMPLE(?d) AS ?published) (SAMPLE(?l) AS ?lang)
       (SAMPLE(?pn) AS ?publisherName) (SAMPLE(?u) AS ?url) WHERE {{
  VALUES ?article {{ {values} }}
  # each OPTIONAL in its own GRAPH ?article: with the OPTIONALs inside one GRAPH block pyoxigraph
  # evaluated the block over every article graph before joining the VALUES (1 s at 10k articles)
  GRAPH ?article {{ ?article a schema:NewsArticle }}
  OPTIONAL {{ GRAPH ?article {{ ?article schema:headline ?h }} }}
  OPTIONAL {{ GRAPH ?article {{ ?article schema:datePublished ?d }} }}
  OPTIONAL {{ GRAPH ?article {{ ?article schema:inLanguage ?l }} }}
  OPTIONAL {{ GRAPH ?article {{ ?article schema:url ?u }} }}
  OPTIONAL {{ GRAPH ?article {{ ?article schema:publisher/schema:name ?pn }} }}
}} GROUP BY ?article
"""
    )


#: meetings dated within [?f_from, ?f_to] (date strings), for the timeline
MEETINGS_BETWEEN = (
    PREFIXES
    + """
SELECT DISTINCT ?meeting ?key ?date ?f_from ?f_to WHERE {
  ?meeting a aid:Meeting .
  ?meeting skos:notation ?key ; schema:startDate ?date .
  FILTER(STR(?date) >= ?f_from && STR(?date) <= ?f_to)
} ORDER BY ?date
"""
)

__all__ = [
    "ARTICLE_CLAIMS",
    "ARTICLE_TEXT",
    "BROADER",
    "FACETS",
    "FACT_VALUES",
    "LABELS",
    "LANGUAGE_FILTER",
    "MEETINGS_BETWEEN",
    "QUARANTINED_FACTS",
    "article_summaries_query",
    "claim_offsets_query",
    "facet_query",
]


def inline(sparql: str, bindings: dict[str, tuple]) -> str:
    """``sparql`` with its bound values written out as a VALUES block at the start of its WHERE clause, to
    open in the SPARQL page: the same question, runnable as it stands (and as fast: the values are
    joined first)."""
    if not bindings:
        return sparql
    values = _values(bindings)
    where = re.search(r"\bWHERE\s*\{", sparql, flags=re.IGNORECASE)
    if where is None:
        return sparql.rstrip() + "\n" + values + "\n"
    return sparql[:where.end()] + "\n  " + values + sparql[where.end():]


def explorer_query(filters: Iterable[str], extra: str, limit: int, offset: int) -> str:
    """The explorer's table as one readable SELECT (labels, evidence, article), for the SPARQL page."""
    fragments = "\n  ".join(PLEDGE_FILTERS[name] for name in filters)
    return (
        PREFIXES
        + f"""
# the pledges of the explorer, newest first (the web app pages the same filters)
SELECT DISTINCT ?pledge ?donor ?item ?category ?quantity ?status ?date ?meeting ?evidence ?article WHERE {{
  ?pledge a aid:Pledge .
  {extra}
  {fragments}
  OPTIONAL {{ ?pledge schema:agent ?agent }}
  OPTIONAL {{ ?pledge aid:itemLabel ?itemText }}
  OPTIONAL {{ ?pledge schema:object ?system .
             OPTIONAL {{ GRAPH aidg:reference {{ ?system skos:prefLabel ?systemLabel }}
                        FILTER(LANGMATCHES(LANG(?systemLabel), "en")) }} }}
  OPTIONAL {{ ?pledge aid:category ?categoryNode }}
  OPTIONAL {{ ?pledge aid:quantity ?quantity }}
  OPTIONAL {{ ?pledge aid:status ?statusNode }}
  OPTIONAL {{ ?pledge dcterms:date ?date }}
  OPTIONAL {{ ?pledge aid:announcedAt ?meetingNode }}
  OPTIONAL {{ ?pledge prov:qualifiedDerivation ?claim .
             ?claim nif:anchorOf ?evidence ; prov:entity ?article }}
  BIND(REPLACE(STR(?agent), "^.*/", "") AS ?donor)
  BIND(COALESCE(?itemText, ?systemLabel, REPLACE(STR(?system), "^.*/", "")) AS ?item)
  BIND(REPLACE(STR(?categoryNode), "^.*/", "") AS ?category)
  BIND(REPLACE(STR(?statusNode), "^.*/", "") AS ?status)
  BIND(REPLACE(STR(?meetingNode), "^.*/", "") AS ?meeting)
}} ORDER BY DESC(STR(?date)) ?pledge LIMIT {int(limit)} OFFSET {int(offset)}
"""
    )
