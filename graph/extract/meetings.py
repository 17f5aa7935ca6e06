"""Meetings: a format (UDCG, coalition of the willing, E5, NATO ...) or a bilateral visit, with a date;
place from the city gazetteer; chairs, participants, remote participants and the number of countries
from cue words.

The cue words are data: the lexicon lists (``meeting_nouns``, ``remote``, ``chair``, ``attend``,
``not_at_meeting``, ``country_count``) plus the meeting lists of ``lang/meetings/<code>.json`` over
``lang/meetings/xx.json`` (meeting verbs, visits, absence, upcoming/previous meetings, addressing
the meeting, the host country of a city and a calendar of recurring formats).

Rules, in order:
- a sentence with a meeting cue (noun or verb) and a format (in the sentence, else the last one
  mentioned, else the article's main format) is a meeting of that format;
- its date is the day in the sentence nearest to the cue; else the day of the previous sentence of
  the lead or of the same paragraph that names the format; else the article's event day when the
  sentence reports the meeting (not an earlier or upcoming one); a month ("the previous meeting in
  February") gives a month key, or the day of the format's calendar when that month has one;
- a day that contradicts a known meeting of the format less than two weeks away is dropped;
- a sentence with a meeting cue, a day and a city (after a preposition, or in a locative case such as
  Finnish "Brysselissä") but no format is a meeting keyed ``{CITY}-{date}`` with no format ("a
  conference in Paris on Monday"), unless it is a domestic event (``domestic``: press conference,
  cabinet); it joins the one format's meeting of that day when there is one;
- a sentence without a day of its own that dates itself from another event (``relative_days``: "the
  next day", "three days later", "am Vortag") takes the last day of the nearest sentence before it
  (at most three back) shifted by the phrase's offset;
- a visit cue with a day and persons (or a city) of two countries is a bilateral meeting keyed
  ``{visitor}-{host}-{date}``, with Ukraine always last; visitors of several countries to a host
  city give ``{visitors sorted}-{host}-{date}``; an undated visit or meeting of two persons in the
  lead, before any other meeting, is on the article's event day;
- sentences without a date of their own that refer to a meeting (cue, format, attendance, remote,
  "after the meeting") add participants to the meeting of the previous sentence, else to the main
  meeting; persons in a sentence that says they were absent or spoke before the meeting are not
  participants, nor are persons only named in a genitive ("Trump's administration") or as the name
  of a government ("a Trump administration official", ``name_modifier_before/after``);
- the ministers a ministers' format gathers (``minister_formats``: the contact group's defence
  ministers) who speak (``speech_verbs``, past tense) in an undated sentence about nothing else
  attended the article's main meeting, unless they spoke to a news agency or the press.

Keys are ``{FORMAT}-{YYYY-MM-DD}`` (or ``{FORMAT}-{YYYY-MM}``), so several articles about one meeting
give one meeting node.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.extract.lexicon import SHARED, Lexicon, word_alternation
from graph.extract.normalize.dates import assumes_past
from graph.knowledge import load_knowledge
from graph.model import MeetingFact

MEETING_DATA_DIR = Path(__file__).with_name("lang") / "meetings"
_CALENDAR_WINDOW = datetime.timedelta(days=14)
_RECENT = datetime.timedelta(days=7)
_MONTH_REACH = 120  # characters between a meeting cue and the month of a coming meeting
_FOLLOW_REACH = 2  # sentences after a meeting's sentence that may go on about it with one between
_PAST_MONTH_REACH = 80  # characters between a meeting cue and the month of a past meeting

_PLACE_PREPOSITION = re.compile(
    r"(?:^|\s)(?:in|at|i|på|à|en|w|we|im|nach|til|op|auf)\s+(?:the\s+)?$", re.IGNORECASE
)
_VENUE_LEAD = re.compile(  # "auf dem US-Stützpunkt ", "w amerykańskiej bazie ", "at the US air base "
    r"(?:^|\s)(?:in|at|i|på|à|en|w|we|im|auf|op|til|ved|bij|sur)\s+(?:[\w'-]+\s+){0,2}$", re.IGNORECASE
)
_CLAUSE_BREAK = re.compile(r"[,;:()]")
_CHAIR_COORDINATION = re.compile(  # "Germany and the U.K.", "der Ministerin und ihrem belgischen Kollegen"
    r"^\s*(?:,|and|und|och|og|et|en|i|oraz|&|a|y|sowie|samt|with|mit|med|avec|met|z)?\s*(?:[\w']+\s+)?$",
    re.IGNORECASE,
)
_TITLE_GAP = 20  # characters between a person's title and the name that follows it
_CHAIR_REACH = 70  # characters between a chair cue and the first chair ("the US defence secretary ...")


# --------------------------------------------------------------------------------------------- cue data

@dataclass(frozen=True)
class MeetingCues:
    """The compiled meeting cues of one language."""

    cue: re.Pattern[str] | None  # meeting nouns of the lexicon + meeting verbs
    visit: re.Pattern[str] | None
    absent: re.Pattern[str] | None
    upcoming: re.Pattern[str] | None
    previous: re.Pattern[str] | None
    chair: re.Pattern[str] | None
    address: re.Pattern[str] | None
    chair_preposition: re.Pattern[str] | None  # a cue starting/ending so names the chair after it
    venue: re.Pattern[str] | None  # "air base", "Stützpunkt", "luftbasen": a place noun before a city
    venue_formats: dict[str, str]  # a city whose meetings are a format's ("Ramstein" -> UDCG)
    place_countries: dict[str, str]
    calendar: dict[str, tuple[tuple[str, str], ...]]  # key -> (first day, last day) of each meeting
    at_meeting: re.Pattern[str] | None = None  # "on the sidelines of", "am Rande", "after the meeting"
    month_since: re.Pattern[str] | None = None  # "since" before a month: not the month of a meeting
    complementiser: re.Pattern[str] | None = None  # "that", "dass": what follows is reported speech
    short_names: dict[str, re.Pattern[str]] = field(default_factory=dict)  # "the contact group" -> UDCG
    kinds: tuple[MeetingKind, ...] = ()  # "NATO summit": NATO-SUMMIT
    subject_pronoun: re.Pattern[str] | None = None  # "he", "sie", "hij", "hän": a sentence's subject
    modifier_before: re.Pattern[str] | None = None  # "administracji prezydenta USA ": a name heading nothing
    modifier_after: re.Pattern[str] | None = None  # " administration": "a Trump administration official"
    speech: re.Pattern[str] | None = None  # "said", "sagte", "a déclaré": a speaker's verb
    minister_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)  # UDCG -> defence_minister
    by_phone: re.Pattern[str] | None = None  # "spoke by phone with his counterpart": no meeting
    since_clause: re.Pattern[str] | None = None  # "since Trump became president in January": not a meeting's
    city_preposition: re.Pattern[str] | None = None  # the lexicon's place prepositions ("v", "ve") at the end
    place_endings: tuple[str, ...] = ()  # Finnish "-ssa", "-ssä": a city in the locative is a place
    domestic: re.Pattern[str] | None = None  # "press conference", "cabinet": no meeting (CONVENTIONS.md 14)
    relative_days: tuple[tuple[re.Pattern[str], int], ...] = ()  # "the next day": +1 from the last day
    timestamp: re.Pattern[str] | None = None  # "14:05 GMT", "18.40 uur", "klo 12.30": a live-blog entry


@dataclass(frozen=True)
class MeetingKind:
    """A kind of meeting of a format, keyed apart from the format's other meetings: a NATO summit
    (``NATO-SUMMIT``), the European Council (``EU-EUCO``). ``with_format`` are the words that make a
    meeting of the format this kind ("summit", "leaders"); ``names`` name it on their own ("European
    Council")."""

    key: str
    format: str
    with_format: re.Pattern[str] | None
    names: re.Pattern[str] | None


def _read_meeting_data(code: str) -> dict[str, Any]:
    path = MEETING_DATA_DIR / f"{code}.json"
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"meeting cue file {path} is not valid JSON: {exc}", hint="fix the file") from exc


