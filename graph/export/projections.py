"""Networks read from the store, and the projections analysts open in Gephi.

``full_graph(store)`` reads the actors, meetings and equipment of the article graphs with a few
SPARQL queries and returns a ``networkx.MultiDiGraph`` with at most one edge per
(source, target, edge type). ``project(full, name)`` derives the other views from it:

    full              persons, countries, organisations, meetings, equipment; every edge type
    actor-meeting     bipartite actor ↔ meeting (attended, attended_remotely, chaired)
    donor-equipment   donor → equipment/category, weighted by number of pledges (or quantity)
    co-attendance     actor ↔ actor, weighted by the number of meetings both attended
    donor-commitment  donor → commitment → item, from the derived graph aidg:commitments
                      (graph/export/commitment_network.py; read from the store, not from ``full``)

Node attributes: ``type`` (person|country|organisation|meeting|equipment), ``label`` and, where known,
``date``, ``category``. Edge attributes: ``type`` (attended, attended_remotely, chaired, pledged,
holds_post, member_of, in_format, co_attended), ``weight`` (a positive float) and, where the data is
dated, ``spells``: a sorted list of non-overlapping ``(start, end)`` ISO dates. Nodes get ``spells`` too
when every edge touching them is dated, so Gephi's timeline shows them only while they are active.
"""

from __future__ import annotations

import calendar
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import URIRef

from graph import vocab
from graph.errors import InputError
from graph.export import PROJECTIONS
from graph.store.merge import merged_filter

if TYPE_CHECKING:
    from graph.store.base import Store

NODE_TYPES: tuple[str, ...] = ("person", "country", "organisation", "meeting", "equipment")
EDGE_TYPES: tuple[str, ...] = (
    "attended", "attended_remotely", "chaired", "pledged", "holds_post", "member_of", "in_format",
)
ACTOR_TYPES = frozenset({"person", "country", "organisation"})
ATTENDANCE_EDGES = frozenset({"attended", "attended_remotely", "chaired"})

RESOURCE_BASE = str(vocab.AIDR)
# The first path segment of a resource IRI tells its node type (docs/architecture.md, IRI table).
TYPE_BY_IRI_SEGMENT: Mapping[str, str] = {
    "person": "person", "country": "country", "org": "organisation", "meeting": "meeting",
    "equipment": "equipment", "category": "equipment",
}


@functools.cache
def sparql_prefixes() -> str:
    """PREFIX lines for every namespace of :mod:`graph.vocab`."""
    return "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in vocab.PREFIXES.items())


# Each edge type: the pattern that states it inside an article graph, binding ?source and ?target
# (and ?meeting, which dates the edge). holds_post binds the post as ?target; the post's country and
# role are looked up afterwards (they may live in the reference graph).
EDGE_PATTERNS: Mapping[str, str] = {
    "attended": "?meeting schema:attendee ?source . BIND(?meeting AS ?target)",
    "attended_remotely": "?meeting aid:remoteAttendee ?source . BIND(?meeting AS ?target)",
    "chaired": "?meeting aid:chair ?source . BIND(?meeting AS ?target)",
    "holds_post": "?source org:holds ?target .",
    "member_of": "{ ?source org:memberOf ?target } UNION { ?target org:hasMember ?source }",
    "in_format": "?meeting aid:format ?target . BIND(?meeting AS ?source)",
}

# Where these queries read: look-ups of properties (labels, dates, posts, pledges) read the default
# graph, the merge of ontology, reference and article graphs with each triple once. Edges and
# mentioned nodes are what the articles state, so they are read inside the article graphs (GRAPH ?g,
# not the ontology, reference or quarantine graphs), each pattern DISTINCT.

# Graphs that hold vocabulary and world knowledge, not article facts.
NON_ARTICLE_GRAPHS = (f"<{vocab.ONTOLOGY_GRAPH}>", f"<{vocab.REFERENCE_GRAPH}>")


def article_scope(pattern: str, graph: str | None) -> str:
    """The pattern read inside the article graphs (all of them, or the one bound to ?g)."""
    if graph is not None:
        return f"GRAPH ?g {{ {pattern} }}"
    excluded = ", ".join(NON_ARTICLE_GRAPHS)
    return f"GRAPH ?g {{ {pattern} }} FILTER(?g NOT IN ({excluded}) && {merged_filter('g')})"


