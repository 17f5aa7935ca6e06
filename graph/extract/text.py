"""Text preparation: character normalisation with an offset map, sentences, paragraphs and tokens.

The normalised text has the same characters as the original except for a small set of
typographic variants (quotes, dashes, no-break spaces) that are unified, and invisible characters
(soft hyphens, zero-width spaces) that are dropped. ``NormalText.original_span`` maps a span of
the normalised text back to the original, so evidence offsets always refer to ``Article.text``.
"""

from __future__ import annotations

import functools
import html
import itertools
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
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


# --------------------------------------------------------------------------- the shape of news text

_PAGE_DATA = Path(__file__).resolve().parents[1] / "ingest_data" / "boilerplate.json"
_ENTITY = re.compile(r"&(?:#\d{2,7}|#[xX][0-9a-fA-F]{2,6}|[A-Za-z]{2,8});")
_TEASER_SEPARATORS = frozenset(":|»>–-—")  # what follows a teaser opener ("Read more: ...")
_SENTENCE_END = re.compile(r"[.!?:;][\"')\]]*$")
_LIST_MARK = re.compile(r"[-*\u2022\u25cf\u25aa>]|\d{1,2}[.)]\s")
_DATELINE = re.compile(r"[A-ZÀ-Ž][^\W\d_]+(?:[ -][A-ZÀ-Ž][^\W\d_]+){0,2}(?:, [^()\n]{1,30}?)? "
                       r"\([^()\n]{2,20}\) ?- "  # "BRUSSELS (AP) - ", "Kyiv, 5 May (Reuters) - "
                       r"|[A-ZÀ-Ž]{3,}(?:[ -][A-ZÀ-Ž]{2,}){0,2}(?:, [^()\n-]{1,30}?)? - ")  # "PARIS - "
_WRAP_MIN = 40      # a hard-wrapped line is at least this long ...
_WRAP_MAX = 100     # ... and no line of a hard-wrapped text is longer
_SLACK = 20         # a full line of a hard-wrapped text is at most this much shorter than the longest
_TOP_BLOCKS = 4     # bylines and datelines stand in the first paragraphs


