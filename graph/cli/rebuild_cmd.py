"""``aidgraph rebuild``: recompute the store's default graph from its named graphs.

The default graph is the merge of the ontology, reference and article graphs (``graph.store.merge``).
Every aidgraph write keeps it exact; a raw SPARQL Update (``/sparql`` with a token, or an update sent
straight to a remote endpoint) writes only the graphs it names, so run this afterwards. On an on-disk
store it rebuilds the pledge read model too (``graph.store.readmodel``), which a SPARQL Update leaves
stale (the lookups ask SPARQL meanwhile).
"""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "rebuild", help="recompute the default graph (the merge) from the named graphs",
        description="Recompute the SPARQL default graph of the store: the merge (each triple once) of the "
                    "ontology, reference and article graphs, without the quarantine graphs, and the pledge "
                    "read model beside an on-disk store. Needed only after raw SPARQL Updates of named "
                    "graphs; aidgraph's own writes keep both exact.")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from graph.cli.common import open_for_writing
    from graph.store.merge import rebuild_progress_bar

    with open_for_writing(args) as store:
        size = store.rebuild_default_graph(progress=rebuild_progress_bar())
        graphs = len(store.graph_names())
    print(f"default graph rebuilt: {size:,} triples from {graphs:,} named graphs")
    return 0
