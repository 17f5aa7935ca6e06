"""Meetings on our own long, news-style passages (tests/extract/meeting_passages.json): a format named
once in full and then by a short name ("the contact group", "die Kontaktgruppe"), past meetings by
month, NATO summits keyed by their first day, bilateral visits, who attended (hosted, spoke on the
sidelines, said after the meeting, joined by video) and who did not (quoted from elsewhere, absent,
only talked about); and the English names of generic items in every language.

Each passage lists meetings by date with the surnames that must be among the attendees (in person
or remote), must be remote, or must not be listed; dates that must not be a meeting; and
(donor, item) pairs that must be pledged.
"""

from __future__ import annotations

import pytest
from passages import cases, load, record, surname

FILE = "meeting_passages.json"
PASSAGES = load(FILE)
_surname = surname


def _record(passage_id: str) -> dict:
    return record(FILE, passage_id)


def _cases(field: str) -> list:
    return cases(FILE, field)


def test_passages_are_long_news_texts_in_every_language():
    for passage in PASSAGES:
        assert 100 <= len(passage["text"].split()) <= 300, passage["id"]
    assert {p["lang"] for p in PASSAGES} >= {"en", "de", "sv", "fr", "nb", "da", "nl", "pl"}


@pytest.mark.parametrize(("passage_id", "expected"), _cases("meetings"))
def test_meeting_and_its_attendees(passage_id, expected):
    meetings = [m for m in _record(passage_id)["meetings"] if m["date"] == expected["date"]]
    assert meetings, [m["key"] for m in _record(passage_id)["meetings"]]
    present = {_surname(n) for m in meetings for n in m["participants"] + m["remote_participants"]}
    remote = {_surname(n) for m in meetings for n in m["remote_participants"]}
    for name in expected.get("participants", []):
        assert name.casefold() in present, (name, present)
    for name in expected.get("remote", []):
        assert name.casefold() in remote, (name, remote)
    for name in expected.get("not_participants", []):
        assert name.casefold() not in present, (name, present)


@pytest.mark.parametrize(("passage_id", "date"), _cases("no_meeting_dates"))
def test_no_meeting_on_date(passage_id, date):
    assert not [m["key"] for m in _record(passage_id)["meetings"] if m["date"] == date]


@pytest.mark.parametrize(("passage_id", "expected"), _cases("items"))
def test_generic_item_has_its_english_name(passage_id, expected):
    pledged = {(p["donor"], p["item"]) for p in _record(passage_id)["pledges"]}
    assert (expected["donor"], expected["item"]) in pledged, pledged