@functools.cache
def meeting_cues(lexicon: Lexicon) -> MeetingCues:
    """The meeting cues of ``lexicon``'s language (lexicon lists + ``lang/meetings`` data), cached."""
    shared, own = _read_meeting_data(SHARED), _read_meeting_data(lexicon.lang)

    def words(name: str) -> list[str]:
        return [*shared.get(name, []), *own.get(name, [])]

    short_names = {
        fmt: pattern
        for fmt, names in own.get("short_names", {}).items()
        if (pattern := word_alternation(names)) is not None
    }
    kinds = tuple(
        MeetingKind(
            key,
            key.split("-", 1)[0],
            word_alternation(own.get("kinds", {}).get(key, {}).get("with_format", [])),
            word_alternation(own.get("kinds", {}).get(key, {}).get("names", [])),
        )
        for key in own.get("kinds", {})
    )

    nouns = lexicon.data.get("meeting_nouns", [])  # also as the tail of a compound: "NATO-Ministertreffen"
    return MeetingCues(
        cue=word_alternation([*nouns, *(rf"\w+-(?:{noun})" for noun in nouns), *words("meeting_verbs"),
                            *words("future")]),  # "will meet", "se réunira": a coming meeting
        visit=word_alternation(words("visit")),
        absent=word_alternation(words("absent")),
        upcoming=word_alternation(words("upcoming") + words("future")),
        previous=word_alternation(words("previous")),
        chair=word_alternation([*lexicon.data.get("chair", []), *words("chair")]),
        address=word_alternation(words("address")),
        chair_preposition=word_alternation(words("chair_prepositions")),
        venue=word_alternation(words("venue_nouns")),
        venue_formats={**shared.get("venue_formats", {}), **own.get("venue_formats", {})},
        place_countries={**shared.get("place_countries", {}), **own.get("place_countries", {})},
        calendar={
            k: tuple(_span(day) for day in v)
            for k, v in {**shared.get("calendar", {}), **own.get("calendar", {})}.items()
        },
        at_meeting=word_alternation(words("at_meeting")),
        complementiser=word_alternation(lexicon.data.get("complementisers") or words("complementisers")),
        month_since=word_alternation([rf"(?:{w})\s*$" for w in words("month_since")]),
        short_names=short_names,
        kinds=kinds,
        subject_pronoun=word_alternation(words("subject_pronouns")),
        modifier_before=word_alternation(
            [rf"(?:{w})(?:\s+|-)(?:[\w.'’-]+\s+){{0,3}}$" for w in words("name_modifier_before")]),
        modifier_after=_following_word(words("name_modifier_after")),
        speech=word_alternation(words("speech_verbs")),
        since_clause=word_alternation(words("since_clause")),
        by_phone=word_alternation(words("by_phone")),
        minister_formats={k: tuple(v) for k, v in shared.get("minister_formats", {}).items()},
        place_endings=tuple(own.get("place_case_endings", ())),
        city_preposition=word_alternation(
            [rf"(?:{w})\s+$" for w in lexicon.data.get("place_prepositions", [])]),
        domestic=word_alternation(words("domestic")),
        relative_days=tuple(
            (pattern, int(offset)) for phrase, offset in own.get("relative_days", {}).items()
            if (pattern := word_alternation(phrase)) is not None),
        timestamp=word_alternation([rf"^\s*(?:{w})\W*$" for w in words("timestamps")]),
    )


def _following_word(patterns: list[str]) -> re.Pattern[str] | None:
    """A pattern matching one of ``patterns`` right after a name, after a space or a hyphen."""
    if not patterns:
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?:\s+|-)(?:{body})(?!\w)", re.IGNORECASE)


def _span(entry: str) -> tuple[str, str]:
    """A calendar entry: one day ("2025-04-11") or the first and last day ("2024-07-09/2024-07-11")."""
    first, _, last = entry.partition("/")
    return first, last or first


# --------------------------------------------------------------------------------------------- finding

@dataclass
class MeetingDraft:
    fact: MeetingFact
    sentences: set[int] = field(default_factory=set)
    dated: set[int] = field(default_factory=set)  # the sentences that name and date the meeting
    parties: tuple[str, ...] = ()  # bilateral meetings: the two countries


@dataclass
class _ArticleScope:
    """What the steps of finding meetings need to know about the whole article."""

    analysed: list  # the pipeline's sentence units
    lexicon: Lexicon
    cues: MeetingCues
    persons: Any  # graph.extract.persons.PersonIndex
    published: datetime.date | None
    anchor: str | None  # the article's event day (ISO)
    past: list[re.Pattern[str]]  # "earlier", "former", "previous": a sentence about an older meeting
    main_format: str | None  # the format the article names most often
    named: set[str]  # the formats the article names (their short names count then)


def find_meetings(
    analysed: list,
    lexicon: Lexicon,
    persons,
    published: datetime.date | None,
    anchor: str | None,
    evidence_of,
) -> tuple[list[MeetingFact], MeetingFact | None]:
    """The meetings of the article and its main meeting (or None).

    ``analysed`` are the pipeline's sentence units (sentence, mentions, dates ...), ``persons`` the
    :class:`graph.extract.persons.PersonIndex`; ``anchor`` is the article's event day (ISO).

    Steps: the meetings sentences name and date (:func:`_dated_meetings`) -> a format's meeting
    joins the same day's meeting of a kind of it -> the main meeting (the recent one most spoken
    of) -> the sentences that go on about a meeting (:func:`_add_follow_up_sentences`) -> place,
    participants, chairs and number of countries from the meeting's sentences (:func:`_fill_slots`).
    """
    cues = meeting_cues(lexicon)
    article = _ArticleScope(
        analysed,
        lexicon,
        cues,
        persons,
        published,
        anchor,
        past=[p for p in (lexicon.pattern("earlier"), lexicon.pattern("former"), cues.previous) if p],
        main_format=_main_format(analysed, lexicon),
        named=_named_formats(analysed, lexicon, cues),
    )
    drafts, by_sentence = _dated_meetings(article, evidence_of)
    _merge_into_kinds(drafts, by_sentence)
    _merge_place_meetings(drafts, by_sentence)
    _merge_article_day_meetings(article, drafts, by_sentence)
    main = _main_meeting(drafts, published)
    _add_follow_up_sentences(article, by_sentence, main)
    for draft in drafts.values():
        _fill_slots(draft, analysed, lexicon, cues, persons)
    if main is not None:
        _add_speaking_ministers(article, drafts, main)
    for draft in drafts.values():
        if not draft.parties and _after_publication(draft.fact.date, published):
            draft.fact.participants.clear()  # a format's coming meeting: who will go is no attendance yet
            draft.fact.remote_participants.clear()
    facts = [d.fact for d in drafts.values()]
    return facts, main.fact if main else None


def _dated_meetings(
    article: _ArticleScope, evidence_of
) -> tuple[dict[str, MeetingDraft], dict[int, MeetingDraft]]:
    """The meetings the sentences name and date, by key, and the meeting of each such sentence.
    A format not named in a sentence is the last one named before it (see :func:`_format_meeting`)."""
    drafts: dict[str, MeetingDraft] = {}
    by_sentence: dict[int, MeetingDraft] = {}
    last_format: str | None = None
    for position, unit in enumerate(article.analysed):
        formats = _formats(unit, article.lexicon, article.persons, article.cues, article.named)
        found = _sentence_meeting(article, position, formats, last_format, drafts)
        if formats:
            last_format = formats[0]
        if found is not None:
            draft, rule = found
            _attach(draft, unit, by_sentence, evidence_of, f"{article.lexicon.lang}.meeting.{rule}")
    return drafts, by_sentence


def _sentence_meeting(
    article: _ArticleScope,
    position: int,
    formats: list[str],
    last_format: str | None,
    drafts: dict[str, MeetingDraft],
) -> tuple[MeetingDraft, str] | None:
    """The meeting a sentence names and dates, with the rule that found it: without a meeting cue, a
    visit ("visit"); with a cue but no format or venue of one, a meeting of persons of two countries
    ("bilateral": "Tusk met Zelensky on Thursday"); else a meeting of a format ("format_date")."""
    unit, cues = article.analysed[position], article.cues
    cue = cues.cue.search(unit.sentence.text) if cues.cue else None
    if cue is None:
        draft = _bilateral(unit, cues, article.persons, drafts, None, article.lexicon.lang, article.published,
                           _lead_day(article, unit, drafts) or _relative_day(article, position)
                           or _timestamp_day(article, position))
        return (draft, "visit") if draft is not None else None
    if not formats and not _venue_format(unit, cues):
        draft = _bilateral(unit, cues, article.persons, drafts, cue, article.lexicon.lang, article.published,
                           _lead_day(article, unit, drafts) or _relative_day(article, position)
                           or _timestamp_day(article, position))
        if draft is not None:
            return draft, "bilateral"
    draft = _format_meeting(article, position, cue, formats, last_format, drafts)
    return (draft, "format_date") if draft is not None else None


