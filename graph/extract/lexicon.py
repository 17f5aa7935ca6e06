"""Language knowledge as data: ``graph/extract/lang/<code>.json`` merged over the shared ``xx.json``.

Each language file holds word lists and regular-expression fragments (role nouns, category nouns,
status triggers, negation cues, meeting nouns ...). Lists from ``xx.json`` and the language file
are concatenated; dictionaries are merged (the language wins). Nothing in the code branches on a
language code: to add a language, add its JSON file.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.extract.starts import StartIndex, first_characters

LANG_DIR = Path(__file__).with_name("lang")
ENTITY_DIR = Path(__file__).with_name("entities")  # posts, category nouns, home country
SHARED = "xx"
LANGUAGE_ALIASES = {"no": "nb", "nn": "nb"}


@functools.cache
def supported_languages() -> tuple[str, ...]:
    """Codes of the languages that have a lexicon file (without the shared ``xx``)."""
    return tuple(sorted(p.stem for p in LANG_DIR.glob("*.json") if p.stem != SHARED))


def canonical_language(lang: str | None) -> str | None:
    """``"no"`` -> ``"nb"``; ``"de-AT"`` -> ``"de"``; unknown codes are returned lower-cased."""
    if not lang:
        return None
    code = lang.strip().lower().replace("_", "-").split("-", 1)[0]
    return LANGUAGE_ALIASES.get(code, code)


def _read(code: str, folder: Path = LANG_DIR) -> dict[str, Any]:
    path = folder / f"{code}.json"
    if folder is ENTITY_DIR and not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"language file {path} is not valid JSON: {exc}",
            hint="fix the file; `git diff` shows what changed",
        ) from exc


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if key in merged and isinstance(value, list) and isinstance(merged[key], list):
            merged[key] = [*merged[key], *value]
        elif key in merged and isinstance(value, dict) and isinstance(merged[key], dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def word_alternation(patterns: list[str] | str | None) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any of ``patterns`` as whole words."""
    if not patterns:
        return None
    if isinstance(patterns, str):
        patterns = [patterns]
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?<![\w-])(?:{body})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class CategoryNoun:
    """A noun phrase naming a class of items: ``name`` (English) and ``category``."""

    pattern: str
    name: str | None
    category: str | None
    absorbs_object: bool = False
    coordinated_only: bool = False  # an item only in a list with another item ("weapons and ammunition")


@dataclass(frozen=True)
class RoleNoun:
    """A post noun of a language ("defence minister"): the role it names and whose post it is."""

    pattern: re.Pattern[str]
    first: frozenset[str] | None  # characters a match begins with (None: any)
    role: str
    country: str | None  # fixed scope ("Pentagon chief" -> US, "Secretary General" -> None)
    scope_kind: str  # "country" or "org": what kind of actor the post belongs to


class Lexicon:
    """The merged, compiled language data of one language."""

    def __init__(self, lang: str, data: dict[str, Any]) -> None:
        self.lang = lang
        self.data = data
        self.abbreviations = frozenset(w.casefold() for w in data.get("abbreviations", []))
        self.month_words = frozenset(w.casefold() for w in data.get("months", []))
        self.compounds = bool(data.get("compounds", False))
        self.genitive_suffixes = tuple(data.get("genitive_suffixes", []))
        self.honorifics = frozenset(w.casefold().rstrip(".") for w in data.get("honorifics", []))
        self.cities: dict[str, list[str]] = data.get("cities", {})
        self.org_donor: dict[str, str] = data.get("org_donor", {})
        # funds and purchase mechanisms: money paid into them is money given as money (financial)
        self.purchase_mechanisms = frozenset(data.get("purchase_mechanisms", []))
        self.non_donors = frozenset(data.get("non_donor_countries", []))
        self.default_recipient: str = data.get("default_recipient", "UA")
        self.donor_roles = frozenset(data.get("donor_roles", []))
        self.meeting_formats: dict[str, str] = data.get("meeting_formats", {})
        self.category_nouns = [
            CategoryNoun(e["re"], e.get("name"), e.get("category"), bool(e.get("absorbs_object")),
                         bool(e.get("coordinated_only")))
            for e in data.get("categories", [])
        ]
        self.category_pattern = (
            re.compile(
                "|".join(
                    f"(?P<c{i}>(?<![\\w-]){e.pattern})(?!\\w)" for i, e in enumerate(self.category_nouns)
                ),
                re.IGNORECASE,
            )
            if self.category_nouns
            else None
        )
        nouns = [noun.pattern for noun in self.category_nouns]
        self.category_index = StartIndex(nouns, "(?P<c{i}>(?<![\\w-]){p})(?!\\w)")
        self.glued_category_index = StartIndex(nouns, "(?P<c{i}>{p})(?!\\w)")
        self.roles = [
            RoleNoun(
                re.compile(rf"(?<![\w])(?:{e['re']})(?!\w)", re.IGNORECASE),
                first_characters(e["re"]),
                e["role"],
                e.get("country"),
                e.get("scope", "country"),
            )
            for e in data.get("roles", [])
        ]
        self._roles_by_first: dict[str, list[RoleNoun]] = {}
        self.triggers = {
            status: word_alternation(patterns) for status, patterns in data.get("triggers", {}).items()
        }
        self.trigger_index = {
            status: StartIndex(patterns if isinstance(patterns, list) else [patterns],
                               "(?<![\\w-])(?:{p})(?!\\w)")
            for status, patterns in data.get("triggers", {}).items()
            if patterns
        }
        self.patterns = {
            name: word_alternation(data.get(name))
            for name in (
                "negation",
                "continuation",
                "earlier",
                "conversion",
                "agent_prepositions",
                "collective_donors",
                "aid_nouns",
                "meeting_nouns",
                "remote",
                "chair",
                "attend",
                "former",
                "type_of",
                "military_context",
                "country_count",
                "quote_attribution",
                "coordination",
                "recipient_prepositions",
                "range_start",
                "media_nouns",
                "not_at_meeting",
                "purpose_prepositions",
            )
        }

    def roles_starting_with(self, character: str) -> list[RoleNoun]:
        """The role nouns whose matches may begin with ``character``."""
        key = character.lower()
        roles = self._roles_by_first.get(key)
        if roles is None:
            roles = [r for r in self.roles if r.first is None or key in r.first]
            self._roles_by_first[key] = roles
        return roles

    def pattern(self, name: str) -> re.Pattern[str] | None:
        """The compiled alternation for the lexicon list ``name`` (None when the language has none)."""
        return self.patterns.get(name)


@functools.cache
def load_lexicon(lang: str) -> Lexicon:
    """The lexicon of ``lang`` merged over the shared ``xx`` data (cached per language)."""
    code = canonical_language(lang) or SHARED
    data = _merge(_read(SHARED), _read(SHARED, ENTITY_DIR))
    if code != SHARED and (LANG_DIR / f"{code}.json").exists():
        data = _merge(data, _read(code))
    if code != SHARED:
        data = _merge(data, _read(code, ENTITY_DIR))
    return Lexicon(code, data)
