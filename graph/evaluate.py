"""Quality measurement: precision, recall and F1 per fact kind against gold annotations.

The metric definitions are a faithful port of ``../shared/eval/score.py`` (same tuples, same
micro-averaged P/R/F1, same rounding), so that the numbers agree with it without needing ``../shared``:

    score_dirs(gold_dir, system_dir)  -> EvaluationResult   # extraction records already on disk
    evaluate(gold_dir, corpus_dir)    -> EvaluationResult   # runs graph.extract.extract on the corpus
    by_rule(gold_dir, corpus_dir)     -> [RuleScore, ...]   # precision and count per extraction rule
    load_floors(path)                 -> {kind: minimum F1}
    result.missed_floors(floors)      -> [(kind, f1, floor), ...]

A gold file ``<stem>.json`` is scored against the article whose source file stem is ``<stem>``;
an article that is missing or could not be read counts as "nothing extracted".
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError

KINDS = ["persons", "roles", "countries", "meeting_dates", "attendance", "equipment_categories",
         "pledge_donor_category", "air_defence_who_when", "pledge_money", "pledge_quantity", "pledge_items"]
ERROR_KINDS = ("pledge_donor_category", "roles", "air_defence_who_when")


# --------------------------------------------------------------------------- metric definitions (score.py)

def norm(value: Any) -> str | None:
    """Accent-free, case-folded alphanumerics of ``value`` (None stays None)."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", text.casefold())


def surname(name: Any) -> str | None:
    """The normalised last word of a person's name."""
    parts = [x for x in re.split(r"\s+", str(name or "").strip()) if x]
    return norm(parts[-1]) if parts else None


#: groups of names of one item ("Robot 70" ~ "RBS 70"); the same file as ../shared/eval/item_aliases.json
ITEM_ALIASES_FILE = Path(__file__).with_name("item_aliases.json")


@functools.cache
def _aliases() -> dict[str, str]:
    """normalised name -> normalised first name of its alias group."""
    aliases: dict[str, str] = {}
    for group in json.loads(ITEM_ALIASES_FILE.read_text(encoding="utf-8")):
        for name in group:
            aliases[norm(name)] = norm(group[0])
    return aliases


def equip_match(a: Any, b: Any) -> bool:
    """Item names match when equal, when one is a prefix or suffix of the other ("IRIS-T" ~ "IRIS-T SLM",
    "Gepard" ~ "Flakpanzer Gepard"), or when they are aliases of each other (after :func:`norm`)."""
    a, b = norm(a), norm(b)
    if not a or not b:
        return False
    aliases = _aliases()
    a, b = aliases.get(a, a), aliases.get(b, b)
    return a == b or a.startswith(b) or b.startswith(a) or a.endswith(b) or b.endswith(a)


def to_ukraine(pledge: dict[str, Any]) -> bool:
    """Pledges count when their recipient is Ukraine or unstated (CONVENTIONS.md, rule 3)."""
    return str(pledge.get("recipient") or "UA").upper() == "UA"


def _donor(pledge: dict[str, Any]) -> str | None:
    return str(pledge.get("donor") or "").upper() or None


def tuples(record: dict[str, Any]) -> dict[str, set]:
    """Each fact kind of one extraction (or gold) record as a set of hashable tuples."""
    out: dict[str, set] = {}
    persons = record.get("persons") or []
    out["persons"] = {surname(p.get("name")) for p in persons if p.get("name")}
    roles = set()
    for p in persons:
        for r in p.get("roles") or []:
            if r.get("role") and r.get("role") != "other":
                roles.add((surname(p.get("name")), r.get("role"), (r.get("country") or "").upper() or None))
    out["roles"] = roles
    out["countries"] = {str(c).upper() for c in record.get("countries") or [] if c}
    meetings = record.get("meetings") or []
    out["meeting_dates"] = {m.get("date") for m in meetings if m.get("date")}
    attend = set()
    for m in meetings:
        for who in (m.get("participants") or []) + (m.get("remote_participants") or []):
            if m.get("date") and isinstance(who, str) and len(who) > 3:
                attend.add((m.get("date"), surname(who)))
    out["attendance"] = attend
    equipment = record.get("equipment") or []
    out["equipment_categories"] = {e.get("category") for e in equipment if e.get("category")}
    pledges = [p for p in record.get("pledges") or [] if to_ukraine(p)]
    out["pledge_donor_category"] = {(_donor(p), p.get("category")) for p in pledges if p.get("category")}
    out["air_defence_who_when"] = {(_donor(p), p.get("date")) for p in pledges
                                   if p.get("category") == "air_defence"}
    out["pledge_money"] = {(_donor(p), (p.get("currency") or "").upper(), round(float(p["amount"]) / 1e6, 1))
                           for p in pledges if p.get("amount") not in (None, "") and p.get("currency")}
    out["pledge_quantity"] = {(_donor(p), int(p["quantity"])) for p in pledges
                              if isinstance(p.get("quantity"), int | float) and p.get("quantity")}
    out["pledge_items"] = {(_donor(p), norm(p.get("item"))) for p in pledges if p.get("item")}
    return out


