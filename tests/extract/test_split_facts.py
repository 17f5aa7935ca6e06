"""Facts split across sentences: how many pledges a short passage gives (tests/extract/split_facts.json)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from graph.extract import extract
from graph.model import Article

CASES = json.loads((Path(__file__).parent / "split_facts.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['lang']}-{i}" for i, c in enumerate(CASES)])
def test_pledge_count(case: dict) -> None:
    article = Article(id="case", text=case["text"], lang=case["lang"],
                      published=datetime.date.fromisoformat(case["published"]))
    pledges = extract(article).to_record()["pledges"]
    assert len(pledges) == case["count"], pledges
