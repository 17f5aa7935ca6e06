"""Text preparation: character normalisation with an offset map, sentences, paragraphs and tokens.

The normalised text has the same characters as the original except for a small set of
typographic variants (quotes, dashes, no-break spaces) that are unified, and invisible characters
(soft hyphens, zero-width spaces) that are dropped. ``NormalText.original_span`` maps a span of
the normalised text back to the original, so evidence offsets always refer to ``Article.text``.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

# One character in, at most one character out ("" = dropped).
_CHAR_MAP = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2039": '"',
    "\u203a": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\t": " ",
    "\u00ad": "",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\ufeff": "",
    "\u2060": "",
    "\r": "",
}


@dataclass(frozen=True, slots=True)
class NormalText:
    """``text`` is the normalised text; ``offsets[i]`` is the original index of ``text[i]``
    (a ``range`` when no character was dropped)."""

    text: str
    offsets: Sequence[int]
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) of the normalised span [start, end)."""
        if start >= len(self.offsets):
            return self.original_length, self.original_length
        original_start = self.offsets[start]
        original_end = self.offsets[end - 1] + 1 if end > start else original_start
        return original_start, original_end


_ONE_TO_ONE = str.maketrans({k: v for k, v in _CHAR_MAP.items() if v})
_DROPPED = re.compile("[" + "".join(re.escape(k) for k, v in _CHAR_MAP.items() if not v) + "]")


def normalise(text: str) -> NormalText:
    """Unify quotes, dashes and spaces; drop soft hyphens; keep an offset map to ``text``."""
    composed = unicodedata.normalize("NFC", text)
    mapped = composed.translate(_ONE_TO_ONE)
    if not _DROPPED.search(mapped):  # the common case: one character out per character in
        return NormalText(mapped, range(len(mapped)), len(text))
    offsets: list[int] = []
    position = 0
    for match in _DROPPED.finditer(mapped):
        offsets.extend(range(position, match.start()))
        position = match.end()
    offsets.extend(range(position, len(mapped)))
    return NormalText(_DROPPED.sub("", mapped), tuple(offsets), len(text))


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the normalised text: [start, end) and its paragraph number."""

    start: int
    end: int
    text: str
    paragraph: int
    index: int


_LINE = re.compile(r"[^\n]+")
_BULLET = re.compile(r"[-•*·]\s")


def unwrap_lines(text: str) -> str:
    """``text`` with the line breaks inside the paragraphs of hard-wrapped copy turned into spaces
    ("... kertoi\npuolustusministeri ..."); same length, so every offset stays valid. A text is
    hard-wrapped when most lines followed by another line of the same paragraph are about as long
    as its longest lines; a blank line, a bulleted line or a short line (a heading, a live-blog
    time) still ends a line."""
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text)]
    inner = [(start, end) for (start, end), (following, _) in itertools.pairwise(lines)
             if following == end + 1]
    lengths = sorted(end - start for start, end in inner)
    width = lengths[int(len(lengths) * 0.9)] if lengths else 0
    if not (len(inner) >= 4 and 50 <= width <= 100
            and sum(length >= 0.75 * width for length in lengths) >= 0.7 * len(lengths)):
        return text
    chars = list(text)
    for start, end in inner:
        if end - start >= 0.6 * width and not _BULLET.match(text, end + 1) and not _BULLET.match(text, start):
            chars[end] = " "
    return "".join(chars)


def blank_teasers(text: str, openers: Sequence[str]) -> str:
    """``text`` with the lines that point to other stories ("Lesen Sie auch  ...", "Lue myös: ...",
    "LES OGSÅ: ...": a line opening with one of the language's ``openers`` and a colon, a bar, two
    spaces or nothing) turned into spaces; same length. A teaser's headline is another article's
    news, not this one's."""
    if not openers:
        return text
    pattern = _teaser_pattern(tuple(openers))
    if not pattern.search(text):
        return text
    return pattern.sub(lambda m: " " * len(m.group()), text)


@functools.lru_cache(maxsize=64)
def _teaser_pattern(openers: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(o) for o in sorted(openers, key=len, reverse=True))
    return re.compile(rf"^[ \t]*(?:{alternation})(?:[ \t]*[:|»>]| {{2,}}|[ \t]*$)[^\n]*",
                      re.IGNORECASE | re.MULTILINE)


_BOUNDARY = re.compile(r"[.!?]+[\"')\]]*(?=\s+[\"'(\[]?[-\w])|\n\s*")
_LAST_WORD = re.compile(r"(\S+)$")


