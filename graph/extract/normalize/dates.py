"""Dates in text, resolved against an anchor (the publication date), with their precision.

Each language file lists its date rules: ``{"id", "pattern", "resolve", "offset"?}``. A pattern is a regex
with placeholders ``{day}``, ``{month}``, ``{monthnum}``, ``{year}``, ``{weekday}``; a space matches any
whitespace and " ?" optional whitespace. ``resolve`` names one of the resolvers below:

    day_month             {day} {month|monthnum} [{year}]; without a year the year nearest the anchor
    month                 {month} [{year}]; without a year: this year if not after the anchor's month,
                          else last year
    month_last            "last {month}": the most recent such month strictly before the anchor's month
    year                  {year}
    days                  anchor + offset days ("yesterday": -1)
    weeks                 the ISO week anchor + offset weeks (an interval: only with include_weeks=True)
    months / years        the month / year anchor + offset
    weekday_on_or_before  "on Friday", "am Dienstag", "under fredagen": anchor itself if that weekday
    weekday_before        "last Friday", "am vergangenen Freitag", "i fredags": strictly before
    weekday_after         "next Friday", "på fredag": strictly after
    weekday_on_or_after   sv "i fredag": the coming one, or the anchor itself
    weekday_this_week     "this Friday", "ce vendredi": that day of the anchor's ISO week
    ignore                recognised but ambiguous (nb/da "i fredag"): no date rather than a guess

Overlapping matches: the one starting first wins, then the longest, then the earlier rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any

from graph.errors import InputError
from graph.extract.normalize.lexicon import alternation, canonical_code, fold, language, lower_same_length

_PLACEHOLDERS = {
    "{day}": r"(?P<day>0?[1-9]|[12]\d|3[01])",
    "{monthnum}": r"(?P<monthnum>0?[1-9]|1[0-2])",
    "{year}": r"(?P<year>(?:19|20)\d\d)",
}


@dataclass(frozen=True)
class DateMention:
    """A date in ``text[start:end]``: ``value`` is ISO with its precision ("2025-04-11" day,
    "2025-04" month, "2025" year; "2025-W15" week only when asked for), ``rule`` the rule id."""

    start: int
    end: int
    text: str
    value: str
    precision: str
    rule: str


@dataclass(frozen=True)
class _Rule:
    id: str
    pattern: re.Pattern[str]
    resolve: str
    offset: int
    needs: str                     # "names": every alternative has a weekday/month name; "year": a year;
    keywords: tuple[str, ...]      # else one literal per alternative: the rule runs near these only


@dataclass(frozen=True)
class _DateGrammar:
    rules: tuple[_Rule, ...]
    months: dict[str, int]
    weekdays: dict[str, int]
    names: re.Pattern[str]         # any weekday or month name: the rules that need one run near them


def _compile(pattern: str, months: str, weekdays: str) -> re.Pattern[str]:
    source = pattern.lower().replace(" ?", r"\s*").replace(" ", r"\s+")
    groups = {**_PLACEHOLDERS, "{month}": f"(?P<month>{months})", "{weekday}": f"(?P<weekday>{weekdays})"}
    for placeholder, group in groups.items():
        pieces = source.split(placeholder)
        # a placeholder used in two alternatives gets numbered group names: weekday, weekday_2, ...
        source = pieces[0] + "".join(
            (group if n == 1 else group.replace(">", f"_{n}>", 1)) + piece
            for n, piece in enumerate(pieces[1:], start=1))
    return re.compile(rf"(?<!\w)(?:{source})(?!\w)")


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, current, escaped = [], 0, [], False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _required_literal(alternative: str) -> str | None:
    """The longest run of letters outside any group (present in every match), if any."""
    outside, depth, escaped = [], 0, False
    # placeholders and optional letters ("Monats?") are not required
    for char in re.sub(r"\{\w+\}|[^\W\d_][?*]", " ", alternative):
        if escaped:
            escaped = False
            outside.append(" ")
            continue
        if char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        outside.append(char if depth == 0 and char.isalpha() else " ")
    words = "".join(outside).split()
    return max(words, key=len).lower() if words else None


def _gates(pattern: str) -> tuple[str, tuple[str, ...]]:
    alternatives = _top_level_alternatives(pattern)
    if all("{weekday}" in a or "{month}" in a for a in alternatives):
        return "names", ()
    if all("{year}" in a for a in alternatives):
        return "year", ()
    literals = [_required_literal(a) for a in alternatives]
    if any(literal is None for literal in literals):
        return "", ()  # no cheap gate: always run on the whole text
    return "keywords", tuple(sorted(set(literals)))


@cache
def _grammar(lang: str | None) -> _DateGrammar:
    lexicon = language(lang)
    full_months = lexicon.get("months", {})
    abbreviations = lexicon.get("month_abbreviations", {})
    month_names = "|".join(part for part in (
        alternation(list(full_months)), alternation(list(abbreviations), optional_dot=True)) if part)
    weekday_names = alternation(list(lexicon.get("weekdays", {})))
    rules = []
    for rule in lexicon.get("date_rules", []):
        if rule["resolve"] not in RESOLVERS:
            raise InputError(f"date rule {rule['id']} of language {lang}: unknown resolver "
                             f"{rule['resolve']!r}",
                             hint=f"fix graph/extract/normalize/data/{lang}.json: resolve is one of "
                                  f"{', '.join(sorted(RESOLVERS))}")
        needs, keywords = _gates(rule["pattern"])
        rules.append(_Rule(rule["id"], _compile(rule["pattern"], month_names, weekday_names), rule["resolve"],
                           int(rule.get("offset", 0)), needs, keywords))
    months = {fold(k): v for k, v in {**abbreviations, **full_months}.items()}
    weekdays = {fold(k): v for k, v in lexicon.get("weekdays", {}).items()}
    names = re.compile(rf"{month_names}|{weekday_names}")
    return _DateGrammar(rules=tuple(rules), months=months, weekdays=weekdays, names=names)


_WINDOW = 60  # characters around a weekday/month name that a date expression can reach


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def _windows(text: str, hits: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merged spans of ``_WINDOW`` characters around each hit, widened to word boundaries (so that
    the lookarounds at a span's edges see what they would see in the whole text)."""
    windows: list[tuple[int, int]] = []
    for hit_start, hit_end in sorted(hits):
        start = max(0, hit_start - _WINDOW)
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        end = min(len(text), hit_end + _WINDOW)
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


