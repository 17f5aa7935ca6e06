"""The pledge read model (``graph.store.readmodel``) answers what SPARQL answers.

Two copies of one store (corpus/demo, the development seeds of ../shared/corpus when present, and a
small generated corpus; ingested by the real pipeline, so the read model is kept by replace_graphs
article by article) are served by two real servers side by side: one reads the read model, the other
asks SPARQL every time (``use_read_model=False``). Every pledge lookup (each filter, combinations,
deep offsets, CSV), the meeting, actor and equipment pages, and the web app's facet counts must be
the same bytes. The model kept in step must equal the model rebuilt from scratch, and a SPARQL Update
must make it stale (the lookups then ask SPARQL) until ``rebuild``.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from api.saved_queries import saved_queries
from api.settings import ApiSettings
from graph import pipeline
from graph.store import open_store, readmodel
from graph.store.readmodel import READ_MODEL_FILE, PledgeCriteria, PledgeReadModel

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "corpus" / "seeds"
GENERATED = 60
ARTICLE = "https://w3id.org/aidgraph/id/article/"


def _pledge_paths(http) -> list[str]:
    """Every filter alone, some combinations, deep offsets and CSV; then the meeting, actor and
    equipment pages and the web facet counts under a few filters."""
    paths = ["/pledges", "/pledges?limit=7", "/pledges?limit=5&offset=3", "/pledges?limit=10&offset=40",
             "/pledges?offset=1000", "/pledges?format=csv", "/pledges?category=air_defence",
             "/pledges?category=artillery", "/pledges?category=no_such_category", "/pledges?donor=DE",
             "/pledges?donor=EU", "/pledges?donor=multiple", "/pledges?donor=ZZ", "/pledges?recipient=UA",
             "/pledges?item=IRIS-T", "/pledges?item=iris-t-slm", "/pledges?item=patriot",
             "/pledges?item=tank", "/pledges?status=pledged", "/pledges?status=delivered",
             "/pledges?date_from=2025-01",
             "/pledges?date_to=2024", "/pledges?date_from=2024-06-15&date_to=2025-03",
             "/pledges?donor=DE&category=air_defence",
             "/pledges?recipient=UA&status=pledged&limit=3&offset=2",
             "/pledges?donor=US&date_from=2024&format=csv", "/pledges?item=patriot&limit=3&offset=2",
             "/pledges?item=iris&date_to=2025-06", "/pledges?date_from=2025-02&date_to=2025-02-20",
             "/pledges?date_to=2025-03-01&limit=5&offset=5", "/pledges?status=pledged&item=leopard",
             "/meetings", "/meetings?format=UDCG", "/meetings?limit=3&offset=2"]
    meetings = http.get("/meetings", params={"limit": 20}).json()["items"]
    paths += [f"/pledges?meeting={m['id']}" for m in meetings] + [f"/meetings/{m['id']}" for m in meetings]
    for kind in ("country", "organisation", "person"):
        actors = http.get("/actors", params={"type": kind, "limit": 6}).json()["items"]
        paths += [f"/actors/{a['id']}" for a in actors]
    equipment = http.get("/equipment", params={"limit": 25}).json()["items"]
    paths += [f"/equipment/{e['id']}" for e in equipment]
    paths += [f"/queries/{name}" for name in saved_queries()]
    paths += [f"/queries/{name}?format=csv" for name in saved_queries()]
    paths += ["/web/facets?fragment=1", "/web/facets?fragment=1&donor=DE", "/web/facets?fragment=1&lang=de",
              "/web/facets?fragment=1&status=pledged&date_from=2024",
              "/web/facets?fragment=1&category=air_defence", "/?donor=DE&lang=en", "/web/actors/DE",
              "/web/equipment/iris-t-slm"]
    return paths


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """(store kept in step, its copy) holding the demo corpus, the seeds and a generated corpus. The
    model is kept by refreshing the pledges each change touches, even where ``follow`` would rebuild it."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate_corpus import generate

    root = tmp_path_factory.mktemp("read-model")
    generate(GENERATED, root / "generated", seed=11)
    sources = [REPO / "corpus" / "demo", root / "generated"] + ([SEEDS] if SEEDS.is_dir() else [])
    location = root / "store"
    with pytest.MonkeyPatch.context() as patch, open_store(location) as store:
        patch.setattr(readmodel, "REBUILD_SHARE", float("inf"))  # refreshed, never rebuilt: the tests
        summary = pipeline.ingest_paths(sources, store, progress=False, workers=1)  # compare the two
        assert summary.articles_stored >= 20 and not summary.failures
    copy = root / "copy"
    shutil.copytree(location, copy)
    return location, copy


