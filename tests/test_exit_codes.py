"""Exit codes: a corrupted store, a query over its time or memory limit each get their own code, a hint, and
every code is documented in the README (issue 14.5; the disk-full case is in tests/reliability)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph import cli

REPO = Path(__file__).resolve().parent.parent
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SORTED_CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 3"


def readme_exit_codes() -> dict[int, str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Exit codes"):]
    section = section[: section.index("\n#", 1)]
    return {int(code): meaning for code, meaning in re.findall(r"^\| (\d+) \| (.+?) \|$", section, re.M)}


def test_every_exit_code_is_documented():
    codes = {value for name, value in vars(cli).items() if name.startswith("EXIT_")}
    assert set(readme_exit_codes()) == codes
    assert {5, 6, 7} <= codes and len(codes) == 9


@pytest.fixture
def fresh_store(cli_store):
    from graph.store import open_store

    with open_store(cli_store):
        pass  # ontology and reference knowledge: about 20,000 triples
    return cli_store


def test_a_corrupted_store_is_exit_6_with_a_recovery_hint(run_cli, fresh_store):
    largest = max(fresh_store.glob("*.sst"), key=lambda p: p.stat().st_size)
    data = bytearray(largest.read_bytes())
    for offset in range(1000, len(data) - 100, 997):
        data[offset] ^= 0xFF
    largest.write_bytes(bytes(data))
    for command in (["stats"], ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"]):
        result = run_cli(*command)
        assert result.returncode == 6, (command, result.stderr)
        assert "error: the store is corrupted" in result.stderr
        assert "cannot repair" in result.stderr and "re-ingest" in result.stderr
        assert "bug" not in result.stderr


def test_a_query_over_its_time_limit_is_exit_7(run_cli, fresh_store):
    result = run_cli("query", CARTESIAN, "--timeout", "1", timeout=60)
    assert result.returncode == 7, result.stderr
    assert "stopped after" in result.stderr and "limit 1 s" in result.stderr and "--timeout" in result.stderr


def test_the_query_timeout_defaults_to_the_api_timeout(run_cli, fresh_store):
    result = run_cli("query", CARTESIAN, env={"AIDGRAPH_API_TIMEOUT": "1"}, timeout=60)
    assert result.returncode == 7 and "limit 1 s" in result.stderr


def test_a_query_over_its_memory_limit_is_exit_7(run_cli, fresh_store):
    result = run_cli("query", SORTED_CARTESIAN, "--max-memory-mb", "300", "--timeout", "120", timeout=150)
    assert result.returncode == 7, result.stderr
    assert "MB of memory (limit 300 MB)" in result.stderr


def test_a_quick_query_is_not_affected_by_the_limits(run_cli, fresh_store):
    result = run_cli("query", "ASK { ?s ?p ?o }", "--timeout", "30", "--max-memory-mb", "2000")
    assert result.returncode == 0 and result.stdout.strip() == "true"
