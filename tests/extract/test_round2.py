"""Round-2 rules on our own sentences in several languages: meeting chairs and venues, the format of
a venue, word-start matching (same result as the whole pattern), and speed.

Pledge rules of round 2 are cases in cases.json; this module holds what cases.json cannot express.
"""

from __future__ import annotations

import datetime
import re

import pytest

from graph.extract import extract
from graph.extract.starts import StartIndex, first_characters
from graph.model import Article

MEETINGS = [
    {
        "id": "en-co-chaired-by",
        "lang": "en", "published": "2025-04-11",
        "text": "The Ukraine Defense Contact Group met in Brussels on Friday, co-chaired by Britain "
                "and Germany.",
        "key": "UDCG-2025-04-11", "chairs": {"GB", "DE"}, "place": "Brussels",
    },
    {
        "id": "en-chaired-jointly-ukraine-is-guest",
        "lang": "en", "published": "2025-04-11",
        "text": "Ministers of the Ramstein group gathered on Friday in a meeting chaired jointly by Germany "
                "and the U.K. and attended by Ukraine's defence minister.",
        "key": "UDCG-2025-04-11", "chairs": {"DE", "GB"},
    },
    {
        "id": "de-vorsitz-von-person-venue-format",
        "lang": "de", "published": "2022-04-26",
        "text": "Unter dem Vorsitz von US-Verteidigungsminister Lloyd Austin trafen sich am Dienstag "
                "Vertreter aus 40 Ländern auf dem Luftwaffenstützpunkt Ramstein.",
        "key": "UDCG-2022-04-26", "chairs": {"US"}, "place": "Ramstein",
    },
    {
        "id": "sv-som-vardar",
        "lang": "sv", "published": "2025-04-11",
        "text": "Ramsteingruppen möttes på fredagen i Bryssel med Tyskland och Storbritannien som värdar.",
        "key": "UDCG-2025-04-11", "chairs": {"DE", "GB"}, "place": "Brussels",
    },
    {
        "id": "da-under-ledelse-af-air-base",
        "lang": "da", "published": "2023-01-20",
        "text": "Kontaktgruppen for Ukraines forsvar mødtes fredag på flybasen Ramstein under ledelse af den "
                "amerikanske forsvarsminister.",
        "key": "UDCG-2023-01-20", "chairs": {"US"}, "place": "Ramstein",
    },
    {
        "id": "pl-pod-przewodnictwem-venue-format",
        "lang": "pl", "published": "2023-01-20",
        "text": "W piątek w bazie Ramstein spotkali się ministrowie obrony z ponad 50 państw pod "
                "przewodnictwem USA.",
        "key": "UDCG-2023-01-20", "chairs": {"US"}, "place": "Ramstein",
    },
    {
        "id": "fr-sous-la-presidence",
        "lang": "fr", "published": "2025-03-27",
        "text": "La coalition des volontaires s'est réunie jeudi à Paris sous la présidence de la France "
                "et du Royaume-Uni.",
        "key": "COTW-2025-03-27", "chairs": {"FR", "GB"}, "place": "Paris",
    },
    {
        "id": "nb-verb-subject-before",
        "lang": "nb", "published": "2025-06-04",
        "text": "Ramstein-gruppen møttes onsdag i Brussel. Storbritannia og Tyskland ledet møtet.",
        "key": "UDCG-2025-06-04", "chairs": {"GB", "DE"},
    },
    {
        "id": "nl-remote-by-video-link-and-voor-as-for",
        "lang": "nl", "published": "2023-10-11",
        "text": "De Contactgroep voor de Verdediging van Oekraïne kwam woensdag bijeen in Brussel onder "
                "voorzitterschap van de Amerikaanse minister van Defensie Lloyd Austin. De Britse minister "
                "Grant Shapps was via een videoverbinding aanwezig.",
        "key": "UDCG-2023-10-11", "chairs": {"US"}, "place": "Brussels",
        "participants": ["Lloyd Austin"], "remote": ["Grant Shapps"],
    },
    {
        "id": "en-no-chair-cue-no-chairs",
        "lang": "en", "published": "2025-04-11",
        "text": "The Ukraine Defense Contact Group met in Brussels on Friday. Germany and Britain pledged "
                "more air defence systems at the meeting.",
        "key": "UDCG-2025-04-11", "chairs": set(),
    },
]


def _meeting(case: dict) -> dict:
    article = Article(
        id=case["id"], text=case["text"], lang=case["lang"],
        published=datetime.date.fromisoformat(case["published"]),
    )
    meetings = {m["key"]: m for m in extract(article).to_record()["meetings"]}
    assert case["key"] in meetings, sorted(meetings)
    return meetings[case["key"]]


@pytest.mark.parametrize("case", MEETINGS, ids=[c["id"] for c in MEETINGS])
def test_meeting_chairs_and_place(case: dict) -> None:
    meeting = _meeting(case)
    assert set(meeting["chairs"] or []) == case["chairs"]
    if "place" in case:
        assert meeting["place"] == case["place"]
    for name in case.get("participants", []):
        assert name in meeting["participants"], meeting
    for name in case.get("remote", []):
        assert name in meeting["remote_participants"], meeting


def test_a_known_alias_of_several_words_is_equipment_without_other_military_words() -> None:
    article = Article(id="x", text="Weitere Patriot-Systeme kann Schweden derzeit nicht abgeben.", lang="de",
                      published=datetime.date(2025, 2, 14))
    record = extract(article).to_record()
    assert any(e["name"] == "Patriot" and e["category"] == "air_defence" for e in record["equipment"])
    assert record["pledges"] == []


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"pledg\w*", {"p"}),
        (r"(?:ground[- ]based )?(?:air[- ]defen[cs]e|anti-aircraft) systems?", {"g", "a"}),
        (r"\w*drohnen", None),  # a compound tail may begin anywhere
        (r"(?:co-?)?chaired by", {"c"}),
        (r"x?", None),  # may match the empty string
        (r"Übergabe", {"ü"}),
    ],
)
def test_first_characters_of_a_pattern(pattern: str, expected: set[str] | None) -> None:
    assert first_characters(pattern) == (None if expected is None else frozenset(expected))


@pytest.mark.parametrize(
    "text",
    [
        "Germany pledged air defence systems and promised drones; Kampfdrohnen und Flugabwehrsysteme.",
        "n'enverra pas de chars, l'aide anti-aircraft systems, Air-defense system, ground based air defence",
    ],
)
def test_start_index_finds_what_the_whole_alternation_finds(text: str) -> None:
    alternatives = [r"pledg\w*", r"promis\w*", r"(?:ground[- ]based )?air[- ]defen[cs]e systems?",
                    r"anti-aircraft systems?", r"\w*drohnen", r"flugabwehr\w*", r"chars?", r"enverr\w*"]
    whole = re.compile(
        "|".join(f"(?<![\\w-])(?:{p})(?!\\w)" for p in alternatives), re.IGNORECASE
    )
    index = StartIndex(alternatives, "(?<![\\w-])(?:{p})(?!\\w)")
    starts = [m.start() for m in re.finditer(r"(?<!\w)\w", text)]
    assert [m.span() for m in index.scan(text, starts)] == [m.span() for m in whole.finditer(text)]
