"""Where the words of a fact sit in its evidence sentence, and the article text with its evidence marked.

The store keeps, for every claim, the evidence sentence (``nif:anchorOf``) and its character offsets
(``nif:beginIndex``/``nif:endIndex``) in the article's normalised text (``nif:isString`` of the article's
``nif:Context``). :func:`mark_words` finds the labels of the fact's donor, item and quantity (in every
language the store knows them) in the sentence and returns pieces with their offsets in the article;
:func:`evidence_spans` groups an article's claims by offsets, and :func:`highlight_text` renders the text
as HTML with every evidence span marked (accepted and quarantined apart) and the words inside them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from markupsafe import Markup, escape

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
class EvidenceSpan:
    """One stretch of the article text that claims were read from (claims with the same offsets share it).

    ``status`` is ``accepted`` (every claim passed the SHACL gate), ``quarantined`` (none did) or ``mixed``;
    ``found`` is False when the claims' evidence is not the text at their offsets (then nothing is marked).
    """

    begin: int
    end: int
    anchor: str
    claims: list[dict]
    found: bool = True
    facts: list[dict] = field(default_factory=list)  # the claims' facts, once each

    @property
    def key(self) -> str:
        return f"ev-{self.begin}-{self.end}"

    @property
    def status(self) -> str:
        accepted = {bool(claim["accepted"]) for claim in self.claims}
        return "mixed" if len(accepted) > 1 else "accepted" if True in accepted else "quarantined"


def evidence_spans(text: str, claims: list[dict]) -> list[EvidenceSpan]:
    """The claims grouped by their offsets, in text order. Each claim is a dict with ``begin``, ``end``,
    ``anchor`` (its evidence) and ``accepted``; a group is ``found`` when ``text[begin:end]`` is its
    evidence."""
    groups: dict[tuple[int, int], EvidenceSpan] = {}
    for claim in sorted(claims, key=lambda claim: (claim["begin"], claim["end"])):
        begin, end = claim["begin"], claim["end"]
        group = groups.get((begin, end))
        if group is None:
            found = 0 <= begin <= end <= len(text) and text[begin:end] == claim["anchor"]
            group = groups[(begin, end)] = EvidenceSpan(begin, end, claim["anchor"], [], found)
        group.claims.append(claim)
    return list(groups.values())


@dataclass(eq=False)
class _Span:
    begin: int
    end: int
    level: int  # 0: evidence, 1: a marked word (inside its evidence)
    attributes: dict[str, str]


@dataclass(eq=False)
class _Node:
    span: _Span | None
    begin: int
    first: bool = True  # the span's first element (a span crossing another one's edge is cut in pieces)
    end: int = 0
    children: list = field(default_factory=list)


def highlight_text(text: str, spans: list[EvidenceSpan],
                   words: Mapping[str, Mapping[str, Iterable[str]]] | None = None) -> Markup:
    """The article text as HTML: each found evidence span a ``<mark class="evidence {status}">`` (a tab stop,
    described by its facts' entry ``#facts-{key}``), the words of its facts (``words[key]``: role -> words)
    marked inside it (``<mark class="m-{role}">``).

    Every element carries ``data-begin``/``data-end``, its offsets in the text; where evidence spans cross
    (one starts inside another and ends after it) the later one is cut into pieces that share
    ``data-evidence``, the first of which has the ``id``. Everything else is the text, escaped.
    """
    words = words or {}
    marks: list[_Span] = []
    chosen: list[tuple[int, int, str]] = []
    candidates = []
    for span in spans:
        if not span.found:
            continue
        marks.append(_Span(span.begin, span.end, 0, {
            "class": f"evidence {span.status}", "data-evidence": span.key, "data-status": span.status,
            "id": span.key, "tabindex": "0", "aria-describedby": f"facts-{span.key}"}))
        for piece in mark_words(span.anchor, span.begin, words.get(span.key, {})):
            if piece.role:
                rank = ROLE_ORDER.index(piece.role) if piece.role in ROLE_ORDER else len(ROLE_ORDER)
                candidates.append((-(piece.end - piece.begin), rank, piece.begin, piece.end, piece.role))
    for _length, _rank, begin, end, role in sorted(set(candidates)):  # words of overlapping spans: one each
        if all(end <= other_begin or begin >= other_end for other_begin, other_end, _ in chosen):
            chosen.append((begin, end, role))
    marks += [_Span(begin, end, 1, {"class": f"m-{role}", "data-role": role}) for begin, end, role in chosen]
    return Markup("".join(_html(_tree(text, marks))))


def _tree(text: str, marks: list[_Span]) -> _Node:
    """The marks as properly nested nodes over the text (a mark crossing an open one's end is cut)."""
    cuts = sorted({0, len(text), *(m.begin for m in marks), *(m.end for m in marks)})
    root = _Node(None, 0, end=len(text))
    stack, opened = [root], set()
    for begin, end in itertools.pairwise(cuts):
        active = sorted((m for m in marks if m.begin <= begin and end <= m.end),
                        key=lambda m: (m.level, m.begin, -m.end))
        kept = 0
        while kept < min(len(stack) - 1, len(active)) and stack[kept + 1].span is active[kept]:
            kept += 1
        while len(stack) - 1 > kept:
            stack.pop().end = begin
        for mark in active[kept:]:
            node = _Node(mark, begin, first=id(mark) not in opened)
            opened.add(id(mark))
            stack[-1].children.append(node)
            stack.append(node)
        stack[-1].children.append(text[begin:end])
    while len(stack) > 1:
        stack.pop().end = len(text)
    return root


def _html(node: _Node):
    """The HTML pieces of a node and its children."""
    if node.span is None:
        for child in node.children:
            yield from (escape(child),) if isinstance(child, str) else _html(child)
        return
    attributes = dict(node.span.attributes)
    if not node.first:  # a further piece of a cut span: no second id, no second tab stop
        attributes.pop("id", None)
        attributes.pop("tabindex", None)
    attributes |= {"data-begin": str(node.begin), "data-end": str(node.end)}
    yield Markup("<mark{}>").format(Markup("").join(
        Markup(' {}="{}"').format(Markup(name), value) for name, value in attributes.items()))
    for child in node.children:
        yield from (escape(child),) if isinstance(child, str) else _html(child)
    yield Markup("</mark>")
