"""Load test of the main lookups: 1, 10 and 50 clients against a real `aidgraph serve` (issue 10.5).

    python benchmarks/load_test.py --store STORE [--clients 1 10 50] [--seconds 20] [--code DIR]

For each lookup and client count, the clients send the same request back to back for ``--seconds``;
printed: completed requests, throughput (req/s), p50/p95/p99/max latency (ms), non-2xx answers, and the
latencies measured meanwhile by probers in a process of their own (every 100 ms: p50, p95, max): /health,
and a light request of another client (``--light``: the light ASK from 127.0.0.2, or a lookup), which is
what one more user sees while the others load the server. ``--env NAME=VALUE`` sets the server's
environment (e.g. AIDGRAPH_REQUEST_THREADS, to compare settings in one run). ``--baseline DIR --rounds N``
serves another checkout and this one in turn, N rounds (old vs new at the same machine load; each row
ends with the 1-minute load average).
The clients are threads (httpx) of client processes, 10 threads each (50 threads of one process were
limited by the client's own GIL: its requests waited while another client's were answered at once); on a
small machine the clients still take processor time from the server: compare runs made on the same
machine, e.g. this checkout against a baseline (``--code``, a `git archive` of another revision unpacked).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile_queries import LIGHT_QUERY, OTHER_CLIENT, REPO, Prober, serve  # the script beside this one

LOOKUPS = [
    ("/pledges?category=air_defence", "/pledges", {"category": "air_defence", "limit": "20"}),
    ("/pledges?donor=DE", "/pledges", {"donor": "DE", "limit": "20"}),
    ("/meetings", "/meetings", {"limit": "20"}),
    ("/pledges?limit=1000 (heavy page)", "/pledges", {"limit": "1000", "offset": "500"}),
    ("/equipment", "/equipment", {"limit": "20"}),
    ("/sparql light ASK", "/sparql", {"query": LIGHT_QUERY}),
    ("/health", "/health", None),
]


CLIENTS_PER_PROCESS = 10  # client threads per client process


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


#: the light requests of another client a prober can send (``--light``): (path, params)
LIGHT = {"ask": ("/sparql", {"query": LIGHT_QUERY}), "meetings": ("/meetings", {"limit": "5"}),
         "pledges": ("/pledges", {"donor": "GB", "limit": "5"})}


def probe(url: str, seconds: float, light: str, results, start=None) -> None:
    """A prober process: /health and the ``light`` request (from another client address) every 100 ms for
    ``seconds``; puts their latencies (ms) in ``results``. ``start``: a barrier passed when every client
    process has started (probes before it would time the clients' own start-up, not the server)."""
    path, params = LIGHT[light]
    health, other = Prober(url, "/health"), Prober(url, path, params, local_address=OTHER_CLIENT)
    if start is not None:
        start.wait(300)
    with health, other:
        time.sleep(seconds)
    results.put((health.latencies, other.latencies))


def clients_process(url: str, path: str, params: dict | None, threads: int, seconds: float, results,
                    start=None) -> None:
    """A client process: ``threads`` threads sending the request back to back for ``seconds`` (from the
    ``start`` barrier on); puts (latencies in ms, non-2xx answers, wall seconds) in ``results``."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    # the clients are made before the barrier (each builds an SSL context: CPU of the client, not the server)
    sessions = [httpx.Client(base_url=url, timeout=120,
                             headers={"Accept": "application/sparql-results+json, application/json"})
                for _ in range(threads)]
    if start is not None:
        start.wait(300)
    stop = time.monotonic() + seconds

    def client(http: httpx.Client) -> None:
        with http:
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

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        for http in sessions:
            pool.submit(client, http)
    results.put((latencies, errors[0], time.monotonic() - started))


def load(url: str, path: str, params: dict | None, clients: int, seconds: float,
         light: str = "ask", per_process: int = CLIENTS_PER_PROCESS) -> dict[str, float]:
    """``clients`` clients sending the request back to back for ``seconds``: threads of client processes
    (``per_process`` threads each), so that the client's own GIL is not what limits the rate."""
    context = multiprocessing.get_context("spawn")
    results, answers = context.Queue(), context.Queue()
    shares = [per_process] * (clients // per_process) + [clients % per_process] * bool(clients % per_process)
    start = context.Barrier(len(shares) + 1)  # the clients and the prober begin together
    prober = context.Process(target=probe, args=(url, seconds, light, results, start), daemon=True)
    prober.start()
    workers = [context.Process(target=clients_process, daemon=True,
                               args=(url, path, params, share, seconds, answers, start)) for share in shares]
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    errors, rps = 0, 0.0
    for _ in workers:
        done, failed, wall = answers.get(timeout=seconds + 300)
        latencies += done
        errors += failed
        rps += len(done) / max(wall, 1e-9)
    for worker in workers:
        worker.join(30)
    health, other = results.get(timeout=120)
    prober.join(30)
    return {"n": len(latencies), "rps": rps, "p50": percentile(latencies, 0.5),
            "p95": percentile(latencies, 0.95), "p99": percentile(latencies, 0.99),
            "max": max(latencies, default=0.0), "errors": errors, "health_max": max(health, default=0.0),
            "health_p50": statistics.median(health) if health else 0.0,
            "health_p95": percentile(health, 0.95), "light_p50": percentile(other, 0.5),
            "light_p95": percentile(other, 0.95), "light_max": max(other, default=0.0)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="an on-disk store (it is only read)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--code", type=Path, default=REPO, help="checkout to serve from (a baseline)")
    parser.add_argument("--only", nargs="*", default=None, help="lookup labels to run (default all)")
    parser.add_argument("--light", choices=sorted(LIGHT), default="ask", help="the other client's request")
    parser.add_argument("--env", nargs="*", default=[], metavar="NAME=VALUE", help="the server's environment")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout served in turn with --code, round after round (old vs new)")
    parser.add_argument("--new-env", nargs="*", default=[], metavar="NAME=VALUE",
                        help="more environment for the new server only: with --baseline of this same "
                             "checkout, compares settings old vs new (e.g. AIDGRAPH_WEB_PROCESSES=2)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds of baseline then --code (with --baseline)")
    args = parser.parse_args(argv)
    env = dict(item.split("=", 1) for item in args.env)
    new_env = env | dict(item.split("=", 1) for item in args.new_env)
    lookups = [entry for entry in LOOKUPS if not args.only or entry[0] in args.only]
    servers = [("new", args.code)] if args.baseline is None else \
        [("old", args.baseline), ("new", args.code)] * max(1, args.rounds)
    print(f"store {args.store}, {args.seconds:g} s per run, env {env or 'default'}, "
          f"new {new_env or 'default'}; "
          f"code: {', '.join(f'{name}={code}' for name, code in servers[:2])}")
    print(f"{'code':4} {'lookup':32} {'clients':>7} {'done':>6} {'req/s':>7} {'p50':>7} {'p95':>7} "
          f"{'p99':>7} {'max':>7} {'non-2xx':>7} | {'health p50/p95/max ms':>21} | "
          f"{args.light} p50/p95/max ms | load")
    for name, code in servers:
        with serve(args.store, timeout=args.timeout, code=code, env=new_env if name == "new" else env) as (
                url, _process):
            for label, path, params in lookups:
                for clients in args.clients:
                    row = load(url, path, params, clients, args.seconds, args.light)
                    print(f"{name:4} {label:32} {clients:7d} {row['n']:6d} {row['rps']:7.1f} "
                          f"{row['p50']:7.0f} {row['p95']:7.0f} {row['p99']:7.0f} {row['max']:7.0f} "
                          f"{row['errors']:7d} | "
                          f"{row['health_p50']:7.0f}/{row['health_p95']:.0f}/{row['health_max']:.0f} | "
                          f"{row['light_p50']:.0f}/{row['light_p95']:.0f}/{row['light_max']:.0f} | "
                          f"{os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
