"""Counts of things: a number (digits or words, optionally with a magnitude word) right before a word.

    "six new IRIS-T systems" -> 6     "1,100 drones" (en) -> 1100     "zwei Systeme" -> 2
    "two million shells" -> 2000000    "hundreds of thousands" -> nothing (vague)

Years, dates, money, percentages and durations are not quantities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from graph.extract.normalize.lexicon import alternation, fold, language, lower_same_length
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
    unit_magnitudes: dict[str, float]
    vague: frozenset[str]  # "une douzaine", "una decina": approximate, no count
    vague_before: re.Pattern[str]  # a vague word before a count: "mehrere Zehntausend"
    range_pattern: re.Pattern[str]  # "80-90 tysięcy", "10–12 tanks": the lower bound counts
    agent_phrase: re.Pattern[str] | None = None  # "18 von Deutschland zugesagten ...": a count all the same


@cache
def _grammar(lang: str | None) -> _QuantityGrammar:
    """The count pattern of ``lang``: digits or number words; "a"/"one" or a fraction ("half a",
    "mezzo", "pół") before a magnitude word; a magnitude word that counts one on its own
    (``unit_magnitudes``: "milion pocisków"); after a magnitude, the ``magnitude_connectors`` that
    lead to the noun ("un milione di proiettili", "un million d'obus") belong to the count."""
    lexicon = language(lang)
    numbers = grammar(lang)
    magnitude = numbers.magnitude_words
    units = {fold(w): numbers.magnitudes[fold(w)] for w in lexicon.get("unit_magnitudes", [])
             if fold(w) in numbers.magnitudes}
    one = rf"(?:{numbers.one_words})(?=[\s-]+(?:{magnitude})(?!\w))" if numbers.ones else r"(?!x)x"
    connector = rf"\s+(?:{alternation(lexicon.get('magnitude_connectors', []))})(?:(?<=['’])|(?=\s))"
    ones = rf"(?:(?:{numbers.one_words})\s+)?" if numbers.ones else ""
    half = (rf"(?P<half>{ones}(?:{alternation(list(numbers.fractions))})(?:\s+(?:{numbers.one_words}))?)"
            rf"[\s-]+(?P<mult>{alternation(list(numbers.multipliers))})(?!\w)"
            if numbers.fractions and numbers.multipliers else r"(?P<half>(?!x)x)(?P<mult>(?!x)x)")
    pattern = re.compile(
        rf"(?<![\w.,\-/–])(?:{half}|(?P<num>{numbers.digits}|{numbers.fraction}|{one}|{numbers.words})"
        rf"(?:[\s-]+(?P<mag>{magnitude})(?!\w))?|(?P<unit>{alternation(list(units))})(?!\w))"
        rf"(?P<conn>{connector})?"
        rf"(?=(?:\s+|(?<=['’]))(?P<next>[^\W\d_][\w'’\-]*))",
    )
    blocked = set()
    for key in ("quantity_stop_words", "months", "month_abbreviations", "weekdays", "currency_names",
                "magnitudes", "short_magnitudes", "vague_numbers"):
        blocked.update(fold(word) for word in lexicon.get(key, []))
    blocked.update(fold(code) for code in lexicon.get("currency_codes", []))
    vague_words = lexicon.get("vague_numbers", [])
    vague_before = re.compile(rf"(?<!\w)(?:{alternation(vague_words)})\s+$" if vague_words else r"(?!x)x")
    ranged = re.compile(
        rf"(?<![\w.,\-/–])(?P<low>{numbers.digits})\s?[-–]\s?(?P<high>{numbers.digits})"
        rf"(?:[\s-]+(?P<mag>{magnitude})(?!\w))?(?=\s+(?P<next>[^\W\d_][\w'’\-]*))")
    return _QuantityGrammar(pattern=pattern, blocked_next_words=frozenset(blocked), unit_magnitudes=units,
                            vague=frozenset(fold(w) for w in vague_words), vague_before=vague_before,
                            range_pattern=ranged, agent_phrase=_agent_phrase(lexicon))


def _agent_phrase(lexicon) -> re.Pattern[str] | None:
    """A stop word that opens a participle phrase with its agent (``quantity_agent_words``: "18 von
    Deutschland zugesagten Leopard", "10 av Sverige utlovade CV90"): one to four words, no digit and no
    clause mark, then a word; the count stands (the item step decides what it counts)."""
    words = lexicon.get("quantity_agent_words", [])
    if not words:
        return None
    return re.compile(rf"\s+(?:{alternation(words)})\s+(?:[^\W\d_]+(?:[-'’][^\W\d_]+)*\s+){{1,4}}[^\W\d_]")


def _opens_agent_phrase(lowered: str, match: re.Match[str], quantities: _QuantityGrammar) -> bool:
    agent = quantities.agent_phrase
    return agent is not None and agent.match(lowered, match.end()) is not None


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
    taken_spans = [(m.start, m.end) for m in find_money(text, lang)] + list(date_spans(text, lang))
    taken = _TakenSpans(taken_spans)
    mentions = []
    lowered = lower_same_length(text)
    for match in quantities.pattern.finditer(lowered):
        number, next_word = match.group("num"), match.group("next")
        if match.group("half"):  # "half a dozen", "ett halvt dussin"
            fraction = number_value(match.group("half"), None, lang)
            multiple = grammar(lang).word_values.get(fold(match.group("mult")))
            number, value = "", (fraction * multiple if fraction and multiple else None)
        elif number is None:  # a magnitude word alone: "milion pocisków"
            number, value = "", quantities.unit_magnitudes.get(fold(match.group("unit")))
        elif match.group("mag") and fold(number) in grammar(lang).ones:  # "a million", "un milione"
            value = number_value("1", match.group("mag"), lang)
        else:
            value = None
        if _is_year(number) or (fold(next_word) in quantities.blocked_next_words
                                and not _opens_agent_phrase(lowered, match, quantities)):
            continue
        if fold(" ".join(filter(None, (number, match.group("mag"))))) in quantities.vague:
            continue
        if match.group("conn") and not _ends_in_multiple(match, lang):
            continue  # "20 de los tanques": a connector follows only a magnitude or "dozen"
        if taken.overlaps(match.start(), match.end()):
            continue
        if quantities.vague_before.search(lowered, max(0, match.start() - 30), match.start()):
            continue  # "mehrere Zehntausend Schuss", "several hundred drones": no count
        if value is None:
            value = number_value(number, match.group("mag"), lang) if number else None
        if value is None and number and not number[:1].isdigit():
            mention = _after_conjunction(lowered, text, match, lang)
            if mention is not None:
                mentions.append(mention)
            continue
        if value is None or value <= 0 or value != int(value):
            continue
        start, end = match.span()
        if lowered[end - 1] in "'’":  # an elided connector goes with the noun: "un million d'obus"
            end = lowered.rfind(" ", start, end)
        mentions.append(QuantityMention(start, end, text[start:end], int(value)))
    mentions.extend(_ranges(text, lowered, lang, taken_spans))
    return sorted(mentions, key=lambda m: m.start)


def _ranges(text: str, lowered: str, lang: str | None, taken: list[tuple[int, int]]) -> list[QuantityMention]:
    """A range of digit counts ("80-90 tysięcy żołnierzy", "10–12 tanks") counts its lower bound."""
    quantities = _grammar(lang)
    found = []
    for match in quantities.range_pattern.finditer(lowered):
        low, high = match.group("low"), match.group("high")
        if _is_year(low) or _is_year(high) or fold(match.group("next")) in quantities.blocked_next_words:
            continue
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        low_value, high_value = number_value(low, None, lang), number_value(high, None, lang)
        if low_value is None or high_value is None or not 0 < low_value < high_value:
            continue
        value = number_value(low, match.group("mag"), lang)
        if value is None or value != int(value):
            continue
        found.append(QuantityMention(match.start(), match.end(), text[match.start():match.end()], int(value)))
    return found


def _ends_in_multiple(match: re.Match[str], lang: str | None) -> bool:
    """The count ends with a magnitude or multiplier word ("milione", "dozzine"), which a
    connector may follow ("due dozzine di carri")."""
    if match.group("mag") or match.group("unit") or match.group("mult"):
        return True
    words = (match.group("num") or "").split()
    return bool(words) and fold(words[-1]) in grammar(lang).multipliers


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
