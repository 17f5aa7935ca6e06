"""Meetings: keys, dates from neighbouring sentences and the calendar, participants, remote
participants, absent persons, bilateral visits, one key for one meeting across languages.

The sentences are our own; each case lists the expected meeting keys and, per key, people that
must (or must not) be listed.
"""

from __future__ import annotations

import datetime

import pytest

from graph.extract import extract
from graph.model import Article

CASES = [
    {
        "id": "en-format-verb-date",
        "lang": "en", "published": "2025-06-04",
        "text": "Ministers from 50 countries met at NATO headquarters in Brussels on Wednesday for the "
                "Ukraine Defense Contact Group. Canadian Defence Minister David McGuinty joined by video.",
        "keys": ["UDCG-2025-06-04"],
        "remote": {"UDCG-2025-06-04": ["David McGuinty"]},
        "place": {"UDCG-2025-06-04": "Brussels"},
        "n_countries": {"UDCG-2025-06-04": 50},
    },
    {
        "id": "en-absent-person",
        "lang": "en", "published": "2025-06-04",
        "text": "The Ramstein group gathered in Brussels on Wednesday. British Defence Secretary John Healey "
                "chaired the meeting. US Defense Secretary Pete Hegseth did not attend the meeting.",
        "keys": ["UDCG-2025-06-04"],
        "participants": {"UDCG-2025-06-04": ["John Healey"]},
        "absent": {"UDCG-2025-06-04": ["Pete Hegseth"]},
    },
    {
        "id": "en-scheduled-date",
        "lang": "en", "published": "2025-04-03",
        "text": "The Ukraine Defense Contact Group is preparing its work. Officials expect a scheduled "
                "April 11 gathering of defence chiefs from 50 countries in Brussels.",
        "keys": ["UDCG-2025-04-11"],
    },
    {
        "id": "sv-previous-month-calendar",
        "lang": "sv", "published": "2025-04-11",
        "text": "Ramsteingruppen samlades på fredagen i Bryssel. Vid förra mötet i februari kom inga nya "
                "besked från USA.",
        "keys": ["UDCG-2025-04-11", "UDCG-2025-02-12"],
    },
    {
        "id": "de-date-in-lead-noun-next",
        "lang": "de", "published": "2025-06-05",
        "text": "Die Ukraine-Kontaktgruppe hat am Mittwoch in Brüssel über Militärhilfe beraten. "
                "Das Treffen leitete Verteidigungsminister Boris Pistorius.",
        "keys": ["UDCG-2025-06-04"],
        "participants": {"UDCG-2025-06-04": ["Boris Pistorius"]},
    },
    {
        "id": "nb-verb-and-remote",
        "lang": "nb", "published": "2025-06-04",
        "text": "Ramstein-gruppen møttes onsdag i Brussel. Forsvarsminister Tore O. Sandvik deltok via video "
                "fra Oslo.",
        "keys": ["UDCG-2025-06-04"],
        "remote": {"UDCG-2025-06-04": ["Tore O. Sandvik"]},
    },
    {
        "id": "de-bilateral-visit",
        "lang": "de", "published": "2025-01-16",
        "text": "Verteidigungsminister Boris Pistorius ist am Dienstag nach Kiew gereist. Dort wurde er von "
                "Präsident Wolodymyr Selenskyj empfangen.",
        "keys": ["DE-UA-2025-01-14"],
        "participants": {"DE-UA-2025-01-14": ["Boris Pistorius", "Volodymyr Zelenskyy"]},
    },
    {
        "id": "en-genitive-is-not-a-participant",
        "lang": "en", "published": "2025-04-11",
        "text": "The Ukraine Defense Contact Group met in Brussels on Friday. The meeting took place after "
                "Donald Trump's administration stepped back from the group.",
        "keys": ["UDCG-2025-04-11"],
        "absent": {"UDCG-2025-04-11": ["Donald Trump"]},
    },
    {
        "id": "en-past-meeting-without-date-is-not-today",
        "lang": "en", "published": "2025-04-11",
        "text": "Earlier meetings of the Ukraine Defense Contact Group raised billions for air defence.",
        "keys": [],
    },
    {
        "id": "nl-undated-lead-meeting-noun",
        "lang": "nl", "published": "2025-05-14",
        "text": "Nederland stuurt nog deze maand extra artilleriemunitie naar Oekraïne. Dat zei "
                "minister-president Dick Schoof na een ontmoeting met de Oekraïense president "
                "Volodymyr Zelensky in Kyiv.",
        "keys": ["NL-UA-2025-05-14"],
        "participants": {"NL-UA-2025-05-14": ["Dick Schoof", "Volodymyr Zelenskyy"]},
    },
    {
        "id": "en-undated-lead-visit",
        "lang": "en", "published": "2025-05-14",
        "text": "British Foreign Secretary David Lammy travelled to Kyiv and talked with Ukrainian President "
                "Volodymyr Zelensky about air defence.",
        "keys": ["GB-UA-2025-05-14"],
        "participants": {"GB-UA-2025-05-14": ["David Lammy", "Volodymyr Zelenskyy"]},
    },
    {
        "id": "en-undated-lead-earlier-meeting",
        "lang": "en", "published": "2025-05-14",
        "text": "British Foreign Secretary David Lammy had earlier met Ukrainian President "
                "Volodymyr Zelensky in Kyiv, the ministry said.",
        "keys": [],
    },
    {
        "id": "de-hyphenated-compound-meeting-noun",
        "lang": "de", "published": "2025-01-23",
        "text": "Verteidigungsminister Boris Pistorius sprach am Donnerstag am Rande eines NATO-Treffens in "
                "Brüssel über neue Munition für die Ukraine.",
        "keys": ["NATO-DEFMIN-2025-01-23"],
        "participants": {"NATO-DEFMIN-2025-01-23": ["Boris Pistorius"]},
    },
    {
        "id": "en-meeting-of-an-earlier-year-is-not-followed-up",
        "lang": "en", "published": "2025-01-23",
        "text": "Defence ministers met in Brussels on Thursday for the Ukraine Defense Contact Group. At the "
                "meeting in 2014 in Wales, US President Barack Obama had urged members to spend more.",
        "keys": ["UDCG-2025-01-23"],
        "absent": {"UDCG-2025-01-23": ["Barack Obama"]},
    },
    {
        "id": "de-meeting-of-an-earlier-year-is-not-followed-up",
        "lang": "de", "published": "2025-01-23",
        "text": "Die Verteidigungsminister der Ukraine-Kontaktgruppe trafen sich am Donnerstag in Brüssel. "
                "Beim Gipfel im Jahr 2014 in Wales hatte US-Präsident Barack Obama mehr Ausgaben gefordert.",
        "keys": ["UDCG-2025-01-23"],
        "absent": {"UDCG-2025-01-23": ["Barack Obama"]},
    },
]


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
