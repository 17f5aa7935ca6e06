"""Response models of the REST routes, the problem details of every error, and the OpenAPI document
that describes them (``install_openapi``), so that generated clients (openapi-python-client) parse
every answer into typed objects.

Models allow fields they do not name (``extra="allow"``): a new field in an answer reaches clients
instead of failing validation; the fields named here are typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from api.problems import PROBLEM_MEDIA_TYPE

Number = int | float
#: a literal read back from the store: a number for numeric literals, else its text
Value = int | float | bool | str


class Model(BaseModel):
    model_config = ConfigDict(extra="allow")


# ------------------------------------------------------------------------------------------- errors

class ValidationIssue(Model):
    """One parameter that failed validation."""

    location: list[str] = Field(description="where: query/path/body and the parameter name")
    message: str


class ProblemDetails(Model):
    """An error (RFC 9457 problem details, ``application/problem+json``). Some problems add members:
    ``line``/``column`` (malformed SPARQL), ``errors`` (invalid parameters), ``validation``/``ingest``
    (POST /articles)."""

    type: str = Field(description="https://w3id.org/aidgraph/problems/CODE")
    title: str
    status: int
    detail: str
    hint: str | None = None
    line: int | None = None
    column: int | None = None
    errors: list[ValidationIssue] | None = None


# ------------------------------------------------------------------------------------------- pledges

class PledgeSource(Model):
    """One article's claim of a pledge."""

    claim: str
    article: str | None = None
    article_iri: str | None = None
    evidence: str | None = Field(default=None, description="the sentence the pledge was read from")
    confidence: Number | None = None


class Pledge(Model):
    """A pledge: who gives what to whom, how much, when, and the articles that say so."""

    id: str = Field(description="the pledge IRI")
    donor: str | None = None
    recipient: str | None = None
    item: str | None = None
    item_iri: str | None = None
    category: str | None = None
    quantity: Value | None = None
    amount: Value | None = None
    currency: str | None = None
    status: str | None = None
    date: str | None = None
    meeting: str | None = None
    conflicting_values: dict[str, list[Any]] | None = Field(
        default=None, description="values on which the articles disagree, by field")
    sources: list[PledgeSource] = []


#: the ``pledges`` of a meeting, actor or equipment answer
NewestPledges = Annotated[list[Pledge], Field(description="the newest pledges (at most ``pledge_limit``)")]
#: the ``pledges_total`` beside them
PledgesTotal = Annotated[int | None, Field(description="how many pledges there are in all (page through "
                                                       "them with /pledges)")]


class Page(Model):
    """A page of a list: ``next`` is the URL of the following page (also in the Link header)."""

    limit: int
    offset: int
    count: int
    next: str | None = None


class PledgePage(Page):
    items: list[Pledge]
    warnings: list[str] | None = Field(default=None, description="why an empty answer may be empty")


# ------------------------------------------------------------------------------------------- commitments

class CommitmentSummary(Model):
    """One real-world commitment: the claims of many articles grouped (graph aidg:commitments)."""

    id: str = Field(description="the commitment key (last segment of its IRI)")
    iri: str
    donor: str | None = None
    recipient: str | None = None
    item: str | None = None
    item_iri: str | None = None
    category: str | None = None
    date: str | None = Field(default=None, description="the first date a claim gives")
    quantity: Value | None = Field(default=None, description="the quantity, when the claims agree on one")
    stage: str | None = Field(default=None, description="announced, committed or delivered")
    instruments: list[str] = []
    contradictions: list[str] = Field(default=[], description="values the claims disagree on")
    claims: int = 0
    independent_sources: int | None = Field(default=None, description="articles, wire copies counted once")
    delivered_quantity: Value | None = None
    delivery_lag_days: int | None = None


class CommitmentPage(Page):
    items: list[CommitmentSummary]


class CommitmentClaim(Model):
    """One article's claim within a commitment, with the values it states."""

    claim: str
    pledge: str
    article: str | None = None
    article_iri: str | None = None
    near_duplicate_of: str | None = Field(default=None, description="the article this one is a copy of")
    publisher: str | None = None
    published: str | None = None
    lang: str | None = None
    status: str | None = None
    quantity: Value | None = None
    amount: Value | None = None
    currency: str | None = None
    date: str | None = None
    evidence: str | None = None


class CommitmentStage(Model):
    """A lifecycle stage reached: its first date, the quantities claimed, the claims saying so."""

    stage: str
    date: str | None = None
    quantities: list[Value] = []
    claims: list[str] = []


class ContradictingValue(Model):
    """One of the values the claims disagree on, and the articles stating it."""

    value: Value | None = None
    currency: str | None = None
    articles: list[str] = []


