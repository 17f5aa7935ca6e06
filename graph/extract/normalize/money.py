"""Money mentions: an amount, its magnitude word and its currency, normalised to ISO 4217.

    "€21 billion" / "21 miljarder euro" / "4,5 Milliarden Pfund" / "£450m" / "USD 1.2 billion" /
    "2 Mio. €" / "1,2 mld zł" / "500 millions d'euros" / "tre miljarder kronor"

Vague amounts ("hundreds of millions") yield nothing; an ambiguous currency (bare "Kronen",
"francs") yields nothing rather than a guess, unless the language lists its candidates ("kruunua":
["SEK", "NOK", ...]): then the country its sentence names decides (``currency_cues``: "Ruotsi ...
kruunua" is SEK), else the only candidate country the whole text names. A sum of a million or more
named without any currency
("till ett värde av 2,7 miljarder.", "een half miljard voor drones") takes the currency the article
names most often, else the language's ``home_currency`` (``implied=True``); it must end its clause or
stand before one of the language's ``bare_sum_followers`` ("for", "till", "na"), so that "one million
shells" stays a quantity. A bare sum right after one of the language's ``bare_sum_openers`` ("of which",
"z czego", "davon") is a part of the sum before it and takes that sum's currency.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from graph.extract.normalize.lexicon import alternation, canonical_code, fold, language, lower_same_length
from graph.extract.normalize.numbers import grammar, number_value


@dataclass(frozen=True)
class MoneyMention:
    """An amount of money in ``text[start:end]``; ``amount`` in units of ``currency`` (ISO 4217).

    ``approximate``: a cue such as "about", "rund", "drygt" precedes it; ``cumulative``: a cue such as
    "in total", "insgesamt", "hittills" is near it; ``conversion``: it restates the amount just before
    it in another currency, in parentheses or after a cue ("16.5 billion kronor ($1.6 billion)",
    "21 miljarder euro, eller närmare 234 miljarder kronor")."""

    start: int
    end: int
    text: str
    amount: float
    currency: str
    approximate: bool = False
    cumulative: bool = False
    conversion: bool = False
    implied: bool = False  # no currency in the text: the article's or the language's


@dataclass(frozen=True)
class _MoneyGrammar:
    pattern: re.Pattern[str]
    currencies: dict[str, str | list | None]   # folded form -> ISO code (None/candidates: ambiguous)
    combined: dict[str, tuple[float, str]]     # folded "mkr" -> (factor, ISO code)
    approximate: re.Pattern[str]
    cumulative: re.Pattern[str]
    conversion: re.Pattern[str]                # what stands between an amount and its conversion
    bare: re.Pattern[str]                      # a sum with a magnitude word and no currency
    home_currency: str | None
    cues: tuple[tuple[re.Pattern[str], str], ...] = ()  # country words -> the currency they decide
    opened: re.Pattern[str] | None = None  # a bare sum after a partitive opener ("of which 200 million")


@cache
def _grammar(lang: str | None) -> _MoneyGrammar:
    lexicon = language(lang)
    numbers = grammar(lang)
    symbols = dict(lexicon.get("currency_symbols", {}))
    codes = list(lexicon.get("currency_codes", []))
    names = dict(lexicon.get("currency_names", {}))
    combined = {fold(k): (float(v[0]), v[1]) for k, v in lexicon.get("combined_units", {}).items()}
    currencies: dict[str, str | None] = {fold(code): code for code in codes}
    currencies.update({fold(k): v for k, v in names.items()})
    currencies.update({fold(k): v for k, v in symbols.items()})

    prefix_currency = alternation(list(symbols) + codes)
    suffix_currency = alternation(list(names) + codes + list(symbols))
    connectors = alternation(lexicon.get("currency_connectors", []))
    magnitude = numbers.magnitude_words
    any_magnitude = f"{numbers.magnitude_words}|{numbers.short_magnitude_words}"
    units = alternation(lexicon.get("unit_magnitudes", []))
    # a magnitude word that counts one on its own ("milion eur"): an empty number before it
    spoken = (rf"{numbers.digits}|{numbers.fraction}|{numbers.words}"
              rf"|(?:{numbers.one_words})(?=\s+(?:{magnitude})(?!\w))|(?=(?:{units})(?!\w))")
    end = r"(?![\w$€£¥₴])"
    prefix_form = (rf"(?P<pre_cur>{prefix_currency})\s?(?P<pre_num>{numbers.digits})"
                   rf"(?:[\s-]?(?P<pre_mag>{any_magnitude}))?{end}")
    # a hyphen joins the currency only after a magnitude word ("500-million-dollar", not "500-pound")
    suffix_form = (rf"(?P<post_num>{spoken})(?:[\s-]*(?P<post_mag>{magnitude}))?"
                   rf"(?:(?<=\w)\s+|(?(post_mag)(?<=\w)-(?=\w)|(?!))|(?<=\.)\s*|\s*(?=[^\w\s]))"
                   rf"(?:(?:{connectors})\s*)?(?P<post_cur>{suffix_currency}){end}")
    conversion_cues = alternation(lexicon.get("conversion_cues", []))
    combined_form = rf"(?P<comb_num>{numbers.digits})\s*(?P<comb>{alternation(list(combined))}){end}"
    pattern = re.compile(rf"(?<![\w.,])(?:{prefix_form}|{suffix_form}|{combined_form})")
    followers = alternation(lexicon.get("bare_sum_followers", []))
    bare = re.compile(rf"(?<![\w.,])(?P<bare_num>{spoken})[\s-]*(?P<bare_mag>{magnitude})"
                      rf"(?=\s*(?:[.,;:!?)]|$)|\s+(?:{followers})(?!\w))")
    openers = lexicon.get("bare_sum_openers", [])
    opened = re.compile(rf"(?<!\w)(?:{alternation(openers)})\s+(?:\w+\s+)?"
                        rf"(?P<bare_num>{numbers.digits}|{numbers.words})[\s-]*(?P<bare_mag>{magnitude})(?!\w)"
                        ) if openers else None
    return _MoneyGrammar(
        opened=opened,
        pattern=pattern,
        currencies=currencies,
        combined=combined,
        approximate=re.compile(
            rf"(?<!\w)(?:{alternation(lexicon.get('approximate_cues', []))})\s*$"),
        cumulative=re.compile(
            rf"(?<!\w)(?:{alternation(lexicon.get('cumulative_cues', []))})(?!\w)"),
        conversion=re.compile(
            rf"\s*(?:\(\s*(?:{conversion_cues})?|[,;]?\s*(?:{conversion_cues}))\s*[,:]?\s*"),
        bare=bare,
        home_currency=lexicon.get("home_currency"),
        cues=tuple((re.compile(rf"(?<!\w)(?:{pattern})"), code)
                   for code, pattern in lexicon.get("currency_cues", {}).items()),
    )


def _amount_and_currency(match: re.Match[str], money: _MoneyGrammar, lang: str | None
                         ) -> tuple[float, str] | None:
    if match.group("pre_cur"):
        currency = money.currencies.get(fold(match.group("pre_cur")))
        amount = number_value(match.group("pre_num"), match.group("pre_mag"), lang)
    elif match.group("comb"):
        factor, currency = money.combined[fold(match.group("comb"))]
        amount = number_value(match.group("comb_num"), None, lang)
        amount = amount * factor if amount is not None else None
    else:
        currency = money.currencies.get(fold(match.group("post_cur")))
        number = match.group("post_num")
        if not number or (not number[:1].isdigit() and fold(number) in _one_words(lang)):
            number = "1"  # "milion eur" (a magnitude alone), "a million euros"
        amount = number_value(number, match.group("post_mag"), lang)
    if currency is None or amount is None or amount <= 0:
        return None
    return amount, currency  # a list of candidates: ambiguous, see _cued_currency


@cache
def _one_words(lang: str | None) -> frozenset[str]:
    return frozenset(fold(word) for word in language(lang).get("one_words", []))


_CLAUSE_END = re.compile(r"[.!?] |\n")


def _clause_bounds(boundaries: list[int], text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]`` (a cheap split on sentence punctuation); ``boundaries``
    are the positions of the sentence marks of ``text`` (sorted), so each look-up is a bisection."""
    before = bisect.bisect_left(boundaries, start) - 1
    after = bisect.bisect_left(boundaries, end)
    left = boundaries[before] if before >= 0 else -1
    right = boundaries[after] if after < len(boundaries) else len(text)
    return left + 1, right


