"""SHACL validation of article graphs and the gate that splits accepted from quarantined facts.

    validate_graph(data)  -> ValidationReport     (``aidgraph validate FILE.ttl``)
    gate(article_graph)   -> GateResult            (pipeline: what lands, what goes to quarantine)

The shapes (``shapes/*.ttl``) are parsed once and cached. pySHACL runs on an in-memory rdflib graph
(never on the oxigraph store: slower and wrong there), ``inplace=True`` and without inference.
Validation never raises for data problems: it returns a report.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery

from graph.errors import InputError, RDFSyntaxError
from graph.to_rdf import ArticleGraph, Triple
from graph.vocab import PREFIXES, SHAPES_DIR, bind_prefixes

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Violation:
    """One validation result: the node, the path, the failing constraint (``sh:MinCountConstraintComponent``),
    the shape, a message and the severity (``Violation`` | ``Warning`` | ``Info``)."""

    focus_node: str
    result_path: str | None
    constraint: str
    shape: str
    message: str
    severity: str


@dataclass
class ValidationReport:
    """``conforms`` is False only for results of severity Violation; ``graph`` is the sh:ValidationReport."""

    conforms: bool
    violations: list[Violation]
    graph: Graph
    text: str


@dataclass
class GateResult:
    """The article's triples split into what may land and what goes to quarantine."""

    accepted: Graph
    quarantined: Graph
    report: ValidationReport
    facts_accepted: int
    facts_quarantined: int


@functools.cache
def shapes_graph() -> Graph:
    """All shapes of ``shapes/*.ttl`` in one graph (parsed once)."""
    files = sorted(SHAPES_DIR.glob("*.ttl"))
    if not files:
        raise InputError(f"no SHACL shapes found in {SHAPES_DIR}",
                         hint="reinstall aidgraph from its source tree")
    graph = Graph(store="SimpleMemory")  # no context bookkeeping: pySHACL reads shapes ~30% faster
    for path in files:
        graph.parse(path, format="turtle")
    bind_prefixes(graph)
    return graph


def validate_graph(data: Graph) -> ValidationReport:
    """Validate ``data`` (an in-memory rdflib graph) against the aidgraph shapes.

    The graph is validated in place (pySHACL makes no copy; no inference is run, so it is unchanged).
    """
    view = _PreparedQueryGraph(store=data.store, identifier=data.identifier)
    conforms, report_graph, text = pyshacl.validate(
        view, shacl_graph=shapes_graph(), inference="none", inplace=True,
        allow_warnings=True, allow_infos=True, advanced=False,
    )
    bind_prefixes(report_graph)
    violations = _results(report_graph)
    return ValidationReport(bool(conforms), violations, report_graph, str(text))


class _PreparedQueryGraph(Graph):
    """A view of a graph (same store, no copy) that parses each SPARQL query text only once.

    pySHACL runs a SPARQL-based constraint once per focus node with the same query text; rdflib
    would re-parse it every time (~50 ms each), which made validation 40x slower.
    """

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared_query(query_object)
        return super().query(query_object, *args, **kwargs)


@functools.lru_cache(maxsize=64)
def _prepared_query(text: str):
    return prepareQuery(text)


def validate_file(path: str) -> ValidationReport:
    """Parse an RDF file (format guessed from its extension) and validate it."""
    data = Graph()
    try:
        data.parse(path)
    except FileNotFoundError as exc:
        raise InputError(f"no such file: {path}", hint="give the path of a Turtle file") from exc
    except Exception as exc:  # rdflib raises many parser-specific errors
        raise RDFSyntaxError(f"cannot parse {path}: {exc}",
                             hint="check that the file is valid Turtle, N-Triples or RDF/XML") from exc
    return validate_graph(data)


def gate(article_graph: ArticleGraph) -> GateResult:
    """Validate one article and split its fact groups.

    A group with a result of severity Violation goes to quarantine, together with every group
    that refers to a quarantined entity. If the article's own metadata group fails, the whole
    article is quarantined. Warnings and infos do not quarantine.
    """
    report = validate_graph(article_graph.graph)
    failing_nodes = {v.focus_node for v in report.violations if v.severity == "Violation"}
    groups = article_graph.groups
    subjects = {key: {str(s) for s, _, _ in triples} for key, triples in groups.items()}
    failing = {key for key, nodes in subjects.items() if nodes & failing_nodes}

    failed_entities = {key for key in failing if article_graph.kinds.get(key) == "entity"}
    if failed_entities:
        entity_iris = {str(key) for key in failed_entities}
        failing |= {key for key, triples in groups.items()
                    if any(str(o) in entity_iris for _, _, o in triples if isinstance(o, URIRef))}

    if article_graph.article_iri in failing:
        failing = set(groups)

    accepted, quarantined = Graph(bind_namespaces="none"), Graph(bind_namespaces="none")
    bind_prefixes(accepted)
    bind_prefixes(quarantined)
    for key, triples in groups.items():
        target = quarantined if key in failing else accepted
        for triple in triples:
            target.add(triple)
    _drop_overlap(accepted, quarantined)

    fact_keys = set(article_graph.fact_keys())
    return GateResult(
        accepted=accepted,
        quarantined=quarantined,
        report=report,
        facts_accepted=len(fact_keys - failing),
        facts_quarantined=len(fact_keys & failing),
    )


def _drop_overlap(accepted: Graph, quarantined: Graph) -> None:
    """Triples shared by an accepted and a quarantined group (a node typed by both) stay accepted only."""
    for triple in list(quarantined):
        if triple in accepted:
            quarantined.remove(triple)


def _results(report_graph: Graph) -> list[Violation]:
    violations = []
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(result, SH.focusNode)
        path = report_graph.value(result, SH.resultPath)
        component = report_graph.value(result, SH.sourceConstraintComponent)
        shape = report_graph.value(result, SH.sourceShape)
        message = report_graph.value(result, SH.resultMessage)
        severity = report_graph.value(result, SH.resultSeverity)
        violations.append(Violation(
            focus_node=str(focus),
            result_path=_short(path) if isinstance(path, URIRef) else None,
            constraint=_short(component),
            shape=_short(shape) if not isinstance(shape, BNode) else _owner_shape(report_graph, shape),
            message=str(message) if isinstance(message, Literal) else "",
            severity=SEVERITIES.get(severity, str(severity)),
        ))
    return sorted(violations, key=lambda v: (v.focus_node, v.result_path or "", v.constraint))


def _owner_shape(report_graph: Graph, shape: BNode) -> str:
    """The named node shape a blank property shape belongs to (``aidsh:Pledge``)."""
    owner = shapes_graph().value(predicate=SH.property, object=shape)
    if owner is None:
        owner = shapes_graph().value(predicate=SH.sparql, object=shape)
    return _short(owner) if isinstance(owner, URIRef) else "_:property-shape"


def _short(term) -> str:
    """A prefixed name (``sh:MinCountConstraintComponent``) when a known prefix fits."""
    text = str(term)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


__all__ = ["GateResult", "Triple", "ValidationReport", "Violation", "gate", "shapes_graph",
           "validate_file", "validate_graph"]
