"""SHACL validation of article graphs and the gate that splits accepted from quarantined facts.

    validate_graph(data)        -> ValidationReport   (``aidgraph validate FILE.ttl``)
    validate_triples(triples)   -> ValidationReport   (the same for plain triples: no rdflib graph built)
    gate(article_graph)         -> GateResult         (pipeline: what lands, what goes to quarantine)

The engine is pyshacl-turbo (Rust, pySHACL's API and reports) with the shapes (``shapes/*.ttl``)
parsed and compiled once per process. pySHACL is the reference: ``tests/test_shacl_engines.py`` runs
both over every shape fixture and over the demo, real and generated corpora (with faults injected) and
requires the same results. Validation never raises for data problems: it returns a report.

An article's triples go to the engine as they are (no rdflib graph: building one cost more than
validating it), each article alone: CPU p50 ~3 ms per demo article, ~8.5 ms per 660-triple generated
one on the loaded development machine, 10x less than pySHACL (``benchmarks/bench_gate.py``). So the
tricks pySHACL needed (lifted property shapes, screened SPARQL constraints, batches of compatible
articles) are gone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyshacl_turbo
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from graph.errors import InputError, RDFSyntaxError
from graph.to_rdf import ArticleGraph, Triple
from graph.vocab import PREFIXES, SHAPES_DIR, bind_prefixes

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Violation:
    """One validation result: the node, the path, the failing constraint (``sh:MinCountConstraintComponent``),
    the shape, a message, the severity (``Violation`` | ``Warning`` | ``Info``) and the value at fault
    (``sh:value`` in N-Triples form, when the result names one)."""

    focus_node: str
    result_path: str | None
    constraint: str
    shape: str
    message: str
    severity: str
    value: str | None = None


@dataclass
class ValidationReport:
    """``conforms`` is False only for results of severity Violation; ``graph`` is the sh:ValidationReport."""

    conforms: bool
    violations: list[Violation]
    graph: Graph
    text: str


@dataclass
class GateResult:
    """The article's triples split into what may land and what goes to quarantine.

    ``accepted_triples`` / ``quarantined_triples`` are sets of triples; ``accepted`` / ``quarantined``
    are the same as rdflib graphs, built on first use.
    """

    accepted_triples: set[Triple]
    quarantined_triples: set[Triple]
    report: ValidationReport
    facts_accepted: int
    facts_quarantined: int
    _graphs: dict[str, Graph] = field(default_factory=dict, repr=False)

    @property
    def accepted(self) -> Graph:
        return self._graph("accepted", self.accepted_triples)

    @property
    def quarantined(self) -> Graph:
        return self._graph("quarantined", self.quarantined_triples)

    def _graph(self, name: str, triples: set[Triple]) -> Graph:
        if name not in self._graphs:
            graph = Graph(bind_namespaces="none")
            bind_prefixes(graph)
            for triple in triples:
                graph.add(triple)
            self._graphs[name] = graph
        return self._graphs[name]


@functools.cache
def shapes_graph() -> Graph:
    """All shapes of ``shapes/*.ttl`` in one graph (parsed once)."""
    files = sorted(SHAPES_DIR.glob("*.ttl"))
    if not files:
        raise InputError(f"no SHACL shapes found in {SHAPES_DIR}",
                         hint="reinstall aidgraph from its source tree")
    graph = Graph(bind_namespaces="none")
    for path in files:
        graph.parse(path, format="turtle")
    bind_prefixes(graph)
    return graph


@functools.cache
def compiled_shapes() -> pyshacl_turbo.CompiledShapes:
    """:func:`shapes_graph` compiled by pyshacl-turbo (once per process; immutable, shared by threads).

    Compiled from a copy without prefix bindings: the engine binds the shapes graph's prefixes on
    every report graph it builds (~80 µs each), and nothing reads them (reports are stored as triples).
    """
    unbound = Graph(bind_namespaces="none")
    for triple in shapes_graph():
        unbound.add(triple)
    return pyshacl_turbo.compile_shapes(unbound)


def validate_graph(data: Graph) -> ValidationReport:
    """Validate ``data`` (an in-memory rdflib graph, left unchanged) against the aidgraph shapes."""
    return validate_triples(data)


def validate_triples(triples: Iterable[Triple]) -> ValidationReport:
    """Validate a set of triples (an rdflib graph or any iterable of rdflib triples; no inference)."""
    _, report_graph, _ = compiled_shapes().validate(
        _engine_input(triples), inference="none", allow_warnings=True, allow_infos=True)
    violations = [violation for _, violation in _result_nodes(report_graph)]
    violations.sort(key=lambda v: (v.focus_node, v.result_path or "", v.constraint, v.value or ""))
    conforms = not any(v.severity == "Violation" for v in violations)
    return ValidationReport(conforms, violations, report_graph, _report_text(conforms, violations))


def _engine_input(triples: Iterable[Triple]) -> pyshacl_turbo.Input:
    """The triples in pyshacl-turbo's term-table input (what it builds from an rdflib graph itself):
    each distinct term once as (kind, lexical form, datatype, language), each triple as four indices."""
    triples = list(triples)
    index = {node: i for i, node in enumerate({node for triple in triples for node in triple})}
    blank_nodes: dict = {}
    records = [_term_record(node, blank_nodes) for node in index]
    quads = [(index[s], index[p], index[o], None) for s, p, o in triples]
    return pyshacl_turbo.Input((records, quads), "terms", None, blank_nodes, {})


def _term_record(node, blank_nodes: dict) -> tuple:
    if isinstance(node, URIRef):
        return (0, str(node), None, None)
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype and not node.language else None
        return (2, str(node), datatype, node.language)
    if isinstance(node, BNode):
        blank_nodes[str(node)] = node
        return (1, str(node), None, None)
    raise InputError(f"not an RDF term: {node!r}", hint="give IRIs, blank nodes and literals")


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
    return _split(article_graph, validate_triples(article_graph.triples()))


def gate_many(article_graphs: Sequence[ArticleGraph]) -> list[GateResult]:
    """:func:`gate` for each article, in order (each alone: the engine needs no batches)."""
    return [gate(article_graph) for article_graph in article_graphs]


def _report_text(conforms: bool, violations: list[Violation]) -> str:
    """A plain-text report in pySHACL's layout (the same whichever engine ran)."""
    lines = ["Validation Report", f"Conforms: {conforms}"]
    if violations:
        lines.append(f"Results ({len(violations)}):")
    for v in violations:
        lines += [f"Constraint {v.severity} in {v.constraint.split(':')[-1]} ({v.shape}):",
                  f"\tSeverity: sh:{v.severity}", f"\tSource Shape: {v.shape}",
                  f"\tFocus Node: {v.focus_node}"]
        if v.result_path:
            lines.append(f"\tResult Path: {v.result_path}")
        lines.append(f"\tMessage: {v.message}")
    return "\n".join(lines) + "\n"


def _split(article_graph: ArticleGraph, report: ValidationReport) -> GateResult:
    """The article's groups split by the report into accepted and quarantined triples."""
    failing_nodes = {v.focus_node for v in report.violations if v.severity == "Violation"}
    groups = article_graph.groups
    failing = set()
    if failing_nodes:
        subjects = {key: {str(s) for s, _, _ in triples} for key, triples in groups.items()}
        failing = {key for key, nodes in subjects.items() if nodes & failing_nodes}

    failed_entities = {key for key in failing if article_graph.kinds.get(key) == "entity"}
    if failed_entities:
        entity_iris = {str(key) for key in failed_entities}
        failing |= {key for key, triples in groups.items()
                    if any(str(o) in entity_iris for _, _, o in triples if isinstance(o, URIRef))}

    if article_graph.article_iri in failing:
        failing = set(groups)

    accepted: set[Triple] = set()
    quarantined: set[Triple] = set()
    for key, triples in groups.items():
        (quarantined if key in failing else accepted).update(triples)
    quarantined -= accepted  # a triple shared by an accepted and a quarantined group stays accepted only

    fact_keys = set(article_graph.fact_keys())
    return GateResult(
        accepted_triples=accepted,
        quarantined_triples=quarantined,
        report=report,
        facts_accepted=len(fact_keys - failing),
        facts_quarantined=len(fact_keys & failing),
    )


def _result_nodes(report_graph: Graph) -> list[tuple[BNode, Violation]]:
    """Each ``sh:ValidationResult`` node of a SHACL report graph with its reading as a Violation."""
    violations = []
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(result, SH.focusNode)
        path = report_graph.value(result, SH.resultPath)
        component = report_graph.value(result, SH.sourceConstraintComponent)
        shape = report_graph.value(result, SH.sourceShape)
        message = report_graph.value(result, SH.resultMessage)
        severity = report_graph.value(result, SH.resultSeverity)
        value = report_graph.value(result, SH.value)
        violations.append((result, Violation(
            focus_node=str(focus),
            result_path=_short(path) if isinstance(path, URIRef) else None,
            constraint=_short(component),
            shape=_short(shape) if not isinstance(shape, BNode) else _owner_shape(report_graph, shape),
            message=str(message) if isinstance(message, Literal) else "",
            severity=SEVERITIES.get(severity, str(severity)),
            value=value.n3() if value is not None and not isinstance(value, BNode) else None,
        )))
    return violations


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


__all__ = ["GateResult", "Triple", "ValidationReport", "Violation", "compiled_shapes", "gate", "gate_many",
           "shapes_graph", "validate_file", "validate_graph", "validate_triples"]
