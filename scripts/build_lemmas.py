"""Generate the lemma tables graph/extract/lang/lemmas/<code>.json from simplemma's dictionaries.

    .venv/bin/python scripts/build_lemmas.py [--lang de,sv,...] [--check]

For every language with a relation lexicon (graph/extract/lang/relations/<code>.json), the table maps
each folded word form whose simplemma lemma is a lemma of the lexicon to that lemma, so extraction can
match inflected forms without loading simplemma (seconds and hundreds of MB per language). It also
writes graph/extract/lang/lemmas/COVERAGE.md: per language, how many single-word lexicon entries
simplemma knows (as a lemma with other forms) and which it does not; the misses are corrected in the
lexicon's own "forms" or left as exact words. Needs the `build` extra (simplemma, exact version).
--check exits 1 when a committed table differs from what simplemma gives (nothing is written).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph.extract.lemmas import lemma_key as fold  # noqa: E402

RELATIONS = REPO / "graph" / "extract" / "lang" / "relations"
LEMMAS = REPO / "graph" / "extract" / "lang" / "lemmas"
SIMPLEMMA_LANG = {"nb": "nb"}


def vocabulary(data: dict) -> set[str]:
    """The folded words of a relation lexicon's entries (without gap marks and exact forms)."""
    words: set[str] = set()
    groups = [*(data.get("triggers") or {}).values(), *(data.get("cues") or {}).values()]
    for group in groups:
        for entry in group:
            for raw in entry.split():
                if raw in ("…", "...") or raw.startswith("="):
                    continue
                words.add(fold(raw.lstrip("-")))
    words.update(fold(v) for v in (data.get("forms") or {}).values())
    words.update(fold(k) for k in (data.get("institutions") or {}))
    return {w for w in words if w}


def build(lang: str) -> tuple[dict, dict]:
    import simplemma
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    data = json.loads((RELATIONS / f"{lang}.json").read_text(encoding="utf-8"))
    vocab = vocabulary(data)
    code = SIMPLEMMA_LANG.get(lang, lang)
    dictionary = DefaultDictionaryFactory().get_dictionary(code)
    lemmas_of_dictionary = {fold(lemma) for lemma in dictionary.values()}
    # a lexicon word is a lemma when simplemma has forms of it ("levere", not the plural of "lever");
    # else a word written as an inflected form ("zugesagt") stands for simplemma's lemma of it
    lemma_of_word = {}
    for word in vocab:
        lemma = fold(simplemma.lemmatize(word, lang=code))
        lemma_of_word[word] = word if word in lemmas_of_dictionary or lemma in (None, "") else lemma
    targets = vocab | set(lemma_of_word.values())
    forms: dict[str, str] = {}
    with_forms: set[str] = set()
    for form, lemma in dictionary.items():
        folded_lemma = fold(lemma)
        if folded_lemma in targets:
            folded_form = fold(form)
            if folded_form != folded_lemma and folded_form not in vocab:
                forms.setdefault(folded_form, folded_lemma)
                with_forms.add(folded_lemma)
    for word, lemma in lemma_of_word.items():
        if word != lemma:
            forms[word] = lemma
    # regular forms simplemma lacks or reads as another word ("planlegger" is no planner here): the
    # lexicon's "derived_forms" ([ending, replacement] pairs) applied to its single-word triggers
    derived = 0
    for cls_words in (data.get("triggers") or {}).values():
        for entry in cls_words:
            if " " in entry or entry.startswith("="):
                continue
            lemma = lemma_of_word.get(fold(entry), fold(entry))
            for ending, replacement in data.get("derived_forms", []):
                if lemma.endswith(ending):
                    form = lemma[: len(lemma) - len(ending)] + replacement
                    known = dictionary.get(form)
                    if form not in forms and form not in vocab and (known is None or fold(known) == form):
                        forms[form] = lemma
                        derived += 1
    single = sorted(w for w in vocab if " " not in w)
    known = [w for w in single if w in with_forms or lemma_of_word[w] in with_forms]
    missing = [w for w in single if w not in known]
    table = {"source": f"simplemma {simplemma.__version__} ({code}), restricted to the lemmas of "
                       f"relations/{lang}.json; regenerate with scripts/build_lemmas.py",
             "forms": dict(sorted(forms.items()))}
    coverage = {"lang": lang, "words": len(single), "known": len(known), "missing": missing,
                "forms": len(forms), "derived": derived}
    return table, coverage


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", help="comma-separated codes (default: every relation lexicon)")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    langs = args.lang.split(",") if args.lang else sorted(p.stem for p in RELATIONS.glob("*.json"))
    LEMMAS.mkdir(parents=True, exist_ok=True)
    report, differs = [], []
    for lang in langs:
        table, coverage = build(lang)
        path = LEMMAS / f"{lang}.json"
        text = json.dumps(table, ensure_ascii=False, indent=0) + "\n"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                differs.append(lang)
            continue
        path.write_text(text, encoding="utf-8")
        report.append(coverage)
        print(f"{lang}: {coverage['known']}/{coverage['words']} lexicon words known to simplemma, "
              f"{coverage['forms']} forms", file=sys.stderr)
    if args.check:
        print("differ: " + ", ".join(differs) if differs else "tables up to date")
        return 1 if differs else 0
    if args.lang:
        return 0  # the coverage report covers every language: it is written by a full build
    lines = ["# simplemma's coverage of the relation lexicons", "",
             "Generated by `scripts/build_lemmas.py`. *known*: single-word lexicon entries that simplemma",
             "lemmatises (it lists other forms of them); the others match only as written, or through the",
             "lexicon's own `forms` corrections. *derived forms*: regular forms of trigger verbs that",
             "simplemma lacks or reads as another word, added from the lexicon's `derived_forms` rules.", "",
             "| language | single words | known to simplemma | share | forms in the table | derived forms "
             "| not known |",
             "|---|---|---|---|---|---|---|"]
    for c in report:
        share = c["known"] / c["words"] if c["words"] else 0
        lines.append(f"| {c['lang']} | {c['words']} | {c['known']} | {share:.0%} | {c['forms']} "
                     f"| {c['derived']} | "
                     f"{', '.join(c['missing'][:40])}{' …' if len(c['missing']) > 40 else ''} |")
    (LEMMAS / "COVERAGE.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
