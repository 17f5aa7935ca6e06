# ruff: noqa: N815  (ontology term names are camelCase by RDF convention)
"""Namespaces, aidgraph's own ontology terms and the IRI helpers every module uses.

Code never spells an IRI by hand: it uses the namespaces and helpers here, so that the IRI policy of
``docs/architecture.md`` lives in one place. ``AID`` is a closed namespace (a typo such as
``AID.pleg`` is an ``AttributeError``) and is kept in step with ``ontology/aidgraph.ttl`` by
``tests/test_vocab.py``.

    >>> country_iri("de")
    rdflib.term.URIRef('https://w3id.org/aidgraph/id/country/DE')
    >>> post_iri("defence_minister", "DE")
    rdflib.term.URIRef('https://w3id.org/aidgraph/id/post/defence_minister-DE')
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, TIME, XSD, DefinedNamespace

__all__ = [
    "AID", "AIDG", "AIDR", "AIDSH", "CATEGORY_SCHEME", "COMMITMENTS_GRAPH", "DCTERMS", "EQUIPMENT_SCHEME",
    "MULTIPLE_DONORS_IRI",
    "NIF",
    "ONTOLOGY_DIR", "ONTOLOGY_GRAPH", "ORG", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "REFERENCE_GRAPH",
    "ROLE_SCHEME", "SCHEMA", "SH", "SHAPES_DIR", "SKOS", "STATUS_SCHEME", "TIME", "WD", "XSD",
    "amount_iri", "article_iri", "bind_prefixes", "category_iri", "claim_iri", "commitment_iri",
    "country_iri",
    "equipment_iri", "meeting_iri", "org_iri", "person_iri", "place_iri", "pledge_iri", "post_iri",
    "publisher_iri", "quarantine_graph_iri", "quarantine_report_iri", "role_iri", "run_iri",
    "slugify", "status_iri", "tenure_iri", "text_iri",
]

AID_IRI = "https://w3id.org/aidgraph/ontology#"


class AID(DefinedNamespace):
    """aidgraph's own terms (``aid:``), minted only where no standard term fits.

    Each term is declared, labelled (en/de/sv) and defined in ``ontology/aidgraph.ttl``.
    """

    _NS = Namespace(AID_IRI)
    _fail = True

    # classes
    Pledge: URIRef           # ⊑ schema:DonateAction; n-ary pledge node
    Claim: URIRef            # ⊑ prov:Derivation; one article's statement of one fact
    Meeting: URIRef          # ⊑ schema:Event
    EquipmentSystem: URIRef  # ⊑ schema:Product, skos:Concept
    DonorGroup: URIRef       # ⊑ org:Organization; several donors jointly
    Tenure: URIRef           # ⊑ org:Membership; a person holding a post from a date to a date
    Commitment: URIRef       # ⊑ schema:DonateAction; one real-world pledge grouping many articles' claims

    # country / organisation / naming
    alpha3: URIRef           # ISO 3166-1 alpha-3 code
    adjective: URIRef        # ⊑ skos:hiddenLabel; "German", "tyska"
    demonym: URIRef          # ⊑ skos:hiddenLabel; "Germans", "Deutsche"
    metonym: URIRef          # ⊑ skos:hiddenLabel; "Berlin", "the Pentagon"

    # tenure
    post: URIRef             # tenure -> org:Post

    # equipment and pledges
    category: URIRef         # pledge / equipment -> category concept
    itemLabel: URIRef        # free description of a pledged item with no system node
    quantity: URIRef         # xsd:integer > 0
    status: URIRef           # pledge -> status concept
    announcedAt: URIRef      # pledge -> meeting

    # commitments (derived graph aidg:commitments) and near-duplicate articles
    groupsClaim: URIRef      # commitment -> aid:Claim
    groupsPledge: URIRef     # commitment -> aid:Pledge
    contradiction: URIRef    # commitment -> "quantity" / "amount" the claims disagree on
    independentSources: URIRef  # commitment -> xsd:integer (duplicate groups count once)
    deliveredQuantity: URIRef   # commitment -> xsd:integer
    deliveryLagDays: URIRef     # commitment -> xsd:integer
    stage: URIRef            # commitment -> "announced" / "committed" / "delivered"
    instrument: URIRef       # commitment -> instrument key (pda, usai, purl, ...)
    nearDuplicateOf: URIRef  # article -> first article of its near-duplicate group
    minhash: URIRef          # article -> hex MinHash signature of its text

    # meetings
    format: URIRef           # meeting -> organisation / format (UDCG, COTW, ...)
    chair: URIRef            # ⊑ schema:organizer
    remoteAttendee: URIRef   # ⊑ schema:attendee; joined by video
    numberOfCountries: URIRef

    # provenance
    mentionedIn: URIRef      # entity -> article that mentions it
    extractionRule: URIRef   # claim -> id of the rule that fired
    confidence: URIRef       # claim -> xsd:decimal in [0, 1]


AIDR = Namespace("https://w3id.org/aidgraph/id/")
AIDG = Namespace("https://w3id.org/aidgraph/graph/")
AIDSH = Namespace("https://w3id.org/aidgraph/shapes#")  # SHACL shapes; aidsh:Pledge checks aid:Pledge
SCHEMA = SDO
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
WD = Namespace("http://www.wikidata.org/entity/")

ONTOLOGY_GRAPH = AIDG["ontology"]
REFERENCE_GRAPH = AIDG["reference"]
COMMITMENTS_GRAPH = AIDG["commitments"]  # derived: recomputed from all article graphs after ingest

CATEGORY_SCHEME = AIDR["scheme/categories"]
STATUS_SCHEME = AIDR["scheme/statuses"]
ROLE_SCHEME = AIDR["scheme/roles"]
EQUIPMENT_SCHEME = AIDR["scheme/equipment"]

REPO_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = REPO_ROOT / "ontology"
SHAPES_DIR = REPO_ROOT / "shapes"

PREFIXES: dict[str, str] = {
    prefix: str(namespace) for prefix, namespace in {
        "aid": AID_IRI, "aidr": AIDR, "aidg": AIDG, "aidsh": AIDSH, "schema": SCHEMA, "org": ORG,
        "prov": PROV, "skos": SKOS, "nif": NIF, "dcterms": DCTERMS, "time": TIME, "wd": WD, "xsd": XSD,
        "owl": OWL, "rdf": RDF, "rdfs": RDFS, "sh": SH,
    }.items()
}


def bind_prefixes(graph) -> None:
    """Bind aidgraph's prefixes on an rdflib graph (so Turtle output is readable)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)


