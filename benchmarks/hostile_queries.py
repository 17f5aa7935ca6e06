"""Hostile SPARQL against a real `aidgraph serve`, while probers measure /health, a REST lookup and a light
query (issue 10, section 1).

    python benchmarks/hostile_queries.py --store STORE [--timeout 30] [--memory-mb 3072] [--concurrent 20]

Starts the server on a free port over STORE (its own process, stopped by PID), sends each hostile
request once, then ``--concurrent`` cartesian products at once (all from 127.0.0.1; the light queries
are another client's, from 127.0.0.2), and prints for each: the status, the seconds it took, the worst
/health, lookup and light-query latencies meanwhile (and how many probes failed), and the peak
resident memory of the server's process tree. The server runs under
``prlimit --as`` (``--as-gb``, 8) so that a regression cannot take the machine's memory.
``tests/reliability/test_hostile_queries.py`` runs the same cases with a short timeout and asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from graph.servers import aidgraph_server  # noqa: E402 (the checkout's package, run as a script)

#: (name, query): the hostile queries of issue 10, each heavy in its own way
HOSTILE = [
    ("cartesian COUNT (3 ways)", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),
    ("ORDER BY over a cartesian product", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 10"),
    ("GROUP_CONCAT over a cartesian product",
     "SELECT (GROUP_CONCAT(STR(?c)) AS ?all) WHERE { ?a ?b ?c . ?d ?e ?f }"),
    ("property path (!rdf:type|^!rdf:type)* all pairs",
     "SELECT (COUNT(*) AS ?n) WHERE { ?x (!<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>|"
     "^!<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>)* ?y }"),
    ("10k nested braces", "SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000),
    ("10k nested parentheses",
     "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 10_000 + "true" + ")" * 10_000 + ") }"),
]
CONCURRENT_QUERY = HOSTILE[0][1]
LIGHT_QUERY = "ASK { ?s a <https://w3id.org/aidgraph/ontology#Meeting> }"
#: the address the light queries come from: another client than the hostile one (127.0.0.1), as the
#: share of the query workers is per client address (a client's own light query waits for its heavy ones)
OTHER_CLIENT = "127.0.0.2"
PROBES = {"health": ("/health", None, None), "lookup": ("/meetings", {"limit": "5"}, None),
          "light query": ("/sparql", {"query": LIGHT_QUERY}, OTHER_CLIENT)}


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total / 2**20


@contextmanager
def serve(store: Path, *, timeout: float, env: dict[str, str] | None = None, as_gb: float = 8,
          log: Path | None = None, code: Path = REPO) -> Iterator[tuple[str, subprocess.Popen]]:
    """``aidgraph serve`` over ``store`` on a free port; yields (base URL, process); stopped by PID
    (``graph.servers.aidgraph_server``). ``code``: the checkout whose server runs (a baseline)."""
    with aidgraph_server(store, timeout=timeout, env=env, as_gb=as_gb, log=log or Path(os.devnull),
                         code=code) as served:
        yield served


@dataclass
class Prober:
    """Sends one request every ``interval`` s in a thread and keeps the latencies (ms) and failures."""

    url: str
    path: str
    params: dict | None = None
    interval: float = 0.1
    timeout: float = 30.0
    local_address: str | None = None  # the client's address (another loopback address: another client)
    latencies: list[float] = field(default_factory=list)
    failures: int = 0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        transport = httpx.HTTPTransport(local_address=self.local_address) if self.local_address else None
        with httpx.Client(base_url=self.url, timeout=self.timeout, transport=transport) as http:
            while True:  # at least one probe, however short the measurement
                started = time.monotonic()
                try:
                    ok = http.get(self.path, params=self.params).status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.latencies.append((time.monotonic() - started) * 1000)
                self.failures += not ok
                if self._stop.wait(max(0.0, self.interval - (time.monotonic() - started))):
                    break

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(self.timeout + 5)

    def worst(self) -> float:
        return max(self.latencies, default=0.0)

    def p95(self) -> float:
        if len(self.latencies) < 2:
            return self.worst()
        return statistics.quantiles(self.latencies, n=20)[-1]


@dataclass
class Outcome:
    name: str
    statuses: list[int]
    seconds: float
    probes: dict[str, Prober]
    rss_mb: float
    detail: str = ""


def measure(url: str, pid: int, name: str, send: Callable[[], list[tuple[int, str]]]) -> Outcome:
    """Run ``send`` (one or more requests) while the probers run and the memory is sampled."""
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], tree_rss_mb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    probes = {label: Prober(url, path, params, local_address=address)
              for label, (path, params, address) in PROBES.items()}
    started = time.monotonic()
    for prober in probes.values():
        prober.__enter__()
    try:
        answers = send()
    finally:
        seconds = time.monotonic() - started
        for prober in probes.values():
            prober.__exit__()
        done.set()
        sampler.join()
    return Outcome(name, [status for status, _ in answers], seconds, probes, peak[0],
                   "; ".join(sorted({detail for _, detail in answers if detail}))[:160])


def post_query(url: str, query: str, timeout: float = 600) -> tuple[int, str]:
    """POST one query; (status, problem detail or "")."""
    try:
        response = httpx.post(f"{url}/sparql", content=query.encode(), timeout=timeout,
                              headers={"Content-Type": "application/sparql-query",
                                       "Accept": "application/sparql-results+json"})
    except httpx.HTTPError as exc:
        return 0, type(exc).__name__
    detail = response.json().get("detail", "") if response.headers.get("content-type", "").startswith(
        "application/problem+json") else ""
    return response.status_code, detail


def run_cases(url: str, pid: int, concurrent: int, log: Callable[[str], None] = print) -> list[Outcome]:
    """Every hostile query alone, then ``concurrent`` cartesian products at once."""
    outcomes = []
    for name, query in HOSTILE:
        outcome = measure(url, pid, name, lambda query=query: [post_query(url, query)])
        log(format_outcome(outcome))
        outcomes.append(outcome)
    if concurrent:
        def burst() -> list[tuple[int, str]]:
            with ThreadPoolExecutor(concurrent) as pool:
                return list(pool.map(lambda _: post_query(url, CONCURRENT_QUERY), range(concurrent)))

        outcome = measure(url, pid, f"{concurrent} concurrent cartesian COUNTs", burst)
        log(format_outcome(outcome))
        outcomes.append(outcome)
    return outcomes


HEADER = (f"{'request':52} {'statuses':>18} {'s':>6} | {'health max/p95 ms':>17} {'lookup max':>10} "
          f"{'light max':>9} {'failed':>6} | {'RSS MB':>6}")


def format_outcome(outcome: Outcome) -> str:
    counts: dict[int, int] = {}
    for status in outcome.statuses:
        counts[status] = counts.get(status, 0) + 1
    statuses = " ".join(f"{n}x{status}" if n > 1 else str(status) for status, n in sorted(counts.items()))
    health, lookup, light = (outcome.probes[k] for k in ("health", "lookup", "light query"))
    failed = sum(p.failures for p in outcome.probes.values())
    return (f"{outcome.name[:52]:52} {statuses:>18} {outcome.seconds:6.1f} | "
            f"{health.worst():8.0f}/{health.p95():<8.0f} {lookup.worst():10.0f} {light.worst():9.0f} "
            f"{failed:6d} | {outcome.rss_mb:6.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="an on-disk store (it is only read)")
    parser.add_argument("--timeout", type=float, default=30.0, help="the server's query timeout (s)")
    parser.add_argument("--memory-mb", type=int, default=None, help="AIDGRAPH_WORKER_MEMORY_MB")
    parser.add_argument("--concurrent", type=int, default=20)
    parser.add_argument("--as-gb", type=float, default=8.0, help="address-space cap of the server")
    parser.add_argument("--log", type=Path, default=None, help="the server's output")
    parser.add_argument("--code", type=Path, default=REPO,
                        help="checkout to serve from (e.g. `git archive main` unpacked: the baseline)")
    args = parser.parse_args(argv)
    env = {"AIDGRAPH_WORKER_MEMORY_MB": str(args.memory_mb)} if args.memory_mb else {}
    with serve(args.store, timeout=args.timeout, env=env, as_gb=args.as_gb, log=args.log,
               code=args.code) as (url, process):
        print(f"server {url} (timeout {args.timeout:g} s), store {args.store}")
        print(HEADER)
        run_cases(url, process.pid, args.concurrent)
        health = httpx.get(f"{url}/health", timeout=10).json()
        print("after:", health)
    return 0


if __name__ == "__main__":
    sys.exit(main())
