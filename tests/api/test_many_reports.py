"""One pledge stated by 300 articles: every saved query and REST lookup answers, at a cost linear in n.

News outlets restate the same pledge: each article graph then holds the same pledge, meeting,
persons and posts. The store's default graph is their merge (each triple once), so a query joining
the pledge's properties meets each property once, not once per article graph (a bag union gave
about n^k rows for k joined patterns and ran out of memory at a few hundred articles, issue 14).

The store: one article (our own words) runs through the real pipeline (extraction, RDF, SHACL gate,
store); the same accepted graph is then stored for 299 more article ids, as 299 outlets repeating the
story would be (only the article's own IRIs differ).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from api.saved_queries import saved_queries
from api.settings import ApiSettings
from graph.model import Article
from graph.store import open_store
from graph.vocab import PREFIXES, article_iri

N_ARTICLES = 300
#: rows per article the air-defence query may give without DISTINCT (one pledge line per source)
ROWS_PER_ARTICLE = 2
BUDGET_S = 20.0
REPO = Path(__file__).resolve().parents[2]

STORY = """Germany will send two more IRIS-T SLM air defence systems to Ukraine worth 300 million euros, \
German Defence Minister Boris Pistorius said on Friday at the meeting of the Ukraine Defense Contact Group \
in Brussels. Germany will also deliver two Skynex air defence systems to Ukraine. \
Pistorius chaired the meeting together with British Defence Secretary John Healey. US Defense \
Secretary Pete Hegseth took part by video link.
"""
FIRST_ID = "same-story-000"


def article_id(k: int) -> str:
    return f"same-story-{k:03d}"


def build_same_story_store(location: Path | None, n: int):
    """A store where ``n`` article graphs state the same story (see the module docstring)."""
    from datetime import date

    from graph import pipeline

    store = open_store(location)
    article = Article(id=FIRST_ID, text=STORY, lang="en", published=date(2025, 4, 11),
                      publisher="Northbridge Wire", title="Two more IRIS-T SLM for Ukraine")
    doc = pipeline.process_article(article, store)
    assert doc.facts_accepted > 0 and doc.facts_quarantined == 0
    text = store.serialize("nt", graph=str(article_iri(FIRST_ID))).decode("utf-8")
    assert FIRST_ID in text
    for start in range(1, n, 50):
        store.replace_graphs({str(article_iri(article_id(k))): text.replace(FIRST_ID, article_id(k))
                              for k in range(start, min(start + 50, n))})
    return store


def without_distinct(sparql: str) -> str:
    return re.sub(r"SELECT\s+DISTINCT", "SELECT", sparql, count=1, flags=re.IGNORECASE)


def readme_air_defence_query() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("Who pledged air defence"):]
    start = section.index("```sparql") + len("```sparql")
    return section[start:section.index("```", start)]


def count_rows(native: ox.Store, sparql: str, **options) -> int:
    return sum(1 for _ in native.query(sparql, prefixes=PREFIXES, **options))


@pytest.fixture(scope="module")
def many(tmp_path_factory, live_server_class):
    """(store, server) over the store where one story is stated by N_ARTICLES articles."""
    location = tmp_path_factory.mktemp("many-reports") / "store"
    build_same_story_store(location, N_ARTICLES).close()
    # a small result cap: one pledge's details (300 claims) fit in it, a page of three pledges does not
    settings = ApiSettings(store=str(location), query_timeout=BUDGET_S, result_cap=1500)
    with live_server_class(settings) as server:
        yield server


def test_the_pledge_is_stated_by_every_article_and_merged_once(many):
    query = """SELECT ?pledge (COUNT(DISTINCT ?g) AS ?graphs) WHERE {
      ?pledge a aid:Pledge ; aid:category <https://w3id.org/aidgraph/id/category/air_defence> .
      GRAPH ?g { ?pledge a aid:Pledge } } GROUP BY ?pledge"""
    typed = "SELECT ?pledge WHERE { ?pledge a aid:Pledge }"
    with many.client() as http:
        per_graph = http.post("/sparql", data={"query": query}).json()["results"]["bindings"]
        in_default = http.post("/sparql", data={"query": typed}).json()["results"]["bindings"]
    assert per_graph and all(int(row["graphs"]["value"]) == N_ARTICLES for row in per_graph)
    pledges = [row["pledge"]["value"] for row in in_default]
    assert len(pledges) == len(set(pledges)) >= len(per_graph)  # each pledge once in the default graph


@pytest.mark.parametrize("name", ["air_defence_pledges", "README air defence"])
def test_the_air_defence_queries_cost_rows_linear_in_the_articles(many, name):
    """Without DISTINCT, the saved and the README query give at most ROWS_PER_ARTICLE rows per
    article: linear in n, where the union bag of the named graphs gave ~n^8."""
    sparql = readme_air_defence_query() if name.startswith("README") else saved_queries()[name].sparql
    with many.client() as http:
        response = http.post("/sparql", data={"query": without_distinct(sparql)},
                             headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text[:300]
    rows = len(response.json()["results"]["bindings"])
    assert N_ARTICLES <= rows <= ROWS_PER_ARTICLE * N_ARTICLES


def test_the_bound_fails_on_the_union_bag(tmp_path):
    """The old semantics (default graph = union of the named graphs as a bag) break the bound already
    at n = 3, so the bound above tells the two apart."""
    store = build_same_story_store(tmp_path / "s", 3)
    try:
        query = without_distinct(saved_queries()["air_defence_pledges"].sparql)
        merged_rows = count_rows(store.native, query)
        named_only = ox.Store()  # the named graphs alone, queried as the old union default graph
        named_only.bulk_extend(q for q in store.native if not isinstance(q.graph_name, ox.DefaultGraph))
        bag_rows = count_rows(named_only, query, use_default_graph_as_union=True)
    finally:
        store.close()
    assert merged_rows <= ROWS_PER_ARTICLE * 3
    assert bag_rows > 100 * ROWS_PER_ARTICLE * 3  # 3^8 rows: every joined pattern matches 3 times


SAVED = sorted(saved_queries())


@pytest.mark.parametrize("name", [*SAVED, "README air defence"])
def test_every_saved_query_answers_over_the_api(many, name):
    sparql = readme_air_defence_query() if name.startswith("README") else saved_queries()[name].sparql
    started = time.monotonic()
    with many.client() as http:
        response = http.post("/sparql", data={"query": sparql},
                             headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text[:300]
    assert time.monotonic() - started < BUDGET_S
    bindings = response.json()["results"]["bindings"]
    if "air" in name.lower():
        articles = {b["article"]["value"] for b in bindings if "article" in b}
        assert len(articles) == N_ARTICLES  # the provenance of each article is kept


LOOKUPS = [
    "/pledges", "/pledges?category=air_defence", "/pledges?category=air_defence&limit=1",
    "/pledges?donor=DE", "/pledges?item=IRIS-T",
    "/pledges?meeting=UDCG-2025-04-11", "/pledges?date_from=2025-04&date_to=2025-04-30",
    "/pledges?category=air_defence&format=csv", "/meetings", "/meetings?format=UDCG",
    "/meetings/UDCG-2025-04-11", "/actors", "/actors?type=person", "/actors/boris-pistorius",
    "/actors/DE", "/actors/UDCG", "/equipment", "/equipment?category=air_defence",
    "/equipment/iris-t-slm", "/articles", "/articles?lang=en", f"/articles/{article_id(150)}",
    "/search?q=IRIS", "/stats",
]


@pytest.mark.parametrize("path", LOOKUPS)
def test_every_rest_lookup_answers(many, path):
    started = time.monotonic()
    with many.client() as http:
        response = http.get(path)
    assert response.status_code == 200, response.text[:300]
    assert time.monotonic() - started < BUDGET_S


def test_the_pledge_lists_every_article_as_a_source(many):
    with many.client() as http:
        items = http.get("/pledges", params={"category": "air_defence", "limit": 5}).json()["items"]
        meeting = http.get("/meetings/UDCG-2025-04-11").json()
        person = http.get(f"/actors/{quote('boris-pistorius')}").json()
    # two pledges of 300 claims: their details overrun the result cap together and are read in halves
    assert len(items) >= 2 and all(len(item["sources"]) == N_ARTICLES for item in items)
    assert all(item["donor"] == "DE" and item["quantity"] == 2 and "conflicting_values" not in item
               for item in items)
    assert len(meeting["articles"]) == N_ARTICLES
    assert {p["name"] for p in meeting["attendees_remote"]} == {"Pete Hegseth"}
    assert meeting["chairs"] == ["DE", "GB"]
    assert [m["mode"] for m in person["meetings"]] == ["in person"]
