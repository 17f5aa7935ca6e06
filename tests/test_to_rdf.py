"""graph.to_rdf: the RDF of one article as docs/architecture.md describes it, grouped per fact."""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD

from graph.model import (
    Article,
    CountryFact,
    EquipmentFact,
    Evidence,
    Extraction,
    MeetingFact,
    OrganisationFact,
    PersonFact,
    PledgeFact,
    Role,
)
from graph.to_rdf import extraction_to_turtle, pledge_key, to_rdf
from graph.vocab import (
    AID,
    DCTERMS,
    NIF,
    ORG,
    PROV,
    SCHEMA,
    SKOS,
    amount_iri,
    article_iri,
    category_iri,
    claim_iri,
    country_iri,
    equipment_iri,
    meeting_iri,
    org_iri,
    person_iri,
    pledge_iri,
    post_iri,
    status_iri,
    text_iri,
)

TEXT = ("Defence ministers of the contact group met in Brussels on Friday. "
        "Sweden promised two radars and 150 million kronor for air defence.")


def evidence(start: int = 66, end: int = 133, rule: str = "en.test.pledge") -> Evidence:
    return Evidence(text=TEXT[start:end], start=start, end=end, rule=rule, confidence=0.75)


def article(article_id: str = "t-sv-radars", published: date = date(2025, 4, 12)) -> Article:
    return Article(id=article_id, text=TEXT, lang="en", published=published, publisher="Example Wire",
                   url="https://example.org/radars", title="Radars for Ukraine")


def radar_pledge(**changes) -> PledgeFact:
    values = dict(donor="SE", recipient="UA", item="ground surveillance radars", category="radar", quantity=2,
                  amount=150_000_000.0, currency="SEK", date="2025-04-11", meeting="UDCG-2025-04-11",
                  status="pledged", evidence=evidence())
    values.update(changes)
    return PledgeFact(**values)


def extraction(article_id: str = "t-sv-radars", **pledge_changes) -> Extraction:
    return Extraction(
        article=article(article_id),
        persons=[PersonFact(name="Pål Jonson", id="pal-jonson", wikidata="Q18234036",
                            roles=[Role("defence_minister", "SE", evidence(0, 65, "en.test.role"))],
                            evidence=[evidence(0, 65, "en.test.person")])],
        countries=[CountryFact("SE"), CountryFact("UA")],
        organisations=[OrganisationFact("UDCG", "Ukraine Defense Contact Group")],
        meetings=[MeetingFact(key="UDCG-2025-04-11", format="UDCG", date="2025-04-11", place="Brussels",
                              chairs=["GB", "DE"], participants=["Pål Jonson"],
                              remote_participants=["Jane Remote"], n_countries=50,
                              evidence=[evidence(0, 65, "en.test.meeting")])],
        equipment=[EquipmentFact(name="IRIS-T SLM", category="air_defence", id="iris-t-slm")],
        pledges=[radar_pledge(**pledge_changes)],
    )


def test_article_metadata() -> None:
    graph = to_rdf(extraction()).graph
    art = article_iri("t-sv-radars")
    assert (art, RDF.type, SCHEMA.NewsArticle) in graph
    assert graph.value(art, SCHEMA.identifier) == Literal("t-sv-radars")
    assert graph.value(art, SCHEMA.datePublished) == Literal("2025-04-12", datatype=XSD.date)
    assert graph.value(graph.value(art, SCHEMA.publisher), SCHEMA.name) == Literal("Example Wire")


def test_pledge_as_n_ary_node() -> None:
    result = to_rdf(extraction())
    graph = result.graph
    pledge = pledge_iri(pledge_key(radar_pledge()))
    assert (pledge, RDF.type, AID.Pledge) in graph
    assert graph.value(pledge, SCHEMA.agent) == country_iri("SE")
    assert graph.value(pledge, SCHEMA.recipient) == country_iri("UA")
    assert graph.value(pledge, AID.itemLabel) == Literal("ground surveillance radars", lang="en")
    assert graph.value(pledge, AID.category) == category_iri("radar")
    assert graph.value(pledge, AID.quantity) == Literal(2)
    assert graph.value(pledge, AID.status) == status_iri("pledged")
    assert graph.value(pledge, AID.announcedAt) == meeting_iri("UDCG-2025-04-11")
    amount = graph.value(pledge, SCHEMA.amount)
    assert amount == amount_iri(pledge)
    assert graph.value(amount, SCHEMA.value).toPython() == 150_000_000
    assert graph.value(amount, SCHEMA.value).datatype == XSD.decimal
    assert graph.value(amount, SCHEMA.currency) == Literal("SEK")
    assert graph.value(pledge, PROV.wasDerivedFrom) == article_iri("t-sv-radars")