@functools.cache
def _page_words() -> tuple[tuple[str, ...], frozenset[str], re.Pattern[str] | None, re.Pattern[str] | None]:
    """Teaser and share prefixes, whole boilerplate lines, a caption-credit pattern and a byline pattern,
    from every language of graph/ingest_data/boilerplate.json."""
    data = json.loads(_PAGE_DATA.read_text(encoding="utf-8"))
    prefixes, lines, credits, bylines = [], set(), set(), set()
    for key, entry in data.items():
        if key.startswith("_"):
            continue
        prefixes.extend(p.casefold() for p in entry.get("prefixes", []))
        lines.update(line.casefold() for line in entry.get("lines", []))
        credits.update(entry.get("credits", []))
        bylines.update(entry.get("bylines", []))

    def alternatives(words: set[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    credit = re.compile(rf"(?:^|[.!?]\s+|\()(?:{alternatives(credits)})\s*[^.!?:\n]{{1,60}}\)?$"
                        # "(DoD photo by X)"
                        rf"|\([^()\n]{{0,40}}\b(?:{alternatives(credits)})\s*[^()!?:\n]{{1,60}}\)$",
                        re.IGNORECASE) if credits else None
    name = r"[A-ZÀ-Ž][^\W\d_]+(?:[-'][^\W\d_]+)?"
    names = rf"{name}(?: {name}){{1,3}}"  # first and last name at least
    byline = re.compile(rf"(?i:{alternatives(bylines)})\s+{names}(?:,[^.!?\d\n]{{0,60}})?$") \
        if bylines else None
    return tuple(prefixes), frozenset(lines), credit, byline


def is_page_line(line: str, top: bool = False) -> bool:
    """A line of page furniture rather than of the article: a photo caption ending in its credit
    ("... Foto: dpa"), a teaser or share-button line ("Read more: ...", "Del på Facebook"), a bare
    boilerplate word ("Share", "Annons") or, near the top (``top``), a byline ("By Anna Example")."""
    line = line.strip()
    if not line or len(line) > 200 or line[0].islower():
        return False
    prefixes, lines, credit, byline = _page_words()
    lowered = line.casefold()
    if lowered.rstrip(":.!») ") in lines:
        return True
    for prefix in prefixes:
        rest = lowered[len(prefix):]
        if lowered.startswith(prefix) and not rest[:1].isalpha():
            # "Read more: ..." / "Lesen Sie auch | ..." or a headline-like line without a final stop;
            # "Read more about it, she said, in the report." is prose
            return rest.lstrip()[:1] in _TEASER_SEPARATORS or not re.search(r"[.!?][\"')\]»]*$", line)
    if credit is not None and credit.search(line):
        return True
    if top and byline is not None and byline.fullmatch(line):
        name_start = line.split(None, 1)[1][:1]
        return name_start.isupper()
    return False


def reshape(normal: NormalText) -> NormalText:
    """Undo the shape of a news page: decode HTML entity leftovers (``&nbsp;`` ``&#8211;``), join
    words broken by a hyphen at a line end ("Luft-\\nverteidigung"), join line breaks inside a sentence
    (a hard-wrapped text, or a line going on in lower case), drop markup remnants (HTML tags, Markdown
    headings, bold marks and links) and page furniture (captions with their credit, teasers, share
    buttons, a byline, a dateline "BRUSSELS (AP) -").

    Dropped characters vanish from the text; the offset map still points into the original text, so
    evidence offsets stay right. A text without any of these comes back unchanged.
    """
    text = normal.text
    edits: list[tuple[int, int, str]] = []
    if "&" in text:
        for match in _ENTITY.finditer(text):
            value = html.unescape(match.group())
            if len(value) == 1 and value != match.group():
                edits.append((match.start(), match.end(), _CHAR_MAP.get(value, value) or " "))
    if "<" in text or "*" in text or "_" in text or "](" in text or "#" in text:
        edits.extend(_markup_edits(text))
    if edits:  # first characters, then lines (a dateline "BERLIN (dpa) &#8211; ...")
        normal = _apply(normal, sorted(edits))
        text = normal.text
    edits = _line_edits(text) if "\n" in text or len(text) < 400 else []
    return _apply(normal, sorted(edits)) if edits else normal


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,9})(?:\s[^<>\n]{0,300})?\s*/?>")
_MARKDOWN = re.compile(r"^[ ]{0,3}#{1,6}[ ]+|\*\*|__"
                       r"|(?<!\w)\[(?=[^\]\n]{1,200}\]\((?:https?:/|/)[^)\s]{0,500}\))"
                       r"|\]\((?:https?:/|/)[^)\s]{0,500}\)", re.MULTILINE)


def _markup_edits(text: str) -> list[tuple[int, int, str]]:
    """Markup remnants of a scraped page: HTML tags (a line-break tag inside a line becomes a line
    break), Markdown headings, bold marks and links (the link text stays)."""
    edits = []
    for match in _TAG.finditer(text):
        inside_line = match.start() > 0 and text[match.start() - 1] != "\n" and match.end() < len(text) \
            and text[match.end()] != "\n"
        breaks = match.group(2).lower() in ("br", "p", "div", "li") and inside_line
        edits.append((match.start(), match.end(), "\n" if breaks else ""))
    edits.extend((match.start(), match.end(), "") for match in _MARKDOWN.finditer(text))
    return edits


