"""Compare extraction records with the partial gold records of the fixture articles.

Usage as a script (runs ``graph.extract.extract`` on every fixture and lists what is missing):

    .venv/bin/python tests/data/articles/check_expected.py [LANG ...]

Usage from a test (load this file with importlib, it is not part of a package):

    problems = compare(extraction.to_record(), json.loads(expected_path.read_text()))
    assert not problems, problems

The matching rules are those of README.md in this folder.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
AMOUNT_TOLERANCE = 0.005


def norm(value: Any) -> str:
    """Lowercase ASCII letters and digits only (as ../shared/eval/score.py)."""
    text = unicodedata.normalize("NFKD", str(value or ""))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", text.casefold())


def surname(name: Any) -> str:
    parts = str(name or "").split()
    return norm(parts[-1]) if parts else ""


def names_match(a: Any, b: Any) -> bool:
    """Equipment / item names: equal or one a prefix of the other, after normalisation."""
    a, b = norm(a), norm(b)
    return bool(a and b) and (a == b or a.startswith(b) or b.startswith(a))


def _value_matches(key: str, want: Any, got: Any) -> bool:
    if key == "evidence":
        return True  # informative only
    if key == "item":
        return (want is None and got is None) or names_match(want, got)
    if key == "amount" and want is not None:
        return got is not None and abs(float(got) - float(want)) <= AMOUNT_TOLERANCE * abs(float(want))
    if key in ("donor", "recipient", "currency") and want is not None:
        return str(got or "").upper() == str(want).upper()
    return want == got


def pledge_matches(want: dict[str, Any], got: dict[str, Any]) -> bool:
    """True when the extracted pledge agrees on every key listed in the expected one."""
    return all(_value_matches(key, value, got.get(key)) for key, value in want.items())


def _meeting_problems(want: dict[str, Any], meetings: list[dict[str, Any]]) -> list[str]:
    found = next((m for m in meetings if m.get("key") == want["key"]), None)
    if found is None:
        return [f"meeting {want['key']} missing (have {[m.get('key') for m in meetings]})"]
    problems = []
    for key in ("format", "date", "place", "n_countries"):
        if key in want and norm(want[key]) != norm(found.get(key)):
            problems.append(f"meeting {want['key']}: {key} {found.get(key)!r} != {want[key]!r}")
    if "chairs" in want and set(want["chairs"] or []) != set(found.get("chairs") or []):
        problems.append(f"meeting {want['key']}: chairs {found.get('chairs')} != {want['chairs']}")
    for key in ("participants", "remote_participants"):
        have = {surname(n) for n in found.get(key) or []}
        missing = [n for n in want.get(key) or [] if surname(n) not in have]
        if missing:
            problems.append(f"meeting {want['key']}: {key} missing {missing}")
    return problems


def compare(record: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Everything the expected (partial) record asks for that ``record`` lacks, as messages."""
    problems: list[str] = []
    if expected.get("event_anchor") and record.get("event_anchor") != expected["event_anchor"]:
        problems.append(f"event_anchor {record.get('event_anchor')} != {expected['event_anchor']}")
    missing = sorted(set(expected.get("countries") or []) - set(record.get("countries") or []))
    if missing:
        problems.append(f"countries missing {missing}")
    persons = {surname(p.get("name")): p for p in record.get("persons") or []}
    for want in expected.get("persons") or []:
        got = persons.get(surname(want["name"]))
        if got is None:
            problems.append(f"person {want['name']} missing")
            continue
        roles = {(r.get("role"), r.get("country")) for r in got.get("roles") or []}
        for role in want.get("roles") or []:
            if (role["role"], role["country"]) not in roles:
                problems.append(f"person {want['name']}: role {role} missing (have {sorted(roles, key=str)})")
    org_keys = {o.get("key") for o in record.get("organisations") or []}
    for want in expected.get("organisations") or []:
        if want["key"] not in org_keys:
            problems.append(f"organisation {want['key']} missing")
    for want in expected.get("meetings") or []:
        problems += _meeting_problems(want, record.get("meetings") or [])
    equipment = record.get("equipment") or []
    for want in expected.get("equipment") or []:
        if not any(names_match(want["name"], e.get("name")) and want["category"] == e.get("category")
                   for e in equipment):
            problems.append(f"equipment {want['name']} ({want['category']}) missing")
    pledges = record.get("pledges") or []
    for want in expected.get("pledges") or []:
        if not any(pledge_matches(want, got) for got in pledges):
            wanted = {k: v for k, v in want.items() if k != "evidence"}
            problems.append(f"pledge missing {wanted} (evidence: {want.get('evidence')!r})")
    for unwanted in (expected.get("absent") or {}).get("pledges") or []:
        hits = [p for p in pledges if pledge_matches(unwanted, p)]
        if hits:
            problems.append(f"pledge must not be extracted: {unwanted} (got {len(hits)})")
    return problems


def fixtures(langs: list[str] | None = None) -> list[dict[str, Any]]:
    """The manifest entries, optionally only for some languages."""
    entries = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    return [e for e in entries if not langs or e["lang"] in langs]


def main(argv: list[str]) -> int:
    from graph.extract import extract  # the extraction engineer's entry point
    from graph.model import Article

    failures = 0
    for entry in fixtures(argv or None):
        path = HERE / entry["file"]
        article = Article(id=Article.make_id("", str(path)), text=path.read_text(encoding="utf-8"),
                          lang=entry["lang"], published=date.fromisoformat(entry["published"]),
                          source=str(path))
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        problems = compare(extract(article).to_record(), expected)
        failures += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {entry['file']}")
        for problem in problems:
            print(f"      {problem}")
    print(f"{failures} of {len(fixtures(argv or None))} fixture articles with problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
