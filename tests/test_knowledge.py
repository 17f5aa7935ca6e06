"""Reference knowledge: the data files, the lookups and the generated RDF (graph.knowledge)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import shutil
import warnings
from collections import defaultdict
from datetime import date

import pytest
from rdflib import Dataset, Graph

import graph.knowledge as knowledge
from graph.errors import InputError
from graph.knowledge import load_knowledge, normalise_name
from graph.knowledge.build import (
    LANGUAGES,
    REFERENCE_DIR,
    installed_source_versions,
    recorded_source_versions,
)
from graph.knowledge.build import main as build_main
from graph.knowledge.rdf import reference_graph, reference_graphs
from graph.model import CATEGORIES, ROLES
from graph.vocab import REFERENCE_GRAPH

TYPE_COUNTS = """
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX aid: <https://w3id.org/aidgraph/ontology#>
SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE { { ?s a ?t } UNION { GRAPH ?g { ?s a ?t } } } GROUP BY ?t
"""
MAIN_ACTORS = ("UA", "RU", "US", "GB", "DE", "FR", "SE", "NO", "DK", "PL", "IT", "NL", "FI", "CA", "EE", "LV",
               "LT", "CZ", "SK", "HU", "RO", "BG", "GR", "ES", "PT", "AT", "TR", "JP", "AU", "BY")
FIRST_CLASS_LANGUAGES = ("en", "de", "sv", "fr", "nb", "da", "nl", "pl")


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


@pytest.fixture(scope="module")
def reference(kb) -> Graph:
    return reference_graph(kb)


def _type_counts(graph) -> dict[str, int]:
    return {str(row.t).rsplit("/", 1)[-1].rsplit("#", 1)[-1]: int(row.n) for row in graph.query(TYPE_COUNTS)}


# --------------------------------------------------------------------------------------------------
# the done-when, on the reference graph and on a fresh store

MINIMUM_COUNTS = {"Country": 190, "EquipmentSystem": 60, "Person": 80, "Post": 40, "Organization": 8}


@pytest.fixture(scope="module")
def reference_type_counts(reference) -> dict[str, int]:
    dataset = Dataset()
    dataset.graph(REFERENCE_GRAPH).__iadd__(reference)
    with warnings.catch_warnings():  # rdflib's own GRAPH ?g evaluation uses deprecated Dataset APIs
        warnings.simplefilter("ignore", DeprecationWarning)
        return _type_counts(dataset)


@pytest.mark.parametrize(("rdf_type", "minimum"), MINIMUM_COUNTS.items())
def test_reference_graph_has_enough_resources_of_each_type(reference_type_counts, rdf_type, minimum):
    assert reference_type_counts.get(rdf_type, 0) >= minimum


def test_a_fresh_store_holds_the_reference_knowledge(store_factory):
    pytest.importorskip("graph.store")
    store = store_factory("oxigraph")
    counts = _type_counts(store)
    for rdf_type, minimum in MINIMUM_COUNTS.items():
        assert counts.get(rdf_type, 0) >= minimum, rdf_type


# --------------------------------------------------------------------------------------------------
# office holders

OFFICE_HOLDERS = [
    ("defence_minister", "DE", "2025-04-11", "Boris Pistorius"),
    ("defence_minister", "DE", "2022-11-29", "Christine Lambrecht"),
    ("defence_minister", "DE", "2023-01-19", "Boris Pistorius"),      # handover day goes to the successor
    ("defence_minister", "DE", "2023-01-18", "Christine Lambrecht"),
    ("defence_minister", "US", "2024-06-01", "Lloyd Austin"),
    ("defence_minister", "US", "2025-04-11", "Pete Hegseth"),
    ("defence_minister", "US", "2025-01-22", None),                   # acting secretary: not in the data
    ("defence_minister", "GB", "2023-01-01", "Ben Wallace"),
    ("defence_minister", "GB", "2024-01-01", "Grant Shapps"),
    ("defence_minister", "GB", "2025-04-11", "John Healey"),
    ("defence_minister", "UA", "2023-01-01", "Oleksii Reznikov"),
    ("defence_minister", "UA", "2025-04-11", "Rustem Umerov"),
    ("defence_minister", "UA", "2025-08-01", "Denys Shmyhal"),
    ("defence_minister", "SE", "2025-04-11", "Pål Jonson"),
    ("defence_minister", "FR", "2025-04-11", "Sébastien Lecornu"),
    ("defence_minister", "IT", "2025-04-11", "Guido Crosetto"),
    ("head_of_state", "US", "2024-04-11", "Joe Biden"),
    ("head_of_state", "US", "2025-04-11", "Donald Trump"),
    ("head_of_government", "US", "2025-04-11", "Donald Trump"),
    ("head_of_state", "UA", "2025-04-11", "Volodymyr Zelenskyy"),
    ("head_of_state", "RU", "2022-02-24", "Vladimir Putin"),
    ("head_of_government", "DE", "2025-05-05", "Olaf Scholz"),
    ("head_of_government", "DE", "2025-05-06", "Friedrich Merz"),
    ("head_of_government", "GB", "2022-10-01", "Liz Truss"),
    ("vice_president", "US", "2025-04-11", "JD Vance"),
    ("foreign_minister", "US", "2023-06-01", "Antony Blinken"),
    ("secretary_general", "NATO", "2024-09-30", "Jens Stoltenberg"),
    ("secretary_general", "NATO", "2024-10-01", "Mark Rutte"),
    ("eu_high_representative", "EU", "2024-06-01", "Josep Borrell"),
    ("eu_high_representative", "EU", "2025-04-11", "Kaja Kallas"),
    ("envoy", "US", "2025-04-11", "Steve Witkoff"),
    ("defence_minister", "XK", "2025-04-11", None),
    ("defence_minister", "DK", "2022-06-01", "Morten Bødskov"),
    ("defence_minister", "DK", "2023-01-10", "Jakob Ellemann-Jensen"),
    ("defence_minister", "DK", "2023-03-01", "Troels Lund Poulsen"),   # acting (the minister on leave)
    ("defence_minister", "DK", "2023-08-10", "Jakob Ellemann-Jensen"),
    ("defence_minister", "DK", "2025-04-11", "Troels Lund Poulsen"),
    ("defence_minister", "NO", "2022-01-10", "Odd Roger Enoksen"),
    ("defence_minister", "NO", "2023-01-20", "Bjørn Arild Gram"),
    ("defence_minister", "NO", "2025-04-11", "Tore O. Sandvik"),
    ("defence_minister", "FI", "2022-06-15", "Antti Kaikkonen"),
    ("defence_minister", "FI", "2023-02-14", "Mikko Savola"),
    ("defence_minister", "FI", "2025-04-11", "Antti Häkkänen"),
    ("defence_minister", "CZ", "2024-02-14", "Jana Černochová"),
    ("foreign_minister", "DK", "2022-04-26", "Jeppe Kofod"),
]


@pytest.mark.parametrize(("role", "country", "day", "expected"), OFFICE_HOLDERS)
def test_office_holder(kb, role, country, day, expected):
    holder = kb.office_holder(role, country, date.fromisoformat(day))
    assert (holder.name if holder else None) == expected


def test_roles_of_follows_a_career(kb):
    assert [(t.role, t.country) for t in kb.roles_of("mark-rutte", date(2023, 5, 1))] == [
        ("head_of_government", "NL")]
    assert [(t.role, t.country) for t in kb.roles_of("mark-rutte", date(2025, 4, 11))] == [
        ("secretary_general", "NATO")]
    assert kb.roles_of("kaja-kallas", date(2024, 8, 1)) == []   # between Estonia and the EU
    assert kb.roles_of("nobody-at-all", date(2025, 1, 1)) == []


def test_no_post_has_two_holders_on_the_same_day(kb):
    """Tenures of one post (except shared ones: envoys, 'other') never overlap."""
    by_post = defaultdict(list)
    for person in kb.persons.values():
        for tenure in person.tenures:
            if tenure.role not in ("envoy", "other"):
                post = (tenure.role, tenure.country)
                by_post[post].append((tenure.start, tenure.end or "9999", person.name))
    for post, tenures in by_post.items():
        tenures.sort()
        for (_, end, first), (start, _, second) in itertools.pairwise(tenures):
            assert end <= start, f"{post}: {first} and {second} overlap"


# --------------------------------------------------------------------------------------------------
# persons by name

NAME_LOOKUPS = [
    ("Volodymyr Zelenskyy", "volodymyr-zelenskyy"), ("Selenskyj", "volodymyr-zelenskyy"),
    ("ZELENSKY", "volodymyr-zelenskyy"), ("Wołodymyr Zełenski", "volodymyr-zelenskyy"),
    ("Zelenskij", "volodymyr-zelenskyy"), ("Wladimir Putin", "vladimir-putin"),
    ("Vladimir Poutine", "vladimir-putin"), ("Pål Jonson", "pal-jonson"), ("Pal Jonson", "pal-jonson"),
    ("J.D. Vance", "jd-vance"), ("Jonas Gahr Store", "jonas-gahr-store"),
    ("Wladyslaw Kosiniak-Kamysz", "wladyslaw-kosiniak-kamysz"), ("Sebastien Lecornu", "sebastien-lecornu"),
    ("Rustem Umjerow", "rustem-umerov"), ("Sergej Lawrow", "sergei-lavrov"), ("pistorius", "boris-pistorius"),
    ("Nobody Atall", None),
    # transliterations and case forms met in the eight languages
    ("Rustem Umerow", "rustem-umerov"), ("Roestem Oemerov", "rustem-umerov"), ("Oumerov", "rustem-umerov"),
    ("Umjerov", "rustem-umerov"), ("Rustemem Umierowem", "rustem-umerov"),
    ("Zełenskim", "volodymyr-zelenskyy"),
    ("Selenski", "volodymyr-zelenskyy"), ("Rieznikow", "oleksii-reznikov"), ("Resnikow", "oleksii-reznikov"),
    ("Sjmyhal", "denys-shmyhal"), ("Szmyhal", "denys-shmyhal"), ("Sybiga", "andrii-sybiha"),
    ("Kułeby", "dmytro-kuleba"), ("Syrskij", "oleksandr-syrskyi"), ("Syrski", "oleksandr-syrskyi"),
    ("Poetin", "vladimir-putin"), ("Putinem", "vladimir-putin"), ("Lavrof", "sergei-lavrov"),
    ("Sjojgu", "sergei-shoigu"), ("Choïgou", "sergei-shoigu"),
    ("Kosiniaka-Kamysza", "wladyslaw-kosiniak-kamysz"),
    ("Lund Poulsen", "troels-lund-poulsen"), ("Bjorn Arild Gram", "bjorn-arild-gram"),
    ("Jana Cernochova", "jana-cernochova"),
]


@pytest.mark.parametrize(("name", "expected"), NAME_LOOKUPS)
def test_person_by_name(kb, name, expected):
    person = kb.person_by_name(name)
    assert (person.id if person else None) == expected


def test_person_names_and_aliases_are_unambiguous(kb):
    owner = {}
    for person in kb.persons.values():
        for name in (person.name, *person.aliases):
            key = normalise_name(name)
            assert owner.setdefault(key, person.id) == person.id, f"{name!r}: {owner[key]} and {person.id}"


def test_persons_are_well_formed(kb):
    for person in kb.persons.values():
        assert person.tenures, person.id
        assert person.wikidata is None or re.fullmatch(r"Q[0-9]+", person.wikidata)
        for tenure in person.tenures:
            assert tenure.role in ROLES
            for day in (tenure.start, tenure.end):
                assert day is None or date.fromisoformat(day).isoformat() == day


# --------------------------------------------------------------------------------------------------
# countries

def test_countries_cover_iso_3166(kb):
    assert len(kb.countries) >= 190
    for country in kb.countries.values():
        assert len(country.code) == 2 and len(country.alpha3) == 3 and country.numeric.isdigit()
        assert set(LANGUAGES) <= set(country.names), country.code


@pytest.mark.parametrize(("code", "lang", "name"), [
    ("GB", "de", "Vereinigtes Königreich"), ("GB", "de", "Großbritannien"), ("GB", "sv", "Storbritannien"),
    ("GB", "en", "UK"), ("US", "en", "USA"), ("US", "de", "USA"), ("DE", "pl", "Niemcy"),
    ("UA", "nl", "Oekraïne"),
    ("FI", "sv", "Finland"), ("NO", "nb", "Norge"), ("NL", "fr", "Pays-Bas"), ("CZ", "en", "Czechia"),
    ("UA", "uk", "Україна"), ("RU", "ru", "Россия"),
])
def test_country_names(kb, code, lang, name):
    assert name in kb.countries[code].names[lang]


@pytest.mark.parametrize(("code", "lang", "form"), [
    ("DE", "de", "deutschen"), ("DE", "de", "deutsches"), ("DE", "sv", "tyska"), ("DE", "sv", "tyske"),
    ("DE", "da", "tyske"), ("DE", "nb", "tysk"), ("DE", "nl", "Duitse"), ("DE", "fr", "allemandes"),
    ("DE", "pl", "niemieckiego"), ("DE", "en", "German"), ("GB", "en", "British"), ("SE", "sv", "svenska"),
    ("FR", "fr", "française"), ("UA", "pl", "ukraińskie"), ("US", "de", "US-amerikanische"),
])
def test_adjectives_include_inflected_forms(kb, code, lang, form):
    assert form in kb.countries[code].adjectives[lang]


@pytest.mark.parametrize(("code", "lang", "metonym"), [
    ("US", "en", "the Pentagon"), ("US", "en", "the White House"), ("US", "en", "Washington"),
    ("GB", "en", "Downing Street"), ("FR", "fr", "l'Élysée"), ("RU", "de", "Moskau"), ("RU", "sv", "Moskva"),
    ("RU", "fr", "Moscou"), ("RU", "en", "Kremlin"), ("UA", "de", "Kyjiw"), ("UA", "de", "Kiew"),
    ("UA", "pl", "Kijów"), ("DK", "da", "København"), ("DK", "de", "Kopenhagen"), ("PL", "fr", "Varsovie"),
    ("NL", "nl", "Den Haag"), ("NL", "en", "The Hague"), ("IT", "de", "Rom"), ("CA", "en", "Ottawa"),
    ("AU", "en", "Canberra"), ("JP", "en", "Tokyo"),
])
def test_metonyms(kb, code, lang, metonym):
    assert metonym in kb.countries[code].metonyms[lang]


def test_main_actors_have_adjectives_and_metonyms_in_first_class_languages(kb):
    for code in MAIN_ACTORS:
        country = kb.countries[code]
        assert set(FIRST_CLASS_LANGUAGES) <= set(country.adjectives), code
        assert set(FIRST_CLASS_LANGUAGES) <= set(country.metonyms), code


def test_brussels_is_not_a_belgian_metonym(kb):
    for country in kb.countries.values():
        for forms in country.metonyms.values():
            assert not {"Brussels", "Brüssel", "Bryssel", "Bruxelles", "Brussel"} & set(forms), country.code


@pytest.mark.parametrize(("code", "qid"), [
    ("UA", "Q212"), ("DE", "Q183"), ("US", "Q30"), ("GB", "Q145"), ("FR", "Q142"), ("RU", "Q159"),
    ("SE", "Q34"),
    ("NO", "Q20"), ("PL", "Q36"), ("IT", "Q38"), ("NL", "Q55"), ("DK", "Q35"), ("FI", "Q33"), ("CA", "Q16"),
])
def test_country_wikidata(kb, code, qid):
    assert kb.countries[code].wikidata == qid


def test_wikidata_ids_are_well_formed_and_unique(kb):
    owners = defaultdict(list)
    for kind, records in (("country", kb.countries), ("organisation", kb.organisations),
                          ("person", kb.persons), ("equipment", kb.equipment)):
        for key, record in records.items():
            if record.wikidata:
                assert re.fullmatch(r"Q[1-9][0-9]*", record.wikidata), (kind, key)
                owners[record.wikidata].append((kind, key))
    assert {qid: keys for qid, keys in owners.items() if len(keys) > 1} == {}


@pytest.mark.parametrize(("lookup", "name", "expected"), [
    ("country_by_name", "Storbritannien", "GB"), ("country_by_name", "deu", "DE"),
    ("country_by_name", "Vereinigtes Königreich", "GB"), ("country_by_name", "oekraine", "UA"),
    ("country_by_name", "Berlin", None), ("organisation_by_name", "ramsteingruppen", "UDCG"),
    ("organisation_by_name", "OTAN", "NATO"), ("organisation_by_name", "Atlantis", None),
    ("equipment_by_name", "iris-t", "iris-t-slm"), ("equipment_by_name", "Panzerhaubitze 2000", "pzh-2000"),
    ("equipment_by_name", "stridsvagnsminor", "anti-tank-mines"), ("equipment_by_name", "Excalibre", None),
])
def test_lookups_by_name(kb, lookup, name, expected):
    record = getattr(kb, lookup)(name)
    key = record and (getattr(record, "code", None) or getattr(record, "key", None) or record.id)
    assert key == expected


# --------------------------------------------------------------------------------------------------
# organisations

@pytest.mark.parametrize(("key", "lang", "name"), [
    ("UDCG", "sv", "Ramsteingruppen"), ("UDCG", "sv", "Kontaktgruppen för Ukrainas försvar"),
    ("UDCG", "de", "Ramstein-Gruppe"), ("UDCG", "de", "Ukraine-Kontaktgruppe"),
    ("UDCG", "en", "Ukrainian Defense Coordination Group"), ("UDCG", "fr", "format de Ramstein"),
    ("COTW", "de", "Koalition der Willigen"), ("COTW", "sv", "koalitionen av villiga"),
    ("COTW", "fr", "coalition des volontaires"), ("COTW", "pl", "koalicja chętnych"),
    ("COTW", "nl", "coalitie van de bereidwilligen"), ("COTW", "da", "de villiges koalition"),
    ("NATO", "fr", "OTAN"), ("NATO", "en", "Atlantic Alliance"),
    ("IFU", "en", "International Fund for Ukraine"),
    ("KIEL_INSTITUTE", "en", "Kiel Research Institute"), ("EC", "en", "European Commission"),
    ("UDCG", "nl", "Oekraïne-contactgroep"), ("UDCG", "nl", "Contactgroep voor de Verdediging van Oekraïne"),
    ("UDCG", "pl", "Grupy Kontaktowej ds. Obrony Ukrainy"), ("UDCG", "pl", "grupie Ramstein"),
    ("UDCG", "da", "kontaktgruppen"), ("UDCG", "nb", "kontaktgruppa"), ("UDCG", "fr", "groupe de Ramstein"),
    ("UDCG", "sv", "Ukrainas kontaktgrupp för försvar"), ("UDCG", "de", "Ramstein-Format"),
    ("COTW", "pl", "koalicji chętnych"), ("COTW", "pl", "koalicję chętnych"),
    ("COTW", "nb", "koalisjonen av villige"),
    ("NATO", "nl", "NAVO"), ("NATO", "pl", "Sojuszu Północnoatlantyckiego"), ("NATO", "fr", "l'OTAN"),
    ("EU", "pl", "Unii Europejskiej"), ("EC", "de", "EU-Kommission"), ("EC", "pl", "Komisji Europejskiej"),
])
def test_organisation_names(kb, key, lang, name):
    assert name in kb.organisations[key].names[lang]


def test_organisations_include_the_gold_keys(kb):
    for key in ("UDCG", "COTW", "NATO", "EU", "E5", "IFU", "EC", "UKRAINE_FACILITY", "KIEL_INSTITUTE",
                "NB8", "EPF", "G7", "UN", "PURL", "JEF", "WEIMAR_TRIANGLE"):
        assert key in kb.organisations


# --------------------------------------------------------------------------------------------------
# equipment

def _equipment_by_alias(kb) -> dict[tuple[str, str], set[str]]:
    index = defaultdict(set)
    for item in kb.equipment.values():
        index[("xx", normalise_name(item.name))].add(item.id)
        for lang, aliases in item.aliases.items():
            for alias in aliases:
                index[(lang, normalise_name(alias))].add(item.id)
    return index


REQUIRED_SYSTEMS = [
    ("IRIS-T SLM", "air_defence"), ("IRIS-T SLS", "air_defence"), ("IRIS-T SLX", "air_defence"),
    ("MIM-104", "air_defence"), ("PAC-2", "air_defence"), ("PAC-3", "air_defence"), ("NASAMS", "air_defence"),
    ("SAMP/T", "air_defence"), ("Mamba", "air_defence"), ("Flakpanzer Gepard", "air_defence"),
    ("Stinger", "air_defence"), ("HAWK", "air_defence"), ("Skynex", "air_defence"),
    ("Avenger", "air_defence"),
    ("Crotale", "air_defence"), ("Mistral", "air_defence"), ("Starstreak", "air_defence"),
    ("Piorun", "air_defence"), ("RBS 70", "air_defence"), ("MANPADS", "air_defence"),
    ("Leopard 1A5", "armour"), ("Leopard 2A4", "armour"), ("Leopard 2A6", "armour"),
    ("Challenger 2", "armour"),
    ("M1A1 Abrams", "armour"), ("Marder", "armour"), ("CV90", "armour"), ("M2 Bradley", "armour"),
    ("Stryker", "armour"), ("M113", "armour"), ("Archer", "artillery"), ("PzH 2000", "artillery"),
    ("RCH 155", "artillery"), ("Caesar", "artillery"), ("M777", "artillery"), ("M109", "artillery"),
    ("AS-90", "artillery"), ("Zuzana", "artillery"), ("Krab", "artillery"), ("HIMARS", "artillery"),
    ("M142", "artillery"), ("M270", "artillery"), ("MARS II", "artillery"), ("Storm Shadow", "missiles"),
    ("SCALP", "missiles"), ("Taurus", "missiles"), ("ATACMS", "missiles"), ("Harpoon", "missiles"),
    ("GMLRS", "missiles"), ("F-16", "other"), ("Mirage 2000", "other"), ("Gripen", "other"),
    ("NLAW", "missiles"),
    ("Javelin", "missiles"), ("Carl Gustaf", "small_arms"), ("AT4", "small_arms"),
    ("Panzerfaust 3", "small_arms"), ("Bayraktar TB2", "drones"), ("Switchblade", "drones"),
    ("Phoenix Ghost", "drones"), ("Puma", "drones"), ("Dingo", "vehicles"), ("MRAP", "vehicles"),
    ("Humvee", "vehicles"), ("TRML-4D", "radar"), ("Giraffe", "radar"),
    ("Bohdana", "artillery"), ("Grom", "air_defence"), ("Hellfire", "missiles"), ("Neptune", "missiles"),
    ("Brimstone", "missiles"), ("AMX-10 RC", "armour"), ("VAB", "armour"), ("Bastion", "armour"),
    ("Patria AMV", "armour"), ("Lynx", "armour"), ("Boxer", "armour"), ("CV9040", "armour"),
    ("BMP-1", "armour"),
    ("Leopard 2A5", "armour"), ("Stridsvagn 122", "armour"), ("Pansarbandvagn 302", "armour"),
    ("Mirage 2000-5", "other"), ("Gripen C/D", "other"), ("Rafale", "other"), ("MiG-29", "other"),
    ("ASC 890", "radar"), ("Saab 340 AEW", "radar"), ("GLSDB", "missiles"), ("TOW", "missiles"),
    ("RGW 90", "small_arms"), ("ScanEagle", "drones"),
]


# The scorer compares item names by normalised prefix: the canonical name must start like the name the
# press uses, so "Patriot" (not "MIM-104 Patriot"), "Gripen" (not "JAS 39 Gripen").
PRESS_NAMES = ["Patriot", "Stinger", "HAWK", "Javelin", "HIMARS", "Krab", "Gripen", "Abrams", "Bradley",
               "Dingo", "Taurus", "Archer", "Leopard 2", "F-16", "Mirage 2000", "SCALP", "IRIS-T", "Bohdana",
               "Neptune", "Hellfire", "Rafale", "Excalibur", "Zuzana"]


def _prefix_form(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", normalise_name(text))


@pytest.mark.parametrize("press_name", PRESS_NAMES)
def test_canonical_equipment_names_start_with_the_press_name(kb, press_name):
    item = kb.equipment_by_name(press_name)
    assert item is not None, press_name
    assert _prefix_form(item.name).startswith(_prefix_form(press_name)), (press_name, item.name)


@pytest.mark.parametrize(("alias", "category"), REQUIRED_SYSTEMS)
def test_required_equipment_is_known(kb, alias, category):
    ids = _equipment_by_alias(kb)[("xx", normalise_name(alias))]
    assert len(ids) == 1, (alias, ids)
    assert kb.equipment[ids.pop()].category == category


@pytest.mark.parametrize(("lang", "alias", "equipment_id"), [
    ("en", "artillery ammunition", "artillery-ammunition"), ("en", "anti-tank mines", "anti-tank-mines"),
    ("en", "reconnaissance drones", "reconnaissance-drones"), ("en", "ground surveillance radars",
                                                               "ground-surveillance-radars"),
    ("sv", "stridsvagnsminor", "anti-tank-mines"), ("sv", "drönare", "drones"), ("de", "Drohnen", "drones"),
    ("de", "Haubitzen", "howitzers"), ("de", "Flugabwehrkanonenpanzer Gepard", "gepard"),
    ("sv", "luftvärnssystem", "air-defence-systems"), ("pl", "amunicja artyleryjska", "artillery-ammunition"),
])
def test_generic_items_have_aliases_per_language(kb, lang, alias, equipment_id):
    assert _equipment_by_alias(kb)[(lang, normalise_name(alias))] == {equipment_id}


def test_every_alias_names_one_item_per_language(kb):
    index = _equipment_by_alias(kb)
    clashes = {key: ids for key, ids in index.items() if len(ids) > 1}
    # an alias valid in any language ("xx") must not be claimed by another item in a specific language
    for (lang, alias), ids in index.items():
        if lang != "xx" and ("xx", alias) in index:
            merged = ids | index[("xx", alias)]
            if len(merged) > 1:
                clashes[(lang, alias)] = merged
    assert not clashes


@pytest.mark.parametrize("name", ["Patriot", "Leopard", "Archer", "Caesar", "Taurus", "Gepard", "Puma",
                                  "Marder", "Javelin"])
def test_common_word_names_are_marked_ambiguous(kb, name):
    owners = [item for item in kb.equipment.values() if name in item.ambiguous_aliases]
    assert len(owners) == 1 and owners[0].ambiguous


def test_equipment_is_well_formed(kb):
    for item in kb.equipment.values():
        assert item.category in CATEGORIES
        assert item.parent is None or item.parent in kb.equipment
        for alias in item.ambiguous_aliases:
            assert any(alias in aliases for aliases in item.aliases.values()), (item.id, alias)


def test_categories_cover_the_model_and_nest_properly(kb):
    assert set(CATEGORIES) <= set(kb.categories)
    for category in kb.categories.values():
        assert category.broader is None or category.broader in CATEGORIES
        assert {"en", "de", "sv"} <= set(category.labels)


def test_categories_match_the_ontology_concept_scheme(kb):
    ontology = Graph().parse(REFERENCE_DIR.parent / "aidgraph.ttl")
    notations = {str(row[0]) for row in ontology.query(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?n WHERE { ?c skos:inScheme <https://w3id.org/aidgraph/id/scheme/categories> ; "
        "skos:notation ?n }")}
    assert set(kb.categories) <= notations


# --------------------------------------------------------------------------------------------------
# generated files

def test_committed_turtle_matches_the_data(kb):
    for name, generated in reference_graphs(kb).items():
        committed = Graph().parse(REFERENCE_DIR / f"{name}.ttl")
        assert set(committed) == set(generated), f"{name}.ttl is stale: run python -m graph.knowledge.build"


@pytest.mark.skipif(not (importlib.util.find_spec("babel") and importlib.util.find_spec("pycountry")),
                    reason="babel and pycountry (extra 'build') are needed to regenerate countries.json")
def test_committed_countries_json_matches_cldr_and_pycountry():
    """Regenerating countries.json with the libraries it was generated from gives the committed file.

    The lock pins those versions; with other versions (a new CLDR release renames a country) the
    comparison says nothing about our code, so it is skipped with the versions named.
    """
    recorded = recorded_source_versions()
    installed = installed_source_versions()
    if installed != recorded:
        pytest.skip(f"countries.json was generated with {recorded}, installed are {installed}: "
                    "regenerate with `python -m graph.knowledge.build` to compare")
    assert build_main(["--check"]) == 0


def test_countries_json_records_the_libraries_it_came_from():
    assert set(recorded_source_versions()) == {"babel", "pycountry"}
    assert all(re.fullmatch(r"\d+(\.\d+)+", v) for v in recorded_source_versions().values())


def test_reference_rdf_spot_checks(reference):
    ask = """
    PREFIX schema: <https://schema.org/>  PREFIX org: <http://www.w3.org/ns/org#>
    PREFIX aid: <https://w3id.org/aidgraph/ontology#>  PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    PREFIX owl: <http://www.w3.org/2002/07/owl#>  PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    PREFIX aidr: <https://w3id.org/aidgraph/id/>  PREFIX wd: <http://www.wikidata.org/entity/>
    ASK {
      <https://w3id.org/aidgraph/id/country/DE> a schema:Country ; skos:notation "DE" ; aid:alpha3 "DEU" ;
          skos:prefLabel "Deutschland"@de ; aid:adjective "deutschen"@de ; aid:metonym "Berlin"@de ;
          owl:sameAs wd:Q183 .
      ?tenure a aid:Tenure ; org:member <https://w3id.org/aidgraph/id/person/boris-pistorius> ;
          aid:post <https://w3id.org/aidgraph/id/post/defence_minister-DE> ;
          schema:startDate "2023-01-19"^^xsd:date .
      <https://w3id.org/aidgraph/id/post/defence_minister-DE> a org:Post ;
          org:role <https://w3id.org/aidgraph/id/role/defence_minister> ;
          org:postIn <https://w3id.org/aidgraph/id/country/DE> .
      <https://w3id.org/aidgraph/id/org/UDCG> a org:Organization, org:OrganizationalCollaboration ;
          skos:notation "UDCG" ; skos:altLabel "Ramsteingruppen"@sv .
      <https://w3id.org/aidgraph/id/equipment/iris-t-sls> a aid:EquipmentSystem, skos:Concept ;
          aid:category <https://w3id.org/aidgraph/id/category/air_defence> ;
          skos:broader <https://w3id.org/aidgraph/id/equipment/iris-t-slm> .
      <https://w3id.org/aidgraph/id/equipment/leopard-2> skos:broader
          <https://w3id.org/aidgraph/id/category/main_battle_tanks> .
    }"""
    assert reference.query(ask).askAnswer


# --------------------------------------------------------------------------------------------------
# loading errors

def test_a_broken_data_file_is_reported_with_a_hint(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(knowledge.DATA_DIR, data)
    persons = json.loads((data / "persons.json").read_text(encoding="utf-8"))
    persons[0]["tenures"][0]["role"] = "emperor"
    (data / "persons.json").write_text(json.dumps(persons), encoding="utf-8")
    monkeypatch.setattr(knowledge, "DATA_DIR", data)
    load_knowledge.cache_clear()
    try:
        with pytest.raises(InputError, match="bad role emperor") as caught:
            load_knowledge()
        assert caught.value.hint
        (data / "equipment.json").unlink()
        load_knowledge.cache_clear()
        with pytest.raises(InputError, match=r"equipment\.json is missing"):
            load_knowledge()
    finally:
        load_knowledge.cache_clear()


# --------------------------------------------------------------------------------------------------
# the names as the extractor's gazetteer sees them (inflected and elided forms inside real sentences)

GAZETTEER_CASES = [
    ("pl", "Ministrowie spotkali się w ramach koalicji chętnych w Paryżu.", "org", "COTW"),
    ("pl", "Posiedzenie Grupy Kontaktowej ds. Obrony Ukrainy odbyło się w Brukseli.", "org", "UDCG"),
    ("pl", "Sekretarz generalny Sojuszu Północnoatlantyckiego przemawiał w Wilnie.", "org", "NATO"),
    ("pl", "Minister rozmawiał z Rustemem Umierowem o dostawach.", "person", "rustem-umerov"),
    ("pl", "Premier spotkał się z Zełenskim w Kijowie.", "person", "volodymyr-zelenskyy"),
    ("pl", "Decyzję ogłosił wicepremier Kosiniak-Kamysz.", "person", "wladyslaw-kosiniak-kamysz"),
    ("nl", "De Oekraïne-contactgroep vergaderde opnieuw in Brussel.", "org", "UDCG"),
    ("nl", "Volgens de NAVO is meer luchtverdediging nodig.", "org", "NATO"),
    ("nl", "Ook de coalitie van bereidwilligen sprak over garanties.", "org", "COTW"),
    ("nl", "Minister Roestem Oemerov was via video aanwezig.", "person", "rustem-umerov"),
    ("da", "Ramstein-gruppen mødtes i Bruxelles i går.", "org", "UDCG"),
    ("da", "Forsvarsminister Troels Lund Poulsen præsenterede pakken.", "person", "troels-lund-poulsen"),
    ("nb", "Koalisjonen av villige møttes i London.", "org", "COTW"),
    ("nb", "Forsvarsminister Bjørn Arild Gram deltok på møtet.", "person", "bjorn-arild-gram"),
    ("fr", "Le secrétaire général de l'OTAN était présent.", "org", "NATO"),
    ("fr", "Les ministres du groupe de Ramstein se sont réunis vendredi.", "org", "UDCG"),
    ("fr", "Le ministre Roustem Oumerov a remercié les alliés.", "person", "rustem-umerov"),
    ("de", "Die Minister der Ukraine-Kontaktgruppe berieten am Mittwoch.", "org", "UDCG"),
    ("de", "Verteidigungsminister Rustem Umerow war zugeschaltet.", "person", "rustem-umerov"),
    ("de", "Die EU-Kommission schlug ein neues Paket vor.", "org", "EC"),
    ("sv", "Natos generalsekreterare talade i Bryssel.", "org", "NATO"),
    ("sv", "EU:s utrikeschef deltog också.", "org", "EU"),
    ("sv", "Ukrainas kontaktgrupp för försvar möttes i fredags.", "org", "UDCG"),
    ("nl", "Nederland leverde eerder twee Patriot-lanceerinrichtingen.", "equipment", "patriot-launcher"),
    ("sv", "Sverige skänker Stridsvagn 122 och Pansarbandvagn 302.", "equipment", "stridsvagn-122"),
    ("en", "Ukraine will receive more Bohdana howitzers.", "equipment", "bohdana"),
]


@pytest.mark.parametrize(("lang", "sentence", "kind", "key"), GAZETTEER_CASES)
def test_the_extractor_gazetteer_finds_the_names(lang, sentence, kind, key):
    gazetteer_module = pytest.importorskip("graph.extract.gazetteer")
    from graph.extract.text import tokenise

    found = gazetteer_module.gazetteer_for(lang).match(sentence, tokenise(sentence))
    assert (kind, key) in {("person" if m.kind == "surname" else m.kind, m.key) for m in found}, found
