"""What a first-time user meets: the root, unknown routes, the article list, and empty answers that say
why they are empty (against the real server over tests/api/data/store.trig)."""

from __future__ import annotations

import pytest


def test_root_lists_entry_points_that_answer(client):
    index = client.get("/")
    assert index.status_code == 200
    links = index.json()["links"]
    for name in ("docs", "openapi", "pledges", "articles", "stats", "meetings", "actors", "equipment"):
        assert client.get(links[name]).status_code == 200, name


def test_root_is_the_web_app_for_browsers_and_the_index_for_clients(client):
    page = client.get("/", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<table class="pledges"' in page.text and "/web/static/web.css" in page.text
    for accept in ("application/json", "*/*"):
        index = client.get("/", headers={"Accept": accept})
        assert index.json()["links"]["app"] == "/"
    assert client.get("/api").json() == client.get("/", headers={"Accept": "application/json"}).json()


@pytest.mark.parametrize(("method", "path", "status", "detail"), [
    ("GET", "/pledge", 404, "no route /pledge"),
    ("DELETE", "/pledges", 405, "DELETE is not allowed on /pledges"),
])
def test_routing_errors_say_where_to_look(client, method, path, status, detail):
    response = client.request(method, path)
    assert response.status_code == status
    problem = response.json()
    assert problem["detail"] == detail and "/docs" in problem["hint"]


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")


def test_article_list_newest_first_and_by_language(client):
    items = client.get("/articles").json()["items"]
    ids = [item["id"] for item in items]
    assert set(ids) == {"a1", "a2", "a3"} and ids.index("a2") < ids.index("a1")
    first = next(item for item in items if item["id"] == "a1")
    assert first["published"] == "2025-04-11" and first["lang"] == "en"
    assert first["headline"] == "Allies meet in Brussels"
    assert [item["id"] for item in client.get("/articles", params={"lang": "de"}).json()["items"]] == ["a2"]
    assert client.get("/articles", params={"lang": "fi"}).json()["items"] == []


def test_unknown_article_points_to_the_list(client):
    assert client.get("/articles/zzz").json()["hint"] == "list them at /articles"


@pytest.mark.parametrize(("params", "expected"), [
    ({"donor": "Germany"}, ["donor 'Germany' names no country or organisation", "/search?q=Germany"]),
    ({"recipient": "XX"}, ["recipient 'XX' names no country or organisation"]),
    ({"category": "tanks"}, ["category 'tanks' is not a category", "air_defence", "manpads"]),
    ({"meeting": "UDCG-1999-01-01"}, ["meeting 'UDCG-1999-01-01' is not a meeting", "/meetings"]),
])
def test_an_empty_answer_says_which_filter_names_nothing(client, params, expected):
    body = client.get("/pledges", params=params).json()
    assert body["items"] == [] and len(body["warnings"]) == 1
    for text in expected:
        assert text in body["warnings"][0]


@pytest.mark.parametrize("params", [{"donor": "FR"}, {"date_from": "2030"}, {"donor": "DE"}])
def test_no_warning_when_the_filter_values_exist(client, params):
    assert "warnings" not in client.get("/pledges", params=params).json()


@pytest.mark.parametrize(("path", "params"), [
    ("/pledges", {"date_to": "0990", "donor": "0", "item": "0"}),
    ("/pledges", {"category": "0"}),
    ("/pledges", {"recipient": "ZZ", "status": "delivered"}),
    ("/pledges", {"meeting": "UDCG-1999-01-01", "offset": "100"}),
    ("/equipment", {"category": "0"}),
])
def test_a_filter_value_that_names_nothing_is_answered_without_the_lookup(server, client, monkeypatch, path,
                                                                         params):
    """Unknown filter values (issue 10.2): the empty page and the warning come from a look-up of the
    value itself (cached per store version), never from the lookup query over the pledges."""
    from api import lookups

    engine = server.app.state.engine
    sent: list[str] = []
    original = engine.call

    def recording(operation, arguments, **options):
        sent.append(arguments.get("sparql", operation))
        return original(operation, arguments, **options)

    monkeypatch.setattr(engine, "call", recording)
    body = client.get(path, params=params).json()
    assert body["items"] == [] and len(body["warnings"]) == 1
    assert set(sent) <= {lookups.MENTIONED, lookups.EXISTS, lookups.CATEGORY_KEYS}, sent
