"""A pledge stated by many articles (issue 14): the README air-defence query and
``/pledges?category=air_defence`` before (default graph = union bag of the named graphs) and after
(default graph = their materialised merge), measured in the same run, with ratios.

    .venv/bin/python benchmarks/bench_merge.py [--sizes 300 1000] [--background 100] [--repeat 5]
                                                [--budget 60] [--memory-gb 6]

The store: ``--background`` generated articles (``generate_corpus.py``) ingested by the real pipeline,
then the graph of one of them that pledges air defence stored again under n new article ids, as n
outlets restating the story would be (only the article's own IRIs differ): its pledges, meeting,
persons and posts are then stated by n + 1 article graphs.

The requests: the README query, and the SPARQL that GET /pledges?category=air_defence sends to the store
worker (recorded from the real server). After: on the store's default graph (the merge), with pyoxigraph as
the API worker runs them. Before: on the same named graphs in a store without a default graph, with
``use_default_graph_as_union`` as aidgraph did before. The same child process runs both, capped at
``--memory-gb`` and ``--budget`` seconds per run; a run that overruns is reported as such. The whole
GET /pledges over HTTP (uvicorn + store worker) is timed too. Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def readme_air_defence_query() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("Who pledged air defence"):]
    start = section.index("```sparql") + len("```sparql")
    return section[start:section.index("```", start)]


def timed(call, repeat: int) -> tuple[float, object]:
    """Median seconds of ``repeat`` runs after one warm-up run, and the last result."""
    result = call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


# ------------------------------------------------------------------------------------------- stores

def build_background(workdir: Path, n_background: int) -> Path:
    """A store with ``n_background`` generated articles, ingested by the pipeline."""
    from generate_corpus import generate

    from graph import pipeline
    from graph.store import open_store

    corpus = workdir / "corpus"
    generate(n_background, corpus, seed=14)
    location = workdir / "background"
    with open_store(location) as store:
        summary = pipeline.ingest_paths([corpus], store, progress=False)
    print(f"  background: {summary.articles_stored} articles, {summary.triples_stored:,} triples",
          file=sys.stderr)
    return location


def restate(background: Path, location: Path, n: int) -> str:
    """A copy of the background store where one air-defence article is stated again by n articles;
    answers the restated article's id."""
    from graph.store import open_store

    shutil.copytree(background, location)
    with open_store(location) as store:
        rows = list(store.query(
            "SELECT ?id (COUNT(?pledge) AS ?n) WHERE { GRAPH ?article { "
            "?article <https://schema.org/identifier> ?id . "
            "?pledge <https://w3id.org/aidgraph/ontology#category> "
            "<https://w3id.org/aidgraph/id/category/air_defence> } } "
            "GROUP BY ?id ORDER BY DESC(?n) ?id LIMIT 1"))  # a list: open results keep the store locked
        source = str(rows[0][0])
        text = store.serialize("nt", graph=f"https://w3id.org/aidgraph/id/article/{source}").decode("utf-8")
        ids = [f"{source}-restated-{k:04d}" for k in range(n)]
        for start in range(0, n, 100):
            store.replace_graphs({f"https://w3id.org/aidgraph/id/article/{new}": text.replace(source, new)
                                  for new in ids[start:start + 100]})
    return source


def old_layout(location: Path, target: Path) -> None:
    """The named graphs of ``location`` in a fresh pyoxigraph store without a default graph."""
    import pyoxigraph as ox

    source = ox.Store.read_only(str(location))
    old = ox.Store(str(target))
    old.bulk_extend(q for q in source if not isinstance(q.graph_name, ox.DefaultGraph))
    old.flush()


# ------------------------------------------------------------------------------------------- after

def over_http(location: Path, repeat: int, budget: float) -> tuple[dict[str, tuple[float, int]], list[dict]]:
    """GET /pledges?category=air_defence from the real server over the merged store: (request ->
    (median s, pledge records)), and the SPARQL selects the route sent to the store worker."""
    import httpx

    from api.app import create_app
    from api.settings import ApiSettings
    from graph.servers import app_in_thread

    results: dict[str, tuple[float, int]] = {}

    settings = ApiSettings(store=str(location), query_timeout=budget, result_cap=100_000)
    app = create_app(settings)
    recorded: list[dict] = []
    with app_in_thread(app) as url:
        engine = app.state.engine
        call = engine.call

        def recording(operation, arguments, **options):
            if operation == "select":
                recorded.append({"sparql": arguments["sparql"], "bindings": arguments.get("bindings", {})})
            return call(operation, arguments, **options)

        with httpx.Client(base_url=url, timeout=budget + 30) as http:
            def pledges():
                response = http.get("/pledges", params={"category": "air_defence", "limit": 100})
                if response.status_code != 200:
                    raise RuntimeError(f"/pledges answered {response.status_code}: {response.text[:300]}")
                return len(response.json()["items"])

            pledges()  # warm the worker's caches before recording
            engine.call = recording
            pledges()
            engine.call = call
            results["GET /pledges?category=air_defence"] = timed(pledges, repeat)
    return results, recorded


