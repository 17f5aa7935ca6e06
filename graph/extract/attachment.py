"""The learned attachment step: which donor (if any) gives each item and sum.

For every item or sum that a live trigger (or a package the sentence goes on about) governs, the
candidates are the sentence's coordinated donor groups and the groups the article context offers
(the package's donors, the previous sentence's subject, a quotation's speaker). Each candidate is
described by language-independent features of the typed mentions (:func:`features`): where it
stands relative to the item and the trigger, the preposition before it, its kind, the trigger's class,
the clause structure, and which rule of :func:`graph.extract.pledges.rule_donor` picked what. Two
logistic regressions over these features make the decision: the *donor* model scores the
candidates and the best one is the giver; the *emit* model, on the best candidate's features, says
whether the thing is given at all - below its threshold there is no pledge (requests, agendas,
things mentioned that nobody gives). The rules are their features and their fallback: without the
model file, or with ``AIDGRAPH_ATTACHMENT=rules``, the rules decide alone. The committed model is
used by default only when its training record says it beat the rules on articles it was not trained
on (nested cross-validation, ``use_by_default``); ``AIDGRAPH_ATTACHMENT=model`` uses it regardless.

The weights live in ``model/attachment.json`` with the record of the data and settings they were
trained on (``scripts/train_attachment.py``, scikit-learn); applying them needs no dependency.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MODEL_FILE = Path(__file__).with_name("model") / "attachment.json"
_OVERRIDE: list[Any] = []  # a model set by use_model() (training, evaluation), innermost last


def _bucket(distance: int) -> str:
    if distance < 0:
        return "none"
    for limit in (0, 2, 5, 10, 20):
        if distance <= limit:
            return str(limit)
    return "far"


def _sentence_features(sentence) -> list[str]:
    """The features every candidate of a sentence shares (computed once per sentence)."""
    cached = sentence.__dict__.get("_features")
    if cached is not None:
        return cached
    view = sentence.view
    out = [f"groups={min(len(sentence.groups), 3)}"]
    for cue in ("continuation", "request", "agenda", "say", "first_person", "jointly", "package", "aid_noun",
                "background", "already", "addition", "including", "origin", "conditional"):
        if view.of(cue):
            out.append(f"has:{cue}")
    if sentence.continuation:
        out.append("continuation")
    if sentence.implicit:
        out.append("implicit")
    if view.quoted:
        out.append("quoted")
    if view.of("aid_recipient"):
        out.append("recipient_named")
    if view.of("adversary"):
        out.append("adversary_named")
    if view.position == 0:
        out.append("first_sentence")
    if not sentence.groups:
        out.append("no_donor_in_sentence")
    sentence.__dict__["_features"] = out
    return out


def _comma_clauses_of(sentence) -> list[int]:
    from graph.extract.pledges import _comma_clauses

    return _comma_clauses(sentence)


def _group_features(sentence, group) -> list[str]:
    """The features of a candidate group that do not depend on the item (cached per sentence)."""
    cache = sentence.__dict__.setdefault("_group_features", {})
    cached = cache.get(id(group))
    if cached is not None:
        return cached
    view = sentence.view
    out = [f"source={group.source}", f"before={group.before or 'none'}", f"size={min(len(group.keys), 3)}"]
    out += [f"cls={c}" for c in sorted({d.cls for d in group.donors})]
    out += [f"flavour={f}" for f in sorted({d.flavour for d in group.donors if d.cls == "country"})]
    if group.collective:
        out.append("collective")
    if group.first >= 0:
        if sentence.groups and sentence.groups[0] is group:
            out.append("first_group")
        if group.first == 0 or (group.first <= 2 and not view.of("say")):
            out.append("sentence_start")
        if any(0 <= c.first - group.last <= 1 for c in view.of("origin")):
            out.append("made_in")  # "American-made": where it was built, not who gives it
        if any(0 <= group.first - c.last <= 2 or 0 <= c.first - group.last <= 1 for c in view.of("say")):
            out.append("attribution")  # "..., said the ministry": who tells, perhaps not who gives
    else:
        out.append("from_context")
    cache[id(group)] = out
    return out


def _trigger_features(sentence, attachable, trigger) -> list[str]:
    """The features of the governing trigger (cached per sentence and trigger)."""
    if trigger is None:
        return ["trigger=none", "status=none"]
    cache = sentence.__dict__.setdefault("_trigger_features", {})
    cached = cache.get(id(trigger))
    if cached is None:
        view, clause = sentence.view, sentence.clause
        n = len(clause)
        own = clause[min(trigger.first, n - 1)]
        cached = [f"trigger={trigger.cls}", f"status={trigger.status}"]
        if trigger.future:
            cached.append("future")
        for cls in ("request", "agenda", "negation", "own_use", "say", "plan", "conditional"):
            if any(c.first >= trigger.last and clause[min(c.first, n - 1)] == own for c in view.of(cls)):
                cached.append(f"after_trigger:{cls}")
        for cls in ("conditional", "background", "say", "future"):
            if any(0 <= trigger.first - c.last <= 6 for c in view.of(cls)):
                cached.append(f"before_trigger:{cls}")  # "if Berlin sends", "earlier delivered"
        cache[id(trigger)] = cached
    return [*cached, f"trigger_item_gap={_bucket(abs(attachable.first - trigger.first))}"]


def features(sentence, attachable, trigger, group, rule_group, rule: str) -> list[str]:
    """The features of one candidate donor group for one attachable (names of active indicators)."""
    clause = sentence.clause
    n = len(clause)
    kind = attachable.kind
    out = [*_sentence_features(sentence), *_group_features(sentence, group),
           *_trigger_features(sentence, attachable, trigger),
           f"rule={rule}", f"kind={kind}", f"category={attachable.category}",
           f"rule={rule}|kind={kind}", f"source={group.source}|kind={kind}",
           f"trigger={trigger.cls if trigger else 'none'}|kind={kind}"]
    if group is rule_group:
        out += ["picked", f"picked:{rule}"]
    elif rule_group is None:
        out.append("rules_found_none")
    item = attachable.item
    if item is not None:
        out.append("system" if getattr(item, "equipment_id", None) else "generic_item")
    if attachable.quantity is not None:
        out.append("quantity")
    if group.first >= 0:
        a_first, a_last = attachable.first, attachable.last
        if group.last <= a_first:
            out += ["before_item", f"item_gap={_bucket(a_first - group.last)}"]
        elif group.first >= a_last:
            out += ["after_item", f"item_gap={_bucket(group.first - a_last)}"]
        else:
            out.append("inside_item")
        group_clause = clause[min(group.first, n - 1)]
        if group_clause == clause[min(a_first, n - 1)]:
            out.append("same_clause_item")
        if trigger is not None:
            if group.last <= trigger.first:
                out += ["before_trigger", f"trigger_gap={_bucket(trigger.first - group.last)}"]
            elif group.first >= trigger.last:
                out += ["after_trigger", f"trigger_gap={_bucket(group.first - trigger.last)}"]
            if group_clause == clause[min(trigger.first, n - 1)]:
                out.append("same_clause_trigger")
            commas = _comma_clauses_of(sentence)
            if commas[min(group.first, n - 1)] == commas[min(trigger.first, n - 1)]:
                out.append("same_comma_clause_trigger")
        low, high = min(group.last, a_first), max(group.first, a_first)
        nearest = None
        for other in sentence.groups:
            if other is not group and low <= other.first < high:
                out.append("donor_between")
                break
        for other in sentence.groups:
            if other.last <= a_first:
                nearest = other
        if nearest is group:
            out.append("nearest_before_item")
    return out


class Logistic:
    """A logistic regression over feature names: ``weights`` and ``bias``."""

    def __init__(self, weights: dict[str, float], bias: float) -> None:
        self.weights = weights
        self.bias = bias

    def probability(self, names: list[str]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) for name in names)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {"bias": self.bias, "weights": dict(sorted(self.weights.items()))}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Logistic:
        return cls(dict(data["weights"]), float(data["bias"]))


class AttachmentModel:
    """The donor model (which candidate gives), the emit model (whether anything is given) and the
    probability ``threshold`` the emit model must reach."""

    def __init__(self, donor: Logistic, emit: Logistic, threshold: float = 0.5,
                 record: dict[str, Any] | None = None, trusted: tuple[str, ...] = (),
                 emit_trusted: bool = True, threshold_none: float = 0.5,
                 overrule: float | None = None, by_default: bool = True) -> None:
        self.donor = donor
        self.emit = emit
        self.threshold = threshold
        self.record = record or {}
        self.trusted = tuple(trusted)  # rules whose choice of donor stands (the model decides elsewhere)
        self.emit_trusted = emit_trusted  # whether the emit model may still drop a trusted rule's pledge
        self.threshold_none = threshold_none  # what a giver the rules did not find needs
        # how much more likely than a trusted rule's choice another candidate must be to replace it
        # (None: a trusted rule's choice always stands)
        self.overrule = overrule
        # whether extraction uses it without being asked (AIDGRAPH_ATTACHMENT=model): only a model
        # that beat the rules on articles it was not trained on (nested cross-validation)
        self.by_default = by_default

    def ranked(self, sentence, attachable, trigger, rule_group, rule: str, candidates: list):
        """``(probability, -index, group, feature names)`` of every candidate, best first."""
        scored = []
        for group in candidates:
            names = features(sentence, attachable, trigger, group, rule_group, rule)
            scored.append((self.donor.probability(names), -len(scored), group, names))
        return sorted(scored, key=lambda row: (row[0], row[1]), reverse=True)

    def best(self, sentence, attachable, trigger, rule_group, rule: str, candidates: list):
        """``(group, its feature names)`` of the candidate the donor model ranks first."""
        _, _, group, names = self.ranked(sentence, attachable, trigger, rule_group, rule, candidates)[0]
        return group, names

    def choose(self, sentence, attachable, trigger, rule_group, rule: str, candidates: list):
        """``(group, probability)``: the best candidate, or ``(None, p)`` when the emit model says
        nothing is given; None when there is no candidate at all (the rules decide)."""
        if not candidates:
            return None
        if rule in self.trusted and rule_group is not None:
            group = rule_group
            names = features(sentence, attachable, trigger, group, rule_group, rule)
            if self.overrule is not None and len(candidates) > 1:
                ranked = self.ranked(sentence, attachable, trigger, rule_group, rule, candidates)
                own = next((row[0] for row in ranked if row[2] is rule_group), 0.0)
                if ranked[0][2] is not rule_group and ranked[0][0] - own >= self.overrule:
                    group, names = ranked[0][2], ranked[0][3]
            if not self.emit_trusted:
                return group, self.emit.probability(names)
        else:
            group, names = self.best(sentence, attachable, trigger, rule_group, rule, candidates)
        p = self.emit.probability(names)
        if p < (self.threshold if rule_group is not None else self.threshold_none):
            return None, p
        return group, p

    def to_json(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "threshold_without_rule": self.threshold_none,
                "trusted_rules": list(self.trusted),
                "emit_on_trusted_rules": self.emit_trusted, "overrule_margin": self.overrule,
                "use_by_default": self.by_default,
                "record": self.record,
                "donor": self.donor.to_json(), "emit": self.emit.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AttachmentModel:
        return cls(Logistic.from_json(data["donor"]), Logistic.from_json(data["emit"]),
                   float(data.get("threshold", 0.5)), data.get("record"),
                   tuple(data.get("trusted_rules", ())), bool(data.get("emit_on_trusted_rules", True)),
                   float(data.get("threshold_without_rule", 0.5)),
                   None if data.get("overrule_margin") is None else float(data["overrule_margin"]),
                   bool(data.get("use_by_default", True)))


@functools.cache
def _committed_model() -> AttachmentModel | None:
    if not MODEL_FILE.exists():
        return None
    return AttachmentModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))


def load_model():
    """The model extraction uses: one set by :func:`use_model`, else the committed one when its record
    says it beat the rules on unseen articles (``use_by_default``) or ``AIDGRAPH_ATTACHMENT=model``
    asks for it; None (the rules decide alone) with ``AIDGRAPH_ATTACHMENT=rules``, without a model
    file, or when the committed model did not beat the rules."""
    if _OVERRIDE:
        return _OVERRIDE[-1]
    choice = os.environ.get("AIDGRAPH_ATTACHMENT", "").strip().lower()
    if choice == "rules":
        return None
    model = _committed_model()
    if model is None or (choice != "model" and not model.by_default):
        return None
    return model


@contextlib.contextmanager
def use_model(model) -> Iterator[None]:
    """Extract with ``model`` (an AttachmentModel, a recorder with a ``choose`` method, or None for
    rules only) inside the block."""
    _OVERRIDE.append(model)
    try:
        yield
    finally:
        _OVERRIDE.pop()


class RulesOnly:
    """The stand-in that lets the rules decide everything (``use_model(RulesOnly())``)."""

    def choose(self, *args, **kwargs):
        return None


__all__ = ["MODEL_FILE", "AttachmentModel", "Logistic", "RulesOnly", "features", "load_model", "use_model"]
