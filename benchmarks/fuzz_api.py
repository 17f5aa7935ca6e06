"""Fuzz every operation of a real `aidgraph serve`'s OpenAPI document with N generated requests and print
the histogram of the status codes (issue 10: no 5xx other than the documented 503s in 10,000 requests).

    python benchmarks/fuzz_api.py [--cases 10000] [--store STORE] [--timeout 3] [--seed 0] [--url URL]

schemathesis generates the cases from /openapi.json: positive and negative ones for every operation and
every request media type it declares (forms, JSON, and the SPARQL media types through the serializer
below, so POST /sparql gets direct ``application/sparql-query`` and ``application/sparql-update`` bodies);
and for /sparql SPARQL-shaped text too (token soup, and graph updates such as CREATE of a graph that
exists), which random strings seldom are.
About half the requests carry the server's token, so the routes behind it (POST /articles, updates, dumps)
are fuzzed past the 403 too. Random bodies seldom get past validation, so the success paths have
valid-shaped cases of their own (mode ``valid-shaped``, always with the token): POST /articles of generated
articles (benchmarks/generate_corpus.py, a few ids posted again), PUT and POST /store of generated Turtle and
N-Triples into graphs of their own, and GET /queries/{name} of every saved query in every result format.
The cases are spread evenly over (operation, media type, mode) and drawn in rounds with new seeds until N
requests were sent. With the token, every named graph stored before the run is compared with the same graph
after it (``--url`` without ``--token``: not compared): none may be missing or changed but those the cases
wrote (their own graphs, their articles' graphs, and the derived commitments graph).

The server runs over a copy of STORE (default: the API tests' store, tests/api/data/store.trig), so the
writes among the cases change nothing of yours; ``--url`` fuzzes a running server instead (with
``--token``). Printed: the status histogram, the statuses per operation, and each undocumented answer
(a 5xx other than a 503 the operation documents, or no answer at all) as a curl command. Exit code 1
when there is one. ``tests/api/test_fuzz_openapi.py`` runs this with fewer cases and asserts.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from graph.servers import aidgraph_server  # noqa: E402 (the checkout's package, run as a script)

SPARQL_MEDIA_TYPES = ("application/sparql-query", "application/sparql-update")
TEST_STORE = REPO / "tests" / "api" / "data" / "store.trig"
TOKEN = "fuzz-token-0010"
#: operations whose authorized cases would empty the store for the cases after them
NEVER_AUTHORIZED = {"DELETE /store"}
ROUND = 25  # examples per (operation, media type, mode) and round
GRAMMAR = "sparql-grammar"  # the mode of the cases whose query or update text is SPARQL-shaped
#: words of SPARQL-shaped text: queries, and updates that name graphs of their own (none that names every
#: graph, so that the store keeps its data for the cases after them)
WORDS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "*", "WHERE", "{", "}", "(", ")", ".", ";", ",", "?s",
         "?p", "?o", "a", "<urn:fuzz:a>", "<https://w3id.org/aidgraph/ontology#Pledge>", '"x"',
         '"1"^^<urn:t>', "1", "2.5", "FILTER", "OPTIONAL", "UNION", "MINUS", "BIND", "AS", "VALUES", "GRAPH",
         "LIMIT", "OFFSET", "ORDER", "BY", "GROUP", "COUNT", "DISTINCT", "GROUP_CONCAT", "REGEX", "STR", "|",
         "/", "^", "+", "!", "=", "&&", "PREFIX", "aid:", "aid:Pledge", "BASE", "INSERT", "DATA", "DELETE",
         "WITH", "USING", "SERVICE", "LOAD", "SILENT", "CREATE", "CLEAR", "DROP", "MOVE", "COPY", "ADD",
         "TO", "#", "\n", "é"]
GRAPHS = [f"<urn:fuzz:g{index}>" for index in range(3)]
VALID = "valid-shaped"  # the mode of the well-formed cases that reach the success paths (with the token)
VALID_ARTICLES = 12  # generated articles POST /articles sends (under VALID_IDS ids: some are posted again)
VALID_IDS = 8
FUZZ_ARTICLE = "fuzz-article-"
FUZZ_GRAPH = "urn:fuzz:"
RDF_MEDIA_TYPES = ("text/turtle", "application/n-triples")  # the RDF bodies sent as text
RESULT_FORMATS = [None, "json", "xml", "csv", "tsv"]
#: graphs a run may change without losing anything: derived ones, recomputed when an article is stored
DERIVED_GRAPHS = ("https://w3id.org/aidgraph/graph/commitments",)


def sparql_body(_ctx, value) -> bytes:
    """The body of a SPARQL query or update: the generated text as UTF-8 (other values as JSON text;
    lone surrogates become invalid UTF-8, which the endpoint must refuse with 400)."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass")


