"""Metamorphic robustness: F1 per kind on the own long-form set and the real dev set, unperturbed and
under each shape perturbation of tests/extract/perturb.py (hard wrap, captions, teasers, entities, ...).

    python benchmarks/perturb_corpus.py [--corpus own,real] [--only wrap,caption] [--diff] [--seed N]

Prints, per corpus, the unperturbed F1 and per perturbation the change of F1 (delta) per kind;
``--diff`` also lists the articles whose pledge tuples change. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "extract"))
sys.path.insert(0, str(REPO / "benchmarks"))

KINDS = ("pledge_donor_category", "air_defence_who_when", "pledge_money", "pledge_items", "pledge_quantity",
         "meeting_dates", "attendance")
SHORT = ("pledge", "airdef", "money", "items", "qty", "meet", "attend")


def main(argv: list[str] | None = None) -> int:
    from perturb import PERTURBATIONS, perturb
    from score_corpora import corpora

    from graph.evaluate import load_records, score_records, tuples
    from graph.extract import extract
    from graph.ingest import make_article, read_articles

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="own,real")
    parser.add_argument("--only", default=",".join(PERTURBATIONS))
    parser.add_argument("--diff", action="store_true")
    parser.add_argument("--seed", type=int, default=0, help="another seed: other wrap widths, other spots")
    args = parser.parse_args(argv)
    for name in args.corpus.split(","):
        folder, gold_dir, prefix = corpora()[name]
        gold = {s: r for s, r in load_records(gold_dir).items() if prefix is None or s.startswith(prefix)}
        articles = [a for a in read_articles([folder]) if hasattr(a, "text") and Path(a.source).stem in gold]
        base = {Path(a.source).stem: extract(a).to_record() for a in articles}
        base_scores = score_records(gold, base).scores
        print(f"[{name}] {len(articles)} articles")
        print(f"{'':12s} " + " ".join(f"{s:>7s}" for s in SHORT))
        print(f"{'unperturbed':12s} " + " ".join(f"{base_scores[k].f1:7.2f}" for k in KINDS))
        for perturbation in args.only.split(","):
            system = {}
            for article in articles:
                stem = Path(article.source).stem
                text = perturb(perturbation, article.text, article.lang, args.seed)
                changed = make_article(text, source=article.source, lang=article.lang,
                                       published=article.published, article_id=article.id)
                system[stem] = extract(changed).to_record()
                if args.diff:
                    before, after = tuples(base[stem]), tuples(system[stem])
                    for kind in KINDS:
                        if before[kind] != after[kind]:
                            lost, gained = before[kind] - after[kind], after[kind] - before[kind]
                            print(f"   {perturbation} {stem} {kind}: lost {sorted(map(str, lost))}"
                                  f" gained {sorted(map(str, gained))}")
            scores = score_records(gold, system).scores
            deltas = " ".join(f"{scores[k].f1 - base_scores[k].f1:+7.2f}" for k in KINDS)
            print(f"{perturbation:12s} {deltas}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
