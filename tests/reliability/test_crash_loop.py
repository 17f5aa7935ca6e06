"""Crash loop: `kill -9` of `aidgraph ingest --workers 2` at random moments; after every kill the store
opens, holds only complete graphs equal to a clean run's, and no worker outlives its parent; the final
rerun resumes to the clean run's store (issues 10.4, 10.5). benchmarks/crash_loop.py runs 100 kills."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow
KILLS = 5


def test_kill_9_at_random_moments_loses_and_duplicates_nothing(generated_corpus, reference_run, tools,
                                                               tmp_path):
    module = tools.benchmark("crash_loop")
    lines: list[str] = []
    figures = module.crash_loop(generated_corpus, tmp_path, KILLS, 2, seed=20261203, log=lines.append,
                                reference=reference_run)
    assert figures["kills"] == KILLS and figures["worst_worker_exit"] < 5, lines
