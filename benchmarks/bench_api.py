"""Latency of the saved queries and /pledges over HTTP at 1k and 10k generated articles, against
rdflib's in-memory SPARQL engine on the same data in the same run.

    .venv/bin/python benchmarks/bench_api.py [--sizes 1000 10000] [--repeat 20]

For each size it generates articles in aidgraph's RDF model (one named graph per article: a meeting,
three pledges with claims and evidence, persons), loads them into a fresh on-disk oxigraph store,
starts the real server (uvicorn + store worker) and times each saved query through /sparql and a few
/pledges lookups; then it runs the same saved queries on an rdflib ``Dataset`` holding the same quads
and their merge as its default graph, in a child process that is stopped when a query overruns its budget.
Prints p50/p95 in milliseconds. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import rdflib

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from api.app import create_app  # noqa: E402
from api.saved_queries import saved_queries  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
from graph.servers import app_in_thread  # noqa: E402
from graph.store import open_store  # noqa: E402

AID = "https://w3id.org/aidgraph/ontology#"
R = "https://w3id.org/aidgraph/id/"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DONORS = ["DE", "GB", "FR", "NL", "NO", "SE", "DK", "PL", "US", "CA", "IT", "ES"]
CATEGORIES = ["air_defence", "artillery", "ammunition", "armour", "drones", "missiles", "radar", "vehicles"]
SYSTEMS = ["iris-t-slm", "patriot", "nasams", "leopard-2", "caesar", "archer", "f-16", "storm-shadow"]
PEOPLE = [("boris-pistorius", "Boris Pistorius", "DE"), ("john-healey", "John Healey", "GB"),
          ("pete-hegseth", "Pete Hegseth", "US"), ("tore-sandvik", "Tore Sandvik", "NO"),
          ("pal-jonson", "Pål Jonson", "SE")]
PLEDGE_REQUESTS = [
    {"limit": 100},
    {"limit": 100, "offset": 5000},
    {"category": "air_defence", "limit": 100},
    {"donor": "DE", "limit": 100},
    {"donor": "GB", "date_from": "2025-03", "date_to": "2025-06", "limit": 50},
    {"item": "patriot", "limit": 100},
]


def generate_quads(n_articles: int, seed: int = 7) -> list[ox.Quad]:
    """Quads of ``n_articles`` synthetic articles (about 60 triples each)."""
    return list(iter_quads(n_articles, seed))


def iter_quads(n_articles: int, seed: int = 7):
    """The quads of :func:`generate_quads`, article by article (a 100k-article store without holding
    its millions of quads in memory)."""
    rng = random.Random(seed)
    quads: list[ox.Quad] = []
    node, lit = ox.NamedNode, ox.Literal

    def add(graph, s, p, o):
        quads.append(ox.Quad(node(s), node(p), o if isinstance(o, ox.Literal) else node(o), graph))

    reference = node("https://w3id.org/aidgraph/graph/bench-reference")
    for _, _, country in PEOPLE:
        post = f"{R}post/defence_minister-{country}"
        add(reference, post, f"{ORG}role", f"{R}role/defence_minister")
        add(reference, post, f"{ORG}postIn", f"{R}country/{country}")
    yield from quads
    for i in range(n_articles):
        quads.clear()
        article = f"{R}article/gen-{i}"
        graph = node(article)
        day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        add(graph, article, RDF_TYPE, f"{SCHEMA}NewsArticle")
        add(graph, article, f"{SCHEMA}identifier", lit(f"gen-{i}"))
        add(graph, article, f"{SCHEMA}datePublished", lit(day, datatype=node(XSD + "date")))
        meeting = f"{R}meeting/UDCG-{day}"
        add(graph, meeting, RDF_TYPE, f"{AID}Meeting")
        add(graph, meeting, f"{SKOS}notation", lit(f"UDCG-{day}"))
        add(graph, meeting, f"{AID}format", f"{R}org/UDCG")
        add(graph, meeting, f"{SCHEMA}startDate", lit(day, datatype=node(XSD + "date")))
        for slug, name, country in rng.sample(PEOPLE, 2):
            person = f"{R}person/{slug}"
            add(graph, person, RDF_TYPE, f"{SCHEMA}Person")
            add(graph, person, f"{SCHEMA}name", lit(name))
            add(graph, person, f"{ORG}holds", f"{R}post/defence_minister-{country}")
            add(graph, meeting, f"{AID}remoteAttendee" if rng.random() < 0.3 else f"{SCHEMA}attendee", person)
        for j in range(3):
            donor = rng.choice(DONORS)
            system = rng.choice(SYSTEMS)
            pledge = f"{R}pledge/gen-{i}-{j}"
            claim = f"{R}claim/gen-{i}/{j}"
            add(graph, pledge, RDF_TYPE, f"{AID}Pledge")
            add(graph, pledge, f"{SCHEMA}agent", f"{R}country/{donor}")
            add(graph, pledge, f"{SCHEMA}recipient", f"{R}country/UA")
            add(graph, pledge, f"{SCHEMA}object", f"{R}equipment/{system}")
            add(graph, pledge, f"{AID}category", f"{R}category/{rng.choice(CATEGORIES)}")
            add(graph, pledge, f"{AID}quantity", lit(str(rng.randint(1, 50)), datatype=node(XSD + "integer")))
            add(graph, pledge, f"{AID}status", f"{R}status/pledged")
            add(graph, pledge, f"{DCT}date", lit(day, datatype=node(XSD + "date")))
            add(graph, pledge, f"{AID}announcedAt", meeting)
            add(graph, pledge, f"{PROV}wasDerivedFrom", article)
            add(graph, pledge, f"{PROV}qualifiedDerivation", claim)
            add(graph, claim, RDF_TYPE, f"{AID}Claim")
            add(graph, claim, f"{PROV}entity", article)
            add(graph, claim, f"{NIF}anchorOf", lit(f"{donor} will send {system} systems (article {i}).",
                                                    language="en"))
        yield from quads


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(call, repeat: int) -> tuple[float, float]:
    call()  # warm-up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def bench_size(n_articles: int, repeat: int, budget: float, *, with_rdflib: bool = True,
               pledges_only: bool = False) -> list[tuple[str, str, float, float]]:
    """Rows (engine, request, p50 ms, p95 ms) for one corpus size."""
    rows = []
    quads = generate_quads(n_articles)
    workdir = Path(tempfile.mkdtemp(prefix="aidgraph-bench-"))
    try:
        location = workdir / "store"
        started = time.perf_counter()
        with open_store(location) as store:
            # bulk load straight into pyoxigraph (the store's loader goes graph by graph), then derive
            # the default graph (the merge) from the named graphs
            store.native.bulk_extend(quads)
            store.rebuild_default_graph()
        print(f"  {n_articles} articles, {len(quads)} quads loaded in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        settings = ApiSettings(store=str(location), query_timeout=120, result_cap=100_000)
        with app_in_thread(create_app(settings)) as url, httpx.Client(base_url=url, timeout=300) as http:
            for name, query in ({} if pledges_only else saved_queries()).items():
                def run(text=query.sparql):
                    response = http.post("/sparql", data={"query": text})
                    response.raise_for_status()
                rows.append(("oxigraph via HTTP", f"query {name}", *timed(run, repeat)))
            for params in PLEDGE_REQUESTS:
                def lookup(p=params):
                    http.get("/pledges", params=p).raise_for_status()
                label = "GET /pledges?" + "&".join(f"{k}={v}" for k, v in params.items() if k != "limit")
                rows.append(("oxigraph via HTTP", label, *timed(lookup, repeat)))

        if with_rdflib and not pledges_only:
            rows += rdflib_rows(n_articles, max(3, repeat // 4), budget)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


def _rdflib_worker(n_articles: int, names: list[str], repeat: int, conn) -> None:
    """Child process: load the same quads into an rdflib Dataset, time each named query, report."""
    dataset = rdflib.Dataset()  # the named graphs, and their merge as the default graph (as aidgraph's)
    for quad in generate_quads(n_articles):
        triple = (_rdflib(quad.subject), _rdflib(quad.predicate), _rdflib(quad.object))
        dataset.add((*triple, rdflib.URIRef(quad.graph_name.value)))
        dataset.default_graph.add(triple)
    conn.send(("loaded", None))
    for name in names:
        text = saved_queries()[name].sparql
        conn.send(("start", name))
        conn.send(("done", (name, *timed(lambda text=text: list(dataset.query(text)), repeat))))


def rdflib_rows(n_articles: int, repeat: int, budget: float) -> list[tuple[str, str, float, float]]:
    """The saved queries on rdflib's engine, each stopped (child killed) after ``budget`` seconds."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    pending = list(saved_queries())
    rows = []
    while pending:
        parent, child = context.Pipe()
        process = context.Process(target=_rdflib_worker, args=(n_articles, pending, repeat, child),
                                  daemon=True)
        process.start()
        parent.poll(600)
        parent.recv()  # loaded
        current = None
        while pending:
            if not parent.poll(budget):
                rows.append(("rdflib in memory", f"query {current}", float("inf"), float("inf")))
                print(f"  rdflib: {current} stopped after {budget:.0f} s", file=sys.stderr)
                pending.remove(current)
                process.kill()
                process.join()
                break
            kind, payload = parent.recv()
            if kind == "start":
                current = payload
            else:
                rows.append(("rdflib in memory", f"query {payload[0]}", payload[1], payload[2]))
                pending.remove(payload[0])
        process.join(5)
    return rows


