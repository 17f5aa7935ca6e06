"""Commitments: the claims of many articles that report one real-world pledge, grouped.

A claim is one article's statement of a pledge (the pledge node's values in that article's graph).
:func:`recompute` reads every claim of the store, groups them with :func:`cluster` and replaces the
derived named graph ``aidg:commitments`` with the result. Recomputing from all claims makes the result
independent of the order articles were ingested in, and re-ingesting an article changes nothing.

The grouping rules (the windows are module constants, documented in ``ontology/README.md``):

* Claims are compared only within one donor; recipients must be equal when both are given.
* Items must be compatible: the same system, a system and its variant (``skos:broader``), a category
  and a system in it (the reference equipment knowledge), or the same free item description.
* Claims are taken in a canonical order (date, then claim IRI). A pledge claim joins the latest
  commitment it is compatible with when its date is within :data:`SAME_STORY_DAYS` of the
  commitment's first date (reports of one announcement: differing quantities become a recorded
  contradiction), or within :data:`REANNOUNCE_DAYS` when it restates a figure (quantity or amount)
  of the commitment and contradicts none (a re-announcement).
  A claim whose evidence has an "additional" cue (``graph/commitment_cues.json``: "four more") does not
  join an earlier announcement: it starts a new commitment.
* A delivery claim joins the latest compatible commitment announced at most :data:`DELIVERY_DAYS`
  before it (of the delivered quantity, when one has it); one with no such commitment is a commitment
  of its own (a delivery never announced).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef

from graph.vocab import (
    AID,
    AIDR,
    COMMITMENTS_GRAPH,
    DCTERMS,
    RDF,
    SCHEMA,
    XSD,
    commitment_iri,
)

SAME_STORY_DAYS = 14
REANNOUNCE_DAYS = 180
DELIVERY_DAYS = 3 * 365
DELIVERED = "delivered"
CUES_FILE = Path(__file__).with_name("commitment_cues.json")
ARTICLE_PREFIX = str(AIDR["article/"])


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """One article's claim of one pledge, with the values the article states."""

    claim: str
    pledge: str
    article: str
    donor: str | None
    recipient: str | None
    item: str | None            # equipment IRI, else "label:" + casefolded item description
    category: str | None
    quantity: int | None
    amount: tuple[str, str] | None   # (value, currency)
    status: str                 # pledged / delivered / planned / proposed
    day: dt.date
    evidence: str = ""
    lang: str = ""

    @property
    def delivered(self) -> bool:
        return self.status == DELIVERED

    @property
    def sort_key(self) -> tuple:
        return (self.day, self.claim)


@dataclass(slots=True)
class Commitment:
    """A group of claims reporting one real-world pledge (see the module docstring)."""

    anchor: ClaimRecord
    claims: list[ClaimRecord] = field(default_factory=list)
    item: str | None = None
    additional: bool = False

    @property
    def iri(self) -> URIRef:
        return commitment_iri(self.anchor.claim)

    @property
    def announced(self) -> list[ClaimRecord]:
        return [c for c in self.claims if not c.delivered]

    @property
    def deliveries(self) -> list[ClaimRecord]:
        return [c for c in self.claims if c.delivered]

    def quantities(self) -> set[int]:
        return {c.quantity for c in self.announced if c.quantity is not None}

    def amounts(self) -> set[tuple[str, str]]:
        return {c.amount for c in self.announced if c.amount is not None}

    def contradictions(self) -> list[str]:
        """The values the announcement claims disagree on."""
        found = []
        if len(self.quantities()) > 1:
            found.append("quantity")
        if len(self.amounts()) > 1:
            found.append("amount")
        return found

    def articles(self) -> set[str]:
        return {c.article for c in self.claims}

    def independent_sources(self, duplicate_of: dict[str, str]) -> int:
        """Distinct articles, near-duplicates (``duplicate_of``: article -> first of its group) once."""
        return len({duplicate_of.get(a, a) for a in self.articles()})


# --------------------------------------------------------------------------- knowledge and cues

