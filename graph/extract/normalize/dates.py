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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from graph.extract.normalize.lexicon import alternation, fold, language

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


@dataclass(frozen=True)
class _DateGrammar:
    rules: tuple[_Rule, ...]
    months: dict[str, int]
    weekdays: dict[str, int]


def _compile(pattern: str, months: str, weekdays: str) -> re.Pattern[str]:
    source = pattern.replace(" ?", r"\s*").replace(" ", r"\s+")
    groups = {**_PLACEHOLDERS, "{month}": f"(?P<month>{months})", "{weekday}": f"(?P<weekday>{weekdays})"}
    for placeholder, group in groups.items():
        pieces = source.split(placeholder)
        # a placeholder used in two alternatives gets numbered group names: weekday, weekday_2, ...
        source = pieces[0] + "".join(
            (group if n == 1 else group.replace(">", f"_{n}>", 1)) + piece
            for n, piece in enumerate(pieces[1:], start=1))
    return re.compile(rf"(?<!\w)(?:{source})(?!\w)", re.IGNORECASE)


def _group(match: re.Match[str], name: str) -> str | None:
    """The first non-empty group called ``name`` or ``name_<n>``."""
    for key, value in match.groupdict().items():
        if value and (key == name or key.startswith(name + "_")):
            return value
    return None


@cache
def _grammar(lang: str | None) -> _DateGrammar:
    lexicon = language(lang)
    full_months = lexicon.get("months", {})
    abbreviations = lexicon.get("month_abbreviations", {})
    month_names = "|".join(part for part in (
        alternation(list(full_months)), alternation(list(abbreviations), optional_dot=True)) if part)
    weekday_names = alternation(list(lexicon.get("weekdays", {})))
    rules = tuple(
        _Rule(rule["id"], _compile(rule["pattern"], month_names, weekday_names), rule["resolve"],
              int(rule.get("offset", 0)))
        for rule in lexicon.get("date_rules", [])
    )
    months = {fold(k): v for k, v in {**abbreviations, **full_months}.items()}
    weekdays = {fold(k): v for k, v in lexicon.get("weekdays", {}).items()}
    return _DateGrammar(rules=rules, months=months, weekdays=weekdays)


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
    raise ValueError(f"unknown date resolver {kind!r} in rule {rule.id}")


_WEEKDAY_RESOLVERS: dict[str, Callable[[date, int], date]] = {
    "weekday_on_or_before": lambda a, w: a - timedelta(days=(a.weekday() - w) % 7),
    "weekday_before": lambda a, w: a - timedelta(days=(a.weekday() - w - 1) % 7 + 1),
    "weekday_after": lambda a, w: a + timedelta(days=(w - a.weekday() - 1) % 7 + 1),
    "weekday_on_or_after": lambda a, w: a + timedelta(days=(w - a.weekday()) % 7),
    "weekday_this_week": lambda a, w: a + timedelta(days=w - a.weekday()),
}


def find_dates(text: str, lang: str | None, anchor: date | None, *, include_weeks: bool = False
               ) -> list[DateMention]:
    """All dates in ``text`` (offsets relative to ``text``), resolved against ``anchor``.

    Only specific days, months and years are returned; week references ("last week") only with
    ``include_weeks=True`` (value "2025-W15", precision "week"). Without an anchor only dates that
    carry their own year are resolved."""
    grammar = _grammar(lang)
    candidates: list[tuple[int, int, int, _Rule, re.Match[str]]] = []
    for order, rule in enumerate(grammar.rules):
        for match in rule.pattern.finditer(text):
            if match.end() > match.start():
                candidates.append((match.start(), -(match.end() - match.start()), order, rule, match))
    candidates.sort(key=lambda c: c[:3])
    mentions, covered_until = [], -1
    for start, _, _, rule, match in candidates:
        if start < covered_until:
            continue
        covered_until = match.end()
        resolved = _resolve(rule, match, grammar, anchor)
        if resolved is None:
            continue
        value, precision = resolved
        if precision == "week" and not include_weeks:
            continue
        mentions.append(DateMention(start, match.end(), match.group(0), value, precision, rule.id))
    return mentions


def rule_ids(lang: str | None) -> list[str]:
    """The ids of the date rules of ``lang`` (including the language-independent ones)."""
    return [rule.id for rule in _grammar(lang).rules]


def describe(lang: str | None) -> dict[str, Any]:
    """A summary of the date knowledge of ``lang`` (for diagnostics)."""
    grammar = _grammar(lang)
    return {"rules": len(grammar.rules), "months": len(grammar.months), "weekdays": len(grammar.weekdays)}
