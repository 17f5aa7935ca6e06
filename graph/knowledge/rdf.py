"""The reference knowledge as RDF (the ``aidg:reference`` graph).

    reference_graph(load_knowledge())   -> one rdflib.Graph with everything
    reference_graphs(load_knowledge())  -> {"countries": g, "organisations": g, "equipment": g, "persons": g}

The second form is what ``python -m graph.knowledge.build`` writes to ``ontology/reference/*.ttl``.
Modelling (docs/architecture.md): countries are ``schema:Country`` with ``skos:notation`` (alpha-2),
``aid:alpha3``, ``skos:prefLabel``/``skos:altLabel`` per language and ``aid:adjective``/``aid:metonym``
(each also a ``skos:hiddenLabel``, so plain SKOS consumers find them); organisations are
``org:Organization`` (formats also ``org:OrganizationalCollaboration``); persons are ``schema:Person``
holding ``org:Post``s through dated ``aid:Tenure``s; equipment systems are ``aid:EquipmentSystem`` and
``skos:Concept`` in the equipment scheme, with ``aid:category`` and ``skos:broader`` (parent system,
else narrower category, else category). The category and role concepts themselves live in the
ontology (``ontology/aidgraph.ttl``), not here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rdflib import Graph, Literal, URIRef

from graph.knowledge import Knowledge
from graph.vocab import (
    AID,
    EQUIPMENT_SCHEME,
    MULTIPLE_DONORS_IRI,
    ORG,
    OWL,
    RDF,
    SCHEMA,
    SKOS,
    WD,
    XSD,
    bind_prefixes,
    category_iri,
    country_iri,
    equipment_iri,
    org_iri,
    person_iri,
    post_iri,
    role_iri,
    tenure_iri,
)

ANY_LANGUAGE = "xx"
ROLE_LABELS = {
    "head_of_state": "head of state", "head_of_government": "head of government",
    "defence_minister": "defence minister", "foreign_minister": "foreign minister",
    "vice_president": "vice president", "envoy": "envoy", "secretary_general": "secretary general",
    "eu_high_representative": "High Representative", "military_chief": "military chief", "other": "official",
}


def _label(text: str, lang: str) -> Literal:
    return Literal(text) if lang == ANY_LANGUAGE else Literal(text, lang=lang)


def _add_labels(graph: Graph, subject: URIRef, by_lang: Mapping[str, Iterable[str]], *,
                preferred: bool) -> None:
    """First name per language as skos:prefLabel (when ``preferred``), the rest as skos:altLabel."""
    for lang, names in by_lang.items():
        for index, name in enumerate(names):
            first = preferred and index == 0 and lang != ANY_LANGUAGE
            graph.add((subject, SKOS.prefLabel if first else SKOS.altLabel, _label(name, lang)))


def _same_as(graph: Graph, subject: URIRef, qid: str | None) -> None:
    if qid:
        graph.add((subject, OWL.sameAs, WD[qid]))


def _new_graph() -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    return graph


def countries_graph(knowledge: Knowledge) -> Graph:
    """Every country with codes, names per language, adjectives and metonyms."""
    graph = _new_graph()
    for country in knowledge.countries.values():
        node = country_iri(country.code)
        graph.add((node, RDF.type, SCHEMA.Country))
        graph.add((node, SKOS.notation, Literal(country.code)))
        graph.add((node, AID.alpha3, Literal(country.alpha3)))
        graph.add((node, SCHEMA.name, Literal(country.name, lang="en")))
        _add_labels(graph, node, country.names, preferred=True)
        for prop, forms in ((AID.adjective, country.adjectives), (AID.metonym, country.metonyms)):
            for lang, values in forms.items():
                for value in values:
                    graph.add((node, prop, _label(value, lang)))
                    graph.add((node, SKOS.hiddenLabel, _label(value, lang)))
        _same_as(graph, node, country.wikidata)
    return graph


def organisations_graph(knowledge: Knowledge) -> Graph:
    """Organisations and formats, plus the ``aidr:org/multiple`` donor group."""
    graph = _new_graph()
    for organisation in knowledge.organisations.values():
        node = org_iri(organisation.key)
        graph.add((node, RDF.type, ORG.Organization))
        if organisation.kind == "format":
            graph.add((node, RDF.type, ORG.OrganizationalCollaboration))
        graph.add((node, SKOS.notation, Literal(organisation.key)))
        graph.add((node, SCHEMA.name, Literal(organisation.name, lang="en")))
        graph.add((node, SKOS.prefLabel, Literal(organisation.name, lang="en")))
        names = {lang: [n for n in values if not (lang == "en" and n == organisation.name)]
                 for lang, values in organisation.names.items()}
        _add_labels(graph, node, names, preferred=False)
        _same_as(graph, node, organisation.wikidata)
    graph.add((MULTIPLE_DONORS_IRI, RDF.type, AID.DonorGroup))
    graph.add((MULTIPLE_DONORS_IRI, RDF.type, ORG.Organization))
    graph.add((MULTIPLE_DONORS_IRI, SKOS.notation, Literal("multiple")))
    graph.add((MULTIPLE_DONORS_IRI, SCHEMA.name, Literal("several donors jointly", lang="en")))
    graph.add((MULTIPLE_DONORS_IRI, SKOS.prefLabel, Literal("several donors jointly", lang="en")))
    return graph


def _scope_iri(knowledge: Knowledge, scope: str) -> URIRef:
    return country_iri(scope) if scope in knowledge.countries else org_iri(scope)


def _scope_name(knowledge: Knowledge, scope: str) -> str:
    if scope in knowledge.countries:
        return knowledge.countries[scope].name
    return knowledge.organisations[scope].name


def persons_graph(knowledge: Knowledge) -> Graph:
    """Office holders, the posts they held and their dated tenures."""
    graph = _new_graph()
    for person in knowledge.persons.values():
        node = person_iri(person.id)
        graph.add((node, RDF.type, SCHEMA.Person))
        graph.add((node, SCHEMA.name, Literal(person.name)))
        for alias in person.aliases:
            graph.add((node, SKOS.altLabel, Literal(alias)))
        _same_as(graph, node, person.wikidata)
        for tenure in person.tenures:
            post = post_iri(tenure.role, tenure.country)
            scope = _scope_iri(knowledge, tenure.country)
            graph.add((post, RDF.type, ORG.Post))
            graph.add((post, ORG.role, role_iri(tenure.role)))
            graph.add((post, ORG.postIn, scope))
            label = f"{ROLE_LABELS[tenure.role]}, {_scope_name(knowledge, tenure.country)}"
            graph.set((post, SKOS.prefLabel, Literal(label, lang="en")))
            graph.add((node, ORG.holds, post))
            membership = tenure_iri(person.id, tenure.role, tenure.country, tenure.start)
            graph.add((membership, RDF.type, AID.Tenure))
            graph.add((membership, ORG.member, node))
            graph.add((membership, AID.post, post))
            graph.add((membership, ORG.organization, scope))
            graph.add((membership, ORG.role, role_iri(tenure.role)))
            graph.add((membership, SCHEMA.startDate, Literal(tenure.start, datatype=XSD.date)))
            if tenure.end:
                graph.add((membership, SCHEMA.endDate, Literal(tenure.end, datatype=XSD.date)))
    return graph


def equipment_graph(knowledge: Knowledge) -> Graph:
    """Equipment systems and generic items as concepts of the equipment scheme."""
    graph = _new_graph()
    for item in knowledge.equipment.values():
        node = equipment_iri(item.id)
        graph.add((node, RDF.type, AID.EquipmentSystem))
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.inScheme, EQUIPMENT_SCHEME))
        graph.add((node, SKOS.notation, Literal(item.id)))
        graph.add((node, SCHEMA.name, Literal(item.name)))
        graph.add((node, SKOS.prefLabel, Literal(item.name, lang="en")))
        aliases = {lang: [a for a in values if a != item.name] for lang, values in item.aliases.items()}
        _add_labels(graph, node, aliases, preferred=False)
        graph.add((node, AID.category, category_iri(item.category)))
        if item.parent:
            broader = equipment_iri(item.parent)
        else:
            broader = category_iri(item.subcategory or item.category)
        graph.add((node, SKOS.broader, broader))
        _same_as(graph, node, item.wikidata)
    return graph


def reference_graphs(knowledge: Knowledge) -> dict[str, Graph]:
    """The reference graph split by topic (the files of ``ontology/reference/``)."""
    return {
        "countries": countries_graph(knowledge),
        "organisations": organisations_graph(knowledge),
        "equipment": equipment_graph(knowledge),
        "persons": persons_graph(knowledge),
    }


def reference_graph(knowledge: Knowledge) -> Graph:
    """All reference knowledge as one rdflib graph (load it into the ``aidg:reference`` named graph)."""
    graph = _new_graph()
    for part in reference_graphs(knowledge).values():
        graph += part
    return graph