def split_sentences(text: str, abbreviations: frozenset[str], month_words: frozenset[str],
                    ordinal_dot: bool = False) -> list[Sentence]:
    """Split normalised text into sentences.

    A period does not end a sentence after an abbreviation of the language (``Nr.``, ``bl.a.``,
    ``U.S.``), after a single capital initial (``Antony J. Blinken``), after an ordinal day before a
    month name (``11. April``) or when the next word starts in lower case. In languages that write
    ordinals with a dot (``ordinal_dot``: German, the Nordic languages, Polish, Czech, Finnish) a
    number of up to three digits after a lower-case word is an ordinal too ("das 24. Treffen").
    """
    sentences: list[Sentence] = []
    start = 0
    paragraph = 0
    for match in _BOUNDARY.finditer(text):
        is_newline = "\n" in match.group()
        if not is_newline and not _is_boundary(text, match, abbreviations, month_words, ordinal_dot):
            continue
        end = match.end() if not is_newline else match.start()
        _append(sentences, text, start, end, paragraph)
        if is_newline and match.group().count("\n") >= 1:
            paragraph += 1
        start = match.end()
    _append(sentences, text, start, len(text), paragraph)
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(start, end, text[start:end], paragraph, len(sentences)))


def _is_boundary(
    text: str, match: re.Match[str], abbreviations: frozenset[str], month_words: frozenset[str],
    ordinal_dot: bool = False,
) -> bool:
    punct = match.group()
    if not punct.startswith("."):
        return True
    window_start = max(0, match.start() - 40)
    before = _LAST_WORD.search(text[window_start : match.start() + 1])
    word = before.group(1) if before else ""
    word = word.lstrip("\"'([")
    following = text[match.end() : match.end() + 40].lstrip(" \"'([")
    next_word = re.match(r"[\w.-]*", following).group()
    if next_word[:1].islower():
        return False
    acronym = len(word) >= 3 and word[:-1].isupper() and "." not in word[:-1]
    if word.casefold() in abbreviations and not acronym:
        return False  # "Dr." is a title; "DR." (a broadcaster) ends the sentence
    if re.fullmatch(r"[A-ZÄÖÜÅÆØ]\.", word):
        return False
    if re.fullmatch(r"\d{1,2}\.", word) and next_word.casefold().rstrip(".") in month_words:
        return False
    if ordinal_dot and re.fullmatch(r"\d{1,3}\.", word):
        previous = re.search(r"(\S+)\s+\S+$", text[window_start : match.start() + 1])
        if previous and previous.group(1)[:1].islower() and previous.group(1)[-1:].isalpha():
            return False  # "das 24. Treffen", "den 15. pakken"
    return True


TOKEN = re.compile(r"\w+(?:[.'&:]\w+)*")


class Token(NamedTuple):
    """A word piece: hyphenated and slashed words are split into parts (``IRIS-T`` -> IRIS, T).

    ``key`` is the folded form used for look-ups; ``glued`` tells that the token is attached to the
    previous one by a hyphen or slash (part of the same written word).
    """

    start: int
    end: int
    text: str
    key: str
    glued: bool


_FOLDS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "ß": "ss", "æ": "ae", "Æ": "AE"})


@functools.lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Case-, accent- and dot-insensitive form of a word ("U.S." -> "us", "Brüssel" -> "brussel")."""
    if word.isascii():
        return word.lower().replace(".", "")
    word = word.translate(_FOLDS)
    decomposed = unicodedata.normalize("NFKD", word)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold().replace(".", "")


_PIECE = re.compile(r"\w+(?:[.'&:]\w+)*\.?|[-/]")


def tokenise(text: str, offset: int = 0) -> list[Token]:
    """Tokens of ``text`` with spans shifted by ``offset``.

    A trailing period is kept only for abbreviations with inner periods ("U.S."), never counted
    in the key.
    """
    tokens: list[Token] = []
    append = tokens.append
    glue_next = False
    last_end = -1
    for match in _PIECE.finditer(text):
        piece = match.group()
        start = match.start()
        if piece == "-" or piece == "/":
            glue_next = start == last_end and bool(tokens)
            continue
        if piece[-1] == "." and "." not in piece[:-1]:
            piece = piece[:-1]
        end = start + len(piece)
        append(Token(start + offset, end + offset, piece, fold(piece), glue_next and start == last_end + 1))
        last_end = end
        glue_next = False
    return tokens