def _format_meeting(
    article: _ArticleScope,
    position: int,
    cue: re.Match[str],
    formats: list[str],
    last_format: str | None,
    drafts: dict[str, MeetingDraft],
) -> MeetingDraft | None:
    """The meeting of a format that a sentence with a meeting cue dates (:func:`_meeting_date`),
    keyed ``{kind or format}-{date}``. A day that contradicts the format's calendar gives none; a
    day within a known meeting of several days is its first day; an alliance's meeting on the day
    of a format's meeting is that format's ("held at NATO headquarters")."""
    unit, cues = article.analysed[position], article.cues
    fmt, kind = _format_and_kind(unit, formats, last_format, article)
    if fmt is None:
        return _place_meeting(article, position, cue, drafts)
    date = _meeting_date(article, position, cue, fmt, kind or fmt)
    if date is None:
        return None
    if len(date) == 10:
        if _contradicts_calendar(cues, kind or fmt, date):
            return None
        start = _calendar_start(cues, kind or fmt, date)
        if f"{kind or fmt}-{start}" in drafts or not _dated_by_article_only(unit, date, article.anchor):
            date = start
    if kind is None:
        fmt = _host_format(fmt, date, drafts)
    key = f"{kind or fmt}-{date}"
    draft = drafts.get(key)
    if draft is None:
        draft = drafts[key] = MeetingDraft(MeetingFact(key=key, format=fmt, date=date))
    return draft


def _place_meeting(
    article: _ArticleScope, position: int, cue: re.Match[str], drafts: dict[str, MeetingDraft]
) -> MeetingDraft | None:
    """A meeting of no known format ("a conference in support of Ukraine in Paris on Monday", "the
    Nordic-Baltic ministers met in Vilnius on Tuesday"): a sentence with a meeting cue, a day of its
    own and a city after a preposition is a meeting keyed ``{CITY}-{YYYY-MM-DD}`` (no format node)."""
    unit, cues = article.analysed[position], article.cues
    text, offset = unit.sentence.text, unit.sentence.start
    days = [d for d in unit.dates if len(d.value) == 10]
    relative = None if days else _relative_day(article, position)
    cities = [m for m in unit.mentions if m.kind == "city" and _placed(m, text, offset, cues)]
    if not (days or relative) or not cities or (cues.domestic and cues.domestic.search(text)):
        return None
    if cues.upcoming and cues.upcoming.search(text):
        return None  # a coming gathering: kept to the formats (their calendar and coming months)
    cue_at = offset + cue.start()
    date = relative or min(days, key=lambda d: min(abs(d.start - cue_at), abs(d.end - cue_at))).value
    city = re.sub(r"[^A-Za-z0-9]+", "_", cities[0].key).strip("_").upper()
    if not city:
        return None
    same_day = [d for d in drafts.values() if d.fact.date == date and d.fact.place in (None, cities[0].key)]
    if same_day:
        return same_day[0]  # the day's meeting found already (a format's, a visit)
    key = f"{city}-{date}"
    draft = drafts.get(key)
    if draft is None:
        draft = drafts[key] = MeetingDraft(MeetingFact(key=key, format="", date=date))
    return draft


def _format_and_kind(
    unit, formats: list[str], last_format: str | None, article: _ArticleScope
) -> tuple[str | None, str | None]:
    """The format of a sentence's meeting and the kind of meeting (or None). A kind named with its
    format counts unless a format of higher rank is named ("the allies met in Washington for the
    NATO summit", not "NATO defence ministers met for the contact group"); else the format chosen
    by :func:`_choose_format`, else the format of the sentence's venue."""
    text, cues = unit.sentence.text, article.cues
    kinds = [
        (fmt, kind)
        for fmt in formats
        if (kind := _kind(text, fmt, cues)) and _named_not_as_venue(unit, fmt, article.lexicon, cues)
    ]
    if kinds and _format_rank(kinds[0][0]) <= _format_rank(formats[0]):
        return kinds[0]
    venue = None if formats else _venue_format(unit, cues)  # "the talks at Ramstein": the contact group
    fmt = venue or _choose_format(formats, last_format, article.main_format)
    return fmt, _kind(text, fmt, cues) if fmt else None


def _add_follow_up_sentences(
    article: _ArticleScope, by_sentence: dict[int, MeetingDraft], main: MeetingDraft | None
) -> None:
    """Sentences without a day of their own that refer to a meeting (:func:`_refers_to_meeting`)
    join the meeting of a sentence at most ``_FOLLOW_REACH`` before them when they follow one of its
    sentences in the paragraph or it is a visit or a recent meeting; else the main meeting, unless
    they name another format or a year before the meeting's."""
    previous_draft: MeetingDraft | None = None
    previous_at = -10
    for unit in article.analysed:
        index = unit.sentence.index
        if index in by_sentence:
            previous_draft, previous_at = by_sentence[index], index
            continue
        if not _refers_to_meeting(unit, article.lexicon, article.cues):
            continue
        if index - previous_at > _FOLLOW_REACH:
            previous_draft = None
        follows = previous_draft is not None and _follows_its_sentence(unit, article.analysed, previous_draft)
        target = previous_draft if follows or _continues(previous_draft, article.published) else main
        if target is None or (
            target is main and not _may_refer_to_main(unit, article.lexicon, target.fact.format)
        ):
            continue
        if _earlier_year_of_event(unit, target.fact.date, article.cues):
            continue  # "at a NATO meeting in 2008 ...": an older meeting, not this one
        if _visit_elsewhere(unit, target, article):
            continue
        if article.cues.previous and article.cues.previous.search(unit.sentence.text):
            continue  # "His predecessor chaired all earlier meetings": not this meeting
        target.sentences.add(index)
        previous_draft, previous_at = target, index


def _visit_elsewhere(unit, target: MeetingDraft, article: _ArticleScope) -> bool:
    """A sentence about a visit to another city than the meeting's ("During his first visit to wartime
    Kyiv, the Secretary General said ..." in a report on the talks at Ramstein): another event."""
    if target.parties or article.cues.visit is None or not article.cues.visit.search(unit.sentence.text):
        return False
    place = _place(target, article.analysed, article.cues)
    cities = {m.key for m in unit.mentions if m.kind == "city"}
    return place is not None and bool(cities) and place not in cities


def _after_publication(date: str | None, published: datetime.date | None) -> bool:
    """The meeting's day (or month) comes after the article's ("the group will meet again next month
    in Brussels"): CONVENTIONS.md rule 15 counts only persons the text places at a meeting. A coming
    visit keeps its two parties ("Zelensky will meet Tusk in Warsaw on Friday")."""
    if not date or published is None:
        return False
    return date > published.isoformat()[: len(date)]


def _earlier_year(unit, date: str | None) -> bool:
    """The sentence names a year before the year of the meeting dated ``date``."""
    return bool(date) and any(d.value[:4].isdigit() and d.value[:4] < date[:4] for d in unit.dates)


def _earlier_year_of_event(unit, date: str | None, cues: MeetingCues) -> bool:
    """:func:`_earlier_year` without the dates that open a period: "Austin, der die Gruppe seit ihrer
    Gründung im April 2022 leitet", "who has chaired it since April 2022" date no other event."""
    text, offset = unit.sentence.text, unit.sentence.start
    return bool(date) and any(
        d.value[:4].isdigit() and d.value[:4] < date[:4] and not _since(text, d.start - offset, cues)
        for d in unit.dates)


