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
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

from graph.errors import MetadataError

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


#: article ids: ASCII, IRI-safe, reachable as /articles/{id} (the API's KEY pattern)
ARTICLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.~-]{0,99}$")
#: separator of folder levels in ids made from paths: ``2024/report.txt`` -> ``2024~report``
ID_FOLDER_SEPARATOR = "~"
MAX_URL_CHARS = 2000
MAX_PUBLISHER_CHARS = 200
MAX_TITLE_CHARS = 1000
EARLIEST_PUBLISHED = date(1900, 1, 1)
LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f]')
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as ingested. ``id`` is stable across re-ingestion of the same source.

    The metadata is checked on construction (:func:`check_metadata`): an invalid field raises
    :class:`graph.errors.MetadataError` naming it, so no invalid article reaches extraction or the store.
    """

    id: str
    text: str
    lang: str | None = None
    published: date | None = None
    publisher: str | None = None
    url: str | None = None
    title: str | None = None
    source: str | None = None  # file path or other locator the article was read from
    location: str | None = None  # file: IRI of the source (#line=N for a JSONL line); None for the API

    def __post_init__(self) -> None:
        check_metadata(self)

    @staticmethod
    def make_id(text: str, source: str | None = None) -> str:
        """A stable id: the source file's name (see :func:`path_article_id`) when known, else a hash of the
        text."""
        if source:
            name = source.replace("\\", "/").rsplit("/", 1)[-1]
            if name.strip():
                return path_article_id(PurePosixPath(name))
        return text_article_id(text)


def text_article_id(text: str, prefix: str | None = None) -> str:
    """An id from a hash of the text (16 hex digits), after ``prefix-`` when given (a JSONL file's stem)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    head = _id_part(prefix)[0][:60].strip("-.") if prefix else ""
    return f"{head}-{digest}" if head and head[0].isalnum() else digest


def path_article_id(relative: PurePosixPath) -> str:
    """The id of the file at ``relative`` (its path below the folder that was ingested).

    Folder levels are joined by ``~`` and the file suffix is dropped: ``2024/report.txt`` -> ``2024~report``.
    Characters outside ``A-Z a-z 0-9 _ . -`` become ``-`` (accents are dropped first); when that loses
    information (``report .txt``, ``pål.txt``), or the id would exceed 100 characters, 8 hex digits of a hash
    of the relative path are appended, so different files never share an id.
    """
    parts = list(relative.parts)
    if not parts:
        raise MetadataError("id", "an empty path has no article id")
    stem = PurePosixPath(parts[-1])
    parts[-1] = stem.stem if stem.suffix else stem.name
    cleaned = [_id_part(part) for part in parts]
    body = ID_FOLDER_SEPARATOR.join(text for text, _ in cleaned)
    lossy = any(lost for _, lost in cleaned) or not body or not body[0].isalnum()
    body = body.lstrip("-._~")
    if lossy or len(body) > 90:
        digest = hashlib.sha1(relative.as_posix().encode("utf-8")).hexdigest()[:8]
        body = f"{body[:80].rstrip('-._~')}-{digest}" if body else digest
    return body


def safe_article_id(value: Any) -> str:
    """An explicit id (a JSONL ``id``) made IRI-safe: characters outside ``A-Za-z0-9_.~-`` become ``-``."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    safe = re.sub(r"[^A-Za-z0-9_.~-]+", "-", text).strip("-._~")[:100]
    if not safe:
        raise MetadataError("id", f"article id {value!r} has no usable characters",
                            hint="use letters, digits, -, _ or .")
    return safe


def _id_part(part: str) -> tuple[str, bool]:
    """One path level as id text, and whether cleaning it lost information."""
    ascii_text = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode("ascii")
    cleaned = _ID_UNSAFE.sub("-", ascii_text).strip("-")
    return cleaned, cleaned != part


def check_metadata(article: Article) -> None:
    """Raise :class:`MetadataError` naming the first invalid field of ``article``.

    id: ``^[A-Za-z0-9][A-Za-z0-9_.~-]{0,99}$``; url: an absolute http(s) IRI (no spaces or other characters
    IRIs forbid); published: a date from 1900 to tomorrow; lang: a language code such as ``en`` or
    ``pt-BR``; publisher and title: at most 200 / 1,000 characters.
    """
    if not isinstance(article.id, str) or not ARTICLE_ID.match(article.id):
        raise MetadataError("id", f"article id {article.id!r} is not 1-100 letters, digits, '.', '_', '~' or "
                                  "'-' starting with a letter or digit",
                            hint="e.g. 2025-04-11-reuters-patriot")
    if not isinstance(article.text, str):
        raise MetadataError("text", "the article text must be a string")
    if article.url is not None:
        check_url(article.url)
    if article.published is not None:
        check_published(article.published)
    if article.lang is not None and (not isinstance(article.lang, str) or not LANG_CODE.match(article.lang)):
        raise MetadataError("lang", f"lang {article.lang!r} is not a language code such as en, de or sv",
                            hint="give an ISO 639-1 code, or leave lang out to detect it")
    for name, limit in (("publisher", MAX_PUBLISHER_CHARS), ("title", MAX_TITLE_CHARS)):
        value = getattr(article, name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise MetadataError(name, f"{name} must be a string of at most {limit:,} characters",
                                hint=f"shorten the {name}")


def check_url(url: Any) -> None:
    """Raise :class:`MetadataError` unless ``url`` is an absolute http(s) IRI that RDF stores accept."""
    if not isinstance(url, str):
        raise MetadataError("url", f"url must be a string, not {type(url).__name__}")
    shown = url if len(url) <= 120 else url[:117] + "..."
    if len(url) > MAX_URL_CHARS:
        raise MetadataError("url", f"url is longer than {MAX_URL_CHARS:,} characters", hint="shorten it")
    bad = _NOT_IN_IRI.search(url)
    if bad:
        what = "a space" if bad.group() == " " else f"the character {bad.group()!r}"
        raise MetadataError("url", f"url {shown!r} contains {what}, which a URL may not contain",
                            hint="percent-encode it (a space is %20)")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        raise MetadataError("url", f"url {shown!r} is malformed ({exc})", hint="check the URL") from None
    if not parts.scheme:
        raise MetadataError("url", f"url {shown!r} is not an absolute URL (it has no scheme)",
                            hint=f"write it with its scheme, e.g. https://{url.lstrip('/')}")
    if parts.scheme.lower() not in ("http", "https"):
        raise MetadataError("url", f"url {shown!r} is a {parts.scheme}: URL; only http and https URLs are "
                                   "accepted", hint="give the article's web address, e.g. https://example.org/a")
    if not host:
        raise MetadataError("url", f"url {shown!r} has no host name", hint="e.g. https://example.org/article")
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(url)
    except ValueError as exc:
        raise MetadataError("url", f"url {shown!r} is not a valid IRI ({exc})",
                            hint="check the URL") from None


def check_published(value: Any) -> None:
    """Raise :class:`MetadataError` unless ``value`` is a date from 1900 to tomorrow."""
    if not isinstance(value, date):
        raise MetadataError("published", f"published must be a date, not {type(value).__name__}")
    latest = date.today() + timedelta(days=1)
    if not EARLIEST_PUBLISHED <= value <= latest:
        raise MetadataError("published", f"published date {value.isoformat()} is not between "
                                         f"{EARLIEST_PUBLISHED.isoformat()} and tomorrow",
                            hint="give the date the article appeared, as YYYY-MM-DD")


@dataclass(slots=True)
class Role:
    """A post a person holds (``role``) for a country or organisation, with the text that states it."""

    role: str                       # one of ROLES
    country: str | None             # ISO alpha-2, or an organisation key (NATO, EU)
    evidence: Evidence | None = None


@dataclass(slots=True)
class PersonFact:
    """A person the article names, linked to the reference knowledge when known, with their roles."""

    name: str                       # canonical English name
    id: str | None = None           # reference slug (graph.knowledge) when linked, else None (new person)
    wikidata: str | None = None
    roles: list[Role] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class CountryFact:
    """A country the article names."""

    code: str                       # ISO alpha-2
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class OrganisationFact:
    """An organisation or meeting format the article names (NATO, EU, UDCG, ...)."""

    key: str                        # UDCG, NATO, EU, COTW, E5, IFU, ...
    name: str
    wikidata: str | None = None
    surface: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class MeetingFact:
    """A meeting: its format and date (together its key), place, chairs and participants."""

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
    """An equipment system or kind the article names, linked to the reference equipment when known."""

    name: str                       # canonical English name ("IRIS-T SLM", "reconnaissance drones")
    category: str                   # one of CATEGORIES
    id: str | None = None           # reference slug when linked
    wikidata: str | None = None
    surface: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class PledgeFact:
    """One pledge: who gives what (item, quantity or amount) to whom, when, at which meeting, how far."""

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
