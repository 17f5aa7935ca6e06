"""The relation lexicon of a language (``lang/relations/<code>.json``) and the cue finder.

A relation lexicon lists, by class, the lemmas and lemma sequences that mark how aid facts are
stated: trigger verbs and nouns by class (``triggers``: give, deliver, fund, buy_for, plan, propose,
train, receive, deploy, pledge, include) and cues (``cues``: negation, request, agenda, background,
cumulative, package, jointly, agent and purpose prepositions, complementisers, contrast openers ...).
Entries are written as lemmas, one word or several separated by spaces:

- ``"hand over"``: consecutive words;
- ``"sagen … zu"``: the words after ``…`` follow later in the same clause (separable verbs);
- ``"=countries"``: this exact form, not any form of its lemma (plural collectives);
- ``"-made"``: a word glued to the previous one by a hyphen ("American-made").

Text is lemmatised once (:mod:`graph.extract.lemmas`), so an entry matches every inflected form
simplemma knows; the lexicon's ``forms`` correct the tables. In compounding languages the classes
named in ``compound_classes`` also match as the end of a longer word ("Militärhilfepaket" ->
package). Nothing here depends on a particular language.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.extract.lemmas import Lemmatiser, lemma_key, lemmatiser_for
from graph.extract.lexicon import canonical_language
from graph.extract.text import Token

RELATIONS_DIR = Path(__file__).with_name("lang") / "relations"
TRIGGER_CLASSES = ("pledge", "give", "deliver", "fund", "buy_for", "plan", "propose", "train", "receive",
                   "deploy", "include")
GAP = "…"
# tokens between the two parts of a separable entry: a German verb bracket holds a day, a venue,
# a sum and a list ("sagte ... am Rande ... in Berlin ... 500 Millionen Euro zu")
_GAP_REACH = 48
_CLAUSE_END = re.compile(r"[.;:!?]")


@dataclass(frozen=True, slots=True)
class Word:
    """One word of an entry: a lemma (or an exact form), perhaps glued to the previous word."""

    value: str
    exact: bool = False
    glued: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    """One relation cue of a lexicon class: its words, where a "…" gap falls, and its text."""

    cls: str
    words: tuple[Word, ...]
    gap: int  # index of the first word after "…" (len(words) when there is no gap)
    text: str


@dataclass(frozen=True, slots=True)
class Cue:
    """A lexicon match in a sentence: class, token range [first, last) and character span."""

    cls: str
    first: int
    last: int
    start: int
    end: int
    entry: str


class RelationLexicon:
    """The compiled relation lexicon of one language."""

    def __init__(self, lang: str, data: dict[str, Any]) -> None:
        self.lang = lang
        self.data = data
        corrections = tuple(sorted((data.get("forms") or {}).items()))
        self.lemmatiser: Lemmatiser = lemmatiser_for(lang, corrections)
        self.compounds = bool(data.get("compounds"))
        self.past_forms = frozenset(lemma_key(w) for w in data.get("past_forms", []))
        self.past_suffixes = tuple(lemma_key(s) for s in data.get("past_suffixes", []))
        self.first_person_suffixes = tuple(lemma_key(s) for s in data.get("first_person_suffixes", []))
        # endings of a synthetic future ("enviará", "invierà", "enverra"): the tense says it is to come
        self.future_suffixes = tuple(lemma_key(s) for s in data.get("future_suffixes", []))
        # case endings that make a name the source ("from Norway") where no preposition does
        self.agent_endings = tuple(lemma_key(s) for s in data.get("agent_endings", []))
        # case endings that make a noun the purpose of a sum ("ampumatarvikkeisiin": for ammunition)
        self.purpose_endings = tuple(lemma_key(s) for s in data.get("purpose_endings", []))
        self.home_country: str | None = data.get("home_country")
        self.elisions = tuple(lemma_key(e) for e in data.get("elisions", []))  # "n'", "l'", "dell'"
        self.institutions = {self._lemma_of(k): v for k, v in (data.get("institutions") or {}).items()}
        self.entries: list[Entry] = []
        for cls, words in (data.get("triggers") or {}).items():
            self.entries += [self._entry(cls, w) for w in words]
        for cls, words in (data.get("cues") or {}).items():
            self.entries += [self._entry(cls, w) for w in words]
        unique: dict[tuple, Entry] = {}
        for entry in self.entries:  # "be", "been", "being" are one lemma: one entry
            unique.setdefault((entry.cls, entry.words, entry.gap), entry)
        self.entries = list(unique.values())
        self.index: dict[str, list[Entry]] = {}
        for entry in sorted(self.entries, key=lambda e: -len(e.words)):
            self.index.setdefault(entry.words[0].value, []).append(entry)
        # a negation written as a prefix of the verb ("nepošle", "nedodá"): the verb is negated
        self.negation_prefixes = tuple(lemma_key(p) for p in data.get("negation_prefixes", []))
        self.trigger_lemmas = frozenset(e.words[0].value for e in self.entries if e.cls in TRIGGER_CLASSES)
        self.compound_classes = frozenset(data.get("compound_classes", []))
        self.heads: dict[str, list[Entry]] = {}
        if self.compounds and self.compound_classes:
            for entry in self.entries:
                if entry.cls in self.compound_classes and len(entry.words) == 1:
                    self.heads.setdefault(entry.words[0].value, []).append(entry)
            self.lemmatiser.allow_heads(set(self.heads))

    def _lemma_of(self, word: str) -> str:
        return self.lemmatiser.lemma(lemma_key(word))

    def _entry(self, cls: str, text: str) -> Entry:
        words: list[Word] = []
        gap = None
        for raw in text.split():
            if raw == GAP or raw == "...":
                gap = len(words)
                continue
            glued = raw.startswith("-") and len(raw) > 1
            raw = raw[1:] if glued else raw
            exact = raw.startswith("=") and len(raw) > 1
            raw = raw[1:] if exact else raw
            key = lemma_key(raw)
            words.append(Word(key if exact else self.lemmatiser.lemma(key), exact, glued))
        if not words:
            raise InputError(f"relation lexicon {self.lang}: empty entry in class {cls!r}",
                             hint=f"fix graph/extract/lang/relations/{self.lang}.json")
        return Entry(cls, tuple(words), len(words) if gap is None else gap, text)

    def lemmas(self, tokens: list[Token]) -> list[str]:
        """The lemma of every token (of the word after an elided article or particle: "n'enverra")."""
        lemma = self.lemmatiser.lemma_of_text
        if not self.elisions:
            found = [lemma(t.text) for t in tokens]
        else:
            found = [lemma(self._elided(t.text)[1]) for t in tokens]
        if self.negation_prefixes:
            for i, token in enumerate(tokens):
                unprefixed = self._negated_lemma(lemma_key(token.text))
                if unprefixed is not None:
                    found[i] = unprefixed
        return found

    def _negated_lemma(self, form: str) -> str | None:
        """The trigger lemma of a verb with a negation prefix ("nedodá" -> dodat), else None."""
        for prefix in self.negation_prefixes:
            if form.startswith(prefix) and len(form) > len(prefix) + 2:
                lemma = self.lemmatiser.lemma(form[len(prefix):])
                if lemma in self.trigger_lemmas and self.lemmatiser.lemma(form) in (form, lemma):
                    return lemma
        return None

    def _elided(self, text: str) -> tuple[str | None, str]:
        """("n'", "enverra") for "n'enverra"; (None, text) for a word without an elided prefix."""
        if "'" in text:
            key = lemma_key(text)
            for prefix in self.elisions:
                if key.startswith(prefix) and len(key) > len(prefix):
                    return prefix, text[len(prefix):]
        return None, text

    def find(self, text: str, offset: int, tokens: list[Token], lemmas: list[str],
             names: list[tuple[int, int]] = ()) -> list[Cue]:
        """Every cue of a sentence (``text`` starts at ``offset``), longest entries first at each token;
        none inside ``names`` (character spans of names: "U.S." is no pronoun)."""
        found: list[Cue] = []
        index = self.index
        heads = self.heads
        n = len(tokens)
        blocked = _inside_spans(tokens, names) if names else ()
        forms = [lemma_key(t.text) for t in tokens]
        for i in range(n):
            token = tokens[i]
            if i in blocked:
                continue
            form = forms[i]
            candidates = index.get(lemmas[i])
            if form != lemmas[i]:
                by_form = index.get(form)
                if by_form:
                    candidates = [*candidates, *by_form] if candidates else by_form
            matched_here = False
            if self.negation_prefixes and self._negated_lemma(form) is not None:
                found.append(Cue("negation", i, i + 1, token.start, token.end, "ne-"))
            if candidates:
                for entry in candidates:
                    last = self._match(entry, text, offset, tokens, lemmas, i, forms)
                    if last is not None:
                        end = tokens[last - 1].end
                        found.append(Cue(entry.cls, i, last, token.start, end, entry.text))
                        matched_here = True
            if self.elisions and "'" in token.text:
                prefix, _ = self._elided(token.text)
                entries = [*index.get(prefix, ()), *index.get(self.lemmatiser.lemma(prefix), ())] \
                    if prefix else []
                for entry in entries:
                    if len(entry.words) == 1:
                        found.append(Cue(entry.cls, i, i + 1, token.start, token.end, entry.text))
            if heads and not matched_here and len(form) >= 7:
                lemma = self.lemmatiser.head(form)
                for entry in heads.get(lemma, ()) if lemma else ():
                    found.append(Cue(entry.cls, i, i + 1, token.start, token.end, entry.text))
        return found

    @staticmethod
    def _fits(word: Word, token: Token, lemma: str, form: str) -> bool:
        """Whether ``token`` (folded ``form``, ``lemma``) is the entry's ``word``."""
        if word.glued and not token.glued:
            return False
        if word.exact:
            return form == word.value
        return lemma == word.value or form == word.value

    def _match(self, entry: Entry, text: str, offset: int, tokens: list[Token], lemmas: list[str],
               i: int, forms: list[str]) -> int | None:
        """The token after the match of ``entry`` at token ``i`` (None: no match); ``forms`` are the
        tokens' :func:`lemma_key` forms."""
        words = entry.words
        n = len(tokens)
        fits = self._fits
        j = i
        for k in range(entry.gap):
            if j >= n or not fits(words[k], tokens[j], lemmas[j], forms[j]):
                return None
            j += 1
        if entry.gap == len(words):
            return j
        # the rest follows later in the clause ("sagte ... weitere Hilfe zu")
        rest = words[entry.gap:]
        for start in range(j, min(n, j + _GAP_REACH)):
            between = text[tokens[start - 1].end - offset : tokens[start].start - offset]
            if _CLAUSE_END.search(between):
                return None
            if all(start + k < n and fits(w, tokens[start + k], lemmas[start + k], forms[start + k])
                   for k, w in enumerate(rest)):
                return start + len(rest)
        return None

    def is_first_person(self, token: Token) -> bool:
        """Whether a verb form is in the first person plural ("przekazujemy", "enviamos")."""
        form = lemma_key(token.text)
        return len(form) > 5 and any(form.endswith(s) for s in self.first_person_suffixes)

    def is_future(self, token: Token, lemma: str) -> bool:
        """Whether a trigger word is a synthetic future form (lexicon ``future_suffixes``)."""
        form = lemma_key(token.text)
        return form != lemma and any(form.endswith(s) for s in self.future_suffixes)

    def is_past(self, token: Token, lemma: str) -> bool:
        """Whether a trigger word is a past form (simple past or participle)."""
        form = lemma_key(token.text)
        if form in self.past_forms:
            return True
        return form != lemma and any(form.endswith(s) for s in self.past_suffixes)


