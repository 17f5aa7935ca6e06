"""Lookups at 1k, 10k and 100k articles (issue 11 §3): the REST lookups over HTTP against raw pyoxigraph,
the pledge read model, ``oxigraph serve`` and rdflib, in the same run, with ratios and growth.

    .venv/bin/python benchmarks/bench_lookups.py [--sizes 1000 10000 100000] [--repeat 30]
                                                 [--rdflib-max 10000] [--rdflib-budget 60]

The stores: ``bench_api.generate_quads`` writes aidgraph's RDF model directly (one named graph per
article: a meeting, three pledges with claims and evidence, persons; about 60 triples), bulk loaded
into a fresh on-disk store with the merge as default graph; then the pledge read model is built from
it. Ingesting 100k articles through the extraction pipeline would take hours on this 2-core machine
(about 20 articles/s), so the articles are generated as RDF. The per-article cost of keeping the store
and read model in step is measured separately: ``replace_graphs`` of 20 new articles into the big
store (what POST /articles and ``aidgraph ingest`` do per article).

The requests (each ``--repeat`` times after a warm-up; p50 and p95 in ms):

* aidgraph REST: ``aidgraph serve`` (uvicorn + store worker, a separate process), over HTTP;
* raw pyoxigraph: the same question as SPARQL on the same store opened by pyoxigraph in this process
  (the page query with the filters bound, then the details of its pledges; the lookups' SPARQL;
  a third of the runs: it is the slow one);
* read model: the same page from ``graph.store.readmodel`` in this process;
* ``oxigraph serve``: when the ``oxigraph`` binary is on PATH (the pyoxigraph wheel has no CLI);
* rdflib: the page query on an in-memory ``rdflib.Dataset`` of the same quads (sizes up to
  ``--rdflib-max``), in a child process stopped after ``--rdflib-budget`` seconds per request.

Also per size: load seconds, ms per article of the incremental write, store size on disk, the server's
memory (RSS of uvicorn and its store worker) after the requests. Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_api import R, generate_quads, iter_quads, percentiles  # noqa: E402

from api import lookups as q  # noqa: E402
from api.saved_queries import saved_queries  # noqa: E402
from graph.servers import free_port  # noqa: E402
from graph.store import open_store  # noqa: E402
from graph.store.readmodel import READ_MODEL_FILE, PledgeReadModel  # noqa: E402


def pledge_requests(n_pledges: int) -> list[dict]:
    """Every /pledges filter, first page and a deep offset (half the store's pledges for no filter)."""
    deep = max(100, n_pledges // 2)
    return [{}, {"offset": deep}, {"donor": "DE"}, {"donor": "DE", "offset": deep // 12},
            {"recipient": "UA", "offset": deep}, {"category": "air_defence"},
            {"category": "air_defence", "offset": deep // 8}, {"item": "patriot"}, {"item": "iris-t-slm"},
            {"status": "pledged", "offset": deep}, {"date_from": "2025-03", "date_to": "2025-06"},
            {"date_from": "2025-11", "offset": deep // 12}, {"meeting": "UDCG-2025-05-14"},
            {"donor": "GB", "category": "artillery", "date_from": "2025-06"}]


#: web pages timed over HTTP (REST column only): the explorer, its filter counts, actor and equipment pages
WEB_REQUESTS = [("/", {}), ("/web/facets", {"fragment": 1}), ("/web/facets", {"fragment": 1, "donor": "DE"}),
                ("/web/facets", {"fragment": 1, "category": "air_defence", "date_from": "2025-06"}),
                ("/web/actors/DE", {}), ("/web/equipment/patriot", {})]


#: the requests asked of raw pyoxigraph and ``oxigraph serve`` from ``--raw-subset-from`` articles on (each of
#: their SPARQL questions takes minutes there on this machine; the others are left out, "—" in the table)
RAW_SUBSET = {"/pledges", "/pledges?donor=DE", "/meetings", "/actors/DE", "/equipment/patriot",
              "/queries/meetings_remote_attendance"}


def label(path: str, params: dict) -> str:
    return path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def repeats(path: str, repeat: int) -> int:
    """Timed runs of a request: the saved queries (whole-store aggregations, seconds at 10k) and the
    web pages fewer."""
    return max(3, repeat // 6) if path.startswith(("/queries/", "/web/")) or path == "/" else repeat


def timed(call, repeat: int, budget: float | None = None) -> tuple[float, float, float]:
    """(p50, p95, first run) in ms of ``repeat`` runs after a first one (the warm-up, timed too: for
    the saved queries it is the run before any cache). With ``budget`` (seconds), a request whose first
    run would make the repeats overrun it is run once: its p50 and p95 are that run."""
    started = time.perf_counter()
    call()
    first = time.perf_counter() - started
    if budget is not None and first * (repeat + 1) > budget:
        return first * 1000, first * 1000, first * 1000
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return (*percentiles(samples), first * 1000)


# ------------------------------------------------------------------------------------------- store

def with_default(quads):
    """Each quad, then its triple in the default graph (the merge: one article per triple here)."""
    for quad in quads:
        yield quad
        yield ox.Quad(quad.subject, quad.predicate, quad.object)


def build(location: Path, n_articles: int) -> dict:
    """A store of ``n_articles`` generated articles and its read model; answers build figures.

    A store left by an earlier run (``--keep``: its ``bench-load.json`` says it was loaded whole) is
    reused: the bulk load is not repeated (its figures are read back), the read model is rebuilt only
    when it is not current."""
    marker = location / "bench-load.json"
    if marker.exists():
        loaded = json.loads(marker.read_text())["load_s"]
        print(f"  reusing {location} (loaded in {loaded:.1f} s)", file=sys.stderr)
        started = time.perf_counter()
    else:
        shutil.rmtree(location, ignore_errors=True)
        started = time.perf_counter()
        with open_store(location) as store:
            store.native.bulk_extend(with_default(iter_quads(n_articles)))
            store.native.flush()
        loaded = time.perf_counter() - started
        PledgeReadModel(location / READ_MODEL_FILE).mark_stale()  # the bulk load bypassed it
        marker.write_text(json.dumps({"load_s": loaded, "articles": n_articles}))
        started = time.perf_counter()
    model_file = location / READ_MODEL_FILE
    if PledgeReadModel(model_file, read_only=True).is_current():
        model_seconds = json.loads(marker.read_text()).get("model_s", float("nan"))
    else:
        with open_store(location):  # opening for writing rebuilds a model that is not current
            pass
        model_seconds = time.perf_counter() - started
        marker.write_text(json.dumps(json.loads(marker.read_text()) | {"model_s": model_seconds}))
    done = json.loads(marker.read_text())
    if done.get("incremental_done") and PledgeReadModel(model_file, read_only=True).is_current():
        pledges = PledgeReadModel(model_file).size()  # the 20 articles below are in, their answers kept
        return {"load_s": loaded, "model_s": model_seconds, "write_ms": done["write_ms"],
                "answers_s": done["answers_s"], "pledges": pledges, "disk_mb": du(location) / 1e6}
    with open_store(location) as store:
        # the incremental path: 20 new articles, one replace_graphs each (store + read model in step)
        fresh = generate_quads(20, seed=99)
        graphs: dict[str, list] = {}
        for quad in fresh:
            name = quad.graph_name.value.replace("/gen-", "/new-")
            triple = [ox.NamedNode(t.value.replace("/gen-", "/new-")) if isinstance(t, ox.NamedNode) else t
                      for t in (quad.subject, quad.predicate, quad.object)]
            graphs.setdefault(name, []).append(tuple(triple))
        started = time.perf_counter()
        for name, triples in graphs.items():
            store.replace_graphs({name: [ox.Triple(*t) for t in triples]})
        write_ms = (time.perf_counter() - started) / len(graphs) * 1000
        started = time.perf_counter()
        store.answer_saved_queries()  # what an ingest ends with (pipeline.refresh_commitments)
        answers_s = time.perf_counter() - started
    marker.write_text(json.dumps(json.loads(marker.read_text()) | {
        "write_ms": write_ms, "answers_s": answers_s, "incremental_done": True}))
    pledges = PledgeReadModel(model_file).size()
    return {"load_s": loaded, "model_s": model_seconds, "write_ms": write_ms, "answers_s": answers_s,
            "pledges": pledges, "disk_mb": du(location) / 1e6}


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def tree_rss(pid: int) -> int:
    """RSS bytes of a process and its descendants (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rss = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
            total += int(rss) * 1024
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            todo += [int(child) for child in children]
        except (OSError, StopIteration):
            continue
    return total


# ------------------------------------------------------------------------------------------- engines

errors: dict[str, str] = {}  # request -> HTTP status of a REST request that failed
#: the server's query timeout (s): a replica checkpoint of the 100k store overran the default 30 s here
SERVE_TIMEOUT = 120


def rest_rows(location: Path, requests: list[tuple[str, dict]], repeat: int) -> tuple[dict, int]:
    """p50/p95 of each request over HTTP to ``aidgraph serve``; and the server's RSS afterwards."""
    port = free_port()
    env = dict(os.environ)
    log = open(location.parent / "serve.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen([sys.executable, "-m", "graph.cli", "--store", str(location), "serve",
                                "--host", "127.0.0.1", "--port", str(port), "--timeout", str(SERVE_TIMEOUT)],
                               env=env, stdout=log,
                               stderr=subprocess.STDOUT, cwd=REPO)
    rows: dict = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as http:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if http.get("/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"aidgraph serve did not start: see {location.parent / 'serve.log'}")
                time.sleep(0.3)
            for path, params in requests:
                def call(path=path, params=params):
                    http.get(path, params=params).raise_for_status()
                try:
                    rows[label(path, params)] = timed(call, repeats(path, repeat))
                except httpx.HTTPError as exc:  # e.g. a 503 past the server's query timeout
                    print(f"  {label(path, params)}: {exc}", file=sys.stderr)
                    response = getattr(exc, "response", None)
                    errors[label(path, params)] = str(response.status_code if response is not None else exc)
        rss = tree_rss(process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()
    return rows, rss


def filters_of(params: dict) -> tuple[list[str], dict]:
    """The lookups' filter names and bound values of /pledges parameters (as the REST layer binds)."""
    from api.queries_service import pledge_filters

    return pledge_filters(params.get("category"), params.get("donor"), params.get("recipient"),
                           params.get("item"), params.get("status"), params.get("date_from"),
                           params.get("date_to"), params.get("meeting"))


def substitutions(bindings: dict) -> dict:
    from api.worker import _to_ox

    return {ox.Variable(name): _to_ox(term) for name, term in bindings.items()}


def raw_question(store: ox.Store, path: str, params: dict):
    """The question of a REST request as SPARQL on pyoxigraph (a callable)."""
    def pledges(filters, bindings, limit, offset):
        page = [s["pledge"].value for s in store.query(
            q.pledge_page_query(filters, limit, offset, bound=bindings),
            substitutions=substitutions(bindings))]
        return list(store.query(q.pledge_details_query(page))) if page else []

    def run_all(queries):
        return [list(store.query(text, substitutions=substitutions(b))) for text, b in queries]

    if path == "/pledges":
        filters, bindings = filters_of(params)
        return lambda: pledges(filters, bindings, 100, params.get("offset", 0))
    if path == "/meetings":
        return lambda: run_all([(q.MEETINGS, {})])
    if path.startswith("/actors/"):
        actor = q.iri(R + "country/" + path.rsplit("/", 1)[1])
        bound = {"actor": actor}
        return lambda: (run_all([(q.ACTOR_LABELS, bound), (q.ACTOR_POSTS, bound), (q.ACTOR_MEETINGS, bound),
                                 (q.COUNTRY_PEOPLE, bound)]),
                        pledges(["donor"], {"f_donor_a": actor, "f_donor_b": actor}, 100, 0))
    if path.startswith("/equipment/"):
        item = q.iri(R + "equipment/" + path.rsplit("/", 1)[1])
        return lambda: (run_all([(q.EQUIPMENT_DETAIL, {"equipment": item})]),
                        pledges(["object"], {"f_object": item}, 100, 0))
    if path.startswith("/queries/"):
        text = saved_queries()[path.rsplit("/", 1)[1]].sparql
        return lambda: list(store.query(text))
    return None


class OxigraphServer:
    """``oxigraph serve-read-only`` (the Oxigraph CLI: PyPI ``oxigraph``) on the store, asked over HTTP
    with ``store.query``'s signature so that :func:`raw_question` asks it the same questions (bound
    values become a VALUES block: HTTP has no substitutions)."""

    def __init__(self, binary: str, location: Path) -> None:
        self.port = free_port()
        self.log = open(location.parent / "oxigraph-serve.log", "wb")  # noqa: SIM115 (closed in close)
        self.process = subprocess.Popen([binary, "serve-read-only", "--location", str(location),
                                         "--bind", f"127.0.0.1:{self.port}"], stdout=self.log,
                                        stderr=subprocess.STDOUT)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=600)
        deadline = time.monotonic() + 120
        while True:
            try:
                if self.http.get("/query", params={"query": "ASK {}"}).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("oxigraph serve did not start")
            time.sleep(0.3)

    def query(self, text: str, substitutions: dict | None = None):
        if substitutions:
            names = " ".join(str(variable) for variable in substitutions)
            values = " ".join(str(term) for term in substitutions.values())
            head, brace, rest = text.partition("WHERE {")
            text = f"{head}{brace} VALUES ({names}) {{ ({values}) }}{rest}"
        response = self.http.post("/query", content=text.encode(), headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        response.raise_for_status()
        return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)

    def rss(self) -> int:
        return tree_rss(self.process.pid)

    def close(self) -> None:
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def oxigraph_binary() -> str | None:
    """The Oxigraph CLI: on PATH, or in ``$OXIGRAPH`` (e.g. a venv with the PyPI ``oxigraph`` package)."""
    return os.environ.get("OXIGRAPH") or shutil.which("oxigraph")


def model_question(model: PledgeReadModel, path: str, params: dict):
    """The pledge part of a REST request from the read model (a callable), None when it has none."""
    if path == "/pledges":
        filters, bindings = filters_of(params)
        criteria = q.pledge_criteria(filters, bindings)
        return lambda: model.page(criteria, 100, params.get("offset", 0))
    if path.startswith("/actors/"):
        actor = R + "country/" + path.rsplit("/", 1)[1]
        criteria = q.pledge_criteria(["donor"], {"f_donor_a": ("uri", actor), "f_donor_b": ("uri", actor)})
        return lambda: model.page(criteria, 100, 0)
    if path.startswith("/equipment/"):
        item = ("uri", R + "equipment/" + path.rsplit("/", 1)[1])
        criteria = q.pledge_criteria(["object"], {"f_object": item})
        return lambda: model.page(criteria, 100, 0)
    return None


def rdflib_rows(n_articles: int, requests: list[tuple[str, dict]], repeat: int, budget: float) -> dict:
    """The raw questions' first step (the page query / the lookup's query) on rdflib, in a child."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_rdflib_child, args=(n_articles, requests, repeat, child), daemon=True)
    process.start()
    rows: dict = {}
    try:
        if not parent.poll(900):
            return rows
        parent.recv()
        for _ in requests:
            if not parent.poll(budget):
                break
            name, figures = parent.recv()
            rows[name] = figures
    finally:
        process.kill()
        process.join(10)
    return rows


def _rdflib_child(n_articles, requests, repeat, conn) -> None:
    import rdflib
    from bench_api import _rdflib

    dataset = rdflib.Dataset()
    for quad in generate_quads(n_articles):
        triple = (_rdflib(quad.subject), _rdflib(quad.predicate), _rdflib(quad.object))
        dataset.add((*triple, rdflib.URIRef(quad.graph_name.value)))
        dataset.default_graph.add(triple)
    conn.send("loaded")
    for path, params in requests:
        if path == "/pledges":
            filters, bindings = filters_of(params)
            text = q.pledge_page_query(filters, 100, params.get("offset", 0))
            init = {name: rdflib.URIRef(t[1]) if t[0] == "uri" else rdflib.Literal(t[1])
                    for name, t in bindings.items()}
        elif path == "/meetings":
            text, init = q.MEETINGS, {}
        elif path.startswith("/queries/"):
            text, init = saved_queries()[path.rsplit("/", 1)[1]].sparql, {}
        else:
            conn.send((label(path, params), None))
            continue
        conn.send((label(path, params), timed(lambda t=text, i=init: list(dataset.query(t, initBindings=i)),
                                              repeat)))


# ------------------------------------------------------------------------------------------- report

def bench_size(n_articles: int, repeat: int, rdflib_max: int, rdflib_budget: float, workdir: Path,
               keep: bool = False, build_only: bool = False, raw_budget: float | None = None,
               raw_subset_from: int = 100_000) -> dict:
    location = workdir / f"store-{n_articles}"
    print(f"building {n_articles} articles ...", file=sys.stderr)
    figures = build(location, n_articles)
    print(f"  {figures}", file=sys.stderr)
    if build_only:
        return {"size": n_articles, "figures": figures, "rows": []}
    requests = [("/pledges", p) for p in pledge_requests(figures["pledges"])]
    requests += [("/meetings", {}), ("/actors/DE", {}), ("/equipment/patriot", {})]
    requests += [(f"/queries/{name}", {}) for name in saved_queries()]
    requests += WEB_REQUESTS
    rest, rss = rest_rows(location, requests, repeat)
    figures["server_rss_mb"] = rss / 1e6
    raw, model_rows = {}, {}
    asked = [(path, params) for path, params in requests
             if n_articles < raw_subset_from or label(path, params) in RAW_SUBSET]
    store = ox.Store.read_only(str(location))
    for path, params in asked:
        call = raw_question(store, path, params)
        if call:
            raw[label(path, params)] = timed(call, repeats(path, max(5, repeat // 3)), raw_budget)
    del store
    served: dict = {}
    if oxigraph_binary():
        server = OxigraphServer(oxigraph_binary(), location)
        try:
            for path, params in asked:
                call = raw_question(server, path, params)
                if call:
                    served[label(path, params)] = timed(call, repeats(path, max(5, repeat // 3)), raw_budget)
            figures["oxigraph_rss_mb"] = server.rss() / 1e6
        finally:
            server.close()
    model = PledgeReadModel(location / READ_MODEL_FILE, read_only=True)
    for path, params in requests:
        call = model_question(model, path, params)
        if call:
            model_rows[label(path, params)] = timed(call, repeat)
    model.close()
    rdflib = (rdflib_rows(n_articles, requests, 3, rdflib_budget)
              if n_articles <= rdflib_max else {})
    if not keep:
        shutil.rmtree(location, ignore_errors=True)
    return {"size": n_articles, "figures": figures, "rows": [
        {"request": label(path, params), "rest": rest.get(label(path, params)),
         "raw": raw.get(label(path, params)), "model": model_rows.get(label(path, params)),
         "served": served.get(label(path, params)), "failed": errors.get(label(path, params)),
         "rdflib": rdflib.get(label(path, params))} for path, params in requests]}


def cell(pair, failed: str | None = None) -> str:
    if pair is None:
        return f"failed ({failed})" if failed else "—"
    return f"{pair[0]:.1f} / {pair[1]:.1f}"


def first_cell(row) -> str:
    """The first run of a saved query over HTTP (before the server's per-version cache)."""
    return f"{row['rest'][2]:.1f}" if row["rest"] and row["request"].startswith("/queries/") else ""


def print_size(result: dict) -> None:
    f = result["figures"]
    print(f"\n### {result['size']:,} articles ({f['pledges']:,} pledges)\n")
    serve = (f"`oxigraph serve-read-only` RSS {f['oxigraph_rss_mb']:.0f} MB" if "oxigraph_rss_mb" in f else
             "`oxigraph serve`: not measured (no Oxigraph CLI: put it on PATH or in $OXIGRAPH)")
    print(f"load {f['load_s']:.1f} s, read model build {f['model_s']:.1f} s, incremental write "
          f"{f['write_ms']:.1f} ms/article, saved queries' answers {f.get('answers_s', 0):.1f} s, "
          f"disk {f['disk_mb']:.0f} MB, server RSS {f['server_rss_mb']:.0f} MB; {serve}")
    print("\n| request | REST p50 / p95 ms | REST first run | raw pyoxigraph | oxigraph serve | read model "
          "| rdflib | REST / raw |")
    print("|---|---|---|---|---|---|---|---|")
    for row in result["rows"]:
        ratio = f"{row['rest'][0] / row['raw'][0]:.2f}x" if row["rest"] and row["raw"] else "—"
        rest = cell(row["rest"], row.get("failed"))
        print(f"| {row['request']} | {rest} | {first_cell(row)} | {cell(row['raw'])} "
              f"| {cell(row.get('served'))} | {cell(row['model'])} | {cell(row['rdflib'])} | {ratio} |")
    sys.stdout.flush()


def print_growth(results: list[dict]) -> None:
    if len(results) < 2:
        return
    first, last = results[0], results[-1]
    scale = last["size"] / first["size"]
    print(f"\n### growth {first['size']:,} -> {last['size']:,} articles ({scale:.0f}x)\n")
    print("| measure | small | large | ratio | linear would be |")
    print("|---|---|---|---|---|")
    for key, name in (("load_s", "bulk load s per 1k articles"), ("write_ms", "incremental write ms/article"),
                      ("disk_mb", "disk MB"), ("server_rss_mb", "server RSS MB")):
        a, b = first["figures"][key], last["figures"][key]
        if key == "load_s":
            a, b = a / first["size"] * 1000, b / last["size"] * 1000
        limit = "1x" if key in ("load_s", "write_ms") else f"{scale:.0f}x"
        print(f"| {name} | {a:.1f} | {b:.1f} | {b / a if a else float('nan'):.2f}x | {limit} |")
    p50 = [statistics.median(r["rest"][0] for r in res["rows"] if r["rest"]) for res in (first, last)]
    print(f"| REST p50 ms (median over requests) | {p50[0]:.1f} | {p50[1]:.1f} | {p50[1] / p50[0]:.2f}x "
          f"| {scale:.0f}x |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rdflib-max", type=int, default=10000, help="largest size rdflib is run at")
    parser.add_argument("--rdflib-budget", type=float, default=60.0,
                        help="seconds one rdflib request (3 runs) may take; the rest are skipped after it")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--raw-budget", type=float, default=60.0,
                        help="seconds the raw pyoxigraph runs of one request may take (slower: run once)")
    parser.add_argument("--raw-subset-from", type=int, default=100_000,
                        help="from this size on, raw pyoxigraph and oxigraph serve answer RAW_SUBSET only")
    parser.add_argument("--workdir", type=Path, help="where the stores are built (default: a temporary "
                        "directory); with --keep a store found there is reused")
    parser.add_argument("--keep", action="store_true", help="keep the stores (and reuse them next run)")
    parser.add_argument("--build-only", action="store_true", help="build the stores, measure nothing")
    parser.add_argument("--report", type=Path, nargs="+", help="print the tables and growth of earlier --json"
                        " files (sizes measured in separate runs), measure nothing")
    args = parser.parse_args(argv)
    if args.report:
        results = sorted((r for path in args.report for r in json.loads(path.read_text())),
                         key=lambda r: r["size"])
        for result in results:
            print_size(result)
        print_growth(results)
        return 0
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="aidgraph-lookups-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in args.sizes:
            results.append(bench_size(size, args.repeat, args.rdflib_max, args.rdflib_budget, workdir,
                                      keep=args.keep, build_only=args.build_only, raw_budget=args.raw_budget,
                                      raw_subset_from=args.raw_subset_from))
            if args.build_only:
                continue
            print_size(results[-1])
            if args.json:
                args.json.write_text(json.dumps(results, indent=1))
        if not args.build_only:
            print_growth(results)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
