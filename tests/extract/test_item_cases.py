"""Items and quantities on our own sentences (tests/extract/item_cases.json): equipment names in
many languages (gazetteer data), number words and digit groups (number data), quantity attachment."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from passages import pledge_matches

from graph.extract import extract
from graph.model import Article

CASES = json.loads((Path(__file__).parent / "item_cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['lang']}-{i}" for i, c in enumerate(CASES)])
def test_item_case(case: dict) -> None:
    article = Article(id="case", text=case["text"], lang=case["lang"],
                      published=datetime.date.fromisoformat(case.get("published", "2025-03-03")))
    pledges = extract(article).to_record()["pledges"]
    for want in case.get("pledges", []):
        assert any(pledge_matches(want, got) for got in pledges), (want, pledges)
    for unwanted in case.get("absent", []):
        assert not any(pledge_matches(unwanted, got) for got in pledges), (unwanted, pledges)