def test_pledge_claim_carries_evidence_offsets_rule_and_confidence() -> None:
    graph = to_rdf(extraction()).graph
    claim = graph.value(pledge_iri(pledge_key(radar_pledge())), PROV.qualifiedDerivation)
    assert str(claim).startswith(str(claim_iri("t-sv-radars", 1)).rsplit("/", 1)[0] + "/")
    assert (claim, RDF.type, AID.Claim) in graph
    assert graph.value(claim, NIF.anchorOf) == Literal(TEXT[66:133], lang="en")
    assert graph.value(claim, NIF.beginIndex).toPython() == 66
    assert graph.value(claim, NIF.endIndex).toPython() == 133
    assert graph.value(claim, AID.extractionRule) == Literal("en.test.pledge")
    assert graph.value(claim, AID.confidence).toPython() == pytest.approx(0.75)
    assert graph.value(claim, PROV.entity) == article_iri("t-sv-radars")


def test_article_text_is_the_nif_context_the_claims_offsets_index_into() -> None:
    article_graph = to_rdf(extraction())
    graph = article_graph.graph
    context = text_iri("t-sv-radars")
    assert (context, RDF.type, NIF.Context) in graph
    assert graph.value(context, NIF.isString) == Literal(TEXT)
    assert (graph.value(context, NIF.beginIndex).toPython(), graph.value(context, NIF.endIndex).toPython()) \
        == (0, len(TEXT))
    assert graph.value(context, PROV.wasDerivedFrom) == article_iri("t-sv-radars")
    assert any((context, NIF.isString, Literal(TEXT)) in triples  # the text belongs to the article's group
               for key, triples in article_graph.groups.items() if key == article_iri("t-sv-radars"))
    claims = list(graph.subjects(RDF.type, AID.Claim))
    assert claims
    for claim in claims:
        assert graph.value(claim, NIF.referenceContext) == context
        begin, end = (graph.value(claim, p).toPython() for p in (NIF.beginIndex, NIF.endIndex))
        assert str(graph.value(context, NIF.isString))[begin:end] == str(graph.value(claim, NIF.anchorOf))


@pytest.mark.parametrize(("value", "datatype"), [
    ("2025-04-11", XSD.date), ("2025-04", XSD.gYearMonth), ("2025", XSD.gYear),
])
def test_date_datatype_follows_precision(value: str, datatype) -> None:
    graph = to_rdf(extraction(date=value, meeting=None)).graph
    pledge = pledge_iri(pledge_key(radar_pledge(date=value, meeting=None)))
    assert graph.value(pledge, DCTERMS.date) == Literal(value, datatype=datatype)


def test_same_pledge_from_two_articles_is_one_node_with_two_claims() -> None:
    first = to_rdf(extraction("article-one")).graph
    second = to_rdf(extraction("article-two", quantity=4)).graph
    pledge = pledge_iri(pledge_key(radar_pledge()))
    assert (pledge, RDF.type, AID.Pledge) in first
    assert (pledge, RDF.type, AID.Pledge) in second
    claims_one = set(first.objects(pledge, PROV.qualifiedDerivation))
    claims_two = set(second.objects(pledge, PROV.qualifiedDerivation))
    assert claims_one.isdisjoint(claims_two)
    assert first.value(pledge, AID.quantity) == Literal(2)
    assert second.value(pledge, AID.quantity) == Literal(4)


def test_known_system_is_the_object_not_a_label() -> None:
    graph = to_rdf(extraction(item="IRIS-T SLM", item_id=None, category="air_defence")).graph
    pledge = pledge_iri(pledge_key(radar_pledge(item="IRIS-T SLM", item_id=None, category="air_defence")))
    assert graph.value(pledge, SCHEMA.object) == equipment_iri("iris-t-slm")
    assert graph.value(pledge, AID.itemLabel) is None
    assert (equipment_iri("iris-t-slm"), RDF.type, AID.EquipmentSystem) in graph


