"""Metamorphic perturbations of news text: changes of the SHAPE of an article that must not change
what is extracted from it (hard-wrapped lines, hyphenated line breaks, photo captions and credits,
teaser and share-button lines, HTML entity leftovers, a byline and dateline, extra blank lines,
Windows line endings, no-break and thin spaces in numbers, curly or straight quotes, HTML and
Markdown remnants, and several of them at once).

    perturb(name, text, lang, seed=0) -> text        one perturbation (see PERTURBATIONS)

Deterministic for a given seed. The per-language page furniture (captions, teasers, share lines,
bylines, datelines) is data: perturb_data.json. Used by test_perturbations.py and
benchmarks/perturb_corpus.py.
"""

from __future__ import annotations

import functools
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent


@functools.cache
def furniture(lang: str) -> dict[str, str]:
    data = json.loads((HERE / "perturb_data.json").read_text(encoding="utf-8"))
    return data.get(lang) or data["en"]


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _wrap_line(line: str, width: int, hyphenate: bool) -> list[str]:
    out, current = [], ""
    for word in line.split(" "):
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            room = width - len(current) - 2
            cut = _hyphen_cut(word, room) if hyphenate else 0
            if cut:
                out.append(current + " " + word[:cut] + "-")
                current = word[cut:]
            else:
                out.append(current)
                current = word
    if current:
        out.append(current)
    return out


def _hyphen_cut(word: str, room: int) -> int:
    """Where a word may be broken with a hyphen in ``room`` columns: between two lower-case letters."""
    for cut in range(min(room, len(word) - 3), 2, -1):
        left, right = word[cut - 1], word[cut]
        if left.isalpha() and left.islower() and right.isalpha() and right.islower() and word[:cut].isalpha():
            return cut
    return 0


def wrap(text: str, lang: str, rng: random.Random, hyphenate: bool = False) -> str:
    """Hard-wrapped at 60-75 columns, a blank line between paragraphs (how e-mail and wire copy look)."""
    width = rng.randint(60, 75)
    return "\n\n".join("\n".join(_wrap_line(p, width, hyphenate)) for p in _paragraphs(text))


def tight_wrap(text: str, lang: str, rng: random.Random) -> str:
    """Hard-wrapped at 60-75 columns with no blank line between paragraphs (a paragraph ends with a
    short line)."""
    width = rng.randint(60, 75)
    return "\n".join("\n".join(_wrap_line(p, width, False)) for p in _paragraphs(text))


def hyphen_wrap(text: str, lang: str, rng: random.Random) -> str:
    """Hard-wrapped with words broken by a hyphen at the end of a line ("Luft-\\nverteidigung")."""
    return wrap(text, lang, rng, hyphenate=True)


