"""Status and scope on our own sentences in several languages (issue 9): a present or future passive
auxiliary makes a delivery verb's participle a pledge, not a delivery; programme descriptions and
lists of a coalition's members give no pledges; a promised item said to be delivered is delivered."""

from __future__ import annotations

import datetime

import pytest

from graph.extract import extract
from graph.model import Article

DAY = datetime.date(2025, 4, 11)


def _pledges(lang: str, text: str) -> list[dict]:
    article = Article(id="t", source="t", text=text, lang=lang, published=DAY)
    return extract(article).to_record()["pledges"]


# (lang, text, donor, status): the auxiliary's tense, not the participle, decides the status
STATUS = [
    ("de", "Die zwölf Panzerhaubitzen werden nach Angaben des Ministeriums im Herbst von Deutschland an "
           "die Ukraine geliefert.", "DE", "pledged"),
    ("de", "Deutschland wird der Ukraine im kommenden Jahr weitere zwölf Panzerhaubitzen übergeben.",
     "DE", "pledged"),
    ("de", "Die Haubitzen, die im Herbst aus Deutschland geliefert werden, sind modern.", "DE", "pledged"),
    ("de", "Im Sommer wurden der Ukraine zwei IRIS-T-Systeme aus Deutschland geliefert.", "DE", "delivered"),
    ("de", "Deutschland hat der Ukraine zwei IRIS-T-Systeme geliefert.", "DE", "delivered"),
    ("nl", "De F-16's worden volgend jaar door Nederland aan Oekraïne geleverd.", "NL", "pledged"),
    ("nl", "Vorig jaar werden door Nederland drie Patriot-systemen aan Oekraïne geleverd.", "NL",
     "delivered"),
    ("sv", "Stridsfordonen blir levererade av Sverige till Ukraina i vår.", "SE", "pledged"),
    ("sv", "Stridsfordonen blev levererade av Sverige till Ukraina i våras.", "SE", "delivered"),
    ("da", "Ti kampvogne bliver leveret af Danmark til Ukraine næste år.", "DK", "pledged"),
    ("da", "Ti kampvogne blev leveret af Danmark til Ukraine sidste år.", "DK", "delivered"),
    ("nb", "Ti stridsvogner blir levert av Norge til Ukraina neste år.", "NO", "pledged"),
    ("nb", "Ti stridsvogner ble levert av Norge til Ukraina i fjor.", "NO", "delivered"),
]


@pytest.mark.parametrize(("lang", "text", "donor", "status"), STATUS, ids=[f"{c[0]}-{i}" for i, c in
                                                                         enumerate(STATUS)])
def test_passive_auxiliary_decides_status(lang: str, text: str, donor: str, status: str) -> None:
    pledges = [p for p in _pledges(lang, text) if p["donor"] == donor]
    assert pledges, text
    assert {p["status"] for p in pledges} == {status}


# (lang, text): a sentence saying what a fund or purchase mechanism does gives no pledge
MECHANISM = [
    ("en", "The mechanism enables allies to buy American air defence missiles for Ukraine."),
    ("en", "PURL, which allows European allies to pay for US weapons for Ukraine, was set up in July."),
    ("pl", "Mechanizm ten pozwala sojusznikom na finansowanie zakupu dronów dla Ukrainy."),
    ("pl", "Fundusz, który umożliwia zakup amunicji dla Ukrainy, działa od roku."),
    ("pl", "Ten mechanizm pozwala sojusznikom finansować zakup amunicji artyleryjskiej dla Ukrainy."),
    ("de", "Der Mechanismus ermöglicht den Verbündeten den Kauf amerikanischer Patriot-Raketen für die "
           "Ukraine."),
    ("sv", "Mekanismen möjliggör för allierade att köpa amerikanska Patriotrobotar till Ukraina."),
    ("fr", "Le mécanisme permet aux alliés d'acheter des missiles Patriot américains pour l'Ukraine."),
]


@pytest.mark.parametrize(("lang", "text"), MECHANISM, ids=[f"{c[0]}-{i}" for i, c in enumerate(MECHANISM)])
def test_programme_description_is_no_pledge(lang: str, text: str) -> None:
    assert _pledges(lang, text) == []


# the same verbs of enabling with a giver as subject still give pledges
ENABLING_GIFTS = [
    ("en", "A new British loan allows Ukraine to use £2 billion to buy air defence missiles.", "GB"),
    ("pl", "Polska przekaże Ukrainie 100 mln zł na drony, co pozwoli szybko wzmocnić obronę.", "PL"),
    ("de", "Deutschland liefert der Ukraine zwölf Panzerhaubitzen, was schnelle Hilfe ermöglicht.", "DE"),
]


@pytest.mark.parametrize(("lang", "text", "donor"), ENABLING_GIFTS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(ENABLING_GIFTS)])
def test_enabling_after_a_gift_keeps_the_pledge(lang: str, text: str, donor: str) -> None:
    assert donor in {p["donor"] for p in _pledges(lang, text)}


# (lang, text): "include" with only members as its object names a group, it gives nothing
MEMBERSHIP = [
    ("en", "Sweden has joined the F-16 coalition, which includes Denmark, Belgium and Norway."),
    ("nb", "I dag ble det klart at Sverige blir med i F-16-koalisjonen, som blant annet omfatter Danmark, "
           "Belgia og Norge."),
    ("da", "Sverige er gået med i F-16-koalitionen, der blandt andet omfatter Danmark, Belgien og Norge."),
    ("sv", "Belgien har gått med i F-16-koalitionen, som bland annat omfattar Danmark och Norge."),
]


@pytest.mark.parametrize(("lang", "text"), MEMBERSHIP, ids=[f"{c[0]}-{i}" for i, c in enumerate(MEMBERSHIP)])
def test_coalition_members_are_no_donors(lang: str, text: str) -> None:
    assert _pledges(lang, text) == []


@pytest.mark.parametrize(("lang", "text", "donor"), [
    ("en", "The package from Germany includes 20 Leopard tanks.", "DE"),
    ("nb", "Pakken fra Norge omfatter ti stridsvogner.", "NO"),
    ("sv", "Paketet från Sverige omfattar tio stridsvagnar.", "SE"),
])
def test_package_contents_still_counted(lang: str, text: str, donor: str) -> None:
    assert donor in {p["donor"] for p in _pledges(lang, text)}


# (lang, text, donor): a participle of promise before the item recalls the pledge; the clause's own
# verb says it has been delivered
ATTRIBUTIVE = [
    ("de", "Die zugesagten Raketenwerfer vom Typ MARS II sind aus Deutschland geliefert worden.", "DE"),
    ("en", "The promised Leopard tanks from Germany have been delivered to Ukraine.", "DE"),
    ("nl", "De beloofde Patriot-systemen uit Nederland zijn aan Oekraïne geleverd.", "NL"),
    ("sv", "De utlovade stridsvagnarna från Sverige har levererats till Ukraina.", "SE"),
]


@pytest.mark.parametrize(("lang", "text", "donor"), ATTRIBUTIVE,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(ATTRIBUTIVE)])
def test_promised_items_delivered_are_delivered(lang: str, text: str, donor: str) -> None:
    pledges = [p for p in _pledges(lang, text) if p["donor"] == donor]
    assert pledges, text
    assert {p["status"] for p in pledges} == {"delivered"}


def test_promise_as_main_verb_stays_pledged() -> None:
    assert {p["status"] for p in _pledges("en", "Germany has promised 20 tanks to Ukraine.")} == {"pledged"}