def _inside_spans(tokens: list[Token], spans: list[tuple[int, int]]) -> set[int]:
    """Indices of the tokens that lie inside one of ``spans`` (one pass over both, sorted)."""
    inside: set[int] = set()
    ordered = sorted(spans)
    j = 0
    for i, token in enumerate(tokens):
        while j < len(ordered) and ordered[j][1] <= token.start:
            j += 1
        k = j
        while k < len(ordered) and ordered[k][0] <= token.start:
            if token.end <= ordered[k][1]:
                inside.add(i)
                break
            k += 1
    return inside


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"relation lexicon {path} is not valid JSON: {exc}",
                         hint="fix the file; `git diff` shows what changed") from exc


@functools.cache
def relation_lexicon(lang: str) -> RelationLexicon:
    """The relation lexicon of ``lang`` (empty when the language has none), with the ``compounds``
    flag and ``home_country`` of its main lexicon."""
    from graph.extract.lexicon import load_lexicon

    code = canonical_language(lang) or "xx"
    path = RELATIONS_DIR / f"{code}.json"
    data = _read(path) if path.exists() else {}
    main = load_lexicon(code).data
    data.setdefault("compounds", main.get("compounds", False))
    data.setdefault("home_country", main.get("home_country"))
    return RelationLexicon(code, data)


__all__ = ["GAP", "RELATIONS_DIR", "TRIGGER_CLASSES", "Cue", "RelationLexicon", "relation_lexicon"]
