"""Commitments: clustering quality against the gold clustering, and the cost of recomputing.

    python benchmarks/bench_commitments.py [--scale 1000 10000] [--json]
    python benchmarks/bench_commitments.py --store DIR [--new 50] [--posts 3] [--json]

1. Ingests tests/data/commitments (multi-article fixtures, gold in gold.json) and corpus/demo into a
   fresh on-disk oxigraph store and prints pairwise precision / recall / F1 of merged claims against the
   gold clustering, next to the baseline "one commitment per pledge node" (the exact-key merge of
   graph/to_rdf.py, what the store had before commitments).
2. Times ``graph.commitments.recompute`` on that store (read claims, cluster, write aidg:commitments),
   then ``cluster`` alone on ``--scale`` synthetic claims (donors x systems x days), to show whether
   recomputing everything after each ingest stays cheap. Not part of the test suite.
3. ``--store DIR``: on a copy of an ingested store (e.g. 1,000 articles of benchmarks/generate_corpus.py
   ingested with ``aidgraph ingest``), the commitments step before and after the incremental update:
   the full ``recompute`` (what every ingest and POST /articles ran before), ``update`` after an ingest
   of ``--new`` articles into the rest (and ``recompute`` for the same), and ``--posts`` real
   POST /articles of new generated articles through the server (uvicorn + store worker): total and
   commitments seconds as the API reports them.
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
    update,
)
from graph.pipeline import ingest_paths  # noqa: E402
from graph.store import open_store  # noqa: E402
from graph.vocab import COMMITMENTS_GRAPH as COMMITMENTS  # noqa: E402

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


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return round(time.perf_counter() - started, 3), result


def bench_store(location: Path, new: int, posts: int) -> dict:
    """The commitments step on a copy of the store at ``location`` (section 3 of the docstring)."""
    import shutil

    from graph.vocab import AIDR

    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-commitments-store-") as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(location, copy)
        with open_store(copy, backend="oxigraph") as store:
            articles = sorted(n for n in store.graph_names() if n.startswith(str(AIDR["article/"])))
            figures["articles"] = len(articles)
            seconds, summary = timed(lambda: recompute(store))
            figures["full_recompute"] = {"seconds": seconds, **summary.to_dict()}
            # an ingest of `new` articles into the others: drop them, recompute, write them back
            chosen = articles[::max(1, len(articles) // new)][:new]
            contents = {name: store.get_graph(name) for name in chosen}
            store.replace_graphs({name: () for name in chosen})
            recompute(store)
            store.replace_graphs(contents)
            seconds, summary = timed(lambda: update(store, chosen))
            figures[f"ingest_{len(chosen)}_update"] = {"seconds": seconds, **summary.to_dict()}
            after = set(store.get_graph(str(COMMITMENTS)))
            seconds, _ = timed(lambda: recompute(store))
            figures[f"ingest_{len(chosen)}_recompute"] = {"seconds": seconds}
            figures["update_equals_recompute"] = after == set(store.get_graph(str(COMMITMENTS)))
            one = chosen[:1]
            store.replace_graphs({one[0]: contents[one[0]]})
            seconds, summary = timed(lambda: update(store, one))
            figures["one_article_update"] = {"seconds": seconds, **summary.to_dict()}
        if posts:
            figures["posts"] = bench_posts(copy, posts)
    return figures


def bench_posts(location: Path, posts: int) -> list[dict]:
    """``posts`` POST /articles of new generated articles to a real server over ``location``."""
    import importlib.util

    import httpx

    from api.app import create_app
    from api.settings import ApiSettings
    from graph.servers import app_in_thread

    path = REPO / "benchmarks" / "generate_corpus.py"
    spec = importlib.util.spec_from_file_location("generate_corpus", path)
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    with tempfile.TemporaryDirectory(prefix="bench-commitments-posts-") as tmp:
        manifest = json.loads(generator.generate(posts, Path(tmp), seed=4242).read_text(encoding="utf-8"))
        texts = [(entry, (Path(tmp) / entry["file"]).read_text(encoding="utf-8")) for entry in manifest]
    token = "b" * 24
    settings = ApiSettings(store=str(location), token=token, query_timeout=600, result_cap=100)
    found = []
    with app_in_thread(create_app(settings)) as url, httpx.Client(base_url=url, timeout=900) as http:
        for n, (entry, text) in enumerate(texts):
            started = time.perf_counter()
            response = http.post("/articles", headers={"Authorization": f"Bearer {token}"},
                                 json={"id": f"bench-post-{n}", "text": text, "lang": entry["lang"],
                                       "published": entry.get("published")})
            wall = round(time.perf_counter() - started, 3)
            seconds = response.json().get("ingest", {}).get("seconds", {})
            found.append({"status": response.status_code, "wall_seconds": wall,
                          "commitments_seconds": seconds.get("commitments"),
                          "store_seconds": seconds.get("store")})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--store", type=Path, help="an ingested store: time the commitments step on a copy")
    parser.add_argument("--new", type=int, default=50, help="articles of the simulated ingest (--store)")
    parser.add_argument("--posts", type=int, default=3, help="POST /articles to time (--store; 0: none)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.store:
        figures = bench_store(args.store, args.new, args.posts)
        print(json.dumps(figures, indent=1))
        return
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
