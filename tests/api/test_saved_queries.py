"""Each saved analyst query (queries/*.rq) is documented and answers what the known test store holds."""

from __future__ import annotations

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from api.saved_queries import QUERIES_DIR, saved_queries

AIDR = "https://w3id.org/aidgraph/id/"


def short(value: str) -> str:
    return value[len(AIDR):] if value.startswith(AIDR) else value


def rows(server, name: str) -> list[dict[str, str]]:
    sparql = SPARQLWrapper(f"{server.url}/sparql")
    sparql.setQuery(saved_queries()[name].sparql)
    sparql.setReturnFormat(JSON)
    sparql.setMethod("POST")
    result = sparql.query().convert()
    return [{k: short(v["value"]) for k, v in b.items()} for b in result["results"]["bindings"]]


# what each query must answer over tests/api/data/store.trig: a set of tuples of the named columns
EXPECTED = {
    "air_defence_pledges": (("donor", "category"), {
        ("country/DE", "category/air_defence"), ("country/NO", "category/air_defence"),
        ("country/NL", "category/manpads")}),
    "meetings_remote_attendance": (("key", "name", "mode"), {
        ("UDCG-2025-04-11", "Boris Pistorius", "in person"), ("UDCG-2025-04-11", "Pete Hegseth", "remote"),
        ("UDCG-2025-06-04", "Boris Pistorius", "remote")}),
    "pledges_per_donor_category": (("donor", "category", "period", "pledges", "amount"), {
        ("country/DE", "category/air_defence", "2025-04", "1", None),
        ("country/GB", "category/drones", "2025-04", "1", "450000000"),
        ("country/NL", "category/manpads", "2025", "1", None),
        ("country/NO", "category/air_defence", "2025-06", "1", None)}),
    "minister_meetings": (("name", "country", "key", "mode"), {
        ("Boris Pistorius", "country/DE", "UDCG-2025-04-11", "in person"),
        ("Boris Pistorius", "country/DE", "UDCG-2025-06-04", "remote"),
        ("Pete Hegseth", "country/US", "UDCG-2025-04-11", "remote")}),
    "equipment_several_donors": (("equipment", "donors", "pledges", "first", "last"), {
        ("equipment/iris-t-slm", "2", "2", "2025-04-11", "2025-06-04")}),
}


# queries over the derived commitments graph, tested over the multi-article fixtures there
TESTED_IN_COMMITMENTS_API = {"commitments_not_delivered", "delivery_lag_per_donor_system"}


def test_every_saved_query_is_tested_and_documented():
    files = {path.stem for path in QUERIES_DIR.glob("*.rq")}
    assert files == set(EXPECTED) | TESTED_IN_COMMITMENTS_API
    for query in saved_queries().values():
        assert query.title != query.name and len(query.description) > 40, query.name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_saved_query_answers(server, name):
    columns, expected = EXPECTED[name]
    answered = {tuple(row.get(column) for column in columns) for row in rows(server, name)}
    assert answered == expected


def test_air_defence_query_lists_each_source(server):
    de = [row for row in rows(server, "air_defence_pledges") if row["donor"] == "country/DE"]
    assert {row["article"] for row in de} == {"article/a1", "article/a2"}
    assert {row["quantity"] for row in de} == {"2", "4"}  # the two articles disagree; both are shown
