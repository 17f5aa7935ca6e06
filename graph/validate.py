"""SHACL validation of article graphs and the gate that splits accepted from quarantined facts.

    validate_graph(data)        -> ValidationReport   (``aidgraph validate FILE.ttl``)
    gate(article_graph)         -> GateResult         (pipeline: what lands, what goes to quarantine)
    gate_many(article_graphs)   -> list[GateResult]   (the same for a batch, in few pySHACL calls)

The shapes (``shapes/*.ttl``) are parsed once and cached. pySHACL runs on an in-memory rdflib graph
(never on the oxigraph store: slower and wrong there), ``inplace=True`` and without inference.
Validation never raises for data problems: it returns a report.

Speed (see ``benchmarks/README.md``): pySHACL's cost is per focus node and shape, plus ~6 ms per call.
Two things cut it: (1) the shapes pySHACL runs are the same shapes with every ``sh:property`` lifted
to a top-level shape with its node shape's targets (same results, same source shapes; pySHACL then
builds each constraint once per call instead of once per focus node: ~2x); (2) ``gate_many``
validates many articles in one call, in groups where no two articles describe a shared node
differently, so that every result belongs to the article(s) whose own triples produced it.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, RDFS, SH
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
    graph = Graph(store="SimpleMemory")  # no context bookkeeping: pySHACL reads shapes ~30% faster
    for path in files:
        graph.parse(path, format="turtle")
    bind_prefixes(graph)
    return graph


@functools.cache
def validation_shapes() -> Graph:
    """The shapes pySHACL runs: :func:`shapes_graph` with every property shape lifted to the top level.

    A node shape's ``sh:property`` links are replaced by the node shape's targets on each property
    shape. SHACL gives the same results for both forms (same focus nodes, paths, constraints, source
    shapes); pySHACL runs the second ~2x faster, because it builds a property shape's constraints
    once per call instead of once per focus node. :func:`_owner_shape` still finds the owner in
    :func:`shapes_graph`.
    """
    original = shapes_graph()
    lifted = Graph(store="SimpleMemory")
    for triple in original:
        lifted.add(triple)
    for node_shape, property_shape in list(original.subject_objects(SH.property)):
        lifted.remove((node_shape, SH.property, property_shape))
        for target_kind in TARGET_PREDICATES:
            for target in original.objects(node_shape, target_kind):
                lifted.add((property_shape, target_kind, target))
    bind_prefixes(lifted)
    return lifted


TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def validate_graph(data: Graph) -> ValidationReport:
    """Validate ``data`` (an in-memory rdflib graph) against the aidgraph shapes.

    The graph is validated in place (pySHACL makes no copy; no inference is run, so it is unchanged).
    """
    conforms, report_graph, text = _run_pyshacl(data)
    violations = _results(report_graph)
    return ValidationReport(bool(conforms), violations, report_graph, str(text))


def _run_pyshacl(data: Graph) -> tuple[bool, Graph, str]:
    """One pySHACL call over ``data`` with the validation shapes (SPARQL constraints screened)."""
    view = _PreparedQueryGraph(store=data.store, identifier=data.identifier)
    shapes = _pyshacl_shapes()
    with _SHAPES_LOCK:
        added = [(screened.shape, SH.targetNode, node)
                 for screened in _screened_shapes() for node in screened.candidates(data)]
        for triple in added:
            shapes.add(triple)
        try:
            conforms, report_graph, text = pyshacl.validate(
                view, shacl_graph=shapes, inference="none", inplace=True,
                allow_warnings=True, allow_infos=True, advanced=False,
            )
        finally:
            for triple in added:
                shapes.remove(triple)
    bind_prefixes(report_graph)
    return bool(conforms), report_graph, str(text)


# -- SPARQL constraints: one query per call instead of one per focus node ---------------------------
#
# pySHACL runs a SPARQL-based constraint once per focus node (~1.5 ms each: it re-checks and
# re-binds the query every time), which was 40% of the gate on pledge-heavy articles. A shape whose
# only constraint is SPARQL and whose query is a plain pattern (no OPTIONAL, negation, sub-query,
# aggregate) can only report focus nodes for which the query, run once with $this unbound, returns
# rows. So each call first runs that query once over the data, and pySHACL then checks the shape on
# those candidate nodes only (as sh:targetNode): same results, same report, a fraction of the cost.

_SHAPES_LOCK = threading.Lock()
#: what a screened shape may carry besides its SPARQL constraint and class targets
_SCREENABLE_PARAMETERS = frozenset({RDF.type, SH.sparql, SH.path, SH.severity, SH.message, SH.name,
                                    SH.description, SH.targetClass, SH.order, SH.group})
_NOT_SCREENABLE_QUERY = re.compile(
    r"\b(OPTIONAL|MINUS|EXISTS|GROUP|HAVING|LIMIT|OFFSET|SERVICE|VALUES|UNION|GRAPH)\b|\{\s*SELECT\b"
    r"|\$(shapesGraph|currentShape|value)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _ScreenedShape:
    shape: URIRef | BNode
    classes: tuple[URIRef, ...]
    queries: tuple  # prepared queries with $this unbound

    def candidates(self, data: Graph) -> set:
        """Instances of the shape's classes for which one of its queries returns a row."""
        classes = set(self.classes)
        for rdf_class in self.classes:
            classes |= set(data.transitive_subjects(RDFS.subClassOf, rdf_class))
        found = set()
        for query in self.queries:
            for row in data.query(query):
                node = row["this"]
                if node not in found and any((node, RDF.type, c) in data for c in classes):
                    found.add(node)
        return found


