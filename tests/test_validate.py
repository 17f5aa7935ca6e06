"""graph.validate: the SHACL gate on article graphs built by to_rdf from hand-made records."""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH, SKOS

from graph.errors import InputError, RDFSyntaxError
from graph.model import Article, CountryFact, Evidence, Extraction, MeetingFact, PledgeFact
from graph.to_rdf import pledge_key, to_rdf
from graph.validate import gate, validate_file, validate_graph
from graph.vocab import AID, country_iri, pledge_iri

TEXT = ("Britain said on Thursday it would send 400 air defence missiles and 90 million pounds. "
        "Norway added two patrol boats for the Ukrainian navy.")
PUBLISHED = date(2025, 4, 11)


def evidence(start: int, end: int) -> Evidence:
    return Evidence(text=TEXT[start:end], start=start, end=end, rule="en.test.pledge", confidence=0.8)


GOOD = PledgeFact(donor="GB", item="air defence missiles", category="air_defence", quantity=400,
                  amount=90_000_000.0, currency="GBP", date="2025-04-10", evidence=evidence(0, 86))
OTHER = PledgeFact(donor="NO", item="patrol boats", category="other", quantity=2, date="2025-04",
                   evidence=evidence(87, 140))


def extraction(*pledges: PledgeFact, published: date | None = PUBLISHED, **article_changes) -> Extraction:
    article = Article(id="t-gate", text=TEXT, lang="en", published=published, publisher="Example Wire",
                      **article_changes)
    return Extraction(article=article, countries=[CountryFact("GB"), CountryFact("NO"), CountryFact("UA")],
                      pledges=list(pledges))


def with_changes(pledge: PledgeFact, **changes) -> PledgeFact:
    values = {name: getattr(pledge, name) for name in pledge.__slots__}
    values.update(changes)
    return PledgeFact(**values)


def test_good_pledges_are_accepted() -> None:
    result = gate(to_rdf(extraction(GOOD, OTHER)))
    assert result.report.conforms, result.report.text
    assert (result.facts_accepted, result.facts_quarantined) == (2, 0)
    assert len(result.quarantined) == 0
    assert (pledge_iri(pledge_key(GOOD)), RDF.type, AID.Pledge) in result.accepted


@pytest.mark.parametrize(("changes", "constraint", "path"), [
    ({"currency": "EURO"}, "sh:PatternConstraintComponent", "schema:currency"),
    ({"quantity": -3}, "sh:MinExclusiveConstraintComponent", "aid:quantity"),
    ({"date": "2025-05-02"}, "sh:SPARQLConstraintComponent", "dcterms:date"),
    ({"date": "2025-05"}, "sh:SPARQLConstraintComponent", "dcterms:date"),
    ({"date": "2013-06-01"}, "sh:PatternConstraintComponent", "dcterms:date"),
    ({"amount": 0.0}, "sh:MinExclusiveConstraintComponent", "schema:value"),
    ({"currency": None}, "sh:MinCountConstraintComponent", "schema:currency"),
    ({"status": "rumoured"}, "sh:InConstraintComponent", "aid:status"),
    ({"donor": None}, "sh:MinCountConstraintComponent", "schema:agent"),
    ({"evidence": None}, "sh:MinCountConstraintComponent", "prov:qualifiedDerivation"),
    ({"evidence": Evidence(text="x", start=50, end=10, rule="r")},
     "sh:LessThanOrEqualsConstraintComponent", "nif:beginIndex"),
])
def test_bad_pledge_is_quarantined_and_the_report_names_the_constraint(changes, constraint, path) -> None:
    bad = with_changes(GOOD, **changes)
    result = gate(to_rdf(extraction(bad, OTHER)))
    assert (result.facts_accepted, result.facts_quarantined) == (1, 1)
    assert (pledge_iri(pledge_key(bad)), RDF.type, AID.Pledge) in result.quarantined
    assert (pledge_iri(pledge_key(bad)), RDF.type, AID.Pledge) not in result.accepted
    assert (pledge_iri(pledge_key(OTHER)), RDF.type, AID.Pledge) in result.accepted
    assert any(v.constraint == constraint and v.result_path == path and v.severity == "Violation"
               for v in result.report.violations), result.report.text


def test_article_failing_its_own_shape_quarantines_everything() -> None:
    article_graph = to_rdf(extraction(GOOD, OTHER, published=date(2009, 1, 1)))
    result = gate(article_graph)
    assert result.facts_accepted == 0
    assert result.facts_quarantined == 2
    assert len(result.accepted) == 0
    assert len(result.quarantined) == len(article_graph.graph)


def test_warnings_do_not_quarantine() -> None:
    future_meeting = MeetingFact(key="UDCG-2025-06-04", format="UDCG", date="2025-06-04",
                                 evidence=[evidence(0, 86)])
    ex = extraction(GOOD)
    ex.meetings.append(future_meeting)
    result = gate(to_rdf(ex))
    assert result.report.conforms
    assert [v.severity for v in result.report.violations] == ["Warning"]
    assert result.facts_quarantined == 0