class ItemKnowledge:
    """What the reference equipment knowledge says about items: broader systems and categories.

    A free item description (``label:...``) counts as a narrower item of its claim's category.
    """

    def __init__(self, broader: dict[str, set[str]], category_of: dict[str, str]) -> None:
        self.broader = broader          # system or category -> its direct broader concepts
        self.category_of = category_of  # system (or item description) -> its category
        self._ancestors: dict[str, frozenset[str]] = {}

    def with_descriptions(self, labels: Mapping[str, str]) -> ItemKnowledge:
        """A copy that also knows the category of each free item description (``labels``, from
        :func:`label_categories`)."""
        category_of = dict(self.category_of)
        for label, category in labels.items():
            category_of.setdefault(label, category)
        return ItemKnowledge(self.broader, category_of)

    def families(self) -> dict[str, str]:
        """Every concept -> its family: the smallest IRI of its connected part of the broader / category
        links. A family holds every concept an item can be compatible with, whichever claims a store has,
        so the claims of other families (and donors) never change a claim's commitment: the blocking key
        of the incremental :func:`update`."""
        parent: dict[str, str] = {}
        root = functools.partial(_union_root, parent)

        edges = [(node, up) for node, ups in self.broader.items() for up in ups]
        edges += list(self.category_of.items())
        for a, b in sorted(edges):
            first, second = sorted((root(a), root(b)))
            parent[second] = first
        return {node: root(node) for node in list(parent)}

    def ancestors(self, node: str) -> frozenset[str]:
        """``node``, every broader concept (transitively) and their categories."""
        found = self._ancestors.get(node)
        if found is not None:
            return found
        seen, todo = {node}, [node]
        while todo:
            current = todo.pop()
            nexts = set(self.broader.get(current, ()))
            if current in self.category_of:
                nexts.add(self.category_of[current])
            for parent in nexts - seen:
                seen.add(parent)
                todo.append(parent)
        found = self._ancestors[node] = frozenset(seen)
        return found

    def compatible(self, claim: ClaimRecord, item: str | None) -> bool:
        """Whether ``claim`` may report the same item as a commitment whose most specific item is
        ``item``: equal, or one is broader than the other (variant, parent system, category)."""
        mine = claim.item or claim.category
        if item is None or mine is None:
            return True
        return mine in self.ancestors(item) or item in self.ancestors(mine)

    def blocks(self, items: Iterable[str | None]) -> dict[str | None, str]:
        """Item -> its block: items are in one block when they share a broadest ancestor (a concept
        with no broader one), so two compatible items (one an ancestor of the other) always are."""
        parent: dict[str, str] = {}
        root = functools.partial(_union_root, parent)

        for item in sorted(i for i in set(items) if i is not None):
            for ancestor in sorted(self.ancestors(item)):
                if not self.broader.get(ancestor) and ancestor not in self.category_of:
                    first, second = sorted((root(item), root(ancestor)))
                    parent[second] = first
        blocks: dict[str | None, str] = {None: ""}
        for item in parent:
            blocks[item] = root(item)
        return blocks

    def more_specific(self, a: str | None, b: str | None) -> str | None:
        """The more specific of two compatible items (a system over its category or parent)."""
        if a is None or b is None:
            return a or b
        return a if b in self.ancestors(a) else b