def _bindings(graph: str | None) -> dict[str, URIRef] | None:
    return {"g": URIRef(graph)} if graph is not None else None


def select_rows(store: Store, sparql: str, graph: str | None) -> Iterable[Any]:
    """The rows of the SELECT ``sparql`` (aidgraph prefixes added) over ``graph``, or the default graph."""
    return store.query(sparql_prefixes() + sparql, bindings=_bindings(graph))


def node_type(iri: str) -> str | None:
    """The node type of an aidgraph resource IRI, or None when it is not a network node."""
    if not iri.startswith(RESOURCE_BASE):
        return None
    segment = iri[len(RESOURCE_BASE):].split("/", 1)[0]
    return TYPE_BY_IRI_SEGMENT.get(segment)


def date_interval(value: str | None) -> tuple[str, str] | None:
    """The (first day, last day) an ISO date of any precision covers: "2025" -> 2025-01-01..2025-12-31."""
    if not value:
        return None
    text = str(value)[:10]
    try:
        if len(text) == 4:
            return f"{text}-01-01", f"{text}-12-31"
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:7])
            last = calendar.monthrange(year, month)[1]
            return f"{text}-01", f"{text}-{last:02d}"
        if len(text) == 10:
            date.fromisoformat(text)  # refuses impossible days
            return text, text
    except ValueError:
        return None
    return None


