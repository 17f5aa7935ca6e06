"""Load test of the main lookups: 1, 10 and 50 clients against a real `aidgraph serve` (issue 10.5).

    python benchmarks/load_test.py --store STORE [--clients 1 10 50] [--seconds 20] [--code DIR]

For each lookup and client count, the clients send the same request back to back for ``--seconds``;
printed: completed requests, throughput (req/s), p50/p95/p99/max latency (ms), non-2xx answers, and the
/health latency measured meanwhile by a prober in a process of its own (every 100 ms: p50, p95, max).
The clients are threads of this process (httpx), so at 50 clients on a small machine the client itself
takes processor time from the server: compare runs made on the same machine, e.g. this checkout against
a baseline (``--code``, a `git archive` of another revision unpacked).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile_queries import LIGHT_QUERY, REPO, Prober, serve  # the script beside this one

LOOKUPS = [
    ("/pledges?category=air_defence", "/pledges", {"category": "air_defence", "limit": "20"}),
    ("/pledges?donor=DE", "/pledges", {"donor": "DE", "limit": "20"}),
    ("/meetings", "/meetings", {"limit": "20"}),
    ("/equipment", "/equipment", {"limit": "20"}),
    ("/sparql light ASK", "/sparql", {"query": LIGHT_QUERY}),
    ("/health", "/health", None),
]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def probe_health(url: str, seconds: float, results) -> None:
    """A prober process: /health every 100 ms for ``seconds``; puts its latencies (ms) in ``results``."""
    prober = Prober(url, "/health")
    with prober:
        time.sleep(seconds)
    results.put(prober.latencies)


def load(url: str, path: str, params: dict | None, clients: int, seconds: float) -> dict[str, float]:
    """``clients`` threads sending the request back to back for ``seconds``."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(base_url=url, timeout=120,
                          headers={"Accept": "application/sparql-results+json, application/json"}) as http:
            while time.monotonic() < stop:
                started = time.monotonic()
                try:
                    ok = http.get(path, params=params).status_code < 300
                except httpx.HTTPError:
                    ok = False
                elapsed = (time.monotonic() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    errors[0] += not ok

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    prober = context.Process(target=probe_health, args=(url, seconds, results), daemon=True)
    prober.start()
    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client)
    wall = time.monotonic() - started
    health = results.get(timeout=120)
    prober.join(30)
    return {"n": len(latencies), "rps": len(latencies) / wall, "p50": percentile(latencies, 0.5),
            "p95": percentile(latencies, 0.95), "p99": percentile(latencies, 0.99),
            "max": max(latencies, default=0.0), "errors": errors[0], "health_max": max(health, default=0.0),
            "health_p50": statistics.median(health) if health else 0.0,
            "health_p95": percentile(health, 0.95)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="an on-disk store (it is only read)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--code", type=Path, default=REPO, help="checkout to serve from (a baseline)")
    parser.add_argument("--only", nargs="*", default=None, help="lookup labels to run (default all)")
    args = parser.parse_args(argv)
    lookups = [entry for entry in LOOKUPS if not args.only or entry[0] in args.only]
    with serve(args.store, timeout=args.timeout, code=args.code) as (url, _process):
        print(f"server {url}, store {args.store}, {args.seconds:g} s per run")
        print(f"{'lookup':32} {'clients':>7} {'done':>6} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} "
              f"{'max':>7} {'non-2xx':>7} | {'health p50/p95/max ms':>21}")
        for label, path, params in lookups:
            for clients in args.clients:
                row = load(url, path, params, clients, args.seconds)
                print(f"{label:32} {clients:7d} {row['n']:6d} {row['rps']:7.1f} {row['p50']:7.0f} "
                      f"{row['p95']:7.0f} {row['p99']:7.0f} {row['max']:7.0f} {row['errors']:7d} | "
                      f"{row['health_p50']:7.0f}/{row['health_p95']:.0f}/{row['health_max']:.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
