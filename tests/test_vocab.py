"""graph.vocab: kept in step with the ontology Turtle, and the IRI policy of docs/architecture.md."""

from __future__ import annotations

import functools

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from graph import vocab
from graph.vocab import AID, AID_IRI, ONTOLOGY_DIR

LANGUAGES = ("en", "de", "sv")


@functools.cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "aidgraph.ttl", format="turtle")


def vocab_terms() -> set[URIRef]:
    return {AID[name] for name in AID.__annotations__}


def turtle_terms() -> set[URIRef]:
    declared = set()
    for rdf_type in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        declared |= {s for s in ontology().subjects(RDF.type, rdf_type) if str(s).startswith(AID_IRI)}
    return declared


def test_every_vocab_term_is_declared_in_the_turtle() -> None:
    assert vocab_terms() - turtle_terms() == set()


def test_every_turtle_term_is_in_vocab() -> None:
    assert turtle_terms() - vocab_terms() == set()


def test_no_aid_term_is_used_without_declaration() -> None:
    used = {t for triple in ontology() for t in triple
            if isinstance(t, URIRef) and str(t).startswith(AID_IRI)}
    assert used - turtle_terms() == set()


@pytest.mark.parametrize("term", sorted(vocab_terms()), ids=lambda t: t.split("#")[-1])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_term_has_label_and_definition_in(term: URIRef, lang: str) -> None:
    labels = {o.language for o in ontology().objects(term, RDFS.label)}
    definitions = {o.language for o in ontology().objects(term, SKOS.definition)}
    assert lang in labels
    assert lang in definitions


def test_closed_namespace_rejects_typos() -> None:
    with pytest.raises(AttributeError):
        _ = AID.pleg


@pytest.mark.parametrize(("iri", "expected"), [
    (vocab.country_iri("de"), "country/DE"),
    (vocab.org_iri("UDCG"), "org/UDCG"),
    (vocab.org_iri("multiple"), "org/multiple"),
    (vocab.person_iri("Boris Pistorius"), "person/boris-pistorius"),
    (vocab.person_iri("boris-pistorius"), "person/boris-pistorius"),
    (vocab.post_iri("defence_minister", "DE"), "post/defence_minister-DE"),
    (vocab.post_iri("secretary_general", "NATO"), "post/secretary_general-NATO"),
    (vocab.tenure_iri("boris-pistorius", "defence_minister", "DE", "2023-01-19"),
     "tenure/boris-pistorius-defence_minister-DE-2023-01-19"),
    (vocab.role_iri("defence_minister"), "role/defence_minister"),
    (vocab.category_iri("air_defence"), "category/air_defence"),
    (vocab.equipment_iri("IRIS-T SLM"), "equipment/iris-t-slm"),
    (vocab.status_iri("pledged"), "status/pledged"),
    (vocab.meeting_iri("UDCG-2025-04-11"), "meeting/UDCG-2025-04-11"),
    (vocab.place_iri("Brussels"), "place/brussels"),
    (vocab.article_iri("001"), "article/001"),
    (vocab.publisher_iri("Politico Europe"), "publisher/politico-europe"),
    (vocab.claim_iri("001", 7), "claim/001/7"),
    (vocab.run_iri("001"), "run/001"),
    (vocab.text_iri("001"), "text/001"),
])
def test_resource_iris_follow_the_policy(iri: URIRef, expected: str) -> None:
    assert iri == URIRef("https://w3id.org/aidgraph/id/" + expected)


def test_graph_iris() -> None:
    assert URIRef("https://w3id.org/aidgraph/graph/ontology") == vocab.ONTOLOGY_GRAPH
    assert URIRef("https://w3id.org/aidgraph/graph/reference") == vocab.REFERENCE_GRAPH
    assert vocab.quarantine_graph_iri("001") == URIRef("https://w3id.org/aidgraph/graph/quarantine/001")
    assert vocab.quarantine_report_iri("001") == URIRef("https://w3id.org/aidgraph/graph/quarantine/001/report")


def test_pledge_iri_is_stable_and_insensitive_to_case_and_spacing() -> None:
    a = vocab.pledge_iri(["DE", "UA", "IRIS-T SLM", "pledged", "2025-04-11"])
    b = vocab.pledge_iri(["de", "UA ", "iris-t slm", "pledged", "2025-04-11"])
    c = vocab.pledge_iri(["DE", "UA", "IRIS-T SLM", "delivered", "2025-04-11"])
    assert a == b != c
    assert len(str(a).rsplit("/", 1)[-1]) == 16


@pytest.mark.parametrize(("text", "slug"), [
    ("Władysław Kosiniak-Kamysz", "wladyslaw-kosiniak-kamysz"),
    ("Jørgen Støre", "jorgen-store"),
    ("Gießen", "giessen"),
    ("  Pål   Jonson ", "pal-jonson"),
    ("IRIS-T SLM", "iris-t-slm"),
])
def test_slugify(text: str, slug: str) -> None:
    assert vocab.slugify(text) == slug
    assert vocab.slugify(slug) == slug


@pytest.mark.parametrize("bad", ["", "   ", "—"])
def test_empty_values_cannot_make_iris(bad: str) -> None:
    with pytest.raises(ValueError):
        vocab.person_iri(bad)


def test_bad_vocabulary_key_is_rejected() -> None:
    with pytest.raises(ValueError, match="vocabulary key"):
        vocab.status_iri("pledged!")
