"""The same contract for every store backend: oxigraph on disk, rdflib memory, remote SPARQL."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
import rdflib
from rdflib import XSD, Literal, URIRef

from graph.errors import QuerySyntaxError, StoreError
from graph.store import ONTOLOGY_GRAPH, REFERENCE_GRAPH, open_store

BACKENDS = ["oxigraph", "memory", pytest.param("sparql", marks=pytest.mark.remote),
            pytest.param("virtuoso", marks=pytest.mark.remote)]
EX = rdflib.Namespace("http://example.org/")


@pytest.fixture(params=BACKENDS)
def store(request, store_factory):
    return store_factory(request.param)


@pytest.fixture
def ns():
    """A namespace unique to the test, so tests sharing a remote server do not see each other."""
    return rdflib.Namespace(f"http://example.org/{uuid.uuid4().hex}/")


def sample_graph(ns) -> rdflib.Graph:
    g = rdflib.Graph()
    g.add((ns.pledge, rdflib.RDF.type, ns.Pledge))
    g.add((ns.pledge, ns.quantity, Literal(4)))
    g.add((ns.pledge, ns.amount, Literal("11000000000", datatype=XSD.decimal)))
    g.add((ns.pledge, ns.date, Literal("2025-04", datatype=XSD.gYearMonth)))
    g.add((ns.pledge, ns.label, Literal('Luftvärn "IRIS-T"\nzwei', lang="sv")))
    g.add((ns.pledge, ns.note, Literal("plain ünïcode")))
    return g


def values(triples) -> set:
    """Triples compared by value (serialisers may write 11000000000 as 11000000000.0; a plain literal
    is an xsd:string in RDF 1.1, and some engines say so)."""
    def datatype(literal: Literal):
        return None if literal.datatype == XSD.string else literal.datatype

    return {(s, p, (o.toPython(), datatype(o), o.language) if isinstance(o, Literal) else o)
            for s, p, o in triples}


def count(store, sparql: str, **bindings) -> int:
    return int(next(iter(store.query(sparql, bindings=bindings or None)))[0])


def test_fresh_store_holds_the_ontology(store):
    assert ONTOLOGY_GRAPH in store.graph_names()
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                 g=URIRef(ONTOLOGY_GRAPH)) > 0


def test_add_get_round_trip_keeps_terms(store, ns):
    name = str(ns.graph1)
    store.add_graph(name, sample_graph(ns))
    back = store.get_graph(name)
    assert set(back) == set(sample_graph(ns))
    assert name in store.graph_names()


def test_add_graph_replaces_instead_of_duplicating(store, ns):
    name = str(ns.graph1)
    store.add_graph(name, sample_graph(ns))
    store.add_graph(name, sample_graph(ns))
    assert len(store.get_graph(name)) == len(sample_graph(ns))
    smaller = rdflib.Graph()
    smaller.add((ns.pledge, ns.quantity, Literal(2)))
    store.add_graph(name, smaller)
    assert set(store.get_graph(name)) == set(smaller)


def test_drop_graph(store, ns):
    store.add_graph(str(ns.graph1), sample_graph(ns))
    store.drop_graph(str(ns.graph1))
    store.drop_graph(str(ns.never_existed))
    assert str(ns.graph1) not in store.graph_names()
    assert len(store.get_graph(str(ns.graph1))) == 0


def test_default_graph_is_the_union_and_graph_var_sees_each(store, ns):
    a, b = rdflib.Graph(), rdflib.Graph()
    a.add((ns.x, ns.p, Literal(1)))
    b.add((ns.y, ns.p, Literal(2)))
    store.add_graph(str(ns.a), a)
    store.add_graph(str(ns.b), b)
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", p=ns.p) == 2
    rows = store.query("SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", bindings={"p": ns.p})
    assert [(str(r[0]), str(r[1])) for r in rows] == [(str(ns.a), str(ns.x)), (str(ns.b), str(ns.y))]


def test_a_graph_named_by_iri_is_read_in_every_query_form(store, ns):
    store.add_graph(str(ns.a), sample_graph(ns))
    store.add_graph(str(ns.b), rdflib.Graph().add((ns.other, ns.p, Literal(1))))
    by_iri = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ns.a}> {{ ?s ?p ?o }} }}"
    prefixed = f"PREFIX t: <{ns}>\nSELECT (COUNT(*) AS ?n) WHERE {{ GRAPH t:a {{ ?s ?p ?o }} }}"
    assert count(store, by_iri) == count(store, prefixed) == 6
    mixed = (f"SELECT ?g ?o WHERE {{ GRAPH ?g {{ ?s <{ns.p}> ?o }} "
             f"OPTIONAL {{ GRAPH <{ns.a}> {{ ?x <{ns.quantity}> ?q }} }} }}")
    assert [(str(r[0]), int(r[1])) for r in store.query(mixed)] == [(str(ns.b), 1)]
    rows = list(store.query(f"SELECT * WHERE {{ GRAPH <{ns.a}> {{ ?s <{ns.quantity}> ?o }} }}"))
    assert [{k: str(v) for k, v in row.asdict().items()} for row in rows] == [{"s": str(ns.pledge), "o": "4"}]


def test_bindings_restrict_projected_and_unprojected_variables(store, ns):
    store.add_graph(str(ns.g), sample_graph(ns))
    rows = list(store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"p": ns.quantity}))
    assert [(r[0], int(r[1])) for r in rows] == [(ns.pledge, 4)]
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", s=ns.pledge) == 6
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", s=ns.nobody) == 0


def test_bound_values_cannot_change_the_query(store, ns):
    store.add_graph(str(ns.g), sample_graph(ns))
    hostile = Literal('x" } } ; DROP ALL ; SELECT * { { ?s ?p "')
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", o=hostile) == 0
    assert len(store.get_graph(str(ns.g))) == 6
    with pytest.raises(QuerySyntaxError, match="not a valid IRI"):
        list(store.query("SELECT ?o WHERE { ?s ?p ?o }", bindings={"s": URIRef("http://a> <http://b")}))


def test_update_inserts_into_a_named_graph(store, ns):
    store.update(f"INSERT DATA {{ GRAPH <{ns.upd}> {{ <{ns.s}> <{ns.p}> 'v' }} }}")
    assert set(store.get_graph(str(ns.upd))) == {(ns.s, ns.p, Literal("v"))}


@pytest.mark.parametrize("query", ["SELECT ?x WHERE {\n  ?x ?y \n}", "SELEC * WHERE { ?s ?p ?o }"])
def test_malformed_query_is_a_syntax_error_with_position(store, query):
    with pytest.raises(QuerySyntaxError) as caught:
        list(store.query(query))
    assert "malformed SPARQL" in caught.value.message


def test_serialize_dataset_and_one_graph(store, ns):
    store.add_graph(str(ns.g), sample_graph(ns))
    dataset = rdflib.Dataset()
    dataset.parse(data=store.serialize("trig"), format="trig")
    assert values(dataset.graph(ns.g)) == values(sample_graph(ns))
    one = rdflib.Graph().parse(data=store.serialize("turtle", graph=str(ns.g)), format="turtle")
    assert values(one) == values(sample_graph(ns))
    with pytest.raises(StoreError):
        store.serialize("turtle")


def test_context_manager_closes(ns, store_factory, tmp_path):
    from graph.store import open_store

    with open_store(tmp_path / "cm") as store:
        store.add_graph(str(ns.g), sample_graph(ns))
    with open_store(tmp_path / "cm") as again:
        assert len(again.get_graph(str(ns.g))) == 6


# --------------------------------------------------------------------------- on-disk specifics

def test_oxigraph_persists_across_processes(tmp_path, ns):
    location = tmp_path / "persist"
    with open_store(location) as store:
        store.add_graph(str(ns.g), sample_graph(ns))
    script = ("import sys; from graph.store import open_store; s = open_store(sys.argv[1]); "
              "print(len(s.get_graph(sys.argv[2])))")
    out = subprocess.run([sys.executable, "-c", script, str(location), str(ns.g)], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "6"


def test_locked_store_gives_a_clear_error(tmp_path):
    location = tmp_path / "locked"
    with open_store(location):
        script = ("import sys\nfrom graph.store import open_store\nfrom graph.errors import StoreError\n"
                  "try:\n    open_store(sys.argv[1])\n"
                  "except StoreError as e:\n    print(e.message, '|', e.hint)")
        out = subprocess.run([sys.executable, "-c", script, str(location)], capture_output=True, text=True)
    assert "locked by another process" in out.stdout
    assert "aidgraph serve" in out.stdout


def test_read_only_store_refuses_writes_but_answers(tmp_path, ns):
    location = tmp_path / "ro"
    with open_store(location) as store:
        store.add_graph(str(ns.g), sample_graph(ns))
    with open_store(location, read_only=True) as store:
        assert len(store.get_graph(str(ns.g))) == 6
        with pytest.raises(StoreError, match="read-only"):
            store.add_graph(str(ns.g), rdflib.Graph())


def test_unknown_backend_and_bad_remote_url():
    from graph.errors import InputError

    with pytest.raises(InputError, match="unknown store backend"):
        open_store(backend="postgres")
    with pytest.raises(InputError, match="endpoint URL"):
        open_store("data/store", backend="sparql")


def test_unreachable_remote_store_is_a_store_error():
    with pytest.raises(StoreError, match="cannot reach"):
        open_store("http://127.0.0.1:9/query", backend="sparql")


def test_replace_graphs_writes_drops_and_replaces_in_one_step(store, ns):
    from graph.store.convert import graph_to_ntriples

    store.add_graph(str(ns.old), sample_graph(ns))
    store.add_graph(str(ns.kept), sample_graph(ns))
    one = rdflib.Graph()
    one.add((ns.a, ns.p, Literal("eins", lang="de")))
    store.replace_graphs({
        str(ns.g1): graph_to_ntriples(sample_graph(ns)),  # N-Triples text
        str(ns.g2): one,                                  # an rdflib graph
        str(ns.g3): [(ns.b, ns.p, ns.c)],                 # triples
        str(ns.old): "",                                  # empty: dropped
    })
    names = set(store.graph_names())
    assert {str(ns.g1), str(ns.g2), str(ns.g3), str(ns.kept)} <= names
    assert str(ns.old) not in names
    assert values(store.get_graph(str(ns.g1))) == values(sample_graph(ns))
    assert set(store.get_graph(str(ns.g2))) == set(one)
    store.replace_graphs({str(ns.g3): [(ns.b, ns.p, ns.d)]})
    assert set(store.get_graph(str(ns.g3))) == {(ns.b, ns.p, ns.d)}


def test_replace_graphs_with_bad_content_changes_nothing(store, ns):
    if store.name == "sparql":
        pytest.skip("a remote server decides itself whether one request is one transaction")
    store.add_graph(str(ns.g1), sample_graph(ns))
    with pytest.raises(StoreError):
        store.replace_graphs({str(ns.g1): [(ns.a, ns.p, ns.b)], str(ns.g2): "<not n-triples"})
    assert values(store.get_graph(str(ns.g1))) == values(sample_graph(ns))
    assert str(ns.g2) not in store.graph_names()


# --------------------------------------------------------------------------- the merged default graph

#: the subjects the merge tests write about (in the test's own namespace: a remote server is shared)
SUBJECTS = ("x", "y", "s", "s0", "s1", "s2", "pledge")


def default_triples(store, ns) -> set:
    """The default graph's triples about the test's subjects."""
    subjects = " ".join(f"<{ns[name]}>" for name in SUBJECTS)
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {subjects} }} ?s ?p ?o }}")
    return values((row[0], row[1], row[2]) for row in rows)


def default_rows(store, ns) -> int:
    """How many rows a plain pattern gives over the default graph (a bag would count copies)."""
    subjects = " ".join(f"<{ns[name]}>" for name in SUBJECTS)
    return count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ {subjects} }} ?s ?p ?o }}")


def expected_merge(store, names) -> set:
    """The set union of the merged graphs among ``names``, read back from the store."""
    from graph.store.merge import is_merged

    merged = set()
    for name in names:
        if is_merged(name):
            merged |= values(store.get_graph(name))
    return merged


def quarantine(ns) -> str:
    from graph.vocab import AIDG

    return str(AIDG[f"quarantine/{uuid.uuid5(uuid.NAMESPACE_URL, str(ns)).hex}"])


def test_the_default_graph_is_the_merge_of_the_accepted_graphs(store, ns):
    a, b, rejected = str(ns.article_a), str(ns.article_b), quarantine(ns)
    shared, own, bad = (ns.pledge, ns.quantity, Literal(4)), (ns.pledge, ns.date, Literal("2025")), \
        (ns.pledge, ns.quantity, Literal(-1))
    store.replace_graphs({a: [shared, own], b: [shared], rejected: [bad]})
    assert default_triples(store, ns) == values([shared, own])  # the quarantine graph is not merged
    assert default_rows(store, ns) == 2  # a set: the triple two articles state is there once
    rows = store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{ns.pledge}> <{ns.quantity}> ?o }} }}")
    assert sorted(str(row[0]) for row in rows) == sorted([a, b, rejected])  # provenance per graph


def test_replacing_or_dropping_a_graph_removes_only_what_no_other_graph_states(store, ns):
    a, b = str(ns.article_a), str(ns.article_b)
    t1, t2, t3 = (ns.x, ns.p, Literal(1)), (ns.x, ns.p, Literal(2)), (ns.x, ns.p, Literal(3))
    store.replace_graphs({a: [t1, t2], b: [t1]})
    store.replace_graphs({a: [t3]})
    assert default_triples(store, ns) == values([t1, t3])  # t1: b still states it
    store.drop_graph(b)
    assert default_triples(store, ns) == values([t3])
    store.add_graph(b, rdflib.Graph().add(t3))
    store.drop_graph(a)
    assert default_triples(store, ns) == values([t3])
    store.drop_graph(b)
    assert default_triples(store, ns) == set()


def test_a_batch_moves_triples_between_graphs(store, ns):
    a, b = str(ns.article_a), str(ns.article_b)
    t1, t2 = (ns.x, ns.p, Literal(1)), (ns.y, ns.p, Literal(2))
    store.replace_graphs({a: [t1, t2]})
    store.replace_graphs({a: [], b: [t1, t2]})  # the same triples, now stated by b only
    assert default_triples(store, ns) == values([t1, t2])
    store.replace_graphs({a: [t2], b: []})
    assert default_triples(store, ns) == values([t2])


def test_reference_knowledge_survives_an_article_restating_it(store, ns):
    from graph.store.base import initial_contents
    from graph.store.convert import from_ox

    known = next(iter(initial_contents()[REFERENCE_GRAPH]))
    triple = (from_ox(known.subject), from_ox(known.predicate), from_ox(known.object))
    store.replace_graphs({str(ns.article): [triple, (ns.x, ns.p, ns.y)]})
    store.drop_graph(str(ns.article))
    assert store.query(f"ASK {{ {triple[0].n3()} {triple[1].n3()} {triple[2].n3()} }}").askAnswer
    assert default_triples(store, ns) == set()


def test_blank_nodes_of_two_graphs_stay_apart_and_leave_with_their_graph(store, ns):
    from graph.store.merge import SKOLEM_NS

    a, b = str(ns.article_a), str(ns.article_b)
    store.replace_graphs({a: f"_:n <{ns.p}> \"one\" .\n<{ns.x}> <{ns.q}> _:n .\n",
                          b: f"_:n <{ns.p}> \"two\" .\n<{ns.x}> <{ns.q}> _:n .\n"})
    rows = list(store.query(f"SELECT ?n ?v WHERE {{ <{ns.x}> <{ns.q}> ?n . ?n <{ns.p}> ?v }}"))
    assert sorted(str(row[1]) for row in rows) == ["one", "two"]  # two nodes, not one with two values
    assert all(str(row[0]).startswith(SKOLEM_NS) for row in rows)
    store.drop_graph(a)
    assert [str(row[0]) for row in store.query(f"SELECT ?v WHERE {{ ?n <{ns.p}> ?v }}")] == ["two"]


def test_any_sequence_of_writes_keeps_the_merge_exact(store, ns):
    import random

    rng = random.Random(7)
    names = [str(ns.article_a), str(ns.article_b), str(ns.user_graph), quarantine(ns)]
    pool = [(ns[f"s{i % 3}"], ns.p, Literal(i % 5)) for i in range(8)]
    for _ in range(25):
        chosen = rng.sample(names, rng.randint(1, 3))
        store.replace_graphs({name: rng.sample(pool, rng.randint(0, 4)) for name in chosen})
        assert default_triples(store, ns) == expected_merge(store, names)


def test_concurrent_writers_keep_the_merge_exact(store, ns):
    from concurrent.futures import ThreadPoolExecutor

    pool = [(ns.s, ns.p, Literal(i)) for i in range(6)]
    names = [str(ns[f"article{i}"]) for i in range(6)]

    def churn(index: int) -> None:
        for step in range(6):
            store.replace_graphs({names[index]: pool[(index + step) % 6:][:3]})
        if index % 2:
            store.drop_graph(names[index])

    with ThreadPoolExecutor(max_workers=6) as workers:
        list(workers.map(churn, range(6)))
    assert default_triples(store, ns) == expected_merge(store, names)


def test_a_raw_update_writes_what_it_says_and_rebuild_restores_the_merge(store, ns):
    store.update(f"INSERT DATA {{ GRAPH <{ns.upd}> {{ <{ns.s}> <{ns.p}> 'v' }} }}")
    assert default_triples(store, ns) == set()  # the update named a graph, not the default graph
    store.rebuild_default_graph()
    assert default_triples(store, ns) == values([(ns.s, ns.p, Literal("v"))])
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") >= 19_000  # ontology, reference


def test_dataset_dumps_hold_the_named_graphs_only(store, ns):
    store.replace_graphs({str(ns.article): [(ns.x, ns.p, Literal(1))]})
    dataset = rdflib.Dataset()
    dataset.parse(data=store.serialize("nquads"), format="nquads")
    assert len(dataset.default_graph) == 0
    assert values(dataset.graph(ns.article)) == values([(ns.x, ns.p, Literal(1))])
    assert len(dataset.graph(URIRef(ONTOLOGY_GRAPH))) > 0


def old_layout(location) -> None:
    """Turn an oxigraph store into what an older aidgraph left: named graphs, no default graph and no
    store-format marker (queries then ran over the union of the named graphs)."""
    import gc

    import pyoxigraph as ox

    from graph.store.oxigraph import FORMAT_FILE

    gc.collect()  # unfinished query results of the closed store may still hold its lock
    native = ox.Store(str(location))
    native.clear_graph(ox.DefaultGraph())
    native.flush()
    del native
    (location / FORMAT_FILE).unlink()


def test_an_older_oxigraph_store_is_migrated_when_opened(tmp_path, ns):
    from graph.store.oxigraph import FORMAT_FILE

    location = tmp_path / "old"
    with open_store(location) as store:
        store.replace_graphs({str(ns.a): [(ns.x, ns.p, Literal(1))],
                              quarantine(ns): [(ns.x, ns.p, Literal(2))]})
        before = count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    old_layout(location)
    with pytest.raises(StoreError, match="older aidgraph") as refused:
        open_store(location, read_only=True)
    assert "rebuild" in refused.value.hint
    with open_store(location) as store:
        assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == before
        assert default_triples(store, ns) == values([(ns.x, ns.p, Literal(1))])
    assert (location / FORMAT_FILE).exists()
    with open_store(location, read_only=True) as store:
        assert default_triples(store, ns) == values([(ns.x, ns.p, Literal(1))])


@pytest.mark.remote
def test_an_older_remote_store_is_migrated_and_a_union_server_refused(tmp_path, start_oxigraph_server, ns):
    import httpx

    from graph.store.sparql import FORMAT_GRAPH

    with start_oxigraph_server(tmp_path / "old") as url:
        with open_store(url, backend="sparql") as store:
            store.replace_graphs({str(ns.a): [(ns.x, ns.p, Literal(1))]})
        update = url.rsplit("/", 1)[0] + "/update"  # what an older aidgraph left: no marker, no default
        httpx.post(update, data={"update": f"DROP GRAPH <{FORMAT_GRAPH}> ; CLEAR DEFAULT"}).raise_for_status()
        with open_store(url, backend="sparql") as store:
            assert default_triples(store, ns) == values([(ns.x, ns.p, Literal(1))])
            assert FORMAT_GRAPH not in store.graph_names()
    with start_oxigraph_server(tmp_path / "union", "--union-default-graph") as url:
        with pytest.raises(StoreError, match="union") as refused:
            open_store(url, backend="sparql")
        assert "--union-default-graph" in refused.value.hint
