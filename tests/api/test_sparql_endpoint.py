"""The SPARQL 1.1 endpoint against a real server: protocol, formats, limits, security, updates."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

A1 = "https://w3id.org/aidgraph/id/article/a1"
A2 = "https://w3id.org/aidgraph/id/article/a2"
PLEDGES_BY_DONOR = """PREFIX aid: <https://w3id.org/aidgraph/ontology#>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?pledge ?donor WHERE { ?pledge a aid:Pledge ; schema:agent ?donor } ORDER BY ?pledge"""
EXPECTED_PLEDGES = {"de-iris", "gb-drones", "no-iris", "nl-manpads"}


def wrapper(server, query: str, fmt=JSON, method="GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{server.url}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json(server, method):
    result = wrapper(server, PLEDGES_BY_DONOR, JSON, method).query().convert()
    pledges = {b["pledge"]["value"].rsplit("/", 1)[-1] for b in result["results"]["bindings"]}
    assert pledges == EXPECTED_PLEDGES
    assert result["head"]["vars"] == ["pledge", "donor"]


def test_sparqlwrapper_select_xml_csv_tsv(server):
    document = wrapper(server, PLEDGES_BY_DONOR, XML).query().convert()
    namespace = "{http://www.w3.org/2005/sparql-results#}"
    assert len(document.getElementsByTagName("result")) == 4
    root = ET.fromstring(document.toxml())
    assert [v.get("name") for v in root.iter(f"{namespace}variable")] == ["pledge", "donor"]
    table = wrapper(server, PLEDGES_BY_DONOR, CSV).query().convert().decode()
    rows = list(csv.reader(io.StringIO(table)))
    assert rows[0] == ["pledge", "donor"] and len(rows) == 5
    assert rows[1][0].startswith("https://w3id.org/aidgraph/id/pledge/")
    tsv = wrapper(server, PLEDGES_BY_DONOR, TSV).query().convert().decode().splitlines()
    assert tsv[0] == "?pledge\t?donor" and tsv[1].startswith("<https://w3id.org/aidgraph/id/pledge/")


def test_ask_and_literal_terms(server):
    assert wrapper(server, "ASK { ?s a <https://w3id.org/aidgraph/ontology#Meeting> }").query().convert()[
        "boolean"] is True
    result = wrapper(server, """SELECT ?e WHERE { <https://w3id.org/aidgraph/id/claim/a2/1>
        <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> ?e }""").query().convert()
    term = result["results"]["bindings"][0]["e"]
    assert term["xml:lang"] == "de" and "IRIS-T" in term["value"]


@pytest.mark.parametrize(("accept", "media_type", "parse"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
])
def test_construct_formats(client, accept, media_type, parse):
    query = "CONSTRUCT { ?p ?x ?y } WHERE { ?p a <https://w3id.org/aidgraph/ontology#Pledge> ; ?x ?y }"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    graph = rdflib.Graph().parse(data=response.content, format=parse)
    pledge = rdflib.URIRef("https://w3id.org/aidgraph/id/pledge/nl-manpads")
    assert (pledge, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/aidgraph/ontology#Pledge")) in graph


@pytest.mark.parametrize(("accept", "media_type"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_content_negotiation(client, accept, media_type):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
                          headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)


@pytest.mark.parametrize(("query", "accept"), [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "image/png"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/turtle"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+json"),
])
def test_unacceptable_format_is_406(client, query, accept):
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"


def test_post_forms_and_direct_body(client):
    form = client.post("/sparql", data={"query": PLEDGES_BY_DONOR})
    direct = client.post("/sparql", content=PLEDGES_BY_DONOR,
                         headers={"Content-Type": "application/sparql-query"})
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json()
    assert len(form.json()["results"]["bindings"]) == 4


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", ""])
def test_wrong_content_type_is_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", content=b"ASK {}", headers=headers)
    assert response.status_code == 415


def test_oversized_body_is_413(client, server):
    big = "ASK {} #" + "x" * (server.settings.max_body_bytes + 10)
    response = client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_malformed_query_is_400_with_position(client):
    response = client.get("/sparql", params={"query": "SELECT ?s\nWHERE { ?s ?p }"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["line"] == 2 and problem["column"] > 1
    assert "line 2" in problem["detail"]


def test_missing_query_is_400_when_no_rdf_type_is_acceptable(client):
    response = client.get("/sparql", headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400
    assert "service description" in response.json()["hint"]


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . SeRvIcE SILENT <http://169.254.169.254/> { ?s ?p ?o } }",
])
def test_service_is_refused(client, query):
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert "SERVICE" in response.json()["detail"]


def test_keywords_inside_names_and_strings_are_not_refused(client):
    query = 'SELECT ?service WHERE { BIND("SERVICE <http://x/> LOAD" AS ?service) }'
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_from_and_from_named_are_local(client):
    only_a2 = client.get("/sparql", params={"query": f"SELECT DISTINCT ?p FROM <{A2}> WHERE {{ "
                                                     "?p a <https://w3id.org/aidgraph/ontology#Pledge> }"})
    pledges = {b["p"]["value"].rsplit("/", 1)[-1] for b in only_a2.json()["results"]["bindings"]}
    assert pledges == {"de-iris", "no-iris", "nl-manpads"}
    named = client.get("/sparql", params={"query": f"SELECT DISTINCT ?g FROM NAMED <{A1}> WHERE {{ "
                                                   "GRAPH ?g { ?s ?p ?o } }"})
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [A1]
    remote = client.get("/sparql", params={"query": "SELECT * FROM <http://127.0.0.1:9/data.ttl> "
                                                    "WHERE { ?s ?p ?o }"})
    assert remote.status_code == 200 and remote.json()["results"]["bindings"] == []


def test_protocol_dataset_parameters(client):
    response = client.get("/sparql", params={
        "query": "SELECT (COUNT(DISTINCT ?p) AS ?n) "
                 "WHERE { ?p a <https://w3id.org/aidgraph/ontology#Pledge> }",
        "default-graph-uri": A1})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "2"
    bad = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "http://a> <b"})
    assert bad.status_code == 400


def test_truncation_is_announced(client, server):
    cap = server.settings.result_cap
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["X-Result-Truncated"] == "true"
    assert int(response.headers["X-Result-Cap"]) == cap
    body = response.json()
    assert len(body["results"]["bindings"]) == cap
    assert body["aidgraph"]["truncated"] is True
    turtle = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                        headers={"Accept": "text/turtle"})
    assert turtle.headers["X-Result-Truncated"] == "true" and turtle.text.startswith("# result truncated")
    assert len(rdflib.Graph().parse(data=turtle.text, format="turtle")) == cap
    small = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert "X-Result-Truncated" not in small.headers and small.headers["X-Result-Count"] == "3"


