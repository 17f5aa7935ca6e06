"""Fast matching of word-list patterns at word starts.

Python's regular-expression engine tries a large case-insensitive alternation at every character
of a text, which is the slowest part of reading category nouns, role nouns and status triggers.
Almost every alternative can only begin with a few letters ("pledg\\w*" with p, "air[- ]defence"
with a), so :class:`StartIndex` reads the possible first characters of each alternative from the
parsed pattern and, at a word start, tries only the alternatives that can begin with the character
there. The result is the same as matching the whole alternation at that position: alternatives are
tried in their original order, and an alternative whose first character cannot be known (``\\w*...``)
is tried everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from re import _constants as sre_constants
from re import _parser as sre_parse

_ZERO_WIDTH = (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT)
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)
_MAX_RANGE = 128


def first_characters(pattern: str) -> frozenset[str] | None:
    """The lower-cased characters a match of ``pattern`` can begin with; None when any character
    can (a leading ``\\w*``, a class, a pattern that may match the empty string)."""
    try:
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
    except re.error:
        return None
    first, nullable = _first_of(list(parsed))
    if first is None or nullable:
        return None
    return frozenset(c.lower() for c in first) | frozenset(c.upper().lower() for c in first)


def _first_of(items: list) -> tuple[set[str] | None, bool]:
    """(first characters, may be empty) of a parsed sequence."""
    found: set[str] = set()
    for op, value in items:
        if op in _ZERO_WIDTH:
            continue
        if op is sre_constants.LITERAL:
            found.add(chr(value))
            return found, False
        if op is sre_constants.IN:
            chars = _class_characters(value)
            if chars is None:
                return None, False
            return found | chars, False
        if op is sre_constants.SUBPATTERN:
            first, nullable = _first_of(list(value[-1]))
        elif op is sre_constants.BRANCH:
            first, nullable = set(), False
            for branch in value[1]:
                branch_first, branch_nullable = _first_of(list(branch))
                if branch_first is None:
                    return None, False
                first |= branch_first
                nullable = nullable or branch_nullable
        elif op in _REPEATS:
            low, _, body = value
            first, nullable = _first_of(list(body))
            nullable = nullable or low == 0
        else:  # ANY, NOT_LITERAL, back-references ...: anything may come first
            return None, False
        if first is None:
            return None, False
        found |= first
        if not nullable:
            return found, False
    return found, True


def _class_characters(items: list) -> set[str] | None:
    chars: set[str] = set()
    for op, value in items:
        if op is sre_constants.LITERAL:
            chars.add(chr(value))
        elif op is sre_constants.RANGE and value[1] - value[0] <= _MAX_RANGE:
            chars.update(chr(code) for code in range(value[0], value[1] + 1))
        else:  # categories (\w, \d), negated classes, wide ranges
            return None
    return chars


class StartIndex:
    """Alternatives (regular-expression strings) indexed by the first character of their matches.

    ``template`` wraps each alternative (``{i}`` is its index, ``{p}`` the pattern), e.g.
    ``"(?P<c{i}>(?<![\\w-]){p})(?!\\w)"``; :meth:`match` returns the match of the first
    alternative (in list order) that matches at a position, like the whole alternation would.
    """

    def __init__(
        self, alternatives: Iterable[str], template: str = "(?P<c{i}>{p})", flags: int = re.IGNORECASE
    ) -> None:
        self.alternatives = list(alternatives)
        self.template = template
        self.flags = flags
        self.firsts = [first_characters(p) for p in self.alternatives]
        self._by_character: dict[str, re.Pattern[str] | None] = {}

    def pattern_at(self, character: str) -> re.Pattern[str] | None:
        """The alternation of the alternatives that may begin with ``character`` (None: none may)."""
        try:
            return self._by_character[character]
        except KeyError:
            pass
        key = character.lower()
        chosen = [
            self.template.replace("{i}", str(i)).replace("{p}", p)
            for i, (p, first) in enumerate(zip(self.alternatives, self.firsts, strict=True))
            if first is None or key in first
        ]
        pattern = re.compile("|".join(chosen), self.flags) if chosen else None
        self._by_character[character] = pattern
        return pattern

    def match(self, text: str, position: int, end: int | None = None) -> re.Match[str] | None:
        """The match at ``position`` (None when no alternative matches there)."""
        if position >= len(text):
            return None
        pattern = self.pattern_at(text[position])
        if pattern is None:
            return None
        return pattern.match(text, position, len(text) if end is None else end)

    def scan(self, text: str, starts: Iterable[int], end: int | None = None) -> Iterator[re.Match[str]]:
        """Non-overlapping matches at the word starts ``starts`` (ascending), left to right -
        what ``finditer`` of the alternation finds when matches can only begin at word starts."""
        end = len(text) if end is None else end
        by_character = self._by_character
        reached = -1
        for position in starts:
            if position < reached or position >= end:
                continue
            character = text[position]
            pattern = by_character[character] if character in by_character else self.pattern_at(character)
            if pattern is None:
                continue
            found = pattern.match(text, position, end)
            if found is not None and found.end() > found.start():
                reached = found.end()
                yield found
