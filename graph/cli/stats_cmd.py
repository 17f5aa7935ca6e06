"""``aidgraph stats``: what the store holds (classes, graphs, articles, pledges, quarantine)."""

from __future__ import annotations

import json
from pathlib import Path

CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class
"""
QUARANTINED_FACTS = """
SELECT (COUNT(DISTINCT ?focus) AS ?n) WHERE {
  GRAPH ?g { ?result <http://www.w3.org/ns/shacl#focusNode> ?focus }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/aidgraph/graph/quarantine/"))
}
"""
TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
DEFAULT_GRAPH_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def register(subparsers) -> None:
    parser = subparsers.add_parser("stats", help="counts per class, graphs, articles, pledges, quarantine")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(handler=run)


def store_stats(store, settings=None) -> dict:
    """The figures ``aidgraph stats`` prints, as a dict. ``triples`` counts the named graphs' triples
    (a triple stated by two articles counts twice), ``default_graph_triples`` the merge (once); the
    counts per class read the merge, so quarantined facts are not counted there. ``disk_bytes`` is the
    store folder's files; ``disk_quads_bytes`` RocksDB's (the quads), ``disk_read_model_bytes`` the
    pledge read model's SQLite file, log and index (``graph.store.readmodel``); ``compacted_bytes`` and
    ``compacted_at`` what the last compaction left (None: never compacted), ``auto_compact`` when an
    ingest compacts by itself (``settings``: the policy's; default settings without)."""
    from graph.cli.query_cmd import compact
    from graph.store.readmodel import READ_MODEL_FILE
    from graph.vocab import AIDG, AIDR

    names = store.graph_names()
    location = getattr(store, "location", None)
    total, read_model = disk_bytes(location), disk_bytes(location, READ_MODEL_FILE) or 0
    article_prefix, quarantine_prefix = str(AIDR["article/"]), str(AIDG["quarantine/"])
    classes = {compact(row[0]): int(row[1]) for row in store.query(CLASS_COUNTS)}
    from graph.config import Settings
    from graph.store.oxigraph import CompactionPolicy, read_compaction

    settings = settings or Settings()
    last = read_compaction(location) if store.name == "oxigraph" else None
    policy = CompactionPolicy(settings.auto_compact_percent, settings.auto_compact_min_mb * 2**20)
    return {
        "store": getattr(store, "location", None) and str(store.location),
        "backend": store.name,
        "disk_bytes": total,
        "disk_quads_bytes": None if total is None else total - read_model,
        "disk_read_model_bytes": None if total is None else read_model,
        "compacted_bytes": last and last.get("compacted_bytes"),
        "compacted_at": last and last.get("compacted_at"),
        "auto_compact": policy.describe() if total is not None else "off (not an embedded store)",
        "triples": int(next(iter(store.query(TRIPLES)))[0]),
        "default_graph_triples": int(next(iter(store.query(DEFAULT_GRAPH_TRIPLES)))[0]),
        "graphs": len(names),
        "articles": sum(1 for n in names if n.startswith(article_prefix)),
        "pledges": classes.get("aid:Pledge", 0),
        "meetings": classes.get("aid:Meeting", 0),
        "quarantined_articles": sum(1 for n in names if n.startswith(quarantine_prefix)
                                    and not n.endswith("/report")),
        "quarantined_facts": int(next(iter(store.query(QUARANTINED_FACTS)))[0]),
        "classes": classes,
    }


def disk_bytes(location, prefix: str = "") -> int | None:
    """The bytes the files of a store folder take on disk (None for stores not on this disk); with
    ``prefix``, those whose names begin with it only (the read model: its file, its log and index)."""
    if location is None or not Path(location).is_dir():
        return None
    return sum(path.stat().st_blocks * 512 for path in Path(location).rglob(prefix + "*") if path.is_file())


def _human(size: int | None) -> str:
    if size is None:
        return "-"
    return f"{size / 2**20:.1f} MiB ({size} bytes)"


def run(args) -> int:
    from graph.cli.common import EMPTY_STORE_HINT, open_for_reading, settings_from

    with open_for_reading(args) as store:
        stats = store_stats(store, settings_from(args))
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    sizes = {"disk": "disk_bytes", "disk_quads": "disk_quads_bytes",
             "disk_read_model": "disk_read_model_bytes"}
    stats["compacted"] = ("never" if stats["compacted_bytes"] is None
                          else f"{_human(stats['compacted_bytes'])} at {stats['compacted_at']}")
    for key in ("store", "backend", "disk", "disk_quads", "disk_read_model", "compacted", "auto_compact",
                "triples",
                "default_graph_triples", "graphs", "articles", "pledges", "meetings", "quarantined_articles",
                "quarantined_facts"):
        value = _human(stats[sizes[key]]) if key in sizes else stats[key]
        print(f"{key.replace('_', ' '):22} {value}")
    print("instances per class:")
    for name, count in stats["classes"].items():
        print(f"  {count:8}  {name}")
    if not stats["articles"]:
        print(f"note: {EMPTY_STORE_HINT}")
    return 0
