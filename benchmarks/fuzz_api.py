"""Fuzz every operation of a real `aidgraph serve`'s OpenAPI document with N generated requests and print
the histogram of the status codes (issue 10: no 5xx other than the documented 503s in 10,000 requests).

    python benchmarks/fuzz_api.py [--cases 10000] [--store STORE] [--timeout 3] [--seed 0] [--url URL]

schemathesis generates the cases from /openapi.json: positive and negative ones for every operation and
every request media type it declares (forms, JSON, and the SPARQL media types through the serializer
below, so POST /sparql gets direct ``application/sparql-query`` and ``application/sparql-update`` bodies);
and for /sparql SPARQL-shaped text too (token soup, and graph updates such as CREATE of a graph that
exists), which random strings seldom are.
About half the requests carry the server's token, so the routes behind it (POST /articles, updates, dumps)
are fuzzed past the 403 too. The cases are spread evenly over (operation, media type, mode) and drawn in
rounds with new seeds until N requests were sent.

The server runs over a copy of STORE (default: the API tests' store, tests/api/data/store.trig), so the
writes among the cases change nothing of yours; ``--url`` fuzzes a running server instead (with
``--token``). Printed: the status histogram, the statuses per operation, and each undocumented answer
(a 5xx other than a 503 the operation documents, or no answer at all) as a curl command. Exit code 1
when there is one. ``tests/api/test_fuzz_openapi.py`` runs this with fewer cases and asserts.
"""

from __future__ import annotations

import argparse
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
    server_errors: Counter = field(default_factory=Counter)  # (operation, status, problem type) of 5xx
    seconds: float = 0.0

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
    return found


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


def strategy_of(operation, media_type: str | None, mode: GenerationMode | str):
    """The cases of one combination: schemathesis' own, or (``GRAMMAR``) its positive cases with a
    SPARQL-shaped text as the body or the ``query`` parameter."""
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
    schemathesis.serializer(*SPARQL_MEDIA_TYPES)(sparql_body)
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    todo = combinations(schema)
    report = Report()
    session = requests.Session()
    started = time.monotonic()
    round_number = 0
    while report.sent < cases and todo:
        per_combination = max(1, min(ROUND, (cases - report.sent) // len(todo)))
        for operation, media_type, mode in list(todo):
            if report.sent >= cases:
                break
            name = f"{operation.label} {media_type or ''} {getattr(mode, 'value', mode)}".replace("  ", " ")
            try:
                strategy = strategy_of(operation, media_type, mode)
                run_combination(name, operation, strategy, per_combination, seed + round_number, report,
                                session, token, timeout, log)
            except Exception as exc:  # e.g. no negative case exists for an operation without parameters
                report.not_generated[name] = f"{type(exc).__name__}: {str(exc)[:160]}"
                todo.remove((operation, media_type, mode))
        round_number += 1
        log(f"round {round_number}: {report.sent} requests, {time.monotonic() - started:.0f} s, "
            f"statuses {dict(sorted(report.statuses.items()))}", flush=True)
    report.seconds = time.monotonic() - started
    return report


def run_combination(name: str, operation, strategy, examples: int, round_seed: int, report: Report, session,
                    token: str | None, timeout: float, log=print) -> None:
    """Draw up to ``examples`` cases of one combination and send each (never raises for an answer)."""
    authorize = token is not None and operation.label not in NEVER_AUTHORIZED

    @hypothesis_seed(round_seed)
    @given(case=strategy)
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              phases=[Phase.explicit, Phase.generate])
    def send(case) -> None:
        report.per_combination[name] += 1  # odd ones with the token: it alternates within and across rounds
        with_token = authorize and report.per_combination[name] % 2
        headers = {"Authorization": f"Bearer {token}"} if with_token else None
        try:
            response = case.call(session=session, headers=headers, timeout=timeout)
            status, detail = response.status_code, response.text[:300]
        except requests.RequestException as exc:
            status, detail = 0, f"no answer: {type(exc).__name__}: {exc}"[:300]
        report.statuses[status] += 1
        report.by_operation[operation.label][status] += 1
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
    for name, why in sorted(report.not_generated.items()):
        lines.append(f"not generated: {name}: {why}")
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
    return 1 if report.undocumented else 0


if __name__ == "__main__":
    sys.exit(main())