def _continues(draft: MeetingDraft | None, published: datetime.date | None) -> bool:
    """The next sentences may go on about a bilateral visit or a recent meeting, not about an old one."""
    if draft is None:
        return False
    if draft.parties:
        return True
    return _is_recent_day(draft.fact.date, published)


def _is_recent_day(date: str | None, published: datetime.date | None) -> bool:
    """``date`` is a day (not a month) of the week up to publication."""
    if published is None or not date or len(date) != 10:
        return False
    return datetime.timedelta(0) <= published - datetime.date.fromisoformat(date) <= _RECENT


def _merge_into_kinds(drafts: dict[str, MeetingDraft], by_sentence: dict[int, MeetingDraft]) -> None:
    """A format's meeting of the same day as a kind of its meetings is that meeting: "EU-2025-03-06"
    ("der Vorsitzende eröffnete die Sitzung") joins "EU-EUCO-2025-03-06"."""
    for key, draft in list(drafts.items()):
        fact = draft.fact
        if draft.parties or key != f"{fact.format}-{fact.date}":
            continue
        kinds = [d for k, d in drafts.items() if k != key and d.fact.format == fact.format
                 and d.fact.date == fact.date and not d.parties]
        if len(kinds) != 1:
            continue
        target = kinds[0]
        target.sentences |= draft.sentences
        target.dated |= draft.dated
        target.fact.evidence.extend(fact.evidence)
        for index, owner in by_sentence.items():
            if owner is draft:
                by_sentence[index] = target
        del drafts[key]


def _merge_place_meetings(drafts: dict[str, MeetingDraft], by_sentence: dict[int, MeetingDraft]) -> None:
    """A meeting of no format (:func:`_place_meeting`) on the day of one format's meeting is that
    meeting ("the five ministers met in Paris on Wednesday" ... "the E5 meeting")."""
    for key, draft in list(drafts.items()):
        if draft.fact.format or draft.parties:
            continue
        same_day = [d for k, d in drafts.items()
                    if k != key and d.fact.format and d.fact.date == draft.fact.date]
        if len(same_day) != 1:
            continue
        target = same_day[0]
        target.sentences |= draft.sentences
        target.dated |= draft.dated
        target.fact.evidence.extend(draft.fact.evidence)
        for index, owner in by_sentence.items():
            if owner is draft:
                by_sentence[index] = target
        del drafts[key]


_ARTICLE_DAY_REACH = 3  # days before the article's day within which its text dates the same meeting


def _merge_article_day_meetings(
    article: _ArticleScope, drafts: dict[str, MeetingDraft], by_sentence: dict[int, MeetingDraft]
) -> None:
    """A format's meeting dated only by the article's own day (a headline or standfirst with no day:
    "Orpo JEF-huippukokouksessa Oslossa") is the meeting of that format the text dates with a day of
    its own shortly before ("perjantaina Oslossa ... huippukokoukseen"), wherever in the text that
    day comes (rule 11: the text's day, not the report's)."""
    anchor = article.anchor
    if not anchor or len(anchor) != 10:
        return
    units = {u.sentence.index: u for u in article.analysed}
    day = datetime.date.fromisoformat(anchor)

    def own_day(draft: MeetingDraft) -> bool:
        return any(len(d.value) == 10 for i in draft.dated if i in units for d in units[i].dates)

    for key, draft in list(drafts.items()):
        if draft.parties or not draft.fact.format or draft.fact.date != anchor or own_day(draft):
            continue
        earlier = [d for k, d in drafts.items() if k != key and d.fact.format == draft.fact.format
                   and d.fact.date and len(d.fact.date) == 10 and own_day(d)
                   and 0 < (day - datetime.date.fromisoformat(d.fact.date)).days <= _ARTICLE_DAY_REACH]
        if len(earlier) != 1:
            continue
        target = earlier[0]
        target.sentences |= draft.sentences
        target.dated |= draft.dated
        target.fact.evidence.extend(draft.fact.evidence)
        for index, owner in by_sentence.items():
            if owner is draft:
                by_sentence[index] = target
        del drafts[key]


def _follows_its_sentence(unit, analysed: list, draft: MeetingDraft) -> bool:
    """The sentence comes right after one of the meeting's own sentences in the same paragraph
    ("Im März kamen die Minister in Oslo zusammen. Auch der Gast aus Kiew war dort.")."""
    index = unit.sentence.index
    previous = next((u for u in analysed if u.sentence.index == index - 1), None)
    return (
        previous is not None
        and previous.sentence.index in draft.sentences
        and previous.sentence.paragraph == unit.sentence.paragraph
    )


def _attach(draft: MeetingDraft, unit, by_sentence: dict, evidence_of, rule: str) -> None:
    draft.sentences.add(unit.sentence.index)
    draft.dated.add(unit.sentence.index)
    by_sentence.setdefault(unit.sentence.index, draft)
    draft.fact.evidence.append(evidence_of(unit.sentence, rule))


def _formats(unit, lexicon: Lexicon, persons=None, cues: MeetingCues | None = None,
             named: set[str] | None = None) -> list[str]:
    """The meeting formats a sentence names, formats first; an organisation that only titles a
    person ("NATO chief Mark Rutte", "Nato-Generalsekretär Rutte", "sekretarz generalny NATO Mark
    Rutte") is not a meeting of it. With ``cues``, also a kind's own name ("European Council") and
    the short name of a format the article names in full (``named``): "the contact group",
    "die Kontaktgruppe", "le groupe de contact"."""
    found = {
        lexicon.meeting_formats[m.key]
        for m in unit.mentions
        if m.kind == "org" and m.key in lexicon.meeting_formats
        and not _titles_person(unit, m, lexicon, persons)
    }
    if cues is not None:
        text = unit.sentence.text
        found |= {kind.format for kind in cues.kinds if kind.names and kind.names.search(text)}
        found |= {
            fmt for fmt, pattern in cues.short_names.items() if fmt in (named or ()) and pattern.search(text)
        }
    return sorted(found, key=lambda key: (_format_rank(key), key))


def _named_not_as_venue(unit, fmt: str, lexicon: Lexicon, cues: MeetingCues) -> bool:
    """The sentence names the format itself, not only its building ("at NATO headquarters",
    "im Nato-Hauptquartier", "au siège de l'Otan")."""
    text, offset = unit.sentence.text, unit.sentence.start
    for mention in unit.mentions:
        if mention.kind != "org" or lexicon.meeting_formats.get(mention.key) != fmt:
            continue
        after = text[mention.end - offset : mention.end - offset + 20].lstrip(" -")
        before = text[max(0, mention.start - offset - 25) : mention.start - offset]
        venue_after = cues.venue and cues.venue.match(after)
        venue_before = cues.venue and re.search(rf"(?:{cues.venue.pattern})\s+\w+'?\s*$", before, re.I)
        if not (venue_after or venue_before):
            return True
    return not any(m.kind == "org" for m in unit.mentions)  # named by a kind's own name


def _kind(text: str, fmt: str, cues: MeetingCues) -> str | None:
    """The kind of the format's meeting the sentence speaks of ("NATO summit" -> NATO-SUMMIT)."""
    for kind in cues.kinds:
        if kind.format != fmt:
            continue
        if any(pattern and pattern.search(text) for pattern in (kind.names, kind.with_format)):
            return kind.key
    return None


def _titles_person(unit, mention, lexicon: Lexicon, persons) -> bool:
    """The organisation mention is part of a person's title: only a role noun (or nothing) stands
    between it and the person's name."""
    if persons is None:
        return False
    text = unit.sentence.text
    offset = unit.sentence.start
    for person in persons.mentions.get(unit.sentence.index, []):
        if not 0 <= person.start - mention.end <= 40:
            continue
        gap = text[mention.end - offset : person.start - offset].strip(" -'’s")
        titles = lexicon.data.get("title_words", [])
        if not gap or gap.casefold() in titles or any(role.pattern.fullmatch(gap) for role in lexicon.roles):
            return True
    return False


def _main_format(analysed: list, lexicon: Lexicon) -> str | None:
    """The meeting format (UDCG, COTW, E5 ...) the article names most often."""
    counts = Counter(fmt for unit in analysed for fmt in _format_mentions(unit, lexicon))
    return counts.most_common(1)[0][0] if counts else None


