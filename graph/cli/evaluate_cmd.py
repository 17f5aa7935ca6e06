"""``aidgraph evaluate --gold DIR CORPUS_DIR``: precision/recall/F1 per fact kind; exit 1 below a floor."""

from __future__ import annotations

import json
from pathlib import Path

from graph.errors import InputError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="score the extractor against gold annotations (P/R/F1 per fact kind)",
        description="Run the extractor on every article of CORPUS_DIR and score it against the gold records "
                    "(<stem>.json, schema GOLD_SCHEMA.md) with the metrics of score.py. Exit code 1 when "
                    "an F1 is below its floor.")
    parser.add_argument("corpus_dir", metavar="CORPUS_DIR", help="folder of articles (.txt + manifest.json)")
    parser.add_argument("--gold", metavar="DIR",
                        help="folder of gold records (default: a 'gold' folder next to CORPUS_DIR)")
    parser.add_argument("--floors", metavar="FILE",
                        help='minimum F1 per kind, e.g. tests/quality/floors.json ({"f1": {...}})')
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--show-errors", action="store_true",
                        help="list missed and extra facts for pledges, roles and air defence")
    parser.add_argument("--by-rule", action="store_true",
                        help="precision and count of every extraction rule (pledges, meetings, persons)")
    parser.set_defaults(handler=run)


def _gold_dir(args) -> Path:
    if args.gold:
        return Path(args.gold)
    sibling = Path(args.corpus_dir).resolve().parent / "gold"
    if sibling.is_dir():
        return sibling
    raise InputError("no gold folder given", hint="pass --gold DIR (a folder of <stem>.json gold records)")


def _print_by_rule(args) -> int:
    from graph.evaluate import by_rule

    rows = by_rule(_gold_dir(args), args.corpus_dir)
    if args.json:
        print(json.dumps([{"kind": r.kind, "rule": r.rule, "count": r.count, "correct": r.correct,
                           "precision": r.precision} for r in rows], indent=1, ensure_ascii=False))
        return 0
    print(f"{'kind':8s} {'rule':34s} {'count':>6s} {'correct':>8s} {'precision':>10s}")
    for r in rows:
        print(f"{r.kind:8s} {r.rule:34s} {r.count:6d} {r.correct:8d} {r.precision:10.3f}")
    return 0


def run(args) -> int:
    from graph.evaluate import evaluate, load_floors

    if args.by_rule:
        return _print_by_rule(args)

    floors = load_floors(args.floors) if args.floors else {}
    result = evaluate(_gold_dir(args), args.corpus_dir, show_errors=args.show_errors)
    missed = result.missed_floors(floors)
    if args.json:
        report = result.as_dict()
        report["floors"] = floors
        report["missed_floors"] = [{"kind": k, "f1": f1, "floor": floor} for k, f1, floor in missed]
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        print(f"{'kind':24s} {'P':>6s} {'R':>6s} {'F1':>6s}  gold  system  floor")
        for kind, s in result.scores.items():
            floor = floors.get(kind)
            mark = "" if floor is None else f"{floor:.2f} {'ok' if s.f1 >= floor else 'MISSED'}"
            print(f"{kind:24s} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.gold:5d} {s.system:7d}"
                  f"  {mark}")
        missing = f", {len(result.missing)} without an article: {', '.join(result.missing)}"
        print(f"{result.documents} gold documents" + (missing if result.missing else ""))
        for line in result.errors:
            print(line)
        if missed:
            shortfalls = ", ".join(f"{k} F1 {f1:.3f} < {floor:.2f}" for k, f1, floor in missed)
            print(f"quality floor missed: {shortfalls}")
    return 1 if missed else 0
