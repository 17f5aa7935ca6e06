"""CSV tables of pledges, meetings and actors, for spreadsheets and data-frame tools.

One row per pledge / meeting / actor; IRIs identify rows, labels make them readable; list-valued
cells (chairs, attendees, source articles) are joined with ``"; "``. UTF-8 with a header row.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from graph.errors import InputError
from graph.export import CSV_TABLES
from graph.export.projections import (
    RESOURCE_BASE,
    article_scope,
    distinct_pairs,
    full_graph,
    iri_tail,
    node_labels,
    pledge_records,
    select_rows,
)

if TYPE_CHECKING:
    import networkx as nx

    from graph.store.base import Store

TABLES = CSV_TABLES
LIST_SEPARATOR = "; "
PLACE_BASE = f"{RESOURCE_BASE}place/"

PLEDGE_COLUMNS = (
    "pledge", "donor", "donor_label", "object", "object_label", "item_label", "category", "quantity",
    "amount", "currency", "status", "date", "meeting", "sources",
)
MEETING_COLUMNS = (
    "meeting", "label", "format", "date", "end_date", "place", "n_countries", "chairs", "attendees",
    "remote_attendees", "n_pledges",
)
ACTOR_COLUMNS = ("actor", "type", "label", "degree", "n_meetings", "n_pledges", "roles")


def _write(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return buffer.getvalue().encode("utf-8")


def _sources(store: Store, graph: str | None) -> dict[str, list[str]]:
    query = f"""SELECT DISTINCT ?pledge ?article WHERE {{
        {article_scope("?pledge a aid:Pledge ; prov:wasDerivedFrom ?article .", graph)} }}"""
    sources: dict[str, list[str]] = defaultdict(list)
    for row in select_rows(store, query, graph):
        sources[str(row.pledge)].append(str(row.article))
    return sources


def pledges_csv(store: Store, *, graph: str | None = None) -> bytes:
    """One row per pledge: donor, item, category, quantity, amount, status, date, meeting, sources."""
    labels = node_labels(store)
    sources = _sources(store, graph)
    rows = []
    for record in pledge_records(store, graph=graph):
        rows.append({
            **record,
            "donor_label": labels.get(record["donor"], iri_tail(record["donor"])),
            "object_label": labels.get(record["object"]) if record.get("object") else None,
            "category": iri_tail(record["category"]) if record.get("category") else None,
            "status": iri_tail(record["status"]) if record.get("status") else None,
            "sources": LIST_SEPARATOR.join(sorted(sources.get(record["pledge"], []))),
        })
    return _write(PLEDGE_COLUMNS, rows)


def meetings_csv(store: Store, *, graph: str | None = None, network: nx.Graph | None = None) -> bytes:
    """One row per meeting: format, dates, place, number of countries, chairs and attendees."""
    network = network if network is not None else full_graph(store, graph=graph)
    details = _meeting_details(store, network)
    query = f"""SELECT ?meeting (COUNT(DISTINCT ?pledge) AS ?n) WHERE {{
        {article_scope("?pledge aid:announcedAt ?meeting", graph)} }} GROUP BY ?meeting"""
    pledges_per_meeting = {str(row.meeting): int(row.n) for row in select_rows(store, query, graph)}
    rows = []
    for meeting, data in sorted(network.nodes(data=True)):
        if data.get("type") != "meeting":
            continue
        neighbours: dict[str, list[str]] = defaultdict(list)
        for source, _target, edge in network.in_edges(meeting, data=True):
            neighbours[edge["type"]].append(network.nodes[source].get("label") or source)
        formats = [network.nodes[target].get("label")
                   for _s, target, edge in network.out_edges(meeting, data=True)
                   if edge["type"] == "in_format"]
        rows.append({
            "meeting": meeting, "label": data.get("label"), "format": LIST_SEPARATOR.join(sorted(formats)),
            "date": data.get("date"), "end_date": data.get("end_date"),
            **details.get(meeting, {}),
            "chairs": LIST_SEPARATOR.join(sorted(neighbours["chaired"])),
            "attendees": LIST_SEPARATOR.join(sorted(neighbours["attended"])),
            "remote_attendees": LIST_SEPARATOR.join(sorted(neighbours["attended_remotely"])),
            "n_pledges": pledges_per_meeting.get(meeting, 0),
        })
    return _write(MEETING_COLUMNS, rows)


def _meeting_details(store: Store, network: nx.Graph) -> dict[str, dict[str, Any]]:
    """Meeting IRI -> place name and number of countries (single-pattern look-ups, see projections)."""
    place_names = {place: str(name) for place, name in distinct_pairs(store, "schema:name")
                   if place.startswith(PLACE_BASE)}
    details: dict[str, dict[str, Any]] = defaultdict(dict)
    for meeting, place in distinct_pairs(store, "schema:location"):
        if meeting in network:
            details[meeting]["place"] = place_names.get(str(place), iri_tail(str(place)))
    for meeting, number in distinct_pairs(store, "aid:numberOfCountries"):
        if meeting in network:
            details[meeting]["n_countries"] = max(int(number), details[meeting].get("n_countries", 0))
    return details


def actors_csv(store: Store, *, graph: str | None = None, network: nx.Graph | None = None) -> bytes:
    """One row per person, country and organisation: degree, meetings, pledges and roles held."""
    network = network if network is not None else full_graph(store, graph=graph)
    rows = []
    for actor, data in sorted(network.nodes(data=True)):
        if data.get("type") not in {"person", "country", "organisation"}:
            continue
        out_edges = list(network.out_edges(actor, data=True))
        rows.append({
            "actor": actor, "type": data["type"], "label": data.get("label"),
            "degree": network.degree(actor),
            "n_meetings": len({target for _s, target, edge in out_edges
                               if edge["type"] in {"attended", "attended_remotely", "chaired"}}),
            "n_pledges": sum(edge.get("n_pledges", 0) for *_ends, edge in out_edges),
            "roles": LIST_SEPARATOR.join(sorted(
                f"{edge.get('role', 'post')} ({network.nodes[target].get('label')})"
                for _s, target, edge in out_edges if edge["type"] == "holds_post")),
        })
    return _write(ACTOR_COLUMNS, rows)


def table_csv(store: Store, table: str = "pledges", *, graph: str | None = None) -> bytes:
    """The CSV table ``table`` (one of :data:`TABLES`).

    Raises:
        InputError: unknown table.
    """
    writers = {"pledges": pledges_csv, "meetings": meetings_csv, "actors": actors_csv}
    if table not in writers:
        raise InputError(f"unknown CSV table {table!r}", hint=f"choose one of {', '.join(TABLES)}")
    return writers[table](store, graph=graph)