def _format_mentions(unit, lexicon: Lexicon) -> list[str]:
    """The formats (UDCG, COTW, E5 ...; not NATO or the EU) the sentence's organisation mentions name."""
    return [
        lexicon.meeting_formats[m.key]
        for m in unit.mentions
        if m.kind == "org" and m.key in lexicon.meeting_formats and _format_rank(m.key) == 0
    ]


def _named_formats(analysed: list, lexicon: Lexicon, cues: MeetingCues) -> set[str]:
    """The formats the article names by name or by a venue of theirs ("Ramstein")."""
    return {fmt for unit in analysed for fmt in [*_formats(unit, lexicon), _venue_format(unit, cues)] if fmt}


def _choose_format(formats: list[str], last_format: str | None, main_format: str | None) -> str | None:
    """A format named in the sentence; an alliance (NATO) there is only the venue when the article is
    about a format ("at NATO headquarters")."""
    if formats and _format_rank(formats[0]) == 0:
        return formats[0]
    for candidate in (last_format, main_format):
        if candidate and _format_rank(candidate) == 0:
            return candidate
    return formats[0] if formats else last_format


def _venue_format(unit, cues: MeetingCues) -> str | None:
    """The format whose meetings a city is known for ("met at Ramstein" is the contact group)."""
    for mention in unit.mentions:
        if mention.kind == "city" and mention.key in cues.venue_formats:
            return cues.venue_formats[mention.key]
    return None


def _format_rank(key: str) -> int:
    """Meeting formats (UDCG, COTW, E5) before alliances and unions (NATO, EU) that host them."""
    org = load_knowledge().organisations.get(key)
    return 0 if org is not None and org.kind == "format" else 1


def _host_format(fmt: str, date: str, drafts: dict[str, MeetingDraft]) -> str:
    """"held at NATO headquarters": the format's meeting of that day, not NATO's."""
    if _format_rank(fmt) == 0:
        return fmt
    same_day = [d for d in drafts.values() if d.fact.date == date and _format_rank(d.fact.format) == 0]
    return same_day[0].fact.format if same_day else fmt


def _meeting_date(article: _ArticleScope, position: int, cue: re.Match[str], fmt: str,
                  calendar_key: str) -> str | None:
    """The date of the meeting of ``fmt`` that sentence ``position`` speaks of, the first that applies:
    the day nearest to the cue; a month of a known meeting in the format's calendar, of a coming or
    previous meeting, or next to the cue in a sentence about the past; none for a sentence with
    another date or about an earlier or coming meeting; the recent day of the sentence before when
    it is in the lead or names the format; the article's event day when the sentence names the
    format."""
    unit, before = article.analysed[position], article.analysed[:position]
    lexicon, cues, published = article.lexicon, article.cues, article.published
    text = unit.sentence.text
    offset = unit.sentence.start
    days = [d for d in unit.dates if len(d.value) == 10]
    days = [d for d in days if not _weekday_beside_month(d, unit.dates, text, offset, offset + cue.start())]
    if days:
        cue_at = offset + cue.start()
        nearest = min(days, key=lambda d: min(abs(d.start - cue_at), abs(d.end - cue_at)))
        return _forward_day(nearest, text, cues, lexicon.lang, published)
    relative = _relative_day(article, position)
    if relative:  # "the next day the ministers met again": the day after the text's last day
        return relative
    months = [d for d in unit.dates if len(d.value) == 7 and not _since(text, d.start - offset, cues)
              and not _in_complement(text, cue.end(), d.start - offset, cues)]
    if months:  # "the previous meeting in February", "In May, the ministers gathered in Riga"
        cue_at = offset + cue.start()
        near = min(abs(months[0].start - cue_at), abs(months[0].end - cue_at)) <= _MONTH_REACH
        upcoming = near and bool(cues.upcoming and cues.upcoming.search(text))
        month = _coming_month(months[0].value, published) if upcoming else months[0].value
        known_day = _calendar_day(cues, calendar_key, month)
        if known_day or upcoming or (cues.previous and cues.previous.search(text)):
            # a regular format's meeting by month is that month (CONVENTIONS.md rule 10); a past summit is
            # its day, a coming one keeps the month the text gives (world knowledge does not date the future)
            if known_day and calendar_key != fmt and not _after_publication(known_day, published):
                return known_day
            return month
        if _past_month_of_meeting(text, offset, months[0], cues):
            return month
    year = _past_year_of_meeting(unit, cue, published)
    if year and (_names_format(unit, lexicon, fmt) or fmt in _format_mentions(unit, lexicon)):
        return year  # "at a NATO meeting in Bucharest in 2008": a year key (CONVENTIONS.md rule 10)
    if unit.dates:
        return None
    if any(p.search(text) for p in article.past) or (cues.upcoming and cues.upcoming.search(text)):
        return None
    neighbour = _neighbour_day(unit, before, lexicon, fmt, published)
    if neighbour:
        return neighbour
    if article.anchor and (_names_format(unit, lexicon, fmt) or _venue_format(unit, cues) == fmt):
        return article.anchor  # the meeting the article reports: its day (CONVENTIONS.md rule 10)
    return None


def _weekday_beside_month(day, dates, text: str, offset: int, cue_at: int) -> bool:
    """A bare weekday (no figure in it) of another month than a month nearer the meeting cue: the
    day of the speech tag ("the summit to be held in June, the minister said on Wednesday", "kesäkuussa,
    ministeri kertoi keskiviikkona"), not the meeting's."""
    if any(ch.isdigit() for ch in text[day.start - offset : day.end - offset]):
        return False
    reach = min(abs(day.start - cue_at), abs(day.end - cue_at))
    return any(len(m.value) == 7 and m.value != day.value[:7]
               and min(abs(m.start - cue_at), abs(m.end - cue_at)) < min(reach, _MONTH_REACH)
               for m in dates)


_RELATIVE_REACH = 3  # sentences back to the day a relative day ("the next day") counts from
#: id(relative_days) -> (relative_days, one pattern matching where any of them does, or None)
_ANY_RELATIVE: dict[int, tuple[tuple, re.Pattern[str] | None]] = {}


def _any_relative(relative_days: tuple) -> re.Pattern[str] | None:
    """The alternation of the ``relative_days`` patterns (one search of a sentence instead of one per
    phrase; which phrase it is stays the first that matches), None when they cannot be joined."""
    found = _ANY_RELATIVE.get(id(relative_days))
    if found is None or found[0] is not relative_days:
        flags = {pattern.flags for pattern, _ in relative_days}
        try:
            joined = re.compile("|".join(f"(?:{p.pattern})" for p, _ in relative_days), flags.pop()) \
                if len(flags) == 1 and not any(p.groups for p, _ in relative_days) else None
        except re.error:
            joined = None
        found = _ANY_RELATIVE[id(relative_days)] = (relative_days, joined)
    return found[1]


def _relative_day(article: _ArticleScope, position: int) -> str | None:
    """A sentence without a day of its own that dates itself from another event ("the next day",
    "three days later", "am Vortag", ``relative_days``): the last day of the nearest sentence before
    it (at most ``_RELATIVE_REACH`` back) shifted by the phrase's offset."""
    unit, cues = article.analysed[position], article.cues
    if not cues.relative_days or any(len(d.value) == 10 for d in unit.dates):
        return None
    joined = _any_relative(cues.relative_days)
    if joined is not None and not joined.search(unit.sentence.text):
        return None
    offset = next((days for pattern, days in cues.relative_days if pattern.search(unit.sentence.text)), None)
    if offset is None:
        return None
    for before in reversed(article.analysed[max(0, position - _RELATIVE_REACH) : position]):
        days = [d.value for d in before.dates if len(d.value) == 10]
        if days:
            day = datetime.date.fromisoformat(days[-1]) + datetime.timedelta(days=offset)
            return day.isoformat()
    return None


_FIRST_YEAR = "2014"  # shapes/meeting.ttl: a meeting's schema:startDate is in 2014 or later