def merge_spells(spells: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Sorted, non-overlapping spells covering the same days (ISO dates compare as strings)."""
    merged: list[tuple[str, str]] = []
    for start, end in sorted(spells):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def full_graph(store: Store, *, graph: str | None = None) -> nx.MultiDiGraph:
    """The whole actor/meeting/equipment network of the store, or of one named graph.

    Raises:
        InputError: ``graph`` is not a named graph of the store.
    """
    if graph is not None and graph not in set(store.graph_names()):
        raise InputError(f"no named graph {graph!r} in the store",
                         hint="list the graphs with `aidgraph stats` or leave out --graph")
    network = nx.MultiDiGraph()
    meeting_dates = meeting_dates_of(store)
    for node in _mentioned_nodes(store, graph):
        network.add_node(node)
    posts = _posts(store)
    for edge_type, pattern in EDGE_PATTERNS.items():
        for row in select_rows(store, _edge_query(pattern, graph), graph):
            source, target = str(row.source), str(row.target)
            attributes: dict[str, Any] = {"type": edge_type, "weight": 1.0}
            if edge_type == "holds_post":
                if target not in posts:
                    continue
                target, role = posts[target]
                if role:
                    attributes["role"] = role
            if node_type(source) is None or node_type(target) is None:
                continue
            meeting = str(row.meeting) if row.meeting is not None else None
            if meeting in meeting_dates:
                attributes["spells"] = [meeting_dates[meeting]]
            network.add_edge(source, target, key=edge_type, **attributes)
    _add_pledge_edges(network, store, graph, meeting_dates)
    _describe_nodes(network, store, meeting_dates)
    attach_node_spells(network)
    return network


def _edge_query(pattern: str, graph: str | None) -> str:
    return f"SELECT DISTINCT ?source ?target ?meeting WHERE {{ {article_scope(pattern, graph)} }}"


def distinct_pairs(store: Store, predicate: str, *, subject_prefix: str = "") -> list[tuple[str, Any]]:
    """Every distinct (subject IRI, object) of one predicate anywhere in the store, optionally only
    for subjects whose IRI starts with ``subject_prefix`` (a constant of this package)."""
    condition = f'FILTER(STRSTARTS(STR(?s), "{subject_prefix}"))' if subject_prefix else ""
    rows = select_rows(store, f"SELECT DISTINCT ?s ?o WHERE {{ ?s {predicate} ?o {condition} }}", None)
    return [(str(row.s), row.o) for row in rows]


def _posts(store: Store) -> dict[str, tuple[str, str | None]]:
    """Post IRI -> (country or organisation IRI it is in, role key)."""
    roles = {post: iri_tail(str(role)) for post, role in distinct_pairs(store, "org:role")}
    return {post: (str(place), roles.get(post)) for post, place in distinct_pairs(store, "org:postIn")}


def meeting_dates_of(store: Store) -> dict[str, tuple[str, str]]:
    """Meeting IRI -> (first, last) day, from schema:startDate / schema:endDate anywhere in the store
    (the earliest start and latest end where articles disagree)."""
    starts: dict[str, str] = {}
    ends: dict[str, str] = {}
    for meeting, value in distinct_pairs(store, "schema:startDate"):
        interval = date_interval(str(value))
        if node_type(meeting) == "meeting" and interval:
            starts[meeting] = min(starts.get(meeting, interval[0]), interval[0])
            ends[meeting] = max(ends.get(meeting, interval[1]), interval[1])
    for meeting, value in distinct_pairs(store, "schema:endDate"):
        interval = date_interval(str(value))
        if meeting in starts and interval:
            ends[meeting] = max(ends[meeting], interval[1])
    return {meeting: (start, ends[meeting]) for meeting, start in starts.items()}


def _mentioned_nodes(store: Store, graph: str | None) -> list[str]:
    """Entities the article graphs mention or define, even those without any edge."""
    pattern = "{ ?node aid:mentionedIn ?article } UNION { ?node a aid:Meeting }"
    query = f"SELECT DISTINCT ?node WHERE {{ {article_scope(pattern, graph)} }}"
    return [str(row.node) for row in select_rows(store, query, graph) if node_type(str(row.node))]


PLEDGE_QUERY_PATTERN = """?pledge a aid:Pledge ; schema:agent ?donor .
    OPTIONAL { ?pledge schema:object ?object }
    OPTIONAL { ?pledge aid:category ?category }
    OPTIONAL { ?pledge aid:quantity ?quantity }
    OPTIONAL { ?pledge aid:status ?status }
    OPTIONAL { ?pledge dcterms:date ?date }
    OPTIONAL { ?pledge aid:announcedAt ?meeting }
    OPTIONAL { ?pledge schema:amount ?money . ?money schema:value ?amount .
               OPTIONAL { ?money schema:currency ?currency } }
    OPTIONAL { ?pledge aid:itemLabel ?label }"""


def pledge_records(store: Store, *, graph: str | None = None) -> list[dict[str, Any]]:
    """One record per pledge IRI: donor, object, category, quantity, status, date, meeting, amount.

    Where articles disagree, the largest quantity and the earliest date are kept.
    """
    where = PLEDGE_QUERY_PATTERN if graph is None else f"GRAPH ?g {{ {PLEDGE_QUERY_PATTERN} }}"
    query = f"""SELECT ?pledge ?donor ?object ?category ?quantity ?status ?date ?meeting
        ?amount ?currency ?label WHERE {{ {where} }}"""
    pledges: dict[str, dict[str, Any]] = {}
    for row in select_rows(store, query, graph):
        record = pledges.setdefault(str(row.pledge), {"pledge": str(row.pledge)})
        _keep_first(record, "donor", row.donor)
        _keep_first(record, "object", row.object)
        _keep_first(record, "category", row.category)
        _keep_first(record, "status", row.status)
        _keep_first(record, "meeting", row.meeting)
        _keep_first(record, "currency", row.currency)
        _keep_first(record, "item_label", row.label)
        if row.quantity is not None:
            record["quantity"] = max(int(row.quantity), record.get("quantity") or 0)
        if row.amount is not None:
            record["amount"] = max(float(row.amount), record.get("amount") or 0.0)
        if row.date is not None and (record.get("date") is None or str(row.date) < record["date"]):
            record["date"] = str(row.date)
    return sorted(pledges.values(), key=lambda record: record["pledge"])


def _keep_first(record: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and record.get(key) is None:
        record[key] = str(value)


def _add_pledge_edges(network: nx.MultiDiGraph, store: Store, graph: str | None,
                      meeting_dates: Mapping[str, tuple[str, str]]) -> None:
    """One ``pledged`` edge per (donor, equipment-or-category), aggregating its pledges."""
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in pledge_records(store, graph=graph):
        target = record.get("object") or record.get("category")
        if target is None or node_type(record["donor"]) is None or node_type(target) is None:
            continue
        grouped[(record["donor"], target)].append(record)
    for (donor, target), records in grouped.items():
        spells = []
        for record in records:
            interval = date_interval(record.get("date"))
            if interval is None and record.get("meeting") in meeting_dates:
                interval = meeting_dates[record["meeting"]]
            if interval:
                spells.append(interval)
        attributes: dict[str, Any] = {
            "type": "pledged",
            "weight": float(len(records)),
            "n_pledges": len(records),
            "quantity": sum(record.get("quantity") or 0 for record in records),
            "statuses": ";".join(sorted({iri_tail(r["status"]) for r in records if r.get("status")})),
            "categories": ";".join(sorted({iri_tail(r["category"]) for r in records if r.get("category")})),
        }
        if len(spells) == len(records):
            attributes["spells"] = merge_spells(spells)
        network.add_edge(donor, target, key="pledged", **attributes)


def iri_tail(iri: str) -> str:
    """The last path segment of ``iri`` (its slug)."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _describe_nodes(network: nx.MultiDiGraph, store: Store,
                    meeting_dates: Mapping[str, tuple[str, str]]) -> None:
    """Set ``type``, ``label`` (English or untagged name) and ``date``/``category`` where known."""
    labels = node_labels(store)
    categories = _equipment_categories(store)
    for node, data in network.nodes(data=True):
        data["type"] = node_type(node)
        data["label"] = labels.get(node) or _fallback_label(node)
        if node in meeting_dates:
            data["date"], data["end_date"] = meeting_dates[node]
        if data["type"] == "equipment":
            data["category"] = categories.get(node) or iri_tail(node).replace("-", "_")


