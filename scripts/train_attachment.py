"""Train the attachment model graph/extract/model/attachment.json (reproducible: same data, same file).

    .venv/bin/python scripts/train_attachment.py [--check] [--folds 5]

Needs the `train` extra (scikit-learn, exact version) and ../shared/corpus. Training data: the gold
of the seeds (../shared/corpus/gold), of ../shared/corpus/real a01-a20, of the demo corpus, of our
long-form fixtures (tests/data/longform) and our annotated sentences
(tests/extract/attachment_sentences.json).
The model is never trained on ../shared/corpus/real c01-c24: it is only scored, as an aggregate, at
the end (rules only vs model). (The rules' misses on c01-c24 were analysed in a later round.)

1. every article is extracted with the rules deciding, and every decision the model will face is
   recorded: one item or sum, its candidate donor groups and their features (graph.extract.attachment);
2. each item or sum is matched to the gold pledges of its sentence (same sum, or an item name the
   scorer accepts) and a candidate is positive when it names a gold donor of it, or a donor the
   article's gold has a pledge of that category from (the scorer counts per article); items and
   sums without either give only negatives (the model learns when nothing is given);
3. C and the threshold are chosen by grouped cross-validation over the articles: each fold's model
   extracts the articles it did not see, and those are scored with graph.evaluate (the port of
   score.py); the rules alone are scored on the same folds;
4. a nested cross-validation (the setting chosen inside each outer fold's training articles only)
   scores the whole procedure on articles it neither fitted nor tuned on: the model is used by
   default (``use_by_default``) only when it beats the rules there;
5. the final model is fitted on everything and written with a record of the data (file hashes),
   the settings and the cross-validation, nested cross-validation and c01-c24 figures.
--check: exit 1 when retraining would change the committed model (nothing is written).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph.evaluate import KINDS, equip_match, load_records, score_records  # noqa: E402
from graph.extract import attachment  # noqa: E402
from graph.extract.attachment import AttachmentModel, Logistic, RulesOnly, features, use_model  # noqa: E402

SHARED = REPO.parent / "shared"
SENTENCES = REPO / "tests" / "extract" / "attachment_sentences.json"
OBJECTIVE = ("pledge_donor_category", "air_defence_who_when", "pledge_money", "pledge_items",
             "pledge_quantity")
GRID_C = (0.1, 0.3)
GRID_THRESHOLD = (0.05, 0.3, 0.5)
#: what the model needs to give where the rules found no giver at all (above 1: never)
GRID_THRESHOLD_NONE = (1.01, 0.5)
#: the rules whose choice of donor stands unless the donor model ranks another candidate higher by
#: the overrule margin: the structural ones (an agent phrase, the subject of the verb, the subject
#: after a fronted verb, the package the sentence goes on about). The model decides where the rules
#: are weak (the only donor, a later or earlier clause, the context) and whether anything is given.
#: Trusting no rule (the model deciding everything) scored 0.03-0.05 below the rules in
#: cross-validation: it is not in the grid.
GRID_TRUSTED = (("agent", "subject", "inverted", "package"),)
GRID_EMIT_TRUSTED = (False, True)
#: how much more probable another candidate must be than a trusted rule's choice to replace it
#: (None: never)
GRID_OVERRULE = (None, 0.02, 0.05, 0.1)


def training_corpora() -> list[tuple[str, Path, Path, str | None]]:
    """(name, article folder, gold folder, stem prefix) of every training corpus."""
    real = SHARED / "corpus" / "real"
    return [("seeds", SHARED / "corpus" / "seeds", SHARED / "corpus" / "gold", None),
            ("real-a", real / "articles", real / "gold", "a"),
            ("demo", REPO / "corpus" / "demo", REPO / "corpus" / "demo" / "gold", None),
            ("longform", REPO / "tests" / "data" / "longform", REPO / "tests" / "data" / "longform" / "gold",
             None)]


def unseen_corpus() -> tuple[str, Path, Path, str | None]:
    real = SHARED / "corpus" / "real"
    return ("real-c", real / "articles", real / "gold", "c")


def load_articles(corpus) -> list[tuple[str, object, dict]]:
    """(document id, Article, gold record) of a corpus."""
    from graph.ingest import read_articles

    name, articles, gold_dir, prefix = corpus
    gold = {s: r for s, r in load_records(gold_dir).items() if prefix is None or s.startswith(prefix)}
    found = []
    for article in read_articles([articles]):
        stem = Path(getattr(article, "source", "") or "").stem
        if hasattr(article, "text") and stem in gold:
            found.append((f"{name}/{stem}", article, gold[stem]))
    return found


def sentence_articles() -> list[tuple[str, object, dict]]:
    """Our annotated sentences as one-paragraph articles with gold pledges."""
    from graph.ingest import make_article

    if not SENTENCES.exists():
        return []
    found = []
    for number, case in enumerate(json.loads(SENTENCES.read_text(encoding="utf-8"))["cases"]):
        article = make_article(case["text"], source=f"sentence-{number}", lang=case["lang"],
                               published=case.get("published"))
        pledges = [dict(p, evidence=case["text"]) for p in case["pledges"]]
        found.append((f"sentences/{number}", article, {"pledges": pledges}))
    return found


# --------------------------------------------------------------------------- recording and labels

class Recorder:
    """A stand-in model that records every decision the model would face and lets the rules decide."""

    def __init__(self) -> None:
        self.decisions: list[dict] = []

    def choose(self, sentence, attachable, trigger, rule_group, rule, candidates):
        self.decisions.append({
            "sentence": sentence.view.text,
            "kind": attachable.kind,
            "item": getattr(attachable.item, "name", None),
            "category": attachable.category,
            "amount": getattr(attachable.money, "amount", None),
            "quantity": attachable.quantity,
            "candidates": [(g.keys, features(sentence, attachable, trigger, g, rule_group, rule))
                           for g in candidates],
        })
        return None


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\u2018\u2019\u201a\u201b`]", "'", text)
    text = re.sub(r"[\u201c\u201d\u201e\u00ab\u00bb]", '"', text)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def _in_sentence(evidence: str, sentence: str) -> bool:
    e, s = _norm(evidence), _norm(sentence)
    if not e or not s:
        return False
    return e in s or s in e or (len(e) > 40 and e[:40] in s)


def _matches(decision: dict, pledge: dict) -> bool:
    if decision["kind"] == "money":
        amount = pledge.get("amount")
        return amount not in (None, "") and decision["amount"] and \
            abs(float(amount) - decision["amount"]) <= 0.005 * decision["amount"]
    if decision["kind"] == "package":
        return pledge.get("item") is None and pledge.get("amount") in (None, "") \
            and pledge.get("category") == "other"
    if decision["item"] and pledge.get("item") and equip_match(decision["item"], pledge["item"]):
        return True
    if decision["category"] != pledge.get("category"):
        return False
    # the same kind of thing where the names differ ("air defence systems" for "Cheetah"), or a
    # category without a name (training, repairs)
    return pledge.get("item") is None or decision.get("quantity") == pledge.get("quantity") is not None


def labelled(decisions: list[dict], gold: dict) -> list[list[tuple[list[str], int]]]:
    """Per recorded decision of one article: (features, label) of each candidate."""
    pledges = [p for p in gold.get("pledges") or [] if str(p.get("recipient") or "UA").upper() == "UA"]
    rows = []
    for decision in decisions:
        candidates = []
        donors = {str(p.get("donor") or "").upper() for p in pledges
                  if _in_sentence(p.get("evidence") or "", decision["sentence"]) and _matches(decision, p)}
        # the donors the article's gold has for this kind of thing anywhere (the pledge metric is per
        # article: a restatement elsewhere, or an item the gold names differently, is still right)
        elsewhere = {str(p.get("donor") or "").upper() for p in pledges
                     if p.get("category") == decision["category"]}
        for keys, names in decision["candidates"]:
            named = {k.upper() for k in keys}
            # several named donors give a shared sum or quantity as "multiple" (CONVENTIONS.md rule 2)
            positive = bool(named & donors) or (len(named) > 1 and "MULTIPLE" in donors) or \
                bool(named & elsewhere)
            candidates.append((names, int(positive)))
        rows.append(candidates)
    return rows


_PREPARED: dict[int, tuple] = {}  # id(article) -> (its rules-only Extraction, the find_pledges arguments)


def _prepared(article):
    """The article extracted once up to its pledges: every later run with another model only redoes
    the pledge step (graph.extract.pledges.find_pledges) over the same typed mentions."""
    from graph.extract import extract, pipeline

    cached = _PREPARED.get(id(article))
    if cached is None:
        calls = []
        original = pipeline.find_pledges

        def capture(*args):
            calls.append(args[:7])
            return original(*args)

        pipeline.find_pledges = capture
        try:
            with use_model(RulesOnly()):
                extraction = extract(article)
        finally:
            pipeline.find_pledges = original
        cached = _PREPARED[id(article)] = (article, extraction, calls[0])
    return cached


def extract_with(article, model):
    """The extraction record of ``article`` with ``model`` deciding the attachment (RulesOnly(): rules)."""
    from dataclasses import replace

    from graph.extract.pledges import find_pledges

    _, extraction, arguments = _prepared(article)
    return replace(extraction, pledges=find_pledges(*arguments, model)).to_record()


def record_examples(documents) -> dict[str, list[list[tuple[list[str], int]]]]:
    """Document id -> its decisions, each a list of labelled candidates."""
    examples = {}
    for doc, article, gold in documents:
        recorder = Recorder()
        extract_with(article, recorder)
        examples[doc] = labelled(recorder.decisions, gold)
    return examples


# --------------------------------------------------------------------------- fitting and scoring

def _logistic(rows: list[tuple[list[str], int]], c: float) -> Logistic:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    if len({label for _, label in rows}) < 2:
        return Logistic({}, 0.0)
    vectorizer = DictVectorizer(sparse=False)
    x = vectorizer.fit_transform([dict.fromkeys(names, 1) for names, _ in rows])
    y = [label for _, label in rows]
    regression = LogisticRegression(C=c, solver="liblinear", random_state=0, max_iter=1000)
    regression.fit(x, y)
    weights = {name: round(float(w), 6) for name, w in zip(vectorizer.feature_names_, regression.coef_[0],
                                                            strict=True) if abs(w) > 1e-9}
    return Logistic(weights, round(float(regression.intercept_[0]), 6))


def fit(decisions: list[list[tuple[list[str], int]]], c: float, threshold: float) -> AttachmentModel:
    """The donor model from the candidates of decisions with a gold donor among them; the emit model
    from the candidate the donor model ranks first in every decision (positive when it gives)."""
    donor = _logistic([row for d in decisions if any(y for _, y in d) for row in d], c)
    emit_rows = []
    for candidates in decisions:
        if not candidates:
            continue
        best = max(range(len(candidates)), key=lambda i: (donor.probability(candidates[i][0]), -i))
        emit_rows.append(candidates[best])
    return AttachmentModel(donor, _logistic(emit_rows, c), threshold)


def score(documents, model) -> dict[str, float]:
    """F1 per kind of extracting ``documents`` with ``model`` (RulesOnly() for the rules)."""
    gold, system = {}, {}
    for doc, article, record in documents:
        gold[doc] = record
        system[doc] = extract_with(article, model)
    result = score_records(gold, system)
    return {k: result.scores[k].f1 for k in KINDS}


def _counts(documents, model) -> dict[str, list[int]]:
    from graph.evaluate import fuzzy_overlap, tuples

    totals = {k: [0, 0, 0] for k in KINDS}
    for _, article, record in documents:
        g, s = tuples(record), tuples(extract_with(article, model))
        for k in KINDS:
            totals[k][0] += fuzzy_overlap(k, g[k], s[k])
            totals[k][1] += len(s[k])
            totals[k][2] += len(g[k])
    return totals


def _f1(totals: dict[str, list[int]]) -> dict[str, float]:
    out = {}
    for k, (tp, ns, ng) in totals.items():
        p, r = (tp / ns if ns else 0.0), (tp / ng if ng else 0.0)
        out[k] = round(2 * p * r / (p + r), 3) if p + r else 0.0
    return out


def _settings() -> list[tuple]:
    return [(c, t, trusted, emit, none, over) for c in GRID_C for t in GRID_THRESHOLD
            for trusted in GRID_TRUSTED for emit in GRID_EMIT_TRUSTED for none in GRID_THRESHOLD_NONE
            for over in GRID_OVERRULE]


def _model(fitted: AttachmentModel, setting) -> AttachmentModel:
    _, t, trusted, emit, none, over = setting
    return AttachmentModel(fitted.donor, fitted.emit, t, trusted=trusted, emit_trusted=emit,
                           threshold_none=none, overrule=over)


def _fold_of(ids, folds: int, salt: str = "") -> dict[str, int]:
    """A fixed assignment of documents (whole articles) to folds."""
    return {doc: int(hashlib.sha256((salt + doc).encode()).hexdigest(), 16) % folds for doc in ids}


def cross_validate(documents, examples, folds: int, ids=None, salt: str = "") -> dict:
    """Grouped k-fold over documents (an article is never split): F1 of the rules and of every
    setting of the grid, each fold scored by a model fitted on the other folds only."""
    ids = sorted(ids if ids is not None else examples)
    fold_of = _fold_of(ids, folds, salt)
    by_doc = {doc: (doc, article, gold) for doc, article, gold in documents}
    rules = {k: [0, 0, 0] for k in KINDS}
    settings = _settings()
    grid = {setting: {k: [0, 0, 0] for k in KINDS} for setting in settings}
    for fold in range(folds):
        test = [by_doc[d] for d in ids if fold_of[d] == fold]
        train_rows = [decision for d in ids if fold_of[d] != fold for decision in examples[d]]
        if not test or not train_rows:
            continue
        _add(rules, _counts(test, RulesOnly()))
        fitted = {c: fit(train_rows, c, 0.5) for c in GRID_C}
        for setting in settings:
            _add(grid[setting], _counts(test, _model(fitted[setting[0]], setting)))
    table = {_setting_name(s): _f1(v) for s, v in grid.items()}
    return {"rules": _f1(rules), "grid": table, "settings": {_setting_name(s): s for s in settings}}


def _best(cv: dict) -> str:
    """The setting of the best objective; ties go to the one nearest the rules (listed first)."""
    names = list(cv["grid"])
    return max(names, key=lambda key: (_objective(cv["grid"][key]), -names.index(key)))


def nested_cross_validate(documents, examples, folds: int) -> dict:
    """The honest estimate of the whole procedure: per outer fold of articles, the setting is chosen by
    an inner cross-validation on the other folds only, fitted on them and scored on the held-out fold
    (which took part in neither fitting nor choosing); the rules are scored on the same folds."""
    ids = sorted(examples)
    fold_of = _fold_of(ids, folds)
    by_doc = {doc: (doc, article, gold) for doc, article, gold in documents}
    rules = {k: [0, 0, 0] for k in KINDS}
    model = {k: [0, 0, 0] for k in KINDS}
    chosen = []
    for fold in range(folds):
        inner = [d for d in ids if fold_of[d] != fold]
        test = [by_doc[d] for d in ids if fold_of[d] == fold]
        if not test or not inner:
            continue
        cv = cross_validate(documents, examples, folds - 1, ids=inner, salt=f"inner{fold}")
        best = _best(cv)
        setting = cv["settings"][best]
        fitted = fit([decision for d in inner for decision in examples[d]], setting[0], 0.5)
        _add(rules, _counts(test, RulesOnly()))
        _add(model, _counts(test, _model(fitted, setting)))
        chosen.append(best)
    return {"rules_only": _f1(rules), "model": _f1(model), "chosen_settings": chosen}


def _setting_name(setting) -> str:
    c, t, trusted, emit, none, over = setting
    return (f"C={c} threshold={t} threshold_without_rule={none} trusted={'+'.join(trusted) or '-'} "
            f"emit_on_trusted={emit} overrule={over}")


def _add(totals, more) -> None:
    for k in totals:
        for i in range(3):
            totals[k][i] += more[k][i]


def _objective(scores: dict[str, float]) -> float:
    return sum(scores[k] for k in OBJECTIVE) / len(OBJECTIVE)


def _hashes(corpora) -> dict[str, str]:
    digest = {}
    for _, articles, gold_dir, prefix in corpora:
        for folder in (articles, gold_dir):
            for file in sorted(folder.glob("*")):
                if file.is_file() and (prefix is None or file.name.startswith(prefix)) and \
                        file.suffix in (".txt", ".json", ".html", ".jsonl"):
                    name = str(file.relative_to(file.parents[2]))
                    digest[name] = hashlib.sha256(file.read_bytes()).hexdigest()[:16]
    if SENTENCES.exists():
        digest[str(SENTENCES.relative_to(REPO))] = hashlib.sha256(SENTENCES.read_bytes()).hexdigest()[:16]
    return digest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    import sklearn

    corpora = training_corpora()
    documents = [d for corpus in corpora for d in load_articles(corpus)] + sentence_articles()
    examples = record_examples(documents)
    rows = [decision for doc in sorted(examples) for decision in examples[doc]]
    cv = cross_validate(documents, examples, args.folds)
    best = _best(cv)
    nested = nested_cross_validate(documents, examples, args.folds)
    c, threshold, trusted, emit_trusted, threshold_none, overrule = cv["settings"][best]
    fitted = fit(rows, c, threshold)
    model = AttachmentModel(fitted.donor, fitted.emit, threshold, trusted=trusted, emit_trusted=emit_trusted,
                            threshold_none=threshold_none, overrule=overrule)
    # used by default only if it beat the rules on folds it was neither fitted nor tuned on
    nested_rules, nested_model = (round(_objective(nested[k]), 4) for k in ("rules_only", "model"))
    model.by_default = nested_model > nested_rules
    unseen = load_articles(unseen_corpus())
    record = {
        "trained_by": "scripts/train_attachment.py",
        "scikit_learn": sklearn.__version__,
        "estimator": "LogisticRegression(solver=liblinear, random_state=0)",
        "C": c, "threshold": threshold, "threshold_without_rule": threshold_none,
        "trusted_rules": list(trusted), "emit_on_trusted_rules": emit_trusted, "overrule_margin": overrule,
        "folds": args.folds,
        "documents": len(examples), "decisions": len(rows),
        "candidates": sum(len(d) for d in rows), "positives": sum(y for d in rows for _, y in d),
        "training_data": _hashes(corpora),
        "cross_validation": {"rules_only": cv["rules"], "model": cv["grid"][best], "setting": best,
                             "objective": list(OBJECTIVE),
                             "objective_rules_only": round(_objective(cv["rules"]), 4),
                             "objective_model": round(_objective(cv["grid"][best]), 4)},
        "nested_cross_validation": {**nested, "objective_rules_only": nested_rules,
                                    "objective_model": nested_model},
        "unseen_real_c01_c24": {"rules_only": score(unseen, RulesOnly()), "model": score(unseen, model)},
    }
    model.record = record
    text = json.dumps(model.to_json(), indent=1, ensure_ascii=False) + "\n"
    if args.check:
        current = attachment.MODEL_FILE.read_text(encoding="utf-8") if attachment.MODEL_FILE.exists() else ""
        fresh = model.to_json()
        keys = ("donor", "emit", "threshold", "trusted_rules", "overrule_margin", "use_by_default")
        same = bool(current) and all(json.loads(current).get(k) == fresh[k] for k in keys)
        print("model up to date" if same else "retraining changes the model")
        return 0 if same else 1
    attachment.MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
    attachment.MODEL_FILE.write_text(text, encoding="utf-8")
    summary = {k: (cv["rules"][k], cv["grid"][best][k]) for k in OBJECTIVE}
    print(f"chosen {best}; cross-validation F1 rules -> model: {summary}")
    print("nested cross-validation rules -> model: " + json.dumps(
        {k: (nested["rules_only"][k], nested["model"][k]) for k in OBJECTIVE}))
    print("c01-c24 rules -> model: " + json.dumps({k: (record['unseen_real_c01_c24']['rules_only'][k],
                                                        record['unseen_real_c01_c24']['model'][k])
                                                    for k in OBJECTIVE}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
