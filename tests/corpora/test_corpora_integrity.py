"""The shipped corpora are well-formed: fixture articles + expected facts, demo corpus + gold.

These tests check the data itself (every expected fact is stated by its text, vocabularies are the
schema's, nothing is copied from the shared seed articles), not the extractor.
"""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import date
from pathlib import Path

import pytest

from graph.model import CATEGORIES, ROLES, STATUSES

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data" / "articles"
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
LANGS = ("en", "de", "sv", "fr", "nb", "da", "nl", "pl")
GOLD_KEYS = ["doc", "lang", "published", "event_anchor", "persons", "countries", "organisations",
             "meetings", "equipment", "pledges"]
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _load_checker():
    spec = importlib.util.spec_from_file_location("check_expected", FIXTURES / "check_expected.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fixture_manifest() -> list[dict]:
    return json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


def _expected(entry: dict) -> dict:
    return json.loads((FIXTURES / entry["file"]).with_suffix(".expected.json").read_text(encoding="utf-8"))


def _shingles(text: str, size: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def check_record_vocabulary(record: dict, text: str) -> None:
    """Shared checks for gold-like records: keys, vocabularies, dates, evidence inside the text."""
    assert [k for k in GOLD_KEYS if k not in record] == []
    for key in ("published", "event_anchor"):
        assert record[key] is None or ISO_DATE.match(record[key]), record[key]
    for person in record["persons"]:
        for role in person["roles"]:
            assert role["role"] in ROLES, role
    for country in record["countries"]:
        assert re.fullmatch(r"[A-Z]{2}", country), country
    for item in record["equipment"]:
        assert item["category"] in CATEGORIES, item
    for meeting in record["meetings"]:
        assert meeting["date"] is None or ISO_DATE.match(meeting["date"]), meeting
        assert meeting["key"].endswith(meeting["date"] or ""), meeting
    meeting_keys = {m["key"] for m in record["meetings"]}
    for pledge in record["pledges"]:
        assert pledge["category"] in CATEGORIES, pledge
        assert pledge["status"] in STATUSES, pledge
        assert pledge.get("date") is None or ISO_DATE.match(pledge["date"]), pledge
        assert pledge.get("meeting") is None or pledge["meeting"] in meeting_keys, pledge
        assert (pledge.get("amount") is None) == (pledge.get("currency") is None), pledge
        assert pledge["evidence"] and pledge["evidence"] in text, pledge["evidence"]
        if pledge.get("date") and record.get("published"):
            assert pledge["date"] <= record["published"], pledge


def test_fixture_manifest_lists_every_article_once():
    listed = [e["file"] for e in _fixture_manifest()]
    on_disk = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/*.txt"))
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed)


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_has_three_or_more_fixtures(lang):
    entries = [e for e in _fixture_manifest() if e["lang"] == lang]
    assert len(entries) >= 3
    assert all(e["file"].startswith(f"{lang}/") for e in entries)


@pytest.mark.parametrize("entry", _fixture_manifest(), ids=lambda e: e["file"])
def test_fixture_expected_facts_follow_from_text(entry):
    text = (FIXTURES / entry["file"]).read_text(encoding="utf-8")
    assert 40 <= len(text.split()) <= 150
    expected = _expected(entry)
    assert expected["lang"] == entry["lang"]
    assert expected["published"] == entry["published"]
    assert expected["event_anchor"] <= expected["published"]
    date.fromisoformat(entry["published"])
    check_record_vocabulary(expected, text)
    for unwanted in expected["absent"]["pledges"]:
        assert set(unwanted) <= {"donor", "category", "item", "status"}, unwanted
        assert not any(_load_checker().pledge_matches(unwanted, p) for p in expected["pledges"]), unwanted


@pytest.mark.parametrize("entry", _fixture_manifest(), ids=lambda e: e["file"])
def test_checker_accepts_the_expected_record_and_rejects_absent_facts(entry):
    checker = _load_checker()
    expected = _expected(entry)
    assert checker.compare(expected, expected) == []
    empty = {key: [] for key in GOLD_KEYS} | {"event_anchor": expected["event_anchor"]}
    if expected["pledges"]:
        assert checker.compare(empty, expected), "an empty extraction must fail"
    for unwanted in expected["absent"]["pledges"]:
        negated = {"recipient": "UA", "status": "pledged", "category": "other"} | unwanted
        assert checker.compare(expected | {"pledges": [*expected["pledges"], negated]}, expected)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seed articles not available")
def test_no_sentence_is_copied_from_the_seed_articles():
    seed_shingles = set()
    for seed in SEEDS.glob("*.txt"):
        seed_shingles |= _shingles(seed.read_text(encoding="utf-8"))
    ours = list(FIXTURES.glob("*/*.txt")) + list((ROOT / "corpus" / "demo").glob("*.*"))
    for path in ours:
        if path.suffix in (".txt", ".html", ".jsonl"):
            overlap = _shingles(path.read_text(encoding="utf-8")) & seed_shingles
            assert not overlap, (path.name, sorted(overlap)[:3])


# --------------------------------------------------------------------------- demo corpus

DEMO = ROOT / "corpus" / "demo"


def _demo_manifest() -> list[dict]:
    return json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))