UPDATE = """INSERT DATA { GRAPH <https://w3id.org/aidgraph/graph/test-update> {
  <https://w3id.org/aidgraph/id/test/x> <https://schema.org/name> "inserted" } }"""
# a raw update writes exactly the graph it names (the default graph is the merge kept by aidgraph's writes)
CHECK = ("ASK { GRAPH <https://w3id.org/aidgraph/graph/test-update> { "
         "<https://w3id.org/aidgraph/id/test/x> <https://schema.org/name> \"inserted\" } }")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"},
                                     {"Authorization": "test-token-1234"}, {"Authorization": "Basic abc"}])
def test_update_without_valid_token_is_403(client, headers):
    response = client.post("/sparql", content=UPDATE,
                           headers={"Content-Type": "application/sparql-update"} | headers)
    assert response.status_code == 403
    assert client.get("/sparql", params={"query": CHECK}).json()["boolean"] is False


def test_update_with_token_works(client, auth):
    response = client.post("/sparql", data={"update": UPDATE}, headers=auth)
    assert response.status_code == 204
    assert client.get("/sparql", params={"query": CHECK}).json()["boolean"] is True
    client.post("/sparql", content="DROP GRAPH <https://w3id.org/aidgraph/graph/test-update>",
                headers={"Content-Type": "application/sparql-update"} | auth)
    assert client.get("/sparql", params={"query": CHECK}).json()["boolean"] is False


def test_load_and_update_in_query_are_refused(client, auth):
    load = client.post("/sparql", content="LOAD <http://127.0.0.1:9/x.ttl>",
                       headers={"Content-Type": "application/sparql-update"} | auth)
    assert load.status_code == 403
    as_query = client.get("/sparql", params={"query": UPDATE})
    assert as_query.status_code in (400, 403)
    assert client.get("/sparql", params={"update": UPDATE}).status_code == 400


def test_dump_needs_token(client, auth):
    assert client.get("/dump").status_code == 403
    response = client.get("/dump", params={"format": "nquads"}, headers=auth)
    assert response.status_code == 200
    assert A2 in response.text


def test_browser_gets_query_page_with_saved_queries(client):
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "/static/yasgui/yasgui.min.js" in page
    assert "Who pledged air defence, and when" in page
    start = page.index("const SAVED_QUERIES = ") + len("const SAVED_QUERIES = ")
    saved = json.loads(page[start:page.index(";\n", start)])
    assert {q["name"] for q in saved} >= {"air_defence_pledges", "equipment_several_donors"}
    script = client.get("/static/yasgui/yasgui.min.js")
    assert script.status_code == 200 and len(script.content) > 500_000


def test_saved_query_route(client):
    listed = client.get("/queries").json()
    assert all(q["title"] and q["description"] for q in listed)
    response = client.get("/queries/air_defence_pledges", headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.text.startswith("donor,item,category")
    assert client.get("/queries/nope").status_code == 404


def test_errors_are_problem_details(client):
    response = client.get("/sparql", params={"query": "SELEKT"})
    assert response.headers["content-type"] == "application/problem+json"
    assert {"type", "title", "status", "detail"} <= set(response.json())


def test_concurrent_clients(server):
    import concurrent.futures

    def one(_):
        with httpx.Client(base_url=server.url, timeout=30) as http:
            return http.get("/sparql", params={"query": PLEDGES_BY_DONOR}).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert set(pool.map(one, range(32))) == {200}


@pytest.mark.parametrize("update", [
    "CREATE GRAPH <urn:fuzz:twice>",  # the second time: the graph exists
    "CLEAR GRAPH <urn:fuzz:missing>", "DROP GRAPH <urn:fuzz:missing>",
    "MOVE <urn:fuzz:missing> TO <urn:fuzz:b>",
])
def test_an_update_naming_a_graph_that_exists_or_is_missing_is_400_unless_silent(client, auth, update):
    headers = {"Content-Type": "application/sparql-update"} | auth
    if update.startswith("CREATE"):
        assert client.post("/sparql", content=update, headers=headers).status_code == 204
    response = client.post("/sparql", content=update, headers=headers)
    assert response.status_code == 400, response.text  # was 500: the client's update, not the store
    assert response.headers["content-type"] == "application/problem+json"
    assert "SILENT" in response.json()["hint"]
    silent = update.replace(" GRAPH", " SILENT GRAPH", 1) if "GRAPH" in update else \
        update.replace("MOVE", "MOVE SILENT", 1)
    assert client.post("/sparql", content=silent, headers=headers).status_code == 204
    client.post("/sparql", content="DROP SILENT GRAPH <urn:fuzz:twice>", headers=headers)