class Commitment(CommitmentSummary):
    """A commitment with its claims, sources, stages and contradictions."""

    stages: list[CommitmentStage] = []
    contradicting_values: dict[str, list[ContradictingValue]] = {}
    sources: list[CommitmentClaim] = []


class ReconciliationRow(Model):
    """One Kiel donor x weapon category next to the news graph."""

    donor: str = Field(description="ISO alpha-2 code ('' when Kiel's donor is no known country)")
    donor_name: str
    category: str = Field(description="Kiel's weapon category")
    kiel_weapons: int
    kiel_value_eur: Number
    graph_commitments: int
    graph_quantity: int = Field(description="sum of the commitments' quantities where their claims agree")
    graph_value_eur: Number
    coverage: Number | None = Field(default=None, description="share of Kiel's systems with a commitment")
    disagreement: int = Field(description="|Kiel's number - graph quantity|")
    systems_in_graph: list[str] = []


class Reconciliation(Model):
    """The Kiel Ukraine Support Tracker release next to the news graph, largest disagreements first."""

    release: str
    label: str
    cutoff: str = Field(description="Kiel's cut-off month (YYYY-MM)")
    rows: list[ReconciliationRow]
    unmapped_systems: list[str] = []


class ReconciliationMonth(Model):
    """One donor x month: Kiel's military total next to the news graph's commitments of that month."""

    donor: str = Field(description="ISO alpha-2 code ('' when Kiel's donor is no known country)")
    donor_name: str
    month: str = Field(description="YYYY-MM")
    kiel_military_eur: Number
    graph_commitments: int = Field(description="commitments first reported in that month (not proposals)")
    graph_with_sum: int = Field(description="of them, those with a money figure")
    graph_value_eur: Number = Field(description="their sums in EUR at the ECB rate of the pledge date")
    difference_eur: Number = Field(description="graph_value_eur - kiel_military_eur")


class ReconciliationByMonth(Model):
    """The Kiel tracker's military totals per donor x month next to the news graph (``by=month``)."""

    release: str
    label: str
    cutoff: str = Field(description="Kiel's cut-off month (YYYY-MM)")
    by: str = "month"
    rows: list[ReconciliationMonth]


# ------------------------------------------------------------------------------------------- meetings

class MeetingSummary(Model):
    id: str | None = None
    iri: str
    key: str | None = None
    format: str | None = None
    date: str | None = None
    place: str | None = None
    countries: Value | None = None
    attendees: Value | None = None
    pledges: Value | None = None


class MeetingPage(Page):
    items: list[MeetingSummary]


class PersonRef(Model):
    id: str | None = None
    iri: str
    name: str | None = None


class Meeting(Model):
    """A meeting with its chairs, attendees (in person and remote), pledges and source articles."""

    id: str
    iri: str
    key: str | None = None
    format: str | None = None
    date: str | None = None
    place: str | None = None
    countries: Value | None = None
    chairs: list[str] = []
    attendees_in_person: list[PersonRef] = []
    attendees_remote: list[PersonRef] = []
    pledges: NewestPledges = []
    pledges_total: PledgesTotal = None
    articles: list[str] = []


# ------------------------------------------------------------------------------------------- actors

class ActorSummary(Model):
    id: str | None = None
    iri: str
    type: str | None = None
    name: str | None = None
    articles: Value | None = None


class ActorPage(Page):
    items: list[ActorSummary]


class Label(Model):
    lang: str | None = None
    label: str


class Post(Model):
    post: str | None = None
    role: str | None = None
    country: str | None = None
    start: str | None = None
    end: str | None = None


class ActorMeeting(Model):
    id: str | None = None
    key: str | None = None
    date: str | None = None
    mode: str | None = Field(default=None, description="in person, remote or chair")


class CountryPerson(Model):
    id: str | None = None
    name: str | None = None
    role: str | None = None


class Actor(Model):
    """A person, country or organisation: posts, meetings, pledges (and, for countries, people)."""

    id: str
    iri: str
    types: list[str] = []
    name: str | None = None
    labels: list[Label] = []
    posts: list[Post] = []
    meetings: list[ActorMeeting] = []
    pledges: NewestPledges = []
    pledges_total: PledgesTotal = None
    people: list[CountryPerson] | None = None


# ------------------------------------------------------------------------------------------- equipment

class EquipmentSummary(Model):
    id: str | None = None
    iri: str
    name: str | None = None
    category: str | None = None
    pledges: Value | None = None
    donors: Value | None = None


class EquipmentPage(Page):
    items: list[EquipmentSummary]
    warnings: list[str] | None = Field(default=None, description="why an empty answer may be empty")