def find_money(text: str, lang: str | None) -> list[MoneyMention]:
    """All money mentions in ``text`` (offsets relative to ``text``), in text order.

    An amount restating the one before it in another currency is reported too, with ``conversion=True``."""
    return list(_find_money(text, canonical_code(lang)))


@lru_cache(maxsize=256)
def _find_money(original: str, lang: str) -> tuple[MoneyMention, ...]:
    money = _grammar(lang)
    text = lower_same_length(original)
    found: list[tuple[re.Match[str], float, str]] = []
    for match in money.pattern.finditer(text):
        parsed = _amount_and_currency(match, money, lang)
        if parsed and isinstance(parsed[1], list):
            parsed = _cued_currency(text, match, money, parsed[0], parsed[1])
        if parsed:
            found.append((match, *parsed))
    implied = _implied_sums(text, money, lang, found)
    if implied:
        found = sorted(found + implied, key=lambda row: row[0].start())
    implied_starts = {row[0].start() for row in implied}
    mentions = []
    boundaries = [mark.start() for mark in _CLAUSE_END.finditer(text)] if found else []
    for index, (match, amount, currency) in enumerate(found):
        start, end = match.span()
        before = text[max(0, start - 40):start]
        clause_start, clause_end = _clause_bounds(boundaries, text, start, end)
        left = max(clause_start, found[index - 1][0].end() if index else 0)
        right = min(clause_end, found[index + 1][0].start() if index + 1 < len(found) else len(text))
        previous_end = found[index - 1][0].end() if index else None
        conversion = previous_end is not None and bool(money.conversion.fullmatch(text, previous_end, start))
        mentions.append(MoneyMention(
            start=start, end=end, text=original[start:end], amount=amount, currency=currency,
            approximate=bool(money.approximate.search(before)),
            cumulative=bool(money.cumulative.search(text, left, right)),
            conversion=conversion,
            implied=start in implied_starts,
        ))
    return tuple(mentions)


