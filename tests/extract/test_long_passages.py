"""Round-4 rules on our own long, news-style passages (tests/extract/long_passages.json): joint
packages of several donors, item lists after "including", background deliveries, training pledges,
bilateral meetings of two persons, roles next to other countries' roles, dates of background pledges.

Each passage lists pledges that must be found (every given key equal), pledges that must not be found,
roles, and meetings (date, persons who took part, persons who did not).
"""

from __future__ import annotations

import datetime

import pytest
from passages import cases, load, record, surname

from graph.extract import extract
from graph.model import Article

FILE = "long_passages.json"
PASSAGES = load(FILE)
_surname = surname


def _record(passage_id: str) -> dict:
    return record(FILE, passage_id)


def _cases(field: str) -> list:
    return cases(FILE, field)


def _matches(pledge: dict, expected: dict) -> bool:
    for key, value in expected.items():
        actual = pledge.get(key)
        if isinstance(value, (int, float)) and isinstance(actual, (int, float)) and value is not None:
            if abs(actual - value) > 1e-6:
                return False
        elif actual != value:
            return False
    return True


def test_passages_are_long_news_texts():
    for passage in PASSAGES:
        assert 90 <= len(passage["text"].split()) <= 300, passage["id"]
    assert {p["lang"] for p in PASSAGES} >= {"en", "de", "sv", "fr", "nb", "da", "nl", "pl"}


@pytest.mark.parametrize(("passage_id", "expected"), _cases("pledges"))
def test_pledge_is_found(passage_id, expected):
    pledges = _record(passage_id)["pledges"]
    assert any(_matches(p, expected) for p in pledges), (
        f"{expected} not among "
        f"{[(p['donor'], p['category'], p['item'], p['status'], p['date']) for p in pledges]}"
    )


@pytest.mark.parametrize(("passage_id", "unexpected"), _cases("absent"))
def test_pledge_is_not_found(passage_id, unexpected):
    wrong = [p for p in _record(passage_id)["pledges"] if _matches(p, unexpected)]
    assert not wrong, [p["evidence"] for p in wrong]


@pytest.mark.parametrize(("passage_id", "expected"), _cases("roles"))
def test_role_is_found(passage_id, expected):
    surname, role, country = expected
    roles = {
        (_surname(p["name"]), r["role"], r["country"])
        for p in _record(passage_id)["persons"]
        for r in p["roles"]
    }
    assert (surname.casefold(), role, country) in roles
    assert not any(s == surname.casefold() and r == role and c != country for s, r, c in roles)


@pytest.mark.parametrize(("passage_id", "expected"), _cases("meetings"))
def test_meeting_is_found(passage_id, expected):
    meetings = [m for m in _record(passage_id)["meetings"] if m["date"] == expected["date"]]
    assert meetings, [m["key"] for m in _record(passage_id)["meetings"]]
    present = {_surname(n) for m in meetings for n in m["participants"] + m["remote_participants"]}
    for name in expected.get("participants", []):
        assert name.casefold() in present
    for name in expected.get("not_participants", []):
        assert name.casefold() not in present


@pytest.mark.parametrize(("passage_id", "fmt"), _cases("no_meeting_format"))
def test_organisation_in_a_title_is_no_meeting(passage_id, fmt):
    assert all(m["format"] != fmt for m in _record(passage_id)["meetings"])


FUTURE_MEETINGS = [  # published on Wednesday 2025-02-12: "on Friday"/"am Montag" of a coming meeting
    ("en", "Ukrainian President Volodymyr Zelensky will meet Polish Prime Minister Donald Tusk in Warsaw on "
           "Friday, his office said. Whether he will also see Russia's leader Vladimir Putin is open.",
     "2025-02-14", {"tusk", "zelenskyy"}),
    ("de", "Bundeskanzler Olaf Scholz wird am Montag den ukrainischen Präsidenten Wolodymyr Selenskyj "
           "in Berlin "
           "treffen.",
     "2025-02-17", {"scholz", "zelenskyy"}),
]


@pytest.mark.parametrize(("lang", "text", "day", "present"), FUTURE_MEETINGS)
def test_weekday_of_a_coming_meeting_is_the_coming_one(lang, text, day, present):
    article = Article(id="future", text=text, lang=lang, published=datetime.date(2025, 2, 12))
    extracted = extract(article).to_record()
    meetings = [m for m in extracted["meetings"] if m["date"] == day]
    assert meetings, [m["key"] for m in extracted["meetings"]]
    assert {_surname(n) for m in meetings for n in m["participants"]} == present