def test_pledge_referring_to_a_quarantined_entity_is_quarantined_too() -> None:
    article_graph = to_rdf(extraction(GOOD, OTHER))
    britain = country_iri("GB")
    second_code = (britain, SKOS.notation, Literal("GBR"))   # a country with two codes fails aidsh:Country
    article_graph.graph.add(second_code)
    article_graph.groups[britain].add(second_code)

    result = gate(article_graph)

    assert any(v.shape == "aidsh:Country" and v.focus_node == str(britain) for v in result.report.violations)
    assert (result.facts_accepted, result.facts_quarantined) == (1, 1)
    assert (pledge_iri(pledge_key(GOOD)), RDF.type, AID.Pledge) in result.quarantined
    assert (pledge_iri(pledge_key(OTHER)), RDF.type, AID.Pledge) in result.accepted


def test_validate_graph_never_raises_on_odd_data() -> None:
    odd = Graph().parse(data="""
        @prefix aid: <https://w3id.org/aidgraph/ontology#> .
        <urn:x> a aid:Pledge ; aid:quantity "many" ; aid:status "pledged" .
        <urn:y> a aid:Claim .
    """, format="turtle")
    report = validate_graph(odd)
    assert not report.conforms
    assert {v.constraint for v in report.violations} >= {
        "sh:DatatypeConstraintComponent", "sh:InConstraintComponent", "sh:MinCountConstraintComponent"}
    assert "Conforms: False" in report.text


def test_validate_file_errors_are_actionable(tmp_path) -> None:
    with pytest.raises(InputError):
        validate_file(str(tmp_path / "missing.ttl"))
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:a> <urn:b> .", encoding="utf-8")
    with pytest.raises(RDFSyntaxError):
        validate_file(str(broken))


def test_blank_node_results_name_the_input_node() -> None:
    """Results about a blank node carry that node's own label, so the gate can find its group."""
    from rdflib import BNode

    claim = BNode()
    data = Graph()
    data.add((claim, RDF.type, AID.Claim))
    report = validate_graph(data)
    assert {v.focus_node for v in report.violations} == {str(claim)}


def test_validate_triples_takes_plain_triples() -> None:
    article_graph = to_rdf(extraction(with_changes(GOOD, quantity=-3)))
    from graph.validate import validate_triples

    from_triples = validate_triples(article_graph.triples())
    from_graph = validate_graph(article_graph.graph)
    assert from_triples.violations == from_graph.violations
    assert [v.value for v in from_triples.violations] == ['"-3"^^<http://www.w3.org/2001/XMLSchema#integer>']


# --------------------------------------------------------------------------- several articles (gate_many)

def _batch_of_articles() -> list:
    """Articles that share nodes (a person, countries, pledges), some with failing facts."""
    from rdflib import URIRef
    from rdflib.namespace import OWL

    from graph.model import PersonFact

    minister = PersonFact(name="Example Minister", id="example-minister", evidence=[evidence(0, 40)])
    graphs = []
    for n, pledges in enumerate([(GOOD, OTHER), (GOOD,), (with_changes(GOOD, quantity=-3), OTHER),
                                 (with_changes(OTHER, item="tugboats"),), (OTHER,)]):
        ex = extraction(*pledges)
        ex.article = Article(id=f"t-batch-{n}", text=TEXT, lang="en", published=PUBLISHED)
        ex.persons.append(minister)
        graphs.append(to_rdf(ex))
    # one article says something wrong about the shared person, on a value-by-value property
    person = next(key for key, kind in graphs[3].kinds.items() if kind == "person")
    bad_link = (person, OWL.sameAs, URIRef("http://example.org/not-wikidata"))
    graphs[3].groups[person].add(bad_link)
    return graphs


def test_gate_many_gives_each_article_what_gate_gives_it_alone() -> None:
    from graph.validate import gate_many

    together = gate_many(_batch_of_articles())
    alone = [gate(article_graph) for article_graph in _batch_of_articles()]
    for many, one in zip(together, alone, strict=True):
        assert many.accepted_triples == one.accepted_triples
        assert many.quarantined_triples == one.quarantined_triples
        assert many.report.violations == one.report.violations
        assert (many.facts_accepted, many.facts_quarantined) == (one.facts_accepted, one.facts_quarantined)
    assert [r.facts_quarantined for r in together] == [0, 0, 1, 1, 0]
    assert together[3].report.violations[0].result_path == "owl:sameAs"


def test_gate_many_report_graph_holds_only_the_articles_results() -> None:
    from graph.validate import gate_many

    results = gate_many(_batch_of_articles())
    bad = results[2].report.graph
    focus_nodes = set(bad.objects(None, SH.focusNode))
    assert focus_nodes == {pledge_iri(pledge_key(with_changes(GOOD, quantity=-3)))}
    assert len(list(bad.subjects(RDF.type, SH.ValidationReport))) == 1
    assert not results[0].report.violations
    assert "Conforms: False" in results[2].report.text