def fuzzy_overlap(kind: str, gold: set, system: set) -> int:
    """True positives, allowing equipment-name prefixes for ``pledge_items``."""
    if kind != "pledge_items":
        return len(gold & system)
    # first fit over the sets exactly as score.py does, so both give the same numbers in one process
    # (the pairing, and so the count, can change with PYTHONHASHSEED: fix it for repeatable figures)
    used, tp = set(), 0
    for g in gold:
        for s in system:
            if s not in used and s[0] == g[0] and equip_match(g[1], s[1]):
                used.add(s)
                tp += 1
                break
    return tp


# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class KindScore:
    """Micro-averaged scores of one fact kind (rounded to 3 decimals, as score.py does)."""

    precision: float
    recall: float
    f1: float
    gold: int
    system: int
    true_positives: int


@dataclass
class EvaluationResult:
    """Scores per fact kind, the error lines of ``--show-errors`` and what could not be scored."""

    scores: dict[str, KindScore]
    errors: list[str] = field(default_factory=list)
    documents: int = 0
    missing: list[str] = field(default_factory=list)     # gold documents without a usable article
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # stem -> system record

    def as_score_py(self) -> dict[str, dict[str, Any]]:
        """The dict score.py's ``score()`` returns (same keys and values)."""
        return {kind: {"precision": s.precision, "recall": s.recall, "f1": s.f1, "gold": s.gold,
                       "system": s.system} for kind, s in self.scores.items()}

    def as_dict(self) -> dict[str, Any]:
        """Everything as JSON-ready data (without the system records)."""
        return {"documents": self.documents, "missing": self.missing,
                "scores": {kind: asdict(s) for kind, s in self.scores.items()}, "errors": self.errors}

    def missed_floors(self, floors: dict[str, float]) -> list[tuple[str, float, float]]:
        """``(kind, f1, floor)`` for every kind whose F1 is below its floor."""
        missed = []
        for kind, floor in floors.items():
            if kind not in self.scores:
                raise InputError(f"unknown fact kind {kind!r} in the floors",
                                 hint=f"use one of: {', '.join(KINDS)}")
            if self.scores[kind].f1 < floor:
                missed.append((kind, self.scores[kind].f1, floor))
        return missed


def score_records(gold: dict[str, dict[str, Any]], system: dict[str, dict[str, Any]], *,
                  show_errors: bool = False) -> EvaluationResult:
    """Score system records against gold records, both keyed by document stem."""
    totals = {k: [0, 0, 0] for k in KINDS}  # tp, n_system, n_gold
    errors = []
    for stem in sorted(gold):
        gold_tuples = tuples(gold[stem])
        system_tuples = tuples(system[stem]) if stem in system else {k: set() for k in KINDS}
        for k in KINDS:
            tp = fuzzy_overlap(k, gold_tuples[k], system_tuples[k])
            totals[k][0] += tp
            totals[k][1] += len(system_tuples[k])
            totals[k][2] += len(gold_tuples[k])
            if show_errors and k in ERROR_KINDS:
                miss, extra = gold_tuples[k] - system_tuples[k], system_tuples[k] - gold_tuples[k]
                if miss or extra:
                    missed, added = sorted(map(str, miss)), sorted(map(str, extra))
                    errors.append(f"{stem} {k}: missed {missed} extra {added}")
    scores = {}
    for k, (tp, n_system, n_gold) in totals.items():
        p = tp / n_system if n_system else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        scores[k] = KindScore(round(p, 3), round(r, 3), round(f, 3), n_gold, n_system, tp)
    return EvaluationResult(scores=scores, errors=errors, documents=len(gold),
                            missing=sorted(set(gold) - set(system)), records=dict(system))


