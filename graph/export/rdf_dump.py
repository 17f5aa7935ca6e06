"""RDF dumps of the whole dataset or of one named graph, through ``Store.serialize``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import rdflib

from graph.errors import InputError

if TYPE_CHECKING:
    from graph.store.base import Store

#: export format -> (store serialisation name, media type, file extension)
RDF_FORMATS: Mapping[str, tuple[str, str, str]] = {
    "turtle": ("turtle", "text/turtle", "ttl"),
    "nt": ("nt", "application/n-triples", "nt"),
    "trig": ("trig", "application/trig", "trig"),
    "nquads": ("nquads", "application/n-quads", "nq"),
    "jsonld": ("jsonld", "application/ld+json", "jsonld"),
}
#: formats that can hold several named graphs (used for whole-dataset dumps)
DATASET_FORMATS = frozenset({"trig", "nquads", "jsonld"})


def dump_rdf(store: Store, fmt: str, *, graph: str | None = None) -> bytes:
    """The whole dataset (trig, nquads, jsonld) or the named graph ``graph`` (any format) as bytes.

    Raises:
        InputError: unknown format, a triples-only format for the whole dataset, or an unknown graph.
    """
    if fmt not in RDF_FORMATS:
        raise InputError(f"unknown RDF format {fmt!r}", hint=f"choose one of {', '.join(RDF_FORMATS)}")
    if graph is not None:
        if graph not in set(store.graph_names()):
            raise InputError(f"no named graph {graph!r} in the store",
                             hint="list the graphs with `aidgraph stats` or leave out --graph")
        return store.serialize(RDF_FORMATS[fmt][0], graph=graph)
    if fmt not in DATASET_FORMATS:
        raise InputError(f"{fmt} holds one graph, not the whole dataset",
                         hint="use trig, nquads or jsonld for the dataset, or pass --graph IRI")
    if fmt == "jsonld":
        dataset = rdflib.Dataset()
        dataset.parse(data=store.serialize("nquads"), format="nquads")
        return dataset.serialize(format="json-ld", encoding="utf-8")
    return store.serialize(fmt)