@dataclass
class Report:
    """What a fuzz run sent and got back."""

    statuses: Counter = field(default_factory=Counter)
    by_operation: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    undocumented: list[tuple[str, int, str, str]] = field(default_factory=list)  # label, status, detail, curl
    not_generated: dict[str, str] = field(default_factory=dict)  # combination -> why
    per_combination: Counter = field(default_factory=Counter)  # requests per (operation, media type, mode)
    by_combination: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # statuses
    server_errors: Counter = field(default_factory=Counter)  # (operation, status, problem type) of 5xx
    seconds: float = 0.0
    lost: list[str] = field(default_factory=list)  # graphs stored before, missing or changed after
    compared: int = 0  # named graphs compared before and after (0: not compared)

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())


def documented(operation, status: int) -> bool:
    """Whether an answer with ``status`` is a documented one: not a 5xx, or a 503 the operation lists."""
    if status == 0 or (status >= 500 and status != 503):
        return False
    return status < 500 or "503" in operation.definition.raw.get("responses", {})


def problem_type(response) -> str:
    """The last segment of a problem-details answer's type ("query-timeout"), else its media type."""
    try:
        return str(response.json()["type"]).rsplit("/", 1)[-1]
    except (ValueError, KeyError, TypeError):
        return response.headers.get("content-type", "?")


def combinations(schema) -> list[tuple[object, str | None, GenerationMode | str]]:
    """(operation, media type or None, generation mode) for every operation of ``schema``; and for the
    SPARQL operations the SPARQL-shaped texts (mode ``GRAMMAR``)."""
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        media_types = operation.get_request_payload_content_types() or [None]
        for media_type in media_types:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                found.append((operation, media_type, mode))
        if operation.label == "GET /sparql":
            found.append((operation, None, GRAMMAR))
        elif operation.label == "POST /sparql":
            found += [(operation, media_type, GRAMMAR) for media_type in SPARQL_MEDIA_TYPES]
        elif operation.label == "POST /articles":
            found.append((operation, "application/json", VALID))
        elif operation.label in ("PUT /store", "POST /store"):
            found += [(operation, media_type, VALID) for media_type in RDF_MEDIA_TYPES]
        elif operation.label == "GET /queries/{name}":
            found.append((operation, None, VALID))
    return found


def generated_articles(count: int = VALID_ARTICLES, seed: int = 0) -> list[dict]:
    """``count`` POST /articles bodies of articles from benchmarks/generate_corpus.py (which hold facts, so
    they are stored), under ``VALID_IDS`` ids of their own (the later ones replace earlier ones)."""
    path = REPO / "benchmarks" / "generate_corpus.py"
    spec = importlib.util.spec_from_file_location("generate_corpus", path)
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    with tempfile.TemporaryDirectory(prefix="aidgraph-fuzz-articles-") as folder:
        manifest = json.loads(generator.generate(count, Path(folder), seed=seed).read_text(encoding="utf-8"))
        return [{"id": f"{FUZZ_ARTICLE}{number % VALID_IDS}",
                 "text": (Path(folder) / entry["file"]).read_text(encoding="utf-8"),
                 **{key: entry[key] for key in ("lang", "published", "publisher", "url", "title")}}
                for number, entry in enumerate(manifest)]