def _fallback_label(iri: str) -> str:
    segment, _, rest = iri[len(RESOURCE_BASE):].partition("/")
    words = rest.replace("-", " ").replace("_", " ")
    return words.title() if segment == "person" else words


def node_labels(store: Store) -> dict[str, str]:
    """Best human label per resource: schema:name, else an English/untagged skos:prefLabel or
    rdfs:label, else skos:notation."""
    queries = (
        "SELECT DISTINCT ?node ?value WHERE { ?node schema:name ?value }",
        """SELECT DISTINCT ?node ?value WHERE { ?node skos:prefLabel|rdfs:label ?value
           FILTER(lang(?value) = "" || langMatches(lang(?value), "en")) }""",
        "SELECT DISTINCT ?node ?value WHERE { ?node skos:notation ?value }",
    )
    ranked: dict[str, tuple[int, str]] = {}
    for rank, query in enumerate(queries):
        for row in select_rows(store, query, None):
            node = str(row.node)
            if node_type(node) is None:
                continue
            candidate = (rank, str(row.value))
            if node not in ranked or candidate < ranked[node]:
                ranked[node] = candidate
    return {node: value for node, (_rank, value) in ranked.items()}


def _equipment_categories(store: Store) -> dict[str, str]:
    """Equipment system IRI -> category key."""
    pairs = distinct_pairs(store, "aid:category", subject_prefix=f"{RESOURCE_BASE}equipment/")
    return {node: iri_tail(str(category)) for node, category in pairs}


def attach_node_spells(network: nx.Graph) -> None:
    """Give each node the merged spells of its own date (meetings) and of its edges, when all its
    edges are dated. Nodes with an undated edge get no spells, i.e. they are present all the time."""
    for node, data in network.nodes(data=True):
        data.pop("spells", None)
        own = []
        if data.get("type") == "meeting" and data.get("date"):
            own = [(data["date"], data.get("end_date") or data["date"])]
        edge_spells = [edge.get("spells") for *_ends, edge in _incident_edges(network, node)]
        if edge_spells and not all(edge_spells):
            continue
        spells = [*own, *(spell for spells in edge_spells for spell in spells)]
        if spells:
            data["spells"] = merge_spells(spells)


def _incident_edges(network: nx.Graph, node: str) -> list[tuple[Any, ...]]:
    if network.is_directed():
        return [*network.in_edges(node, data=True), *network.out_edges(node, data=True)]
    return list(network.edges(node, data=True))


