"""``aidgraph reconcile [--kiel DIR]``: the Kiel Ukraine Support Tracker next to the news graph.

Imports the Kiel release (default: the copy in graph/kiel_data/release-29) as its own named graph
``aidg:kiel/release-{id}``, recomputes the commitments, and prints per donor x weapon category Kiel's
number and EUR value next to the store's commitments (count, quantities, EUR), the coverage of Kiel's
systems and the largest disagreements first; ``--format csv`` for the table as CSV, ``--plot FILE`` draws
the largest disagreements. Kiel system names
without reference equipment are listed at the end (table format). ``--by month``: per donor x month
instead, Kiel's military total next to the graph's commitments of that month and their sums in EUR.
"""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "reconcile", help="compare the news graph with the Kiel Ukraine Support Tracker",
        description="Import a Kiel Ukraine Support Tracker release as its own named graph and print, per "
                    "donor x weapon category, Kiel's figure next to the graph's commitments, largest "
                    "disagreements first.")
    parser.add_argument("--kiel", metavar="DIR",
                        help="a Kiel release folder (release_info.csv, weapons.csv); "
                             "default: graph/kiel_data/release-29")
    parser.add_argument("--by", choices=("category", "month"), default="category",
                        help="rows per donor x weapon category (default) or per donor x month "
                             "(Kiel's military totals next to the graph's sums in EUR)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--limit", type=int, default=30, help="table rows to print (table format)")
    parser.add_argument("--plot", metavar="FILE", help="also draw the largest disagreements (.png or .svg)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    import json

    from graph.cli.common import open_for_writing
    from graph.commitments import recompute
    from graph.kiel import DEFAULT_RELEASE, import_release, read_release, reconcile, to_csv

    release = read_release(args.kiel or DEFAULT_RELEASE)
    with open_for_writing(args) as store:
        import_release(store, release)
        recompute(store)
        if args.by == "month":
            from graph.kiel import reconcile_months

            return _print_months(args, release, reconcile_months(store, release))
        rows = reconcile(store, release)
    if args.plot:
        from pathlib import Path

        from graph.kiel import reconcile_plot

        path = Path(args.plot)
        path.write_bytes(reconcile_plot(rows, fmt="svg" if path.suffix.lower() == ".svg" else "png"))
    if args.format == "csv":
        print(to_csv(rows), end="")
        return 0
    if args.format == "json":
        print(json.dumps({"release": release.release, "cutoff": release.cutoff,
                          "rows": [row.to_dict() for row in rows], "unmapped": release.unmapped()}, indent=1))
        return 0
    print(f"{release.label} (cut-off {release.cutoff}) vs the news graph; largest disagreements first")
    header = f"{'donor':14} {'category':12} {'Kiel n':>7} {'Kiel MEUR':>10} {'graph c':>8} {'graph n':>8} " \
             f"{'graph MEUR':>10} {'coverage':>8}"
    print(header)
    print("-" * len(header))
    for row in rows[:args.limit]:
        coverage = "-" if row.coverage is None else f"{row.coverage:.0%}"
        print(f"{row.donor_name[:14]:14} {row.category[:12]:12} {row.kiel_weapons:>7} "
              f"{row.kiel_value_eur / 1e6:>10.1f} {row.graph_commitments:>8} {row.graph_quantity:>8} "
              f"{row.graph_value_eur / 1e6:>10.1f} {coverage:>8}")
    known = sum(r.systems_known for r in rows)
    total = sum(r.kiel_systems for r in rows)
    print(f"\ncoverage: the graph has commitments of {known} of Kiel's {total} (donor, system) pairs"
          f"{f' ({known / total:.0%})' if total else ''}")
    unmapped = release.unmapped()
    print(f"Kiel system names without reference equipment ({len(unmapped)}): {'; '.join(unmapped)}")
    return 0


def _print_months(args, release, rows) -> int:
    import json

    from graph.kiel import months_to_csv

    if args.format == "csv":
        print(months_to_csv(rows), end="")
        return 0
    if args.format == "json":
        print(json.dumps({"release": release.release, "cutoff": release.cutoff, "by": "month",
                          "rows": [row.to_dict() for row in rows]}, indent=1))
        return 0
    print(f"{release.label} (cut-off {release.cutoff}): military aid per donor x month vs the news graph; "
          "largest differences first")
    header = f"{'donor':14} {'month':7} {'Kiel MEUR':>10} {'graph c':>8} {'with sum':>8} " \
             f"{'graph MEUR':>10} {'diff MEUR':>10}"
    print(header)
    print("-" * len(header))
    for row in rows[:args.limit]:
        print(f"{row.donor_name[:14]:14} {row.month:7} {row.kiel_military_eur / 1e6:>10.1f} "
              f"{row.graph_commitments:>8} {row.graph_with_sum:>8} {row.graph_value_eur / 1e6:>10.1f} "
              f"{row.difference_eur / 1e6:>10.1f}")
    kiel = sum(r.kiel_military_eur for r in rows)
    graph = sum(r.graph_value_eur for r in rows)
    both = sum(1 for r in rows if r.kiel_military_eur and r.graph_commitments)
    print(f"\ntotal: Kiel {kiel / 1e9:.1f} bn EUR, news graph {graph / 1e9:.1f} bn EUR; "
          f"{both} of {len(rows)} donor-months have figures on both sides")
    return 0
