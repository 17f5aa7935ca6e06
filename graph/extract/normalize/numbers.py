"""Numbers written with digits (language-specific decimal and group separators) or with words.

    parse_number("1,100", "en") -> 1100.0      parse_number("1,5", "de") -> 1.5
    parse_number("1 500", "sv") -> 1500.0      parse_number("1.500", "de") -> 1500.0
    parse_number("zwei", "de") -> 2.0          parse_number("4,5 Milliarden", "de") -> 4.5e9
    parse_number("tjugofem", "sv") -> 25.0     parse_number("quatre-vingt-dix", "fr") -> 90.0
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from graph.extract.normalize.lexicon import alternation, fold, language

_SPACES = " \u00a0\u202f\u2009"


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


def _word_values(data: dict) -> dict[str, int]:
    values = {fold(word): int(value) for word, value in data.get("number_words", {}).items()}
    units = data.get("compound_units", {})
    tens = data.get("compound_tens", {})
    for compound in data.get("compounds", []):
        form, factor = compound["form"], compound.get("unit_factor", 1)
        for unit_word, unit in units.items():
            if "{tens}" in form:
                for tens_word, ten in tens.items():
                    word = form.replace("{unit}", unit_word).replace("{tens}", tens_word)
                    values[fold(word)] = unit * factor + ten
            else:
                values[fold(form.replace("{unit}", unit_word))] = unit * factor
    return values


@cache
def grammar(lang: str | None) -> NumberGrammar:
    """The compiled number grammar of ``lang`` (cached per language)."""
    lexicon = language(lang)
    group_chars = "".join(sorted(set(lexicon.group_separators) | {",", "."}))
    group_class = "[" + re.escape(group_chars) + "]"
    digits = rf"\d{{1,3}}(?:{group_class}\d{{3}})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?(?!\d)"
    word_values = _word_values(lexicon.data)
    single_word = alternation(list(word_values))
    joiners = alternation(lexicon.get("number_word_joiners", [" "]))
    words = rf"(?:{single_word})(?:(?:{joiners})(?:{single_word}))*(?!\w)" if word_values else r"(?!x)x"
    magnitudes = {fold(k): float(v) for k, v in lexicon.get("magnitudes", {}).items()}
    short = {fold(k): float(v) for k, v in lexicon.get("short_magnitudes", {}).items()}
    magnitude_words = alternation(list(magnitudes))
    number = rf"(?P<num>{digits}|{words})(?:\s*(?P<mag>{magnitude_words})(?!\w))?"
    return NumberGrammar(
        digits=digits,
        words=words,
        word_values=word_values,
        one_words=alternation(lexicon.get("one_words", [])),
        magnitudes=magnitudes,
        magnitude_words=magnitude_words,
        short_magnitudes=short,
        short_magnitude_words=alternation(list(short)),
        word_pattern=re.compile(rf"(?<!\w)(?:{single_word})(?!\w)"),
        number_pattern=re.compile(rf"^\s*(?:{number})\s*$"),
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


def parse_words(phrase: str, lang: str | None) -> int | None:
    """The value of a phrase of number words (``twenty-five``, ``zwei``, ``dwadzieścia pięć``)."""
    numbers = grammar(lang)
    matches = numbers.word_pattern.finditer(phrase.lower())
    values = [numbers.word_values.get(fold(m.group(0))) for m in matches]
    if not values or any(value is None for value in values):
        return None
    total, current = 0, 0
    for value in values:
        if value == 100:
            current = (current or 1) * 100
        elif value >= 1000:
            total += (current or 1) * value
            current = 0
        else:
            current += value
    return total + current


def number_value(number: str, magnitude: str | None, lang: str | None) -> float | None:
    """The value of a matched number (digits or words) times its magnitude word, if any."""
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


def parse_number(token: str, lang: str | None) -> float | None:
    """Parse one number written in ``lang``: digits with the language's separators or number words,
    optionally followed by a magnitude word (``"4,5 Milliarden"``). None when it is not a number."""
    match = grammar(lang).number_pattern.match(token.lower())
    if not match:
        return None
    return number_value(match.group("num"), match.group("mag"), lang)
