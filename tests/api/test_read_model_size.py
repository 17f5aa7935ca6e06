"""What the pledge read model keeps on disk (issue 11 §2): one ordered copy of each facet row (its
primary key is the order pages are read in, no second index of the same columns) and large saved-query
answers compressed, given back exactly as they were kept."""

from __future__ import annotations

import json
import sqlite3

import pyoxigraph as ox

from graph.store.readmodel import PACK_ANSWERS_FROM, PledgeCriteria, PledgeReadModel

CAP = 10_000


def _current_model(tmp_path) -> PledgeReadModel:
    model = PledgeReadModel(tmp_path / "lookups.sqlite")
    model.rebuild(ox.Store())  # an empty store: the model is current, with a generation
    assert model.is_current() and model.generation() is not None
    return model


def test_large_saved_answers_are_stored_compressed_and_read_back_unchanged(tmp_path):
    model = _current_model(tmp_path)
    rows = [{"pledge": {"type": "uri", "value": f"https://w3id.org/aidgraph/id/pledge/p-{i}"}}
            for i in range(800)]
    text = json.dumps({"head": {"vars": ["pledge"]}, "results": {"bindings": rows}})
    assert len(text) > 4 * PACK_ANSWERS_FROM
    json_type = "application/sparql-results+json"
    answers = {"as_text": {"body": text, "media_type": json_type, "count": 800, "truncated": False},
               "as_bytes": {"body": text.encode(), "media_type": json_type, "count": 800, "truncated": False},
               "small": {"body": '{"boolean":true}', "media_type": json_type, "count": 1, "truncated": False}}
    for name, answer in answers.items():
        model.keep_answer(name, "json", CAP, model.generation(), answer)
    for name, answer in answers.items():
        kept = model.saved_answer(name, "json", CAP)
        assert kept == answer, name
        assert type(kept["body"]) is type(answer["body"]), name
    with sqlite3.connect(model.path) as db:
        stored = dict(db.execute("SELECT name, length(body) FROM saved_answers"))
    assert stored["as_text"] < len(text) / 5 and stored["as_bytes"] < len(text) / 5
    assert stored["small"] == len(answers["small"]["body"])


def test_facet_pages_read_the_primary_key_in_page_order(tmp_path):
    """A page of one facet value is read off the table's own key, newest first, without a sort and
    without a second index of the facet rows (which used to be a third of the file)."""
    model = _current_model(tmp_path)
    with sqlite3.connect(model.path) as db:
        indexes = {name for name, in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pledge_facets' "
            "AND sql IS NOT NULL")}
        assert indexes == {"pledge_facets_pledge"}
        criteria = PledgeCriteria(equal={"donor": ["https://w3id.org/aidgraph/id/country/DE"]})
        where, params = criteria.row_checks("r.pledge", skip="donor")
        sql = ("SELECT r.sort_date, r.pledge FROM pledge_facets r WHERE r.facet = ? AND r.value = ? "
               f"AND {where} ORDER BY r.sort_date DESC, r.pledge LIMIT 100 OFFSET 0")
        plan = " ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + sql, ["donor", "x", *params]))
        assert "PRIMARY KEY" in plan and "TEMP B-TREE" not in plan, plan


def test_a_rebuild_over_an_old_model_leaves_no_free_pages(tmp_path):
    """A rebuild drops the old tables; the file is rewritten without their pages (else a model built
    over a larger old one keeps the old size on disk)."""
    aid, schema = "https://w3id.org/aidgraph/ontology#", "https://schema.org/"
    store = ox.Store()
    for n in range(3000):
        pledge = ox.NamedNode(f"https://w3id.org/aidgraph/id/pledge/p-{n}")
        store.add(ox.Quad(pledge, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode(aid + "Pledge")))
        store.add(ox.Quad(pledge, ox.NamedNode(schema + "agent"),
                          ox.NamedNode(f"https://w3id.org/aidgraph/id/country/C{n % 40}")))
        store.add(ox.Quad(pledge, ox.NamedNode("http://purl.org/dc/terms/date"),
                          ox.Literal(f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}")))
    model = PledgeReadModel(tmp_path / "lookups.sqlite")
    assert model.rebuild(store) == 3000
    for n in range(2500):  # most pledges go: the next model is much smaller than the old one
        store.remove(ox.Quad(ox.NamedNode(f"https://w3id.org/aidgraph/id/pledge/p-{n}"),
                             ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                             ox.NamedNode(aid + "Pledge")))
    assert model.rebuild(store) == 500
    with sqlite3.connect(model.path) as db:
        free, pages = (db.execute(f"PRAGMA {name}").fetchone()[0]
                       for name in ("freelist_count", "page_count"))
    assert free <= pages // 4, (free, pages)
    assert len(model.page(PledgeCriteria(), 1000, 0)) == 500
