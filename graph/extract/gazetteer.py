"""Gazetteer matching: countries, organisations, equipment systems, persons and cities.

One matcher per language, built lazily from the reference knowledge (``graph.knowledge``) and the
language lexicon. Surface forms are tokenised like the text and looked up as token n-grams
(longest first), so matching costs a few dictionary look-ups per token. Short all-letter forms
("US", "EU", "UK") must match case-sensitively. For compounding languages a known name may also be
the first part of a compound ("Natomedlemmar", "Trumpadministrationen"); hyphenated compounds
("Patriot-Systeme", "Nato-Staaten") are split by the tokeniser and need no special rule.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import pickle
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from graph.cache import cache_dir, write_atomically
from graph.extract.lexicon import Lexicon, load_lexicon
from graph.extract.text import Token, fold, tokenise
from graph.knowledge import load_knowledge

_INITIAL = re.compile(r"[A-ZÀ-Þ]")
_FORM_NOISE = re.compile(r"[.\s\-/]")
_ELISION_MAX = 4  # letters of an elided article or preposition before an apostrophe ("dell'", "l'")
_CACHE_FORMAT = 1  # bump when the pickled tables change shape


class Entry(NamedTuple):
    """One known surface form (a tuple: cheap to build and to unpickle from the cache)."""

    kind: str  # country | org | equipment | person | surname | city
    key: str  # ISO2, organisation key, equipment id, person id, English city name
    form: str  # the alias as written
    case_sensitive: bool
    flavour: str = "name"  # country: name | adjective | metonym


@dataclass(frozen=True, slots=True)
class Mention:
    """A known name in the text. ``place`` is True for a country named right after a preposition of
    place ("in Saudi-Arabien", "à Madrid"): a location, which is an actor only if named so elsewhere."""

    kind: str
    key: str
    start: int  # offsets in the normalised article text
    end: int
    surface: str
    flavour: str = "name"
    place: bool = False


class Gazetteer:
    """Token n-gram dictionary of every known surface form in one language.

    ``Gazetteer(lexicon)`` builds the tables from the reference knowledge; ``tables`` (from
    :meth:`tables`) restores a gazetteer built earlier without rebuilding it.
    """

    def __init__(self, lexicon: Lexicon, tables: tuple | None = None) -> None:
        self.lexicon = lexicon
        self.entries: dict[str, list[Entry]] = {}
        self.max_tokens = 1
        self.span_by_first: dict[str, int] = {}  # first token key -> longest entry in tokens
        self.prefixes: dict[str, list[Entry]] = {}
        self.place_prepositions = frozenset(fold(w) for w in lexicon.data.get("place_prepositions", ()))
        if tables is None:
            self._build()
        else:
            self.entries, self.max_tokens, self.span_by_first, self.prefixes = tables

    def tables(self) -> tuple:
        """The built look-up tables (picklable), for :class:`Gazetteer` ``(lexicon, tables)``."""
        return self.entries, self.max_tokens, self.span_by_first, self.prefixes

    # -- building ------------------------------------------------------------------------------
    def _add(self, form: str, entry_kind: str, key: str, flavour: str = "name") -> None:
        tokens = tokenise(form)
        if not tokens:
            return
        letters = re.sub(r"[^\w]", "", form)
        case_sensitive = len(letters) <= 3 or (entry_kind in ("person", "surname"))
        entry = Entry(entry_kind, key, form, case_sensitive, flavour)
        lookup = " ".join(t.key for t in tokens)
        bucket = self.entries.setdefault(lookup, [])
        if all((e.kind, e.key, e.flavour) != (entry.kind, entry.key, entry.flavour) for e in bucket):
            bucket.append(entry)
        self.max_tokens = max(self.max_tokens, len(tokens))
        first = tokens[0].key
        self.span_by_first[first] = max(self.span_by_first.get(first, 0), len(tokens))
        if (
            self.lexicon.compounds
            and len(tokens) == 1
            and len(lookup) >= 4
            and entry_kind in ("org", "equipment", "surname")
        ):
            self.prefixes.setdefault(lookup, []).append(entry)

    def _build(self) -> None:
        kb = load_knowledge()
        own = self.lexicon.lang
        langs = _languages(own)
        inflect = _inflector(self.lexicon.data.get("inflections", ()))
        for country in kb.countries.values():
            for lang in langs:
                for name in country.names.get(lang, ()):
                    for form in inflect(name, "name") if lang == own else (name,):
                        self._add(form, "country", country.code, "name")
                for name in country.adjectives.get(lang, ()):
                    for form in inflect(name, "adjective") if lang == own else (name,):
                        self._add(form, "country", country.code, "adjective")
                for name in country.metonyms.get(lang, ()):
                    self._add(name, "country", country.code, "metonym")
        for org in kb.organisations.values():
            self._add(org.name, "org", org.key)
            for lang in langs:
                for name in org.names.get(lang, ()):
                    for form in inflect(name, "name") if lang == own else (name,):
                        self._add(form, "org", org.key)
        plurals = tuple(self.lexicon.data.get("designator_plurals", ()))
        for item in kb.equipment.values():
            self._add(item.name, "equipment", item.id)
            for lang in langs:
                for name in item.aliases.get(lang, ()):
                    self._add(name, "equipment", item.id)
            for name in (item.name, *item.aliases.get("xx", ())):
                if name[-1:].isdigit():  # a model designator takes a plural ending: "CV90s", "F-16's"
                    for ending in plurals:
                        self._add(name + ending, "equipment", item.id)
        surnames: dict[str, set[str]] = {}
        for person in kb.persons.values():
            for name in (person.name, *person.aliases):
                *first, last = name.split()
                for form in inflect(last, "surname"):  # "Antti Häkkäsen", "Borisem Pistoriem"
                    self._add(" ".join((*first, form)), "person", person.id)
                _add_inflected_first_names(self, first, last, inflect, person.id)  # "Donaldem Tuskiem"
                if first:
                    surnames.setdefault(last, set()).add(person.id)
        for surname, ids in surnames.items():
            if len(ids) == 1 and len(surname) >= 4:
                for form in inflect(surname, "surname"):
                    self._add(form, "surname", next(iter(ids)))
        for city, forms in self.lexicon.cities.items():
            for form in (city, *forms):
                self._add(form, "city", city)

    # -- matching ------------------------------------------------------------------------------
    def match(self, text: str, tokens: list[Token]) -> list[Mention]:
        """All gazetteer mentions in ``tokens`` (longest match first, left to right)."""
        mentions: list[Mention] = []
        starts = self.span_by_first
        i = 0
        while i < len(tokens):
            if tokens[i].key not in starts:
                i += self._match_inflected(text, tokens[i], mentions) or 1
                continue
            found: list[Mention] = []
            consumed = self._match_at(text, tokens, i, found)
            # a longer name starting inside this match wins: "the Ukraine Defense Contact Group"
            for j in range(i + 1, i + consumed):
                if tokens[j].key in starts:
                    later: list[Mention] = []
                    reach = self._match_at(text, tokens, j, later)
                    if j + reach > i + consumed:
                        i, consumed, found = j, reach, later
                        break
            if found and _is_given_name(text, tokens, i + consumed, found):
                found = [m for m in found if m.kind != "country"]  # "Chad J. McNeeley", "Jordan B. Smith"
            if found and i and tokens[i - 1].key in self.place_prepositions:
                found = [m if m.kind != "country" else replace(m, place=True)
                         for m in found if m.flavour != "metonym"]  # "à Prague" is the city, not Czechia
            mentions.extend(found)
            i += consumed or 1
        return mentions

    def _match_at(self, text: str, tokens: list[Token], i: int, out: list[Mention]) -> int:
        longest = self.span_by_first.get(tokens[i].key, 0)
        if longest and i + 1 < len(tokens) and _is_initial(tokens[i + 1]):
            longest += 1
        limit = min(longest, len(tokens) - i)
        for n in range(limit, 0, -1):
            span = tokens[i : i + n]
            if not _contiguous(text, span):
                continue
            keys = [" ".join([t.key for t in span])]
            if n > 2:  # "Antony J. Blinken" -> "antony blinken"
                inner = [t for k, t in enumerate(span) if not (0 < k < n - 1 and _is_initial(t))]
                if len(inner) < n:
                    keys.append(" ".join([t.key for t in inner]))
            for key in keys:
                hits = self._accept(self.entries.get(key, ()), text, span)
                if hits:
                    start, end = span[0].start, span[-1].end
                    out.extend(Mention(e.kind, e.key, start, end, text[start:end], e.flavour) for e in hits)
                    return n
        return self._match_inflected(text, tokens[i], out)

    def _accept(self, entries, text: str, span: list[Token]) -> list[Entry]:
        if not entries:
            return []
        surface = text[span[0].start : span[-1].end]
        accepted = []
        for entry in entries:
            if _needs_capital(entry) and not _capitalised_like(surface, entry.form):
                continue  # "réunion" (a meeting) is not Réunion, nor "La réunion" La Réunion
            if entry.case_sensitive:
                if entry.kind in ("person", "surname"):
                    if not all(t.text[:1].isupper() or t.text[:1].isdigit() for t in span):
                        continue
                elif _FORM_NOISE.sub("", surface) != _FORM_NOISE.sub("", entry.form):
                    continue
            accepted.append(entry)
        return accepted

    def _match_inflected(self, text: str, token: Token, out: list[Mention]) -> int:
        """Genitive forms ("USA:s", "Frankreichs") and compound modifiers ("Natomedlemmar")."""
        key = token.key
        apostrophe = key.find("'")
        if 0 < apostrophe <= _ELISION_MAX and apostrophe < len(key) - 3:  # l'Ukraine, dell'Italia
            hits = self.entries.get(key[apostrophe + 1 :])
            if hits:
                capital = token.text[apostrophe + 1 : apostrophe + 2].isupper()
                hits = [e for e in hits if not e.case_sensitive and (capital or not _needs_capital(e))]
                out.extend(Mention(e.kind, e.key, token.start, token.end, token.text, e.flavour)
                           for e in hits)
                return 1 if hits else 0
        suffixes = self.lexicon.genitive_suffixes
        for suffix in suffixes if suffixes and key.endswith(suffixes) else ():
            if key.endswith(suffix) and len(key) - len(suffix) >= 3:
                base = key[: -len(suffix)]
                hits = [
                    e for e in self.entries.get(base, ()) if e.kind in ("country", "org", "person", "surname")
                ]
                capital = token.text[:1].isupper()
                hits = [e for e in hits if capital or not (e.case_sensitive or _needs_capital(e))]
                if hits:
                    out.extend(
                        Mention(e.kind, e.key, token.start, token.end, token.text, e.flavour) for e in hits
                    )
                    return 1
        if self.prefixes and token.text[:1].isupper() and len(key) >= 7:
            for cut in range(len(key) - 4, 3, -1):
                hits = self.prefixes.get(key[:cut])
                if hits and key[cut:].isalpha():
                    out.extend(
                        Mention(e.kind, e.key, token.start, token.end, token.text, e.flavour) for e in hits
                    )
                    return 1
        return 0


def _inflector(rules) -> Callable[[str, str], list[str]]:
    """``inflect(form, kind)``: ``form`` and the forms the language's ``inflections`` make of it.

    A rule ``{"from": regex, "to": [replacements], "kinds": ["name" | "adjective" | "surname"]}``
    rewrites the end of a one-word form ("saksalainen" -> "saksalaisen", "Německo" -> "Německa",
    "Pistorius" -> "Pistoriuksen"); several words, digits and short forms (codes) are left as they are."""
    compiled = [(re.compile(rule["from"]), tuple(rule["to"]), frozenset(rule.get("kinds", ("name",))))
                for rule in rules]

    def inflect(form: str, kind: str) -> list[str]:
        forms = [form]
        if not compiled or not form.isalpha() or len(form) < 4 or form.isupper():
            return forms
        for pattern, replacements, kinds in compiled:
            if kind in kinds and pattern.search(form):
                forms.extend(pattern.sub(replacement, form) for replacement in replacements)
        return list(dict.fromkeys(forms))

    return inflect


def _languages(lang: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((lang, "en", "xx")))


def _is_given_name(text: str, tokens: list[Token], after: int, found: list[Mention]) -> bool:
    """A one-word country name followed by an initial and a capitalised word is a given name."""
    if after + 1 >= len(tokens) or any(m.kind != "country" or " " in m.surface for m in found):
        return False
    initial, surname = tokens[after], tokens[after + 1]
    return (_is_initial(initial) and text[initial.end : initial.end + 1] == "."
            and surname.text[:1].isupper() and len(surname.text) > 1)


def _capitalised_like(surface: str, form: str) -> bool:
    """Every word the form writes with a capital is capitalised in the text too."""
    words, form_words = surface.split(), form.split()
    if len(words) != len(form_words):
        return surface[:1].isupper()
    return all(w[:1].isupper() for w, f in zip(words, form_words, strict=True) if f[:1].isupper())


def _needs_capital(entry: Entry) -> bool:
    """Names of countries (and their capitals) written with a capital match only capitalised words."""
    return entry.kind == "country" and entry.flavour != "adjective" and entry.form[:1].isupper()


def _is_initial(token: Token) -> bool:
    return len(token.text) == 1 and bool(_INITIAL.match(token.text))


def _contiguous(text: str, span: list[Token]) -> bool:
    for left, right in itertools.pairwise(span):
        gap = text[left.end : right.start]
        if gap.strip(" -/.") or len(gap) > 3:
            return False
    return True


@functools.cache
def gazetteer_for(lang: str) -> Gazetteer:
    """The compiled gazetteer of ``lang``: built on first use, then cached in memory and on disk.

    The disk cache (``$AIDGRAPH_CACHE_DIR`` or ``~/.cache/aidgraph``; ``AIDGRAPH_CACHE_DIR=off``
    disables it) is keyed by a hash of the knowledge data, the language files and this code, so an
    edit of any of them rebuilds the gazetteer. An unreadable or unwritable cache is ignored.
    """
    lexicon = load_lexicon(lang)
    path = _cache_path(lexicon.lang)
    if path is not None:
        try:
            with path.open("rb") as handle:
                return Gazetteer(lexicon, pickle.load(handle))
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            pass
    gazetteer = Gazetteer(lexicon)
    if path is not None:
        _write_cache(path, gazetteer.tables())
    return gazetteer


def _cache_path(lang: str) -> Path | None:
    root = cache_dir()
    return None if root is None else root / f"gazetteer-{lang}-{_fingerprint(lang)}.pickle"


def _fingerprint(lang: str) -> str:
    """A hash of everything a built gazetteer depends on."""
    from graph.extract import text as text_module
    from graph.extract.lexicon import ENTITY_DIR, LANG_DIR, SHARED
    from graph.knowledge import DATA_DIR

    digest = hashlib.sha256(f"{_CACHE_FORMAT} {sys.version_info[:2]}".encode())
    sources = [
        *sorted(DATA_DIR.glob("*.json")),
        LANG_DIR / f"{SHARED}.json",
        LANG_DIR / f"{lang}.json",
        ENTITY_DIR / f"{SHARED}.json",
        ENTITY_DIR / f"{lang}.json",
        Path(__file__),
        Path(text_module.__file__),
    ]
    for source in sources:
        if source.is_file():
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:20]


def _write_cache(path: Path, tables: tuple) -> None:
    """Write atomically (a temporary file renamed into place), so parallel runs never read half a file."""
    write_atomically(path, lambda handle: pickle.dump(tables, handle, protocol=pickle.HIGHEST_PROTOCOL))


def _add_inflected_first_names(gazetteer, first: list[str], last: str, inflect, person_id: str) -> None:
    """A first name declined with its surname ("Donaldem Tuskiem", "Wołodymyrem Zełenskim"): every
    inflected form of a single first name with every form of the surname, by the language's
    ``inflections`` (a language without surname rules adds nothing)."""
    if len(first) != 1:
        return
    firsts = inflect(first[0], "surname")[1:]
    for head in firsts:
        for form in inflect(last, "surname"):
            gazetteer._add(f"{head} {form}", "person", person_id)
