"""Extraction quality on every gold corpus the project can see, in one process.

    python benchmarks/score_corpora.py [--corpus seeds,real-a,real-c,demo,own] [--json] [--errors]
                                       [--kinds pledge_donor_category,...] [--save DIR]

Corpora: ``seeds`` (../shared/corpus/seeds + gold), ``real-a`` / ``real-c`` (../shared/corpus/real,
a01-a20 and c01-c24), ``demo`` (corpus/demo) and ``own`` (tests/data/longform, our own long articles).
Each article is read the way ``aidgraph extract FILE --published DATE --lang L`` reads it (manifest
metadata) and scored with graph.evaluate (the port of ../shared/eval/score.py). Prints F1 per kind.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
HEADLINE = ("pledge_donor_category", "air_defence_who_when", "pledge_money", "pledge_items",
            "pledge_quantity", "meeting_dates", "attendance", "persons", "roles", "countries")


def corpora() -> dict[str, tuple[Path, Path, str | None]]:
    """name -> (article folder, gold folder, stem prefix or None)."""
    real = SHARED / "corpus" / "real"
    return {
        "seeds": (SHARED / "corpus" / "seeds", SHARED / "corpus" / "gold", None),
        "real-a": (real / "articles", real / "gold", "a"),
        "real-c": (real / "articles", real / "gold", "c"),
        "real": (real / "articles", real / "gold", None),
        "demo": (REPO / "corpus" / "demo", REPO / "corpus" / "demo" / "gold", None),
        "own": (REPO / "tests" / "data" / "longform", REPO / "tests" / "data" / "longform" / "gold", None),
    }


def extract_corpus(articles: Path, gold_dir: Path, prefix: str | None):
    from graph.evaluate import load_records
    from graph.extract import extract
    from graph.ingest import read_articles

    gold = {s: r for s, r in load_records(gold_dir).items() if prefix is None or s.startswith(prefix)}
    system = {}
    for article in read_articles([articles]):
        if not hasattr(article, "text"):
            continue
        stem = Path(article.source).stem
        if stem in gold:
            system[stem] = extract(article).to_record()
    return gold, system


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="seeds,real-a,real-c,demo,own")
    parser.add_argument("--kinds", default=",".join(HEADLINE))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true", help="missed/extra facts per article")
    parser.add_argument("--save", metavar="DIR", help="write the system records to DIR/<corpus>/")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from graph.evaluate import score_records

    kinds = args.kinds.split(",")
    table = {}
    for name in args.corpus.split(","):
        articles, gold_dir, prefix = corpora()[name]
        if not gold_dir.is_dir():
            continue
        gold, system = extract_corpus(articles, gold_dir, prefix)
        result = score_records(gold, system, show_errors=args.errors)
        table[name] = {k: result.scores[k].f1 for k in kinds}
        if args.save:
            out = Path(args.save) / name
            out.mkdir(parents=True, exist_ok=True)
            for stem, record in system.items():
                (out / f"{stem}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
        if args.errors:
            for line in result.errors:
                print(f"[{name}] {line}")
    if args.json:
        print(json.dumps(table, indent=1))
        return 0
    short = {"pledge_donor_category": "pledge", "air_defence_who_when": "airdef", "pledge_money": "money",
             "pledge_items": "items", "pledge_quantity": "qty", "meeting_dates": "meet",
             "attendance": "attend", "persons": "pers", "roles": "roles", "countries": "ctry"}
    print(f"{'corpus':8s} " + " ".join(f"{short.get(k, k)[:7]:>7s}" for k in kinds))
    for name, row in table.items():
        print(f"{name:8s} " + " ".join(f"{row[k]:7.2f}" for k in kinds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
