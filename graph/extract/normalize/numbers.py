"""Numbers written with digits (language-specific decimal and group separators) or with words.

    parse_number("1,100", "en") -> 1100.0      parse_number("1,5", "de") -> 1.5
    parse_number("1 500", "sv") -> 1500.0      parse_number("1.500", "de") -> 1500.0
    parse_number("zwei", "de") -> 2.0          parse_number("4,5 Milliarden", "de") -> 4.5e9
    parse_number("tjugofem", "sv") -> 25.0     parse_number("quatre-vingt-dix", "fr") -> 90.0
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from graph.extract.normalize.lexicon import alternation, fold, language

_SPACES = " \u00a0\u202f\u2009"
_HYPHENS = frozenset({"-", "‐", "–"})  # hyphens join the parts of a number word ("twenty-five")


@dataclass(frozen=True)
class NumberGrammar:
    """Compiled number knowledge of one language."""

    digits: str                      # regex source of a digit number (no groups)
    words: str                       # regex source of a phrase of number words (no groups)
    word_values: dict[str, int]      # folded number word -> value
    one_words: str                   # regex source of "a"/"one"/"ein"... (only meaningful before a magnitude)
    magnitudes: dict[str, float]     # folded magnitude word -> factor
    magnitude_words: str             # regex source of the magnitude words
    short_magnitudes: dict[str, float]
    short_magnitude_words: str
    word_pattern: re.Pattern[str]    # one number word, for splitting a phrase
    number_pattern: re.Pattern[str]  # a whole number (digits or words), optionally with a magnitude
    pieces: dict[str, int] = field(default_factory=dict)  # parts of one-word compounds ("drei", "ein")
    joiner_pieces: frozenset[str] = frozenset()  # "und" in "fünfundzwanzig", "og" in "femogtyve"
    multipliers: frozenset[str] = frozenset()    # words that multiply what precedes (hundred, dozen)
    conjunctions: frozenset[str] = frozenset()   # joiners that are words ("and" in "hundred and forty")
    ones: frozenset[str] = frozenset()           # folded one_words
    fractions: dict[str, float] = field(default_factory=dict)  # "halv" -> 0.5 (before a magnitude)
    fraction: str = r"(?!x)x"        # regex source of "en halv" / "half a" right before a magnitude word
    fraction_joiner: re.Pattern[str] | None = None  # "og" of "to og en halv milliard" (whole + fraction)
    segments: dict[str, tuple[tuple[int, bool], ...] | None] = field(default_factory=dict, compare=False)


def _word_values(data: dict) -> dict[str, int]:
    return {fold(word): int(value) for word, value in data.get("number_words", {}).items()}


@cache
def grammar(lang: str | None) -> NumberGrammar:
    """The compiled number grammar of ``lang`` (cached per language).

    Number words come from ``number_words``; a word written as one compound ("dreihundertfünfzig",
    "tjugofem", "femogtyve") is split into number words, ``compound_units`` (words that count only
    inside a compound: "ein", "ett") and ``compound_joiners`` ("und", "og"). ``multiplier_words`` (and
    every word worth 100) multiply the number before them ("zwei Dutzend" = 24, "tre hundra" = 300);
    ``number_word_joiners`` that are words ("and", "og") join only a smaller number to a larger one
    ("one hundred and forty"). ``fraction_words`` ("halv", "half") count only before a magnitude."""
    lexicon = language(lang)
    group_chars = "".join(sorted(set(lexicon.group_separators) | {",", "."}))
    group_class = "[" + re.escape(group_chars) + "]"
    digits = rf"\d{{1,3}}(?:{group_class}\d{{3}})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?(?!\d)"
    word_values = _word_values(lexicon.data)
    pieces = {**{fold(w): int(v) for w, v in lexicon.get("compound_units", {}).items()}, **word_values}
    joiner_pieces = frozenset(fold(w) for w in lexicon.get("compound_joiners", []))
    piece = alternation(list(pieces))
    inner = rf"(?:{alternation(list(joiner_pieces))})?" if joiner_pieces else ""
    one_word = rf"(?:{piece})(?:{inner}(?:{piece}))*"
    joiner_list = lexicon.get("number_word_joiners", [" "])
    joiners = alternation(joiner_list)
    ones = frozenset(fold(w) for w in lexicon.get("one_words", []))
    hundreds = [word for word, value in word_values.items() if value == 100]
    multipliers = frozenset([fold(w) for w in lexicon.get("multiplier_words", [])] + hundreds)
    one_before = alternation(list(ones))
    multiplier_words = alternation(list(multipliers))
    lead = rf"(?:(?:{one_before})\s+(?=(?:{multiplier_words})(?!\w)))?" if ones and multipliers else ""
    words = rf"{lead}{one_word}(?:(?:{joiners}){one_word})*(?!\w)" if word_values else r"(?!x)x"
    magnitudes = {fold(k): float(v) for k, v in lexicon.get("magnitudes", {}).items()}
    short = {fold(k): float(v) for k, v in lexicon.get("short_magnitudes", {}).items()}
    magnitude_words = alternation(list(magnitudes))
    fractions = {fold(k): float(v) for k, v in lexicon.get("fraction_words", {}).items()}
    # a whole number may stand before the fraction: "to og en halv milliard", "two and a half billion"
    fraction_joiners = alternation(lexicon.get("fraction_joiners", []))
    whole = (rf"(?:(?:{digits}|{one_word})\s+(?:{fraction_joiners})\s+)?"
             if fraction_joiners and word_values else "")
    fraction = (rf"{whole}(?:(?:{one_before})\s+)?(?:{alternation(list(fractions))})(?:\s+(?:{one_before}))?"
                rf"(?=[\s-]*(?:{magnitude_words})(?!\w))") if fractions else r"(?!x)x"
    number = rf"(?P<num>{digits}|{fraction}|{words})(?:[\s-]*(?P<mag>{magnitude_words})(?!\w))?"
    return NumberGrammar(
        digits=digits,
        words=words,
        word_values=word_values,
        one_words=one_before,
        magnitudes=magnitudes,
        magnitude_words=magnitude_words,
        short_magnitudes=short,
        short_magnitude_words=alternation(list(short)),
        word_pattern=re.compile(rf"(?<!\w)(?:{alternation(list(pieces))})(?!\w)"),
        number_pattern=re.compile(rf"^\s*(?:{number})\s*$"),
        pieces=pieces,
        joiner_pieces=joiner_pieces,
        multipliers=multipliers,
        conjunctions=frozenset(fold(j) for j in joiner_list if any(c.isalpha() for c in j)),
        ones=ones,
        fractions=fractions,
        fraction=fraction,
        fraction_joiner=re.compile(rf"\s+(?:{fraction_joiners})\s+") if fraction_joiners else None,
    )


def parse_digits(token: str, lang: str | None) -> float | None:
    """The value of a digit number such as ``1,100`` / ``1.500`` / ``1 500`` / ``4,5`` read the way
    ``lang`` writes numbers; None if the token is not a well-formed number."""
    text = token.strip()
    for space in _SPACES + "'’":
        text = text.replace(space, "")
    if not text or not re.fullmatch(r"\d+(?:[.,]\d+)*", text):
        return None
    decimal = language(lang).decimal_separator
    has_dot, has_comma = "." in text, "," in text
    if has_dot and has_comma:
        decimal_char = "." if text.rfind(".") > text.rfind(",") else ","
        group_char = "," if decimal_char == "." else "."
        if text.count(decimal_char) > 1:
            return None
        integer, fraction = text.split(decimal_char)
        if not _is_grouped(integer.split(group_char)):
            return None
        return float(integer.replace(group_char, "") + "." + fraction)
    if has_dot or has_comma:
        separator = "." if has_dot else ","
        parts = text.split(separator)
        if len(parts) > 2:
            return float("".join(parts)) if _is_grouped(parts) else None
        if separator == decimal or not _is_grouped(parts):
            return float(parts[0] + "." + parts[1])
        return float(parts[0] + parts[1])
    return float(text)


def _is_grouped(parts: list[str]) -> bool:
    return 1 <= len(parts[0]) <= 3 and all(len(part) == 3 for part in parts[1:])


def parse_words(phrase: str, lang: str | None) -> float | None:
    """The value of a phrase of number words (``twenty-five``, ``zwei Dutzend``, ``dreihundertfünfzig``,
    ``one hundred and forty``, ``dwadzieścia pięć``); None when it is not a well-formed number."""
    numbers = grammar(lang)
    tokens = fold(phrase).split()
    if not tokens:
        return None
    if len(tokens) <= 3 and any(t in numbers.fractions for t in tokens):  # "en halv", "half a"
        fraction = [numbers.fractions[t] for t in tokens if t in numbers.fractions]
        others_are_ones = all(t in numbers.fractions or t in numbers.ones for t in tokens)
        return fraction[0] if len(fraction) == 1 and others_are_ones else None
    values: list[tuple[int, bool, bool]] = []  # (value, multiplies, a word conjunction came before it)
    after_conjunction = False
    for index, token in enumerate(tokens):
        if token in numbers.conjunctions and values:
            after_conjunction = True
            continue
        if index == 0 and token in numbers.ones and len(tokens) > 1 and tokens[1] in numbers.multipliers:
            values.append((1, False, False))
            continue
        parts = _split_compound(token, numbers)
        if parts is None:
            return None
        values.extend((value, multiplies, after_conjunction and k == 0)
                      for k, (value, multiplies) in enumerate(parts))
        after_conjunction = False
    return _evaluate(values) if values else None


def _split_compound(word: str, numbers: NumberGrammar) -> list[tuple[int, bool]] | None:
    """``(value, multiplies)`` of the number words ``word`` is made of ("dreihundertfünfzig" -> 3,
    hundert, 50); a number word is one part. None when it is no compound of number words."""
    if word in numbers.word_values:
        return [(numbers.word_values[word], word in numbers.multipliers)]
    if word not in numbers.segments:
        split = _segments(word, numbers.pieces, numbers.joiner_pieces | _HYPHENS)
        numbers.segments[word] = None if split is None else tuple(
            (numbers.pieces[part], part in numbers.multipliers) for part in split)
    parts = numbers.segments[word]
    return list(parts) if parts is not None and len(parts) >= 2 else None


def _segments(word: str, pieces: dict[str, int], joiners: frozenset[str]) -> tuple[str, ...] | None:
    """Split ``word`` into number words (longest first) with optional joiners between them."""
    best: dict[int, tuple[str, ...] | None] = {len(word): ()}
    for start in range(len(word) - 1, -1, -1):
        found = None
        for end in range(len(word), start, -1):
            part, rest = word[start:end], best.get(end)
            if rest is None:
                continue
            if part in pieces:
                found = (part, *rest)
            elif part in joiners and start > 0 and rest:
                found = rest
            if found is not None:
                break
        best[start] = found
    return best[0]


def _evaluate(values: list[tuple[int, bool, bool]]) -> int | None:
    """Add and multiply the parts of a number: a multiplying part (hundred, dozen) multiplies the group
    before it, a part of 1000 or more closes a group; a part after a word conjunction must be smaller
    than the part before it ("hundred and forty", not "two and three")."""
    total = done = pending = 0
    previous = None
    for value, multiplies, after_conjunction in values:
        if after_conjunction and not _joins(previous, value):
            return None
        if multiplies:
            done += (pending or 1) * value
            pending = 0
        elif value >= 1000:
            total += ((done + pending) or 1) * value
            done = pending = 0
        else:
            pending += value
        previous = value
    return total + done + pending


def _joins(previous: int | None, value: int) -> bool:
    """"and" joins a smaller number to a hundred or thousand, or units and tens ("fem og tyve")."""
    if previous is None:
        return False
    if previous >= 100:
        return value < previous
    tens = 20 <= previous <= 90 and previous % 10 == 0
    return (tens and value < 10) or (previous < 10 and 20 <= value <= 90 and value % 10 == 0)


def number_value(number: str, magnitude: str | None, lang: str | None) -> float | None:
    """The value of a matched number (digits or words) times its magnitude word, if any."""
    value = _whole_and_fraction(number, lang)
    if value is None:
        value = parse_digits(number, lang) if number[:1].isdigit() else parse_words(number, lang)
    if value is None:
        return None
    if magnitude:
        numbers = grammar(lang)
        key = fold(magnitude)
        factor = numbers.magnitudes.get(key) or numbers.short_magnitudes.get(key)
        if factor is None:
            return None
        value *= factor
    return float(value)


def _whole_and_fraction(number: str, lang: str | None) -> float | None:
    """"to og en halv" -> 2.5, "2 and a half" -> 2.5; None when ``number`` is not of that form."""
    numbers = grammar(lang)
    if numbers.fraction_joiner is None:
        return None
    parts = numbers.fraction_joiner.split(fold(number), maxsplit=1)
    if len(parts) != 2 or not any(t in numbers.fractions for t in parts[1].split()):
        return None
    whole = parse_digits(parts[0], lang) if parts[0][:1].isdigit() else parse_words(parts[0], lang)
    fraction = parse_words(parts[1], lang)
    if whole is None or fraction is None or not 0 < fraction < 1:
        return None
    return whole + fraction


def parse_number(token: str, lang: str | None) -> float | None:
    """Parse one number written in ``lang``: digits with the language's separators or number words,
    optionally followed by a magnitude word (``"4,5 Milliarden"``). None when it is not a number."""
    match = grammar(lang).number_pattern.match(token.lower())
    if not match:
        return None
    return number_value(match.group("num"), match.group("mag"), lang)
