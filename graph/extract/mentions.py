"""One cross-language representation of a sentence: a sequence of typed mentions.

Every sentence becomes a :class:`SentenceView`: its tokens with lemmas and, in text order, typed
mentions - donors (country, organisation, collective, person with a post, institution), items
(systems and category nouns), sums, dates, triggers by class (give, deliver, fund, buy_for, plan,
propose, train, receive, deploy, pledge, include) and cues (negation, request, agenda, background,
cumulative, package, jointly, prepositions, complementisers, contrast openers, quote boundaries ...).
Everything after this step (who gives what, when) works on these mentions only, the same way in
every language; the words behind them are data (:mod:`graph.extract.cues`, the gazetteer, the
item and number normalisers).
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from typing import Any

from graph.extract.cues import TRIGGER_CLASSES, Cue, RelationLexicon
from graph.extract.lexicon import Lexicon
from graph.model import MULTIPLE_DONORS

DONOR, RECIPIENT, ITEM, MONEY, DATE, TRIGGER, CUE, QUOTE = (
    "donor", "aid_recipient", "item", "money", "date", "trigger", "cue", "quote")
QUOTE_MARKS = "\"«»“”„"
DASHES = "-–—"
BULLETS = DASHES + "•·▪●◦*"


_NONE: list = []


@dataclass(slots=True)
class TypedMention:
    """A typed span of a sentence: ``kind`` and ``cls`` say what it is, ``first``/``last`` are token
    indices (``last`` exclusive), ``start``/``end`` character offsets in the normalised text."""

    kind: str
    cls: str
    first: int
    last: int
    start: int
    end: int
    key: str | None = None  # the donor (ISO code, organisation key, "multiple")
    value: Any = None  # the Item, MoneyMention, DateMention or Cue behind it
    flavour: str = ""  # donors: name | adjective | metonym | genitive | person | collective | institution


@dataclass
class SentenceView:
    """A sentence as tokens, lemmas and typed mentions (sorted by position)."""

    position: int  # index of the sentence in the article
    unit: Any  # the pipeline's SentenceUnit
    tokens: list
    lemmas: list[str]
    mentions: list[TypedMention]
    by_class: dict[str, list[TypedMention]] = field(default_factory=dict)
    quoted: bool = False  # the sentence is (inside) a quotation
    relations: RelationLexicon | None = None

    @property
    def text(self) -> str:
        return self.unit.sentence.text

    @property
    def offset(self) -> int:
        return self.unit.sentence.start

    @property
    def paragraph(self) -> int:
        return self.unit.sentence.paragraph

    def of(self, *classes: str) -> list[TypedMention]:
        """The mentions of the given classes (triggers, cues, donor flavours ...), in text order."""
        if len(classes) == 1:
            return self.by_class.get(classes[0], _NONE)
        cached = self.by_class.get(classes)
        if cached is None:
            cached = [m for c in classes for m in self.by_class.get(c, _NONE)]
            cached.sort(key=lambda m: (m.first, -m.last))
            self.by_class[classes] = cached
        return cached

    def kind(self, kind: str) -> list[TypedMention]:
        return [m for m in self.mentions if m.kind == kind]

    def gap_text(self, end: int, start: int) -> str:
        """The text between character offsets ``end`` and ``start``."""
        return self.text[end - self.offset : start - self.offset] if start > end else ""

    @property
    def gaps(self) -> list[str]:
        """The text before each token since the previous one ("" before the first), computed once."""
        try:
            return self.__dict__["_gaps"]
        except KeyError:
            text, offset, tokens = self.text, self.offset, self.tokens
            gaps = [""] + [text[a.end - offset : b.start - offset] if b.start > a.end else ""
                           for a, b in itertools.pairwise(tokens)]
            self.__dict__["_gaps"] = gaps
            return gaps

    def token_at(self, char: int) -> int:
        """The index of the token that contains or follows character offset ``char``."""
        starts = self._starts
        index = bisect.bisect_right(starts, char) - 1
        if index >= 0 and char < self.tokens[index].end:
            return index
        return min(index + 1, len(self.tokens))

    @property
    def _starts(self) -> list[int]:
        try:
            return self.__dict__["_token_starts"]
        except KeyError:
            starts = [t.start for t in self.tokens]
            self.__dict__["_token_starts"] = starts
            return starts


def _span_tokens(view_starts: list[int], tokens: list, start: int, end: int) -> tuple[int, int]:
    first = bisect.bisect_left(view_starts, start)
    if first > 0 and tokens[first - 1].end > start:
        first -= 1
    last = bisect.bisect_left(view_starts, end)
    return first, max(last, first + 1)


def build_view(position: int, unit, tokens: list, relations: RelationLexicon, lexicon: Lexicon,
               persons, published) -> SentenceView:
    """The typed mentions of one sentence (``unit``: the pipeline's SentenceUnit)."""
    text, offset = unit.sentence.text, unit.sentence.start
    lemmas = relations.lemmas(tokens)
    starts = [t.start for t in tokens]
    mentions: list[TypedMention] = []

    def add(kind: str, cls: str, start: int, end: int, **extra) -> TypedMention:
        first, last = _span_tokens(starts, tokens, start, end)
        mention = TypedMention(kind, cls, first, last, start, end, **extra)
        mentions.append(mention)
        return mention

    for item in unit.items:
        add(ITEM, "item", item.start, item.end, value=item)
    for amount in unit.money:
        add(MONEY, "money", amount.start, amount.end, value=amount)
    for date in unit.dates:
        add(DATE, "date", date.start, date.end, value=date)
    names = [(m.start, m.end) for m in unit.mentions if m.kind in ("country", "org", "person", "surname")]
    cues = relations.find(text, offset, tokens, lemmas, names)
    item_spans = [(i.start, i.end) for i in unit.items]
    openers = {(c.first, c.last) for c in cues if c.cls == "including"}
    deadlines = {c.first for c in cues if c.cls == "deadline"}
    for cue in cues:
        kind = TRIGGER if cue.cls in TRIGGER_CLASSES else CUE
        if cue.cls == "background" and cue.first in deadlines:
            continue  # "before the end of", "antes del verano", "d'ici": a deadline, not "before"/"earlier"
        if kind == TRIGGER and cue.cls != "train" and _inside(cue.start, cue.end, item_spans):
            continue  # "Patriot launcher" is no verb
        if kind == TRIGGER and (cue.first, cue.last) in openers:
            continue  # "including", "darunter": a list opener, not a verb of its own
        mentions.append(TypedMention(kind, cue.cls, cue.first, cue.last, cue.start, cue.end, value=cue))
        if kind == TRIGGER and relations.is_first_person(tokens[cue.first]):
            mentions.append(TypedMention(CUE, "first_person", cue.first, cue.first + 1, cue.start,
                                         tokens[cue.first].end, value=cue))
    _add_donors(add, unit, text, offset, tokens, lemmas, cues, lexicon, relations, persons, published,
                item_spans)
    mentions.sort(key=lambda m: (m.first, -m.last))
    by_class = _by_class(mentions)
    stripped = text.lstrip()
    quoted = bool(stripped) and (stripped[0] in QUOTE_MARKS or stripped[0] in DASHES)
    return SentenceView(position, unit, tokens, lemmas, mentions, by_class, quoted, relations)


def _by_class(mentions: list[TypedMention]) -> dict[str, list[TypedMention]]:
    by_class: dict[str, list[TypedMention]] = {}
    for m in mentions:
        by_class.setdefault(m.cls, []).append(m)
        if m.kind != m.cls:
            by_class.setdefault(m.kind, []).append(m)
    return by_class


def mark_list_items(views: list[SentenceView]) -> None:
    """Lines of a list under a line that ends with a colon ("The package contains:" and then one
    bulleted line per item) go on about what that line opened: each gets a ``continuation`` cue on
    its first token, and a dash that opens it marks a list line, not a quotation."""
    listing = False
    for index, view in enumerate(views):
        stripped = view.text.lstrip()
        bullet = bool(stripped) and stripped[0] in BULLETS and bool(view.tokens)
        if bullet and index > 0 and (listing or views[index - 1].text.rstrip().endswith(":")):
            token = view.tokens[0]
            cue = Cue("continuation", 0, 1, token.start, token.end, stripped[0])
            view.mentions.insert(0, TypedMention(CUE, "continuation", 0, 1, token.start, token.end,
                                                 value=cue))
            view.by_class = _by_class(view.mentions)
            view.quoted = False
            listing = True
        else:
            listing = False


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _add_donors(add, unit, text: str, offset: int, tokens: list, lemmas: list[str], cues: list[Cue],
                lexicon: Lexicon, relations: RelationLexicon, persons, published,
                item_spans: list[tuple[int, int]]) -> None:
    """Donor (and recipient) mentions: countries, organisations that give, persons with a post,
    collective nouns ("allies"), and the government of the lexicon's home country."""
    media = lexicon.pattern("media_nouns")
    taken: list[tuple[int, int]] = []
    seen: set[tuple[int, int, str]] = set()
    officers: set[str] = set()
    if persons is not None:
        for person in persons.mentions.get(unit.sentence.index, []):
            key = persons.donor_of(person.person, published, lexicon.donor_roles)
            if key and key not in lexicon.non_donors and (person.start, person.end, key) not in seen:
                seen.add((person.start, person.end, key))
                officers.add(key)
                add(DONOR, "person", person.start, person.end, key=key, flavour="person")
                taken.append((person.start, person.end))
    for mention in unit.mentions:
        span = (mention.start, mention.end, mention.key)
        if span in seen or (item_spans and _inside(mention.start, mention.end, item_spans)):
            continue
        seen.add(span)
        following = text[mention.end - offset : mention.end - offset + 20]
        if media and following[:1] == " " and media.match(following.lstrip()):
            continue
        if mention.kind == "country":
            if mention.flavour == "metonym" and _dateline(text, offset, mention):
                continue  # "PARIS —", "BERLIN (dpa) -": where the report was filed, not who gives
            if mention.key in lexicon.non_donors:
                if mention.key == lexicon.default_recipient:
                    add(RECIPIENT, RECIPIENT, mention.start, mention.end, key=mention.key,
                        flavour=mention.flavour)
                else:  # Russia and its allies: the other side of the war
                    add(CUE, "adversary", mention.start, mention.end, key=mention.key)
                continue
            flavour = mention.flavour
            if flavour == "name" and _genitive(mention.surface, lexicon):
                flavour = "genitive"
            add(DONOR, "country", mention.start, mention.end, key=mention.key, flavour=flavour)
            taken.append((mention.start, mention.end))
        elif mention.kind == "org":
            if mention.key in lexicon.purchase_mechanisms:  # "under PURL", "to the IFU"
                add(CUE, "mechanism", mention.start, mention.end, key=mention.key)
            key = lexicon.org_donor.get(mention.key)
            # an officer of the organisation acts for it: its secretary general gives for the alliance
            if key is not None and mention.key not in officers:
                add(DONOR, "org", mention.start, mention.end, key=key, flavour=mention.key)
                taken.append((mention.start, mention.end))
    # a bare definite plural after an article and a qualifier stays a collective: "de nordiske landene"
    # is a group of its own, "landene" / "the countries" the countries named just before
    articles = {c.first for c in cues if c.cls == "article"}
    cues = [c for c in cues if c.cls != "plural_reference" or c.last - c.first > 1
            or c.first - 2 not in articles]
    references = [(c.start, c.end) for c in cues if c.cls == "plural_reference"]
    for cue in cues:
        if cue.cls not in ("collective", "government", "plural_reference"):
            continue
        if taken and any(s < cue.end and cue.start < e for s, e in taken):
            continue
        if cue.cls == "plural_reference":  # "the three countries": resolved against the article later
            add(DONOR, "collective", cue.start, cue.end, key=MULTIPLE_DONORS, flavour="reference")
        elif cue.cls == "collective":
            if any(s < cue.end and cue.start < e for s, e in references):
                continue
            add(DONOR, "collective", cue.start, cue.end, key=MULTIPLE_DONORS, flavour="collective")
        elif cue.cls == "government":
            key = _institution(cue, lemmas, relations)
            described = any(0 <= cue.start - e <= 2 or 0 <= s - cue.end <= 4 for s, e in taken)
            # "die Regierung in Kiew", "regeringen i Berlin": a government placed elsewhere is not
            # the home country's
            placed = any(c.cls == "locative" and c.first == cue.last for c in cues)
            if key and not described and not placed:
                add(DONOR, "institution", cue.start, cue.end, key=key, flavour="institution")


_DATELINE_AFTER = "—–-(,/"  # what follows the place of a dateline ("PARIS —", "OSLO (NTB)", "KYIV,")


def _dateline(text: str, offset: int, mention) -> bool:
    """A capital written in capitals at the start of a sentence, before a dash, bracket, comma or slash:
    the place a report was filed from (typography, the same in every language)."""
    if not mention.surface.isupper() or len(mention.surface) < 3:
        return False
    before = text[: mention.start - offset]
    if before.strip(" /\n") and not (before.strip(" /\n").isupper() and before.rstrip().endswith("/")):
        return False
    after = text[mention.end - offset : mention.end - offset + 3].lstrip()
    return bool(after) and after[0] in _DATELINE_AFTER


def _institution(cue: Cue, lemmas: list[str], relations: RelationLexicon) -> str | None:
    lemma = " ".join(lemmas[cue.first : cue.last])
    return relations.institutions.get(lemma) or relations.home_country


def _genitive(surface: str, lexicon: Lexicon) -> bool:
    return any(surface.endswith(s) for s in lexicon.genitive_suffixes if s)


__all__ = ["CUE", "DATE", "DONOR", "ITEM", "MONEY", "QUOTE", "RECIPIENT", "TRIGGER", "SentenceView",
           "TypedMention", "build_view", "mark_list_items"]