def _past_year_of_meeting(unit, cue: re.Match[str], published: datetime.date | None) -> str | None:
    """A year before the article's next to the meeting cue ("bei einem NATO-Treffen im Jahr 2008"),
    in a sentence with no day or month."""
    if published is None or any(len(d.value) > 4 for d in unit.dates):
        return None
    cue_at = unit.sentence.start + cue.start()
    years = [d.value for d in unit.dates if len(d.value) == 4 and d.value.isdigit()
             and _FIRST_YEAR <= d.value < str(published.year)
             and min(abs(d.start - cue_at), abs(d.end - cue_at)) <= _PAST_MONTH_REACH]
    return years[0] if len(years) == 1 else None


def _names_format(unit, lexicon: Lexicon, fmt: str) -> bool:
    """The sentence names the organisation of format ``fmt`` ("the Ukraine Defense Contact Group")."""
    return any(m.kind == "org" and lexicon.meeting_formats.get(m.key) == fmt for m in unit.mentions)


def _since(text: str, start: int, cues: MeetingCues) -> bool:
    """The month at ``start`` begins a period ("since April 2022", "seit Juni"): no meeting's date."""
    if cues.month_since and cues.month_since.search(text[max(0, start - 20) : start]):
        return True
    opening = re.match(r"\S+\s", text[start : start + 20])  # the date mention opens with the cue:
    if cues.month_since and opening and cues.month_since.search(opening.group()):  # "since February 2022"
        return True
    # a clause opened by "since": "since X became president in January"
    clause = text[max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0) : start]
    return bool(cues.since_clause and cues.since_clause.search(clause))


def _in_complement(text: str, cue_end: int, start: int, cues: MeetingCues) -> bool:
    """The month stands in a clause opened by a complementiser after the meeting cue ("told the meeting
    that the launchers the Netherlands decided to donate in January ..."): the clause's month."""
    return bool(cues.complementiser and cue_end <= start and cues.complementiser.search(text[cue_end:start]))


def _past_month_of_meeting(text: str, offset: int, month, cues: MeetingCues) -> bool:
    """A month next to a meeting cue of a sentence about the past: "In July, the allies met in
    Vilnius", "im Mai in Riga zusammengekommen" (not "since April", not a coming meeting)."""
    if cues.upcoming and cues.upcoming.search(text):
        return False
    start, end = month.start - offset, month.end - offset
    for match in cues.cue.finditer(text):
        between = text[min(end, match.end()) : max(start, match.start())]
        if len(between) > _PAST_MONTH_REACH:
            continue
        if match.end() <= start and cues.complementiser and cues.complementiser.search(between):
            continue  # "told the meeting that the launchers ... decided in January": the clause's month
        if not _CLAUSE_BREAK.search(between) or (start <= 3 and match.start() > end):
            return True  # same clause, or the month opens the sentence: "In July, the allies met"
    return False


def _neighbour_day(unit, before: list, lexicon: Lexicon, fmt: str,
                   published: datetime.date | None) -> str | None:
    """The recent day of the previous sentence when it is in the lead or names the format."""
    if not before or published is None:
        return None
    previous = before[-1]
    in_lead = previous.sentence.index <= 1 and previous.sentence.paragraph == unit.sentence.paragraph
    if not (in_lead or _names_format(previous, lexicon, fmt)):
        return None
    return next((m.value for m in previous.dates if _is_recent_day(m.value, published)), None)


def _forward_day(mention, text: str, cues: MeetingCues, lang: str, published: datetime.date | None) -> str:
    """A weekday of a sentence about a coming meeting or visit ("will meet on Thursday", "wird am
    Montag Kiew besuchen") is the coming one, not the last one."""
    if published is None or mention.value >= published.isoformat():
        return mention.value
    opener = cues.complementiser.search(text) if cues.complementiser else None
    own = text[: opener.start()] if opener else text  # "said on Friday that X will send": reported
    if not (cues.upcoming and cues.upcoming.search(own)) or not assumes_past(lang, mention.rule):
        return mention.value
    return (datetime.date.fromisoformat(mention.value) + datetime.timedelta(days=7)).isoformat()


def _coming_month(month: str, published: datetime.date | None) -> str:
    """A month named for an upcoming meeting is not in the past: "the next meeting in April" written
    in February 2025 is April 2025 (a bare month name resolves to the last such month)."""
    if published is None or month >= published.isoformat()[:7]:
        return month
    return f"{int(month[:4]) + 1}{month[4:]}"


def _calendar_day(cues: MeetingCues, key: str, month: str) -> str | None:
    """The first day of the format's only known meeting in ``month``."""
    days = [first for first, _ in cues.calendar.get(key, ()) if first.startswith(month)]
    return days[0] if len(days) == 1 else None


def _calendar_start(cues: MeetingCues, key: str, date: str) -> str:
    """The first day of a known meeting of several days that ``date`` falls in ("wrapped up the
    summit on Wednesday" is the summit that began on Tuesday), else ``date``."""
    for first, last in cues.calendar.get(key, ()):
        if first <= date <= last:
            return first
    return date


def _dated_by_article_only(unit, date: str, anchor: str | None) -> bool:
    """The meeting's day is the article's own day because the sentence gives none ("announced at the
    NATO summit in Washington"): the day of the report within a meeting of several days, not the
    meeting's first day (CONVENTIONS.md rule 10), unless the text has dated that meeting already."""
    return date == anchor and not any(len(d.value) == 10 for d in unit.dates)


def _contradicts_calendar(cues: MeetingCues, key: str, date: str) -> bool:
    known = cues.calendar.get(key)
    if not known or any(first <= date <= last for first, last in known):
        return False
    day = datetime.date.fromisoformat(date)
    return any(abs(datetime.date.fromisoformat(first) - day) < _CALENDAR_WINDOW for first, _ in known)


def _lead_day(article: _ArticleScope, unit, drafts: dict[str, MeetingDraft]) -> str | None:
    """The article's event day for an undated sentence of the lead that reports news (no date, no
    "earlier" or coming meeting) before any other meeting is found: the lead's meeting is the one the
    article reports (CONVENTIONS.md rule 10)."""
    text, upcoming = unit.sentence.text, article.cues.upcoming
    if article.anchor is None or drafts or unit.dates or unit.sentence.index > 1:
        return None
    if any(p.search(text) for p in article.past) or (upcoming and upcoming.search(text)):
        return None
    return article.anchor


def _timestamp_day(article: _ArticleScope, position: int) -> str | None:
    """The article's event day for the first sentence of a live blog's entry (the sentence before it
    is only a clock time, ``timestamps``: "14:05 GMT", "18.40 uur", "klo 12.30") that has no day of
    its own and reports news (no "earlier" or coming meeting): the blog reports the day's events."""
    unit, cues = article.analysed[position], article.cues
    if cues.timestamp is None or article.anchor is None or position == 0 or unit.dates:
        return None
    if not cues.timestamp.search(article.analysed[position - 1].sentence.text):
        return None
    text = unit.sentence.text
    if any(p.search(text) for p in article.past) or (cues.upcoming and cues.upcoming.search(text)):
        return None
    return article.anchor


def _bilateral(unit, cues: MeetingCues, persons, drafts: dict[str, MeetingDraft], cue=None, lang: str = "xx",
               published: datetime.date | None = None, lead_day: str | None = None) -> MeetingDraft | None:
    """A visit with a day: "X travelled to Kyiv on Tuesday", "Y was received on Monday by Z"; with
    ``cue`` (a meeting verb in a sentence without a format) a meeting of two persons: "X met Y on
    Thursday". In the undated lead (``lead_day``, :func:`_lead_day`) the day is the article's: "X said
    during a meeting with Y", "X visited Y in Kyiv"."""
    if cue is None and (cues.visit is None or not cues.visit.search(unit.sentence.text)):
        return None
    if cues.by_phone and cues.by_phone.search(unit.sentence.text):
        return None  # a call, not a meeting: "spoke by phone with his Ukrainian counterpart on Monday"
    days = [
        _forward_day(d, unit.sentence.text, cues, lang, published) for d in unit.dates if len(d.value) == 10
    ]
    if not days and lead_day:
        days = [lead_day]
    if not days:
        return None
    countries = []
    for mention in persons.mentions.get(unit.sentence.index, []):
        country = _person_country(persons, mention.person)
        if country and country not in countries:
            countries.append(country)
    host = None
    for mention in unit.mentions:
        if mention.kind == "city" and mention.key in cues.place_countries:
            host = cues.place_countries[mention.key]
            break
    if cue is not None and len(countries) != 2:
        return None  # a meeting verb alone needs two persons of two countries
    if host and host not in countries:
        countries.append(host)
    if len(countries) < 2 or (len(countries) > 2 and (cue is not None or host is None)):
        return None  # several visitors need a host city: "Macron, Merz and Starmer travelled to Kyiv"
    visitor = next((c for c in countries if c != host), countries[0])
    if len(countries) == 2:
        parties = tuple(sorted(countries, key=lambda c: (c == "UA", c != visitor)))
    else:
        parties = (*sorted(c for c in countries if c != host), host)
    key = f"{'-'.join(parties)}-{days[0]}"
    draft = drafts.get(key)
    if draft is None:
        fact = MeetingFact(key=key, format="bilateral", date=days[0])
        draft = drafts[key] = MeetingDraft(fact, parties=parties)
    return draft


