"""Turn one article's :class:`graph.model.Extraction` into RDF, grouped per fact.

``to_rdf(extraction)`` emits the model of ``docs/architecture.md`` ("The RDF of one article"): the
article's metadata and its normalised text (a ``nif:Context`` that the claims' offsets index into),
every pledge (with its monetary amount and claim), meeting, person with the posts the article states,
equipment system, and a typed node for every entity a fact refers to (so ``sh:class`` checks work on
the article graph alone).

The triples are also grouped: ``groups[key]`` holds the triples of one fact (key = the fact's
subject IRI), of one referenced entity, or of the article's own metadata (key = the article IRI).
:func:`graph.validate.gate` uses the groups to quarantine only the facts that fail the shapes.

To_rdf never raises for bad data: a bad value becomes a triple that the shapes reject (a negative
quantity stays negative, an unknown currency stays as it is), so the problem shows in the report.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph.model import MULTIPLE_DONORS, Evidence, Extraction, PledgeFact, date_precision
from graph.vocab import (
    AID,
    AIDR,
    CATEGORY_SCHEME,
    DCTERMS,
    EQUIPMENT_SCHEME,
    MULTIPLE_DONORS_IRI,
    NIF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    ROLE_SCHEME,
    SCHEMA,
    SKOS,
    STATUS_SCHEME,
    WD,
    amount_iri,
    article_iri,
    bind_prefixes,
    category_iri,
    claim_iri,
    country_iri,
    equipment_iri,
    meeting_iri,
    org_iri,
    person_iri,
    place_iri,
    pledge_iri,
    post_iri,
    publisher_iri,
    role_iri,
    run_iri,
    status_iri,
    text_iri,
)

Triple = tuple[URIRef, URIRef, URIRef | Literal]


class _Terms:
    """A namespace's terms as plain attributes, each looked up once: rdflib's ``DefinedNamespace``
    checks every attribute access (microseconds each), and an article graph makes about a thousand.
    Unknown terms raise as the namespace does."""

    def __init__(self, namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        term = getattr(self._namespace, name)
        setattr(self, name, term)
        return term


AID, DCTERMS, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, XSD = (
    _Terms(namespace) for namespace in (AID, DCTERMS, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, XSD))

# Two-letter keys that are organisations, not ISO 3166-1 countries ("EU" is only reserved in ISO 3166).
TWO_LETTER_ORGANISATIONS = frozenset({"EU", "UN"})
DATE_TYPES = {"year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}
_QID = re.compile(r"^Q[1-9][0-9]*$")


@dataclass
class ArticleGraph:
    """The RDF of one article: its triples grouped per fact, and the whole graph.

    ``kinds[key]`` says what a group is: ``article``, ``pledge``, ``meeting``, ``person``,
    ``equipment`` (facts read from the text) or ``entity`` (a referenced node's typing triples).
    ``graph`` (the union of the groups as an rdflib graph) is built on first use: the pipeline
    works on the triples and never needs it, and building an rdflib graph costs ~20 µs per triple.
    """

    article_iri: URIRef
    groups: dict[URIRef, set[Triple]]
    kinds: dict[URIRef, str] = field(default_factory=dict)
    _graph: Graph | None = field(default=None, repr=False)

    @property
    def graph(self) -> Graph:
        """The article's triples as an rdflib graph (built once; changes to it are seen by the gate)."""
        if self._graph is None:
            graph = Graph(bind_namespaces="none")
            bind_prefixes(graph)
            for triple in self.triples():
                graph.add(triple)
            self._graph = graph
        return self._graph

    def triples(self) -> set[Triple]:
        """Every triple of the article: the graph's when it was built, else the union of the groups."""
        if self._graph is not None:
            return set(self._graph)
        return set().union(*self.groups.values())

    def fact_keys(self) -> list[URIRef]:
        """Keys of the groups that are facts read from the text (not the article, not entities)."""
        return [key for key, kind in self.kinds.items() if kind not in ("article", "entity")]


class _Builder:
    """Accumulates triples into the graph and into the group of the fact being built."""

    def __init__(self, extraction: Extraction) -> None:
        self.extraction = extraction
        self.article = extraction.article
        self.article_iri = article_iri(self.article.id)
        self.run = run_iri(self.article.id)
        self.context = text_iri(self.article.id)
        lang = self.article.lang
        self.text_lang = lang if lang and re.fullmatch(r"[a-z]{2,3}", lang) else None  # tag of quoted text
        self.groups: dict[URIRef, set[Triple]] = {}
        self.kinds: dict[URIRef, str] = {}
        self.claims = 0
        self.country_codes = {c.code.upper() for c in extraction.countries if c.code}
        self.organisation_keys = {o.key for o in extraction.organisations if o.key}
        self.person_by_name = {p.name: p for p in extraction.persons}
        self.meeting_keys = {m.key for m in extraction.meetings}
        self.equipment_by_name = {e.name.casefold(): e for e in extraction.equipment if e.name}
        self.pledge_values: dict[URIRef, tuple] = {}
        self.typed: set[URIRef] = set()  # entities whose typing triples are already in the graph

    # -- plumbing ------------------------------------------------------------------------------------

    def add(self, group: URIRef, subject: URIRef, predicate: URIRef, obj) -> None:
        triples = self.groups.get(group)
        if triples is None:
            triples = self.groups[group] = set()
        triples.add((subject, predicate, obj))

    def open_group(self, key: URIRef, kind: str) -> URIRef:
        self.groups.setdefault(key, set())
        self.kinds.setdefault(key, kind)
        return key

    def claim(self, group: URIRef, subject: URIRef, evidence: Evidence | None) -> None:
        """Link ``subject`` to its article and, when there is evidence, to a new claim."""
        self.add(group, subject, PROV.wasDerivedFrom, self.article_iri)
        if evidence is None:
            return
        self.claims += 1
        claim = claim_iri(self.article.id, self.claims)
        self.add(group, subject, PROV.qualifiedDerivation, claim)
        self.add(group, claim, RDF.type, AID.Claim)
        self.add(group, claim, PROV.entity, self.article_iri)
        self.add(group, claim, NIF.referenceContext, self.context)
        self.add(group, claim, NIF.anchorOf, self.text(evidence.text))
        self.add(group, claim, NIF.beginIndex, _literal(int(evidence.start), XSD.nonNegativeInteger))
        self.add(group, claim, NIF.endIndex, _literal(int(evidence.end), XSD.nonNegativeInteger))
        self.add(group, claim, AID.extractionRule, _literal(evidence.rule))
        self.add(group, claim, AID.confidence, _decimal(evidence.confidence))
        self.add(group, claim, PROV.wasGeneratedBy, self.run)

    def text(self, value: str) -> Literal:
        return Literal(value, lang=self.text_lang)

    # -- referenced entities (typed so sh:class works on the article graph alone) -------------------

    def entity(self, iri: URIRef, *types: URIRef, notation: str | None = None) -> URIRef:
        if iri in self.typed:
            return iri
        self.typed.add(iri)
        group = self.open_group(iri, "entity")
        for rdf_type in types:
            self.add(group, iri, RDF.type, rdf_type)
        if notation is not None:
            self.add(group, iri, SKOS.notation, _literal(notation))
        self.add(group, iri, AID.mentionedIn, self.article_iri)
        return iri

    def concept(self, iri: URIRef, scheme: URIRef, notation: str) -> URIRef:
        if iri in self.typed:
            return iri
        self.typed.add(iri)
        group = self.open_group(iri, "entity")
        self.add(group, iri, RDF.type, SKOS.Concept)
        self.add(group, iri, SKOS.inScheme, scheme)
        self.add(group, iri, SKOS.notation, _literal(notation))
        return iri

    def actor(self, code: str) -> URIRef:
        """A donor, recipient, chair or post holder: a country, an organisation or several donors."""
        code = code.strip()
        if code == MULTIPLE_DONORS:
            return self.entity(MULTIPLE_DONORS_IRI, AID.DonorGroup, ORG.Organization, notation=code)
        if _is_country_code(code, self.country_codes, self.organisation_keys):
            return self.entity(country_iri(code), SCHEMA.Country, notation=code.upper())
        return self.entity(_safe(org_iri, code, "org"), ORG.Organization, notation=code)

    def person(self, name: str) -> URIRef:
        known = self.person_by_name.get(name)
        iri = _safe(person_iri, known.id or known.name if known else name, "person")
        if known is None:
            self.entity(iri, SCHEMA.Person)
            self.add(iri, iri, SCHEMA.name, Literal(name))
        return iri

    def category(self, key: str) -> URIRef:
        return self.concept(_safe(category_iri, key, "category"), CATEGORY_SCHEME, key)

    def meeting_reference(self, key: str, group: URIRef) -> URIRef:
        """A meeting a pledge names; when the article reports no such meeting, the pledge's own
        evidence is the meeting's evidence and the meeting's triples join the pledge's group."""
        iri = _safe(meeting_iri, key, "meeting")
        if key not in self.meeting_keys:
            self.add(group, iri, RDF.type, AID.Meeting)
            self.add(group, iri, SKOS.notation, _literal(key))
            self.add(group, iri, PROV.wasDerivedFrom, self.article_iri)
            for _, _, claim in [t for t in self.groups[group] if t[1] == PROV.qualifiedDerivation]:
                self.add(group, iri, PROV.qualifiedDerivation, claim)
        return iri

    # -- the article and its facts ------------------------------------------------------------------

    def build_article(self) -> None:
        article, iri = self.article, self.article_iri
        group = self.open_group(iri, "article")
        self.add(group, iri, RDF.type, SCHEMA.NewsArticle)
        self.add(group, iri, SCHEMA.identifier, Literal(article.id))
        if article.url:
            self.add(group, iri, SCHEMA.url, URIRef(article.url.strip()))
        if article.publisher:
            publisher = _safe(publisher_iri, article.publisher, "publisher")
            self.add(group, iri, SCHEMA.publisher, publisher)
            self.add(group, publisher, RDF.type, SCHEMA.Organization)
            self.add(group, publisher, SCHEMA.name, Literal(article.publisher))
        if article.lang:
            self.add(group, iri, SCHEMA.inLanguage, Literal(article.lang))
        if article.published:
            published = Literal(article.published.isoformat(), datatype=XSD.date)
            self.add(group, iri, SCHEMA.datePublished, published)
        if article.title:
            self.add(group, iri, SCHEMA.headline, self.text(article.title))
        self.add(group, self.run, RDF.type, PROV.Activity)
        self.add(group, self.run, PROV.used, iri)
        self.build_text(group)

    def build_text(self, group: URIRef) -> None:
        """The normalised article text as a ``nif:Context``: the string every claim's offsets index into
        (``nif:beginIndex``/``nif:endIndex`` count characters, as Python slices do)."""
        text = self.article.text
        self.add(group, self.context, RDF.type, NIF.Context)
        self.add(group, self.context, NIF.isString, Literal(text))
        self.add(group, self.context, NIF.beginIndex, _literal(0, XSD.nonNegativeInteger))
        self.add(group, self.context, NIF.endIndex, _literal(len(text), XSD.nonNegativeInteger))
        self.add(group, self.context, PROV.wasDerivedFrom, self.article_iri)

    def build_countries_and_organisations(self) -> None:
        for country in self.extraction.countries:
            self.actor(country.code)
        for organisation in self.extraction.organisations:
            iri = self.actor(organisation.key)
            if organisation.name:
                self.add(iri, iri, SCHEMA.name, Literal(organisation.name, lang="en"))
            if organisation.wikidata and _QID.match(organisation.wikidata):
                self.add(iri, iri, OWL.sameAs, WD[organisation.wikidata])

    def build_persons(self) -> None:
        for person in self.extraction.persons:
            iri = _safe(person_iri, person.id or person.name, "person")
            group = self.open_group(iri, "person")
            self.add(group, iri, RDF.type, SCHEMA.Person)
            self.add(group, iri, SCHEMA.name, Literal(person.name))
            self.add(group, iri, AID.mentionedIn, self.article_iri)
            if person.wikidata and _QID.match(person.wikidata):
                self.add(group, iri, OWL.sameAs, WD[person.wikidata])
            for evidence in person.evidence[:1]:
                self.claim(group, iri, evidence)
            for role in person.roles:
                if not role.country:
                    continue  # a post is a role *in* a country or organisation
                post = _safe(lambda key, r=role.role: post_iri(r, key), role.country, "post")
                self.add(group, iri, ORG.holds, post)
                post_group = self.open_group(post, "entity")
                self.add(post_group, post, RDF.type, ORG.Post)
                self.add(post_group, post, ORG.role, self.concept(_safe(role_iri, role.role, "role"),
                                                                   ROLE_SCHEME, role.role))
                self.add(post_group, post, ORG.postIn, self.actor(role.country))
                if role.evidence is not None:
                    self.claim(group, iri, role.evidence)

    def build_meetings(self) -> None:
        for meeting in self.extraction.meetings:
            iri = _safe(meeting_iri, meeting.key, "meeting")
            group = self.open_group(iri, "meeting")
            self.add(group, iri, RDF.type, AID.Meeting)
            self.add(group, iri, SKOS.notation, _literal(meeting.key))
            if meeting.format and meeting.format != "bilateral":
                self.add(group, iri, AID.format, self.actor(meeting.format))
            if meeting.date:
                self.add(group, iri, SCHEMA.startDate, _date(meeting.date))
            if meeting.place:
                place = self.entity(_safe(place_iri, meeting.place, "place"), SCHEMA.Place)
                self.add(place, place, SCHEMA.name, Literal(meeting.place, lang="en"))
                self.add(group, iri, SCHEMA.location, place)
            for chair in meeting.chairs:
                self.add(group, iri, AID.chair, self.actor(chair))
            for name in meeting.participants:
                self.add(group, iri, SCHEMA.attendee, self.person(name))
            for name in meeting.remote_participants:
                self.add(group, iri, AID.remoteAttendee, self.person(name))
            if meeting.n_countries is not None:
                self.add(group, iri, AID.numberOfCountries, _literal(int(meeting.n_countries)))
            self.claim(group, iri, meeting.evidence[0] if meeting.evidence else None)

    def build_equipment(self) -> None:
        for equipment in self.extraction.equipment:
            iri = _safe(equipment_iri, equipment.id or equipment.name, "equipment")
            group = self.open_group(iri, "equipment")
            self.equipment_node(iri, group, equipment.name, equipment.category)
            if equipment.wikidata and _QID.match(equipment.wikidata):
                self.add(group, iri, SKOS.exactMatch, WD[equipment.wikidata])
            self.claim(group, iri, equipment.evidence[0] if equipment.evidence else None)

    def equipment_node(self, iri: URIRef, group: URIRef, name: str | None, category: str | None) -> None:
        self.add(group, iri, RDF.type, AID.EquipmentSystem)
        self.add(group, iri, RDF.type, SKOS.Concept)
        self.add(group, iri, SKOS.inScheme, EQUIPMENT_SCHEME)
        self.add(group, iri, AID.mentionedIn, self.article_iri)
        if name:
            self.add(group, iri, RDFS.label, Literal(name, lang="en"))
        if category:
            self.add(group, iri, AID.category, self.category(category))

    def build_pledges(self) -> None:
        for pledge in self.extraction.pledges:
            self.build_pledge(pledge)

    def build_pledge(self, pledge: PledgeFact) -> None:
        iri = pledge_iri(pledge_key(pledge))
        values = (pledge.quantity, pledge.amount, pledge.currency)
        if self.pledge_values.setdefault(iri, values) != values:
            # two pledges of this article share a key but not their figures: they are different
            # pledges ("EUR 1 bn now and EUR 2 bn next year"), so the figures join the key
            iri = pledge_iri((*pledge_key(pledge), *values))
            self.pledge_values[iri] = values
        group = self.open_group(iri, "pledge")
        self.add(group, iri, RDF.type, AID.Pledge)
        if pledge.donor:
            self.add(group, iri, SCHEMA.agent, self.actor(pledge.donor))
        if pledge.recipient:
            self.add(group, iri, SCHEMA.recipient, self.actor(pledge.recipient))
        system = self.pledged_system(pledge)
        if system is not None:
            self.add(group, iri, SCHEMA.object, system)
        elif pledge.item:
            self.add(group, iri, AID.itemLabel, Literal(pledge.item, lang="en"))
        if pledge.category:
            self.add(group, iri, AID.category, self.category(pledge.category))
        if pledge.quantity is not None:
            self.add(group, iri, AID.quantity, _literal(int(pledge.quantity)))
        if pledge.amount is not None or pledge.currency:
            amount = amount_iri(iri)
            self.add(group, iri, SCHEMA.amount, amount)
            self.add(group, amount, RDF.type, SCHEMA.MonetaryAmount)
            if pledge.amount is not None:
                self.add(group, amount, SCHEMA.value, _decimal(pledge.amount))
            if pledge.currency:
                self.add(group, amount, SCHEMA.currency, _literal(pledge.currency))
        status = pledge.status or "pledged"
        status_concept = self.concept(_safe(status_iri, status, "status"), STATUS_SCHEME, status)
        self.add(group, iri, AID.status, status_concept)
        if pledge.date:
            self.add(group, iri, DCTERMS.date, _date(pledge.date))
        self.claim(group, iri, pledge.evidence)
        if pledge.meeting:
            self.add(group, iri, AID.announcedAt, self.meeting_reference(pledge.meeting, group))

    def pledged_system(self, pledge: PledgeFact) -> URIRef | None:
        """The equipment node of a pledged item known as a system (linked id or a reported system)."""
        known = self.equipment_by_name.get((pledge.item or "").casefold())
        slug = pledge.item_id or (known.id or known.name if known else None)
        if not slug:
            return None
        iri = _safe(equipment_iri, slug, "equipment")
        if iri not in self.groups:
            group = self.open_group(iri, "entity")
            self.equipment_node(iri, group, pledge.item, pledge.category)
        return iri


def pledge_key(pledge: PledgeFact) -> tuple[str | None, ...]:
    """The identity of a pledge across articles: donor, recipient, item-or-category, status,
    date-or-meeting (see ``graph.vocab.pledge_iri``)."""
    item = pledge.item_id or pledge.item or pledge.category
    when = pledge.meeting or pledge.date
    return (pledge.donor, pledge.recipient, item, pledge.status, when)


def to_rdf(extraction: Extraction) -> ArticleGraph:
    """The RDF of one article's extraction, with its triples grouped per fact."""
    builder = _Builder(extraction)
    builder.build_article()
    builder.build_countries_and_organisations()
    builder.build_persons()
    builder.build_meetings()
    builder.build_equipment()
    builder.build_pledges()
    return ArticleGraph(builder.article_iri, builder.groups, builder.kinds)


def extraction_to_turtle(extraction: Extraction) -> str:
    """The article's RDF as Turtle (for ``aidgraph extract --format turtle``)."""
    return to_rdf(extraction).graph.serialize(format="turtle")


# -- helpers -----------------------------------------------------------------------------------------

def _is_country_code(code: str, countries: set[str], organisations: set[str]) -> bool:
    if code.upper() in countries:
        return True
    if code in organisations:
        return False
    return len(code) == 2 and code.isalpha() and code.upper() not in TWO_LETTER_ORGANISATIONS


@functools.lru_cache(maxsize=4096)
def _date(value: str) -> Literal:
    """An ISO date string typed by its precision; anything else stays as a string (shapes reject it)."""
    value = value.strip()
    datatype = DATE_TYPES.get(date_precision(value) or "")
    return Literal(value, datatype=datatype) if datatype else Literal(value)


@functools.lru_cache(maxsize=16384)
def _literal(value: str | int, datatype: URIRef | None = None) -> Literal:
    """A literal, shared between the triples that use it (rdflib builds a literal in ~10 µs)."""
    return Literal(value, datatype=datatype)


@functools.lru_cache(maxsize=4096)
def _decimal(value: float) -> Literal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Literal(str(value))
    return Literal(number, datatype=XSD.decimal)


@functools.lru_cache(maxsize=16384)
def _safe(make_iri: Callable[[str], URIRef], value: str, kind: str) -> URIRef:
    """``make_iri(value)``, or for a value that cannot make an IRI (empty, no letters) a stable
    placeholder IRI, so that to_rdf does not raise and the shapes report the bad node."""
    try:
        return make_iri(value)
    except ValueError:
        digest = hashlib.sha1(repr(value).encode("utf-8")).hexdigest()[:12]
        return AIDR[f"invalid/{kind}/{digest}"]
