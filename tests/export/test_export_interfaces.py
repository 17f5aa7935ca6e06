"""The export and plot sub-commands and API routes, over the same on-disk fixture store."""

from __future__ import annotations

import io

import networkx as nx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph.cli import main
from graph.export.gexf import validate_gexf
from graph.export.projections import build_projection

T1 = "https://w3id.org/aidgraph/id/article/t1"


@pytest.mark.parametrize(("arguments", "suffix"), [
    (["export", "--format", "gexf", "--projection", "actor-meeting"], "gexf"),
    (["export", "--format", "graphml", "--projection", "co-attendance"], "graphml"),
    (["export", "--format", "trig"], "trig"),
    (["export", "--format", "turtle", "--graph", T1], "ttl"),
    (["export", "--format", "csv", "--table", "meetings"], "csv"),
    (["plot", "timeline"], "svg"),
    (["plot", "network", "--projection", "donor-equipment"], "png"),
])
def test_cli_writes_the_file(store_path, tmp_path, arguments, suffix):
    output = tmp_path / f"out.{suffix}"
    assert main(["--store", str(store_path), *arguments, "-o", str(output)]) == 0
    content = output.read_bytes()
    assert content
    if suffix == "gexf":
        assert validate_gexf(output) == []
        assert nx.read_gexf(output).number_of_nodes() > 0  # networkx reads it (viz:color as r/g/b)
    if suffix == "svg":
        assert b"<svg" in content[:500]
    if suffix == "png":
        assert content.startswith(b"\x89PNG")


def test_cli_gexf_to_stdout_matches_the_store(store_path, store, capsysbinary):
    assert main(["--store", str(store_path), "export", "-f", "graphml", "-p", "donor-equipment"]) == 0
    back = nx.read_graphml(io.BytesIO(capsysbinary.readouterr().out))
    expected = build_projection(store, "donor-equipment")
    assert (back.number_of_nodes(), back.number_of_edges()) == (
        expected.number_of_nodes(), expected.number_of_edges())


@pytest.mark.parametrize("arguments", [
    ["export", "-f", "gexf", "--graph", "https://example.org/missing"],
    ["export", "-f", "turtle"],
    ["plot", "timeline", "-o", "picture.gif"],
])
def test_cli_bad_input_exits_2_with_a_hint(store_path, tmp_path, capsys, arguments):
    arguments = [str(tmp_path / a) if a.endswith(".gif") else a for a in arguments]
    assert main(["--store", str(store_path), *arguments]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "hint:" in err


TOKEN = "export-test-token"


def export_app() -> FastAPI:
    """An app with only the export router, the problem handlers and a token (no store engine)."""
    from api.problems import install_problem_handlers
    from api.routes_export import router
    from api.settings import ApiSettings

    app = FastAPI()
    app.state.settings = ApiSettings(store=None, backend="memory", token=TOKEN)
    install_problem_handlers(app)
    app.include_router(router)
    return app


@pytest.fixture(scope="module")
def client(store):
    from api.routes_export import export_runner, store_runner

    app = export_app()
    app.dependency_overrides[export_runner] = lambda: store_runner(store)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as test_client:
        yield test_client


@pytest.mark.parametrize(("path", "media_type"), [
    ("/export/gexf", "application/gexf+xml"),
    ("/export/gexf?projection=co-attendance&dynamic=false", "application/gexf+xml"),
    ("/export/graphml?projection=donor-equipment&weight_by=quantity", "application/graphml+xml"),
    ("/export/nquads", "application/n-quads"),
    (f"/export/jsonld?graph={T1}", "application/ld+json"),
    ("/export/csv?table=actors", "text/csv; charset=utf-8"),
    ("/plot/timeline", "image/png"),
    ("/plot/timeline?format=svg", "image/svg+xml"),
    ("/plot/network?projection=actor-meeting&format=svg", "image/svg+xml"),
])
def test_api_routes_answer_with_the_right_media_type(client, path, media_type):
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type
    assert "filename=" in response.headers["content-disposition"]
    if "gexf" in path:
        assert validate_gexf(response.content) == []
        assert nx.read_gexf(io.BytesIO(response.content)).number_of_nodes() > 0


def test_api_gexf_counts_match_the_store(client, store):
    from lxml import etree

    root = etree.fromstring(client.get("/export/gexf?projection=actor-meeting").content)
    expected = build_projection(store, "actor-meeting")
    assert len(root.findall(".//{http://gexf.net/1.3}node")) == expected.number_of_nodes()
    assert len(root.findall(".//{http://gexf.net/1.3}edge")) == expected.number_of_edges()


@pytest.mark.parametrize(("path", "status"), [
    ("/export/xlsx", 422),
    ("/export/gexf?projection=everything", 422),
    ("/plot/network?format=gif", 422),
    ("/export/turtle?graph=not-an-iri", 404),  # without graph: the merged graph (token), see tests/api
    ("/export/gexf?graph=https://example.org/missing", 404),
])
def test_api_rejects_bad_requests_with_a_problem(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status and problem["detail"]
    if status != 422:
        assert problem["hint"]


def test_api_dataset_dump_needs_the_token(client):
    assert client.get("/export/nquads", headers={"Authorization": ""}).status_code == 403
    assert client.get("/export/nquads", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get(f"/export/nquads?graph={T1}", headers={"Authorization": ""}).status_code == 200
    assert client.get("/export/gexf", headers={"Authorization": ""}).status_code == 200


def test_api_without_engine_is_a_store_problem():
    with TestClient(export_app(), raise_server_exceptions=False) as test_client:
        response = test_client.get("/export/gexf")
    assert response.status_code == 500
    assert "engine" in response.json()["detail"]


@pytest.mark.slow
def test_api_app_serves_exports_through_its_store_worker(store_path, store, tmp_path):
    """The real app: routes -> engine -> worker process -> graph.export over its own store copy."""
    import shutil

    from lxml import etree

    from api.app import create_app
    from api.settings import ApiSettings

    copy = tmp_path / "store"
    shutil.copytree(store_path, copy)
    app = create_app(ApiSettings(store=str(copy), backend="oxigraph", query_timeout=120))
    with TestClient(app, base_url="http://127.0.0.1") as test_client:  # a Host the app answers to
        gexf = test_client.get("/export/gexf?projection=donor-equipment")
        timeline = test_client.get("/plot/timeline?format=svg")
        missing = test_client.get("/export/gexf?graph=https://example.org/missing")
    assert gexf.status_code == 200 and validate_gexf(gexf.content) == []
    expected = build_projection(store, "donor-equipment")
    assert nx.read_gexf(io.BytesIO(gexf.content)).number_of_edges() == expected.number_of_edges()
    root = etree.fromstring(gexf.content)
    assert len(root.findall(".//{http://gexf.net/1.3}edge")) == expected.number_of_edges()
    assert timeline.status_code == 200 and timeline.headers["content-type"] == "image/svg+xml"
    assert timeline.content.count(b'<g id="donor-') == 4
    assert missing.status_code == 404
