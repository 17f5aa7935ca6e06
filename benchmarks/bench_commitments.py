"""Commitments: clustering quality against the gold clustering, and the cost of recomputing.

    python benchmarks/bench_commitments.py [--scale 1000 10000] [--json]

1. Ingests tests/data/commitments (multi-article fixtures, gold in gold.json) and corpus/demo into a
   fresh on-disk oxigraph store and prints pairwise precision / recall / F1 of merged claims against the
   gold clustering, next to the baseline "one commitment per pledge node" (the exact-key merge of
   graph/to_rdf.py, what the store had before commitments).
2. Times ``graph.commitments.recompute`` on that store (read claims, cluster, write aidg:commitments),
   then ``cluster`` alone on ``--scale`` synthetic claims (donors x systems x days), to show whether
   recomputing everything after each ingest stays cheap. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from graph.commitments import (  # noqa: E402
    ClaimRecord,
    ItemKnowledge,
    claim_ref,
    cluster,
    pairwise_scores,
    read_claims,
    read_knowledge,
    recompute,
)
from graph.pipeline import ingest_paths  # noqa: E402
from graph.store import open_store  # noqa: E402

FIXTURES = REPO / "tests" / "data" / "commitments"


def gold_groups(path: Path) -> list[list[str]]:
    gold = json.loads(path.read_text(encoding="utf-8"))
    return [c["claims"] for c in gold["commitments"]]


def synthetic(n: int, seed: int = 0) -> tuple[list[ClaimRecord], ItemKnowledge]:
    rng = random.Random(seed)
    donors = [f"country/{i}" for i in range(30)]
    systems = [f"equipment/{i}" for i in range(60)]
    knowledge = ItemKnowledge({}, {s: f"category/{i % 15}" for i, s in enumerate(systems)})
    start = dt.date(2022, 3, 1)
    claims = []
    for i in range(n):
        claims.append(ClaimRecord(
            claim=f"claim/{i}", pledge=f"pledge/{i}", article=f"article/{i // 3}", donor=rng.choice(donors),
            recipient="country/UA", item=rng.choice(systems), category=None,
            quantity=rng.choice([None, 1, 2, 4, 10]), amount=None,
            status=rng.choice(["pledged"] * 4 + ["delivered"]),
            day=start + dt.timedelta(days=rng.randrange(1200)), evidence="", lang="en"))
    return claims, knowledge


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-commitments-") as tmp, \
            open_store(Path(tmp) / "store", backend="oxigraph") as store:
        ingest_paths([FIXTURES, REPO / "corpus" / "demo"], store, progress=False, workers=0,
                     commitments=False)
        claims = read_claims(store)
        groups = cluster(claims, read_knowledge(store))
        predicted = [[claim_ref(c) for c in g.claims] for g in groups]
        by_pledge: dict[str, list[str]] = {}
        for c in claims:
            by_pledge.setdefault(c.pledge, []).append(claim_ref(c))
        for name, path in (("fixtures", FIXTURES / "gold.json"), ("demo", FIXTURES / "demo_gold.json")):
            gold = gold_groups(path)
            figures[name] = pairwise_scores(predicted, gold)
            figures[f"{name} exact-key baseline"] = pairwise_scores(list(by_pledge.values()), gold)
        started = time.perf_counter()
        summary = recompute(store)
        wall = round(time.perf_counter() - started, 3)
        figures["recompute"] = {**summary.to_dict(), "wall_seconds": wall}
    figures["cluster_only"] = {}
    for n in args.scale:
        claims, knowledge = synthetic(n)
        started = time.perf_counter()
        groups = cluster(claims, knowledge)
        seconds = round(time.perf_counter() - started, 3)
        figures["cluster_only"][n] = {"seconds": seconds, "commitments": len(groups)}
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    for name in ("fixtures", "fixtures exact-key baseline", "demo", "demo exact-key baseline"):
        s = figures[name]
        print(f"{name:28s} pairwise P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
              f"(pairs predicted {s['pairs_predicted']}, gold {s['pairs_gold']})")
    r = figures["recompute"]
    print(f"recompute (fixtures + demo): {r['claims']} claims -> {r['commitments']} commitments, "
          f"{r['contradictions']} with contradictions, {r['near_duplicate_articles']} near-duplicate "
          f"articles, "
          f"{r['wall_seconds'] * 1000:.0f} ms")
    for n, s in figures["cluster_only"].items():
        print(f"cluster only, {n:>6} synthetic claims: {s['seconds'] * 1000:.0f} ms -> "
              f"{s['commitments']} commitments")


if __name__ == "__main__":
    main()