def _dump(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    try:
        return {table: sorted(db.execute(f"SELECT * FROM {table}"))
                for table in ("pledge_rows", "pledge_facets", "pledge_records", "facet_totals")}
    finally:
        db.close()


def test_rest_and_web_answers_equal_sparql(stores, live_server_class):
    location, copy = stores
    fast_settings = ApiSettings(store=str(location), query_timeout=60, result_cap=10_000)
    slow_settings = ApiSettings(store=str(copy), query_timeout=60, result_cap=10_000, use_read_model=False)
    with live_server_class(fast_settings) as model, live_server_class(slow_settings) as sparql, \
            model.client() as fast, sparql.client() as slow:
        paths = _pledge_paths(slow)
        assert len(paths) > 60
        pledges_seen = 0
        for path in paths:
            expected, got = slow.get(path), fast.get(path)
            assert got.status_code == expected.status_code == 200, (path, got.text[:300])
            assert got.content == expected.content, path
            if path.startswith("/pledges") and "format" not in path:
                pledges_seen += got.json()["count"]
        assert pledges_seen > 100  # the comparisons are not of empty pages
        # an item text filter: the SPARQL facet query cannot see the bound text inside its UNION branch
        # (FILTER scope) and counts none; the read model counts what the table shows
        facets = fast.get("/web/facets", params={"fragment": 1, "item": "IRIS"}).text
        table = fast.get("/pledges", params={"item": "IRIS", "limit": 1000}).json()
        assert table["count"] > 0 and f'data-total="{len({r["id"] for r in table["items"]})}"' in facets
        state = model.app.state
        assert state.read_model.is_current() and state.read_model.size() > 50
        assert getattr(sparql.app.state, "read_model", None) is None


def test_kept_in_step_equals_rebuilt(stores, tmp_path):
    location, _ = stores
    kept = _dump(location / READ_MODEL_FILE)
    assert len(kept["pledge_records"]) > 50
    fresh = tmp_path / "fresh.sqlite"
    with open_store(location) as store:
        assert PledgeReadModel(fresh).rebuild(store.native) == len(kept["pledge_records"])
    assert _dump(fresh) == kept


def test_a_change_touching_most_pledges_rebuilds_and_a_small_one_refreshes(tmp_path, monkeypatch):
    """``follow`` rebuilds when the change's pledges are at least REBUILD_SHARE of the model (a
    backfill into a fresh store), else refreshes them; either way the model equals a rebuild."""
    calls: list[str] = []
    rebuild, refresh = PledgeReadModel.rebuild, PledgeReadModel.refresh

    def rebuilding(self, store, **options):
        calls.append("rebuild")
        return rebuild(self, store, **options)

    def refreshing(self, store, pledges):
        pledges = list(pledges)
        if pledges:  # a write that touches no pledge refreshes nothing
            calls.append("refresh")
        return refresh(self, store, pledges)

    monkeypatch.setattr(PledgeReadModel, "rebuild", rebuilding)
    monkeypatch.setattr(PledgeReadModel, "refresh", refreshing)
    demo = sorted((REPO / "corpus" / "demo").glob("*.txt"))
    with open_store(tmp_path / "store") as store:
        calls.clear()  # opening a fresh store builds its (empty) model
        pipeline.ingest_paths(demo[:-1], store, progress=False, workers=0)
        assert calls == ["rebuild"]
        model = PledgeReadModel(tmp_path / "store" / READ_MODEL_FILE)
        assert model.is_current() and model.size() > 10
        calls.clear()
        pipeline.ingest_paths(demo[-1:], store, progress=False, workers=0)
        assert calls == ["refresh"]
        assert _dump(tmp_path / "store" / READ_MODEL_FILE) == _rebuilt(store, tmp_path / "a.sqlite")


def test_replacing_and_dropping_an_article_follows(stores, tmp_path):
    """Storing an article again under another id adds a claim to its pledges; dropping it again
    removes the claim; each time the model equals a rebuild."""
    location, _ = stores
    work = tmp_path / "store"
    shutil.copytree(location, work)
    with open_store(work) as store:
        model = PledgeReadModel(work / READ_MODEL_FILE)
        article = next(name for name in store.graph_names()
                       if name.startswith(ARTICLE) and model.page(_criteria_of(name), 1, 0))
        restated = ARTICLE + "restated-copy"
        text = store.native.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(article)).decode()
        store.replace_graphs({restated: text.replace(article.removeprefix(ARTICLE), "restated-copy")})
        assert model.is_current()
        sources = [s["article"] for r in model.page(_criteria_of(article), 100, 0) for s in r["sources"]]
        assert "restated-copy" in sources
        assert _dump(work / READ_MODEL_FILE) == _rebuilt(store, tmp_path / "a.sqlite")
        store.replace_graphs({restated: ""})
        sources = [s["article"] for r in model.page(_criteria_of(article), 100, 0) for s in r["sources"]]
        assert "restated-copy" not in sources
        assert _dump(work / READ_MODEL_FILE) == _rebuilt(store, tmp_path / "b.sqlite")