def _person_country(persons, person: str) -> str | None:
    fact = persons.facts.get(person)
    if fact is None:
        return None
    countries = [r.country for r in fact.roles if r.country and len(r.country) == 2 and r.country.isupper()]
    return countries[0] if countries else None


def _main_meeting(drafts: dict[str, MeetingDraft], published: datetime.date | None) -> MeetingDraft | None:
    if published is None:
        return None
    candidates = [
        (len(draft.sentences), datetime.date.fromisoformat(draft.fact.date), draft)
        for draft in drafts.values()
        if _is_recent_day(draft.fact.date, published)
    ]
    if not candidates:
        return None
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
    return candidates[0][2]


def _refers_to_meeting(unit, lexicon: Lexicon, cues: MeetingCues) -> bool:
    """A sentence without a day of its own that speaks about a meeting."""
    text = unit.sentence.text
    if any(len(d.value) == 10 for d in unit.dates):
        return False
    if cues.address and cues.address.search(text):  # "told the group that ... in April"
        return True
    offset = unit.sentence.start  # a month dates another event, not one opening a period ("seit April 2022")
    if any(len(d.value) == 7 and not _since(text, d.start - offset, cues) for d in unit.dates):
        return False
    attendance = (lexicon.pattern("remote"), lexicon.pattern("attend"), cues.at_meeting)
    if any(p.search(text) for p in attendance if p):
        return True
    if cues.upcoming and cues.upcoming.search(text):
        return False  # "Whether she will also see the Kremlin leader is open": another, coming meeting
    return any(p.search(text) for p in (cues.cue, cues.visit, cues.chair) if p) or _at_venue(unit, cues)


def _at_venue(unit, cues: MeetingCues) -> bool:
    """The sentence places itself at a city known for a format's meetings ("the minister said in
    Ramstein", "sa hon i Ramstein")."""
    text, offset = unit.sentence.text, unit.sentence.start
    return any(
        m.kind == "city" and m.key in cues.venue_formats and _placed(m, text, offset, cues)
        for m in unit.mentions
    )


def _may_refer_to_main(unit, lexicon: Lexicon, fmt: str) -> bool:
    """A sentence far from the meeting's own sentences joins it unless it names another format."""
    named = set(_format_mentions(unit, lexicon))
    return not named or fmt in named


# --------------------------------------------------------------------------------------------- slots

def _fill_slots(draft: MeetingDraft, analysed: list, lexicon: Lexicon, cues: MeetingCues, persons) -> None:
    fact = draft.fact
    remote_cue = lexicon.pattern("remote")
    count_cue = lexicon.pattern("country_count")
    before_cue = lexicon.pattern("not_at_meeting")
    fact.place = _place(draft, analysed, cues)
    for unit in analysed:
        if unit.sentence.index not in draft.sentences:
            continue
        text = unit.sentence.text
        offset = unit.sentence.start
        people = _not_modifiers(persons.mentions.get(unit.sentence.index, []), text, offset, cues)
        attending = any(p.search(text) for p in (lexicon.pattern("attend"), cues.at_meeting) if p)
        if not people and (attending or (remote_cue and remote_cue.search(text))):
            people = _pronoun_subject(unit, persons, cues)
        if draft.parties and not attending:  # "la ministre participait aussi" joins a visit
            people = _of_parties(people, draft.parties, persons, text, offset)
        people = _present(people, text, offset, before_cue, cues)
        if unit.sentence.index not in draft.dated:
            people = _not_reported(people, text, offset, lexicon, cues)
            if _plans(text, cues):
                people = []  # "The latter will be attended by ...": a plan, not who was there
        remote = remote_cue.search(text) if remote_cue else None
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
        if cues.chair and not fact.chairs:
            for chair in cues.chair.finditer(text):
                named = persons.mentions.get(unit.sentence.index, [])
                fact.chairs = _chairs(text, offset, unit.mentions, named, persons, chair, lexicon, cues)
                if fact.chairs:
                    break
        if fact.n_countries is None and count_cue:
            match = count_cue.search(text)
            if match:
                fact.n_countries = int(re.search(r"\d+", match.group()).group())


def _of_parties(people: list, parties: tuple[str, ...], persons, text: str, offset: int) -> list:
    """The persons of a visit's countries, and a person of no known country coordinated right after
    one of them ("forsvarsminister Bjørn Arild Gram og forsvarssjef Eirik Kristoffersen besøkte")."""
    kept: list = []
    for person in people:
        country = _person_country(persons, person.person)
        coordinated = country is None and bool(kept) and bool(
            _CHAIR_COORDINATION.match(text[kept[-1].end - offset : person.start - offset]))
        if country in parties or coordinated:
            kept.append(person)
    return kept


_SPEAKER_REACH = 40  # characters between a speech verb and its speaker


def _add_speaking_ministers(
    article: _ArticleScope, drafts: dict[str, MeetingDraft], main: MeetingDraft
) -> None:
    """The ministers a ministers' meeting gathers (``minister_formats``: the contact group's defence
    ministers) who speak in the article's sentences about nothing else were at the article's main
    meeting (CONVENTIONS.md rule 15: said at the meeting): "Es würden Geschosse ... zur Verfügung
    gestellt, sagte Verteidigungsministerin Kajsa Ollongren". Not in a sentence with a date of its
    own, an earlier or coming meeting, another format, or that belongs to another meeting."""
    cues, persons, fact = article.cues, article.persons, main.fact
    roles = cues.minister_formats.get(fact.key[: -len(fact.date) - 1] if fact.date else "", ())
    if not roles or cues.speech is None:
        return
    taken = set().union(*(d.sentences for d in drafts.values()))
    for unit in article.analysed:
        text, offset = unit.sentence.text, unit.sentence.start
        if unit.sentence.index in taken or not _only_coming_years(unit, fact.date):
            continue
        if not _may_refer_to_main(unit, article.lexicon, fact.format):
            continue
        opener = cues.complementiser.search(text) if cues.complementiser else None
        # not what is said ("kertoi, että ... on määrä luovuttaa"), unless it speaks of a meeting
        nouns = article.lexicon.pattern("meeting_nouns")
        about_meeting = opener is None or (nouns is not None and nouns.search(text, opener.end()))
        own = text if about_meeting else text[: opener.start()]
        if any(p.search(text) for p in article.past) or (cues.upcoming and cues.upcoming.search(own)):
            continue
        people = _not_modifiers(persons.mentions.get(unit.sentence.index, []), text, offset, cues)
        for verb in cues.speech.finditer(text):
            if _to_the_press(unit, verb.end(), article.lexicon):
                continue
            for person in people:
                start, end = person.start - offset, person.end - offset
                if opener is not None and start > opener.start():
                    continue  # "said that Hegseth ...": spoken about, not speaking
                gap = verb.start() - end if verb.start() >= end else start - verb.end()
                if not 0 <= gap <= _SPEAKER_REACH:
                    continue
                known = persons.facts[person.person]
                if not any(r.role in roles for r in known.roles):
                    continue
                if known.name not in fact.participants and known.name not in fact.remote_participants:
                    fact.participants.append(known.name)


def _only_coming_years(unit, date: str | None) -> bool:
    """The sentence has no date, or only years from the meeting's on: a delivery's time ("six of them
    by the end of the year, the others in 2025"), not the date of another event."""
    return all(len(d.value) == 4 and date is not None and d.value >= date[:4] for d in unit.dates)


