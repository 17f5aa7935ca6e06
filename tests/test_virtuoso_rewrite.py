"""How queries are rewritten for Virtuoso (graph.store.virtuoso.for_virtuoso), without a server: the
behaviour on a live server is in test_store_contract and test_virtuoso_differential."""

from __future__ import annotations

from graph.store.virtuoso import GRAPH_VARIABLE_PREFIX, MERGE_GRAPH, for_virtuoso


def test_graph_variables_skip_the_merge_graph_and_named_graphs_become_variables():
    query = "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } OPTIONAL { GRAPH aidg:commitments { ?s a ?t } } }"
    variable = f"?{GRAPH_VARIABLE_PREFIX}1"
    assert for_virtuoso(query) == (
        f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{MERGE_GRAPH}>)  OPTIONAL "
        f"{{ GRAPH {variable} {{ ?s a ?t }} FILTER({variable} = aidg:commitments)  }} }}")


def test_text_in_strings_iris_and_comments_is_left_alone():
    query = ('SELECT ?s WHERE { ?s ?p "GRAPH <x> { }" . ?s ?q <http://e/#GRAPH> }  # GRAPH ?g {\n'
             "GRAPH <http://e/g> { ?s ?p 'a}' } }")
    rewritten = for_virtuoso(query)
    assert rewritten.splitlines()[0] == query.splitlines()[0]
    assert rewritten.endswith("{ ?s ?p 'a}' } FILTER(?aidgraph_graph_0 = <http://e/g>)  }")
