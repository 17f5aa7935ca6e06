"""The ``aidgraph`` command line, run as a subprocess like a user would."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import rdflib

REPO = Path(__file__).resolve().parent.parent
KNOWN = Path(__file__).parent / "data" / "cli" / "known.trig"
GOLD_KEYS = {"doc", "lang", "published", "event_anchor", "persons", "countries", "organisations",
             "meetings", "equipment", "pledges"}


@pytest.fixture
def known_store(cli_store):
    """The CLI store loaded with tests/data/cli/known.trig (besides ontology and reference)."""
    from graph.store import open_store

    dataset = rdflib.Dataset()
    dataset.parse(KNOWN, format="trig")
    with open_store(cli_store) as store:
        for graph in dataset.graphs():
            if len(graph) and isinstance(graph.identifier, rdflib.URIRef):
                copy = rdflib.Graph()
                copy += graph
                store.add_graph(str(graph.identifier), copy)
    return cli_store


def readme_queries() -> list[str]:
    return re.findall(r"```sparql\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)


def rows(output: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(output)))


# --------------------------------------------------------------------------- README examples

def test_readme_has_three_analyst_queries():
    assert len(readme_queries()) == 3


def test_readme_query_air_defence_who_when(run_cli, known_store):
    result = run_cli("query", readme_queries()[0], "--format", "csv")
    assert result.returncode == 0, result.stderr
    found = [(r["donor"], r["what"], r["date"], r["article"].rsplit("/", 1)[-1]) for r in rows(result.stdout)]
    assert found == [("SE", "portable air defence missiles", "2024-02-20", "t2"),
                     ("DE", "iris-t-slm", "2025-04-11", "t1")]


def test_readme_query_meetings_and_remote_attendance(run_cli, known_store):
    result = run_cli("query", readme_queries()[1], "--format", "csv")
    assert result.returncode == 0, result.stderr
    found = [(r["meeting"], r["person"], r["mode"]) for r in rows(result.stdout)]
    assert found == [("UDCG-2025-04-11", "Anna Berg", "in person"),
                     ("UDCG-2025-04-11", "John Miller", "remote")]


def test_readme_query_pledges_per_donor_and_category(run_cli, known_store):
    result = run_cli("query", readme_queries()[2], "--format", "csv")
    assert result.returncode == 0, result.stderr
    found = {(r["donor"], r["category"]): int(r["pledges"]) for r in rows(result.stdout)}
    assert found == {("DE", "air_defence"): 1, ("DE", "artillery"): 1, ("SE", "manpads"): 1}


# --------------------------------------------------------------------------- query

def test_query_json_is_sparql_results_json(run_cli, known_store):
    result = run_cli("query", "SELECT ?p WHERE { ?p a aid:Pledge } ORDER BY ?p", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["head"]["vars"] == ["p"]
    assert [b["p"]["value"].rsplit("/", 1)[-1] for b in data["results"]["bindings"]] == ["p1", "p2", "p3"]
    assert data["results"]["bindings"][0]["p"]["type"] == "uri"


def test_query_table_and_file(run_cli, known_store, tmp_path):
    query_file = tmp_path / "pledges.rq"
    query_file.write_text("SELECT ?p WHERE { ?p a aid:Pledge } ORDER BY ?p", encoding="utf-8")
    result = run_cli("query", query_file)
    assert result.returncode == 0, result.stderr
    assert "aidr:pledge/p1" in result.stdout and "(3 rows)" in result.stdout


def test_construct_gives_turtle(run_cli, known_store):
    result = run_cli("query", "CONSTRUCT { ?p a aid:Pledge } WHERE { ?p a aid:Pledge }")
    assert result.returncode == 0, result.stderr
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert len(graph) == 3


def test_fresh_store_answers_over_the_ontology(run_cli):
    result = run_cli("query", "ASK { GRAPH <https://w3id.org/aidgraph/graph/ontology> { ?s ?p ?o } }")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "true"


def test_empty_result_on_empty_store_hints_at_ingest(run_cli):
    result = run_cli("query", "SELECT ?p WHERE { ?p a aid:Pledge }")
    assert result.returncode == 0
    assert "aidgraph ingest" in result.stderr


@pytest.mark.parametrize(("query", "line"), [("SELECT ?x WHERE {\n  ?x ?y \n}", 3),
                                             ("SELECT ?x WHERE { ?x a aid:Pledge ", 1)])
def test_malformed_sparql_is_a_clear_error_with_position(run_cli, query, line):
    result = run_cli("query", query)
    assert result.returncode == 2
    assert f"line {line}," in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_query_file(run_cli):
    result = run_cli("query", "missing.rq")
    assert result.returncode == 2
    assert "no such query file" in result.stderr and "Traceback" not in result.stderr


def test_bad_arguments_are_usage_errors(run_cli):
    result = run_cli("query", "SELECT * WHERE { ?s ?p ?o }", "--format", "xml")
    assert result.returncode == 2 and "invalid choice" in result.stderr


# --------------------------------------------------------------------------- stats, validate

def test_stats_counts_articles_and_pledges(run_cli, known_store):
    result = run_cli("stats", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["articles"] == 2 and stats["pledges"] == 3 and stats["meetings"] == 1
    assert stats["disk_bytes"] > 100_000  # the store's files on disk (RocksDB), measured
    assert stats["disk_read_model_bytes"] > 0  # the pledge read model's SQLite file
    assert stats["disk_quads_bytes"] + stats["disk_read_model_bytes"] == stats["disk_bytes"]
    printed = run_cli("stats").stdout
    assert "disk " in printed and "disk quads " in printed and "disk read model " in printed
    assert stats["classes"]["aid:Pledge"] == 3


def test_validate_exit_codes(run_cli, tmp_path):
    malformed = tmp_path / "bad.ttl"
    malformed.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b \n", encoding="utf-8")
    result = run_cli("validate", malformed)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "malformed" in result.stderr and "Traceback" not in result.stderr
    assert run_cli("validate", tmp_path / "missing.ttl").returncode == 2
    empty = tmp_path / "empty.ttl"
    empty.write_text("", encoding="utf-8")
    conforms = run_cli("validate", empty)
    assert conforms.returncode == 0, conforms.stdout + conforms.stderr
    violating = tmp_path / "violating.ttl"
    violating.write_text(
        "@prefix aid: <https://w3id.org/aidgraph/ontology#> .\n"
        "<https://w3id.org/aidgraph/id/pledge/x> a aid:Pledge ; aid:quantity -3 .\n", encoding="utf-8")
    result = run_cli("validate", violating)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "does not conform" in result.stdout


# --------------------------------------------------------------------------- ingest, extract

def test_ingest_reports_failures_and_keeps_going(run_cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Sweden will send more artillery ammunition to Ukraine, the "
                                     "government said on Friday.", encoding="utf-8")
    (folder / "good.meta.json").write_text('{"lang": "en", "published": "2025-04-11"}', encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    result = run_cli("ingest", folder, "--json")
    summary = json.loads(result.stdout)
    assert result.returncode == 1, result.stderr
    assert summary["articles_read"] == 1
    assert [Path(f["source"]).name for f in summary["failures"]] == ["empty.txt"]
    if summary["articles_stored"] == 1:  # the whole pipeline ran
        stats = json.loads(run_cli("stats", "--json").stdout)
        assert stats["articles"] == 1


def test_ingest_with_worker_processes_stores_every_article(run_cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for n, donor in enumerate(["Sweden", "Norway", "Denmark"]):
        (folder / f"a{n}.txt").write_text(f"{donor} will send more artillery ammunition to Ukraine, the "
                                          "government said on Friday.", encoding="utf-8")
        (folder / f"a{n}.meta.json").write_text('{"lang": "en", "published": "2025-04-11"}', encoding="utf-8")
    result = run_cli("ingest", folder, "--workers", "2", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["articles_stored"] == 3
    refused = run_cli("ingest", folder, "--workers", "0")
    assert refused.returncode == 2 and "--workers must be 1 or more" in refused.stderr


INGEST_GROUPS = {
    "input": ["PATH", "--lang", "--published", "--prefilter"],
    "feeds": ["--pages", "--fetch", "--fetch-seconds", "--state-dir"],
    "budgets": ["--article-seconds", "--article-memory-mb"],
    "workers and distributed ingest": ["--workers", "--engine", "--address", "--shard-dir", "--shard-size"],
    "store": ["--force", "--compact", "--no-compact", "--bulk"],
    "output": ["--json", "--no-progress"],
}
#: every ingest option with a value to give it, and what the parsed arguments then hold
INGEST_OPTIONS = {
    "--lang": (["de"], "de"), "--published": (["2024-05-01"], "2024-05-01"), "--prefilter": ([], True),
    "--pages": (["a.warc", "--pages", "b"], ["a.warc", "b"]), "--fetch": ([], True),
    "--fetch-seconds": (["5"], 5.0), "--state-dir": (["s"], "s"), "--article-seconds": (["30"], 30.0),
    "--article-memory-mb": (["512"], 512), "--workers": (["2"], 2), "--engine": (["ray"], "ray"),
    "--address": (["auto"], "auto"), "--shard-dir": (["d"], "d"), "--shard-size": (["8"], 8),
    "--force": ([], True), "--compact": ([], True), "--no-compact": ([], True), "--bulk": ([], True),
    "--json": ([], True),
    "--no-progress": ([], True),
}


def test_ingest_help_lists_its_options_in_groups(run_cli):
    result = run_cli("ingest", "--help")
    assert result.returncode == 0, result.stderr
    sections = re.split(r"\n(?=\S[^\n]*:\n)", result.stdout)
    found = {section.split(":\n", 1)[0]: set(re.findall(r"^  (--[\w-]+|PATH)\b", section, re.M))
             for section in sections}
    assert {title: set(options) for title, options in INGEST_GROUPS.items()} == \
        {title: options for title, options in found.items() if title in INGEST_GROUPS}
    listed = set(re.findall(r"^  (--[\w-]+)", result.stdout, re.M)) - {"--help"}
    assert listed == set(INGEST_OPTIONS)


def test_every_ingest_option_parses_and_keeps_its_default():
    from graph.cli import build_parser

    parser = build_parser()
    defaults = vars(parser.parse_args(["ingest", "x"]))
    assert (defaults["engine"], defaults["pages"], defaults["workers"], defaults["force"]) == \
        ("local", [], None, False)
    for option, (values, expected) in INGEST_OPTIONS.items():
        parsed = vars(parser.parse_args(["ingest", "x", option, *values]))
        name = option.removeprefix("--").replace("-", "_")
        assert parsed[name] == expected, option
        assert {k: v for k, v in parsed.items() if k != name} == \
            {k: v for k, v in defaults.items() if k != name}, option


def test_ingest_missing_path_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("ingest", tmp_path / "nope")
    assert result.returncode == 2 and "no such file" in result.stderr


def test_extract_missing_file(run_cli, tmp_path):
    result = run_cli("extract", tmp_path / "nope.txt")
    assert result.returncode == 2 and "no such file" in result.stderr


def test_extract_prints_the_gold_record(run_cli, tmp_path):
    pytest.importorskip("graph.extract", reason="the extractor has not landed yet")
    article = tmp_path / "a.txt"
    article.write_text("Germany pledged four IRIS-T air defence systems to Ukraine on Friday.",
                       encoding="utf-8")
    result = run_cli("extract", article, "--published", "2025-04-11", "--lang", "en", timeout=30)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert set(record) == GOLD_KEYS
    assert record["published"] == "2025-04-11" and record["lang"] == "en"