@functools.cache
def _screened_shapes() -> tuple[_ScreenedShape, ...]:
    shapes = validation_shapes()
    declared = {str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
                for d in shapes.objects(None, SH.declare)}
    screened = []
    for shape in set(shapes.subjects(SH.sparql, None)):
        parameters = set(shapes.predicates(shape, None))
        path = shapes.value(shape, SH.path)
        if parameters - _SCREENABLE_PARAMETERS or (path is not None and not isinstance(path, URIRef)):
            continue
        texts = [shapes.value(c, SH.select) for c in shapes.objects(shape, SH.sparql)]
        if any(t is None or _NOT_SCREENABLE_QUERY.search(str(t))
               or shapes.value(c, SH.deactivated) is not None
               for t, c in zip(texts, shapes.objects(shape, SH.sparql), strict=True)):
            continue
        path_text = f"<{path}>" if path is not None else ""
        queries = tuple(prepareQuery(str(t).replace("$PATH", path_text), initNs=declared) for t in texts)
        classes = tuple(shapes.objects(shape, SH.targetClass))
        screened.append(_ScreenedShape(shape, classes, queries))
    return tuple(screened)


@functools.cache
def _pyshacl_shapes() -> Graph:
    """The validation shapes with the screened shapes' class targets taken out (a copy)."""
    shapes = Graph(store="SimpleMemory")
    for triple in validation_shapes():
        shapes.add(triple)
    for screened in _screened_shapes():
        shapes.remove((screened.shape, SH.targetClass, None))
    bind_prefixes(shapes)
    return shapes


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
    return gate_many([article_graph])[0]


def gate_many(article_graphs: Sequence[ArticleGraph]) -> list[GateResult]:
    """:func:`gate` for several articles, with as few pySHACL calls as the articles allow.

    The articles are packed into groups in which no two articles describe a shared node differently
    (a pledge or meeting reported by two articles carries each article's claim) and no article
    refers to a node that only another article describes. Inside such a group each article's
    triples see exactly what they would see alone, so one pySHACL call over the union gives each
    article the results it would get alone; a result belongs to the article(s) describing its
    focus node. The results are in the order of ``article_graphs``.
    """
    views = [_ArticleView(article_graph) for article_graph in article_graphs]
    for batch in _compatible_batches(views):
        data = Graph(bind_namespaces="none")
        for view in batch:
            for triple in view.triples:
                data.add(triple)
        _, report_graph, _ = _run_pyshacl(data)
        mine: dict[int, list] = {id(view): [] for view in batch}
        for node, violation in _result_nodes(report_graph):
            for view in _owners(report_graph, node, batch):
                mine[id(view)].append((node, violation))
        for view in batch:
            view.report = _article_report(report_graph, mine[id(view)])
    return [_split(view.article_graph, view.report) for view in views]


class _ArticleView:
    """What batching needs to know of one article: what it says of each node that the shapes can
    see, and the nodes it refers to without describing them."""

    def __init__(self, article_graph: ArticleGraph) -> None:
        self.article_graph = article_graph
        self.triples = article_graph.triples()
        by_subject: dict = {}
        for s, p, o in self.triples:
            by_subject.setdefault(s, []).append((p, o))
        self.descriptions = {s: _visible_description(pairs) for s, pairs in by_subject.items()}
        self.subject_names = {str(s) for s in by_subject}
        self.dangling = {o for _, _, o in self.triples
                         if not isinstance(o, Literal) and o not in by_subject}
        self.report: ValidationReport | None = None


