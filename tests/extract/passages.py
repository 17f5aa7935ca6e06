"""Helpers shared by the tests over our own long passages (``*_passages.json`` in this folder):
load a file, extract each passage once, and parametrise a test over the entries of one field."""

from __future__ import annotations

import datetime
import functools
import json
from pathlib import Path

import pytest

from graph.extract import extract
from graph.model import Article

HERE = Path(__file__).parent


@functools.cache
def load(filename: str) -> tuple[dict, ...]:
    """The passages of ``filename`` (a JSON object with a "passages" list)."""
    return tuple(json.loads((HERE / filename).read_text(encoding="utf-8"))["passages"])


@functools.cache
def record(filename: str, passage_id: str) -> dict:
    """The extraction record (gold-schema JSON) of one passage, computed once per test session."""
    passage = next(p for p in load(filename) if p["id"] == passage_id)
    article = Article(id=passage["id"], text=passage["text"], lang=passage["lang"],
                      published=datetime.date.fromisoformat(passage["published"]))
    return extract(article).to_record()


def pledge_matches(want: dict, got: dict) -> bool:
    """An extracted pledge has every field of the wanted one: the item as a prefix of its name (case
    aside), the amount within half a percent, the rest equal."""
    for key, value in want.items():
        if key == "item":
            if not str(got.get("item") or "").lower().startswith(str(value).lower()):
                return False
        elif key == "amount":
            if got.get("amount") is None or abs(got["amount"] - value) > 0.005 * value:
                return False
        elif got.get(key) != value:
            return False
    return True


def surname(name: str) -> str:
    return name.split()[-1].casefold()


def cases(filename: str, field: str) -> list:
    """One pytest parameter (passage id, entry) per entry of ``field`` in every passage."""
    return [pytest.param(p["id"], entry, id=f"{p['id']}-{n}")
            for p in load(filename) for n, entry in enumerate(p.get(field, []))]