def _to_the_press(unit, after: int, lexicon: Lexicon) -> bool:
    """Words spoken to a news agency or the press ("sier Gram til NTB", "told Reuters") in a sentence
    that names no city: an interview, not the meeting."""
    if any(m.kind == "city" for m in unit.mentions):
        return False
    following = unit.sentence.text[after : after + 60]
    media = lexicon.pattern("media_nouns")
    agencies = lexicon.data.get("credit_agencies", [])
    return bool(media and media.search(following)) or any(
        re.search(rf"(?<!\w){re.escape(a)}(?!\w)", following) for a in agencies)


def _pronoun_subject(unit, persons, cues: MeetingCues) -> list:
    """The person a sentence opening with a subject pronoun speaks of ("He did so during the meeting",
    "Hij deed dat tijdens de bijeenkomst"): the one person the sentence before names, else nobody."""
    if cues.subject_pronoun is None or not cues.subject_pronoun.match(unit.sentence.text.lstrip(" \"'“”„«»")):
        return []
    before = persons.mentions.get(unit.sentence.index - 1, [])
    return before[:1] if len({p.person for p in before}) == 1 else []


def _place(draft: MeetingDraft, analysed: list, cues: MeetingCues) -> str | None:
    """The city after a preposition in the sentences that name and date the meeting, else in the
    sentences about it."""
    units = [u for u in analysed if u.sentence.index in draft.sentences]
    for own in (True, False):
        for unit in units:
            if (unit.sentence.index in draft.dated) != own:
                continue
            text, offset = unit.sentence.text, unit.sentence.start
            for mention in unit.mentions:
                if mention.kind == "city" and _placed(mention, text, offset, cues):
                    return mention.key
    return None


def _present(people: list, text: str, offset: int, before_cue, cues: MeetingCues) -> list:
    """Without the persons who spoke before the meeting ("before the meeting", "innan mötet": the whole
    sentence) or who stayed away ("Hegseth did not attend": the person named before the cue)."""
    if before_cue and cues.cue:
        for match in before_cue.finditer(text):
            following = cues.cue.search(text, match.end())
            if following and following.start() - match.end() <= 16:
                return []
    if cues.absent:
        for match in cues.absent.finditer(text):
            named_before = [p for p in people if p.end - offset <= match.start()]
            absent = named_before[-1] if named_before else (people[0] if people else None)
            people = [p for p in people if p.person != getattr(absent, "person", None)]
    return people


def _not_reported(people: list, text: str, offset: int, lexicon: Lexicon, cues: MeetingCues) -> list:
    """Without the persons a speaker talks about ("Umerov said that Trump wants a ceasefire ...
    the meeting"): after a complementiser only those followed by an attendance cue count ("said
    that Pistorius attended")."""
    opener = cues.complementiser.search(text) if cues.complementiser else None
    if opener is None:
        return people
    attendance = [p for p in (lexicon.pattern("attend"), lexicon.pattern("remote"), cues.at_meeting) if p]
    kept = []
    for person in people:
        start = person.start - offset
        if start < opener.start() or any(p.search(text, person.end - offset) for p in attendance):
            kept.append(person)
    return kept


def _plans(text: str, cues: MeetingCues) -> bool:
    """The sentence's own clause speaks of the future ("will be attended by"), not only what a speaker
    says after a complementiser ("said that the country will spend more in the coming years")."""
    coming = cues.upcoming.search(text) if cues.upcoming else None
    if coming is None:
        return False
    opener = cues.complementiser.search(text) if cues.complementiser else None
    return opener is None or coming.start() < opener.start()


def _not_modifiers(mentions: list, text: str, offset: int, cues: MeetingCues | None = None) -> list:
    """The person mentions that are not a modifier (:func:`_is_modifier`, :func:`_names_government`)
    nor lead into one: "Russian President Vladimir Putin's efforts" names Putin only as a modifier,
    the title's mention too."""
    modifiers = [m for m in mentions if _is_modifier(text, m.start - offset, m.end - offset)
                 or (cues is not None and _names_government(text, m.start - offset, m.end - offset, cues))]
    return [m for m in mentions if not any(
        o.person == m.person and m.start <= o.start < m.end + _TITLE_GAP for o in modifiers)]


def _is_modifier(text: str, start: int, end: int) -> bool:
    """A name used as a modifier: a genitive ("Trump's", "Pistorius'") or a compound's first part."""
    surface = text[start:end]
    if re.search(r"\w['’]s?$", surface):  # the genitive, not an elided article ("le chef de l'État")
        return True
    return end < len(text) and text[end : end + 1] in ("'", "’")


def _names_government(text: str, start: int, end: int, cues: MeetingCues) -> bool:
    """A name that only names a leader's government or term: "a Trump administration official",
    "administracji prezydenta USA Joe Bidena", "het kabinet-Schoof" (the lists ``name_modifier_before``
    and ``name_modifier_after`` of the meeting data)."""
    if cues.modifier_after and cues.modifier_after.match(text, end):
        return True
    return bool(cues.modifier_before and cues.modifier_before.search(text[max(0, start - 60) : start]))


def _placed(mention, text: str, offset: int, cues: MeetingCues) -> bool:
    """The city ``mention`` is where something happens: after a preposition (:func:`_is_place`) or,
    in a language of cases, in a locative form ("Brysselissä")."""
    surface = text[mention.start - offset : mention.end - offset]
    return _is_place(text[: mention.start - offset], cues) or (
        bool(cues.place_endings) and surface.lower().endswith(cues.place_endings))


def _is_place(before: str, cues: MeetingCues) -> bool:
    """A city is the meeting's place after a preposition ("in Brussels", "i Ramstein"), also with a
    venue noun between ("auf dem Stützpunkt bei Kaiserslautern", "på luftbasen Ramstein")."""
    if _PLACE_PREPOSITION.search(before) or (cues.city_preposition and cues.city_preposition.search(before)):
        return True
    lead = _VENUE_LEAD.search(before)
    return bool(lead and cues.venue and cues.venue.search(lead.group()))


def _chairs(
    text: str, offset: int, mentions: list, people: list, persons, cue, lexicon: Lexicon, cues: MeetingCues
) -> list[str]:
    """The countries chairing a meeting. A prepositional or passive cue names them after it ("chaired
    jointly by Germany and the United Kingdom", "unter dem Vorsitz von US-Verteidigungsminister Lloyd
    Austin", "under ledelse af den belgiske minister ..."); a verb or noun names them in the
    clause before it and in a coordination after it ("med Belgien och Polen som värdar",
    "Macron stod värd för mötet tillsammans med Storbritannien", "któremu przewodniczyli prezydent
    Francji ... i brytyjski premier ..."). Persons count with the country of their post."""
    actors = sorted(
        [(m.start - offset, m.end - offset, m.key) for m in mentions if m.kind == "country"]
        + [
            (p.start - offset, p.end - offset, _person_country(persons, p.person))
            for p in people
            if _person_country(persons, p.person)
        ]
    )
    chairs: list[str] = []
    position = cue.end()
    recipient = lexicon.default_recipient  # Ukraine is the guest, not the chair, of the aid formats
    for start, end, country in actors:
        if start < position:
            continue
        if country == recipient:
            break
        gap = text[position:start]
        if chairs and country == chairs[-1] and len(gap) <= 30 and not _CLAUSE_BREAK.search(gap):
            position = end  # the person after their country: "die Ministerin aus Ottawa"
            continue
        if chairs and not _CHAIR_COORDINATION.match(gap):
            break
        if not chairs and (len(gap) > _CHAIR_REACH or _CLAUSE_BREAK.search(gap)):
            break
        if country not in chairs:
            chairs.append(country)
        position = end
    words = cue.group().split()
    prepositional = cues.chair_preposition is not None and any(
        cues.chair_preposition.fullmatch(word) for word in (words[0], words[-1])
    )
    if prepositional:
        return chairs
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, cue.start())), default=0)
    subject = [
        country
        for start, end, country in actors
        if clause_start <= start and end <= cue.start() and country != recipient
    ]
    return list(dict.fromkeys([*subject, *chairs]))