def _visible_description(pairs: list[tuple]) -> frozenset:
    """The (predicate, object) pairs of one node that must be the same in every article of a batch.

    These are the pairs the shapes targeting the node's classes read as a whole (counts, pairs of
    values, SPARQL). Pairs no shape reads (the ``aid:mentionedIn`` of a country stub) and pairs read
    one value at a time (``sh:class`` of a person's claims) may differ: a result about one such value
    names it (``sh:value``) and goes to the articles that state it.
    """
    rules = _batching_rules()
    classes = frozenset(o for p, o in pairs if p == RDF.type)
    strict = rules.strict_for(classes)
    if strict is None:
        return frozenset(pairs)
    return frozenset((p, o) for p, o in pairs if p in strict)


#: constraint components that judge each value node on its own (results name the value)
VALUE_BY_VALUE = frozenset({
    SH["class"], SH.datatype, SH.nodeKind, SH.minExclusive, SH.minInclusive, SH.maxExclusive,
    SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern, SH.flags, SH.languageIn, SH["in"],
    SH.message, SH.severity, SH.path, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
    RDF.type, SH.targetClass,
})
#: shape features whose effect on batching we do not analyse: with them, batches need equal descriptions
UNANALYSED = (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.node, SH["and"],
              SH["or"], SH.xone, SH["not"], SH.qualifiedValueShape, SH.closed, SH.property)


@dataclass
class _BatchingRules:
    """Per class, the predicates whose values must agree between articles sharing an instance."""

    strict: dict          # class -> set of predicates, or None (every predicate: a SPARQL constraint)
    everywhere: set       # predicates SPARQL constraints read on nodes other than the focus node
    anything: bool        # shapes we do not analyse: every predicate of every node must agree

    def strict_for(self, classes: frozenset) -> set | None:
        if self.anything:
            return None
        strict = {RDF.type, RDFS.subClassOf} | self.everywhere
        for rdf_class in classes:
            predicates = self.strict.get(rdf_class, set())
            if predicates is None:
                return None
            strict |= predicates
        return strict


@functools.cache
def _batching_rules() -> _BatchingRules:
    shapes = validation_shapes()
    anything = any(True for feature in UNANALYSED for _ in shapes.triples((None, feature, None)))
    strict: dict = {}
    open_classes: set = set()   # classes with a SPARQL constraint: it may read any predicate
    everywhere: set = set()
    for shape, rdf_class in shapes.subject_objects(SH.targetClass):
        predicates = strict.setdefault(rdf_class, set())
        path = shapes.value(shape, SH.path)
        whole = {p for p, _ in shapes.predicate_objects(shape) if p not in VALUE_BY_VALUE}
        if path is not None and whole:
            predicates |= _path_predicates(shapes, path)
        for pair in (SH.lessThan, SH.lessThanOrEquals):
            predicates |= set(shapes.objects(shape, pair))
        for constraint in shapes.objects(shape, SH.sparql):
            open_classes.add(rdf_class)
            everywhere |= _sparql_predicates_beyond_focus(shapes, constraint)
    strict.update(dict.fromkeys(open_classes))
    return _BatchingRules(strict, everywhere, anything)


def _path_predicates(shapes: Graph, path) -> set:
    """Every IRI inside a SHACL property path (a predicate, a sequence, alternatives, inverses ...)."""
    if isinstance(path, URIRef):
        return {path}
    found, pending, seen = set(), [path], set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, predicate, obj in shapes.triples((node, None, None)):
            if isinstance(obj, URIRef) and predicate not in (RDF.rest,):
                if obj != RDF.nil:
                    found.add(obj)
            elif isinstance(obj, BNode):
                pending.append(obj)
    return found


def _sparql_predicates_beyond_focus(shapes: Graph, constraint) -> set:
    """Predicates a SPARQL constraint's query reads on nodes other than ``$this`` (from its algebra)."""
    query = str(shapes.value(constraint, SH.select) or shapes.value(constraint, SH.ask) or "")
    declared = {str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
                for d in shapes.objects(None, SH.declare)}
    parsed = prepareQuery(query.replace("$PATH", "<urn:aidgraph:path>"), initNs=declared)
    found: set = set()
    pending = [parsed.algebra]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "triples":
                    found |= {p for s, p, _ in value
                              if isinstance(p, URIRef) and not (isinstance(s, Variable) and str(s) == "this")}
                else:
                    pending.append(value)
        elif isinstance(node, list | tuple):
            pending.extend(node)
    return found


