"""The ontology Turtle: parses everywhere, its concept schemes match graph.model, labels in en/de/sv."""

from __future__ import annotations

import functools

import pyoxigraph
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from graph.model import CATEGORIES, ROLES, STATUSES
from graph.vocab import (
    AID,
    CATEGORY_SCHEME,
    ONTOLOGY_DIR,
    ORG,
    PROV,
    ROLE_SCHEME,
    SCHEMA,
    STATUS_SCHEME,
    category_iri,
    role_iri,
    status_iri,
)

LANGUAGES = ("en", "de", "sv")
ONTOLOGY_FILES = sorted(ONTOLOGY_DIR.glob("*.ttl"))


@functools.cache
def ontology() -> Graph:
    graph = Graph()
    for path in ONTOLOGY_FILES:
        graph.parse(path, format="turtle")
    return graph


@pytest.mark.parametrize("path", ONTOLOGY_FILES, ids=lambda p: p.name)
def test_parses_with_oxigraph_too(path) -> None:
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(Graph().parse(path, format="turtle"))


def concepts(scheme: URIRef) -> set[URIRef]:
    return set(ontology().subjects(SKOS.inScheme, scheme))


def top_concepts(scheme: URIRef) -> set[URIRef]:
    return set(ontology().subjects(SKOS.topConceptOf, scheme))


@pytest.mark.parametrize(("scheme", "keys", "make_iri"), [
    (CATEGORY_SCHEME, CATEGORIES, category_iri),
    (STATUS_SCHEME, STATUSES, status_iri),
    (ROLE_SCHEME, ROLES, role_iri),
])
def test_scheme_top_concepts_are_the_model_vocabulary(scheme, keys, make_iri) -> None:
    assert top_concepts(scheme) == {make_iri(key) for key in keys}
    for key in keys:
        assert ontology().value(make_iri(key), SKOS.notation).toPython() == key


def test_narrower_categories_sit_under_a_top_category() -> None:
    tops = top_concepts(CATEGORY_SCHEME)
    narrower = concepts(CATEGORY_SCHEME) - tops
    assert category_iri("manpads") in narrower
    assert (category_iri("manpads"), SKOS.broader, category_iri("air_defence")) in ontology()
    for concept in narrower:
        assert ontology().value(concept, SKOS.broader) in tops


@pytest.mark.parametrize("scheme", [CATEGORY_SCHEME, STATUS_SCHEME, ROLE_SCHEME])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_concept_is_labelled_and_defined_in(scheme, lang) -> None:
    for concept in concepts(scheme) | {scheme}:
        assert lang in {o.language for o in ontology().objects(concept, SKOS.prefLabel)}, concept
        assert lang in {o.language for o in ontology().objects(concept, SKOS.definition)}, concept


def test_one_preferred_label_per_language() -> None:
    for subject in set(ontology().subjects(SKOS.prefLabel, None)):
        languages = [o.language for o in ontology().objects(subject, SKOS.prefLabel)]
        assert len(languages) == len(set(languages)), subject


@pytest.mark.parametrize(("term", "parent"), [
    (AID.Pledge, SCHEMA.DonateAction),
    (AID.Claim, PROV.Derivation),
    (AID.Meeting, SCHEMA.Event),
    (AID.EquipmentSystem, SCHEMA.Product),
    (AID.EquipmentSystem, SKOS.Concept),
    (AID.DonorGroup, ORG.Organization),
    (AID.Tenure, ORG.Membership),
])
def test_own_classes_specialise_standard_ones(term, parent) -> None:
    assert (term, RDF.type, OWL.Class) in ontology()
    assert (term, RDFS.subClassOf, parent) in ontology()


@pytest.mark.parametrize(("term", "parent"), [
    (AID.chair, SCHEMA.organizer),
    (AID.remoteAttendee, SCHEMA.attendee),
])
def test_own_properties_specialise_standard_ones(term, parent) -> None:
    assert (term, RDFS.subPropertyOf, parent) in ontology()


def test_statuses_map_to_schema_action_status_where_they_fit() -> None:
    assert (status_iri("delivered"), SKOS.closeMatch, SCHEMA.CompletedActionStatus) in ontology()
    assert (status_iri("pledged"), SKOS.closeMatch, SCHEMA.PotentialActionStatus) in ontology()
    assert ontology().value(status_iri("proposed"), SKOS.closeMatch) is None
