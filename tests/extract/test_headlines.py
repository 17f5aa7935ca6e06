"""Verbless headlines ("Donor: items for Ukraine") state a pledge once, not twice with the body."""

from __future__ import annotations

import datetime

from graph.extract import extract
from graph.model import Article


def _pledges(text: str, lang: str = "en") -> list[tuple]:
    article = Article(id="headline", text=text, lang=lang, published=datetime.date(2025, 6, 18))
    return [(p["donor"], p["category"], p["quantity"]) for p in extract(article).to_record()["pledges"]]


def test_headline_and_body_are_one_pledge() -> None:
    text = ("Spain: six more Leopard tanks for Ukraine\n\n"
            "Madrid will send six more Leopard 2A4 tanks to Ukraine, the defence ministry said on Tuesday.")
    assert _pledges(text) == [("ES", "armour", 6)]


def test_headline_alone_is_a_pledge() -> None:
    assert _pledges("Spain: six more Leopard tanks for Ukraine") == [("ES", "armour", 6)]


def test_long_verbless_sentence_with_full_stop_is_no_headline() -> None:
    assert _pledges("Spain and six more Leopard tanks for Ukraine.") == []