def project(full: nx.MultiDiGraph, name: str, *, weight_by: str = "pledges") -> nx.Graph:
    """The projection ``name`` (one of :data:`PROJECTIONS`) of a :func:`full_graph`.

    ``weight_by`` ("pledges" or "quantity") weights the donor-equipment edges.

    Raises:
        InputError: unknown projection or weighting.
    """
    if name not in PROJECTIONS:
        raise InputError(f"unknown projection {name!r}", hint=f"choose one of {', '.join(PROJECTIONS)}")
    if weight_by not in {"pledges", "quantity"}:
        raise InputError(f"unknown weighting {weight_by!r}", hint="choose pledges or quantity")
    if name == "full":
        return full
    if name == "actor-meeting":
        return actor_meeting(full)
    if name == "donor-equipment":
        return donor_equipment(full, weight_by=weight_by)
    if name == "donor-commitment":
        raise InputError("the donor-commitment projection is read from the store",
                         hint="use build_projection(store, 'donor-commitment')")
    return co_attendance(full)


def _copy_nodes(source: nx.Graph, target: nx.Graph, nodes: Iterable[str]) -> None:
    for node in nodes:
        attributes = {k: v for k, v in source.nodes[node].items() if k != "spells"}
        target.add_node(node, **attributes)


def actor_meeting(full: nx.MultiDiGraph) -> nx.Graph:
    """Bipartite actor ↔ meeting graph (``bipartite`` = 0 for actors, 1 for meetings); one edge per
    pair, its ``type`` the strongest relation (chaired > attended > attended_remotely)."""
    strength = {"chaired": 3, "attended": 2, "attended_remotely": 1}
    result = nx.Graph()
    for source, target, data in full.edges(data=True):
        if data["type"] not in ATTENDANCE_EDGES:
            continue
        _copy_nodes(full, result, (source, target))
        previous = result.get_edge_data(source, target)
        if previous is None or strength[data["type"]] > strength[previous["type"]]:
            result.add_edge(source, target, **dict(data))
    for _node, data in result.nodes(data=True):
        data["bipartite"] = 1 if data["type"] == "meeting" else 0
    attach_node_spells(result)
    return result


def donor_equipment(full: nx.MultiDiGraph, *, weight_by: str = "pledges") -> nx.DiGraph:
    """Donor → equipment/category graph weighted by number of pledges or by total quantity
    (an edge whose quantity is unknown counts 1)."""
    result = nx.DiGraph()
    for source, target, data in full.edges(data=True):
        if data["type"] != "pledged":
            continue
        _copy_nodes(full, result, (source, target))
        weight = float(data["n_pledges"] if weight_by == "pledges" else max(data["quantity"], 1))
        result.add_edge(source, target, **{**data, "weight": weight})
    attach_node_spells(result)
    return result


def co_attendance(full: nx.MultiDiGraph) -> nx.Graph:
    """Actor ↔ actor graph; the weight of an edge is the number of meetings both attended or
    chaired, its spells the dates of those meetings."""
    bipartite = actor_meeting(full)
    result = nx.Graph()
    meetings = [node for node, data in bipartite.nodes(data=True) if data["type"] == "meeting"]
    for meeting in meetings:
        actors = sorted(bipartite.neighbors(meeting))
        _copy_nodes(bipartite, result, actors)
        meeting_spells = bipartite.nodes[meeting].get("spells") or []
        for i, first in enumerate(actors):
            for second in actors[i + 1:]:
                if result.has_edge(first, second):
                    edge = result.edges[first, second]
                    edge["weight"] += 1.0
                    edge["meetings"] += 1
                    edge["spells"] = merge_spells([*edge["spells"], *meeting_spells])
                    edge["dated"] = edge["dated"] and bool(meeting_spells)
                else:
                    result.add_edge(first, second, type="co_attended", weight=1.0, meetings=1,
                                    spells=list(meeting_spells), dated=bool(meeting_spells))
    for _first, _second, data in result.edges(data=True):
        if not data.pop("dated"):
            data.pop("spells")
    for _node, data in result.nodes(data=True):
        data.pop("bipartite", None)
    attach_node_spells(result)
    return result


def build_projection(store: Store, name: str = "full", *, graph: str | None = None,
                     weight_by: str = "pledges") -> nx.Graph:
    """Read the network from ``store`` (optionally one named graph) and return projection ``name``."""
    if name not in PROJECTIONS:
        raise InputError(f"unknown projection {name!r}", hint=f"choose one of {', '.join(PROJECTIONS)}")
    if name == "donor-commitment":
        from graph.export.commitment_network import commitment_network

        return commitment_network(store)
    return project(full_graph(store, graph=graph), name, weight_by=weight_by)