# ----------------------------------------------------------------------------------------------------
# slugs

# letters that Unicode decomposition does not reduce to ASCII
_TRANSLITERATION = str.maketrans({
    "ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l", "Ł": "l",
    "đ": "d", "Đ": "d", "þ": "th", "Þ": "th", "ı": "i",
})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lowercase ASCII, ``-`` separated: ``"Władysław Kosiniak-Kamysz"`` -> ``"wladyslaw-kosiniak-kamysz"``.

    Idempotent (a slug slugifies to itself). Raises ``ValueError`` when nothing is left.
    """
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if not slug:
        raise ValueError(f"cannot make a slug from {text!r}: it has no letters or digits")
    return slug


def _segment(value: str, what: str) -> str:
    """A value made safe as one IRI path segment (keeps case, percent-encodes the rest)."""
    value = (value or "").strip()
    if not value:
        raise ValueError(f"an empty {what} cannot be turned into an IRI")
    return quote(value, safe="-_.~")


def _key(value: str, what: str) -> str:
    """A vocabulary key (role, category, status): lowercase with underscores kept."""
    value = (value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if not re.fullmatch(r"[a-z0-9_]+", value):
        raise ValueError(f"{what} {value!r} is not a vocabulary key (lowercase letters, digits, _)")
    return value


# ----------------------------------------------------------------------------------------------------
# resource IRIs (aidr:)

def country_iri(code: str) -> URIRef:
    """``aidr:country/DE`` for an ISO 3166-1 alpha-2 code (any case)."""
    return AIDR[f"country/{_segment(code, 'country code').upper()}"]


def org_iri(key: str) -> URIRef:
    """``aidr:org/UDCG`` for an organisation or format key; ``aidr:org/multiple`` for joint donors."""
    return AIDR[f"org/{_segment(key, 'organisation key')}"]


MULTIPLE_DONORS_IRI = AIDR["org/multiple"]


def person_iri(slug: str) -> URIRef:
    """``aidr:person/boris-pistorius`` from a reference slug or a name (slugified)."""
    return AIDR[f"person/{slugify(slug)}"]


def role_iri(role: str) -> URIRef:
    """``aidr:role/defence_minister`` (a concept of the role scheme)."""
    return AIDR[f"role/{_key(role, 'role')}"]


def post_iri(role: str, country: str) -> URIRef:
    """``aidr:post/defence_minister-DE``: the post of a role in a country (or organisation: ``-NATO``)."""
    return AIDR[f"post/{_key(role, 'role')}-{_segment(country, 'post country').upper()}"]


def tenure_iri(person_slug: str, role: str, country: str, start: str) -> URIRef:
    """``aidr:tenure/boris-pistorius-defence_minister-DE-2023-01-19``."""
    return AIDR[f"tenure/{slugify(person_slug)}-{_key(role, 'role')}-"
                f"{_segment(country, 'post country').upper()}-{_segment(start, 'tenure start')}"]


def category_iri(key: str) -> URIRef:
    """``aidr:category/air_defence`` (a concept of the category scheme)."""
    return AIDR[f"category/{_key(key, 'category')}"]


def equipment_iri(slug: str) -> URIRef:
    """``aidr:equipment/iris-t-slm`` from a reference slug or a name (slugified)."""
    return AIDR[f"equipment/{slugify(slug)}"]


def status_iri(status: str) -> URIRef:
    """``aidr:status/pledged`` (a concept of the status scheme)."""
    return AIDR[f"status/{_key(status, 'status')}"]


def meeting_iri(key: str) -> URIRef:
    """``aidr:meeting/UDCG-2025-04-11`` for a meeting key (case kept)."""
    return AIDR[f"meeting/{_segment(key, 'meeting key')}"]


def place_iri(name: str) -> URIRef:
    """``aidr:place/brussels`` from an (English) place name."""
    return AIDR[f"place/{slugify(name)}"]


def article_iri(article_id: str) -> URIRef:
    """``aidr:article/{id}``: the article resource and also the IRI of its named graph."""
    return AIDR[f"article/{_segment(article_id, 'article id')}"]


def publisher_iri(name: str) -> URIRef:
    """``aidr:publisher/politico-europe`` from a publisher name."""
    return AIDR[f"publisher/{slugify(name)}"]


def pledge_iri(key_parts: Iterable[object]) -> URIRef:
    """``aidr:pledge/{sha1(key)[:16]}``; key = (donor, recipient, item-or-category, status, date-or-meeting).

    ``None`` parts count as empty; parts are compared case-insensitively and stripped, so two
    articles reporting the same pledge reach the same node.
    """
    key = "|".join("" if part is None else str(part).strip().lower() for part in key_parts)
    return AIDR[f"pledge/{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"]


def commitment_iri(anchor_claim: str) -> URIRef:
    """``aidr:commitment/{sha1(anchor claim IRI)[:16]}``: a commitment is named after its first claim
    (earliest date, then smallest claim IRI), so the same claims always give the same IRI."""
    return AIDR[f"commitment/{hashlib.sha1(str(anchor_claim).encode('utf-8')).hexdigest()[:16]}"]


def amount_iri(pledge: URIRef) -> URIRef:
    """The ``schema:MonetaryAmount`` node of a pledge: ``{pledge IRI}-amount``."""
    return URIRef(f"{pledge}-amount")


def claim_iri(article_id: str, n: int) -> URIRef:
    """``aidr:claim/{article-id}/{n}``: the n-th claim read from one article."""
    return AIDR[f"claim/{_segment(article_id, 'article id')}/{int(n)}"]


def text_iri(article_id: str) -> URIRef:
    """``aidr:text/{article-id}``: the article's normalised text, a ``nif:Context`` (``nif:isString``) that
    the offsets of its claims index into."""
    return AIDR[f"text/{_segment(article_id, 'article id')}"]


def run_iri(article_id: str) -> URIRef:
    """``aidr:run/{article-id}``: the extraction run (a ``prov:Activity``) over one article."""
    return AIDR[f"run/{_segment(article_id, 'article id')}"]


# ----------------------------------------------------------------------------------------------------
# named graphs (aidg:)

def quarantine_graph_iri(article_id: str) -> URIRef:
    """``aidg:quarantine/{article-id}``: the rejected triples of one article."""
    return AIDG[f"quarantine/{_segment(article_id, 'article id')}"]


def quarantine_report_iri(article_id: str) -> URIRef:
    """``aidg:quarantine/{article-id}/report``: the SHACL validation report of one article."""
    return AIDG[f"quarantine/{_segment(article_id, 'article id')}/report"]
