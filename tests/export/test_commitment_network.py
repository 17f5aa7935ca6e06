"""The donor-commitment projection over the export fixture store (tests/export/data/network.trig):
DE's IRIS-T SLM pledge is stated by t1 (4) and t2 (2) and delivered (3) in June: one commitment."""

from __future__ import annotations

from graph.export.gexf import to_gexf, validate_gexf
from graph.export.projections import build_projection
from graph.vocab import AIDR

DE = str(AIDR["country/DE"])
IRIS = str(AIDR["equipment/iris-t-slm"])


def test_donor_commitment_network_joins_donors_commitments_and_items(store):
    network = build_projection(store, "donor-commitment")
    commitments = [n for n, d in network.nodes(data=True) if d["type"] == "commitment"]
    iris = [c for c in commitments if network.has_edge(c, IRIS)]
    assert len(iris) == 1 and network.has_edge(DE, iris[0])
    data = network.nodes[iris[0]]
    assert data["contradictions"] == "quantity" and data["stage"] == "delivered"
    assert data["delivered_quantity"] == 3 and data["independent_sources"] == 2
    assert network.edges[DE, iris[0]]["weight"] == 2.0
    assert validate_gexf(to_gexf(network)) == []