def _insert(text: str, lines: list[str], every: int) -> str:
    paragraphs = _paragraphs(text)
    out = []
    for number, paragraph in enumerate(paragraphs):
        out.append(paragraph)
        if number % every == every - 1 and number < len(paragraphs) - 1:
            out.append(lines[(number // every) % len(lines)])
    return "\n\n".join(out)


def caption(text: str, lang: str, rng: random.Random) -> str:
    """A photo caption with its credit, and a bare credit line, between paragraphs."""
    words = furniture(lang)
    return _insert(text, [words["caption"], words["credit"]], 2)


def teaser(text: str, lang: str, rng: random.Random) -> str:
    """"Read more: ..." teaser lines between paragraphs."""
    return _insert(text, [furniture(lang)["teaser"]], 3)


def share(text: str, lang: str, rng: random.Random) -> str:
    """Share-button remnants after the headline and at the end."""
    words = furniture(lang)
    paragraphs = _paragraphs(text)
    return "\n".join([*paragraphs[:1], words["share"], *paragraphs[1:], words["share"]])


_ENTITIES = {"-": "&#8211;", "&": "&amp;", '"': "&quot;"}


def entities(text: str, lang: str, rng: random.Random) -> str:
    """HTML entity leftovers: &nbsp; for spaces in numbers and some other spaces, &#8211; for dashes."""
    text = re.sub(r"(?<=\d) (?=\d)", "&nbsp;", text)
    text = re.sub(r" - ", " &#8211; ", text)
    text = re.sub(r"(?<=\d) (?=[^\W\d])", "&#160;", text)
    return re.sub(r"(?<=[a-z]) (?=[a-z])", lambda m: "&nbsp;" if rng.random() < 0.05 else " ", text)


def dateline(text: str, lang: str, rng: random.Random) -> str:
    """A byline line under the headline and a dateline (city, agency) before the first paragraph."""
    words = furniture(lang)
    paragraphs = _paragraphs(text)
    if len(paragraphs) < 2:
        return words["dateline"] + " " + text.strip()
    lead = words["dateline"] + " " + paragraphs[1]
    return "\n".join([paragraphs[0], words["byline"], lead, *paragraphs[2:]])


_LOWER_WORD = re.compile(r"(?<=[^\W\d_]) (?=[^\W\d_A-ZÀ-Ž][^\W\d_]+ )")


def broken_lines(text: str, lang: str, rng: random.Random) -> str:
    """A line break inside a sentence before a lower-case word, paragraphs one line each otherwise
    (text copied from a PDF or a narrow column)."""
    out = []
    for line in text.split("\n"):
        match = _LOWER_WORD.search(line[40:]) if len(line) > 80 else None
        out.append(line[:40 + match.start()] + "\n" + line[40 + match.end():] if match else line)
    return "\n".join(out)


def markup(text: str, lang: str, rng: random.Random) -> str:
    """Markup remnants of a scraped page: HTML tags around paragraphs and line breaks, Markdown
    headings, bold words and links."""
    paragraphs = _paragraphs(text)
    out = ["## " + paragraphs[0]] if paragraphs else []
    for number, paragraph in enumerate(paragraphs[1:]):
        words = paragraph.split(" ")
        if len(words) > 3:
            words[0] = f"**{words[0]}**"
            spot = rng.randrange(1, len(words) - 1)
            words[spot] = f"[{words[spot]}](https://example.org/{number})"
        line = " ".join(words)
        out.append(f"<p>{line}</p>" if number % 2 else line + "<br />")
    return "\n\n".join(out)


def combined(text: str, lang: str, rng: random.Random) -> str:
    """Several at once, as on a real page: dateline, markup, captions, teasers, entities, hard wrap."""
    for step in (dateline, caption, teaser, entities, wrap):
        text = step(text, lang, rng)
    return text


def blank_lines(text: str, lang: str, rng: random.Random) -> str:
    """Three blank lines between paragraphs, spaces at the ends of lines, leading blank lines."""
    return "\n\n" + "  \n\n\n".join(_paragraphs(text)) + "  \n"


def crlf(text: str, lang: str, rng: random.Random) -> str:
    """Windows line endings."""
    return text.replace("\n", "\r\n")


def spaces(text: str, lang: str, rng: random.Random) -> str:
    """No-break and thin spaces in numbers and before units and currencies."""
    text = re.sub(r"(?<=\d) (?=\d)", "\u202f", text)
    text = re.sub(r"(?<=\d) (?=[^\W\d])", "\u00a0", text)
    return re.sub(r"(?<=[$€£]) (?=\d)", "\u2009", text)


def quotes(text: str, lang: str, rng: random.Random) -> str:
    """Curly quotes for straight ones and straight ones for curly ones; typographic apostrophes."""
    swapped = text.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2019": "'"}))
    if swapped != text:
        return swapped
    count = [0]

    def curly(match: re.Match[str]) -> str:
        count[0] += 1
        return "\u201c" if count[0] % 2 else "\u201d"

    return re.sub(r"(?<=\w)'(?=\w)", "\u2019", re.sub('"', curly, text))


PERTURBATIONS: dict[str, Callable[[str, str, random.Random], str]] = {
    "wrap": wrap, "tight_wrap": tight_wrap, "hyphen_wrap": hyphen_wrap, "caption": caption, "teaser": teaser,
    "share": share,
    "entities": entities, "dateline": dateline, "broken_lines": broken_lines, "blank_lines": blank_lines,
    "crlf": crlf, "spaces": spaces, "quotes": quotes, "markup": markup, "combined": combined,
}


def perturb(name: str, text: str, lang: str, seed: int = 0) -> str:
    return PERTURBATIONS[name](text, lang, random.Random(f"{name}:{seed}:{len(text)}"))
