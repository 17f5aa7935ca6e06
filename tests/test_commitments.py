"""Commitments (graph/commitments.py) over the multi-article fixtures of tests/data/commitments/:
one IRIS-T pledge reported by several outlets in three languages, a wire copy, a contradiction, a
re-announcement, "two more", a delivery; grouped in the derived graph aidg:commitments of a real store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import URIRef

from graph.commitments import (
    ClaimRecord,
    ItemKnowledge,
    claim_ref,
    cluster,
    has_additional_cue,
    pairwise_scores,
    read_claims,
    read_knowledge,
)
from graph.pipeline import ingest_paths
from graph.vocab import AID, COMMITMENTS_GRAPH, RDF, article_iri, equipment_iri

FIXTURES = Path(__file__).parent / "data" / "commitments"
GOLD = [c["claims"] for c in json.loads((FIXTURES / "gold.json").read_text(encoding="utf-8"))["commitments"]]
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


def subset(tmp_path: Path, name: str, prefixes: tuple[str, ...]) -> Path:
    """A folder with the fixture articles whose file names start with one of ``prefixes``."""
    folder = tmp_path / name
    folder.mkdir()
    entries = [e for e in MANIFEST if e["file"].startswith(prefixes)]
    for entry in entries:
        shutil.copy(FIXTURES / entry["file"], folder / entry["file"])
    (folder / "manifest.json").write_text(json.dumps(entries), encoding="utf-8")
    return folder


def commitments_graph(store) -> set:
    return set(store.get_graph(str(COMMITMENTS_GRAPH)))


def commitments_of(store) -> dict[URIRef, dict]:
    """Commitment IRI -> its properties (sets of objects per property local name)."""
    found: dict[URIRef, dict] = {}
    for s, p, o in commitments_graph(store):
        if (s, RDF.type, AID.Commitment) in commitments_graph(store):
            found.setdefault(s, {}).setdefault(str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1], set()).add(o)
    return found


@pytest.fixture
def fixture_store(store_factory):
    store = store_factory("oxigraph")
    ingest_paths([FIXTURES], store, progress=False, workers=0)
    return store


def the_commitment(store, article: str, system: str) -> dict:
    """The commitment holding the claim of ``article`` about ``system``."""
    claims = {c.claim for c in read_claims(store)
              if c.article == str(article_iri(article)) and c.item == str(equipment_iri(system))}
    for values in commitments_of(store).values():
        if {str(c) for c in values["groupsClaim"]} & claims:
            return values
    raise AssertionError(f"no commitment holds {article} {system}")


def articles_of(values: dict) -> set[str]:
    return {str(c).split("/claim/", 1)[1].rsplit("/", 1)[0] for c in values["groupsClaim"]}


def test_one_story_in_three_languages_with_a_contradiction_is_one_commitment(fixture_store):
    iris = the_commitment(fixture_store, "a1_en_iris_pledge", "iris-t-slm")
    assert {"a1_en_iris_pledge", "a2_en_iris_wire", "a3_de_iris_pledge", "a4_sv_iris_pledge",
            "a5_en_iris_contradiction", "a6_en_iris_reannounced", "a8_en_iris_delivered"} <= articles_of(iris)
    assert {str(v) for v in iris["contradiction"]} == {"quantity"}
    assert "quantity" not in iris  # 3 vs 5: no single quantity is asserted
    assert {int(v) for v in iris["deliveredQuantity"]} == {3}
    assert {int(v) for v in iris["deliveryLagDays"]} and min(int(v) for v in iris["deliveryLagDays"]) > 100


def test_two_more_is_a_new_commitment_and_another_system_too(fixture_store):
    first = the_commitment(fixture_store, "a1_en_iris_pledge", "iris-t-slm")
    more = the_commitment(fixture_store, "a7_en_iris_more", "iris-t-slm")
    patriot = the_commitment(fixture_store, "b2_en_patriot_pledge", "patriot")
    assert more is not first and patriot is not first
    assert articles_of(more) == {"a7_en_iris_more"}
    assert {int(v) for v in more["quantity"]} == {2}


def test_a_wire_copy_counts_once_among_the_independent_sources(fixture_store):
    duplicates = {(s, o) for s, p, o in commitments_graph(fixture_store) if p == AID.nearDuplicateOf}
    assert duplicates == {(article_iri("a2_en_iris_wire"), article_iri("a1_en_iris_pledge"))}
    iris = the_commitment(fixture_store, "a1_en_iris_pledge", "iris-t-slm")
    assert {int(v) for v in iris["independentSources"]} == {len(articles_of(iris)) - 1}


def test_the_clustering_matches_the_gold_clustering(fixture_store):
    commitments = cluster(read_claims(fixture_store), read_knowledge(fixture_store))
    scores = pairwise_scores([[claim_ref(c) for c in group.claims] for group in commitments], GOLD)
    assert scores["precision"] >= 0.95 and scores["recall"] >= 0.95, scores


def test_ingest_order_does_not_change_the_commitments_and_reingest_is_idempotent(tmp_path, store_factory):
    first = subset(tmp_path, "first", ("a1", "a2", "a3", "b"))
    second = subset(tmp_path, "second", ("a4", "a5", "a6", "a7", "a8"))
    forward, backward = store_factory("oxigraph"), store_factory("oxigraph")
    for folder in (first, second):
        ingest_paths([folder], forward, progress=False, workers=0)
    for folder in (second, first):
        ingest_paths([folder], backward, progress=False, workers=0)
    assert commitments_graph(forward) and commitments_graph(forward) == commitments_graph(backward)
    before = commitments_graph(forward)
    ingest_paths([first, second], forward, progress=False, workers=0, force=True)
    assert commitments_graph(forward) == before


CUES = [("en", "Germany pledged two more IRIS-T SLM systems", True),
        ("en", "more than 100 drones were pledged", False),
        ("de", "Deutschland sagt zwei weitere IRIS-T SLM zu", True),
        ("de", "mehr als 100 Drohnen", False),
        ("sv", "Sverige skickar ytterligare tio Archer", True),
        ("sv", "Sverige skickar tio Archer", False),
        ("fr", "deux systèmes supplémentaires", True)]


@pytest.mark.parametrize(("lang", "text", "expected"), CUES)
def test_additional_cues_come_from_the_lexicon(lang, text, expected):
    assert has_additional_cue(text, lang) is expected


def claim(n: int, day: str, quantity: int | None, item: str | None = "equipment/iris-t-slm",
          status: str = "pledged", evidence: str = "") -> ClaimRecord:
    import datetime as dt

    return ClaimRecord(claim=f"claim/{n}", pledge=f"pledge/{n}", article=f"article/{n}", donor="DE",
                       recipient="UA", item=item, category="category/air_defence", quantity=quantity,
                       amount=None, status=status, day=dt.date.fromisoformat(day), evidence=evidence,
                       lang="en")


KNOWLEDGE = ItemKnowledge({"equipment/iris-t-slm": {"equipment/iris-t"}},
                          {"equipment/iris-t-slm": "category/air_defence",
                           "equipment/patriot": "category/air_defence"})


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]])
def test_clustering_is_independent_of_the_input_order(order):
    claims = [claim(1, "2026-01-10", 4), claim(2, "2026-01-11", 2), claim(3, "2026-01-10", None, item=None),
              claim(4, "2026-03-01", 2, evidence="two more systems"),
              claim(5, "2026-01-10", 1, item="equipment/patriot")]
    groups = cluster([claims[i] for i in order], KNOWLEDGE)
    assert sorted(sorted(c.claim for c in g.claims) for g in groups) == \
        [["claim/1", "claim/2", "claim/3"], ["claim/4"], ["claim/5"]]


def test_a_variant_and_its_parent_system_are_compatible_but_far_apart_claims_are_not():
    same = cluster([claim(1, "2026-01-10", 4), claim(2, "2026-01-12", 4, item="equipment/iris-t")], KNOWLEDGE)
    assert len(same) == 1
    apart = cluster([claim(1, "2026-01-10", 4), claim(2, "2026-12-01", None)], KNOWLEDGE)
    assert len(apart) == 2


def test_the_derived_graph_conforms_to_the_commitment_shape(fixture_store):
    from graph.validate import validate_graph

    report = validate_graph(fixture_store.get_graph(str(COMMITMENTS_GRAPH)))
    assert report.conforms, report.text


@pytest.mark.parametrize(("article", "system", "instrument"), [
    ("c1_en_danish_model", "bohdana", "danish_model"), ("c2_en_drawdown", "bradley", "pda")])
def test_the_instrument_is_read_where_the_evidence_names_it(fixture_store, article, system, instrument):
    values = the_commitment(fixture_store, article, system)
    assert {str(v) for v in values["instrument"]} == {instrument}
    assert {str(v) for v in values["stage"]} == {"committed"}


def test_a_delivery_moves_the_commitment_to_the_delivered_stage(fixture_store):
    assert {str(v) for v in the_commitment(fixture_store, "a1_en_iris_pledge", "iris-t-slm")["stage"]} == \
        {"delivered"}
    assert "instrument" not in the_commitment(fixture_store, "a1_en_iris_pledge", "iris-t-slm")


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("de", "über die Europäische Friedensfazilität finanziert", {"epf"}),
    ("sv", "enligt den danska modellen", {"danish_model"}),
    ("en", "paid through PURL and the Czech ammunition initiative", {"purl", "czech_initiative"}),
    ("en", "a purlieu of Kyiv", set()),
])
def test_instrument_phrases_come_from_the_lexicon(lang, text, expected):
    from graph.commitments import instruments_in

    assert instruments_in(text, lang) == expected


def test_the_demo_corpus_matches_its_gold_clustering(store_factory):
    store = store_factory("oxigraph")
    ingest_paths([Path(__file__).parent.parent / "corpus" / "demo"], store, progress=False, workers=0)
    demo_gold = json.loads((FIXTURES / "demo_gold.json").read_text(encoding="utf-8"))
    gold = [c["claims"] for c in demo_gold["commitments"]]
    commitments = cluster(read_claims(store), read_knowledge(store))
    scores = pairwise_scores([[claim_ref(c) for c in group.claims] for group in commitments], gold)
    assert scores["pairs_gold"] == 2 and scores["precision"] == 1.0 and scores["recall"] == 1.0, scores


def test_a_signed_contract_is_the_contracted_stage(fixture_store):
    stage = the_commitment(fixture_store, "c3_de_contract", "gepard")["stage"]
    assert {str(v) for v in stage} == {"contracted"}


@pytest.mark.parametrize(("status", "evidence", "lang", "stage"), [
    ("pledged", "the contract with the manufacturer was signed", "en", "contracted"),
    ("pledged", "Sverige har beställt tio Archer åt Ukraina", "sv", "contracted"),
    ("pledged", "Germany pledged four IRIS-T", "en", "committed"),
    ("planned", "a contract may follow", "en", "announced"),
    ("delivered", "under the contract, delivered", "en", "delivered"),
    # allocated or earmarked without a contract phrase: Kiel's allocations
    ("pledged", "The ministry has earmarked 300 million euros of its budget for Ukrainian air defence", "en",
     "allocated"),
    ("pledged", "Aus dem Sondervermögen wurden der Ukraine zwölf Haubitzen zugewiesen", "de", "allocated"),
    ("pledged", "Regeringen har avsatt två miljarder kronor till luftvärn för Ukraina", "sv", "allocated"),
    ("pledged", "Le gouvernement a alloué deux cents millions d'euros aux munitions pour l'Ukraine", "fr",
     "allocated"),
    ("pledged", "Rząd przeznaczył kolejne sto milionów złotych na amunicję dla Ukrainy", "pl", "allocated"),
    ("pledged", "Het kabinet heeft 150 miljoen euro toegewezen aan drones voor Oekraïne", "nl", "allocated"),
    ("pledged", "Regjeringen har øremerket en milliard kroner til artilleri for Ukraina", "nb", "allocated"),
    # a contract phrase wins over an allocation phrase; a phrase of another language is no cue
    ("pledged", "the money allocated last month went into a contract for 20 howitzers", "en", "contracted"),
    ("pledged", "Die Mittel wurden zugewiesen und der Vertrag unterzeichnet", "de", "contracted"),
    ("pledged", "Sverige har avsatt pengar", "en", "committed"),
    ("planned", "the government plans to allocate more funds", "en", "announced"),
])
def test_claim_stages(status, evidence, lang, stage):
    from graph.commitments import claim_stage

    assert claim_stage(status, evidence, lang) == stage


# --------------------------------------------------------------------------- incremental update

@pytest.fixture(scope="module")
def article_graphs(tmp_path_factory) -> dict[str, object]:
    """The article graphs of the fixtures and the demo corpus, extracted once (name -> rdflib graph)."""
    from graph.store import open_store

    with open_store(tmp_path_factory.mktemp("source") / "store", backend="oxigraph") as source:
        ingest_paths([FIXTURES, Path(__file__).parents[1] / "corpus" / "demo"], source, progress=False,
                     workers=0, commitments=False)
        prefix = str(article_iri("x"))[:-1]
        return {name: source.get_graph(name) for name in source.graph_names() if name.startswith(prefix)}


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_incremental_update_equals_the_full_recompute_in_any_order(article_graphs, store_factory, seed):
    import random

    from graph.commitments import recompute, update

    rng = random.Random(seed)
    names = sorted(article_graphs)
    rng.shuffle(names)
    store = store_factory("oxigraph")
    reclustered = []
    while names:
        size = rng.randint(1, 6)
        chunk, names = names[:size], names[size:]
        store.replace_graphs({name: article_graphs[name] for name in chunk})
        reclustered.append(update(store, chunk).reclustered)
    incremental = commitments_graph(store)
    recompute(store)
    assert incremental and incremental == commitments_graph(store)
    # None: the full recompute (no commitment yet, or most claims touched)
    assert any(n is not None for n in reclustered)  # not everything every time
    # re-ingesting an article changes nothing; dropping one equals the recompute without it
    again = rng.choice(sorted(article_graphs))
    store.replace_graphs({again: article_graphs[again]})
    update(store, [again])
    assert commitments_graph(store) == incremental
    gone = str(article_iri("a1_en_iris_pledge")) if seed % 2 else rng.choice(sorted(article_graphs))
    store.replace_graphs({gone: ()})
    update(store, [gone])
    without = commitments_graph(store)
    recompute(store)
    assert without == commitments_graph(store) and without != incremental


def test_an_ingest_updates_only_the_commitments_its_claims_touch(tmp_path, store_factory):
    store = store_factory("oxigraph")
    first = ingest_paths([subset(tmp_path, "first", ("a", "b"))], store, progress=False, workers=0)
    second = ingest_paths([subset(tmp_path, "second", ("c1",))], store, progress=False, workers=0)
    assert first.commitments.reclustered is None  # no commitment yet: the full recompute
    assert 0 < second.commitments.reclustered < first.commitments.claims  # the Danish one, not the IRIS-T
    assert second.commitments.commitments == len(commitments_of(store))
