"""On the demo store, the merged default graph answers what the old union default graph answered.

The store holds corpus/demo and, when present, the development seeds of ../shared/corpus, ingested
by the real pipeline. Every REST lookup is called over HTTP on a real server, and each SPARQL SELECT
it sends to the store worker is recorded. Each recorded query, each saved query and each README
analyst query then runs twice on the same store:

* now: on the store's default graph, the materialised merge (``graph.store.merge``);
* before: on the union bag of the named graphs minus the quarantine graphs, which is what queries saw
  before (``use_default_graph_as_union`` over every graph; the quarantine filters of the old lookups
  left out the quarantine graphs), evaluated by pyoxigraph with that list as the default graph.
  A saved query simplified for the merge runs before in its earlier text (``data/NAME.before.rq``).

The rows must be the same (as sets; and with the same multiplicity where the query is DISTINCT or
aggregated, since a bag must not change a count).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from api.saved_queries import saved_queries
from api.settings import ApiSettings
from api.worker import _to_ox
from graph import pipeline
from graph.store import open_store
from graph.store.merge import SKOLEM_NS
from graph.vocab import AIDG, COMMITMENTS_GRAPH, PREFIXES

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "corpus" / "seeds"
QUARANTINE = str(AIDG["quarantine/"])
DERIVED = (str(COMMITMENTS_GRAPH), str(AIDG["kiel/"]))
DATA = Path(__file__).parent / "data"


def readme_queries() -> dict[str, str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Analyst queries"):readme.index("## Quality and speed")]
    return {f"README {i}": block for i, block in enumerate(re.findall(r"```sparql\n(.*?)```", section, re.S))}


def rest_paths(http) -> list[str]:
    """The REST lookups to compare: each list with and without filters, and each item the lists name."""
    paths = ["/pledges", "/pledges?category=air_defence", "/pledges?donor=DE", "/pledges?item=IRIS-T",
             "/pledges?status=pledged", "/pledges?date_from=2025-01&date_to=2025-06",
             "/pledges?recipient=UA&limit=5&offset=3", "/meetings", "/meetings?format=UDCG", "/actors",
             "/actors?type=country", "/equipment", "/equipment?category=air_defence", "/articles",
             "/articles?lang=de", "/search?q=pist", "/search?q=IRIS", "/stats"]
    for meeting in http.get("/meetings").json()["items"]:
        paths += [f"/meetings/{meeting['id']}", f"/pledges?meeting={meeting['id']}"]
    persons = http.get("/actors", params={"type": "person", "limit": 40}).json()["items"]
    countries = http.get("/actors", params={"type": "country", "limit": 2}).json()["items"]
    organisations = http.get("/actors", params={"type": "organisation", "limit": 2}).json()["items"]
    equipment = http.get("/equipment", params={"limit": 30}).json()["items"]
    # every person; the most mentioned countries and organisations (their people's query is the slow
    # one on the union bag: seconds each)
    paths += [f"/actors/{actor['id']}" for actor in persons + countries + organisations]
    paths += [f"/equipment/{item['id']}" for item in equipment]
    paths += [f"/articles/{article['id']}" for article in http.get("/articles").json()["items"]]
    return paths


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, live_server_class):
    """(store location, recorded selects {(sparql, bindings)}, REST paths answered)."""
    location = tmp_path_factory.mktemp("differential") / "store"
    sources = [REPO / "corpus" / "demo"] + ([SEEDS] if SEEDS.is_dir() else [])
    with open_store(location) as store:
        summary = pipeline.ingest_paths(sources, store, progress=False, workers=1)
        assert summary.articles_stored >= 20 and not summary.failures
    selects: dict[tuple, None] = {}
    settings = ApiSettings(store=str(location), query_timeout=30, result_cap=10_000)
    with live_server_class(settings) as server:
        engine = server.app.state.engine
        call = engine.call

        def recording_call(operation, arguments, **options):
            if operation == "select":
                bindings = tuple(sorted(arguments.get("bindings", {}).items()))
                selects[(arguments["sparql"], bindings)] = None
            return call(operation, arguments, **options)

        engine.call = recording_call
        with server.client() as http:
            paths = rest_paths(http)
            for path in paths:
                response = http.get(path)
                assert response.status_code == 200, (path, response.text[:300])
    return location, list(selects), paths


def row_key(variables: list[str], solution) -> tuple:
    return tuple((name, str(solution[name])) for name in variables if solution[name] is not None)


def answers(native: ox.Store, sparql: str, bindings: tuple, old: bool) -> list[tuple]:
    options = {"prefixes": PREFIXES}
    if bindings:
        options["substitutions"] = {ox.Variable(name): _to_ox(term) for name, term in bindings}
    if old:  # the derived graphs (commitments, Kiel import) came later: the old bag had none
        graphs = [g for g in native.named_graphs()
                  if not g.value.startswith(QUARANTINE) and not g.value.startswith(DERIVED)]
        options |= {"default_graph": graphs, "named_graphs": list(native.named_graphs())}
    result = native.query(sparql, **options)
    variables = [v.value for v in result.variables]
    return [row_key(variables, solution) for solution in result]


def deduplicating(sparql: str) -> bool:
    """Whether the query's outer SELECT is DISTINCT or aggregates (then counts must match too)."""
    outer = re.search(r"SELECT\s+(DISTINCT\s+)?(.*?)\s+WHERE", sparql, re.S | re.I)
    return bool(outer and (outer.group(1) or "(" in outer.group(2)))


