"""Fuzzing every operation of the OpenAPI document against a real `aidgraph serve` process (issue 10.5):
benchmarks/fuzz_api.py's cases (positive and negative, every request media type including the SPARQL
ones, about half the requests with the token, and valid-shaped cases of POST /articles, PUT / POST /store
and GET /queries/{name} that reach their success paths), AIDGRAPH_FUZZ_CASES of them (default 600; the
benchmark sends 10,000). No answer may be a 5xx other than a 503 the operation documents, the server answers
every request, and every graph stored before is there unchanged after (but those the cases wrote).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from graph.servers import aidgraph_server

pytestmark = pytest.mark.slow

CASES = int(os.environ.get("AIDGRAPH_FUZZ_CASES", "600"))
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fuzz_api():
    path = REPO / "benchmarks" / "fuzz_api.py"
    spec = importlib.util.spec_from_file_location("fuzz_api", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.timeout(900)  # 600 cases: about a minute on a quiet machine, 5 at a load average of 15
def test_fuzzed_requests_get_no_undocumented_5xx(fuzz_api, tmp_path, store_builder):
    store = store_builder(tmp_path / "store")
    with aidgraph_server(store, timeout=3, token=fuzz_api.TOKEN, as_gb=6, log=tmp_path / "serve.log") as (
            url, process):
        report = fuzz_api.fuzz(url, CASES, token=fuzz_api.TOKEN, log=lambda *_, **__: None)
        assert process.poll() is None, "the server exited under the fuzzing"
    text = fuzz_api.format_report(report)
    assert report.sent >= CASES, text
    assert not report.undocumented, text
    assert {"POST /sparql", "POST /articles", "GET /pledges", "PUT /store"} <= set(report.by_operation), text
    assert len(report.by_operation) >= 21, text  # every operation got requests (a guard that all were read)
    assert report.statuses[200] and report.statuses[400] and report.statuses[422], text
    assert report.compared >= 5 and not report.lost, text  # the store's graphs survived the writes
    valid = {name: counts for name, counts in report.by_combination.items() if name.endswith(fuzz_api.VALID)}
    successes = {name.split(" ")[1]: sum(counts[status] for status in (200, 201, 204))
                 for name, counts in valid.items()}
    # the success paths were reached: articles stored, graphs written, saved queries answered
    assert successes.get("/articles") and successes.get("/store") and successes.get("/queries/{name}"), text
    assert not [name for name, counts in valid.items() if counts[201] + counts[200] + counts[204] == 0
                and "/articles" not in name], text
