"""Meetings: a format (UDCG, coalition of the willing, E5, NATO ...) or a meeting noun with a
day-precise date; place from the city gazetteer; chairs, participants, remote participants and the
number of countries from cue words of the lexicon.

A sentence that refers to a meeting without a date ("under mötet", "after a meeting of the UDCG",
"var med på länk") is attached to the article's main meeting: the meeting on (or shortly before)
the publication date that the article mentions most.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from graph.extract.lexicon import Lexicon
from graph.knowledge import load_knowledge
from graph.model import MeetingFact

_PLACE_PREPOSITION = re.compile(
    r"(?:^|\s)(?:in|at|i|på|à|en|w|we|im|nach|til|op)\s+(?:the\s+)?$", re.IGNORECASE
)
_COORDINATION = re.compile(r"^\s*(?:,|and|und|och|og|et|en|i|oraz|&)?\s*(?:the\s+)?$", re.IGNORECASE)


def _coordinated_countries(text: str, offset: int, mentions: list, cue_end: int) -> list[str]:
    """The countries right after a chair cue: "hosted jointly by Germany and the U.K."."""
    chairs: list[str] = []
    position = cue_end
    for mention in sorted((m for m in mentions if m.kind == "country"), key=lambda m: m.start):
        local = mention.start - offset
        if local < position:
            continue
        if not _COORDINATION.match(text[position:local]):
            break
        if mention.key not in chairs:
            chairs.append(mention.key)
        position = mention.end - offset
    return chairs


@dataclass
class MeetingDraft:
    fact: MeetingFact
    sentences: set[int] = field(default_factory=set)


def find_meetings(
    analysed: list,
    lexicon: Lexicon,
    persons,
    published: datetime.date | None,
    anchor: str | None,
    evidence_of,
) -> tuple[list[MeetingFact], MeetingFact | None]:
    """The meetings of the article and its main meeting (or None).

    ``anchor`` is the article's event day (ISO); a format mentioned together with a meeting noun
    but without a date of its own ("after a meeting of the UDCG") is taken to meet on that day.
    """
    past = [p for p in (lexicon.pattern("earlier"), lexicon.pattern("former")) if p is not None]
    drafts: dict[str, MeetingDraft] = {}
    nouns = lexicon.pattern("meeting_nouns")
    last_format: str | None = None
    for unit in analysed:
        formats = sorted(
            {
                lexicon.meeting_formats[m.key]
                for m in unit.mentions
                if m.kind == "org" and m.key in lexicon.meeting_formats
            },
            key=_format_rank,
        )
        noun = nouns.search(unit.sentence.text) if nouns else None
        if formats:
            last_format = formats[0]
        if not noun:
            continue
        fmt = formats[0] if formats else last_format
        day_dates = [d.value for d in unit.dates if len(d.value) == 10]
        if (
            formats
            and noun
            and not unit.dates
            and anchor
            and not any(p.search(unit.sentence.text) for p in past)
        ):
            day_dates = [anchor]
        if fmt is None or not day_dates:
            continue
        date = day_dates[0]
        same_day = [d for d in drafts.values() if d.fact.date == date and _format_rank(d.fact.format) == 0]
        if same_day and _format_rank(fmt) > 0:
            fmt = same_day[0].fact.format  # "held at NATO headquarters": the format's meeting, not NATO's
        key = f"{fmt}-{date}"
        draft = drafts.get(key)
        if draft is None:
            draft = MeetingDraft(MeetingFact(key=key, format=fmt, date=date))
            drafts[key] = draft
        draft.sentences.add(unit.sentence.index)
        draft.fact.evidence.append(evidence_of(unit.sentence, f"{lexicon.lang}.meeting.format_date"))
    main = _main_meeting(drafts, published)
    if main is not None:
        for unit in analysed:
            if unit.sentence.index in main.sentences:
                continue
            if _refers_to_meeting(unit, lexicon, main.fact.format):
                main.sentences.add(unit.sentence.index)
    for draft in drafts.values():
        _fill_slots(draft, analysed, lexicon, persons)
    facts = [d.fact for d in drafts.values()]
    return facts, main.fact if main else None


def _format_rank(key: str) -> int:
    """Meeting formats (UDCG, COTW, E5) before alliances and unions (NATO, EU) that host them."""
    org = load_knowledge().organisations.get(key)
    return 0 if org is not None and org.kind == "format" else 1


def _main_meeting(drafts: dict[str, MeetingDraft], published: datetime.date | None) -> MeetingDraft | None:
    if published is None:
        return None
    candidates = []
    for draft in drafts.values():
        day = datetime.date.fromisoformat(draft.fact.date)
        if datetime.timedelta(0) <= published - day <= datetime.timedelta(days=7):
            candidates.append((len(draft.sentences), day, draft))
    if not candidates:
        return None
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
    return candidates[0][2]


def _refers_to_meeting(unit, lexicon: Lexicon, fmt: str) -> bool:
    text = unit.sentence.text
    if unit.dates:
        return False
    if any(m.kind == "org" and lexicon.meeting_formats.get(m.key) == fmt for m in unit.mentions):
        return True
    return any(
        p.search(text) for p in (lexicon.pattern(n) for n in ("meeting_nouns", "remote", "attend")) if p
    )


def _fill_slots(draft: MeetingDraft, analysed: list, lexicon: Lexicon, persons) -> None:
    fact = draft.fact
    remote_cue = lexicon.pattern("remote")
    chair_cue = lexicon.pattern("chair")
    count_cue = lexicon.pattern("country_count")
    away_cue = lexicon.pattern("not_at_meeting")
    for unit in analysed:
        if unit.sentence.index not in draft.sentences:
            continue
        text = unit.sentence.text
        offset = unit.sentence.start
        if fact.place is None:
            cities = [
                m
                for m in unit.mentions
                if m.kind == "city" and _PLACE_PREPOSITION.search(text[: m.start - offset])
            ]
            if cities:
                fact.place = cities[0].key
        remote = remote_cue.search(text) if remote_cue else None
        people = persons.mentions.get(unit.sentence.index, [])
        if away_cue and away_cue.search(text):
            people = []
        remote_person = None
        if remote:
            before = [p for p in people if p.end - offset <= remote.start()]
            remote_person = before[-1] if before else None
        for person in people:
            name = persons.facts[person.person].name
            if person is remote_person:
                if name not in fact.remote_participants:
                    fact.remote_participants.append(name)
            elif name not in fact.participants and name not in fact.remote_participants:
                fact.participants.append(name)
        if remote:
            fact.participants[:] = [n for n in fact.participants if n not in fact.remote_participants]
        chair = chair_cue.search(text) if chair_cue else None
        if chair and not fact.chairs:
            fact.chairs = _coordinated_countries(text, offset, unit.mentions, chair.end())
        if fact.n_countries is None and count_cue:
            match = count_cue.search(text)
            if match:
                fact.n_countries = int(re.search(r"\d+", match.group()).group())
