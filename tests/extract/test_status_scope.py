"""Status and scope on our own sentences in several languages (issue 9): a present or future passive
auxiliary makes a delivery verb's participle a pledge, not a delivery; background lists and programme
descriptions give no pledges."""

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