def literal_text(text: str) -> str:
    """``text`` as the body of an N-Triples / Turtle string literal (escaped)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def rdf_bodies() -> st.SearchStrategy[str]:
    """N-Triples (also valid Turtle) about subjects of the fuzz's own: IRIs, plain, language-tagged and
    typed literals, and text with any character but surrogates (empty: the graph is emptied)."""
    subject = st.integers(0, 5).map(lambda n: f"<{FUZZ_GRAPH}s{n}>")
    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40).map(literal_text)
    obj = st.one_of(subject, text.map(lambda t: f'"{t}"'), text.map(lambda t: f'"{t}"@en'),
                    st.integers(-10**6, 10**6).map(lambda n: f'"{n}"^^<http://www.w3.org/2001/XMLSchema#integer>'))
    triple = st.builds(lambda s_, p, o: f"{s_} <{FUZZ_GRAPH}p{p}> {o} .", subject, st.integers(0, 3), obj)
    return st.lists(triple, max_size=12).map("\n".join)


def valid_strategy(operation, media_type: str | None, context: dict):
    """Well-formed cases of POST /articles, PUT / POST /store and GET /queries/{name} (mode ``VALID``):
    schemathesis' positive cases with the body or parameters replaced by valid ones."""
    cases = operation.as_strategy(generation_mode=GenerationMode.POSITIVE, media_type=media_type)
    if operation.label == "POST /articles":
        def article(case, body):
            case.body = body
            return case
        return st.builds(article, cases, st.sampled_from(context["articles"]))
    if operation.label in ("PUT /store", "POST /store"):
        def graph_write(case, number, body):
            case.query = {"graph": f"{FUZZ_GRAPH}gsp{number}"}
            case.body = body
            return case
        return st.builds(graph_write, cases, st.integers(0, 3), rdf_bodies())

    def saved(case, name, fmt):
        case.path_parameters = {"name": name}
        case.query = {"format": fmt} if fmt else {}
        return case
    return st.builds(saved, cases, st.sampled_from(context["queries"]), st.sampled_from(RESULT_FORMATS))


def graph_updates() -> st.SearchStrategy[str]:
    """Graph management updates over a few graphs of their own, SILENT or not (a graph that exists, or
    is missing, for CREATE / DROP / CLEAR / MOVE / COPY / ADD)."""
    silent = st.sampled_from(["", "SILENT "])
    graph = st.sampled_from(GRAPHS)
    one = st.builds(lambda op, quiet, name: f"{op} {quiet}GRAPH {name}",
                    st.sampled_from(["CREATE", "DROP", "CLEAR"]), silent, graph)
    two = st.builds(lambda op, quiet, source, target: f"{op} {quiet}{source} TO {target}",
                    st.sampled_from(["MOVE", "COPY", "ADD"]), silent, graph, graph)
    insert = st.builds(lambda name: f"INSERT DATA {{ GRAPH {name} {{ <urn:fuzz:s> <urn:fuzz:p> 1 }} }}",
                       graph)
    return st.one_of(one, two, insert)


def sparql_texts() -> st.SearchStrategy[str]:
    """SPARQL-shaped text: token soup that reaches the parser and the evaluator, and graph updates."""
    soup = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join)
    return st.one_of(soup, graph_updates(), st.lists(graph_updates(), min_size=2, max_size=3).map(" ; ".join))


def strategy_of(operation, media_type: str | None, mode: GenerationMode | str, context: dict | None = None):
    """The cases of one combination: schemathesis' own, (``GRAMMAR``) its positive cases with a
    SPARQL-shaped text as the body or the ``query`` parameter, or (``VALID``) well-formed ones."""
    if mode == VALID:
        return valid_strategy(operation, media_type, context or {})
    if mode != GRAMMAR:
        return operation.as_strategy(generation_mode=mode, media_type=media_type)

    def with_text(case, text: str):
        if media_type is None:
            case.query = {**(case.query or {}), "query": text}
        else:
            case.body = text
        return case

    cases = operation.as_strategy(generation_mode=GenerationMode.POSITIVE, media_type=media_type)
    return st.builds(with_text, cases, sparql_texts())


