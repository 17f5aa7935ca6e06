"""Language data for the normalisers: one JSON file per language in ``data/``, merged with ``xx.json``.

A language file holds number words, magnitude words, currency names, approximate/cumulative cues,
month and weekday names and the date rules (see ``data/en.json`` for the full set of keys). The code in
this package has no language branches: adding a language means adding a JSON file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

FALLBACK = "xx"


@dataclass(frozen=True)
class Language:
    """The merged language data of one language (its own file plus the ``xx`` fallback)."""

    code: str
    data: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def decimal_separator(self) -> str:
        return self.data.get("decimal_separator", ".")

    @property
    def group_separators(self) -> tuple[str, ...]:
        return tuple(self.data.get("group_separators", [","]))


def _data_files() -> dict[str, dict[str, Any]]:
    folder = resources.files(__package__).joinpath("data")
    loaded = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            record = json.loads(entry.read_text(encoding="utf-8"))
            loaded[record["code"]] = record
    return loaded


@cache
def _raw_languages() -> dict[str, dict[str, Any]]:
    return _data_files()


@cache
def _alias_table() -> dict[str, str]:
    table = {}
    for code, record in _raw_languages().items():
        table[code] = code
        for alias in record.get("aliases", []):
            table[alias.lower()] = code
    return table


def supported_languages() -> tuple[str, ...]:
    """The language codes with their own data file (without the ``xx`` fallback)."""
    return tuple(sorted(code for code in _raw_languages() if code != FALLBACK))


def canonical_code(lang: str | None) -> str:
    """Map a language tag to a data file code: ``"no"``/``"nn"`` -> ``"nb"``, ``"en-GB"`` -> ``"en"``,
    anything unknown (or None) -> ``"xx"`` (digits, ISO codes and symbols only)."""
    if not lang:
        return FALLBACK
    primary = re.split(r"[-_]", lang.strip().lower(), maxsplit=1)[0]
    return _alias_table().get(primary, FALLBACK)


def _merge(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        elif key == "date_rules":
            merged[key] = list(value) + list(merged.get(key, []))
        else:
            merged[key] = value
    return merged


@cache
def language(lang: str | None) -> Language:
    """The merged data of ``lang`` (cached; aliases and unknown codes resolved by :func:`canonical_code`)."""
    code = canonical_code(lang)
    raw = _raw_languages()
    data = raw[FALLBACK] if code == FALLBACK else _merge(raw[FALLBACK], raw[code])
    return Language(code=code, data=data)


def alternation(words: list[str] | tuple[str, ...], *, optional_dot: bool = False) -> str:
    """A regex alternation of literal ``words`` in lower case (patterns run on lower-cased text), longest
    first so that the longest form wins; spaces inside a word match any run of whitespace."""
    parts = []
    for word in sorted({word.lower() for word in words}, key=len, reverse=True):
        escaped = r"\s+".join(re.escape(piece) for piece in word.split(" "))
        parts.append(escaped + (r"\.?" if optional_dot and not word.endswith(".") else ""))
    return "|".join(parts) if parts else r"(?!x)x"


def fold(word: str) -> str:
    """The lookup key of a surface word: lower case, whitespace collapsed, trailing dot kept."""
    return " ".join(word.lower().split())


def lower_same_length(text: str) -> str:
    """``text`` in lower case, character for character (offsets stay valid: a character whose lower
    case is longer, such as "İ", is kept as it is)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