def _line_edits(text: str) -> list[tuple[int, int, str]]:
    starts, position = [], 0
    for line in text.split("\n"):
        starts.append((position, line))
        position += len(line) + 1
    nonblank = [(s, line) for s, line in starts if line.strip()]
    edits: list[tuple[int, int, str]] = []
    page = set()
    blocks: list[list[tuple[int, str]]] = []  # runs of lines without a blank line between them
    for start, line in nonblank:
        if blocks and blocks[-1][-1][0] + len(blocks[-1][-1][1]) + 1 == start:
            blocks[-1].append((start, line))
        else:
            blocks.append([(start, line)])
    lengths = [len(line.strip()) for _, line in nonblank]
    followed = sum(1 for (s, line), (t, _) in itertools.pairwise(nonblank) if t == s + len(line) + 1)
    wrapped = (bool(lengths) and max(lengths) <= _WRAP_MAX and len(nonblank) < len(starts)
               and followed >= 2 and followed >= 0.3 * len(nonblank))
    width = tight_width(nonblank) if not wrapped and lengths and max(lengths) <= _WRAP_MAX else 0
    number = 0  # paragraphs of the article so far (page furniture not counted)
    for block in blocks:
        top = number < _TOP_BLOCKS
        joined = " ".join(line.strip() for _, line in block)
        whole = len(block) > 1 and is_page_line(joined, top)
        alone = len(block) == 1 or not wrapped  # no page line inside a hard-wrapped paragraph
        for start, line in block:
            if whole or (alone and is_page_line(line, top)):
                page.add(start)
                edits.append((start, min(start + len(line) + 1, len(text)), ""))
        number += not all(start in page for start, _ in block)
        for start, line in block if top else ():
            position = len(line) - len(line.lstrip())
            while start not in page and (dateline := _DATELINE.match(line, position)) \
                    and dateline.end() < len(line):
                position = dateline.end()  # "BRUSSELS (AP) - PARIS - ..."
            if position > len(line) - len(line.lstrip()):
                edits.append((start, start + position, ""))
    content = [(start, line) for start, line in nonblank if start not in page]
    for (start, line), (next_start, following) in itertools.pairwise(content):
        head, tail = line.rstrip(), following.lstrip()
        end, begin = start + len(head), next_start + len(following) - len(tail)
        between = text[start + len(line) + 1 : next_start]  # blank lines and dropped page lines
        paragraph_break = any(not piece.strip() for piece in between.split("\n")[:-1])
        if _LIST_MARK.match(tail) and not _mark_goes_on(head, tail, wrapped):
            continue
        first = tail[1:].lstrip()[:1] if tail[:1] == "-" else tail[:1]  # "- darunter ..." goes on too
        lower = first.isalpha() and first.islower()
        if len(head) >= 2 and head[-1] == "-" and head[-2].isalpha() and head[-2].islower() and lower \
                and tail[:1] != "-":
            edits.append((end - 1, begin, ""))
        elif (not _SENTENCE_END.search(head) and lower) \
                or (wrapped and not paragraph_break
                    and (len(head.strip()) >= _WRAP_MIN or not _SENTENCE_END.search(head))):
            edits.append((end, begin, " "))
        elif width and not paragraph_break and len(head.strip()) >= width - _SLACK \
                and (start != nonblank[0][0] or len(head.strip()) >= width - _SLACK // 2):
            edits.append((end, begin, " "))  # a full line of text wrapped without blank lines
    return edits


def tight_width(lines: list[tuple[int, str]]) -> int:
    """The column width of a text hard-wrapped without blank lines between paragraphs (most lines
    followed by another one are nearly full: within ``_SLACK`` of the longest), else 0."""
    width = max(len(line.strip()) for _, line in lines)
    pairs = [line for (s, line), (t, _) in itertools.pairwise(lines) if t == s + len(line) + 1]
    full = sum(1 for line in pairs if len(line.strip()) >= width - _SLACK)
    return width if width >= _WRAP_MIN and len(pairs) >= 4 and full >= 0.6 * len(pairs) else 0


def _mark_goes_on(head: str, tail: str, wrapped: bool) -> bool:
    """A line starting like a list item goes on with the sentence before it: a lower-case word follows
    a dash ("- darunter ..."), or, in hard-wrapped text, the line before does not end a sentence and
    neither is a list item nor introduces a list ("... Danmarks\n21. donationspakke ...")."""
    in_list = _LIST_MARK.match(head.lstrip()) or head.endswith(":")
    if tail[:1] == "-" and not in_list:  # a lower-case item after another item is the list going on
        word = tail[1:].lstrip()[:1]
        if word.isalpha() and word.islower():
            return True
    return wrapped and not _SENTENCE_END.search(head) and not in_list


def _apply(normal: NormalText, edits: list[tuple[int, int, str]]) -> NormalText:
    """``normal`` with the (start, end, replacement) edits made; no replacement is longer than its span."""
    text, offsets = normal.text, normal.offsets
    pieces: list[str] = []
    mapped: list[int] = []
    position = 0
    same_length = True
    for start, end, replacement in edits:
        if start < position:
            continue  # inside a span already edited (an entity in a dropped caption)
        pieces.append(text[position:start])
        pieces.append(replacement)
        mapped.extend(offsets[position:start])
        mapped.extend(offsets[start:start + len(replacement)])
        same_length = same_length and len(replacement) == end - start
        position = end
    pieces.append(text[position:])
    mapped.extend(offsets[position:])
    new_offsets = offsets if same_length else tuple(mapped)
    return NormalText("".join(pieces), new_offsets, normal.original_length)
