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


class _TakenSpans:
    """Spans already taken by money and dates, asked in text order: ``overlaps(start, end)`` walks
    forward through the merged spans, so a whole text costs one pass (``steps`` counts the work)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.spans = merged
        self.index = 0
        self.steps = 0

    def overlaps(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` overlaps a taken span; calls must come with growing ``start``."""
        while self.index < len(self.spans) and self.spans[self.index][1] <= start:
            self.index += 1
            self.steps += 1
        self.steps += 1
        return self.index < len(self.spans) and self.spans[self.index][0] < end


def find_quantities(text: str, lang: str | None) -> list[QuantityMention]:
    """All counts in ``text`` (offsets relative to ``text``), in text order; linear in the text."""
    from graph.extract.normalize.dates import date_spans  # dates import nothing from here

    quantities = _grammar(lang)
    taken = _TakenSpans([(m.start, m.end) for m in find_money(text, lang)] + list(date_spans(text, lang)))
    mentions = []
    lowered = lower_same_length(text)
    for match in quantities.pattern.finditer(lowered):
        number, next_word = match.group("num"), match.group("next")
        if _is_year(number) or fold(next_word) in quantities.blocked_next_words:
            continue
        if taken.overlaps(match.start(), match.end()):
            continue
        value = number_value(number, match.group("mag"), lang)
        if value is None and not number[:1].isdigit():
            mention = _after_conjunction(lowered, text, match, lang)
            if mention is not None:
                mentions.append(mention)
            continue
        if value is None or value <= 0 or value != int(value):
            continue
        start, end = match.span()
        mentions.append(QuantityMention(start, end, text[start:end], int(value)))
    return mentions


def _after_conjunction(
    lowered: str, text: str, match: re.Match[str], lang: str | None
) -> QuantityMention | None:
    """"two and three drones" is no number, but "three drones" is: the words after the last word
    conjunction of a phrase that does not parse, when they do."""
    numbers = grammar(lang)
    phrase = match.group("num")
    words = list(re.finditer(r"\S+", phrase))
    cut = max((w.end() for w in words[:-1] if fold(w.group()) in numbers.conjunctions), default=None)
    if cut is None:
        return None
    rest = phrase[cut:]
    offset = match.start("num") + cut + (len(rest) - len(rest.lstrip()))
    value = number_value(rest.strip(), match.group("mag"), lang)
    if value is None or value <= 0 or value != int(value):
        return None
    end = match.end()
    return QuantityMention(offset, end, text[offset:end], int(value))
