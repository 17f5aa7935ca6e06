"""``aidgraph export``: the store as GEXF, GraphML, RDF or CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graph.export import CSV_TABLES, FORMATS, PROJECTIONS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export`` sub-command."""
    parser = subparsers.add_parser(
        "export", help="export the graph for Gephi (gexf), other tools (graphml, csv) or as RDF",
        description="Export the store, or one named graph of it. gexf/graphml write a network "
                    "projection; csv writes one table; turtle/trig/nquads/jsonld/nt dump RDF.",
    )
    parser.add_argument("--format", "-f", required=True, choices=FORMATS, dest="fmt")
    parser.add_argument("--projection", "-p", default="full", choices=PROJECTIONS,
                        help="network for gexf/graphml (default: full)")
    parser.add_argument("--weight-by", default="pledges", choices=("pledges", "quantity"),
                        help="weight of donor-equipment edges (default: number of pledges)")
    parser.add_argument("--static", action="store_true", help="gexf without time spells")
    parser.add_argument("--table", default="pledges", choices=CSV_TABLES, help="csv table (default: pledges)")
    parser.add_argument("--graph", "-g", default=None, metavar="IRI", help="only this named graph")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="output file (default: standard output)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Export and write the bytes to ``--output`` or standard output."""
    from graph.config import Settings
    from graph.export import export

    with Settings.from_env(args.store).open_store(read_only=True) as store:
        result = export(store, args.fmt, projection=args.projection, graph=args.graph, table=args.table,
                        dynamic=not args.static, weight_by=args.weight_by)
    write_output(result.content, args.output)
    return 0


def write_output(content: bytes, output: Path | None) -> None:
    """Write bytes to a file (creating its folder) or to standard output."""
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(content)
    print(f"wrote {len(content):,} bytes to {output}", file=sys.stderr)