def _criteria_of(article_iri: str):
    """Criteria for the pledges derived from one article (a 'lang'-like facet is not there: use SQL)."""
    class FromArticle(PledgeCriteria):
        def row_checks(self, column: str, **_):
            return (f"{column} IN (SELECT pledge FROM pledge_records WHERE record LIKE ?)",
                    [f'%"article_iri":"{article_iri}"%'])

    return FromArticle()


def _rebuilt(store, path: Path) -> dict[str, list[tuple]]:
    PledgeReadModel(path).rebuild(store.native)
    return _dump(path)


def test_sparql_update_makes_it_stale_until_rebuild(stores, tmp_path):
    location, _ = stores
    work = tmp_path / "store"
    shutil.copytree(location, work)
    with open_store(work) as store:
        model = PledgeReadModel(work / READ_MODEL_FILE, read_only=True)
        assert model.is_current()
        store.update("INSERT DATA { GRAPH <https://w3id.org/aidgraph/id/article/by-update> { "
                     "<https://w3id.org/aidgraph/id/pledge/by-update> a aid:Pledge } }")
        assert not model.is_current()
        store.rebuild_default_graph()
        assert model.is_current()
        assert model.page(_criteria_of("none"), 10, 0) == []
        ids = [r["id"] for r in model.page(PledgeCriteria(), 100_000, 0)]
        assert "https://w3id.org/aidgraph/id/pledge/by-update" in ids


def test_a_changed_label_or_language_reaches_the_pledges_of_other_articles(stores, tmp_path):
    """A graph that only adds a label to an item, or changes an article's language, changes the rows of
    pledges stated by other articles (the write refreshes what depends on the changed triples)."""
    location, _ = stores
    work = tmp_path / "store"
    shutil.copytree(location, work)
    with open_store(work) as store:
        native = store.native
        model = PledgeReadModel(work / READ_MODEL_FILE)
        pledge_type = ox.NamedNode("https://w3id.org/aidgraph/ontology#Pledge")
        pledge = next(q.subject for q in native.quads_for_pattern(
            None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), pledge_type,
            ox.DefaultGraph()))
        item = next(q.object for q in native.quads_for_pattern(
            pledge, ox.NamedNode("https://schema.org/object"), None, ox.DefaultGraph()))
        article = next(q.object for q in native.quads_for_pattern(
            pledge, ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), None, ox.DefaultGraph()))
        label = ox.Triple(item, ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
                          ox.Literal("zz-unheard-of-system", language="en"))
        language = ox.Triple(article, ox.NamedNode("https://schema.org/inLanguage"), ox.Literal("zz"))
        store.replace_graphs({"https://example.org/user/labels": [label, language]})
        assert model.is_current()
        facets = _dump(work / READ_MODEL_FILE)["pledge_facets"]
        with sqlite3.connect(work / READ_MODEL_FILE) as db:  # item= finds the pledges of the item by it
            texts = set(db.execute("SELECT text, node FROM item_texts"))
        assert ("zz-unheard-of-system", item.value) in texts
        found = model.page(PledgeCriteria(item=("https://example.org/none", "zz-unheard-of")), 1000, 0)
        assert pledge.value in {record["id"] for record in found}
        # the row check (here: counting) finds the same pledges as the page read off the index
        assert model.counts("total", PledgeCriteria(item=("https://example.org/none", "zz-unheard-of"))) == \
            {"": len(found)}
        assert ("lang", "zz", pledge.value) in {f[:3] for f in facets}
        assert _dump(work / READ_MODEL_FILE) == _rebuilt(store, tmp_path / "a.sqlite")
        store.replace_graphs({"https://example.org/user/labels": ""})
        assert _dump(work / READ_MODEL_FILE) == _rebuilt(store, tmp_path / "b.sqlite")


def test_facets_read_by_lookups_equal_their_sparql_patterns(stores):
    """``pledge_facets`` (quad lookups) gives what ``facet_query`` (the SPARQL of FACET_PATTERNS) gives."""
    from graph.store.readmodel import FACET_PATTERNS, broader_closure, facet_query, pledge_facets

    location, _ = stores
    with open_store(location, read_only=True) as store:
        native = store.native
        model = PledgeReadModel(location / READ_MODEL_FILE, read_only=True)
        pledges = sorted({r["id"] for r in model.page(PledgeCriteria(), 100_000, 0)})
        assert len(pledges) > 50
        closure = broader_closure(native)
        looked_up = pledge_facets(native, pledges, closure)
        for facet in FACET_PATTERNS:
            solutions = native.query(facet_query(facet, pledges))
            queried = {(s["pledge"].value, s["value"].value) for s in solutions}
            if facet == "category_direct":
                queried = {(pledge, above) for pledge, value in queried
                           for above in closure.get(value, {value})}
                facet = "category"
            found = {(pledge, value) for pledge, pairs in looked_up.items() for name, value in pairs
                     if name == facet}
            assert found == queried, facet
            assert found or facet in ("meeting", "item_label", "status"), facet