def unordered_concat(rows: list[tuple]) -> list[tuple]:
    """Rows with each ", "-separated value's items sorted: SPARQL leaves GROUP_CONCAT's order open."""
    def items_sorted(value: str) -> str:
        text = re.fullmatch(r'"(.*)"', value, re.S)
        return ", ".join(sorted(text.group(1).split(", "))) if text else value

    return [tuple((name, items_sorted(value)) for name, value in row) for row in rows]


def compare(native: ox.Store, name: str, sparql: str, bindings: tuple = (), before_sparql: str | None = None
            ) -> None:
    """``sparql`` on the merge gives the rows ``before_sparql`` (default: the same text) gave on the bag."""
    now = answers(native, sparql, bindings, False)
    before = answers(native, before_sparql or sparql, bindings, True)
    if "GROUP_CONCAT" in sparql:
        now, before = unordered_concat(now), unordered_concat(before)
    assert set(now) == set(before), name
    if deduplicating(sparql):
        assert Counter(now) == Counter(before), name


def test_every_rest_lookup_answers_as_before(recorded):
    location, selects, paths = recorded
    assert len(paths) > 60 and len(selects) > 60
    with open_store(location, read_only=True) as store:
        for sparql, bindings in selects:
            compare(store.native, sparql.split("WHERE", 1)[0][-200:], sparql, bindings)


@pytest.mark.parametrize("name", [*sorted(saved_queries()), *readme_queries()])
def test_every_saved_and_readme_query_answers_as_before(recorded, name):
    location, _, _ = recorded
    sparql = readme_queries()[name] if name.startswith("README") else saved_queries()[name].sparql
    before = DATA / f"{name}.before.rq"  # the text the query had before it was simplified for the merge
    with open_store(location, read_only=True) as store:
        compare(store.native, name, sparql, before_sparql=before.read_text() if before.exists() else None)
        assert answers(store.native, sparql, (), False)  # the demo store answers each of them


def test_the_demo_store_has_the_cases_that_matter(recorded):
    """Guards that the comparison is not vacuous: facts restated by several articles (leaving out the
    quarantine is checked by tests/test_store_contract.py)."""
    location, _, _ = recorded
    with open_store(location, read_only=True) as store:
        restated = store.native.query(
            "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?x WHERE { GRAPH ?g { ?x a ?type } "
            "FILTER(?type IN (aid:Pledge, aid:Meeting, schema:Person)) } GROUP BY ?x "
            "HAVING (COUNT(?g) > 1) } }",
            prefixes=PREFIXES)
        assert int(next(restated)[0].value) >= 5
        assert not store.native.query(  # nothing needed skolemising: the pipeline writes no blank nodes
            f'ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(!STRSTARTS(STR(?g), "{QUARANTINE}")) '
            f'FILTER(isBlank(?s) || isBlank(?o) || STRSTARTS(STR(?s), "{SKOLEM_NS}")) }}', prefixes=PREFIXES)
