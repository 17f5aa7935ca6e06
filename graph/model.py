"""The typed records that flow through aidgraph.

    ingest  -> Article                      (text + publication metadata)
    extract -> Extraction                   (Article + facts, each fact with its Evidence)
    to_rdf  -> rdflib graphs                (graph.to_rdf)
    validate-> ValidationReport             (graph.validate)
    store   -> named graph per article      (graph.store)

``Extraction.to_record()`` gives the JSON record of ``../shared/GOLD_SCHEMA.md`` (exactly its keys).
Dates are ISO strings whose length carries their precision: "2025", "2025-04", "2025-04-11".
Countries are ISO 3166-1 alpha-2 codes; organisation donors use the organisation key (e.g. "EU");
``"multiple"`` stands for several donors jointly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Status = Literal["pledged", "delivered", "planned", "proposed"]
STATUSES: tuple[str, ...] = ("pledged", "delivered", "planned", "proposed")
CATEGORIES: tuple[str, ...] = (
    "air_defence", "artillery", "ammunition", "armour", "drones", "missiles", "radar", "mines",
    "small_arms", "vehicles", "maintenance", "financial", "training", "intelligence", "other",
)
ROLES: tuple[str, ...] = (
    "head_of_state", "head_of_government", "defence_minister", "foreign_minister", "vice_president",
    "envoy", "secretary_general", "eu_high_representative", "military_chief", "other",
)
MULTIPLE_DONORS = "multiple"


def date_precision(value: str | None) -> Literal["year", "month", "day"] | None:
    """Precision of an ISO date string by its length: 2025 / 2025-04 / 2025-04-11."""
    if not value:
        return None
    return {4: "year", 7: "month", 10: "day"}.get(len(value))


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact was read: the sentence (or clause), its character span in ``Article.text``
    (start inclusive, end exclusive), the rule that fired and its confidence (0..1)."""

    text: str
    start: int
    end: int
    rule: str
    confidence: float = 0.8


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as ingested. ``id`` is stable across re-ingestion of the same source."""

    id: str
    text: str
    lang: str | None = None
    published: date | None = None
    publisher: str | None = None
    url: str | None = None
    title: str | None = None
    source: str | None = None  # file path or other locator the article was read from

    @staticmethod
    def make_id(text: str, source: str | None = None) -> str:
        """A stable id: the source file stem when known, else a hash of the text."""
        if source:
            stem = source.replace("\\", "/").rsplit("/", 1)[-1]
            stem = stem.rsplit(".", 1)[0] if "." in stem else stem
            safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem).strip("-")
            if safe:
                return safe
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Role:
    role: str                       # one of ROLES
    country: str | None             # ISO alpha-2, or an organisation key (NATO, EU)
    evidence: Evidence | None = None


@dataclass(slots=True)
class PersonFact:
    name: str                       # canonical English name
    id: str | None = None           # reference slug (graph.knowledge) when linked, else None (new person)
    wikidata: str | None = None
    roles: list[Role] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class CountryFact:
    code: str                       # ISO alpha-2
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class OrganisationFact:
    key: str                        # UDCG, NATO, EU, COTW, E5, IFU, ...
    name: str
    wikidata: str | None = None
    surface: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class MeetingFact:
    key: str                        # FORMAT-YYYY-MM-DD, e.g. UDCG-2025-04-11 (one node across articles)
    format: str                     # organisation key, or "bilateral"
    date: str | None = None
    place: str | None = None        # English city name
    chairs: list[str] = field(default_factory=list)               # ISO codes
    participants: list[str] = field(default_factory=list)         # person names, in person
    remote_participants: list[str] = field(default_factory=list)  # person names, by video
    n_countries: int | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class EquipmentFact:
    name: str                       # canonical English name ("IRIS-T SLM", "reconnaissance drones")
    category: str                   # one of CATEGORIES
    id: str | None = None           # reference slug when linked
    wikidata: str | None = None
    surface: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class PledgeFact:
    donor: str | None               # ISO alpha-2, organisation key, or "multiple"
    recipient: str | None = "UA"
    item: str | None = None         # canonical equipment name, or a description
    item_id: str | None = None      # reference equipment slug when linked
    category: str | None = None     # one of CATEGORIES
    quantity: int | None = None
    amount: float | None = None     # in units of the currency
    currency: str | None = None     # ISO 4217
    date: str | None = None         # ISO, precision by length
    meeting: str | None = None      # MeetingFact.key
    status: str = "pledged"         # one of STATUSES
    evidence: Evidence | None = None


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one article."""

    article: Article
    persons: list[PersonFact] = field(default_factory=list)
    countries: list[CountryFact] = field(default_factory=list)
    organisations: list[OrganisationFact] = field(default_factory=list)
    meetings: list[MeetingFact] = field(default_factory=list)
    equipment: list[EquipmentFact] = field(default_factory=list)
    pledges: list[PledgeFact] = field(default_factory=list)
    event_anchor: str | None = None

    def to_record(self) -> dict[str, Any]:
        """The extraction record with exactly the keys of GOLD_SCHEMA.md."""
        a = self.article
        return {
            "doc": (a.source or a.id).replace("\\", "/").rsplit("/", 1)[-1],
            "lang": a.lang,
            "published": a.published.isoformat() if a.published else None,
            "event_anchor": self.event_anchor or (a.published.isoformat() if a.published else None),
            "persons": [
                {"name": p.name, "wikidata": p.wikidata,
                 "roles": [{"role": r.role, "country": r.country} for r in p.roles]}
                for p in self.persons
            ],
            "countries": sorted({c.code for c in self.countries}),
            "organisations": [
                {"name": o.name, "key": o.key, "wikidata": o.wikidata, "surface": list(o.surface)}
                for o in self.organisations
            ],
            "meetings": [
                {"key": m.key, "format": m.format, "date": m.date, "place": m.place,
                 "chairs": list(m.chairs) or None, "participants": list(m.participants),
                 "remote_participants": list(m.remote_participants), "n_countries": m.n_countries}
                for m in self.meetings
            ],
            "equipment": [
                {"name": e.name, "category": e.category, "wikidata": e.wikidata, "surface": list(e.surface)}
                for e in self.equipment
            ],
            "pledges": [
                {"donor": p.donor, "recipient": p.recipient, "item": p.item, "category": p.category,
                 "quantity": p.quantity, "amount": p.amount, "currency": p.currency, "date": p.date,
                 "meeting": p.meeting, "status": p.status,
                 "evidence": p.evidence.text if p.evidence else None}
                for p in self.pledges
            ],
        }
