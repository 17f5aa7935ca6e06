"""Metamorphic tests: the SHAPE of a news text must not change what is extracted from it.

Each of our own passages (perturb_passages.json) is extracted as written and under each perturbation
of perturb.py (hard wrap, hyphenated line breaks, captions, teasers, share lines, HTML entities,
byline and dateline, broken lines, blank lines, Windows line endings, no-break spaces, quotes):
the pledges (donor, category, item, quantity, amount) and the meetings (date, participants) must be
the same, and every evidence span
must still point into the perturbed text.
"""

from __future__ import annotations

import datetime
import functools
import json
from pathlib import Path

import pytest
from perturb import PERTURBATIONS, perturb

from graph.extract import extract
from graph.ingest import make_article

FILE = Path(__file__).parent / "perturb_passages.json"
PASSAGES = json.loads(FILE.read_text(encoding="utf-8"))["passages"]


def _article(passage: dict, text: str):
    return make_article(text, source=f"{passage['id']}.txt", lang=passage["lang"],
                        published=datetime.date.fromisoformat(passage["published"]), article_id=passage["id"])


def _pledges(extraction) -> set[tuple]:
    return {(p.donor, p.category, p.item, p.quantity, p.amount) for p in extraction.pledges}


def _meetings(extraction) -> set[tuple]:
    return {(m.date, tuple(sorted(m.participants))) for m in extraction.meetings}


@functools.cache
def _extracted(passage_id: str):
    passage = next(p for p in PASSAGES if p["id"] == passage_id)
    return extract(_article(passage, passage["text"]))


def _original(passage_id: str) -> frozenset[tuple]:
    return frozenset(_pledges(_extracted(passage_id)))


def test_passages_have_pledges_and_languages():
    assert len({p["lang"] for p in PASSAGES}) >= 6
    for passage in PASSAGES:
        assert len(_original(passage["id"])) >= 3, passage["id"]


@pytest.mark.parametrize("name", sorted(PERTURBATIONS))
@pytest.mark.parametrize("passage", PASSAGES, ids=[p["id"] for p in PASSAGES])
def test_shape_does_not_change_pledges(passage, name):
    text = perturb(name, passage["text"], passage["lang"])
    article = _article(passage, text)
    extraction = extract(article)
    found = _pledges(extraction)
    original = _original(passage["id"])
    assert found == original, f"{name}: lost {sorted(map(str, original - found))} gained " \
                              f"{sorted(map(str, found - original))}"
    assert _meetings(extraction) == _meetings(_extracted(passage["id"])), name
    for pledge in extraction.pledges:
        evidence = pledge.evidence
        if evidence is not None:
            assert article.text[evidence.start:evidence.end] == evidence.text


@pytest.mark.parametrize(("line", "top", "page"), [
    ("Air defence crews at a training ground. Photo: Jane Doe / AFP", False, True),
    ("Soldaten bei einer Übung. Foto: dpa", False, True),
    ("Kuva: Lehtikuva", False, True),
    ("Żołnierze podczas ćwiczeń. Fot. PAP", False, True),
    ("(Photo: Reuters)", False, True),
    ("Read more: Why Kyiv needs more interceptors", False, True),
    ("Läs också: Så tränas piloterna", False, True),
    ("Leggi anche: la nuova coalizione", False, True),
    ("Del på Facebook Del på X", False, True),
    ("By Anna Example, defence correspondent", True, True),
    ("Von Anna Beispiel", True, True),
    ("By Anna Example, defence correspondent", False, False),  # only near the top
    ("By Friday, Germany will send tanks", True, False),
    ("By 2025, Ukraine will get F-16 jets", True, False),
    ("di Ramstein, in Germania, conferma la volontà", True, False),
    ("read more about the package in our live blog", False, False),
    ("Germany will send 20 Marder vehicles to Ukraine, the ministry said.", True, False),
    ("Photographs of the new IRIS-T launchers were published by the ministry", False, False),
])
def test_page_lines(line, top, page):
    from graph.extract.text import is_page_line

    assert is_page_line(line, top) is page


@pytest.mark.parametrize(("text", "expected"), [
    ("Die Verbündeten der Ukraine\n- darunter Lloyd Austin - berieten in Ramstein.",
     "Die Verbündeten der Ukraine - darunter Lloyd Austin - berieten in Ramstein."),
    ("Si tratta del\nsecondo invio di questo tipo.", "Si tratta del secondo invio di questo tipo."),
    ("Das System zur Luft-\nverteidigung kommt.", "Das System zur Luftverteidigung kommt."),
    ("Headline without a stop\nGermany will send tanks.", None),  # unchanged
    ("The package includes:\n- 20 tanks\n- 10 howitzers", None),
    ("Norway pays&nbsp;500 million &#8211; the ministry", "Norway pays 500 million - the ministry"),
    ("**Germany** sends [IRIS-T](https://example.org/a) systems.<br />", "Germany sends IRIS-T systems."),
    ("BRUSSELS (AP) - Germany will send tanks.", "Germany will send tanks."),
])
def test_reshape_text_and_offsets(text, expected):
    from graph.extract.text import normalise, reshape

    shaped = reshape(normalise(text))
    assert shaped.text == (text if expected is None else expected)
    for position, character in enumerate(shaped.text):  # every kept character maps to itself
        if character not in " -\n":
            assert text[shaped.offsets[position]] == character