@functools.cache
def additional_cues() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Per language: (cue words, words that cancel a cue right after it), from the JSON lexicon."""
    data = json.loads(CUES_FILE.read_text(encoding="utf-8"))
    common = data.get("any", {})
    cues = {}
    for lang, entry in data.items():
        if lang.startswith("_") or lang in ("any", "instruments", *STAGE_CUES):
            continue
        cues[lang] = (frozenset(entry["additional"]) | frozenset(common.get("additional", ())),
                      frozenset(entry["not_before"]) | frozenset(common.get("not_before", ())))
    return cues


_WORD = re.compile(r"\w+", re.UNICODE)


def has_additional_cue(evidence: str, lang: str) -> bool:
    """Whether the evidence says the pledge adds to an earlier one ("four more")."""
    words, cancel = additional_cues().get(lang, (frozenset(), frozenset()))
    tokens = _WORD.findall(evidence.lower())
    return any(token in words and (i + 1 >= len(tokens) or tokens[i + 1] not in cancel)
               for i, token in enumerate(tokens))


@functools.cache
def instrument_patterns() -> dict[str, dict[str, re.Pattern]]:
    """Per instrument key and language ("any": every language): one pattern of its phrases."""
    data = json.loads(CUES_FILE.read_text(encoding="utf-8"))["instruments"]
    def pattern(phrases: list[str]) -> re.Pattern:
        longest_first = sorted(phrases, key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in longest_first) + r")(?!\w)")

    return {key: {lang: pattern(phrases) for lang, phrases in by_lang.items()}
            for key, by_lang in data.items()}


def instruments_in(evidence: str, lang: str) -> set[str]:
    """The instruments (pda, usai, purl, czech_initiative, danish_model, ifu, epf) the evidence names."""
    text = evidence.lower()
    return {key for key, by_lang in instrument_patterns().items()
            if any(pattern.search(text) for where, pattern in by_lang.items() if where in ("any", lang))}


STAGES = ("announced", "committed", "allocated", "contracted", "delivered")
_STAGE_OF_STATUS = {"proposed": "announced", "planned": "announced", "pledged": "committed",
                    "delivered": "delivered"}
STAGE_CUES = ("contracted", "allocated")   # the lexicon's stage phrases, the first that matches wins


@functools.cache
def stage_patterns(stage: str) -> dict[str, re.Pattern]:
    """Per language ("any": every language): one pattern of the lexicon's phrases for ``stage``
    ("contracted": a contract signed or an order placed; "allocated": allocated or earmarked, Kiel's
    allocations as against its commitments since 2024)."""
    data = json.loads(CUES_FILE.read_text(encoding="utf-8"))[stage]
    def pattern(phrases: list[str]) -> re.Pattern:
        longest_first = sorted(phrases, key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in longest_first) + r")(?!\w)")

    return {lang: pattern(phrases) for lang, phrases in data.items()}


def contract_patterns() -> dict[str, re.Pattern]:
    """Per language: the pattern of the phrases saying a contract is signed or an order placed."""
    return stage_patterns("contracted")


def claim_stage(status: str, evidence: str = "", lang: str = "") -> str:
    """The lifecycle stage one claim reports: from its status; for a pledge whose evidence says a
    contract is signed or an order placed "contracted", else for one whose evidence says it is allocated
    or earmarked "allocated" (phrases of ``graph/commitment_cues.json``)."""
    stage = _STAGE_OF_STATUS.get(status, "committed")
    if stage == "committed":
        text = (evidence or "").lower()
        for cue in STAGE_CUES:
            if any(p.search(text) for where, p in stage_patterns(cue).items() if where in ("any", lang)):
                return cue
    return stage


def stage_of(claims: Iterable[ClaimRecord]) -> str:
    """The furthest lifecycle stage the claims report."""
    stages = (claim_stage(c.status, c.evidence, c.lang) for c in claims)
    return max(stages, key=STAGES.index, default="committed")


# --------------------------------------------------------------------------- clustering

def label_categories(claims: Iterable[ClaimRecord]) -> dict[str, str]:
    """Free item description (``label:...``) -> its category: the smallest category IRI among the claims
    that have both (so it does not depend on which claims came first)."""
    found: dict[str, str] = {}
    for claim in claims:
        if claim.item and claim.item.startswith("label:") and claim.category:
            found[claim.item] = min(found.get(claim.item, claim.category), claim.category)
    return found


def cluster(claims: Iterable[ClaimRecord], knowledge: ItemKnowledge,
            labels: Mapping[str, str] | None = None) -> list[Commitment]:
    """Group claims into commitments (the rules of the module docstring); deterministic and
    independent of the order of ``claims``. ``labels``: the categories of free item descriptions
    (default: :func:`label_categories` of ``claims``; the incremental :func:`update` passes the store's)."""
    claims = list(claims)
    knowledge = knowledge.with_descriptions(label_categories(claims) if labels is None else labels)
    # claims are only compared within one donor and one block of items (:meth:`ItemKnowledge.blocks`);
    # (a pledge always has an item or a category: its SHACL shape requires one)
    blocks = knowledge.blocks(claim.item or claim.category for claim in claims)
    by_block: dict[tuple[str, str], list[ClaimRecord]] = defaultdict(list)
    for claim in claims:
        by_block[(claim.donor or "", blocks.get(claim.item or claim.category, ""))].append(claim)
    commitments: list[Commitment] = []
    for block in sorted(by_block):
        open_: list[Commitment] = []
        for claim in sorted(by_block[block], key=lambda c: c.sort_key):
            additional = not claim.delivered and has_additional_cue(claim.evidence, claim.lang)
            target = _find(open_, claim, additional, knowledge)
            if target is None:
                target = Commitment(anchor=claim, additional=additional)
                open_.append(target)
            target.claims.append(claim)
            target.item = knowledge.more_specific(target.item, claim.item or claim.category)
        commitments.extend(open_)
    return sorted(commitments, key=lambda c: c.anchor.sort_key)


def _find(open_: list[Commitment], claim: ClaimRecord, additional: bool,
          knowledge: ItemKnowledge) -> Commitment | None:
    # ``open_`` is in anchor order (claims come in date order, each new commitment anchored at its
    # claim), so the candidates are read newest first and only back to the longest window
    candidates = []
    for commitment in reversed(open_):
        if (claim.day - commitment.anchor.day).days > DELIVERY_DAYS:
            break
        candidates.append(commitment)
    if claim.delivered and claim.quantity is not None:
        # a delivery goes to the latest commitment of its quantity, else to the latest one
        candidates.sort(key=lambda c: claim.quantity not in c.quantities())
    for commitment in candidates:
        anchor = commitment.anchor
        if claim.recipient and anchor.recipient and claim.recipient != anchor.recipient:
            continue
        if not knowledge.compatible(claim, commitment.item):
            continue
        days = (claim.day - anchor.day).days
        if claim.delivered:
            if 0 <= days <= DELIVERY_DAYS:
                return commitment
            continue
        if days <= SAME_STORY_DAYS and (not additional or commitment.additional or days == 0):
            return commitment
        restated = commitment.announced and _same_figure(claim, commitment)
        if not additional and days <= REANNOUNCE_DAYS and restated:
            return commitment
    return None


def _same_figure(claim: ClaimRecord, commitment: Commitment) -> bool:
    """Whether a later claim restates a figure of the commitment (and contradicts none): a re-announcement."""
    quantities, amounts = commitment.quantities(), commitment.amounts()
    if claim.quantity is not None and quantities and claim.quantity not in quantities:
        return False
    if claim.amount is not None and amounts and claim.amount not in amounts:
        return False
    return (claim.quantity is not None and claim.quantity in quantities) or \
        (claim.amount is not None and claim.amount in amounts)


# --------------------------------------------------------------------------- the store

CLAIMS_QUERY = """
PREFIX aid: <https://w3id.org/aidgraph/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
SELECT ?g ?pledge ?claim ?donor ?recipient ?object ?label ?category ?quantity ?value ?currency
       ?status ?date ?meetingDate ?published ?lang ?evidence WHERE {
  GRAPH ?g {
    ?pledge a aid:Pledge ; aid:status ?status .
    OPTIONAL { ?pledge prov:qualifiedDerivation ?claim }
    OPTIONAL { ?pledge schema:agent ?donor }
    OPTIONAL { ?pledge schema:recipient ?recipient }
    OPTIONAL { ?pledge schema:object ?object }
    OPTIONAL { ?pledge aid:itemLabel ?label }
    OPTIONAL { ?pledge aid:category ?category }
    OPTIONAL { ?pledge aid:quantity ?quantity }
    OPTIONAL { ?pledge schema:amount ?amount . OPTIONAL { ?amount schema:value ?value }
               OPTIONAL { ?amount schema:currency ?currency } }
    OPTIONAL { ?pledge dcterms:date ?date }
    OPTIONAL { ?pledge aid:announcedAt ?meeting . ?meeting schema:startDate ?meetingDate }
    OPTIONAL { ?claim nif:anchorOf ?evidence }
    OPTIONAL { ?g schema:datePublished ?published }
    OPTIONAL { ?g schema:inLanguage ?lang }
  }
  FILTER(STRSTARTS(STR(?g), "@ARTICLES@"))
}
""".replace("@ARTICLES@", ARTICLE_PREFIX)

KNOWLEDGE_QUERY = """
PREFIX aid: <https://w3id.org/aidgraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?node ?broader ?category WHERE {
  { ?node skos:broader ?broader } UNION { ?node a aid:EquipmentSystem ; aid:category ?category }
}
"""


def _rows(store, sparql: str) -> list[dict[str, str]]:
    """The solutions of a SELECT query as dicts of strings (None: unbound); on pyoxigraph's own engine
    when the store has one (converting every row to rdflib terms costs more than the query)."""
    native = getattr(store, "native", None)
    if native is not None and hasattr(native, "query"):
        solutions = native.query(sparql)
        names = [variable.value for variable in solutions.variables]
        return [{name: (None if row[name] is None else row[name].value) for name in names}
                for row in solutions]
    result = store.query(sparql)
    names = [str(v) for v in result.vars]
    rows = []
    for row in result:
        rows.append({name: (None if row[i] is None else str(row[i])) for i, name in enumerate(names)})
    return rows


def read_knowledge(store) -> ItemKnowledge:
    """The broader / category links of the store's equipment and category concepts."""
    broader: dict[str, set[str]] = defaultdict(set)
    category_of: dict[str, str] = {}
    for row in _rows(store, KNOWLEDGE_QUERY):
        if row.get("broader"):
            broader[row["node"]].add(row["broader"])
        if row.get("category"):
            category_of.setdefault(row["node"], row["category"])
    return ItemKnowledge(dict(broader), category_of)


def parse_day(value: str | None) -> dt.date | None:
    """The first day of a date, year-month or year literal; None when it is none of these."""
    if not value:
        return None
    parts = value[:10].split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        return dt.date(year, month, day)
    except (ValueError, IndexError):
        return None


def _values(variable: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{variable} {{ {' '.join(URIRef(i).n3() for i in sorted(iris))} }}"


def read_claims(store, pledges: Iterable[tuple[str, str]] | None = None) -> list[ClaimRecord]:
    """Every pledge claim of the store's article graphs (one record per claim); ``pledges``: of these
    (article graph, pledge) pairs only."""
    records: dict[str, ClaimRecord] = {}
    sparql = CLAIMS_QUERY
    if pledges is not None:
        pairs = sorted(set(pledges))
        if not pairs:
            return []
        values = " ".join(f"({URIRef(g).n3()} {URIRef(p).n3()})" for g, p in pairs)
        restricted = "WHERE {\n  VALUES (?g ?pledge) { " + values + " }\n  GRAPH ?g {"
        sparql = sparql.replace("WHERE {\n  GRAPH ?g {", restricted, 1)
    for row in _rows(store, sparql):
        if not row.get("claim"):  # a pledge written without its claim node (not by aidgraph's pipeline)
            row["claim"] = f"{row['pledge']}/in/{row['g'][len(ARTICLE_PREFIX):]}"
        day = (parse_day(row.get("date")) or parse_day(row.get("meetingDate"))
               or parse_day(row.get("published")))
        if day is None or row["claim"] in records:
            continue
        item = row.get("object") or (f"label:{row['label'].casefold()}" if row.get("label") else None)
        amount = (row["value"], row.get("currency") or "") if row.get("value") else None
        records[row["claim"]] = ClaimRecord(
            claim=row["claim"], pledge=row["pledge"], article=row["g"], donor=row.get("donor"),
            recipient=row.get("recipient"), item=item, category=row.get("category"),
            quantity=int(row["quantity"]) if row.get("quantity") else None, amount=amount,
            status=row["status"].rsplit("/", 1)[-1], day=day, evidence=row.get("evidence") or "",
            lang=row.get("lang") or "")
    return sorted(records.values(), key=lambda c: c.sort_key)


def commitment_triples(commitments: list[Commitment], duplicate_of: dict[str, str]) -> set[tuple]:
    """The triples of the derived graph ``aidg:commitments``."""
    triples: set[tuple] = set()
    for commitment in commitments:
        iri = commitment.iri
        anchor = commitment.anchor
        triples.add((iri, RDF.type, AID.Commitment))
        if anchor.donor:
            triples.add((iri, SCHEMA.agent, URIRef(anchor.donor)))
        recipient = next((c.recipient for c in commitment.claims if c.recipient), None)
        if recipient:
            triples.add((iri, SCHEMA.recipient, URIRef(recipient)))
        item = commitment.item
        if item and not item.startswith("label:"):
            predicate = AID.category if "/category/" in item else SCHEMA.object
            triples.add((iri, predicate, URIRef(item)))
        elif item:
            triples.add((iri, AID.itemLabel, Literal(item.removeprefix("label:"), lang="en")))
        triples.add((iri, DCTERMS.date, Literal(anchor.day.isoformat(), datatype=XSD.date)))
        quantities = commitment.quantities()
        if len(quantities) == 1:
            triples.add((iri, AID.quantity, Literal(next(iter(quantities)), datatype=XSD.integer)))
        for what in commitment.contradictions():
            triples.add((iri, AID.contradiction, Literal(what)))
        triples.add((iri, AID.stage, Literal(stage_of(commitment.claims))))
        for instrument in set().union(*(instruments_in(c.evidence, c.lang) for c in commitment.claims)):
            triples.add((iri, AID.instrument, Literal(instrument)))
        for claim in commitment.claims:
            triples.add((iri, AID.groupsClaim, URIRef(claim.claim)))
            triples.add((iri, AID.groupsPledge, URIRef(claim.pledge)))
        triples.add((iri, AID.independentSources,
                     Literal(commitment.independent_sources(duplicate_of), datatype=XSD.integer)))
        delivered = [c.quantity for c in commitment.deliveries if c.quantity is not None]
        if delivered:
            triples.add((iri, AID.deliveredQuantity, Literal(max(delivered), datatype=XSD.integer)))
        if commitment.announced and commitment.deliveries:
            lag = (min(c.day for c in commitment.deliveries) - anchor.day).days
            triples.add((iri, AID.deliveryLagDays, Literal(lag, datatype=XSD.integer)))
    return triples


@dataclass(frozen=True, slots=True)
class RecomputeSummary:
    """What :func:`recompute` found: claims read, commitments made, and the seconds it took."""

    claims: int
    commitments: int
    contradictions: int
    duplicate_articles: int
    seconds: float
    reclustered: int | None = None   # claims clustered again by an incremental :func:`update` (None: all)

    def to_dict(self) -> dict[str, float]:
        found = {"claims": self.claims, "commitments": self.commitments,
                 "contradictions": self.contradictions, "near_duplicate_articles": self.duplicate_articles,
                 "seconds": round(self.seconds, 3)}
        if self.reclustered is not None:
            found["reclustered_claims"] = self.reclustered
        return found


def recompute(store) -> RecomputeSummary:
    """Replace the derived graph ``aidg:commitments`` with the commitments of all claims in ``store``.

    Also records near-duplicate articles there (:mod:`graph.duplicates`).
    """
    from graph.duplicates import duplicate_groups, duplicate_triples, read_signatures

    started = time.perf_counter()
    claims = read_claims(store)
    commitments = cluster(claims, read_knowledge(store))
    duplicate_of = duplicate_groups(read_signatures(store))
    triples = commitment_triples(commitments, duplicate_of) | duplicate_triples(duplicate_of)
    store.replace_graphs({str(COMMITMENTS_GRAPH): triples})
    return RecomputeSummary(len(claims), len(commitments),
                            sum(1 for c in commitments if c.contradictions()), len(duplicate_of),
                            time.perf_counter() - started)


# --------------------------------------------------------------------------- incremental update

INDEX_PREDICATES = {
    "claim": "http://www.w3.org/ns/prov#qualifiedDerivation", "donor": str(SCHEMA.agent),
    "object": str(SCHEMA.object), "label": str(AID.itemLabel), "category": str(AID.category),
    "date": str(DCTERMS.date), "meeting": str(AID.announcedAt),
}
# one triple pattern per query: answered from the store's indexes, where the joins of CLAIMS_QUERY over
# every article graph take seconds per thousand claims
INDEX_PLEDGES = f"SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?s a <{AID.Pledge}> ; <{AID.status}> ?o }} }}"
INDEX_PROPERTY = "SELECT ?g ?s ?o WHERE {{ GRAPH ?g {{ ?s <{predicate}> ?o }} }}"


OLD_COMMITMENTS_QUERY = """
PREFIX aid: <https://w3id.org/aidgraph/ontology#>
SELECT ?c ?claim ?label ?contradiction WHERE {
  GRAPH <@GRAPH@> {
    ?c a aid:Commitment ; aid:groupsClaim ?claim .
    OPTIONAL { ?c aid:itemLabel ?label }
    OPTIONAL { ?c aid:contradiction ?contradiction }
  }
}
""".replace("@GRAPH@", str(COMMITMENTS_GRAPH))

OLD_DUPLICATES_QUERY = """
PREFIX aid: <https://w3id.org/aidgraph/ontology#>
SELECT ?article ?first WHERE { GRAPH <@GRAPH@> { ?article aid:nearDuplicateOf ?first } }
""".replace("@GRAPH@", str(COMMITMENTS_GRAPH))


@dataclass(slots=True)
class _ClaimIndex:
    """What the store's claims need for blocking: per claim its article graph and (donor, item) pairs."""

    graph: dict[str, str] = field(default_factory=dict)
    pledge: dict[str, str] = field(default_factory=dict)
    items: dict[str, set[tuple[str, str | None, str | None]]] = field(default_factory=dict)

    @classmethod
    def read(cls, store) -> _ClaimIndex:
        """The index of every claim that :func:`read_claims` reads (claims with a day)."""
        def pairs(sparql: str) -> list[tuple[str, ...]]:
            return [tuple(row.values()) for row in _rows(store, sparql)
                    if row["g"].startswith(ARTICLE_PREFIX)]

        values: dict[str, dict[tuple[str, str], list[str]]] = {}
        for name, predicate in INDEX_PREDICATES.items():
            found = values[name] = defaultdict(list)
            for g, subject, value in pairs(INDEX_PROPERTY.format(predicate=predicate)):
                found[(g, subject)].append(value)
        starts = defaultdict(list)
        for g, subject, value in pairs(INDEX_PROPERTY.format(predicate=SCHEMA.startDate)):
            starts[(g, subject)].append(value)
        published = defaultdict(list)
        for g, subject, value in pairs(INDEX_PROPERTY.format(predicate=SCHEMA.datePublished)):
            if g == subject:
                published[g].append(value)
        index = cls()
        for g, pledge in pairs(INDEX_PLEDGES):
            key = (g, pledge)
            days = values["date"].get(key, []) + published.get(g, []) + [
                start for meeting in values["meeting"].get(key, []) for start in starts.get((g, meeting), [])]
            if not any(parse_day(day) for day in days):
                continue  # read_claims leaves claims without a day out: so does the index
            items = values["object"].get(key) or [f"label:{label.casefold()}" for label in
                                                  values["label"].get(key, [])] or [None]
            for claim in values["claim"].get(key) or [f"{pledge}/in/{g[len(ARTICLE_PREFIX):]}"]:
                index.graph.setdefault(claim, g)
                index.pledge.setdefault(claim, pledge)
                entries = index.items.setdefault(claim, set())
                for donor in values["donor"].get(key) or [""]:
                    for item in items:
                        for category in values["category"].get(key) or [None]:
                            entries.add((donor, item, category))
        return index

    def labels(self) -> dict[str, str]:
        """As :func:`label_categories` of the claims."""
        found: dict[str, str] = {}
        for entries in self.items.values():
            for _, item, category in entries:
                if item and item.startswith("label:") and category:
                    found[item] = min(found.get(item, category), category)
        return found


def update(store, articles: Iterable[str]) -> RecomputeSummary:
    """Bring ``aidg:commitments`` up to date after the article graphs ``articles`` (IRIs) were written,
    replaced or dropped, re-clustering only the claims they can touch; the result equals
    :func:`recompute` (tested on many orders).

    The blocking key of a claim is its donor and the family of its item (:meth:`ItemKnowledge.families`;
    a free item description counts in the family of its category): commitments never span two keys, and
    the clustering of one key depends on its claims only. The keys re-clustered are those of the
    articles' claims, of claims not yet in the derived graph, of the claims of any commitment that lost a
    claim, of every claim of a free item description an article states (its category may change), and of
    the articles whose near-duplicate group changed; then, until nothing is added, the keys of the other
    claims of every commitment that held a re-clustered claim. The commitments holding a re-clustered
    claim are replaced. When that selects more than half of the claims, or the store has no commitment
    yet, this is :func:`recompute`; after a change of the reference knowledge run ``aidgraph commitments``.
    """
    from graph.duplicates import duplicate_groups, duplicate_triples, read_signatures

    started = time.perf_counter()
    graph = str(COMMITMENTS_GRAPH)
    if not store.query(f"ASK {{ GRAPH <{graph}> {{ ?s a <{AID.Commitment}> }} }}").askAnswer:
        return recompute(store)
    touched = {str(a) for a in articles}
    knowledge = read_knowledge(store)
    families = knowledge.families()
    index = _ClaimIndex.read(store)
    labels = index.labels()

    def keys(claim: str) -> set[tuple[str, str]]:
        found = set()
        for donor, item, category in index.items[claim]:
            node = item or category or ""
            node = labels.get(node, node) if node.startswith("label:") else node
            found.add((donor, families.get(node, node)))
        return found

    by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
    for claim in index.items:
        for key in keys(claim):
            by_key[key].add(claim)
    old_claims: dict[str, set[str]] = defaultdict(set)
    old_labels: dict[str, str] = {}
    contradicted: set[str] = set()
    for row in _rows(store, OLD_COMMITMENTS_QUERY):
        old_claims[row["c"]].add(row["claim"])
        if row.get("label"):
            old_labels[row["c"]] = f"label:{row['label']}"
        if row.get("contradiction"):
            contradicted.add(row["c"])
    old_of: dict[str, str] = {}
    for row in _rows(store, OLD_DUPLICATES_QUERY):
        old_of[row["article"]] = row["first"]
        old_of.setdefault(row["first"], row["first"])
    duplicate_of = duplicate_groups(read_signatures(store))
    regrouped = {a for a in set(old_of) | set(duplicate_of) if old_of.get(a) != duplicate_of.get(a)}
    claim_of = {claim: c for c, claims in old_claims.items() for claim in claims}

    # the seeds: claims of the articles, new or regrouped ones, commitments that lost a claim
    seeds = {claim for claim, g in index.graph.items()
             if g in touched or g in regrouped or claim not in claim_of}
    changed = {claim_of[claim] for claim in seeds if claim in claim_of}
    changed |= {c for c, claims in old_claims.items() if any(claim not in index.items for claim in claims)}
    stated = {item for claim in seeds for _, item, _ in index.items[claim]
              if item and item.startswith("label:")} | {old_labels[c] for c in changed if c in old_labels}
    seeds |= {claim for claim, entries in index.items.items()
              if any(item in stated for _, item, _ in entries)}
    # the closure: every key of a claim of a replaced commitment is re-clustered, every commitment
    # holding a re-clustered claim replaced
    done_keys: set[tuple[str, str]] = set()
    selected: set[str] = set()
    pending = seeds | {claim for c in changed for claim in old_claims[c] if claim in index.items}
    while pending:
        new_keys = set().union(*(keys(claim) for claim in pending)) - done_keys
        done_keys |= new_keys
        members = set().union(*(by_key[key] for key in new_keys)) - selected if new_keys else set()
        selected |= members
        replaced = {claim_of[claim] for claim in members if claim in claim_of} - changed
        changed |= replaced
        pending = {claim for c in replaced for claim in old_claims[c] if claim in index.items} - selected
    if len(selected) * 2 > len(index.items):
        return recompute(store)  # most claims are touched: re-reading them all is the cheaper way
    wanted = {(index.graph[claim], index.pledge[claim]) for claim in selected}
    records = [record for record in read_claims(store, wanted) if record.claim in selected]
    commitments = cluster(records, knowledge, labels)
    triples = commitment_triples(commitments, duplicate_of)
    triples |= duplicate_triples({a: duplicate_of[a] for a in regrouped if a in duplicate_of})
    _patch(store, graph, changed | regrouped, triples)
    total = len(old_claims) - len(changed) + len(commitments)
    contradictions = len(contradicted - changed) + sum(1 for c in commitments if c.contradictions())
    return RecomputeSummary(len(index.items), total, contradictions, len(duplicate_of),
                            time.perf_counter() - started, reclustered=len(records))


def _patch(store, graph: str, subjects: set[str], triples: set[tuple]) -> None:
    """Delete every triple of ``subjects`` from the derived ``graph`` and add ``triples``, in one update
    (the graph is not part of the default graph, so the store's merge and read model need no change)."""
    name = URIRef(graph).n3()
    parts = []
    if subjects:
        parts.append(f"DELETE {{ GRAPH {name} {{ ?s ?p ?o }} }} WHERE {{ {_values('s', subjects)} "
                     f"GRAPH {name} {{ ?s ?p ?o }} }}")
    if triples:
        body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in sorted(triples))
        parts.append(f"INSERT DATA {{ GRAPH {name} {{\n{body}\n}} }}")
    if parts:
        write = getattr(store, "update_unmerged", store.update)
        write(" ;\n".join(parts))


# --------------------------------------------------------------------------- evaluation

def claim_ref(claim: ClaimRecord) -> str:
    """``"{article-id} {item slug}"``: how a gold clustering names a claim."""
    return f"{claim.article.rsplit('/', 1)[-1]} {(claim.item or claim.category or '').rsplit('/', 1)[-1]}"


def pairwise_scores(predicted: list[list[str]], gold: list[list[str]]) -> dict[str, float]:
    """Pairwise precision / recall / F1 of merged claims: a pair counts when both claims are in one
    cluster. Only claims that the gold clustering names are scored."""
    scored = {ref for group in gold for ref in group}

    def pairs(groups: list[list[str]]) -> set[frozenset[str]]:
        found = set()
        for group in groups:
            members = sorted({ref for ref in group if ref in scored})
            found |= {frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1:]}
        return found

    got, want = pairs(predicted), pairs(gold)
    precision = len(got & want) / len(got) if got else 1.0
    recall = len(got & want) / len(want) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs_predicted": len(got),
            "pairs_gold": len(want)}


def _union_root(parent: dict[str, str], node: str) -> str:
    """The root of ``node`` in the union-find forest ``parent`` (path halving; a new node is its own)."""
    parent.setdefault(node, node)
    while parent[node] != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node
