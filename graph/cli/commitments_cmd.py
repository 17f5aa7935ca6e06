"""``aidgraph commitments``: recompute the derived graph aidg:commitments from all claims of the store.

``aidgraph ingest`` does this after every run that stored an article; this command is for stores written
otherwise (the Graph Store protocol, raw SPARQL Updates, a POST /articles whose recomputation timed out).
"""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "commitments", help="recompute the commitments (claims of all articles grouped)",
        description="Recompute the derived graph aidg:commitments: the claims of all article graphs grouped "
                    "into commitments, and the near-duplicate articles.")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from graph.cli.common import open_for_writing
    from graph.commitments import recompute

    with open_for_writing(args) as store:
        summary = recompute(store)
    print(f"commitments: {summary.commitments} from {summary.claims} claims, {summary.contradictions} with "
          f"contradictions, {summary.duplicate_articles} near-duplicate articles ({summary.seconds:.2f} s)")
    return 0
