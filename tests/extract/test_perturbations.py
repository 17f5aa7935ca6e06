"""Metamorphic tests: the SHAPE of a news text must not change what is extracted from it.

Each of our own passages (perturb_passages.json) is extracted as written and under each perturbation
of perturb.py (hard wrap, hyphenated line breaks, captions, teasers, share lines, HTML entities,
byline and dateline, broken lines, blank lines, Windows line endings, no-break spaces, quotes):
the pledges (donor, category, item, quantity, amount) must be the same, and every evidence span
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


@functools.cache
def _original(passage_id: str) -> frozenset[tuple]:
    passage = next(p for p in PASSAGES if p["id"] == passage_id)
    return frozenset(_pledges(extract(_article(passage, passage["text"]))))


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
    for pledge in extraction.pledges:
        evidence = pledge.evidence
        if evidence is not None:
            assert article.text[evidence.start:evidence.end] == evidence.text