class QuantityAt(Model):
    date: str | None = None
    donor: str | None = None
    quantity: Value | None = None
    status: str | None = None
    amount: Value | None = None
    currency: str | None = None


class Equipment(Model):
    """An equipment system: category, labels, donors and quantities over time."""

    id: str
    iri: str
    name: str | None = None
    category: list[str] = []
    labels: list[str] = []
    donors: list[str] = []
    quantities_over_time: list[QuantityAt] = []
    pledges: NewestPledges = []
    pledges_total: PledgesTotal = None


# ------------------------------------------------------------------------------------------- articles

class ArticleSummary(Model):
    id: Value | None = None
    iri: str
    published: str | None = None
    lang: str | None = None
    headline: str | None = None
    publisher: str | None = None
    url: str | None = None


class ArticlePage(Page):
    items: list[ArticleSummary]


class Fact(Model):
    iri: str
    type: str


class ShaclResult(Model):
    """One SHACL validation result of the article's quarantined facts."""

    severity: str | None = None
    focus: str | None = None
    path: str | None = None
    message: str | None = None
    value: Value | None = None
    shape: str | None = None
    constraint: str | None = Field(default=None, description="e.g. sh:MinInclusive")


class Validation(Model):
    conforms: bool
    results: list[ShaclResult] = []
    quarantined_triples: Value = 0


class Article(Model):
    """An article's metadata, its text, the facts extracted from it, and its SHACL report."""

    id: str
    iri: str
    metadata: dict[str, Any] = {}
    text: str | None = Field(None, description="the article's normalised text: the claims' character offsets "
                             "(``/sparql``: nif:beginIndex, nif:endIndex) index into it; absent for an "
                             "article stored before aidgraph kept the text")
    fact_counts: dict[str, int] = {}
    facts: list[Fact] = []
    validation: Validation


class IngestSummary(Model):
    article: str
    lang: str | None = None
    stored: bool
    facts_accepted: int
    facts_quarantined: int
    triples_stored: int
    seconds: dict[str, float] = {}


class IngestedArticle(Article):
    """The stored article, and what the ingest did."""

    ingest: IngestSummary


# ------------------------------------------------------------------------------------------- other

class SearchMatch(Model):
    label: str
    lang: str | None = None


class SearchHit(Model):
    id: str | None = None
    iri: str
    kind: str | None = None
    matches: list[SearchMatch] = []


class SearchResult(Model):
    q: str
    count: int
    items: list[SearchHit]


class Stats(Model):
    """Counts of the store; the kinds of resources counted may grow (extra members)."""

    triples: int
    graphs: int
    article_graphs: int
    quarantine_graphs: int
    articles: int | None = None
    pledges: int | None = None
    meetings: int | None = None
    persons: int | None = None
    countries: int | None = None
    organisations: int | None = None
    equipment: int | None = None
    claims: int | None = None


class Health(Model):
    status: str
    store: str
    native_engine: bool
    worker_restarts: int
    memory_kills: int = 0
    query_workers: int = 0
    query_worker_share: int = 0
    queries_admitted: int = 0
    queries_refused: int = 0
    query_worker_restarts: int = 0
    lookups_running: int = 0
    lookups_waiting: int = 0
    lookups_refused: int = 0
    store_heartbeat_s: float | None = None


class SavedQuery(Model):
    name: str
    title: str
    description: str
    parameters: str
    sparql: str


class SparqlResults(Model):
    """SPARQL 1.1 Query Results JSON: ``head`` and ``results`` (SELECT) or ``boolean`` (ASK); an
    ``aidgraph`` member announces truncation at the result cap."""

    head: dict[str, Any]
    results: dict[str, Any] | None = None
    boolean: bool | None = None


# ------------------------------------------------------------------------------------------- OpenAPI

def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


#: the schema of a SPARQL JSON result, for routes that answer several media types (api.routes_sparql)
SPARQL_RESULTS_SCHEMA = _ref("SparqlResults")
#: component schemas that routes reference by ``$ref`` rather than through a response model
REFERENCED_MODELS = (ProblemDetails, SparqlResults)


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` describe every error as what the problem handlers send: an
    ``application/problem+json`` ProblemDetails (FastAPI would document a JSON ``HTTPValidationError``
    for 422 and no body for the others)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = generate()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for model in REFERENCED_MODELS:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    if code[:1] in "45":
                        response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _ref("ProblemDetails")}}
                        if code == "422" and response.get("description") == "Validation Error":
                            response["description"] = "a parameter is invalid (listed in 'errors')"
        app.openapi_schema = document
        return document

    app.openapi = openapi
