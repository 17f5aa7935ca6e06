"""What reaches a terminal cannot drive it: control characters and terminal escapes from the store or from
input are shown as escapes (issue 14.5)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.cli.common import terminal_safe

REPO = Path(__file__).resolve().parent.parent
CLEAR = "\x1b[2J"


@pytest.mark.parametrize(("text", "expected"), [
    ("plain text, ÅÄÖ, ünïcode", "plain text, ÅÄÖ, ünïcode"),
    ("a\x1b[2Jb", "a\\x1b[2Jb"),
    ("title\x1b]0;pwned\x07", "title\\x1b]0;pwned\\x07"),
    ("csi\x9b31m", "csi\\x9b31m"),
    ("nul\x00del\x7f", "nul\\x00del\\x7f"),
    ("rtl\u202eevil", "rtl\\u202eevil"),
    ("lines\nand\ttabs\r", "lines\nand\ttabs\r"),
])
def test_terminal_safe(text, expected):
    assert terminal_safe(text) == expected


def test_one_line_escapes_line_breaks_too():
    assert terminal_safe("a\nb\r", one_line=True) == "a\\x0ab\\x0d"


@pytest.fixture
def poisoned_store(cli_store):
    """A store holding a literal with terminal escapes (as written by SPARQL Update, or an older aidgraph)."""
    from graph.store import open_store

    with open_store(cli_store) as store:
        store.update('INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> '
                     '"before\\u001b[2J\\u001b]0;pwned\\u0007after" } }')
    return cli_store


def run_on_terminal(args: list[str], store: Path, timeout: float = 120) -> tuple[int, str]:
    """Run ``aidgraph ARGS`` with its stdout and stderr on a pseudo-terminal; return (exit code, output)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "AIDGRAPH_STORE": str(store), "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen([sys.executable, "-m", "graph.cli", *args], stdout=follower, stderr=follower,
                               stdin=subprocess.DEVNULL, cwd=REPO, env=env)
    os.close(follower)
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(leader)
    code = process.wait(timeout=30)
    return code, b"".join(chunks).decode("utf-8", errors="replace")


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_query_output_on_a_terminal_is_escaped(poisoned_store, fmt):
    code, output = run_on_terminal(["query", "SELECT ?o WHERE { GRAPH <urn:x:g> { ?s ?p ?o } }",
                                    "--format", fmt], poisoned_store)
    assert code == 0, output
    assert "\x1b" not in output and "\x07" not in output
    assert "before" in output and "after" in output
    if fmt != "json":  # JSON escapes them itself (\u001b)
        assert "\\x1b[2J" in output


def test_query_output_into_a_pipe_keeps_the_data(run_cli, poisoned_store):
    result = run_cli("query", "SELECT ?o WHERE { GRAPH <urn:x:g> { ?s ?p ?o } }", "--format", "csv")
    assert result.returncode == 0 and CLEAR in result.stdout  # data for programs stays as stored


def test_error_messages_never_echo_raw_escapes(run_cli, tmp_path):
    result = run_cli("query", f"{CLEAR}no-such-file")
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\\x1b[2J" in result.stderr
    name = tmp_path / f"evil{CLEAR}.docx"
    name.write_bytes(b"x")
    result = run_cli("ingest", name, "--no-progress")
    assert "\x1b" not in result.stderr