def _keyword_hits(text: str, keywords: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    for keyword in keywords:
        position = text.find(keyword)
        while position >= 0:
            yield position, position + len(keyword)
            position = text.find(keyword, position + 1)


def _group(match: re.Match[str], name: str) -> str | None:
    """The first non-empty group called ``name`` or ``name_<n>``."""
    for key, value in match.groupdict().items():
        if value and (key == name or key.startswith(name + "_")):
            return value
    return None


def _month_of(match: re.Match[str], grammar: _DateGrammar) -> int | None:
    number, name = _group(match, "monthnum"), _group(match, "month")
    if number:
        return int(number)
    if name:
        return grammar.months.get(fold(name).rstrip("."))
    return None


def _shift_month(year: int, month: int, offset: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + offset
    return index // 12, index % 12 + 1


def _nearest_year(day: int, month: int, anchor: date) -> date | None:
    candidates = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda d: abs((d - anchor).days), default=None)


def _resolve(rule: _Rule, match: re.Match[str], grammar: _DateGrammar, anchor: date | None
             ) -> tuple[str, str] | None:
    """(ISO value, precision) or None when the rule cannot give a date here."""
    year_text = _group(match, "year")
    year = int(year_text) if year_text else None
    kind = rule.resolve
    if kind == "ignore":
        return None
    if kind == "year":
        return (str(year), "year") if year else None
    if kind in ("day_month", "month", "month_last"):
        month = _month_of(match, grammar)
        if month is None:
            return None
        if kind == "day_month":
            day = int(_group(match, "day") or 0)
            try:
                resolved = date(year, month, day) if year else (
                    _nearest_year(day, month, anchor) if anchor else None)
            except ValueError:
                return None
            return (resolved.isoformat(), "day") if resolved else None
        if year is None:
            if anchor is None:
                return None
            later = month > anchor.month if kind == "month" else month >= anchor.month
            year = anchor.year - 1 if later else anchor.year
        return f"{year:04d}-{month:02d}", "month"
    if anchor is None:
        return None
    if kind.startswith("weekday_"):
        weekday = grammar.weekdays.get(fold(_group(match, "weekday") or ""))
        if weekday is None:
            return None
        return _WEEKDAY_RESOLVERS[kind](anchor, weekday).isoformat(), "day"
    if kind == "days":
        return (anchor + timedelta(days=rule.offset)).isoformat(), "day"
    if kind == "weeks":
        iso_year, iso_week, _ = (anchor + timedelta(weeks=rule.offset)).isocalendar()
        return f"{iso_year:04d}-W{iso_week:02d}", "week"
    if kind == "months":
        y, m = _shift_month(anchor.year, anchor.month, rule.offset)
        return f"{y:04d}-{m:02d}", "month"
    if kind == "years":
        return f"{anchor.year + rule.offset:04d}", "year"
    raise AssertionError(f"resolver {kind!r} of rule {rule.id} passed the check in _grammar")


_WEEKDAY_RESOLVERS: dict[str, Callable[[date, int], date]] = {
    "weekday_on_or_before": lambda a, w: a - timedelta(days=(a.weekday() - w) % 7),
    "weekday_before": lambda a, w: a - timedelta(days=(a.weekday() - w - 1) % 7 + 1),
    "weekday_after": lambda a, w: a + timedelta(days=(w - a.weekday() - 1) % 7 + 1),
    "weekday_on_or_after": lambda a, w: a + timedelta(days=(w - a.weekday()) % 7),
    "weekday_this_week": lambda a, w: a + timedelta(days=w - a.weekday()),
    # "on Tuesday last week", "am Dienstag vergangener Woche": that weekday of the week before / after
    "weekday_last_week": lambda a, w: a + timedelta(days=w - a.weekday() - 7),
    "weekday_next_week": lambda a, w: a + timedelta(days=w - a.weekday() + 7),
}
#: every ``resolve`` a date rule may name
RESOLVERS = frozenset({"ignore", "year", "day_month", "month", "month_last", "days", "weeks", "months",
                       "years", *_WEEKDAY_RESOLVERS})


def find_dates(text: str, lang: str | None, anchor: date | None, *, include_weeks: bool = False
               ) -> list[DateMention]:
    """All dates in ``text`` (offsets relative to ``text``), resolved against ``anchor``.

    Only specific days, months and years are returned; week references ("last week") only with
    ``include_weeks=True`` (value "2025-W15", precision "week"). Without an anchor only dates that
    carry their own year are resolved."""
    return list(_find_dates(text, canonical_code(lang), anchor, include_weeks))


def assumes_past(lang: str | None, rule_id: str) -> bool:
    """Whether the date rule ``rule_id`` resolves an open expression to the past ("on Friday" -> the
    last Friday): a sentence about the future may move such a day a week on."""
    grammar = _grammar(canonical_code(lang))
    return any(rule.id == rule_id and rule.resolve == "weekday_on_or_before" for rule in grammar.rules)


@lru_cache(maxsize=256)
def _candidates(text: str, lang: str) -> tuple[tuple[_Rule, re.Match[str]], ...]:
    """The selected rule matches of ``text`` (lower-cased): leftmost, then longest, then first rule.
    They do not depend on the anchor, so money/quantity finders can reuse the spans."""
    grammar = _grammar(lang)
    name_windows = _windows(text, (m.span() for m in grammar.names.finditer(text)))
    year_windows = _windows(text, (m.span() for m in _YEAR.finditer(text)))
    found: list[tuple[int, int, int, _Rule, re.Match[str]]] = []
    for order, rule in enumerate(grammar.rules):
        if rule.needs == "names":
            spans = name_windows
        elif rule.needs == "year":
            spans = year_windows
        elif rule.needs == "keywords":
            spans = _windows(text, _keyword_hits(text, rule.keywords))
        else:
            spans = [(0, len(text))]
        for start, end in spans:
            for match in rule.pattern.finditer(text, start, end):
                if match.end() > match.start():
                    found.append((match.start(), -(match.end() - match.start()), order, rule, match))
    found.sort(key=lambda c: c[:3])
    selected, covered_until = [], -1
    for start, _, _, rule, match in found:
        if start >= covered_until:
            selected.append((rule, match))
            covered_until = match.end()
    return tuple(selected)


def date_spans(text: str, lang: str | None) -> list[tuple[int, int]]:
    """The spans of every date expression in ``text``, resolvable or not (no anchor needed)."""
    return [match.span() for _, match in _candidates(lower_same_length(text), canonical_code(lang))]


@lru_cache(maxsize=256)
def _find_dates(original: str, lang: str, anchor: date | None, include_weeks: bool
                ) -> tuple[DateMention, ...]:
    grammar = _grammar(lang)
    mentions = []
    for rule, match in _candidates(lower_same_length(original), lang):
        resolved = _resolve(rule, match, grammar, anchor)
        if resolved is None:
            continue
        value, precision = resolved
        if precision == "week" and not include_weeks:
            continue
        start, end = match.span()
        mentions.append(DateMention(start, end, original[start:end], value, precision, rule.id))
    return tuple(mentions)


def rule_ids(lang: str | None) -> list[str]:
    """The ids of the date rules of ``lang`` (including the language-independent ones)."""
    return [rule.id for rule in _grammar(lang).rules]


def describe(lang: str | None) -> dict[str, Any]:
    """A summary of the date knowledge of ``lang`` (for diagnostics)."""
    grammar = _grammar(lang)
    return {"rules": len(grammar.rules), "months": len(grammar.months), "weekdays": len(grammar.weekdays)}
