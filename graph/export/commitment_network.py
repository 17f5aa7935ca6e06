"""The ``donor-commitment`` projection: donors, the commitments of graph aidg:commitments and their items.

Nodes: donors (``country`` / ``organisation``), commitments (type ``commitment``: label "DE: IRIS-T
SLM x3", ``stage``, ``independent_sources``, ``claims``, ``quantity``, ``delivered_quantity``,
``delivery_lag_days``, ``contradictions``, ``instruments``) and items (``equipment``). Edges: donor ->
commitment (``committed``, weight = independent sources, dated by the commitment's first date) and
commitment -> item (``commits``, weight 1).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from graph.export.projections import (
    attach_node_spells,
    date_interval,
    iri_tail,
    node_labels,
    node_type,
    select_rows,
)
from graph.vocab import COMMITMENTS_GRAPH

QUERY = f"""
SELECT ?c ?p ?o WHERE {{ GRAPH <{COMMITMENTS_GRAPH}> {{ ?c a aid:Commitment ; ?p ?o }} }}
"""
SINGLE = {"agent": "donor", "object": "item", "category": "category", "itemLabel": "item_label",
          "date": "date", "quantity": "quantity", "stage": "stage",
          "independentSources": "independent_sources",
          "deliveredQuantity": "delivered_quantity", "deliveryLagDays": "delivery_lag_days"}
MANY = {"contradiction": "contradictions", "instrument": "instruments", "groupsClaim": "claims"}


def commitment_records(store) -> dict[str, dict[str, Any]]:
    """Commitment IRI -> its values (see :data:`SINGLE` and :data:`MANY`)."""
    records: dict[str, dict[str, Any]] = defaultdict(lambda: {name: [] for name in MANY.values()})
    for row in select_rows(store, QUERY, None):
        name = str(row.p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        record = records[str(row.c)]
        if name in SINGLE:
            value = row.o.toPython() if hasattr(row.o, "toPython") else row.o
            record[SINGLE[name]] = str(row.o) if name in ("agent", "object", "category") else value
        elif name in MANY:
            record[MANY[name]].append(str(row.o))
    return dict(records)


def commitment_network(store) -> nx.DiGraph:
    """Donor -> commitment -> item network of the store's commitments."""
    labels = node_labels(store)
    network = nx.DiGraph()
    for iri, record in sorted(commitment_records(store).items()):
        donor = record.get("donor")
        item = record.get("item") or record.get("category")
        if not donor or node_type(donor) is None:
            continue
        item_label = labels.get(item, iri_tail(item)) if item else record.get("item_label") or "?"
        quantity = f" x{record['quantity']}" if record.get("quantity") else ""
        attributes = {
            "type": "commitment", "label": f"{iri_tail(donor)}: {item_label}{quantity}",
            "stage": str(record.get("stage") or ""), "claims": len(record["claims"]),
            "independent_sources": int(record.get("independent_sources") or 1),
            "contradictions": ";".join(sorted(record["contradictions"])),
            "instruments": ";".join(sorted(record["instruments"])),
            "date": str(record.get("date") or ""),
        }
        for name in ("quantity", "delivered_quantity", "delivery_lag_days"):
            if record.get(name) is not None:
                attributes[name] = int(record[name])
        network.add_node(iri, **attributes)
        network.add_node(donor, type=node_type(donor), label=labels.get(donor, iri_tail(donor)))
        spell = date_interval(attributes["date"])
        edge = {"type": "committed", "weight": float(attributes["independent_sources"])}
        if spell:
            edge["spells"] = [spell]
        network.add_edge(donor, iri, **edge)
        if item and node_type(item) is not None:
            network.add_node(item, type=node_type(item), label=item_label)
            network.add_edge(iri, item, type="commits", weight=1.0, **({"spells": [spell]} if spell else {}))
    attach_node_spells(network)
    return network