def test_saved_answers_are_kept_for_one_generation(stores, tmp_path):
    """The saved queries' answers kept by a rebuild are the query's answer; a write drops them, and an
    answer computed before a write began is not kept."""
    from api.worker import native_answer

    location, _ = stores
    work = tmp_path / "store"
    shutil.copytree(location, work)
    cap = 10_000
    with open_store(work) as store:
        model = PledgeReadModel(work / READ_MODEL_FILE)
        model.answer_saved_queries(store.native)
        for saved in saved_queries().values():
            kept = model.saved_answer(saved.name, "json", cap)
            if "now()" in saved.sparql.lower():
                assert kept is None
                continue
            assert kept == native_answer(store.native, saved.sparql, "json", cap), saved.name
        assert model.saved_answer("minister_meetings", "json", cap)["count"] > 0
        generation = model.generation()
        store.replace_graphs({ARTICLE + "kept-answers-probe": ""})
        assert model.is_current() and model.saved_answer("minister_meetings", "json", cap) is None
        answer = native_answer(store.native, saved_queries()["minister_meetings"].sparql, "json", cap)
        model.keep_answer("minister_meetings", "json", cap, generation, answer)  # from before the write
        assert model.saved_answer("minister_meetings", "json", cap) is None
        model.keep_answer("minister_meetings", "json", cap, model.generation(), answer)
        assert model.saved_answer("minister_meetings", "json", cap) == answer


def test_deep_pages_seek_from_landmarks_and_follow_writes(stores, tmp_path, monkeypatch):
    """A deep page starts from the nearest landmark of its stream (every LANDMARK_STEP-th row, here 7):
    every offset gives the rows of the whole ordered list from there, for all pledges and for one
    facet value; after an article is dropped the same reader (its landmarks of the old generation
    kept) gives the new list's rows."""
    import graph.store.readmodel as readmodel

    location, _ = stores
    work = tmp_path / "store"
    shutil.copytree(location, work)
    monkeypatch.setattr(readmodel, "LANDMARK_STEP", 7)
    reader = PledgeReadModel(work / READ_MODEL_FILE, read_only=True)
    db = sqlite3.connect(work / READ_MODEL_FILE)
    facet, value = db.execute("SELECT facet, value FROM facet_totals WHERE facet IN ('status', 'recipient') "
                              "ORDER BY pledges DESC LIMIT 1").fetchone()
    db.close()
    every = [PledgeCriteria(), PledgeCriteria(equal={facet: [value]})]

    def check() -> None:
        for criteria in every:
            whole = reader.page_json(criteria, 100_000, 0)
            assert len(whole) > 30
            for offset in [*range(0, 40), len(whole) - 8, len(whole) - 1, len(whole), len(whole) + 20]:
                for limit in (1, 5, 13):
                    assert reader.page_json(criteria, limit, offset) == whole[offset:offset + limit], \
                        (criteria, offset, limit)

    check()
    assert reader._landmarks
    with open_store(work) as store:
        article = next(name for name in store.graph_names()
                       if name.startswith(ARTICLE) and reader.page(_criteria_of(name), 1, 0))
        store.replace_graphs({article: ""})
    check()


@pytest.mark.parametrize("commitments", [True, False])
def test_an_ingest_into_a_fresh_store_answers_the_saved_queries_once(tmp_path, monkeypatch, commitments):
    """A backfill rebuilds the model; its saved answers are computed once, after the commitments
    (which would drop earlier ones), or by the rebuild when no commitments follow; they are the
    queries' answers."""
    from api.worker import native_answer

    calls: list[int] = []
    answer = PledgeReadModel.answer_saved_queries

    def answering(self, store):
        calls.append(1)
        return answer(self, store)

    monkeypatch.setattr(PledgeReadModel, "answer_saved_queries", answering)
    demo = sorted((REPO / "corpus" / "demo").glob("*.txt"))[:6]
    cap = next(f.default for f in __import__("dataclasses").fields(ApiSettings) if f.name == "result_cap")
    with open_store(tmp_path / "store") as store:
        calls.clear()
        pipeline.ingest_paths(demo, store, progress=False, workers=0, commitments=commitments)
        assert len(calls) == 1
        model = PledgeReadModel(tmp_path / "store" / READ_MODEL_FILE)
        assert model.is_current()
        for saved in saved_queries().values():
            if "now()" not in saved.sparql.lower():
                assert model.saved_answer(saved.name, "json", cap) == native_answer(
                    store.native, saved.sparql, "json", cap), saved.name
