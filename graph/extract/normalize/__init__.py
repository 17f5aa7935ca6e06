"""Normalisers for numbers, money, quantities and dates in twelve languages (en, de, sv, fr, nb, da,
nl, pl, it, es, fi, cs) plus a language-independent fallback ("xx"). Language knowledge lives in
``data/<code>.json``.

All offsets are relative to the ``text`` passed in::

    find_money(text, lang) -> list[MoneyMention]
    find_quantities(text, lang) -> list[QuantityMention]
    parse_number(token, lang) -> float | None
    find_dates(text, lang, anchor) -> list[DateMention]
"""

from graph.extract.normalize.dates import DateMention, find_dates
from graph.extract.normalize.lexicon import canonical_code, supported_languages
from graph.extract.normalize.money import MoneyMention, find_money
from graph.extract.normalize.numbers import parse_number
from graph.extract.normalize.quantities import QuantityMention, find_quantities

__all__ = [
    "DateMention", "MoneyMention", "QuantityMention", "canonical_code", "find_dates", "find_money",
    "find_quantities", "parse_number", "supported_languages",
]
