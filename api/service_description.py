"""The SPARQL 1.1 Service Description that ``GET /sparql`` answers when no query is given.

It says what the endpoint really does: the query (and, with a token, update) language, the result
formats, the dataset (which graphs the default graph merges), and nothing it does not do: no
``sd:UnionDefaultGraph`` (the default graph is not the union of every named graph: quarantine graphs
are left out), no federated query, no dereferencing of IRIs (SERVICE and LOAD are refused).
"""

from __future__ import annotations

import rdflib
from rdflib.namespace import DCTERMS, RDF, RDFS, Namespace

from api.results import GRAPH_FORMATS, TABLE_FORMATS, ResultFormat
from graph.vocab import AIDG, ONTOLOGY_GRAPH, REFERENCE_GRAPH, article_iri

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

#: the named graphs every store holds
FIXED_GRAPHS = {
    str(ONTOLOGY_GRAPH): "the aidgraph ontology and its SKOS concept schemes",
    str(REFERENCE_GRAPH): "reference knowledge: countries, organisations, people, equipment systems",
}
DEFAULT_GRAPH = ("The RDF merge (every triple once) of the named graphs outside "
                 f"{AIDG} — one graph per article, named by the article IRI {article_iri('ID')}, and "
                 "graphs written through the Graph Store Protocol (/store) — and of the ontology and "
                 "reference graphs. The quarantine graphs (facts that failed SHACL validation, and their "
                 f"reports, under {AIDG}quarantine/) are not part of it; they, like every named graph, are "
                 "reachable with GRAPH. A SPARQL Update changes only the graphs it names. FROM / FROM NAMED "
                 "and default-graph-uri / named-graph-uri select local named graphs only; nothing is "
                 "fetched.")


def describe(endpoint: str, settings, fmt: ResultFormat) -> bytes:
    """The service description of the endpoint at ``endpoint`` in ``fmt`` (an RDF format)."""
    graph = rdflib.Graph()
    graph.bind("sd", SD)
    graph.bind("dcterms", DCTERMS)
    service = rdflib.URIRef(endpoint + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, rdflib.URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if settings.token:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for result_format in TABLE_FORMATS + GRAPH_FORMATS:
        graph.add((service, SD.resultFormat, rdflib.URIRef(result_format.format_iri)))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    limits = (f"At most {settings.result_cap} rows or triples per response (truncation is announced in "
              f"X-Result-Truncated and, in SPARQL JSON, an 'aidgraph' member); queries stop after "
              f"{settings.query_timeout:g} s (503). SERVICE and LOAD are refused (403). Relative IRIs "
              f"resolve against {endpoint}. "
              + ("SPARQL Update needs 'Authorization: Bearer TOKEN'." if settings.token
                 else "The endpoint is read-only."))
    graph.add((service, RDFS.comment, rdflib.Literal(limits, lang="en")))

    dataset = rdflib.BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default_graph = rdflib.BNode("defaultGraph")
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, DCTERMS.description, rdflib.Literal(DEFAULT_GRAPH, lang="en")))
    for name, description in FIXED_GRAPHS.items():
        named = rdflib.BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, rdflib.URIRef(name)))
        graph.add((named, DCTERMS.description, rdflib.Literal(description, lang="en")))
    return graph.serialize(format=fmt.media_type, encoding="utf-8")