def _demo_gold() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((DEMO / "gold").glob("*.json"))}


def test_demo_manifest_lists_every_text_article_with_full_metadata():
    manifest = _demo_manifest()
    assert sorted(e["file"] for e in manifest) == sorted(p.name for p in DEMO.glob("*.txt"))
    assert len(manifest) >= 18
    for entry in manifest:
        assert set(entry) == {"file", "lang", "published", "publisher", "url", "title"}
        date.fromisoformat(entry["published"])
        assert entry["url"].startswith("https://example.org/")


def test_demo_covers_the_languages_and_other_formats():
    counts = {}
    for entry in _demo_manifest():
        counts[entry["lang"]] = counts.get(entry["lang"], 0) + 1
    assert all(counts.get(lang, 0) >= 3 for lang in ("en", "de", "sv")), counts
    assert all(counts.get(lang, 0) >= 1 for lang in ("fr", "nb", "da", "nl", "pl")), counts
    lines = (DEMO / "jsonl_mixed_articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert 2 <= len([json.loads(line)["text"] for line in lines]) <= 3
    html = (DEMO / "en_html_nasams_delivery.html").read_text(encoding="utf-8")
    assert "article:published_time" in html and "JOIN US ON TELEGRAM" in html


@pytest.mark.parametrize("entry", _demo_manifest(), ids=lambda e: e["file"])
def test_demo_gold_follows_from_its_article(entry):
    text = (DEMO / entry["file"]).read_text(encoding="utf-8")
    assert 80 <= len(text.split()) <= 300
    gold = _demo_gold()[entry["file"].removesuffix(".txt")]
    keys = ("lang", "published")
    assert gold["doc"] == entry["file"]
    assert [gold[k] for k in keys] == [entry[k] for k in keys]
    assert gold["notes"]
    check_record_vocabulary(gold, text)


def test_demo_has_a_meeting_reported_in_two_languages_and_a_contradiction():
    langs_by_meeting, quantities = {}, {}
    for gold in _demo_gold().values():
        for meeting in gold["meetings"]:
            langs_by_meeting.setdefault(meeting["key"], set()).add(gold["lang"])
        for p in gold["pledges"]:
            if p["quantity"] and p["meeting"]:
                key = (p["donor"], p["item"], p["status"], p["meeting"])
                quantities.setdefault(key, set()).add(p["quantity"])
    assert any(len(langs) >= 2 for langs in langs_by_meeting.values())
    assert quantities[("DE", "IRIS-T SLM", "pledged", "UDCG-2025-06-04")] == {2, 4}


def test_demo_gold_scores_perfectly_against_itself():
    score_py = ROOT.parent / "shared" / "eval" / "score.py"
    if not score_py.exists():
        pytest.skip("shared scorer not available")
    spec = importlib.util.spec_from_file_location("score", score_py)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    result, _ = score.score(DEMO / "gold", DEMO / "gold")
    assert all(v["f1"] == 1.0 for v in result.values() if v["gold"]), result
