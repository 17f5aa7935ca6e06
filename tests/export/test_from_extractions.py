"""End to end: hand-written Extraction records -> graph.to_rdf -> on-disk store -> exports."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from graph.export import export
from graph.export.gexf import validate_gexf
from graph.export.projections import full_graph
from graph.model import (
    Article,
    CountryFact,
    EquipmentFact,
    Extraction,
    MeetingFact,
    OrganisationFact,
    PersonFact,
    PledgeFact,
    Role,
)
from graph.store import open_store
from graph.to_rdf import to_rdf

GEXF = {"g": "http://gexf.net/1.3"}


def extractions() -> list[Extraction]:
    first = Extraction(
        article=Article(id="e1", text="(test text)", lang="en", published=date(2025, 2, 12)),
        persons=[PersonFact(name="Boris Pistorius", roles=[Role("defence_minister", "DE")]),
                 PersonFact(name="Pete Hegseth", roles=[Role("defence_minister", "US")])],
        countries=[CountryFact("DE"), CountryFact("US"), CountryFact("UA"), CountryFact("GB")],
        organisations=[OrganisationFact(key="UDCG", name="Ukraine Defense Contact Group")],
        meetings=[MeetingFact(key="UDCG-2025-02-12", format="UDCG", date="2025-02-12", chairs=["GB"],
                              participants=["Boris Pistorius", "Pete Hegseth"])],
        equipment=[EquipmentFact(name="IRIS-T SLM", category="air_defence", id="iris-t-slm")],
        pledges=[PledgeFact(donor="DE", item="IRIS-T SLM", item_id="iris-t-slm", category="air_defence",
                            quantity=4, date="2025-02-12", meeting="UDCG-2025-02-12"),
                 PledgeFact(donor="GB", item="drones", category="drones", amount=1.5e8, currency="GBP",
                            date="2025-02")],
    )
    second = Extraction(
        article=Article(id="e2", text="(more test text)", lang="sv", published=date(2025, 5, 20)),
        countries=[CountryFact("SE"), CountryFact("UA")],
        equipment=[EquipmentFact(name="CV90", category="armour", id="cv90")],
        pledges=[PledgeFact(donor="SE", item="CV90", item_id="cv90", category="armour", quantity=20,
                            date="2025", status="planned"),
                 PledgeFact(donor="multiple", item="artillery shells", category="ammunition")],
    )
    return [first, second]


@pytest.fixture(scope="module")
def extraction_store(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("extractions") / "store") as store:
        for extraction in extractions():
            store.add_graph(f"https://w3id.org/aidgraph/id/article/{extraction.article.id}",
                            to_rdf(extraction).graph)
        yield store


def test_network_holds_every_extracted_fact(extraction_store):
    network = full_graph(extraction_store)
    pledged = [data for *_ends, data in network.edges(data=True) if data["type"] == "pledged"]
    assert sum(data["n_pledges"] for data in pledged) == sum(len(e.pledges) for e in extractions())
    kinds = [data["type"] for *_ends, data in network.edges(data=True)]
    assert kinds.count("attended") == 2
    assert kinds.count("chaired") == 1
    assert kinds.count("holds_post") == 2
    types = {data["type"] for _node, data in network.nodes(data=True)}
    assert types == {"person", "country", "organisation", "meeting", "equipment"}


def test_gexf_of_extracted_facts_is_valid_and_dynamic(extraction_store):
    content = export(extraction_store, "gexf").content
    assert validate_gexf(content) == []
    root = etree.fromstring(content)
    spells = root.findall(".//g:spell", GEXF)
    assert spells and all(spell.get("start") <= spell.get("end") for spell in spells)
    assert "2025-02-12" in {spell.get("start") for spell in spells}


def test_csv_pledges_of_extracted_facts(extraction_store):
    lines = export(extraction_store, "csv", table="pledges").content.decode().splitlines()
    assert len(lines) == 1 + 4
