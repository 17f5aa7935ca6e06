"""POST /articles: every invalid field is 422 naming it (never 500), extraction runs outside the store worker
under the per-article budget, and /health keeps answering meanwhile (issues 10.3, 14.3, 14.4)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from api.settings import ApiSettings

TOKEN = "post-token-9876"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# our own sentence (not from any corpus)
PLEDGE = "Germany will send Ukraine four IRIS-T SLM air defence systems, the ministry said on 3 March 2025."


@pytest.fixture(scope="module")
def server(tmp_path_factory, store_builder, live_server_class):
    store = store_builder(tmp_path_factory.mktemp("post-store") / "store")
    settings = ApiSettings(store=str(store), token=TOKEN, article_seconds=10.0, query_timeout=20)
    with live_server_class(settings) as live:
        yield live


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=120) as client:
        yield client


def article(**fields) -> dict:
    return {"id": "post-1", "text": PLEDGE, "lang": "en", "published": "2025-03-03"} | fields


@pytest.mark.parametrize(("fields", "field", "fragment"), [
    ({"url": "www.example.org/article"}, "url", "no scheme"),
    ({"url": "0000000000"}, "url", "no scheme"),
    ({"url": "https://example.org/a b"}, "url", "a space"),
    ({"url": "https://example.org/\"><script>"}, "url", "character"),
    ({"url": "javascript:alert(1)"}, "url", "only http and https"),
    ({"url": "https://"}, "url", "no host"),
    ({"published": "2999-01-01"}, "published", "tomorrow"),
    ({"published": "1800-01-01"}, "published", "1900"),
    ({"published": "yesterday"}, "published", "date"),
    ({"lang": "english"}, "lang", ""),
    ({"id": "../../etc/passwd"}, "id", ""),
    ({"text": "\x01\x02\x03\x04" * 50}, "text", "binary"),
    ({"text": "   \n  "}, "text", "no visible characters"),
])
def test_every_invalid_field_is_422_naming_it(http, fields, field, fragment):
    response = http.post("/articles", headers=AUTH, json=article(**fields))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert any(error["location"][-1] == field for error in problem["errors"]), problem
    assert fragment in problem["detail"] and field in problem["detail"]


def test_control_characters_are_stripped_before_storing(http):
    response = http.post("/articles", headers=AUTH,
                         json=article(id="post-esc", text=PLEDGE + " \x1b[2J\x00",
                                      title="Aid\x1b]0;pwned\x07 title"))
    assert response.status_code == 201, response.text
    assert response.json()["metadata"]["headline"] == "Aid]0;pwned title"
    found = http.get("/sparql", params={"query": 'ASK { GRAPH ?g { ?s ?p ?o FILTER(isLiteral(?o) && '
                                                 'REGEX(STR(?o), "[\\\\u0000-\\\\u0008\\\\u001b]")) } }'})
    assert found.json()["boolean"] is False


def test_an_article_over_its_time_budget_is_422_and_the_store_is_unchanged(http):
    before = http.get("/stats").json()["triples"]
    big = " ".join([PLEDGE] * 40000)  # 50x the 800 sentences that must fit in the budget (~5 MB)
    started = time.monotonic()
    response = http.post("/articles", headers=AUTH, json=article(id="post-big", text=big))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/budget-exceeded") and "10 s budget" in problem["detail"]
    assert time.monotonic() - started < 60
    assert http.get("/stats").json()["triples"] == before
    assert http.post("/articles", headers=AUTH, json=article(id="post-after")).status_code == 201


def test_health_answers_while_an_article_is_extracted(server, http):
    """Extraction runs in another process: the store worker (and /health) stays free."""
    big = " ".join([PLEDGE] * 1500)
    outcome: dict = {}

    def post() -> None:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            outcome["response"] = client.post("/articles", headers=AUTH,
                                              json=article(id="post-long", text=big))

    thread = threading.Thread(target=post)
    thread.start()
    latencies = []
    time.sleep(0.3)
    while thread.is_alive() and len(latencies) < 50:
        started = time.monotonic()
        assert http.get("/health").status_code == 200
        latencies.append(time.monotonic() - started)
        time.sleep(0.05)
    thread.join(120)
    assert latencies, "the article was done before /health could be asked"
    assert max(latencies) < 2.0, latencies
    assert outcome["response"].status_code in (201, 422)


def cpu_seconds(pid: int) -> float:
    import os
    from pathlib import Path

    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_the_store_worker_does_not_extract(server, http):
    app = server.app
    assert http.post("/articles", headers=AUTH, json=article(id="post-warm")).status_code == 201
    store_worker = app.state.engine._worker.process.pid
    (extractor,) = app.state.article_pool.worker_pids()
    before = cpu_seconds(store_worker), cpu_seconds(extractor)
    text = " ".join([PLEDGE] * 800)
    response = http.post("/articles", headers=AUTH, json=article(id="post-cpu", text=text))
    assert response.status_code == 201, response.text
    store_cpu, extract_cpu = cpu_seconds(store_worker) - before[0], cpu_seconds(extractor) - before[1]
    # extraction must have done real work (rules-only attachment does 800 sentences in ~0.4 s)
    assert extract_cpu > 0.2 and store_cpu < extract_cpu / 3, (store_cpu, extract_cpu)


def test_a_chunked_body_over_the_limit_is_413(http):
    """Without Content-Length the limit is counted as the body streams in: 413, not a parse error."""
    def chunks():
        piece = b"x" * 1_000_000
        yield b'{"text": "'
        for _ in range(12):
            yield piece
        yield b'"}'

    response = http.post("/articles", headers=AUTH | {"content-type": "application/json"}, content=chunks())
    assert response.status_code == 413, response.text
    assert response.json()["type"].endswith("/body-too-large")


def test_the_article_view_carries_its_text_that_the_claims_offsets_index_into(http):
    response = http.post("/articles", headers=AUTH, json=article(id="post-text"))
    assert response.status_code == 201, response.text
    view = http.get("/articles/post-text").json()
    assert view["text"] == response.json()["text"]
    assert PLEDGE.split()[0] in view["text"]
    offsets = http.get("/sparql", params={"query": (
        "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> "
        "SELECT ?b ?e ?a WHERE { GRAPH <https://w3id.org/aidgraph/id/article/post-text> { "
        "?c nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?a } }")},
        headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert offsets
    for row in offsets:
        assert view["text"][int(row["b"]["value"]):int(row["e"]["value"])] == row["a"]["value"]
    schema = http.get("/openapi.json").json()["components"]["schemas"]["Article"]["properties"]
    assert "offsets" in schema["text"]["description"]
