"""A client generated from the running server's /openapi.json (openapi-python-client) parses the
answers of the REST routes, and the errors, into typed objects (not ``parsed=None``)."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: operations whose bodies are not JSON (RDF, SPARQL text, pictures): the generator warns that it cannot
#: type them, and nothing else may warn
NOT_JSON = {"POST /sparql", "GET /dump", "PUT /store", "POST /store", "GET /plot/timeline",
            "GET /plot/network"}


@pytest.fixture(scope="module")
def generated(server, tmp_path_factory):
    """The generated package ``aidgraph_client`` (imported) and the generator's warnings."""
    generator = str(Path(sys.executable).with_name("openapi-python-client"))
    generator = generator if Path(generator).exists() else shutil.which("openapi-python-client") or generator
    if not Path(generator).exists():
        pytest.skip("openapi-python-client is not installed (a dev dependency: bash scripts/setup.sh dev)")
    folder = tmp_path_factory.mktemp("generated")
    run = subprocess.run([generator, "generate", "--url", f"{server.url}/openapi.json", "--meta", "none",
                          "--output-path", str(folder / "aidgraph_client")],
                         capture_output=True, text=True, timeout=300, cwd=folder)
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        package = importlib.import_module("aidgraph_client")
        yield package, run.stdout
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.startswith("aidgraph_client")]:
            del sys.modules[name]


def operation(generated, module: str):
    return importlib.import_module(f"aidgraph_client.api.{module}")


@pytest.fixture(scope="module")
def api_client(generated, server):
    package, _warnings = generated
    return package.Client(base_url=server.url, raise_on_unexpected_status=True)


def test_the_generator_warns_only_about_bodies_that_are_not_json(generated):
    _package, output = generated
    warned = {line.removeprefix("WARNING parsing ").rsplit(" within ", 1)[0]
              for line in output.splitlines() if line.startswith("WARNING parsing")}
    assert warned <= NOT_JSON, warned - NOT_JSON


def test_pledges_parse(generated, api_client):
    models = importlib.import_module("aidgraph_client.models")
    response = operation(generated, "default.list_pledges_pledges_get").sync_detailed(
        client=api_client, category="air_defence")
    assert response.status_code == 200
    page = response.parsed
    assert isinstance(page, models.PledgePage)
    assert page.count == len(page.items) >= 3
    pledge = next(item for item in page.items if item.id.endswith("/de-iris"))
    assert (pledge.donor, pledge.category, pledge.status) == ("DE", "air_defence", "pledged")
    assert pledge.sources and pledge.sources[0].article in ("a1", "a2")
    assert pledge.sources[0].evidence


def test_meetings_parse(generated, api_client):
    models = importlib.import_module("aidgraph_client.models")
    listing = operation(generated, "default.list_meetings_meetings_get").sync(client=api_client)
    assert isinstance(listing, models.MeetingPage)
    assert {meeting.id for meeting in listing.items} >= {"UDCG-2025-04-11", "UDCG-2025-06-04"}
    meeting = operation(generated, "default.get_meeting_meetings_meeting_id_get").sync(
        "UDCG-2025-04-11", client=api_client)
    assert isinstance(meeting, models.Meeting)
    assert meeting.place == "Brussels" and meeting.chairs == ["DE", "GB"]
    assert [person.name for person in meeting.attendees_remote] == ["Pete Hegseth"]
    assert meeting.pledges and isinstance(meeting.pledges[0], models.Pledge)


@pytest.mark.parametrize(("module", "arguments"), [
    ("default.get_actor_actors_actor_id_get", ("DE",)),
    ("default.get_equipment_equipment_equipment_id_get", ("iris-t-slm",)),
    ("default.get_article_articles_article_id_get", ("a1",)),
    ("default.stats_stats_get", ()),
    ("default.health_health_get", ()),
    ("default.list_actors_actors_get", ()),
    ("default.list_equipment_equipment_get", ()),
    ("default.list_articles_articles_get", ()),
    ("default.list_saved_queries_queries_get", ()),
])
def test_every_json_route_parses(generated, api_client, module, arguments):
    response = operation(generated, module).sync_detailed(*arguments, client=api_client)
    assert response.status_code == 200
    assert response.parsed is not None
    assert not isinstance(response.parsed, importlib.import_module("aidgraph_client.models").ProblemDetails)


def test_search_parses(generated, api_client):
    result = operation(generated, "default.search_search_get").sync(client=api_client, q="iris")
    assert result.count == len(result.items) > 0
    assert any(hit.id == "iris-t-slm" for hit in result.items)


def test_errors_parse_as_problem_details(generated, api_client):
    models = importlib.import_module("aidgraph_client.models")
    missing = operation(generated, "default.get_meeting_meetings_meeting_id_get").sync_detailed(
        "no-such-meeting", client=api_client)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.ProblemDetails)
    assert missing.parsed.status == 404 and missing.parsed.hint
    invalid = operation(generated, "default.list_pledges_pledges_get").sync_detailed(
        client=api_client, date_from="2025-13")
    assert invalid.status_code == 422
    assert isinstance(invalid.parsed, models.ProblemDetails)
    assert invalid.parsed.errors and invalid.parsed.errors[0].location[-1] == "date_from"
    bad = operation(generated, "default.sparql_get_sparql_get").sync_detailed(
        client=api_client, query="SELECT ?s WHERE { ?s ?p }")
    assert bad.status_code == 400
    assert isinstance(bad.parsed, models.ProblemDetails) and bad.parsed.line == 1


def test_the_document_has_no_fastapi_validation_schema(server):
    import httpx

    document = httpx.get(f"{server.url}/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, spec in operations.items():
            for code, response in spec["responses"].items():
                if code[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"], (method, path, code)
                if code == "200" and "application/json" in response.get("content", {}):
                    assert response["content"]["application/json"].get("schema"), (method, path)
