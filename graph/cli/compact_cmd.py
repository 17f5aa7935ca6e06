"""``aidgraph compact``: rewrite the embedded store's files compressed, as a bulk load writes them.

An ingest writes in transactions, and RocksDB (as pyoxigraph configures it) keeps what transactions
wrote uncompressed below ~512 MB per index; this rewrites every quad with the bulk loader into a new
store that takes the old one's place (``OxigraphStore.compact``). Run it after a large ingest; it
needs the store to itself and room for a second copy meanwhile.
"""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "compact", help="rewrite the store's files compressed (after a large ingest)",
        description="Rewrite the embedded Oxigraph store as one sorted, LZ4-compressed bulk load of all its "
                    "quads, which then replaces it (what `oxigraph load` of the same quads would take on "
                    "disk). Needs the store to itself, and disk for a second copy while it runs.")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from graph.cli.common import open_for_writing
    from graph.errors import InputError

    with open_for_writing(args) as store:
        if not hasattr(store, "compact"):
            raise InputError(f"the {store.name} store is not compacted by aidgraph",
                             hint="compact a remote store with its own server's tools")
        before, after = store.compact()
    print(f"store compacted: {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB on disk")
    return 0
