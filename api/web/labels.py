"""The label index of the web app: display labels (English first) and the search box's suggestions.

Read from the store with one query (:data:`api.web.queries.LABELS`, every label of our resources in
every language) and kept in the web process for ``LABEL_TTL`` seconds, so a page view or a keystroke in
the search box never scans the store. Matching is done in Python on the casefolded labels.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from api.lookups import AIDR, code, kind_of
from api.web import queries as wq

LABEL_TTL = 300.0  # seconds a label index is kept before it is read again
DISPLAY_PROPERTIES = ("prefLabel", "name", "label")
#: properties whose values are words of running text (the evidence highlighter looks for them)
TEXT_PROPERTIES = ("prefLabel", "altLabel", "hiddenLabel", "name", "label", "adjective", "demonym", "metonym")
#: resource kinds the search box offers, and the page each opens
PAGE_KINDS = ("country", "org", "person", "equipment", "meeting", "category", "article")


@dataclass(frozen=True, slots=True)
class Label:
    """One label of a resource: its text, language tag (or None) and property (local name)."""

    text: str
    lang: str | None
    prop: str


def fold(text: str) -> str:
    """A label as compared: casefolded, accents kept (``Kontaktgruppe`` = ``kontaktgruppe``)."""
    return unicodedata.normalize("NFC", text).casefold()


@dataclass
class LabelIndex:
    """Labels per resource, the broader/narrower relations, and a flat list for substring search."""

    labels: dict[str, list[Label]] = field(default_factory=dict)
    broader: dict[str, list[str]] = field(default_factory=dict)
    narrower: dict[str, list[str]] = field(default_factory=dict)
    loaded_at: float = 0.0

    @classmethod
    def from_rows(cls, label_rows: list[dict[str, Any]], broader_rows: list[dict[str, Any]]) -> LabelIndex:
        """Build the index from the rows of LABELS and BROADER (engine terms)."""
        labels: dict[str, list[Label]] = defaultdict(list)
        for row in label_rows:
            term = row["label"]
            prop = row["p"][1].rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            labels[row["r"][1]].append(Label(term[1], term[3] if len(term) > 3 else None, prop))
        broader: dict[str, list[str]] = defaultdict(list)
        narrower: dict[str, list[str]] = defaultdict(list)
        for row in broader_rows:
            broader[row["narrower"][1]].append(row["broader"][1])
            narrower[row["broader"][1]].append(row["narrower"][1])
        return cls(dict(labels), dict(broader), dict(narrower), time.monotonic())

    def display(self, iri: str | None) -> str | None:
        """The label a person reads: English, then untagged, then any display label, then the key."""
        if iri is None:
            return None
        candidates = [label for label in self.labels.get(iri, ()) if label.prop in DISPLAY_PROPERTIES]
        if not candidates:
            candidates = [
                label for label in self.labels.get(iri, ()) if label.prop in ("notation", "headline")
            ]
        if not candidates:
            return code(iri)

        def rank(label: Label) -> tuple:
            lang = (label.lang or "").lower()
            return (
                0 if lang.startswith("en") else 1 if not lang else 2,
                DISPLAY_PROPERTIES.index(label.prop) if label.prop in DISPLAY_PROPERTIES else 9,
                label.text,
            )

        return min(candidates, key=rank).text

    def words(self, iri: str | None) -> list[str]:
        """The labels of ``iri`` that may appear in running text (every language; 3 characters or more)."""
        if iri is None:
            return []
        return sorted(
            {
                label.text
                for label in self.labels.get(iri, ())
                if label.prop in TEXT_PROPERTIES and len(label.text) >= 3
            }
        )

    def in_language(self, iri: str, lang: str | None) -> str | None:
        """The preferred label of ``iri`` in ``lang`` (None when it has none)."""
        if not lang:
            return None
        for label in self.labels.get(iri, ()):
            if label.prop == "prefLabel" and (label.lang or "").lower() == lang.lower():
                return label.text
        return None

    def ancestors(self, iri: str) -> list[str]:
        """The broader resources of ``iri``, nearest first (cycles cut)."""
        seen: list[str] = []
        frontier = list(self.broader.get(iri, ()))
        while frontier:
            current = frontier.pop(0)
            if current in seen or current == iri:
                continue
            seen.append(current)
            frontier.extend(self.broader.get(current, ()))
        return seen

    def search(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        """Resources with a label containing ``text`` (any language, case-insensitive).

        Exact matches first, then labels starting with the text, then the rest; shorter labels first.
        Each hit: iri, kind, key, label (display), matched label and its language.
        """
        needle = fold(text.strip())
        if len(needle) < 2:
            return []
        hits: dict[str, tuple[tuple, Label]] = {}
        for iri, labels in self.labels.items():
            kind = kind_of(iri)
            if kind not in PAGE_KINDS:
                continue
            for label in labels:
                folded = fold(label.text)
                position = folded.find(needle)
                if position < 0:
                    continue
                rank = (0 if folded == needle else 1 if position == 0 else 2, len(folded), iri)
                if iri not in hits or rank < hits[iri][0]:
                    hits[iri] = (rank, label)
        ordered = sorted(hits.items(), key=lambda item: item[1][0])[:limit]
        return [
            {
                "iri": iri,
                "kind": kind_of(iri),
                "key": _key(iri),
                "label": self.display(iri),
                "matched": label.text,
                "lang": label.lang,
            }
            for iri, (_rank, label) in ordered
        ]


def _key(iri: str) -> str:
    """The key in our page URLs: the last segment (article ids are everything after ``article/``)."""
    prefix = AIDR + "article/"
    return iri[len(prefix) :] if iri.startswith(prefix) else code(iri) or iri


_LOCK = threading.Lock()


def label_index(app: Any, select) -> LabelIndex:
    """The app's label index, read again when older than LABEL_TTL (``select(sparql)`` -> rows)."""
    index: LabelIndex | None = getattr(app.state, "web_label_index", None)
    if index is not None and time.monotonic() - index.loaded_at < LABEL_TTL:
        return index
    with _LOCK:
        index = getattr(app.state, "web_label_index", None)
        if index is None or time.monotonic() - index.loaded_at >= LABEL_TTL:
            index = LabelIndex.from_rows(select(wq.LABELS), select(wq.BROADER))
            app.state.web_label_index = index
    return index