def _owners(report_graph: Graph, result: BNode, batch: list[_ArticleView]) -> list[_ArticleView]:
    """The articles a result belongs to: those describing its focus node and, when the result names a
    value on a plain predicate, among them those stating that value."""
    focus = report_graph.value(result, SH.focusNode)
    describing = [view for view in batch if str(focus) in view.subject_names]
    path, value = report_graph.value(result, SH.resultPath), report_graph.value(result, SH.value)
    if isinstance(path, URIRef) and value is not None:
        stating = [view for view in describing if (focus, path, value) in view.triples]
        if stating:
            return stating
    return describing


def _compatible_batches(views: list[_ArticleView]) -> list[list[_ArticleView]]:
    """First-fit packing of the articles into groups that can be validated together."""
    batches: list[list[_ArticleView]] = []
    described: list[dict] = []   # per batch: node -> its description
    dangling: list[set] = []     # per batch: nodes referred to but not described by an article
    for view in views:
        index = next((i for i in range(len(batches)) if _compatible(view, described[i], dangling[i])), None)
        if index is None:
            index = len(batches)
            batches.append([])
            described.append({})
            dangling.append(set())
        batches[index].append(view)
        described[index].update(view.descriptions)
        dangling[index] |= view.dangling
    return batches


def _compatible(view: _ArticleView, descriptions: dict, dangling: set) -> bool:
    for subject, description in view.descriptions.items():
        known = descriptions.get(subject)
        if known is None and subject in dangling:
            return False  # another article refers to this node without describing it
        if known is not None and known != description:
            return False  # described differently by another article
    return not any(node in descriptions for node in view.dangling)


def _article_report(report_graph: Graph, results: list[tuple[BNode, Violation]]) -> ValidationReport:
    """One article's share of a batch report: its results (with what they refer to) in a new report."""
    violations = sorted((violation for _, violation in results),
                        key=lambda v: (v.focus_node, v.result_path or "", v.constraint))
    conforms = not any(v.severity == "Violation" for v in violations)
    graph = Graph(bind_namespaces="none")
    bind_prefixes(graph)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(conforms)))
    for node, _ in results:
        graph.add((report, SH.result, node))
        _copy_description(report_graph, node, graph)
    return ValidationReport(conforms, violations, graph, _report_text(conforms, violations))


def _copy_description(source: Graph, node: BNode, target: Graph) -> None:
    """Copy ``node``'s triples and, recursively, those of the blank nodes it refers to."""
    pending, seen = [node], set()
    while pending:
        subject = pending.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for _, predicate, obj in source.triples((subject, None, None)):
            target.add((subject, predicate, obj))
            if isinstance(obj, BNode):
                pending.append(obj)


def _report_text(conforms: bool, violations: list[Violation]) -> str:
    """A plain-text report in pySHACL's layout."""
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


def _results(report_graph: Graph) -> list[Violation]:
    violations = [violation for _, violation in _result_nodes(report_graph)]
    return sorted(violations, key=lambda v: (v.focus_node, v.result_path or "", v.constraint))


def _result_nodes(report_graph: Graph) -> list[tuple[BNode, Violation]]:
    """Each ``sh:ValidationResult`` node of a pySHACL report with its reading as a Violation."""
    violations = []
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(result, SH.focusNode)
        path = report_graph.value(result, SH.resultPath)
        component = report_graph.value(result, SH.sourceConstraintComponent)
        shape = report_graph.value(result, SH.sourceShape)
        message = report_graph.value(result, SH.resultMessage)
        severity = report_graph.value(result, SH.resultSeverity)
        violations.append((result, Violation(
            focus_node=str(focus),
            result_path=_short(path) if isinstance(path, URIRef) else None,
            constraint=_short(component),
            shape=_short(shape) if not isinstance(shape, BNode) else _owner_shape(report_graph, shape),
            message=str(message) if isinstance(message, Literal) else "",
            severity=SEVERITIES.get(severity, str(severity)),
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


__all__ = ["GateResult", "Triple", "ValidationReport", "Violation", "gate", "gate_many", "shapes_graph",
           "validate_file", "validate_graph", "validation_shapes"]