def _rdflib(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def print_table(table: list[tuple]) -> None:
    """The rows of one corpus size, p50/p95 in milliseconds ("stopped" = over the rdflib budget)."""
    width = max(len(row[2]) for row in table)
    print(f"\n{'articles':>8}  {'engine':<18}  {'request':<{width}}  {'p50 ms':>9}  {'p95 ms':>9}")
    for size, engine, request, p50, p95 in table:
        if p50 == float("inf"):
            print(f"{size:>8}  {engine:<18}  {request:<{width}}  {'stopped':>9}  {'stopped':>9}")
        else:
            print(f"{size:>8}  {engine:<18}  {request:<{width}}  {p50:>9.1f}  {p95:>9.1f}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per request (rdflib: a quarter)")
    parser.add_argument("--rdflib-budget", type=float, default=60.0,
                        help="seconds one rdflib query (all its runs) may take before it is stopped")
    parser.add_argument("--no-rdflib", action="store_true", help="skip the rdflib comparison")
    parser.add_argument("--pledges-only", action="store_true",
                        help="time only the /pledges lookups (no saved queries, no rdflib)")
    args = parser.parse_args(argv)
    for size in args.sizes:
        print(f"benchmarking {size} articles ...", file=sys.stderr)
        print_table([(size, *row) for row in bench_size(size, args.repeat, args.rdflib_budget,
                                                            with_rdflib=not args.no_rdflib,
                                                            pledges_only=args.pledges_only)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
