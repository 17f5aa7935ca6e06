"""The entity layer in every supported language and in unsupported ones: countries (names, case forms,
adjectives), organisations, persons with their posts, items (tests/data/entity_sentences.json)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from graph.extract import extract
from graph.extract.gazetteer import gazetteer_for
from graph.extract.text import tokenise
from graph.language import is_supported
from graph.model import Article

CASES = json.loads((Path(__file__).parent / "data" / "entity_sentences.json").read_text("utf-8"))["cases"]
DAY = datetime.date(2025, 4, 11)


@pytest.fixture(scope="module", params=CASES, ids=lambda case: case["lang"])
def case_and_extraction(request):
    case = request.param
    article = Article(id=f"entities-{case['lang']}", text=case["text"], lang=case["lang"], published=DAY)
    return case, extract(article)


def test_countries(case_and_extraction):
    case, extraction = case_and_extraction
    assert sorted(c.code for c in extraction.countries) == case["countries"]


def test_organisations(case_and_extraction):
    case, extraction = case_and_extraction
    assert sorted(o.key for o in extraction.organisations) == case["organisations"]


def test_persons_and_posts(case_and_extraction):
    case, extraction = case_and_extraction
    found = {p.name: {(r.role, r.country) for r in p.roles} for p in extraction.persons}
    assert sorted(found) == sorted(name for name, _, _ in case["persons"])
    for name, role, country in case["persons"]:
        if role:
            assert (role, country) in found[name], (name, found[name])


def test_items(case_and_extraction):
    case, extraction = case_and_extraction
    assert sorted((e.name, e.category) for e in extraction.equipment) == sorted(map(tuple, case["items"]))


def test_the_fixture_covers_the_new_languages_and_two_unsupported_ones():
    langs = {case["lang"] for case in CASES}
    assert {"it", "es", "fi", "cs"} <= langs
    assert {lang for lang in langs if not is_supported(lang)} == {"pt", "uk"}


@pytest.mark.parametrize(("lang", "text", "key"), [
    ("fi", "Yhteistyö Saksan kanssa", "DE"), ("fi", "apua Ukrainalle", "UA"), ("fi", "Venäjältä", "RU"),
    ("fi", "saksalaisten joukkojen", "DE"), ("cs", "z Německa", "DE"), ("cs", "Ukrajině", "UA"),
    ("cs", "německého ministra", "DE"), ("cs", "Francii", "FR"), ("it", "dell'Italia", "IT"),
    ("it", "i soldati tedeschi", "DE"), ("es", "las tropas alemanas", "DE"), ("es", "EE.UU.", "US"),
    ("de", "mit den Niederlanden", "NL"),
])
def test_case_forms_and_adjectives_are_generated_from_the_inflection_rules(lang, text, key):
    mentions = gazetteer_for(lang).match(text, tokenise(text))
    assert key in {m.key for m in mentions if m.kind == "country"}


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "La réunion a eu lieu hier."), ("es", "La reunión terminó tarde."),
    ("en", "Photo by Chad J. McNeeley."),
])
def test_common_words_and_given_names_are_not_countries(lang, text):
    mentions = gazetteer_for(lang).match(text, tokenise(text))
    assert not [m for m in mentions if m.kind == "country"]


@pytest.mark.parametrize(("lang", "text", "code", "place"), [
    ("de", "Die Gespräche fanden in Saudi-Arabien statt.", "SA", True),
    ("de", "Saudi-Arabien vermittelt.", "SA", False),
    ("fr", "Le président a parlé à Prague.", None, None),  # a capital after "à" is the city
    ("en", "Berlin will send more tanks.", "DE", False),
])
def test_countries_named_as_places(lang, text, code, place):
    countries = [m for m in gazetteer_for(lang).match(text, tokenise(text)) if m.kind == "country"]
    if code is None:
        assert countries == []
    else:
        assert [(m.key, m.place) for m in countries] == [(code, place)]


@pytest.mark.parametrize(("lang", "text", "person"), [
    ("fi", "Antti Häkkäsen mukaan apu jatkuu.", "antti-hakkanen"),
    ("fi", "Pistoriuksen vierailu alkoi.", "boris-pistorius"),
    ("fi", "Kiitos Zelenskyille.", "volodymyr-zelenskyy"),
    ("cs", "Jednal s Pistoriem.", "boris-pistorius"),
    ("cs", "Setkání se Zelenským.", "volodymyr-zelenskyy"),
    ("cs", "Podle Černochové pomoc pokračuje.", "jana-cernochova"),
])
def test_case_forms_of_surnames(lang, text, person):
    mentions = gazetteer_for(lang).match(text, tokenise(text))
    assert person in {m.key for m in mentions if m.kind in ("person", "surname")}