def _cued_currency(text: str, match: re.Match[str], money: _MoneyGrammar, amount: float,
                   candidates: list[str]) -> tuple[float, str] | None:
    """An ambiguous currency ("kruunua") decided by the country its sentence names (the nearest before
    the sum, else the first after it), else by the only such country the whole text names."""
    start, end = match.span()
    left = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    stop = _CLAUSE_END.search(text, end)
    right = stop.start() if stop else len(text)
    before: list[tuple[int, str]] = []
    after: list[tuple[int, str]] = []
    anywhere: set[str] = set()
    for pattern, code in money.cues:
        if code not in candidates:
            continue
        for cue in pattern.finditer(text):
            anywhere.add(code)
            if left <= cue.start() and cue.end() <= start:
                before.append((cue.start(), code))
            elif end <= cue.start() < right:
                after.append((cue.start(), code))
    if before:
        return amount, max(before)[1]
    if after:
        return amount, min(after)[1]
    return (amount, anywhere.pop()) if len(anywhere) == 1 else None


def _implied_sums(text: str, money: _MoneyGrammar, lang: str | None, found: list
                  ) -> list[tuple[re.Match[str], float, str]]:
    """Sums of a million or more without a currency, outside the sums found, with the currency the
    article names most often (else the language's home currency; none: nothing)."""
    counts: dict[str, int] = {}
    for _, _, currency in found:
        counts[currency] = counts.get(currency, 0) + 1
    currency = max(counts, key=lambda c: (counts[c], c)) if counts else money.home_currency
    if currency is None:
        return []
    taken = [(m.start(), m.end()) for m, _, _ in found]
    implied = []
    for match in money.bare.finditer(text):
        start, end = match.span()
        if any(a < end and start < b for a, b in taken):
            continue
        number = match.group("bare_num")
        if not number or (not number[:1].isdigit() and fold(number) in _one_words(lang)):
            number = "1"
        amount = number_value(number, match.group("bare_mag"), lang)
        if amount is not None and amount >= 1_000_000:
            implied.append((match, amount, currency))
    if money.opened is not None:
        implied += _opened_sums(text, money, lang, found, [*taken, *(m.span() for m, _, _ in implied)])
    return implied


class _Span:
    """The sum part of an opener match ("of which [200 million]"), shaped like a match."""

    def __init__(self, match: re.Match[str]) -> None:
        self._span = (match.start("bare_num"), match.end("bare_mag"))

    def start(self, *_: object) -> int:
        return self._span[0]

    def end(self, *_: object) -> int:
        return self._span[1]

    def span(self, *_: object) -> tuple[int, int]:
        return self._span


def _opened_sums(text: str, money: _MoneyGrammar, lang: str | None, found: list,
                 taken: list[tuple[int, int]]) -> list[tuple[_Span, float, str]]:
    """Bare sums after a partitive opener, with the currency of the sum right before them."""
    out = []
    for match in money.opened.finditer(text):
        start, end = match.start("bare_num"), match.end("bare_mag")
        if any(a < end and start < b for a, b in taken):
            continue
        before = [row for row in found if row[0].end() <= start and start - row[0].end() <= 200]
        if not before:
            continue
        amount = number_value(match.group("bare_num"), match.group("bare_mag"), lang)
        if amount is not None and amount >= 1_000_000:
            out.append((_Span(match), amount, before[-1][2]))
    return out
