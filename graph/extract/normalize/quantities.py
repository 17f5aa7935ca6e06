"""Counts of things: a number (digits or words, optionally with a magnitude word) right before a word.

    "six new IRIS-T systems" -> 6     "1,100 drones" (en) -> 1100     "zwei Systeme" -> 2
    "two million shells" -> 2000000    "hundreds of thousands" -> nothing (vague)

Years, dates, money, percentages and durations are not quantities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from graph.extract.normalize.lexicon import fold, language, lower_same_length
from graph.extract.normalize.money import find_money
from graph.extract.normalize.numbers import grammar, number_value


@dataclass(frozen=True)
class QuantityMention:
    """A count in ``text[start:end]`` with its integer ``value``."""

    start: int
    end: int
    text: str
    value: int


@dataclass(frozen=True)
class _QuantityGrammar:
    pattern: re.Pattern[str]
    blocked_next_words: frozenset[str]


@cache
def _grammar(lang: str | None) -> _QuantityGrammar:
    lexicon = language(lang)
    numbers = grammar(lang)
    pattern = re.compile(
        rf"(?<![\w.,\-/–])(?P<num>{numbers.digits}|{numbers.words})"
        rf"(?:\s+(?P<mag>{numbers.magnitude_words})(?!\w))?"
        rf"(?=\s+(?P<next>[^\W\d_][\w'’\-]*))",
    )
    blocked = set()
    for key in ("quantity_stop_words", "months", "month_abbreviations", "weekdays", "currency_names",
                "magnitudes", "short_magnitudes", "vague_numbers"):
        blocked.update(fold(word) for word in lexicon.get(key, []))
    blocked.update(fold(code) for code in lexicon.get("currency_codes", []))
    return _QuantityGrammar(pattern=pattern, blocked_next_words=frozenset(blocked))


def _is_year(number: str) -> bool:
    return number.isdigit() and len(number) == 4 and 1900 <= int(number) <= 2100


def spans_overlap(spans: list[tuple[int, int]]):
    """A test whether [start, end) overlaps one of ``spans``, in logarithmic time (sorted starts and
    the running maximum of the ends), so that checking every match of a text stays linear."""
    import bisect

    ordered = sorted(spans)
    starts = [s for s, _ in ordered]
    reach, furthest = [], -1
    for _, end in ordered:
        furthest = max(furthest, end)
        reach.append(furthest)

    def overlaps(start: int, end: int) -> bool:
        i = bisect.bisect_left(starts, end) - 1  # the spans that start before ``end``
        return i >= 0 and reach[i] > start

    return overlaps


def find_quantities(text: str, lang: str | None) -> list[QuantityMention]:
    """All counts in ``text`` (offsets relative to ``text``), in text order."""
    from graph.extract.normalize.dates import date_spans  # dates import nothing from here

    quantities = _grammar(lang)
    taken = [(m.start, m.end) for m in find_money(text, lang)]
    taken += date_spans(text, lang)
    overlaps = spans_overlap(taken)
    mentions = []
    for match in quantities.pattern.finditer(lower_same_length(text)):
        number, next_word = match.group("num"), match.group("next")
        if _is_year(number) or fold(next_word) in quantities.blocked_next_words:
            continue
        if overlaps(match.start(), match.end()):
            continue
        value = number_value(number, match.group("mag"), lang)
        if value is None or value <= 0 or value != int(value):
            continue
        start, end = match.span()
        mentions.append(QuantityMention(start, end, text[start:end], int(value)))
    return mentions
