"""Meetings: keys, dates from neighbouring sentences and the calendar, participants, remote
participants, absent persons, bilateral visits, one key for one meeting across languages.

The sentences are our own (tests/extract/meeting_cases.json); each case lists the expected meeting
keys and, per key, people that must (or must not) be listed.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from graph.extract import extract
from graph.model import Article

CASES = json.loads((Path(__file__).with_name("meeting_cases.json")).read_text(encoding="utf-8"))["cases"]


def _meetings(case: dict) -> dict:
    article = Article(
        id=case["id"], text=case["text"], lang=case["lang"],
        published=datetime.date.fromisoformat(case["published"]),
    )
    return {m.key: m for m in extract(article).meetings}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_meeting_keys_and_people(case: dict) -> None:
    meetings = _meetings(case)
    assert sorted(meetings) == sorted(case["keys"])
    for key, names in case.get("participants", {}).items():
        assert set(names) <= set(meetings[key].participants)
    for key, names in case.get("remote", {}).items():
        assert set(names) <= set(meetings[key].remote_participants)
        assert not set(names) & set(meetings[key].participants)
    for key, names in case.get("absent", {}).items():
        listed = set(meetings[key].participants) | set(meetings[key].remote_participants)
        assert not set(names) & listed
    for key, place in case.get("place", {}).items():
        assert meetings[key].place == place
    for key, count in case.get("n_countries", {}).items():
        assert meetings[key].n_countries == count


SAME_MEETING = [
    ("en", "Defence ministers met in Brussels on Wednesday for the Ukraine Defense Contact Group."),
    ("de", "Die Ukraine-Kontaktgruppe traf sich am Mittwoch in Brüssel."),
    ("nb", "Ramstein-gruppen møttes onsdag i Brussel."),
    ("sv", "Ramsteingruppen möttes i Bryssel på onsdagen."),
]


def test_one_meeting_reported_in_several_languages_has_one_key() -> None:
    keys = set()
    for lang, text in SAME_MEETING:
        found = _meetings({"id": f"same-{lang}", "lang": lang, "published": "2025-06-04", "text": text})
        assert len(found) == 1, (lang, found)
        keys |= set(found)
    assert keys == {"UDCG-2025-06-04"}


def test_a_day_contradicting_the_calendar_is_not_the_formats_meeting() -> None:
    text = "A Ukraine Defense Contact Group meeting was discussed on April 2 in Brussels."
    assert _meetings({"id": "cal", "lang": "en", "published": "2025-04-03", "text": text}) == {}