# ------------------------------------------------------------------------------------------- before

def run_jobs(location: str, jobs_file: str, repeat: int, union: bool) -> int:
    """Child process: each job {name, queries: [{sparql, bindings}]} on the default graph, or on the
    union bag when ``union``; one JSON line per finished job (median seconds of all its queries
    together, rows of the last query)."""
    import pyoxigraph as ox

    from api.worker import _to_ox
    from graph.vocab import PREFIXES

    store = ox.Store.read_only(location)
    for job in json.loads(Path(jobs_file).read_text()):
        def run(queries=job["queries"]):
            rows = 0
            for query in queries:
                substitutions = {ox.Variable(k): _to_ox(tuple(v)) for k, v in query["bindings"].items()}
                answer = store.query(query["sparql"], prefixes=PREFIXES, substitutions=substitutions,
                                     use_default_graph_as_union=union)
                rows = sum(1 for _ in answer)
            return rows

        print(json.dumps({"name": job["name"], "started": True}), flush=True)
        seconds, rows = timed(run, repeat)
        print(json.dumps({"name": job["name"], "seconds": seconds, "rows": rows}), flush=True)
    return 0


def measure(location: Path, jobs: list[dict], repeat: int, budget: float, memory_gb: float, *,
            union: bool) -> dict[str, object]:
    """request -> (median s, rows), or a string saying why it has no figure; each job in a capped child."""
    results: dict[str, object] = {}
    for job in jobs:
        jobs_file = location.parent / f"jobs-{location.name}.json"
        jobs_file.write_text(json.dumps([job]))
        command = ["prlimit", f"--as={int(memory_gb * 1e9)}", "timeout", str(int(budget * (repeat + 1))),
                   sys.executable, __file__, "--run-jobs", str(location), str(jobs_file),
                   "--repeat", str(repeat)] + (["--union"] if union else [])
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        finished = [line for line in lines if "seconds" in line]
        if finished:
            results[job["name"]] = (finished[0]["seconds"], finished[0]["rows"])
        elif done.returncode == 124:
            results[job["name"]] = f"no answer in {elapsed:.0f} s"
        else:
            reason = "out of memory" if "alloc" in done.stderr or done.returncode in (-6, 134) else \
                f"failed ({done.returncode})"
            results[job["name"]] = f"{reason} at {memory_gb:g} GB after {elapsed:.0f} s"
    return results


def _figure(figure) -> str:
    return f"{figure[0] * 1000:,.1f} ms ({figure[1]:,} rows)" if isinstance(figure, tuple) else str(figure)


# ------------------------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000],
                        help="how many more articles restate the story")
    parser.add_argument("--background", type=int, default=100, help="generated articles around it")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per request (after a warm-up)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds one 'before' run may take")
    parser.add_argument("--memory-gb", type=float, default=6.0, help="memory cap of a 'before' run")
    parser.add_argument("--run-jobs", nargs=2, metavar=("STORE", "JOBS"), help=argparse.SUPPRESS)
    parser.add_argument("--union", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_jobs:
        return run_jobs(*args.run_jobs, args.repeat, args.union)

    workdir = Path(tempfile.mkdtemp(prefix="aidgraph-bench-merge-"))
    table = []
    try:
        background = build_background(workdir, args.background)
        for n in args.sizes:
            location = workdir / f"after-{n}"
            source = restate(background, location, n)
            print(f"  {n} articles restate {source}", file=sys.stderr)
            http_results, recorded = over_http(location, args.repeat, args.budget)
            old = workdir / f"before-{n}"
            old_layout(location, old)
            jobs = [{"name": "README air-defence query",
                     "queries": [{"sparql": readme_air_defence_query(), "bindings": {}}]},
                    {"name": "GET /pledges?category=air_defence", "queries": recorded}]
            now = measure(location, jobs, args.repeat, args.budget, args.memory_gb, union=False)
            before = measure(old, jobs, args.repeat, args.budget, args.memory_gb, union=True)
            for job in jobs:
                name = job["name"]
                table.append((n + 1, name, before[name], now[name], http_results.get(name)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\n{'articles':>8}  {'request':<34}  {'before: union bag':>32}  {'after: merge':>22}  "
          f"{'ratio':>8}  {'after, HTTP':>11}")
    for articles, name, old_figure, new_figure, http_figure in table:
        ratio = "-"
        if isinstance(old_figure, tuple) and isinstance(new_figure, tuple) and new_figure[0]:
            ratio = f"{old_figure[0] / new_figure[0]:,.1f}x"
        http_text = f"{http_figure[0] * 1000:,.1f} ms" if http_figure else ""
        print(f"{articles:>8}  {name:<34}  {_figure(old_figure):>32}  {_figure(new_figure):>22}  {ratio:>8}  "
              f"{http_text:>11}")
    print("\narticles: graphs stating the story's pledges (1 + the restatements). before/after: the store "
          "engine alone (the README query; the SPARQL /pledges sends), median ms (rows of the last query); "
          "after, HTTP: the whole GET /pledges (limit 100) from the real server.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