def test_person_with_reference_slug_holds_the_stated_post() -> None:
    graph = to_rdf(extraction()).graph
    person = person_iri("pal-jonson")
    post = post_iri("defence_minister", "SE")
    assert graph.value(person, SCHEMA.name) == Literal("Pål Jonson")
    assert (person, ORG.holds, post) in graph
    assert (post, RDF.type, ORG.Post) in graph
    assert graph.value(post, ORG.postIn) == country_iri("SE")
    assert len(set(graph.objects(person, PROV.qualifiedDerivation))) == 2  # mention + role


def test_meeting_with_chairs_place_and_remote_attendee() -> None:
    graph = to_rdf(extraction()).graph
    meeting = meeting_iri("UDCG-2025-04-11")
    assert graph.value(meeting, SKOS.notation) == Literal("UDCG-2025-04-11")
    assert graph.value(meeting, AID.format) == org_iri("UDCG")
    assert set(graph.objects(meeting, AID.chair)) == {country_iri("GB"), country_iri("DE")}
    assert graph.value(meeting, SCHEMA.attendee) == person_iri("pal-jonson")
    remote = graph.value(meeting, AID.remoteAttendee)
    assert remote == person_iri("Jane Remote")
    assert (remote, RDF.type, SCHEMA.Person) in graph
    assert graph.value(meeting, AID.numberOfCountries) == Literal(50)


def test_every_referenced_entity_is_typed_in_the_article_graph() -> None:
    graph = to_rdf(extraction()).graph
    untyped = {o for _, p, o in graph if p != RDF.type and o.__class__.__name__ == "URIRef"
               and str(o).startswith("https://w3id.org/aidgraph/id/")
               and "/scheme/" not in str(o) and (o, RDF.type, None) not in graph}
    assert untyped == set()


def test_article_graphs_hold_no_blank_nodes() -> None:
    """Every node has an IRI, so the store's default graph (the merge of the article graphs) can
    hold a node stated by many articles once, and remove its triples again (graph.store.merge)."""
    from rdflib import BNode

    assert not [t for t in to_rdf(extraction()).graph if any(isinstance(term, BNode) for term in t)]


def test_groups_cover_the_graph_and_name_each_fact() -> None:
    result = to_rdf(extraction())
    union = set().union(*result.groups.values())
    assert union == set(result.graph)
    kinds = result.kinds
    assert kinds[result.article_iri] == "article"
    assert kinds[pledge_iri(pledge_key(radar_pledge()))] == "pledge"
    assert kinds[meeting_iri("UDCG-2025-04-11")] == "meeting"
    assert kinds[person_iri("pal-jonson")] == "person"
    assert kinds[country_iri("SE")] == "entity"


def test_bad_values_become_triples_not_exceptions() -> None:
    result = to_rdf(extraction(quantity=-3, currency="EURO", date="April", status="rumoured!"))
    pledge = next(iter(result.graph.subjects(RDF.type, AID.Pledge)))
    assert result.graph.value(pledge, AID.quantity) == Literal(-3)
    assert result.graph.value(pledge, DCTERMS.date) == Literal("April")


def test_turtle_output_parses_back() -> None:
    text = extraction_to_turtle(extraction())
    assert "@prefix aid:" in text
    assert len(Graph().parse(data=text, format="turtle")) == len(to_rdf(extraction()).graph)


def test_two_pledges_sharing_a_key_but_not_their_figures_stay_apart() -> None:
    ex = extraction()
    ex.pledges.append(radar_pledge(quantity=None, amount=80_000_000.0))
    graph = to_rdf(ex).graph
    pledges = set(graph.subjects(RDF.type, AID.Pledge))
    assert len(pledges) == 2
    assert all(len(set(graph.objects(p, SCHEMA.amount))) == 1 for p in pledges)


def test_same_pledge_twice_in_one_article_is_one_node_with_two_claims() -> None:
    ex = extraction()
    ex.pledges.append(radar_pledge(evidence=evidence(0, 65)))
    graph = to_rdf(ex).graph
    pledges = set(graph.subjects(RDF.type, AID.Pledge))
    assert len(pledges) == 1
    assert len(set(graph.objects(next(iter(pledges)), PROV.qualifiedDerivation))) == 2
