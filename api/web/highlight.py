"""Where the words of a fact sit in its evidence sentence, and the article pieced together from its claims.

The store keeps, for every claim, the evidence sentence (``nif:anchorOf``) and its character offsets in
the article (``nif:beginIndex``/``nif:endIndex``), not the whole article. :func:`mark_words` finds the
labels of the fact's donor, item and quantity (in every language the store knows them) in the sentence
and returns pieces with their offsets in the article; :func:`article_pieces` lays the sentences of all
claims of an article out by offset, with the gaps between them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from api.web.labels import fold

MAX_SUFFIX = 2  # letters an inflected word may add to a label ("Patriots", "Leoparden"; not "Patriotism")
ROLE_ORDER = ("item", "donor", "person", "meeting", "quantity")  # which role wins a tie at the same place


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text; ``role`` is set when it is a matched word (donor, item, ...). Offsets are the
    article's (begin inclusive, end exclusive)."""

    text: str
    begin: int
    end: int
    role: str | None = None


def _is_word_char(char: str) -> bool:
    return char.isalnum()


def find_words(sentence: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Spans (start, end) in ``sentence`` where one of ``words`` stands as a word (case-insensitive).

    A match must start at a word boundary; it may run on for up to MAX_SUFFIX letters (inflection), and
    the span then covers the whole word.
    """
    folded = fold(sentence)
    if len(folded) != len(sentence):  # casefolding changed lengths (ß -> ss): compare as written
        folded = sentence.lower() if len(sentence.lower()) == len(sentence) else sentence
    spans = []
    for word in words:
        needle = fold(word) if len(fold(word)) == len(word) else word.lower()
        if not needle:
            continue
        start = folded.find(needle)
        while start >= 0:
            end = run = start + len(needle)
            while run < len(folded) and _is_word_char(folded[run]):
                run += 1
            starts_word = start == 0 or not _is_word_char(folded[start - 1]) or not _is_word_char(needle[0])
            inflected = run - end <= MAX_SUFFIX or not _is_word_char(needle[-1])
            if starts_word and inflected:
                spans.append((start, run if _is_word_char(needle[-1]) else end))
            start = folded.find(needle, start + 1)
    return spans


def mark_words(sentence: str, begin: int, words_by_role: Mapping[str, Iterable[str]]) -> list[Piece]:
    """``sentence`` (which starts at ``begin`` in its article) cut into pieces, the words of each role
    marked. Longer matches win over shorter ones; overlapping matches are dropped."""
    candidates = []
    for role, words in words_by_role.items():
        for start, end in find_words(sentence, words):
            rank = ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)
            candidates.append((-(end - start), rank, start, end, role))
    chosen: list[tuple[int, int, str]] = []
    for _length, _rank, start, end, role in sorted(candidates):
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in chosen):
            chosen.append((start, end, role))
    pieces, cursor = [], 0
    for start, end, role in sorted(chosen):
        if start > cursor:
            pieces.append(Piece(sentence[cursor:start], begin + cursor, begin + start))
        pieces.append(Piece(sentence[start:end], begin + start, begin + end, role))
        cursor = end
    if cursor < len(sentence):
        pieces.append(Piece(sentence[cursor:], begin + cursor, begin + len(sentence)))
    return pieces


@dataclass
class Passage:
    """A stretch of the article covered by one or more claims: its text, offsets and the claims in it."""

    begin: int
    end: int
    text: str
    claims: list[dict]
    gap_before: int  # characters of the article not kept before this passage
    pieces: list[Piece] = field(default_factory=list)  # the text cut at the marked words
    facts: list[dict] = field(default_factory=list)  # the facts of the claims, once each


def article_passages(claims: list[dict]) -> list[Passage]:
    """The claims' sentences laid out by offset; overlapping sentences merge into one passage.

    Each claim is a dict with ``begin``, ``end`` and ``anchor`` (its sentence, ``end - begin`` long).
    """
    ordered = sorted(claims, key=lambda claim: (claim["begin"], claim["end"]))
    passages: list[Passage] = []
    for claim in ordered:
        begin, end, anchor = claim["begin"], claim["end"], claim["anchor"]
        if len(anchor) != end - begin:  # offsets that do not fit the sentence: keep it apart, as given
            end = begin + len(anchor)
        if passages and begin < passages[-1].end:
            last = passages[-1]
            if end > last.end:
                last.text += anchor[last.end - begin :]
                last.end = end
            last.claims.append(claim)
            continue
        gap = begin - passages[-1].end if passages else begin
        passages.append(Passage(begin, end, anchor, [claim], gap))
    return passages