def fuzz(url: str, cases: int, *, token: str | None = None, seed: int = 0, timeout: float = 60,
         log=print) -> Report:
    """Send at least ``cases`` generated requests to the server at ``url``; the :class:`Report`."""
    schemathesis.serializer(*SPARQL_MEDIA_TYPES, *RDF_MEDIA_TYPES)(sparql_body)
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    todo = combinations(schema)
    report = Report()
    session = requests.Session()
    context = {"articles": generated_articles(seed=seed),
               "queries": [query["name"] for query in session.get(f"{url}/queries", timeout=timeout).json()]}
    before = stored_graphs(session, url, token, timeout) if token else None
    started = time.monotonic()
    round_number = 0
    while report.sent < cases and todo:
        per_combination = max(1, min(ROUND, (cases - report.sent) // len(todo)))
        for operation, media_type, mode in list(todo):
            if report.sent >= cases:
                break
            name = f"{operation.label} {media_type or ''} {getattr(mode, 'value', mode)}".replace("  ", " ")
            try:
                strategy = strategy_of(operation, media_type, mode, context)
                run_combination(name, operation, strategy, per_combination, seed + round_number, report,
                                session, token, timeout, log, always_token=mode == VALID)
            except Exception as exc:  # e.g. no negative case exists for an operation without parameters
                report.not_generated[name] = f"{type(exc).__name__}: {str(exc)[:160]}"
                todo.remove((operation, media_type, mode))
        round_number += 1
        log(f"round {round_number}: {report.sent} requests, {time.monotonic() - started:.0f} s, "
            f"statuses {dict(sorted(report.statuses.items()))}", flush=True)
    report.seconds = time.monotonic() - started
    if before is not None:
        after = stored_graphs(session, url, token, timeout)
        report.compared = len(before)
        report.lost = [graph for graph, triples in sorted(before.items())
                       if not written_by_fuzz(graph) and after.get(graph) != triples]
    return report


def written_by_fuzz(graph: str) -> bool:
    """Whether the cases may have written ``graph``: their own graphs, their articles', derived ones."""
    return graph.startswith(FUZZ_GRAPH) or FUZZ_ARTICLE in graph or graph in DERIVED_GRAPHS


def stored_graphs(session, url: str, token: str, timeout: float) -> dict[str, frozenset[str]]:
    """Every named graph of the server's store and its triples (from GET /dump as N-Quads)."""
    import pyoxigraph

    for attempt in range(5):  # a 503 (the dump overran the query timeout on a loaded machine): again
        response = session.get(f"{url}/dump", params={"format": "nquads"}, timeout=max(timeout, 120),
                               headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 503:
            break
        time.sleep(2 * (attempt + 1))
    response.raise_for_status()
    graphs: dict[str, set[str]] = defaultdict(set)
    for quad in pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_QUADS):
        if isinstance(quad.graph_name, pyoxigraph.NamedNode):
            graphs[quad.graph_name.value].add(str(quad.triple))
    return {graph: frozenset(lines) for graph, lines in graphs.items()}


def run_combination(name: str, operation, strategy, examples: int, round_seed: int, report: Report, session,
                    token: str | None, timeout: float, log=print, *, always_token: bool = False) -> None:
    """Draw up to ``examples`` cases of one combination and send each (never raises for an answer); with
    the token every other one, or (``always_token``) every one."""
    authorize = token is not None and operation.label not in NEVER_AUTHORIZED

    @hypothesis_seed(round_seed)
    @given(case=strategy)
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              phases=[Phase.explicit, Phase.generate])
    def send(case) -> None:
        report.per_combination[name] += 1  # odd ones with the token: it alternates within and across rounds
        with_token = authorize and (always_token or report.per_combination[name] % 2)
        headers = {"Authorization": f"Bearer {token}"} if with_token else None
        try:
            response = case.call(session=session, headers=headers, timeout=timeout)
            status, detail = response.status_code, response.text[:300]
        except requests.RequestException as exc:
            status, detail = 0, f"no answer: {type(exc).__name__}: {exc}"[:300]
        report.statuses[status] += 1
        report.by_operation[operation.label][status] += 1
        report.by_combination[name][status] += 1
        if status >= 500:
            report.server_errors[operation.label, status, problem_type(response)] += 1
        if not documented(operation, status):
            curl = case.as_curl_command(headers=headers)
            report.undocumented.append((operation.label, status, detail, curl[:2000]))
            log(f"UNDOCUMENTED {status} on {operation.label}: {detail}\n    {curl[:2000]}", flush=True)

    send()


def format_report(report: Report) -> str:
    """The histogram, the statuses per operation and the undocumented answers, as text."""
    rate = report.sent / max(report.seconds, 1e-9)
    lines = [f"{report.sent} requests in {report.seconds:.0f} s ({rate:.1f} req/s)", "status histogram:"]
    lines += [f"  {status or 'no answer':>9}  {count:6d}"
              for status, count in sorted(report.statuses.items())]
    fives = sum(count for status, count in report.statuses.items() if status >= 500)
    lines.append(f"5xx: {fives} (undocumented: {len(report.undocumented)})")
    for (label, status, kind), count in sorted(report.server_errors.items()):
        lines.append(f"  {status} {kind:24} {label:36} {count:5d}")
    lines.append("per operation:")
    for label, counts in sorted(report.by_operation.items()):
        text = " ".join(f"{status}x{count}" for status, count in sorted(counts.items()))
        lines.append(f"  {label:36} {sum(counts.values()):5d}  {text}")
    for name, counts in sorted(report.by_combination.items()):
        if name.endswith(VALID):
            text = " ".join(f"{status}x{count}" for status, count in sorted(counts.items()))
            lines.append(f"  {name:52} {text}")
    for name, why in sorted(report.not_generated.items()):
        lines.append(f"not generated: {name}: {why}")
    if report.compared:
        lines.append(f"stored graphs compared: {report.compared}, lost or changed: {len(report.lost)} "
                     f"{report.lost[:10] if report.lost else ''}".rstrip())
    for label, status, detail, curl in report.undocumented[:30]:
        lines.append(f"UNDOCUMENTED {status} on {label}: {detail}\n    {curl}")
    return "\n".join(lines)


def build_store(location: Path, trig: Path = TEST_STORE) -> Path:
    """A store at ``location`` holding the named graphs of ``trig`` (as the API tests' store)."""
    import rdflib

    from graph.store import open_store

    dataset = rdflib.Dataset()
    dataset.parse(trig, format="trig")
    with open_store(location) as store:
        for graph in dataset.graphs():
            if isinstance(graph.identifier, rdflib.URIRef) and len(graph):
                store.add_graph(str(graph.identifier), graph)
    return location


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="requests to send (at least)")
    parser.add_argument("--store", type=Path, default=None, help="store to serve a copy of")
    parser.add_argument("--timeout", type=float, default=3.0, help="the server's query timeout (s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--url", default=None, help="fuzz this running server instead of starting one")
    parser.add_argument("--token", default=None, help="its token (with --url)")
    args = parser.parse_args(argv)
    if args.url:
        report = fuzz(args.url.rstrip("/"), args.cases, token=args.token, seed=args.seed)
    else:
        with tempfile.TemporaryDirectory(prefix="aidgraph-fuzz-") as folder:
            store = Path(folder) / "store"
            if args.store:
                shutil.copytree(args.store, store)
            else:
                build_store(store)
            with aidgraph_server(store, timeout=args.timeout, token=TOKEN, as_gb=6,
                                 log=Path(folder) / "serve.log") as (url, _process):
                print(f"server {url} over a copy of {args.store or TEST_STORE}", flush=True)
                report = fuzz(url, args.cases, token=TOKEN, seed=args.seed)
    print(format_report(report))
    return 1 if report.undocumented or report.lost else 0


if __name__ == "__main__":
    sys.exit(main())
