"""The normalisers against a table of cases in every language (tests/normalize/cases.json)."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path

import pytest

import graph.language
from graph.extract.normalize import (
    canonical_code,
    find_dates,
    find_money,
    find_quantities,
    parse_number,
    supported_languages,
)
from graph.extract.normalize import quantities as quantities_module
from graph.extract.normalize.dates import _WEEKDAY_RESOLVERS

CASES_FILE = Path(__file__).with_name("cases.json")
RESOLVERS = {"day_month", "month", "month_last", "year", "days", "weeks", "months", "years", "ignore",
             *_WEEKDAY_RESOLVERS}
DATA_DIR = Path(__file__).parents[2] / "graph" / "extract" / "normalize" / "data"


@cache
def _table() -> dict:
    return json.loads(CASES_FILE.read_text(encoding="utf-8"))


def _cases(kind: str) -> list:
    return [pytest.param(case, id=f"{case['lang']}-{case['text'][:40]}")
            for case in _table()["cases"] if case["kind"] == kind]


def _anchor(case: dict) -> date:
    return date.fromisoformat(case.get("anchor", _table()["default_anchor"]))


@pytest.mark.parametrize("case", _cases("money"))
def test_money(case):
    found = find_money(case["text"], case["lang"])
    assert len(found) == len(case["expect"]), [m.text for m in found]
    for mention, expected in zip(found, case["expect"], strict=True):
        assert mention.amount == pytest.approx(expected["amount"])
        assert mention.currency == expected["currency"]
        for flag in ("approximate", "cumulative", "conversion"):
            if flag in expected:
                assert getattr(mention, flag) is expected[flag], flag
        assert case["text"][mention.start:mention.end] == mention.text


@pytest.mark.parametrize("case", _cases("quantity"))
def test_quantities(case):
    found = find_quantities(case["text"], case["lang"])
    assert [m.value for m in found] == case["expect"], [m.text for m in found]
    for mention in found:
        assert case["text"][mention.start:mention.end] == mention.text


@pytest.mark.parametrize("case", _cases("date"))
def test_dates(case):
    found = find_dates(case["text"], case["lang"], _anchor(case))
    assert [[m.value, m.precision] for m in found] == case["expect"], [(m.text, m.rule) for m in found]
    for mention in found:
        assert case["text"][mention.start:mention.end] == mention.text
        assert mention.rule.split(".")[0] in (canonical_code(case["lang"]), "xx")


@pytest.mark.parametrize("case", _cases("number"))
def test_parse_number(case):
    value = parse_number(case["text"], case["lang"])
    assert value == (pytest.approx(case["expect"]) if case["expect"] is not None else None)


@pytest.mark.parametrize("lang", ["en", "de", "sv", "fr", "nb", "da", "nl", "pl", "it", "es", "fi", "cs"])
def test_every_language_has_at_least_15_cases_of_three_kinds(lang):
    cases = [c for c in _table()["cases"] if canonical_code(c["lang"]) == lang]
    kinds = Counter(c["kind"] for c in cases)
    assert len(cases) >= 15
    assert kinds["money"] >= 3 and kinds["date"] >= 5 and kinds["quantity"] >= 2


def test_language_codes():
    assert set(supported_languages()) == set(graph.language.supported_languages())
    assert canonical_code("no") == canonical_code("nn") == canonical_code("NB") == "nb"
    assert canonical_code("en-GB") == "en"
    assert canonical_code("uk") == canonical_code("pt") == canonical_code(None) == "xx"


def test_dollars_are_money_not_a_count_in_danish_and_norwegian():
    for lang in ("da", "nb"):
        text = "Pakken er på 90 millioner dollars og 12 droner."
        assert [(m.amount, m.currency) for m in find_money(text, lang)] == [(9e7, "USD")]
        assert [q.value for q in find_quantities(text, lang)] == [12]


def test_finding_quantities_is_linear_in_the_text(monkeypatch):
    """The spans taken by money and dates are walked once, not once per number (issue 14, section 4)."""
    cursors = []

    class Counting(quantities_module._TakenSpans):
        def __init__(self, spans):
            super().__init__(spans)
            cursors.append(self)

    monkeypatch.setattr(quantities_module, "_TakenSpans", Counting)
    sentence = "On 3 April Oslo gave 12 launchers worth NOK 2 billion and 40 trucks. "
    work = {}
    for copies in (10, 1000):
        found = find_quantities(sentence * copies, "en")
        assert [q.value for q in found] == [12, 40] * copies
        work[copies] = cursors[-1].steps
    assert work[1000] <= 110 * work[10]  # 100x the text: about 100x the steps, not 10,000x


def test_kroner_depends_on_language():
    assert find_money("5 milliarder kroner", "nb")[0].currency == "NOK"
    assert find_money("5 milliarder kroner", "da")[0].currency == "DKK"
    assert find_money("5 miljarder kronor", "sv")[0].currency == "SEK"


def test_decimal_comma_and_point_depend_on_language():
    assert parse_number("1,100", "en") == 1100
    assert parse_number("1,100", "de") == pytest.approx(1.1)
    assert parse_number("1.5", "de") == pytest.approx(1.5)  # foreign notation: not a group of three
    assert parse_number("1 500,5", "sv") == pytest.approx(1500.5)
    assert parse_number("1.234.567,5", "de") == pytest.approx(1234567.5)
    assert parse_number("no number", "en") is None


@pytest.mark.parametrize(("anchor", "expected"), [
    ("2025-04-11", "2025-04-04"),  # anchor is a Friday: "i fredags" is the week before
    ("2025-04-12", "2025-04-11"),
    ("2025-04-17", "2025-04-11"),
])
def test_i_fredags_is_strictly_before_the_anchor(anchor, expected):
    [mention] = find_dates("i fredags", "sv", date.fromisoformat(anchor))
    assert mention.value == expected


def test_swedish_day_month_is_never_read_as_a_year():
    [mention] = find_dates("11 april", "sv", date(2025, 4, 3))
    assert mention.value == "2025-04-11"


def test_week_references_only_on_request():
    assert find_dates("förra veckan", "sv", date(2025, 4, 11)) == []
    [week] = find_dates("förra veckan", "sv", date(2025, 4, 11), include_weeks=True)
    assert (week.value, week.precision) == ("2025-W14", "week")


def test_without_anchor_only_dates_with_a_year():
    found = find_dates("On Friday, 11 April 2025", "en", None)
    assert [m.value for m in found] == ["2025-04-11"]


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_language_data_is_well_formed(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["code"] == path.stem
    ids = [rule["id"] for rule in data.get("date_rules", [])]
    assert len(ids) == len(set(ids))
    for rule in data.get("date_rules", []):
        assert rule["id"].startswith(f"{data['code']}.date.")
        assert rule["resolve"] in RESOLVERS
    for name, iso in data.get("currency_names", {}).items():
        codes = iso if isinstance(iso, list) else [] if iso is None else [iso]  # a list: the candidates
        assert all(len(code) == 3 and code.isupper() for code in codes), name
    for code in data.get("currency_cues", {}):
        assert len(code) == 3 and code.isupper(), code


def test_normalisers_are_fast():
    sentences = [
        "Am vergangenen Freitag sagte Berlin 4,5 Milliarden Euro und zwei Systeme zu.",
        "Sverige skickar i fredags tre luftvärnssystem värda 5,7 miljarder kronor.",
        "On Tuesday morning the UK pledged £450m and 1,100 drones for April 11.",
    ] * 300
    anchor = date(2025, 4, 11)
    for lang in ("de", "sv", "en"):  # warm the caches
        find_money("x", lang), find_dates("x", lang, anchor), find_quantities("x", lang)
    started = time.perf_counter()
    for sentence, lang in zip(sentences, ["de", "sv", "en"] * 300, strict=True):
        find_money(sentence, lang)
        find_dates(sentence, lang, anchor)
        find_quantities(sentence, lang)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0, f"{len(sentences)} sentences took {elapsed:.2f}s"


def test_a_date_rule_with_an_unknown_resolver_is_refused_when_loaded(monkeypatch):
    from graph.errors import InputError
    from graph.extract.normalize import dates

    rules = [{"id": "bad", "pattern": r"\bsoon\b", "resolve": "sometime"}]
    monkeypatch.setattr(dates, "language", lambda lang: {"date_rules": rules})
    dates._grammar.cache_clear()
    try:
        with pytest.raises(InputError, match="unknown resolver 'sometime'") as raised:
            dates._grammar("en")
        assert "resolve is one of" in raised.value.hint
    finally:
        dates._grammar.cache_clear()