def load_records(folder: str | Path) -> dict[str, dict[str, Any]]:
    """Every ``*.json`` record in ``folder`` and its sub-folders (``gold/<lang>/``), keyed by stem."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError(f"{folder}: not a folder of JSON records",
                         hint="give the folder with <stem>.json files")
    records = {}
    for file in sorted(path.rglob("*.json")):
        try:
            records[file.stem] = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{file}: not a readable JSON record ({exc})",
                             hint="fix or remove the file") from exc
    return records


def score_dirs(gold_dir: str | Path, system_dir: str | Path, *,
               show_errors: bool = False) -> EvaluationResult:
    """Score a folder of system records against a folder of gold records (what score.py does)."""
    gold = load_records(gold_dir)
    system_path = Path(system_dir)
    system = {stem: record for stem, record in load_records(system_path).items() if stem in gold}
    return score_records(gold, system, show_errors=show_errors)


# --------------------------------------------------------------------------- running the extractor

def _articles(corpus_dir: Path) -> Iterable[Any]:
    from graph.ingest import read_articles

    return read_articles([corpus_dir])


def _default_extractor() -> Callable[[Any], Any]:
    try:
        from graph.extract import extract
    except ImportError as exc:
        from graph.errors import ExtractionError

        raise ExtractionError("the extractor graph.extract.extract is not available",
                              hint=f"it could not be imported ({exc})") from exc
    return extract


def evaluate(gold_dir: str | Path, corpus_dir: str | Path, *, show_errors: bool = False,
             extractor: Callable[[Any], Any] | None = None) -> EvaluationResult:
    """Run the extractor on every article of ``corpus_dir`` (``.txt`` + ``manifest.json`` or sidecars,
    read with :func:`graph.ingest.read_articles`) and score it against the gold records of ``gold_dir``.

    ``extractor`` maps an Article to an Extraction (default: :func:`graph.extract.extract`)."""
    corpus = Path(corpus_dir)
    if not corpus.is_dir():
        raise InputError(f"{corpus_dir}: not a folder", hint="give the folder with the article files")
    gold = load_records(gold_dir)
    if not gold:
        raise InputError(f"{gold_dir}: no gold records (*.json)", hint="check the --gold folder")
    extract = extractor or _default_extractor()
    system, failures = {}, []
    for item in _articles(corpus):
        source = getattr(item, "source", None) or ""
        stem = Path(source).stem
        if not hasattr(item, "text"):  # an IngestFailure
            failures.append(f"{stem or source}: not read: {getattr(item, 'reason', item)}")
            continue
        if stem in gold:
            system[stem] = extract(item).to_record()
    result = score_records(gold, system, show_errors=show_errors)
    result.errors = failures + result.errors
    return result


@dataclass(frozen=True)
class RuleScore:
    """How often a rule (``evidence.rule`` without its language prefix) made a fact of ``kind`` on a
    gold corpus, and how many of those facts the gold has (``correct``)."""

    rule: str
    kind: str
    count: int
    correct: int

    @property
    def precision(self) -> float:
        return round(self.correct / self.count, 3) if self.count else 0.0


def _rule_name(evidence) -> str:
    rule = getattr(evidence, "rule", None) or "(none)"
    head, _, rest = rule.partition(".")
    return rest if rest and len(head) <= 3 else rule  # "de.pledge.subject.item" -> "pledge.subject.item"


def _judged_facts(extraction, gold_tuples: dict[str, set]) -> Iterable[tuple[str, str, bool]]:
    """(kind, rule, correct) of every pledge, meeting and person of one extraction: a pledge is
    correct when the gold has its (donor, category), a meeting when the gold has its date, a person
    when the gold has the surname."""
    for pledge in extraction.pledges:
        if str(pledge.recipient or "UA").upper() != "UA" or not pledge.category:
            continue
        donor = str(pledge.donor or "").upper() or None
        yield ("pledge", _rule_name(pledge.evidence),
               (donor, pledge.category) in gold_tuples["pledge_donor_category"])
    for meeting in extraction.meetings:
        if meeting.date:
            rule = _rule_name(meeting.evidence[0]) if meeting.evidence else "(none)"
            yield "meeting", rule, meeting.date in gold_tuples["meeting_dates"]
    for person in extraction.persons:
        rule = _rule_name(person.evidence[0]) if person.evidence else "(none)"
        yield "person", rule, surname(person.name) in gold_tuples["persons"]


def by_rule(gold_dir: str | Path, corpus_dir: str | Path, *,
            extractor: Callable[[Any], Any] | None = None) -> list[RuleScore]:
    """Precision and count per rule on a gold corpus (``aidgraph evaluate --by-rule``): the rules
    whose facts the gold does not have are the ones that hurt. Pledge rules name the attachment
    rule and the kind of thing (``pledge.agent.money``, ``pledge.model.subject.item``). With the
    default extractor, rows of kind ``feature`` give each attachment-model feature's precision over
    the donor decisions that had it (see :class:`_FeatureRecorder`)."""
    corpus = Path(corpus_dir)
    if not corpus.is_dir():
        raise InputError(f"{corpus_dir}: not a folder", hint="give the folder with the article files")
    gold = load_records(gold_dir)
    extract = extractor or _default_extractor()
    recorder = _FeatureRecorder() if extractor is None else None
    counts: dict[tuple[str, str], list[int]] = {}
    for item in _articles(corpus):
        stem = Path(getattr(item, "source", None) or "").stem
        if not hasattr(item, "text") or stem not in gold:
            continue
        gold_tuples = tuples(gold[stem])
        judged = list(_judged_facts(recorder.extract(extract, item) if recorder else extract(item),
                                    gold_tuples))
        if recorder is not None:
            judged += recorder.judged(gold_tuples)
        for kind, rule, correct in judged:
            row = counts.setdefault((kind, rule), [0, 0])
            row[0] += 1
            row[1] += int(correct)
    rows = [RuleScore(rule, kind, n, ok) for (kind, rule), (n, ok) in counts.items()]
    return sorted(rows, key=lambda r: (r.kind, -r.count, r.rule))


class _FeatureRecorder:
    """Per-feature precision of the attachment step: every decision the attachment model faces (the
    rules' choice of donor group for an item or sum) with the features of the chosen group
    (graph.extract.attachment.features); a decision is correct when the gold has a pledge of its
    category from one of the group's donors. The rules keep deciding (or the model, when in use)."""

    def __init__(self) -> None:
        self.decisions: list[tuple[list[str], list[str], str | None]] = []
        self.inner = None

    def choose(self, sentence, attachable, trigger, rule_group, rule, candidates):
        from graph.extract.attachment import features

        choice = self.inner.choose(sentence, attachable, trigger, rule_group, rule, candidates) \
            if self.inner is not None else None
        group = rule_group if choice is None else choice[0]
        if group is not None and group.keys:
            names = features(sentence, attachable, trigger, group, rule_group, rule)
            self.decisions.append((group.keys, names, attachable.category))
        return choice

    def extract(self, extract, article):
        from graph.extract.attachment import load_model, use_model

        self.decisions = []
        self.inner = load_model()
        with use_model(self):
            return extract(article)

    def judged(self, gold_tuples) -> list[tuple[str, str, bool]]:
        wanted = gold_tuples["pledge_donor_category"]
        out = []
        for keys, names, category in self.decisions:
            correct = any((str(k).upper(), category) in wanted for k in keys)
            out += [("feature", name, correct) for name in dict.fromkeys(names)]
        return out


def load_floors(path: str | Path) -> dict[str, float]:
    """Minimum F1 per fact kind from a floors file: ``{"f1": {"persons": 0.95, ...}}``."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such floors file",
                         hint="give --floors tests/quality/floors.json") from exc
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})", hint="fix the floors file") from exc
    floors = data.get("f1") if isinstance(data, dict) else None
    if not isinstance(floors, dict) or not all(isinstance(v, int | float) for v in floors.values()):
        raise InputError(f"{path}: expected {{\"f1\": {{kind: minimum, ...}}}}",
                         hint=f"kinds are: {', '.join(KINDS)}")
    unknown = sorted(set(floors) - set(KINDS))
    if unknown:
        raise InputError(f"{path}: unknown fact kinds {unknown}", hint=f"use one of: {', '.join(KINDS)}")
    return {kind: float(value) for kind, value in floors.items()}
