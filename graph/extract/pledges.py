"""Pledges (n-ary): who gives what to whom, when - decided once, for every language, over the typed
mentions of :mod:`graph.extract.mentions`.

Per sentence:
1. **triggers** get a status from their class and aspect (plan -> planned, propose -> proposed, a past
   form of give/deliver/receive -> delivered, else pledged; a verb of intention governs the verb it
   takes: "plans to send"); a negation before or right after, a request ("urged allies to provide"),
   an agenda ("discussed how to ...") or an own-use cue ("for its own forces") blocks them, and so
   does a programme description ("a mechanism which allows allies to buy ...") or an "include" that
   lists a coalition's members; a present passive auxiliary keeps a participle pledged ("werden ...
   geliefert"); a participle of promise before its item ("the promised tanks") yields to the clause's verb;
2. **attachables** are the items, the sums (not conversions of another sum) and, for a package named
   without contents or value, the package itself; a sum earmarked for an item ("€500m for drones",
   "worth", "to buy") carries that item;
3. each attachable is **governed** by the nearest trigger of its clause (before it, else after it),
   else of the sentence; a sentence that goes on about a package ("It includes", "Paketet ...") is
   governed by the package;
4. its **donor** is chosen among the sentence's coordinated donor groups and the article context
   (package donors, the previous sentence's subject, a quotation's speaker) - by the learned
   attachment model of :mod:`graph.extract.attachment` when it is loaded, else by the rules:
   an agent right after it ("from Latvia and Estonia", "by Greece, Croatia, and Slovenia"),
   the subject of its trigger's clause, a donor right after the trigger (inverted order), the
   subject of an earlier clause, the only donor of the sentence, the context;
5. a group of several donors gives one pledge each; the quantity or sum they share goes to one
   ``multiple`` pledge (CONVENTIONS.md rule 2); a collective ("allies") is ``multiple``;
6. the **date**: none for background (earlier, cumulative, "in addition to", deliveries without a
   day of their own); else the sentence's day nearest the trigger; the package's day; the main
   meeting's day where the meeting reaches the sentence; the article's own day (rule 10).

Article level: a pledge restated (headline, lead, summary) is one pledge; the event day dates the
undated news of the donors that announced something that day.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from graph.extract.cues import GAP
from graph.extract.items import Item
from graph.extract.lemmas import lemma_key
from graph.extract.lexicon import Lexicon
from graph.extract.meetings import meeting_cues
from graph.extract.mentions import DONOR, ITEM, MONEY, RECIPIENT, TRIGGER, SentenceView, TypedMention
from graph.extract.normalize.numbers import parse_digits, parse_words
from graph.knowledge import load_knowledge
from graph.model import MULTIPLE_DONORS, MeetingFact, PledgeFact

_CHAIN_GAP = 4  # tokens between a verb of intention and the verb it governs
_NEGATION_REACH = 5  # tokens before a trigger where a negation blocks it
_REQUEST_REACH = 10
_MEMBER_REACH = 3  # tokens from "include" to the first member it lists
_MECHANISM_SUBJECT_REACH = 2  # tokens from a fund noun or relative pronoun to the verb of enabling
_SHORTAGE_REACH = 10  # tokens from a cue of lacking to the items lacked
_ASPECT_REACH = 5
_CLAUSE_AUXILIARY_REACH = 16  # tokens from an auxiliary to the participle closing its clause
_ATTACHED_REACH = 4  # tokens between an item and the agent preposition of its donor
_EARMARK_REACH = 6
_PURCHASE_REACH = 6  # tokens from a sum to the verb of buying that spends it ("... for å kjøpe")
_CONTEXT_SENTENCES = 3  # sentences a package goes on for without naming its donor again
_QUIET_PARAGRAPHS = 3  # paragraphs a package goes on for when no other giver is named
DELIVERY_CLASSES = frozenset({"give", "deliver", "receive", "train", "deploy"})
STRONG_BREAKS = ";:()[]"


# --------------------------------------------------------------------------- data of one sentence

@dataclass
class Trigger:
    mention: TypedMention
    cls: str
    status: str
    negated: bool = False
    blocked: str | None = None  # "request" | "agenda" | "own_use"
    passive: bool = False
    future: bool = False

    @property
    def first(self) -> int:
        return self.mention.first

    @property
    def last(self) -> int:
        return self.mention.last

    @property
    def head_last(self) -> int:
        """The end of the verb itself: for a separable verb ("zegde ... toe") its first word."""
        cue = self.mention.value
        if cue is not None and "…" in getattr(cue, "entry", ""):
            return self.mention.first + 1
        return self.mention.last


@dataclass
class Group:
    """Coordinated donors ("Germany, France, and the UK"), or donors from the context."""

    donors: list[TypedMention]
    source: str = "sentence"  # sentence | package | carried | speaker
    first: int = -1
    last: int = -1
    before: str = ""  # the class of the cue right before it: agent | recipient | locative | jointly | ""

    @property
    def keys(self) -> list[str]:
        """The distinct donor keys, in order (the list of donors may grow while groups are built)."""
        cached = self.__dict__.get("_keys")
        if cached is None or cached[0] != len(self.donors):
            cached = (len(self.donors), list(dict.fromkeys(d.key for d in self.donors if d.key)))
            self.__dict__["_keys"] = cached
        return cached[1]

    @property
    def collective(self) -> bool:
        return all(d.cls == "collective" for d in self.donors)


@dataclass
class Attachable:
    """Something a pledge gives: an item, a sum (perhaps for an item) or a package."""

    kind: str  # item | money | package
    mention: TypedMention
    item: Any = None  # graph.extract.items.Item
    money: Any = None  # MoneyMention
    category: str | None = None
    quantity: int | None = None
    produced: bool = False  # a sum that pays for the item's production ("fund the production of drones")

    @property
    def first(self) -> int:
        return self.mention.first

    @property
    def last(self) -> int:
        return self.mention.last


@dataclass
class Decision:
    """Who gives an attachable, under which trigger, by which rule."""

    attachable: Attachable
    trigger: Trigger | None
    group: Group
    rule: str
    confidence: float
    recipient: str
    joint: bool = False
    background: bool = False
    unattributed: bool = False  # contents of several donors' packages: who gave which is not said


@dataclass
class PackageContext:
    donors: list[str] = field(default_factory=list)
    date: str | None = None
    meeting: str | None = None
    status: str = "pledged"
    position: int = -10
    paragraph: int = -10
    joint: bool = False


@dataclass
class ArticleScope:
    lexicon: Lexicon
    views: list[SentenceView]
    meetings: list[MeetingFact]
    main_meeting: MeetingFact | None
    published: datetime.date | None
    event_day: str | None
    evidence_of: Callable
    model: Any  # graph.extract.attachment.AttachmentModel or None
    meeting_paragraphs: set[int] = field(default_factory=set)
    meeting_everywhere: bool = False
    paragraph_dates: dict[int, tuple[str, list[int]]] = field(default_factory=dict)
    last_item: tuple[int, PledgeFact] | None = None  # (sentence position, pledge) of the last item given
    last_joint: tuple[int, PledgeFact] | None = None  # the last shared (``multiple``) pledge of an item
    last_pledge: int | None = None  # sentence position of the last pledge made
    givers: dict[str, int] = field(default_factory=dict)  # pledges per named donor so far


# --------------------------------------------------------------------------- entry point

def find_pledges(views: list[SentenceView], lexicon: Lexicon, meetings: list[MeetingFact],
                 main_meeting: MeetingFact | None, published: datetime.date | None, evidence_of,
                 event_day: str | None = None, model=None) -> list[PledgeFact]:
    """All pledges of the article, in text order (see the module docstring)."""
    article = ArticleScope(lexicon, views, meetings, main_meeting, published, event_day, evidence_of, model)
    _meeting_reach(article)
    article.paragraph_dates = _paragraph_dates(views, published)
    pledges: list[PledgeFact] = []
    news: set[int] = set()
    package = PackageContext()
    previous_date: str | None = None
    last_made: list[PledgeFact] = []  # the pledges of the sentence before
    for view in views:
        sentence = analyse_sentence(view, package, article)
        dated = _statement_dates(view, published)
        if sentence is not None:
            first = len(pledges)
            made, package, old = _sentence_pledges(sentence, package, article, previous_date)
            pledges += made
            news.update(first + i for i in range(len(made)) if not old[i])
            with_item = [p for p in made if p.item and p.donor != MULTIPLE_DONORS]
            if with_item:
                article.last_item = (view.position, with_item[-1])
            if made:
                article.last_pledge = view.position
            for pledge in made:
                if pledge.donor != MULTIPLE_DONORS:
                    article.givers[pledge.donor] = article.givers.get(pledge.donor, 0) + 1
            joint_items = [p for p in made if p.item and p.donor == MULTIPLE_DONORS]
            if joint_items:
                article.last_joint = (view.position, joint_items[-1])
            last_made = made
        elif dated and last_made and _dates_the_announcement(view, last_made, published):
            pledges += _announced_then(view, last_made, dated[0].value.value, article)  # "announced in April"
            last_made = []
        elif not dated and _counts_back(view, article):
            pass  # "... to buy air defence missiles. The 5,000 missiles will be built in Belfast."
        elif dated and last_made and _attributes_before(view):
            for pledge in last_made:  # "... on weapons for Ukraine. That is what X said on Tuesday."
                if pledge.date is None and pledge.status != "delivered":
                    pledge.date = dated[0].value.value
            last_made = []
        else:
            last_made = []
        previous_date = (dated[0].value.value if dated else None) or previous_date
    _date_by_event_day(pledges, news, event_day)
    return _merge_restatements(pledges, views)


# --------------------------------------------------------------------------- sentence analysis

@dataclass
class PledgeSentence:
    view: SentenceView
    triggers: list[Trigger]
    attachables: list[Attachable]
    groups: list[Group]
    context: list[Group]
    continuation: bool
    background: bool
    clause: list[int]  # clause number of every token
    joint: bool
    implicit: bool = False  # a sum stated as aid without a verb of giving


def analyse_sentence(view: SentenceView, package: PackageContext, article: ArticleScope
                     ) -> PledgeSentence | None:
    """What a sentence says about pledges (None when it states none)."""
    headline = _verbless_headline(view)
    if not view.of(TRIGGER) and not view.of(MONEY) and not view.of("continuation", "package") \
            and not headline:
        return None  # no verb of giving, no sum, no package: nothing to attach
    elliptical = _elliptical(view, article)
    partitive = None if elliptical is not None else _partitive(view, article)
    if not view.of(ITEM, MONEY, "package", "train") and not (view.of(DONOR) and view.of("aid_noun")) \
            and elliptical is None and partitive is None:
        return None
    triggers = _triggers(view)
    continuation = _continues(view, package, triggers)
    attachables = [a for a in _attachables(view, triggers) if not _refers_back(view, a, article)]
    attachables = [_for_named_purchase(view, a, article) for a in attachables
                   if not _in_topic_phrase(view, a)]
    if elliptical is not None and not any(a.kind == ITEM for a in attachables):
        attachables = sorted([*attachables, elliptical], key=lambda a: a.first)
    if partitive is not None:  # "en ont fourni ... pour la défense aérienne": the pronoun is the object
        attachables = sorted([*(a for a in attachables if (a.kind != ITEM or not _for_purpose(view, a.first))
                                and a.kind != "package"),  # "the second delivery of the kind"
                              partitive], key=lambda a: a.first)
    live = [t for t in triggers if not t.negated and not t.blocked]
    if not attachables:
        if live and view.of(DONOR) and view.of("aid_noun", "package"):
            return _announcement(view, triggers)  # "X and Y presented new support": a package opens
        return None
    implicit = not live and (_implicit_aid(view, attachables) or headline or
                             _states_share(view, attachables, article))
    if not live and not continuation and not implicit:
        return None
    if not live and view.of("negation") and all(a.kind == "package" for a in attachables):
        return None  # "Paketin sisältöä ei kerrota", "its contents were not disclosed": nothing given
    clause = _clauses(view)
    groups = [_resolved(group, view, article) for group in _groups(view)]
    context = _context_groups(view, package, article)
    background = False  # decided per attachable (is_background)
    return PledgeSentence(view, triggers, attachables, groups, context, continuation, background, clause,
                          bool(view.of("jointly")) or (continuation and package.joint), implicit)


_TOPIC_REACH = 6  # tokens a fronted topic phrase ("On air defence,") may span


def _in_topic_phrase(view: SentenceView, attachable: Attachable) -> bool:
    """An item without a number in a fronted topic phrase closed by a comma ("On air defence,
    Germany ...", "Sur la défense aérienne, ...", "Was die Luftverteidigung angeht, ..."; lexicon
    class ``topic``): it names what the sentence is about, not what is given."""
    if attachable.kind != ITEM or attachable.quantity is not None:
        return False
    if not any(c.first == 0 for c in view.of("topic")):
        return False
    for i in range(min(_TOPIC_REACH, len(view.tokens) - 1)):
        gap = view.gap_text(view.tokens[i].end, view.tokens[i + 1].start)
        if "," in gap or any(c in gap for c in STRONG_BREAKS):
            return "," in gap and attachable.last <= i + 1 and \
                not any(t.first <= i for t in view.of(TRIGGER))
    return False


_ELLIPSIS_REACH = 3  # sentences back an elliptical "10 more" may refer to


def _elliptical(view: SentenceView, article: ArticleScope) -> Attachable | None:
    """A quantity without a noun next to a cue of "more" ("promised 10 more", "another 10"): more of
    the item the article's last pledge gave, a few sentences before."""
    last = article.last_item
    if last is None or not view.of("more") or view.position - last[0] > _ELLIPSIS_REACH:
        return None
    items = view.of(ITEM, MONEY, "date")
    lang = view.relations.lang if view.relations is not None else None
    tokens = view.tokens
    verbs = view.of(TRIGGER)
    for cue in view.of("more"):
        for index in (cue.first - 1, cue.last):  # "10 more", "another 10"
            if not 0 <= index < len(tokens) or any(i.first <= index + 2 and index < i.last for i in items):
                continue  # "10 more tanks", "another 10 tanks", "another €1.4bn": no ellipsis
            start = min(index, cue.first)
            if not any(0 <= start - t.last <= 2 or (t.first < start < t.last and start - t.first <= 3)
                       for t in verbs):
                continue  # the object of a verb of giving right before it ("pledged another 10")
            text = tokens[index].text
            value = parse_digits(text, lang) if text[:1].isdigit() else parse_words(text, lang)
            if not value or value != int(value) or value >= 1000 or \
                    not _ends_phrase(view, max(index, cue.last - 1)):
                continue  # a small number that ends the clause: "... 10 more." (not "2025 more than")
            pledge, token = last[1], tokens[index]
            item = Item(token.start, token.end, pledge.item, pledge.item, pledge.category, pledge.item_id,
                        quantity=int(value))
            mention = TypedMention(ITEM, "item", index, index + 1, token.start, token.end, value=item)
            return Attachable(ITEM, mention, item=item, category=pledge.category, quantity=int(value))
    return None


_PARTITIVE_REACH = 3  # tokens from a partitive pronoun to its verb ("en ont déjà fourni")


def _partitive(view: SentenceView, article: ArticleScope) -> Attachable | None:
    """A partitive pronoun right before a verb of giving, with only auxiliaries or "already" between
    ("Les deux pays en ont déjà fourni", "l'Italia ne ha inviati"): the item the sentence before named."""
    kind = _kind_reference(view, article)
    if kind is not None:
        return kind
    cues = view.of("partitive")
    if not cues or view.position == 0 or any(not _for_purpose(view, m.first) for m in view.of(ITEM)):
        return None
    before = article.views[view.position - 1]
    antecedents = before.of(ITEM)
    if not antecedents or before.paragraph < view.paragraph - 1:
        return None
    helpers = view.of("perfect", "already", "passive", "negation")
    for cue in cues:
        verb = next((t for t in view.of(TRIGGER) if 0 <= t.first - cue.last <= _PARTITIVE_REACH), None)
        if verb is None or not all(any(h.first <= i < h.last for h in helpers)
                                   for i in range(cue.last, verb.first)):
            continue
        named, token = antecedents[-1].value, view.tokens[cue.first]
        item = Item(token.start, token.end, named.surface, named.name, named.category, named.equipment_id)
        mention = TypedMention(ITEM, "item", cue.first, cue.last, token.start, token.end, value=item)
        return Attachable(ITEM, mention, item=item, category=named.category)
    return None


_KIND_REACH = 2  # sentences back the item of "a delivery of the kind" may be named


def _kind_reference(view: SentenceView, article: ArticleScope) -> Attachable | None:
    """A back-reference to a kind right after a verb or noun of giving, in a sentence that names no
    item ("the second delivery of the kind", "secondo invio del genere", "Lieferung dieser Art"):
    the item named last in the sentences just before, as the object of a partitive pronoun."""
    cues = view.of("kind_reference")
    if not cues or view.position == 0 or any(not _for_purpose(view, m.first) for m in view.of(ITEM)):
        return None
    verbs = view.of(TRIGGER)
    cue = next((c for c in cues if any(0 <= c.first - t.last <= 2 or t.first <= c.first < t.last
                                       for t in verbs)), None)
    if cue is None:
        return None
    for back in range(view.position - 1, max(-1, view.position - 1 - _KIND_REACH), -1):
        before = article.views[back]
        if before.paragraph < view.paragraph - 2:
            break
        antecedents = [m for m in before.of(ITEM) if m.value.category]
        if antecedents:
            named, token = antecedents[-1].value, view.tokens[cue.first]
            item = Item(token.start, token.end, named.surface, named.name, named.category,
                        named.equipment_id)
            mention = TypedMention(ITEM, "item", cue.first, cue.last, token.start, token.end, value=item)
            return Attachable(ITEM, mention, item=item, category=named.category)
    return None


def _for_purpose(view: SentenceView, index: int) -> bool:
    """Token ``index`` follows a purpose preposition closely ("pour la défense aérienne")."""
    return any(0 <= index - cue.last <= 2 for cue in view.of("purpose"))


def _ends_phrase(view: SentenceView, index: int) -> bool:
    """Token ``index`` ends a clause or is followed only by whom it goes to ("... 10 more to Kyiv")."""
    after = index + 1
    tokens = view.tokens
    if after >= len(tokens) or _punctuated(view.gaps[after], ",;:.!?") or \
            not tokens[after].text[:1].isalnum():
        return True
    return any(c.first == after for c in view.of("recipient", RECIPIENT, "date")) or \
        any(t.last - 1 == after for t in view.of(TRIGGER))  # the particle of a separable verb


_COUNT_REACH = 2  # sentences back the pledge of "the 5,000 missiles" may be


def _counts_back(view: SentenceView, article: ArticleScope) -> bool:
    """A sentence that gives nothing counts, after an article, the item of a pledge just before
    that has no quantity ("... to buy air defence missiles. The 5,000 missiles will be built in
    Belfast", "Die 100.000 Granaten ...", "De 20 000 granaterna ..."): that is its quantity."""
    last = article.last_item
    if last is None or not 0 < view.position - last[0] <= _COUNT_REACH:
        return False
    pledge = last[1]
    if pledge.quantity is not None or pledge.item is None:
        return False
    articles = view.of("article")
    for mention in view.of(ITEM):
        item = mention.value
        if not item.quantity or item.name is None:
            continue
        if not any(0 <= mention.first - c.last <= 2 for c in articles):
            continue
        a, b = sorted((item.name.casefold(), str(pledge.item).casefold()), key=len)
        if a == b or b.endswith(" " + a) or b.startswith(a + " "):
            pledge.quantity = int(item.quantity)
            return True
    return False


_FUND_PURCHASE_REACH = 8  # tokens from a fund's noun to the item it names as its purchase
_FUND_BACK = 2  # sentences back (same paragraph) where a contribution's fund may be named


def _fund_purchase(view: SentenceView) -> TypedMention | None:
    """The item a fund or initiative of the sentence is named as buying ("the Czech initiative to
    buy artillery ammunition", "iniciativa na nákup dělostřelecké munice", "l'initiative tchèque :
    acheter 800 000 obus"): a purpose or buying word between the fund's noun and the item."""
    for fund in view.of("fund_noun"):
        for item in view.of(ITEM):
            if not 0 < item.first - fund.last <= _FUND_PURCHASE_REACH or not item.value.category:
                continue
            if _punctuated(view.gap_text(fund.end, item.start), ";"):
                continue
            if any(fund.last <= c.first < item.first for c in view.of("purpose", "buy_for")):
                return item
    return None


def _for_named_purchase(view: SentenceView, attachable: Attachable, article: ArticleScope) -> Attachable:
    """A sum given as money to a fund whose purchases the article names ("The Netherlands will
    contribute €250m to it", after "the Czech initiative to buy artillery ammunition ..."): money
    for that kind of equipment, not money as money (CONVENTIONS 4). Only for a sum of a sentence
    naming no item and no purchase mechanism of its own, where the sentence or one just before it in
    its paragraph names a fund, and the nearest fund the article names before it says what it buys."""
    if attachable.kind != MONEY or attachable.category != "financial" or attachable.item is not None:
        return attachable
    if view.of(ITEM, "mechanism", "package", "aid_noun", "value") or view.position == 0:
        return attachable
    near = [article.views[k] for k in range(max(0, view.position - _FUND_BACK), view.position + 1)]
    if not any(v.of("fund_noun") for v in near if v.paragraph == view.paragraph):
        return attachable
    for back in range(view.position, -1, -1):
        before = article.views[back]
        if not before.of("fund_noun"):
            continue
        item = _fund_purchase(before)
        if item is None:
            if back < view.position - _FUND_BACK:
                return attachable  # the nearest fund named far back says nothing of its purchases
            continue
        attachable.category = item.value.category  # item null: the sentence names none (rule 6)
        return attachable
    return attachable


def _refers_back(view: SentenceView, attachable: Attachable, article: ArticleScope) -> bool:
    """A class noun that opens the sentence after an article and was named in the sentence before
    ("... 20 CV90 infantry fighting vehicles. The vehicles are part of ..."): the same items again."""
    item = attachable.item
    if attachable.kind != ITEM or item is None or item.equipment_id or attachable.quantity is not None:
        return False
    if attachable.first != 1 or not any(c.first == 0 for c in view.of("article")) or view.position == 0:
        return False
    before = article.views[view.position - 1]
    if before.paragraph < view.paragraph - 1 or not before.of(ITEM):
        return False
    return item.surface.casefold() in before.text.casefold()


def _dates_the_announcement(view: SentenceView, made: list[PledgeFact],
                            published: datetime.date | None) -> bool:
    """A sentence without items or sums that dates the announcement of what the sentence before says
    was already given ("Les deux pays en ont déjà fourni ... L'annonce avait été faite en avril 2024"):
    a noun or verb of announcing, a date before publication, and background pledges before it."""
    if view.of(ITEM, MONEY) or not view.of("pledge") or published is None:
        return False
    past = [d for d in _statement_dates(view, published) if d.value.value < published.isoformat()[:7]]
    return bool(past) and any(p.status == "delivered" and p.date is None for p in made)


def _announced_then(view: SentenceView, made: list[PledgeFact], date: str, article: ArticleScope
                    ) -> list[PledgeFact]:
    """The announcement, on its date, of the pledges the sentence before recalls as delivered; only
    those of the donor the sentence names ("Côté français"), when it names one."""
    named = {d.key for d in view.of(DONOR) if d.cls not in ("collective", "person")}
    out = []
    for pledge in made:
        if pledge.status != "delivered" or pledge.date is not None or pledge.donor == MULTIPLE_DONORS or \
                (named and pledge.donor not in named):
            continue
        rule = f"{article.lexicon.lang}.pledge.announced_then"
        evidence = article.evidence_of(view.unit.sentence, rule, 0.6)
        out.append(replace(pledge, status="pledged", date=date, meeting=None, evidence=evidence))
    return out


def _attributes_before(view: SentenceView) -> bool:
    """A sentence that only says who told the sentence before, and when: it opens with a pronoun or
    a back-reference and has a verb of saying or announcing ("Det melder ... tirsdag")."""
    opening = [c for c in view.of("subject_pronoun", "continuation") if c.first == 0]
    return bool(opening) and bool(view.of("say") or view.of("pledge"))


def _announcement(view: SentenceView, triggers: list[Trigger]) -> PledgeSentence:
    """A sentence that announces support without naming contents or value: it gives no pledge of
    its own but opens a package for the sentences after it."""
    return PledgeSentence(view, triggers, [], _groups(view), [], False, False, _clauses(view), False)


_HEADLINE_TOKENS = 14  # at most this many words in a headline or teaser line


def _verbless_headline(view: SentenceView) -> bool:
    """A short line without a verb or a final full stop that names a donor, an item and "for
    Ukraine" ("Spain: six more howitzers for Ukraine"): a headline that states a pledge. The
    article-level merge keeps it one pledge with the body's restatement."""
    if view.of(TRIGGER) or view.text.rstrip().endswith((".", "?", "!", '"', "”")) \
            or len(view.tokens) > _HEADLINE_TOKENS or not view.of(DONOR) or not view.of(ITEM):
        return False
    articles = {i for a in view.of("article") for i in range(a.first, a.last)}
    for cue in view.of("recipient"):
        after = [i for i in range(cue.last, min(cue.last + 2, len(view.tokens))) if i not in articles]
        if after and any(r.first == after[0] for r in view.of(RECIPIENT)):
            return True
    return False


def _implicit_aid(view: SentenceView, attachables: list[Attachable]) -> bool:
    """A sum stated as aid without a verb of giving ("The support from the allies amounts to ...")."""
    return any(a.kind == MONEY for a in attachables) and bool(view.of("aid_noun", "package"))


_SHARE_REACH = 8  # tokens from a share cue ("Denmark's share") to the sum it introduces
_JOINT_REACH = 4  # sentences back the joint pledge a share belongs to may stand


def _share_owner(view: SentenceView, attachable: Attachable, groups: list[Group]) -> Group | None:
    """The donor whose share of a joint pledge a sum is (lexicon class ``share``): the donor right
    before the last share cue before the sum ("Danmarks andel er ...", "For Norges del ...", "der
    deutsche Anteil"), or right after it past an article or preposition ("la part de la France",
    "the share of Denmark", "der Anteil Deutschlands")."""
    if attachable.kind != MONEY:
        return None
    cues = [c for c in view.of("share") if 0 <= attachable.first - c.last <= _SHARE_REACH]
    if not cues:
        return None
    cue = cues[-1]
    if any(cue.last <= g.first < attachable.first and cue.last + 3 < g.first for g in groups):
        return None  # another donor between the cue and the sum
    function = {i for c in view.of("article", "possessive", "agent", "content")
                for i in range(c.first, c.last)}
    for group in groups:  # "For Norges del": a genitive right before the cue, whatever precedes it
        before = range(group.last, cue.first)
        after = range(cue.last, group.first)
        if 0 <= cue.first - group.last <= 1 and all(len(view.tokens[i].text) <= 2 for i in before):
            return group
        if group.before not in ("recipient", "locative") and 0 <= group.first - cue.last <= 2 and \
                all(i in function or len(view.tokens[i].text) <= 3 for i in after):
            return group
    return None


def _states_share(view: SentenceView, attachables: list[Attachable], article: ArticleScope) -> bool:
    """A sentence stating one donor's share of a joint pledge without a verb of giving ("For Norway's
    part that amounts to NOK 200 million"); the share takes the item of the joint pledge a few
    sentences before when its sum names none."""
    groups = _groups(view)
    owned = [a for a in attachables if _share_owner(view, a, groups) is not None]
    if not owned or not _after_joint_aid(view, article):
        return False
    joint = article.last_joint
    for attachable in owned:
        if attachable.item is None and attachable.category in ("financial", "other") and \
                joint is not None and view.position - joint[0] <= _JOINT_REACH:
            pledge = joint[1]
            token = view.tokens[attachable.first]
            attachable.item = Item(token.start, token.end, pledge.item, pledge.item, pledge.category,
                                   pledge.item_id)
            attachable.category = pledge.category
    return True


def _after_joint_aid(view: SentenceView, article: ArticleScope) -> bool:
    """A share belongs to aid: a pledge a few sentences before, or an aid noun, a
    package or a "jointly" cue in the sentence before ("The three countries contribute about equally").
    Without that, "Sweden's share of the defence budget" is no pledge."""
    if article.last_pledge is not None and view.position - article.last_pledge <= _JOINT_REACH:
        return True
    if view.position == 0:
        return False
    before = article.views[view.position - 1]
    return before.paragraph >= view.paragraph - 1 and \
        bool(before.of("aid_noun", "package", "jointly"))


def _triggers(view: SentenceView) -> list[Trigger]:
    """The trigger mentions with status, negation and blocking cues; a verb of intention or promise
    and the verb it takes ("plans to send") are one trigger with the status of the first."""
    relations = view.relations
    found: list[Trigger] = []
    mentions = sorted(view.of(TRIGGER), key=lambda m: (m.first, -m.last))
    # two separable verbs on one stem: the particle nearer the verb is its own, a later one a
    # preposition ("stelt geld beschikbaar voor drones" is no "stelt ... voor")
    separable = [m for m in mentions if m.last - m.first > 1 and GAP in getattr(m.value, "entry", "")]
    mentions = [m for m in mentions if not any(o is not m and o.first == m.first and o.last < m.last
                                               and m in separable for o in separable)]
    taken: set[int] = set()
    for m in mentions:
        if any(i in taken for i in range(m.first, m.last)) and m.last - m.first == 1:
            continue
        taken.update(range(m.first, m.last))
        found.append(Trigger(m, m.cls, "pledged"))
    for trigger in found:
        trigger.status = _status(view, trigger, relations)
        trigger.negated = _near_before(view, trigger.first, ("negation",), _NEGATION_REACH) and not \
            _near_before(view, trigger.first, ("negation_exception",), _NEGATION_REACH + 2)
        trigger.negated = trigger.negated or _negated_after(view, trigger) or \
            any(cue.first == trigger.first for cue in view.of("negation")) or \
            _negated_within(view, trigger)  # "nepošle": a prefix
        for cue in ("request", "agenda"):
            near = _near_before(view, trigger.first, (cue,), _REQUEST_REACH) and not _by_donor(view, trigger)
            if near or _verb_final_cue(view, trigger, cue):
                trigger.blocked = cue
                break
        if not trigger.blocked and _describes_mechanism(view, trigger):
            trigger.blocked = "description"
        if not trigger.blocked and _lists_members(view, trigger):
            trigger.blocked = "membership"
        if not trigger.blocked and _near_before(view, trigger.first, ("habitual",), _NEGATION_REACH):
            trigger.blocked = "habitual"
    attributive = [t for t in found if _attributive(view, t)]
    if attributive and len(attributive) < len(found):
        found = [t for t in found if t not in attributive]
    _chain(view, found)
    _topic_run(view, found)
    return found


def _topic_run(view: SentenceView, triggers: list[Trigger]) -> None:
    """A request or agenda cue governs the run of verbs and nouns of giving that follows its first
    trigger ("The agenda includes ensuring supply, accelerating the delivery of ...", "urged allies
    to provide ... and to deliver ..."): each later trigger with no donor, no strong break and at
    most ``_REQUEST_REACH`` tokens after the one before is blocked the same way."""
    for previous, trigger in itertools.pairwise(triggers):
        if previous.blocked not in ("request", "agenda") or trigger.blocked or \
                trigger.first - previous.last > _REQUEST_REACH or \
                _breaks_between(view, previous.last, trigger.first) or \
                any(previous.last <= d.first < trigger.first for d in view.of(DONOR)):
            continue
        trigger.blocked = previous.blocked


def _status(view: SentenceView, trigger: Trigger, relations) -> str:
    if trigger.cls == "plan":
        return "planned"
    if trigger.cls == "propose":
        return "proposed"
    trigger.future = _near_before(view, trigger.first, ("future",), _ASPECT_REACH) or \
        view.relations.is_future(view.tokens[trigger.first], view.lemmas[trigger.first])
    if trigger.cls not in DELIVERY_CLASSES or trigger.future:
        return "pledged"
    token_index = trigger.first
    token = view.tokens[token_index]
    lemma = view.lemmas[token_index]
    past = view.relations.is_past(token, lemma)
    perfect = _own_auxiliary(view, trigger.first)
    if past or (perfect and token.key != lemma) or _near_before(view, trigger.first, ("already",), 3):
        return "pledged" if _present_auxiliary(view, trigger) else "delivered"
    return "pledged"


def _present_auxiliary(view: SentenceView, trigger: Trigger) -> bool:
    """A present or future auxiliary of the participle's own clause (lexicon class
    ``present_auxiliary``): before it, with no comma, verb, complementiser or relative between
    ("werden im Herbst ... geliefert", "worden ... geleverd", "blir ... levererade"), or right after
    it at the end of a verb-final clause ("die ... geliefert werden")."""
    for cue in view.of("present_auxiliary"):
        if 0 <= cue.first - trigger.last <= 1 and \
                "," not in view.gap_text(view.tokens[trigger.last - 1].end, view.tokens[cue.first].start):
            return True
        if not 0 <= trigger.first - cue.last <= _CLAUSE_AUXILIARY_REACH or \
                _breaks_between(view, cue.last, trigger.first):
            continue
        if "," in view.gap_text(view.tokens[cue.last - 1].end, view.tokens[trigger.first].start):
            continue
        if not any(cue.last <= m.first < trigger.first
                   for m in view.of(TRIGGER, "complementiser", "relative", "perfect")):
            return True
    return False


def _describes_mechanism(view: SentenceView, trigger: Trigger) -> bool:
    """A verb of enabling (lexicon class ``enable``) before the trigger whose subject is a fund or
    mechanism, or a relative pronoun ("PURL, which allows allies to buy ...", "Mechanizm ten pozwala
    na finansowanie ..."), and no donor right before that subject: the sentence says what a programme
    does, not what anyone gives."""
    for cue in view.of("enable"):
        if not 0 <= trigger.first - cue.last <= _REQUEST_REACH or \
                _breaks_between(view, cue.last, trigger.first):
            continue
        for subject in view.of("fund_noun", "relative"):
            if not 0 <= cue.first - subject.last <= _MECHANISM_SUBJECT_REACH or \
                    _breaks_between(view, subject.last, cue.first):
                continue
            # a giver's own fund or gift ("a new British loan allows ...") is no mechanism
            if not any(0 <= subject.first - d.last <= _MECHANISM_SUBJECT_REACH + 1 for d in view.of(DONOR)):
                return True
    return False


def _attributive(view: SentenceView, trigger: Trigger) -> bool:
    """A participle between an article and the item it describes ("die zugesagten Raketenwerfer sind
    geliefert", "the promised tanks have arrived"): it recalls an earlier pledge; the clause's own verb
    says what happens now."""
    token, lemma = view.tokens[trigger.first], view.lemmas[trigger.first]
    if trigger.last - trigger.first != 1 or token.key == lemma or not view.relations.is_past(token, lemma):
        return False
    if not any(c.last == trigger.first for c in view.of("article")):
        return False
    return any(0 <= m.first - trigger.last <= 1 for m in view.of(ITEM))


def _lists_members(view: SentenceView, trigger: Trigger) -> bool:
    """An "include" verb whose object is a list of donors and nothing given ("the F-16 coalition,
    which includes Denmark and Norway"): it names a group's members, not a package's contents."""
    if trigger.cls != "include":
        return False
    after = [m for m in view.of(DONOR, ITEM, MONEY) if m.first >= trigger.last]
    return bool(after) and all(m.kind == DONOR for m in after) and \
        after[0].first - trigger.last <= _MEMBER_REACH
def _chain(view: SentenceView, triggers: list[Trigger]) -> None:
    """A verb of intention or promise governs the verb it takes ("plans to send", "agreed to provide",
    "kommer att skicka"): the second takes the status of the first (and its blocking cues)."""
    for previous, trigger in itertools.pairwise(triggers):
        gap = trigger.first - previous.last
        if gap > _CHAIN_GAP or _breaks_between(view, previous.last, trigger.first):
            continue
        if any(previous.last <= d.first < trigger.first for d in view.of(DONOR)):
            continue  # "announced that Germany will send": two subjects, two verbs
        if gap > 2 and any(previous.last <= c.first < trigger.first for c in view.of("complementiser")):
            continue
        if (previous.cls in ("plan", "propose", "pledge") and previous.status != "pledged") or \
                previous.cls in ("plan", "propose"):
            trigger.status = previous.status
        trigger.negated = trigger.negated or previous.negated
        trigger.blocked = trigger.blocked or previous.blocked


def _verb_final_cue(view: SentenceView, trigger: Trigger, cls: str) -> bool:
    """A request or agenda verb that closes the trigger's clause after an infinitive marker ("planen,
    weitere Lieferungen zu erörtern"): the trigger's noun is what they talk about or ask for. A
    participle describing the item ("the requested systems", "drones requested by Kyiv") is no such verb."""
    articles, agents = {c.last for c in view.of("article")}, {c.first for c in view.of("agent")}
    for cue in view.of(cls):
        if cue.first in articles or cue.last in agents:
            continue
        if 0 < cue.first - trigger.last <= 8 and not _breaks_between(view, trigger.last, cue.first) \
                and not any(trigger.last <= t.first < cue.first for t in view.of(TRIGGER)):
            gap = view.gap_text(view.tokens[trigger.last - 1].end, view.tokens[cue.first].start)
            if "," not in gap:
                return True
    return False


def _by_donor(view: SentenceView, trigger: Trigger) -> bool:
    """A participle with its agent ("les canons promis par le Danemark", "delivered by Norway"): a
    fact stated by the phrase itself, whatever the sentence asks for around it."""
    relations = view.relations
    if relations is None or trigger.last - trigger.first != 1 or \
            not relations.is_past(view.tokens[trigger.first], view.lemmas[trigger.first]):
        return False
    agent = next((c for c in view.of("agent") if c.first == trigger.last), None)
    return agent is not None and any(0 <= d.first - agent.last <= 1 for d in view.of(DONOR))


def _near_before(view: SentenceView, index: int, classes: tuple[str, ...], reach: int) -> bool:
    for cue in view.of(*classes):
        if cue.last <= index and index - cue.last <= reach and not _breaks_between(view, cue.last, index):
            return True
    return False


def _own_auxiliary(view: SentenceView, index: int) -> bool:
    """A perfect auxiliary shortly before the verb at ``index`` that belongs to it: no other verb and no
    new clause ("has announced that Italy will send": "has" is the announcing verb's) between them."""
    for cue in view.of("perfect"):
        if not 0 <= index - cue.last <= _ASPECT_REACH or _breaks_between(view, cue.last, index):
            continue
        between = [m for m in view.of(TRIGGER, "complementiser", "relative")
                   if cue.last <= m.first < index]
        if not between:
            return True
    return False


def _negated_within(view: SentenceView, trigger: Trigger) -> bool:
    """A negation between the parts of a short separable trigger ("maken geen deel uit van",
    "zeggen geen nieuwe toe")."""
    if trigger.last - trigger.first > _NEGATION_REACH:
        return False
    return any(trigger.first < cue.first < trigger.last - 1 for cue in view.of("negation"))


def _negated_after(view: SentenceView, trigger: Trigger) -> bool:
    """A negation shortly after the verb, before anything it gives ("levert Nederland dit jaar zeker
    niet", "sender ikke flere", "liefert keine"); a contrast adverb between them does not end the
    clause ("inngår derimot ikke", "gehören hingegen nicht dazu", "n'incluent en revanche pas")."""
    for cue in view.of("negation"):
        if 0 <= cue.first - trigger.last <= _NEGATION_REACH and \
                not _breaks_between(view, trigger.last, cue.first, contrast=False) and \
                not any(trigger.last <= m.first < cue.first for m in view.of(ITEM, MONEY, TRIGGER)):
            gap = view.gap_text(view.tokens[trigger.last - 1].end, view.tokens[cue.first].start)
            if "," not in gap:
                return not any(cue.first <= e.first < cue.first + 3 for e in view.of("negation_exception"))
    return False


def _breaks_between(view: SentenceView, first: int, last: int, contrast: bool = True) -> bool:
    """A strong clause break (semicolon, colon, bracket, contrast opener unless ``contrast`` is
    False) between tokens."""
    if last <= first or first >= len(view.tokens):
        return False
    tokens = view.tokens
    start = tokens[first - 1].end if first > 0 else tokens[first].start
    end = tokens[min(last, len(tokens) - 1)].start
    gap = view.gap_text(start, end)
    if any(c in gap for c in STRONG_BREAKS):
        return True
    return contrast and any(first <= c.first < last for c in view.of("contrast"))


def _package_reach(view: SentenceView) -> int:
    """Sentences back a package may be referred to: further when the sentence opens by naming it
    ("The package consists of ...", "Paketet omfattar ...") than by a pronoun or a bare list."""
    if any(c.first <= 2 for c in view.of("package")):
        return 2 * _CONTEXT_SENTENCES
    return _CONTEXT_SENTENCES


def _continues(view: SentenceView, package: PackageContext, triggers: list[Trigger]) -> bool:
    """A sentence goes on about the package of the sentences just before: it opens with a
    continuation cue ("It includes", "Paketet", "Dessutom"), or its verb is "include" without a
    donor of its own."""
    if not package.donors or view.position - package.position > _package_reach(view):
        return False
    if view.paragraph - package.paragraph > 2:
        return False
    own = {d.key for d in view.of(DONOR)}
    opening = [c for c in view.of("continuation", "package")
               if c.first <= 2 and not _fronted_addition(view, c)]
    if own - set(package.donors):
        return bool(opening) and all(d.first > opening[0].first for d in view.of(DONOR))
    if not any(not t.negated and not t.blocked for t in triggers):
        return bool(opening)
    return bool(opening or view.of("package", "include", "share"))


def _fronted_addition(view: SentenceView, cue) -> bool:
    """A continuation cue inside a fronted "besides" phrase that names donors ("Además de EE UU y
    Alemania, ...", "Outre la France, ..."): the sentence lists other donors, it does not go on
    about the package before."""
    donors = [d.first for d in view.of(DONOR)]
    for addition in view.of("addition"):
        if addition.first <= cue.first < addition.last and \
                any(0 <= first - addition.last <= 2 for first in donors):
            return True
    return False


def _clauses(view: SentenceView) -> list[int]:
    """The clause number of every token: a new clause begins after a strong break, at a contrast
    opener, a relative pronoun or a complementiser."""
    numbers = []
    current = 0
    starts = {c.first for c in view.of("contrast", "relative", "complementiser")}
    for i, gap in enumerate(view.gaps):
        if i > 0 and (i in starts or (gap != " " and any(c in gap for c in STRONG_BREAKS))):
            current += 1
        numbers.append(current)
    return numbers


def _groups(view: SentenceView) -> list[Group]:
    """The donors of the sentence grouped by coordination ("Poland, Germany, and Sweden",
    "Belgien und Luxemburg"): between two donors only commas, a coordination cue and
    short function words."""
    donors = view.of(DONOR)
    groups: list[Group] = []
    coordination = {i for c in view.of("coordination", "article") for i in range(c.first, c.last)}
    conjunctions = {i for c in view.of("coordination") for i in range(c.first, c.last)}
    excluded = _excluded(view) | _fronted_addition_donors(view)
    for donor in donors:
        if donor.first in excluded or _names_a_thing(view, donor):
            continue  # "all allies except Hungary", "NATO allies excluding the U.S.", "the Tallinn Pledge"
        if groups:
            last = groups[-1].donors[-1]
            if donor.first < last.last:  # overlapping mentions: one donor
                if donor.key not in groups[-1].keys:
                    groups[-1].donors.append(donor)
                continue
            between = range(last.last, donor.first)
            gap = view.gap_text(view.tokens[last.last - 1].end, view.tokens[donor.first].start)
            coordinated = (len(between) <= 3 and all(i in coordination for i in between)
                           and not any(c in gap for c in STRONG_BREAKS))
            adjacent = (not between and not gap.strip() and "collective" in (donor.cls, last.cls)) or \
                (not between and "org" in (donor.cls, last.cls) and "collective" in (donor.cls, last.cls))
            # "In Lisbon, the Portuguese government": a place, then the giver - no list
            placed = "," in gap and not any(i in conjunctions for i in between) and \
                _cue_before(view, groups[-1].first) == "locative"
            if ((coordinated and (between or "," in gap or "/" in gap)) or adjacent) and not placed:
                groups[-1].donors.append(donor)
                groups[-1].last = donor.last
                continue
        groups.append(Group([donor], "sentence", donor.first, donor.last))
    groups = [part for group in groups for part in _split_person_apposition(view, group, conjunctions)]
    endings = view.relations.agent_endings if view.relations is not None else ()
    for group in groups:
        group.before = _cue_before(view, group.first)
        if not group.before and endings and lemma_key(view.tokens[group.last - 1].text).endswith(endings):
            group.before = "agent"  # a source case ending: "Norjalta" (from Norway)
    return groups


def _split_person_apposition(view: SentenceView, group: Group, conjunctions: set[int]) -> list[Group]:
    """Persons joined by commas only, with no coordination anywhere in the group, are no list: the
    first closes an opening phrase and the last is the subject ("Opening the meeting alongside NATO
    Secretary General Mark Rutte, John Healey announced ..."): one group per person."""
    donors = group.donors
    if len(donors) < 2 or any(d.cls != "person" for d in donors):
        return [group]
    if any(i in conjunctions for i in range(group.first, group.last)):
        return [group]
    return [Group([d], group.source, d.first, d.last) for d in donors]


def _names_a_thing(view: SentenceView, donor: TypedMention) -> bool:
    """A capital standing for its government is a place in a name when an article stands before it
    and a capitalised word follows it right after a space ("the Tallinn Pledge", "the Berlin
    Process", "het Parijs Akkoord")."""
    if donor.flavour != "metonym" or donor.last >= len(view.tokens):
        return False
    if not any(c.last == donor.first for c in view.of("article")):
        return False
    following = view.tokens[donor.last]
    gap = view.gap_text(view.tokens[donor.last - 1].end, following.start)
    if not following.text[:1].isupper() or gap != " ":
        return False
    return not any(m.first <= donor.last < m.last for m in view.of(DONOR))


def _excluded(view: SentenceView) -> set[int]:
    """Tokens of the donors an exclusion cue (lexicon class ``exclusion``: "except", "excluding",
    "außer", "behalve") takes out of a group: the donor right after the cue, or after its article,
    and the donors coordinated with it. The leaders of a group after a collective ("nine countries
    led by Britain and Estonia", lexicon class ``led``) are no donors of their own either."""
    out: set[int] = set()
    articles = {i for c in view.of("article", "coordination") for i in range(c.first, c.last)}
    collectives = [d for d in view.of(DONOR) if d.cls == "collective"]
    led = [c for c in view.of("led") if any(0 <= c.first - d.last <= 1 for d in collectives)]
    for cue in [*view.of("exclusion"), *led]:
        index = cue.last
        for donor in sorted(view.of(DONOR), key=lambda d: d.first):
            if donor.first < index:
                continue
            between = range(index, donor.first)
            gap = view.gap_text(view.tokens[index - 1].end, view.tokens[donor.first].start)
            if len(between) > 1 or not all(i in articles for i in between) or \
                    any(c in gap for c in STRONG_BREAKS) or (index == cue.last and "," in gap):
                break
            out.update(range(donor.first, donor.last))
            index = donor.last
    return out


def _fronted_addition_donors(view: SentenceView) -> set[int]:
    """Tokens of the donors of a fronted "besides" phrase ("Besides the US and Germany, Britain and
    Canada announced ...", "Además de EE UU y Alemania, ...", "Outre la France, ..."): they gave in
    the sentences before; the donors after the comma give here. The phrase ends at its first comma
    and counts only when a donor follows it."""
    cues = [c for c in view.of("addition") if c.first <= 1]
    if not cues:
        return set()
    articles = {i for c in view.of("article", "coordination") for i in range(c.first, c.last)}
    out: set[int] = set()
    index = cues[0].last
    donors = sorted(view.of(DONOR), key=lambda d: d.first)
    rest = []
    for donor in donors:
        if donor.first < index:
            continue
        between = range(index, donor.first)
        gap = view.gap_text(view.tokens[index - 1].end, view.tokens[donor.first].start)
        if rest or len(between) > 2 or not all(i in articles for i in between) or \
                (index != cues[0].last and "," in gap) or any(c in gap for c in STRONG_BREAKS):
            if not rest and (not out or "," not in view.gap_text(view.tokens[index - 1].end,
                                                                 view.tokens[index].start)):
                return set()  # no comma closes the phrase: "Lisäksi Suomi antaa ...", no fronted list
            rest.append(donor)
            continue
        out.update(range(donor.first, donor.last))
        index = donor.last
    return out if rest else set()


_REFERENCE_REACH = 3  # sentences back a plural reference ("the three countries") may point


def _resolved(group: Group, view: SentenceView, article: ArticleScope) -> Group:
    """A group whose plural back-reference ("the three countries", "beide Länder", "obie strony")
    stands for the countries named together before it: in the sentence before the reference, else in
    the nearest of the sentences before that names at least two (by name or by a minister of theirs)."""
    references = [d for d in group.donors if d.flavour == "reference"]
    if not references:
        return _defined_collective(group, view, article)
    reference = references[0]
    keys = _countries_of(d for d in view.of(DONOR) if d.last <= reference.first)
    if len(keys) < 2:  # "The three countries will pay ..., Norway, Sweden and Denmark said"
        keys = _countries_of(d for d in view.of(DONOR) if d.first >= reference.last)
    for back in range(view.position - 1, max(-1, view.position - 1 - _REFERENCE_REACH), -1):
        if len(keys) >= 2:
            break
        keys = _countries_of(article.views[back].of(DONOR))
    following = article.views[view.position + 1] if view.position + 1 < len(article.views) else None
    if len(keys) < 2 and following is not None and following.paragraph == view.paragraph:
        keys = _countries_of(following.of(DONOR))  # the group named in the next sentence
    if len(keys) < 2:
        return group
    donors: list[TypedMention] = []
    for donor in group.donors:
        if donor is not reference:
            donors.append(donor)
            continue
        donors += [TypedMention(DONOR, "country", donor.first, donor.last, donor.start, donor.end, key=k,
                                flavour="reference") for k in keys if k not in {d.key for d in donors}]
    return Group(donors, group.source, group.first, group.last, group.before)


_APPOSITION_OPEN = ("–", "—", "(", ":", "-")
_APPOSITION_CLOSE = ("–", "—", ")", " - ")


def _members(view: SentenceView, collective: TypedMention) -> list[str]:
    """The countries an apposition right after a collective enumerates ("the Nordic-Baltic Eight
    countries – Norway, Sweden, ... and Estonia – said"): three or more, before the closing dash."""
    rest = view.text[collective.end - view.offset:]
    if not rest.lstrip().startswith(_APPOSITION_OPEN):
        return []
    close = min((i for i in (rest.find(c, len(rest) - len(rest.lstrip()) + 1) for c in _APPOSITION_CLOSE)
                 if i > 0), default=len(rest))
    end = collective.end + close
    keys = _countries_of(d for d in view.of(DONOR) if d.cls == "country" and collective.end < d.start < end)
    return keys if len(keys) >= 3 else []


def _words(view: SentenceView, mention: TypedMention) -> set[str]:
    """The words (four letters or more) naming a collective: its surface with the donor names right
    before it ("the Nordic-Baltic Eight | countries") or, for a bare head noun, the two words before
    it ("de baltiske | landene")."""
    start = mention.start
    for other in reversed(view.of(DONOR)):
        if other.end <= start and not view.gap_text(other.end, start).strip():
            start = other.start
    if start == mention.start and mention.last - mention.first == 1:
        for index in range(mention.first - 1, max(-1, mention.first - 3), -1):
            if view.gaps[index + 1].strip():
                break
            start = view.tokens[index].start
    surface = view.text[start - view.offset : mention.end - view.offset]
    return {w.lower() for w in re.findall(r"\w+", surface) if len(w) >= 4}


def _same_collective(words: set[str], other: set[str]) -> bool:
    """Two namings of one qualified collective: the shorter (two words or more, "Baltic countries")
    within the longer ("the Nordic-Baltic Eight countries"); a bare "allies" is no definition."""
    shorter, longer = sorted((words, other), key=len)
    return len(shorter) >= 2 and shorter <= longer


def _defined_collective(group: Group, view: SentenceView, article: ArticleScope) -> Group:
    """A collective the article has defined by enumerating its members in an apposition before
    ("The Nordic-Baltic Eight countries – Norway, Sweden, ... – said"; later "the package paid for by
    the Nordic and Baltic countries"): each member is a donor, as the named donors of a joint pledge."""
    collectives = [d for d in group.donors if d.flavour == "collective"]
    if not collectives:
        return group
    collective = collectives[0]
    wanted = _words(view, collective)
    if not wanted:
        return group
    for back in range(view.position, -1, -1):
        earlier = article.views[back]
        for mention in earlier.of(DONOR):
            later = back == view.position and mention.first >= collective.first
            if mention.flavour != "collective" or later:
                continue
            keys = _members(earlier, mention)
            if keys and _same_collective(wanted, _words(earlier, mention)):
                donors = [d for d in group.donors if d is not collective]
                donors += [TypedMention(DONOR, "country", collective.first, collective.last, collective.start,
                                        collective.end, key=k, flavour="member")
                           for k in keys if k not in {d.key for d in donors}]
                return Group(donors, group.source, group.first, group.last, group.before)
    return group


def _countries_of(donors) -> list[str]:
    return list(dict.fromkeys(d.key for d in donors if d.cls in ("country", "person") and d.key))


def _cue_before(view: SentenceView, index: int) -> str:
    """The kind of preposition before token ``index``: right before it, or before an article and up
    to two other words that are no donor, verb or preposition ("to the joint fund")."""
    marked = view.__dict__.get("_marked")
    if marked is None:
        marked = {i for m in view.mentions if m.cls != "article" for i in range(m.first, m.last)}
        marked |= {i for i, t in enumerate(view.tokens) if t.text[:1].isupper()}  # a name: a place
        view.__dict__["_marked"] = marked
    verbs = view.__dict__.get("_verb_tokens")
    if verbs is None:  # a particle of a separable verb ("kondigde ... aan") is no preposition
        verbs = {i for t in view.of(TRIGGER) for i in range(t.first, t.last)}
        view.__dict__["_verb_tokens"] = verbs
    for cls in ("jointly", "agent", "recipient", "locative", "content"):
        for cue in view.of(cls):
            if cue.first in verbs:
                continue
            if cue.last == index:
                return cls
            if 0 < index - cue.last <= 2 and not any(i in marked for i in range(cue.last, index)):
                between = view.gap_text(view.tokens[cue.last - 1].end, view.tokens[index].start)
                if not any(c in between for c in ",;:"):
                    return cls
    return ""


def _context_groups(view: SentenceView, package: PackageContext, article: ArticleScope) -> list[Group]:
    """Donors the sentence may mean without naming them: the package it goes on about, the single
    donor of the sentence before (a pronoun subject, a sentence of items), a quotation's speaker."""
    context: list[Group] = []
    opening = bool(view.of("continuation", "package"))  # "the package", "Paketet", "Dessutom"
    if package.donors and view.position - package.position <= _package_reach(view) \
            and (view.paragraph == package.paragraph
                 or ((opening or _quotes_between(article, package.position, view.position))
                     and view.paragraph - package.paragraph <= 2)
                 or _undisputed(view, package, article)):
        context.append(_virtual_group(package.donors, "package", view))
    speaker = _speaker(view, article)
    if speaker:
        context.append(_virtual_group([speaker], "speaker", view))
    if view.position > 0:
        before = article.views[view.position - 1]
        keys = list(dict.fromkeys(d.key for d in before.of(DONOR) if d.cls != "collective"))
        if len(keys) == 1 and before.paragraph == view.paragraph:
            context.append(_virtual_group(keys, "carried", view))
    main = _main_giver(article)
    if not context and main and not view.of(DONOR) and \
            any(_sub_heading(article, v) for v in article.views[max(0, view.position - 1):view.position + 1]):
        context.append(_virtual_group([main], "main", view))  # a new section about the article's giver
    return context


def _main_giver(article: ArticleScope) -> str | None:
    """The donor most of the article's pledges so far came from (at least two, and more than any
    other donor)."""
    ranked = sorted(article.givers.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] >= ranked[0][1]):
        return None
    return ranked[0][0]


def _undisputed(view: SentenceView, package: PackageContext, article: ArticleScope) -> bool:
    """A sentence that names no giver ("Der afsættes ...", "Il est prévu ...") a few paragraphs after
    a package, with no other giver named in between: the package's donors give it. Not what was
    given before ("Already delivered were ..."): that is background, anyone's."""
    if view.of(DONOR, "already", "background", "cumulative") or \
            view.paragraph - package.paragraph > _QUIET_PARAGRAPHS:
        return False
    donors = set(package.donors)
    if any(_sub_heading(article, v) for v in article.views[package.position + 1:view.position + 1]):
        return False  # a sub-heading opens a new section: the package before it does not go on silently
    return all({d.key for d in between.of(DONOR)} <= donors
               for between in article.views[package.position + 1:view.position])


def _sub_heading(article: ArticleScope, view: SentenceView) -> bool:
    """A short line alone in its paragraph without a final stop ("Un radar GM-200 sera livré à l'Ukraine",
    "Först i kön"): the sub-heading of a new section."""
    if len(view.tokens) > _HEADLINE_TOKENS or view.text.rstrip().endswith((".", "?", "!", '"', "”", ":")):
        return False
    views = article.views
    alone = all(p < 0 or p >= len(views) or views[p].paragraph != view.paragraph
                for p in (view.position - 1, view.position + 1))
    return alone and view.position > 0


def _quotes_between(article: ArticleScope, first: int, last: int) -> bool:
    """Only quotations or what someone said stand between two sentences (a quote paragraph after a
    package's announcement, before its contents): the package goes on."""
    between = article.views[first + 1:last]
    return bool(between) and all((v.quoted or v.of("say")) and not v.of(ITEM, MONEY) for v in between)


def _virtual_group(keys: list[str], source: str, view: SentenceView) -> Group:
    donors = [TypedMention(DONOR, "context", -1, -1, view.offset, view.offset, key=k, flavour=source)
              for k in keys]
    return Group(donors, source, -1, -1)


def _speaker(view: SentenceView, article: ArticleScope) -> str | None:
    """The country of the person who speaks in a quotation with "we" ("Wir werden ...", "- Vi vil ...")."""
    if not view.of("first_person"):
        return None
    persons = [d for d in view.of(DONOR) if d.cls == "person"]
    if persons:
        return persons[-1].key
    for back in range(view.position - 1, max(-1, view.position - 3), -1):
        persons = [d for d in article.views[back].of(DONOR) if d.cls == "person"]
        if persons:
            return persons[-1].key
    return article.lexicon.data.get("home_country") if view.quoted else None


# --------------------------------------------------------------------------- attachables

def _attachables(view: SentenceView, triggers: list[Trigger]) -> list[Attachable]:
    items = _munitions_for_systems(view, [m for m in view.of(ITEM) if m.value.category])
    sums = [m for m in view.of(MONEY) if not _is_conversion(view, m)]
    found: list[Attachable] = []
    covered: set[int] = set()
    for money in sums:
        target = _earmark(view, money, items)
        category = "financial"
        attachable = Attachable(MONEY, money, money=money.value)
        if target is not None:
            if id(target) in covered and len([i for i in items if i.first < money.first]) > 1:
                target = None
            else:
                covered.add(id(target))
                attachable.item = target.value
                attachable.quantity = target.value.quantity
                attachable.produced = _produced_item(view, money, items) is target
                category = target.value.category
                covered.update(id(i) for i in _uses_of_sum(view, target, items))
        if target is None:
            category = _sum_category(view, money, items)
        attachable.category = category
        found.append(attachable)
    _split_totals(found)
    for item in items:
        if id(item) in covered or _attacked_with(view, item):
            continue
        quantity = item.value.quantity
        if quantity is None and item.value.category == "training":
            quantity = _quantity_after(view, item)  # "train 10,000 recruits", "15.000 Soldaten ausbilden"
        found.append(Attachable(ITEM, item, item=item.value, category=item.value.category,
                                quantity=quantity))
    if not view.of(ITEM, "train") and not sums:
        for package in view.of("package"):
            if _of_personnel(view, package):
                continue
            found.append(Attachable("package", package, category="other"))
            break
    for train in view.of("train"):
        if any(a.category == "training" for a in found):
            break
        if any(i.first <= train.first < i.last for i in view.of(ITEM)):
            continue
        quantity = _quantity_after(view, train)
        found.append(Attachable(ITEM, train, category="training", quantity=quantity))
    found.sort(key=lambda a: a.first)
    return found


def _split_totals(sums: list[Attachable]) -> None:
    """A sum of aid split into earmarked parts that name no currency of their own ("$330 million,
    of which 200 million for ammunition and 100 million for drones") is the value of a package with
    contents (rule 5: ``other``), not money given as money."""
    for index, total in enumerate(sums):
        if total.category != "financial" or total.item is not None or total.money is None:
            continue
        parts = [a for a in sums[index + 1:] if a.money is not None and getattr(a.money, "implied", False)
                 and a.money.currency == total.money.currency and a.category not in ("financial", "other")]
        if parts and sum(a.money.amount for a in parts) <= total.money.amount:
            total.category = "other"


def _munitions_for_systems(view: SentenceView, items: list[TypedMention]) -> list[TypedMention]:
    """Missiles or ammunition for a named air-defence system ("missiles for the IRIS-T systems",
    "Munition für Gepard") are that system's munitions: one item, of the system's category."""
    result: list[TypedMention] = []
    skip: set[int] = set()
    for index, item in enumerate(items):
        if index in skip:
            continue
        following = items[index + 1] if index + 1 < len(items) else None
        if (following is not None and item.value.category in ("missiles", "ammunition")
                and following.value.equipment_id and following.value.category == "air_defence"
                and following.first - item.last <= 5
                and any(item.last <= c.first < following.first for c in view.of("purpose"))
                and not any(ch in view.gap_text(item.end, following.start) for ch in ",;:")):
            noun = "missiles" if item.value.category == "missiles" else "ammunition"
            merged = replace(following.value, name=f"{following.value.name} {noun}",
                             quantity=item.value.quantity or following.value.quantity)
            result.append(TypedMention(ITEM, "item", item.first, following.last, item.start, following.end,
                                       value=merged))
            skip.add(index + 1)
            continue
        result.append(item)
    return result


def _quantity_after(view: SentenceView, train: TypedMention) -> int | None:
    for quantity in view.unit.quantities:
        index = view.token_at(quantity.start)
        if 0 <= index - train.last <= 4:
            return quantity.value
    return _trainees_before(view, train)


_TRAINEE_REACH = 8  # tokens from a count of people to the training verb


def _trainees_before(view: SentenceView, train: TypedMention) -> int | None:
    """A count of people before the training verb is the training's quantity: "15.000 ukrainische
    Soldaten ausbilden", "80-90 tysięcy żołnierzy przeszkolonych", "150 militaires ... pour former".
    Not a count of an item ("12 canons Caesar ... pour former") nor one across a clause break."""
    items = [item for item in view.of(ITEM) if item is not train]
    for quantity in reversed(view.unit.quantities):
        index = view.token_at(quantity.start)
        if not 0 < train.first - index <= _TRAINEE_REACH:
            continue
        if any(index <= item.first < train.first for item in items):
            return None
        if _punctuated(view.gap_text(quantity.end, train.start), ",;:"):
            return None
        return quantity.value
    return None


def _is_conversion(view: SentenceView, money: TypedMention) -> bool:
    """A sum that restates the sum before it in another currency ("£18.2 billion" in brackets, "or")."""
    if getattr(money.value, "conversion", False):
        return True
    for other in view.of(MONEY):
        if other is money or other.last > money.first:
            continue
        gap = view.gap_text(other.end, money.start)
        if len(gap) > 25:
            continue
        if "(" in gap or any(other.last <= c.first < money.first for c in view.of("conversion")):
            return True
    return False


def _earmark(view: SentenceView, money: TypedMention, items: list[TypedMention]) -> TypedMention | None:
    """The item a sum is for: "€500m for drones", "a set of shells worth €80m", "12 howitzers
    worth €150m" (a value after a single item), "£1.6bn ... to buy 5,000 missiles"."""
    after = [i for i in items if i.first >= money.last]
    if after:
        item = after[0]
        gap = view.gap_text(money.end, item.start)
        words = item.first - money.last
        if words <= _EARMARK_REACH and not _punctuated(gap) and any(
                money.last <= c.first < item.first for c in view.of("purpose", "content")):
            return item
        if words <= 1 and not _punctuated(gap) and _purpose_marked(view, item):
            return item  # "100 miljoonaa euroa ampumatarvikkeisiin", "... ammusten hankintaan"
        buys = [t for t in view.of("buy_for") if money.last <= t.first < item.first]
        others = [m for m in view.of(MONEY) if money.last <= m.first < item.first]
        if buys and words <= 14 and not others and not _punctuated(gap):
            return item
    before = [i for i in items if i.last <= money.first]
    backing = [c for c in view.of("backing") if 0 <= money.first - c.last <= 2]
    if before and backing and backing[0].first - before[-1].last <= 8 and \
            not _punctuated(view.gap_text(before[-1].end, money.start), ";:"):
        return before[-1]  # "900 drones, backed by €40 million"
    if before:
        item = before[-1]
        values = [c for c in view.of("value") if item.last <= c.first < money.first]
        gap = view.gap_text(item.end, money.start)
        listed = len([i for i in before if _same_list(view, i, item)]) > 1 or \
            (bool(view.of("coordination")) and any(c.last <= item.first and item.first - c.last <= 3
                                                  for c in view.of("coordination"))) or \
            any(c.first >= item.last and c.last <= values[0].first for c in view.of("coordination")) \
            if values else False
        if values and money.first - item.last <= 6 and not listed and \
                (not _punctuated(gap) or _value_after_comma(view, item, values[0], gap)):
            return item
        fronted = _fronted_purpose(view, money, item, gap)
        if fronted is not None:
            return fronted
    return _produced_item(view, money, items)


_PRODUCTION_REACH = 14  # words between a sum and the item whose production it pays for


def _produced_item(view: SentenceView, money: TypedMention, items: list[TypedMention]) -> TypedMention | None:
    """The item whose production a sum funds: "fund the production of drones with €500m",
    "rahoittavat 500 miljoonalla ... droonien valmistusta", "con 300 milioni, la produzione di Aster".
    The sum pays for that item, so it is not also money given as money (conventions rules 4, 6)."""
    if not view.of("fund"):
        return None
    sums = [m for m in view.of(MONEY) if m is not money]
    for cue in view.of("production"):
        made = [i for i in items if 0 <= i.first - cue.last <= 3 or 0 <= cue.first - i.last <= 1]
        if not made:
            continue
        item = min(made, key=lambda i: abs(i.first - cue.first))
        first, last = (money.last, item.first) if item.first >= money.last else (item.last, money.first)
        if last - first > _PRODUCTION_REACH or any(first <= m.first < last for m in sums) or \
                any(first <= c.first < last for c in view.of("coordination", "aid_noun", "fund_noun")):
            continue  # "NOK 500 million in budget support and the production of drones": two uses
        ends = (money.end, item.start) if item.first >= money.last else (item.end, money.start)
        if _punctuated(view.gap_text(*ends), ";:"):
            continue
        return item
    return None


_FRONTED_REACH = 6  # words between a fronted purpose's item and the sum it is for


def _fronted_purpose(view: SentenceView, money: TypedMention, item: TypedMention,
                     gap: str) -> TypedMention | None:
    """The item of a purpose phrase put before the sum (free word order, "na nákup munice přispěje
    částkou 150 milionů eur", "für Munition stellt Berlin 500 Millionen Euro bereit"): the sum is for
    it when nothing but the verb and its subject stands between (no clause mark, no other sum)."""
    if not any(0 <= item.first - c.last <= 2 for c in view.of("purpose", "buy_for")):
        return None
    if money.first - item.last > _FRONTED_REACH or _punctuated(gap):
        return None
    if any(item.last <= m.first < money.first for m in view.of(MONEY)):
        return None
    if any(i is not item and _same_list(view, i, item) and i.last <= item.first for i in view.of(ITEM)):
        return None
    return item


def _value_after_comma(view: SentenceView, item: TypedMention, value: TypedMention, gap: str) -> bool:
    """A value set off by a comma right after the one item it prices ("650 LMM missiles, worth £162m",
    "650 missili LMM, per un valore di 162 milioni"); not a package's value ("a package including 10
    tanks, worth ...")."""
    rest = gap.strip()
    return value.first == item.last and rest.startswith(",") and not _punctuated(rest[1:]) and \
        not any(c.last <= item.first for c in view.of("package", "including"))


def _purpose_marked(view: SentenceView, item: TypedMention) -> bool:
    """An item named as the purpose after the sum by its case ending (the relation lexicon's
    ``purpose_endings``) or by a purpose word right after it ("ammusten hankintaan", "drooneja varten")."""
    endings = view.relations.purpose_endings if view.relations is not None else ()
    if endings and lemma_key(view.tokens[item.last - 1].text).endswith(endings):
        return True
    return any(0 <= c.first - item.last <= 1 for c in view.of("purpose"))


_PUNCTUATION = re.compile(r"[;:]|,(?!\d)")


def _punctuated(gap: str, marks: str = ",;:") -> bool:
    """A clause mark in ``gap`` (a comma inside a number, "5,000", is none)."""
    if marks == ",;:":
        return bool(_PUNCTUATION.search(gap))
    return any(c in gap for c in marks)


def _same_list(view: SentenceView, one: TypedMention, other: TypedMention) -> bool:
    """Two items of one enumeration (only commas, conjunctions and short words between them)."""
    first, last = sorted((one, other), key=lambda m: m.first)
    gap = view.gap_text(first.end, last.start)
    return last.first - first.last <= 8 and not any(c in gap for c in ";:")


def _uses_of_sum(view: SentenceView, target: TypedMention, items: list[TypedMention]) -> list[TypedMention]:
    """Items a sum's purpose lists after it ("til luftvern, blant annet til radarer"): uses of the sum."""
    including = [c for c in view.of("including") if 0 <= c.first - target.last <= 3]
    if not including:
        return []
    cue = including[0]
    purpose = [c for c in view.of("purpose") if 0 <= c.first - cue.last <= 1]
    if not purpose:
        return []
    return [i for i in items if i.first >= cue.last]


def _sum_category(view: SentenceView, money: TypedMention, items: list[TypedMention]) -> str:
    """A sum for no named item: a package's value ("other"), money for training, or money as money."""
    if view.of("mechanism") and view.of("package") and not view.of(ITEM):
        return "financial"  # "a package under PURL worth $500 million": paid into a purchase mechanism
    if any(0 <= money.first - c.last <= 2 or 0 <= c.first - money.last <= 0 for c in view.of("value")):
        return "other"  # "support worth €70 million", "€2bn worth of support": the value of a package
    for cue in view.of("value_before"):  # "doneret våben for fem milliarder kroner": what goods are worth
        gap = money.first - cue.last  # one word between only if it makes the sum approximate ("for cirka")
        approximate = bool(getattr(money.value, "approximate", False))
        if (gap == 0 or (gap == 1 and approximate)) and not any(
                n.last <= cue.first and not _breaks_between(view, n.last, cue.first)
                for n in view.of("aid_noun")):
            return "other"  # (but "givet militær støtte for 17 milliarder" is a sum of aid)
    if view.of("mechanism") and not view.of(ITEM):
        return "financial"  # "$500 million for a package under PURL": paid into a purchase mechanism
    if any(0 <= t.first - money.last <= _PURCHASE_REACH for t in view.of("buy_for")) and \
            not any(i.first >= money.last for i in view.of(ITEM)):
        return "financial"  # "a billion of the package ... to buy through funds": purchases not named
    near = [c for c in view.of("package", "fund_noun", "train")
            if abs(c.first - money.first) <= 8 or abs(c.first - money.last) <= 8]
    near.sort(key=lambda c: min(abs(c.first - money.first), abs(c.first - money.last)))
    if near and near[0].cls == "train" and near[0].first >= money.last:
        return "training"
    if near and near[0].cls == "package":
        return "other"
    if any(c.cls == "fund_noun" for c in near):
        return "financial"
    if any(c.cls == "package" for c in near):
        return "other"
    return "financial"


# --------------------------------------------------------------------------- pledges of a sentence

def _sentence_pledges(sentence: PledgeSentence, package: PackageContext, article: ArticleScope,
                      previous_date: str | None) -> tuple[list[PledgeFact], PackageContext, list[bool]]:
    """The pledges of a sentence, the package after it, and which pledges are background."""
    view = sentence.view
    decisions: list[Decision] = []
    for attachable in sentence.attachables:
        trigger = governing_trigger(sentence, attachable)
        if trigger is None and not (sentence.continuation or sentence.implicit):
            continue
        if trigger is not None and (trigger.negated or trigger.blocked):
            continue
        if _own_use(view, attachable) or _requested_clause(sentence, attachable, trigger) or \
                _asked_or_denied_before(sentence, attachable, trigger) or _civil_purpose(view, attachable):
            continue
        decision = decide_donor(sentence, attachable, trigger, article)
        if decision is not None:
            decisions.append(decision)
    decisions = _drop_package_when_listed(decisions)
    decisions = _spread_over_packages(sentence, decisions)
    decisions = _co_funders(sentence, decisions)
    shared = [d.group.keys for d in decisions if d.attachable.kind == MONEY and len(d.group.keys) > 1]
    for decision in decisions:  # donors that share a sum give its contents together
        if decision.group.keys in shared:
            decision.joint = True
    date, meeting = _sentence_date(sentence, package, article, previous_date)
    pledges: list[PledgeFact] = []
    background: list[bool] = []
    for decision in decisions:
        made = _pledges_of(decision, sentence, package, article, date, meeting)
        pledges += made
        background += [decision.background] * len(made)
    return pledges, _next_package(package, sentence, decisions, date, meeting), background


def governing_trigger(sentence: PledgeSentence, attachable: Attachable) -> Trigger | None:
    """The trigger of the attachable's clause nearest before it (one spanning it, for a separable
    verb), else the first after it; else the same in the whole sentence."""
    training = attachable.category == "training"
    triggers = [t for t in sentence.triggers
                if t.cls != "train" or training]  # "F-16 training" trains, it gives no F-16
    if not triggers:
        return None
    clause = sentence.clause
    own = clause[min(attachable.first, len(clause) - 1)]
    spanning = [t for t in triggers if t.first < attachable.first < t.last]
    if spanning:
        return spanning[-1]
    for pool in ([t for t in triggers if clause[t.first] == own], triggers):
        before = [t for t in pool if t.last <= attachable.first or t.first == attachable.first]
        if before:
            return before[-1]
        after = [t for t in pool if t.first >= attachable.last]
        if after:
            return after[0]
    return None


def _requested_clause(sentence: PledgeSentence, attachable: Attachable, trigger: Trigger | None) -> bool:
    """The attachable stands in a later comma clause of its own whose verb is a request and which has
    no verb of giving (", while Ukraine asks for Patriots", "während Kiew ... fordert", "alors que Kyiv
    réclame"): it is what someone asks for, not what the earlier clause's verb gives. A participle with
    its agent ("requested by Kyiv") describes the item and does not count."""
    if trigger is None or trigger.first >= attachable.first:
        return False
    view, clause = sentence.view, _comma_clauses(sentence)
    own = clause[attachable.first]
    if clause[trigger.first] == own or any(clause[t.first] == own for t in sentence.triggers):
        return False
    agents = {c.first for c in view.of("agent")}
    return any(clause[c.first] == own and c.first > trigger.last and c.last not in agents
               for c in view.of("request"))


def _asked_or_denied_before(sentence: PledgeSentence, attachable: Attachable,
                            trigger: Trigger | None) -> bool:
    """The attachable's verb comes only after it, and before it stands a request cue of its clause
    with no verb of giving between ("Zelenskyj ba Europa om flere luftvernsystemer ... og om å bruke
    midlene til å kjøpe våpen") or a negation right before it ("heeft geen Patriot-systeem meer over
    om weg te geven", "has no Patriot left to give"): what is asked for or denied, not given."""
    if trigger is None or trigger.first < attachable.last or _by_donor(sentence.view, trigger):
        return False  # "il faut rajouter les 19 canons promis par le Danemark": the participle states it
    view, clause = sentence.view, sentence.clause
    own = clause[min(attachable.first, len(clause) - 1)]
    for cue in view.of("request"):
        if cue.last <= attachable.first and attachable.first - cue.last <= _REQUEST_REACH and \
                clause[min(cue.first, len(clause) - 1)] == own and \
                not any(cue.last <= t.first < attachable.first for t in sentence.triggers):
            return True
    return any(0 <= attachable.first - cue.last <= 1 and clause[min(cue.first, len(clause) - 1)] == own
               for cue in view.of("negation"))


def _civil_purpose(view: SentenceView, attachable: Attachable) -> bool:
    """A sum for a civil purpose ("€10bn for the reconstruction of Ukraine", "per la ricostruzione"):
    not military aid (conventions rule 8). Only a sum for no item, with the purpose right after it."""
    if attachable.kind != MONEY or attachable.item is not None:
        return False
    purposes = [c for c in view.of("purpose") if 0 <= c.first - attachable.last <= 1]
    return any(0 <= c.first - p.last <= 2 for p in purposes for c in view.of("civil_purpose")) or \
        any(0 <= c.first - attachable.last <= 1 for c in view.of("civil_purpose"))


def _own_use(view: SentenceView, attachable: Attachable) -> bool:
    """Items for the giver's own forces, or what the recipient lacks ("short of shells and tanks"):
    a shortage cue before the item, in its clause and with no verb of giving between, names a need."""
    sources = [c.first for c in view.of("agent", "content") if c.first >= attachable.last]
    # "rockets from the stocks of its own armed forces", "aus Beständen der eigenen Streitkräfte":
    # where the item comes from, not who uses it
    if any(abs(c.first - attachable.last) <= 6 and not any(attachable.last <= a < c.first for a in sources)
           for c in view.of("own_use")):
        return True
    shortages = view.of("shortage")
    if not shortages:
        return False
    clause = _clauses(view)
    verbs = [t.first for t in view.of(TRIGGER)]
    return any(0 <= attachable.first - c.last <= _SHORTAGE_REACH
               and clause[c.first] == clause[attachable.first]
               and not any(c.last <= v < attachable.first for v in verbs) for c in shortages)


def candidate_groups(sentence: PledgeSentence) -> list[Group]:
    """Every donor group the attachment step may choose from: the sentence's and the context's."""
    return [*sentence.groups, *sentence.context]


def decide_donor(sentence: PledgeSentence, attachable: Attachable, trigger: Trigger | None,
                 article: ArticleScope) -> Decision | None:
    """Who gives ``attachable``: the model's choice where it is sure, else the rules'."""
    rule_group, rule = rule_donor(sentence, attachable, trigger)
    group, how, confidence = rule_group, rule, 0.7
    if article.model is not None:
        choice = article.model.choose(sentence, attachable, trigger, rule_group, rule,
                                      candidate_groups(sentence))
        if choice is not None:
            group, confidence = choice
            how = f"model.{rule}" if group is rule_group else "model.other"
            confidence = round(confidence, 3)
    if group is None or not group.keys:
        return None
    partner = _partner(sentence, group, trigger)
    joint = partner is not None
    if partner is not None:  # "Norway, together with Denmark, buys ...": one joint pledge
        group = Group([*group.donors, *partner.donors], group.source, group.first, group.last, group.before)
    recipient = _recipient(sentence, attachable, trigger, article.lexicon)
    return Decision(attachable, trigger, group, how, confidence, recipient, joint=joint,
                    background=is_background(sentence, attachable, trigger)
                    or _giver_after_background(sentence, partner or group))


def _giver_after_background(sentence: PledgeSentence, group: Group) -> bool:
    """A giver named right after a background cue of its clause ("the second such delivery after the one
    made at the start of the war together with France"): the pledge is the earlier one, not the news."""
    clause = _comma_clauses(sentence)
    own = clause[min(group.first, len(clause) - 1)]
    return any(0 <= group.first - cue.last <= 4 and clause[min(cue.first, len(clause) - 1)] == own
               for cue in sentence.view.of("background"))


def _partner(sentence: PledgeSentence, group: Group, trigger: Trigger | None) -> Group | None:
    """A donor group introduced by a "together with" cue in the clause of the giver ("together with
    Norway", "tillsammans med Island", "razem z Holandią"): the giver's partner in a joint pledge."""
    clause = sentence.clause
    n = len(clause)
    anchor = trigger.first if trigger is not None else group.first
    if anchor < 0:
        return None
    for other in sentence.groups:
        if other is group or other.before != "jointly" or set(other.keys) <= set(group.keys):
            continue
        if clause[min(other.first, n - 1)] == clause[min(anchor, n - 1)]:
            return other
    return None


def rule_donor(sentence: PledgeSentence, attachable: Attachable, trigger: Trigger | None
               ) -> tuple[Group | None, str]:
    """The rules' donor group for an attachable and the name of the rule that chose it."""
    view, groups, clause = sentence.view, sentence.groups, sentence.clause
    usable = [g for g in groups if g.before not in ("recipient", "locative", "jointly")]
    owner = _share_owner(view, attachable, groups)
    if owner is not None:  # "Danmarks andel er 90 millioner, mens Norges bidrag ...": each its own
        return owner, "share"
    gapped = _gapped_donor(view, attachable, trigger, usable)
    if gapped is not None:
        return gapped, "gapped"
    attached = _attached_agent(view, attachable, trigger, groups)
    if attached is not None and trigger is not None and trigger.cls in ("fund", "buy_for"):
        # "X pays for a package of weapons from Y": Y sells, the payer gives
        own = clause[min(trigger.first, len(clause) - 1)]
        payers = [g for g in usable if g.last <= trigger.first and clause[g.first] == own
                  and g.before != "agent" and not set(g.keys) & set(attached.keys)]
        if payers:
            return payers[-1], "subject"
    if attached is not None:
        return attached, "agent"
    if trigger is not None and trigger.cls == "receive":
        # "ministers said Ukraine will get ...": who announces gives
        announcers = [t for t in sentence.triggers if t.last <= trigger.first and t.cls == "pledge"]
        if not announcers or not view.of(RECIPIENT):
            # "X presented a package. Ukraine receives ...": the package's donors, when the sentence
            # names no one else
            package = [g for g in sentence.context if g.source == "package"]
            if package and not usable:
                return package[0], "package"
            # "Ukraine receives two systems, which the US is sending" / "die die USA liefern": the
            # subject of a verb of giving in a clause after the item
            for later in sentence.triggers:
                if later.cls == "receive" or later.negated or later.first < attachable.last:
                    continue
                givers = [g for g in usable if attachable.last <= g.first and g.last <= later.first
                          and _opens_relative(view, attachable.last, g.first)]
                if givers:
                    return givers[-1], "relative"
            return None, "receive"
        trigger = announcers[-1]
    if trigger is not None:
        own = clause[min(trigger.first, len(clause) - 1)]
        subjects = [g for g in usable if g.last <= trigger.first and clause[g.first] == own
                    and g.before != "agent"]
        if subjects:
            return subjects[-1], "subject"
        inverted = [g for g in usable if 0 <= g.first - trigger.head_last <= 3 and g.before == ""]
        if inverted:
            return inverted[0], "inverted"
        speaker = [g for g in sentence.context if g.source == "speaker"]
        if speaker and _first_person(sentence, attachable, trigger):  # "we will deliver": the speaker's
            return speaker[0], "speaker"
        if sentence.continuation:
            package = [g for g in sentence.context if g.source == "package"]
            if package:
                return package[0], "package"
        earlier = [g for g in usable if g.last <= trigger.first and g.before != "agent"
                   and not _breaks_between(view, g.last, trigger.first)]
        if earlier:
            return earlier[-1], "clause"
    elif sentence.continuation:
        package = [g for g in sentence.context if g.source == "package"]
        if package:
            return package[0], "package"
    keys = {k for g in usable for k in g.keys}
    if len(keys) == 1:
        return usable[0], "only"
    if trigger is not None and not any(g.last <= trigger.first for g in usable):
        after = [g for g in usable if g.first >= trigger.last and g.before == ""]
        if after:
            return after[0], "later"
    if not usable:
        for source in ("speaker", "package", "carried", "main"):
            found = [g for g in sentence.context if g.source == source]
            if found:
                return found[0], source
        # "X are delivered together with A and B" (a passive, no giver named): the partners give
        partners = [g for g in groups if g.before == "jointly"]
        if trigger is not None and trigger.cls != "receive" and partners:
            return partners[0], "partner"
    return None, "none"


_RELATIVE_REACH = 3  # words between an item and the subject of the relative clause after it


def _opens_relative(view: SentenceView, first: int, last: int) -> bool:
    """Tokens ``first`` to ``last`` (an item's end to a donor) open a relative clause: a few words with
    a relative pronoun or complementiser, or a comma, and no coordination ("..., which the US sends",
    "..., die die USA liefern", "... que les États-Unis envoient"; not "... and Germany sends")."""
    if last - first > _RELATIVE_REACH:
        return False
    if any(first <= c.first < last for c in view.of("coordination")):
        return False
    return any(first <= c.first < last for c in view.of("relative", "complementiser")) or \
        "," in view.gap_text(view.tokens[first - 1].end, view.tokens[last].start)


_FIRST_PERSON_REACH = (4, 2)  # words a "we" stands before / after its verb ("we will deliver", "sender vi")


def _first_person(sentence: PledgeSentence, attachable: Attachable, trigger: Trigger) -> bool:
    """The subject of the trigger, or of the last verb before the attachable in its clause ("we will
    deliver missiles and training programmes"), is "we" / "I": a pronoun near the verb in its clause, or
    a first-person verb ending."""
    view, clause = sentence.view, sentence.clause
    n = len(clause)
    own = clause[min(attachable.first, n - 1)]
    verbs = [trigger, *[t for t in sentence.triggers if t.first < attachable.first
                        and clause[min(t.first, n - 1)] == own and not t.negated]]
    before, after = _FIRST_PERSON_REACH
    return any(clause[min(c.first, n - 1)] == clause[min(verb.first, n - 1)]
               and -before <= c.first - verb.first <= after
               for verb in verbs for c in view.of("first_person"))


_GAPPED_REACH = 2  # words between the donor of an elided clause and its sum or item


def _gapped_donor(view: SentenceView, attachable: Attachable, trigger: Trigger | None,
                  usable: list[Group]) -> Group | None:
    """The donor of a conjunct whose verb is elided (gapping): "X will give A, and Y B", "A was paid
    by X, B by Y": a donor group after the governing trigger that opens a new conjunct (after a comma
    or a coordination cue, perhaps with its agent preposition) and stands right before the attachable,
    while another donor came earlier in the sentence."""
    if trigger is None or attachable.kind == "package":
        return None
    for group in usable:
        if group.first < trigger.last or group.last > attachable.first:
            continue
        if attachable.first - group.last > _GAPPED_REACH or group.source != "sentence":
            continue
        if not any(g.last <= group.first and not set(g.keys) & set(group.keys) for g in usable):
            continue
        tokens = view.tokens
        between = view.gap_text(tokens[group.last - 1].end, tokens[attachable.first].start)
        if _punctuated(between, ",;:()[]") or any(
                group.last <= m.first < attachable.first for m in view.of(TRIGGER, DONOR, ITEM)):
            continue
        start = group.first
        agents = [c for c in view.of("agent") if 0 <= group.first - c.last <= 1]
        if group.before == "agent" and agents:
            start = agents[-1].first
        # the conjunct may open with a few words of its own ("the second by Y")
        marked = {i for m in view.of(TRIGGER, DONOR, ITEM, MONEY) for i in range(m.first, m.last)}
        ends = {c.last for c in view.of("coordination")}
        for opening in range(start, max(start - _GAPPED_REACH, 0) - 1, -1):
            if opening == 0 or (opening < start and opening in marked):
                break
            if opening in ends or "," in view.gap_text(tokens[opening - 1].end, tokens[opening].start):
                return group
    return None


def _attached_agent(view: SentenceView, attachable: Attachable, trigger: Trigger | None,
                    groups: list[Group]) -> Group | None:
    """A donor group introduced by an agent preposition right after the attachable ("£450 million
    package from Latvia and Estonia", "jets by Greece"), or right after a passive or
    receiving verb ("donated by Denmark", "received from Norway", "recibirá de España"), or a passive
    agent right before
    a participle ("door België beloofde radars")."""
    aid_nouns = view.of("aid_noun", "package")
    # after a receiving verb a genitive preposition names the source too ("recibirá de España")
    sources = ("agent", "content") if trigger is not None and trigger.cls == "receive" else ("agent",)
    for group in groups:
        if group.before not in sources:
            continue
        # "The support from the allies amounts to ...", "a package from Latvia and Estonia includes ..."
        if any(0 <= group.first - noun.last <= 1 and noun.last <= attachable.first and
               not _breaks_between(view, noun.last, attachable.first) for noun in aid_nouns):
            return group
        for anchor in (attachable.last, trigger.last if trigger else None):
            if anchor is None:
                continue
            distance = group.first - anchor
            gap = view.gap_text(view.tokens[anchor - 1].end, view.tokens[group.first].start) \
                if 0 < anchor <= group.first else ""
            if 0 <= distance <= _ATTACHED_REACH and not _punctuated(gap):
                return group
        if trigger is not None and 0 <= trigger.first - group.last <= 1 and trigger.first <= attachable.first:
            return group  # "the by-the-Netherlands pledged radar" order (de, nl)
        if attachable.kind == MONEY and 0 <= attachable.first - group.last <= _GAPPED_REACH:
            between = view.gap_text(view.tokens[group.last - 1].end, view.tokens[attachable.first].start)
            if not _punctuated(between) and not any(
                    group.last <= m.first < attachable.first for m in view.of(TRIGGER, DONOR, ITEM)):
                return group  # "was by X with Y financed" (verb-final passive: de, nl)
    return None


def _recipient(sentence: PledgeSentence, attachable: Attachable, trigger: Trigger | None,
               lexicon: Lexicon) -> str:
    """Ukraine, unless the clause sends the thing to another named country and not to Ukraine
    ("two Patriot systems will be deployed to Poland")."""
    view = sentence.view
    if view.of(RECIPIENT):
        return lexicon.default_recipient
    if trigger is None or trigger.cls not in ("deploy", "give", "deliver"):
        return lexicon.default_recipient
    for group in sentence.groups:
        if group.before == "recipient" and group.first >= trigger.first and \
                all(d.cls == "country" for d in group.donors):
            keys = group.keys
            if len(keys) == 1:
                return keys[0]
    return lexicon.default_recipient


def _drop_package_when_listed(decisions: list[Decision]) -> list[Decision]:
    """A package named with contents is its contents; unless several donors stand behind it (each
    has a package, who gave what is not said)."""
    contents = [d for d in decisions if d.attachable.kind != "package"]
    result = []
    for decision in decisions:
        if decision.attachable.kind == "package" and contents and len(decision.group.keys) == 1:
            continue
        result.append(decision)
    return result


def _spread_over_packages(sentence: PledgeSentence, decisions: list[Decision]) -> list[Decision]:
    """Several donors named with packages and the packages' contents ("A, B and C announced packages
    including drones and shells"): one package per donor, the contents ``multiple`` (who gave which is
    not said; CONVENTIONS.md rules 2 and 5). A joint pledge ("jointly", one package "from A and B")
    keeps its own form: each donor and ``multiple``."""
    packages = sentence.view.of("package")
    if not packages or sentence.joint:
        return decisions
    package = packages[0]
    result, opened = list(decisions), set()
    for decision in decisions:
        named = [k for k in decision.group.keys if k != MULTIPLE_DONORS]
        if (decision.attachable.kind != ITEM or len(named) < 2 or decision.joint
                or decision.group.collective or decision.attachable.first < package.first):
            continue
        if (decision.group.before == "agent" and 0 <= decision.group.first - package.last <= 2) or \
                all(d.flavour == "member" for d in decision.group.donors):
            decision.joint = True  # "a package from A and B to fund X": one package, given jointly;
            continue  # so is a package of a collective the article defined by its members
        decision.unattributed = True
        if tuple(named) not in opened:
            opened.add(tuple(named))
            result.append(replace(decision, attachable=Attachable("package", package, category="other"),
                                  unattributed=False))
    return result


_ATTACK_REACH = 7  # tokens from a verb or noun of attack to the weapons it names ("by drones and missiles")


def _attacked_with(view: SentenceView, item: TypedMention) -> bool:
    """Weapons named as the means of an attack or as what was shot down ("colpite da droni e missili",
    "attacked by drones", "ha intercettato decine di missili russi"): the attacker's, no aid. A cue
    right before the noun is a kind of weapon ("attack drones") and does not count."""
    items = view.of(ITEM)
    for cue in view.of("attack"):
        if any(i.first == cue.last or i.first <= cue.first < i.last for i in items):
            continue  # "attack drones", "attack helicopters": a kind of weapon, no attack
        if 1 <= item.first - cue.last <= _ATTACK_REACH and \
                not _punctuated(view.gap_text(cue.end, item.start)) and \
                not any(cue.last <= t.first < item.first for t in view.of(TRIGGER, DONOR)):
            return True
    return False


_PERSONNEL_REACH = 3  # tokens from a noun of sending to the troops it sends


def _of_personnel(view: SentenceView, package: TypedMention) -> bool:
    """A noun of sending that sends troops, soldiers or instructors ("l'invio di truppe", "el envío de
    tropas"): a deployment of a country's own forces, no package of aid (CONVENTIONS.md rule 8)."""
    return any(0 <= cue.first - package.last <= _PERSONNEL_REACH for cue in view.of("personnel"))


def _co_funders(sentence: PledgeSentence, decisions: list[Decision]) -> list[Decision]:
    """A package or sum with further funding from another donor named after it, governing nothing else
    ("a package worth X, Y of which paid by A, with extra funding from B"): the total is a joint pledge of
    both (rule 2), and so is the package the next sentences go on about."""
    chosen = {id(d.group) for d in decisions}
    funding = [t.last for t in sentence.triggers if t.cls in ("fund", "give") and not t.blocked]
    funding += [m.last for m in sentence.view.of("aid_noun")]
    extra = [g for g in sentence.groups if g.before == "agent" and id(g) not in chosen
             and not g.collective and any(0 <= g.first - last <= 2 for last in funding)]
    if not extra:
        return decisions
    for decision in decisions:
        if decision.rule == "agent" or decision.attachable.kind not in (MONEY, "package") \
                or decision.attachable.category != "other" or decision.group.source != "sentence":
            continue
        later = [g for g in extra if g.first > decision.attachable.last
                 and not set(g.keys) <= set(decision.group.keys)]
        if not later:
            continue
        donors = decision.group.donors + [d for g in later for d in g.donors]
        decision.group = replace(decision.group, donors=donors)
        decision.joint = True
        break
    return decisions


def _pledges_of(decision: Decision, sentence: PledgeSentence, package: PackageContext,
                article: ArticleScope, date: str | None, meeting: str | None) -> list[PledgeFact]:
    """One pledge per donor of the group; what they share (a quantity, a sum) goes to a ``multiple``
    pledge when several named donors give together."""
    attachable = decision.attachable
    trigger = decision.trigger
    status = trigger.status if trigger is not None else package.status
    if trigger is None and getattr(attachable.money, "cumulative", False):
        status = "delivered"  # a running total without a verb of giving (rule 9): "the total rises to"
    keys = decision.group.keys
    if decision.group.collective:
        keys = [MULTIPLE_DONORS]
    named = [k for k in keys if k != MULTIPLE_DONORS]
    collective_member = any(d.cls == "collective" for d in decision.group.donors) and named
    pledge_date = _pledge_date(decision, sentence, status, date, article)
    rule = f"{article.lexicon.lang}.pledge.{decision.rule}.{attachable.kind}"

    def fact(donor: str, shared: bool) -> PledgeFact:
        item = attachable.item
        return PledgeFact(
            donor=donor,
            recipient=decision.recipient,
            item=(item.name if item is not None and _keeps_item(attachable, article.lexicon.lang) else
                  ("training" if attachable.category == "training" and attachable.kind == ITEM else None)),
            item_id=item.equipment_id if item is not None and _keeps_item(attachable, article.lexicon.lang)
            else None,
            category=attachable.category,
            quantity=attachable.quantity if shared else None,
            amount=attachable.money.amount if shared and attachable.money is not None else None,
            currency=attachable.money.currency if shared and attachable.money is not None else None,
            date=pledge_date,
            meeting=meeting if status == "pledged" and pledge_date and pledge_date == date else None,
            status=status,
            evidence=article.evidence_of(sentence.view.unit.sentence, rule, decision.confidence),
        )

    if len(named) <= 1 and not collective_member:
        return [fact(keys[0], True)]
    if decision.unattributed:
        return [fact(MULTIPLE_DONORS, True)]
    shared = attachable.quantity is not None or attachable.money is not None
    joint = sentence.joint or decision.joint or shared or collective_member
    pledges = [fact(k, False) for k in named]
    if joint:
        pledges.append(fact(MULTIPLE_DONORS, True))
    return pledges


def _keeps_item(attachable: Attachable, lang: str | None = None) -> bool:
    """Money for a category keeps no item; money for a named system keeps it (rule 6), and so does
    money for a kind of weapon the text names ("£1.6bn ... to buy air defence missiles", "€80m for
    drones", rule 6: the noun the text names): not for the category itself ("NOK 2.7bn for air
    defence", "för ammunition": the item is the category's label), nor for money, support,
    maintenance or training."""
    item = attachable.item
    if item is None:
        return False
    if attachable.kind == MONEY:
        if item.equipment_id is not None or attachable.produced:
            return True  # (the production of drones names the thing made, not a category's label)
        if attachable.category in _MONEY_ONLY:
            return False
        category = load_knowledge().categories.get(attachable.category)
        label = (category.labels.get(lang or "", "") if category is not None else "").casefold()
        surface = item.surface.casefold()
        return not label or not (surface.startswith(label[:-1]) and len(surface) <= len(label) + 4)
    return True


_MONEY_ONLY = ("maintenance", "financial", "other", "training")  # money for these keeps no item


# --------------------------------------------------------------------------- dates

def _statement_dates(view: SentenceView, published: datetime.date | None) -> list[TypedMention]:
    """The day- or month-precise dates of a sentence that are not after publication."""
    return [m for m in view.of("date") if len(m.value.value) >= 7
            and not (published and m.value.value > published.isoformat())]


def _sentence_date(sentence: PledgeSentence, package: PackageContext, article: ArticleScope,
                   previous_date: str | None) -> tuple[str | None, str | None]:
    """The day of the sentence's news: its own date nearest the first live trigger; "the same day"
    -> the previous sentence's; the package's for a continuation; the main meeting's where the
    meeting reaches the sentence; else the article's own day."""
    view = sentence.view
    dates = _statement_dates(view, article.published)
    live = [t for t in sentence.triggers if not t.negated and not t.blocked] or sentence.triggers
    if dates:
        anchor = live[0].first if live else 0
        nearest = min(dates, key=lambda d: abs(d.first - anchor))
        return nearest.value.value, _meeting_on(article.meetings, nearest.value.value)
    if previous_date and view.of("same_time"):
        return previous_date, _meeting_on(article.meetings, previous_date)
    recalled = _meeting_recalled(view, article)
    if recalled is not None:
        return recalled.date, recalled.key
    paragraph = article.paragraph_dates.get(view.paragraph)
    if paragraph is not None and _shares_donor(view, paragraph[1], article):
        return paragraph[0], _meeting_on(article.meetings, paragraph[0])
    if sentence.continuation and package.date:
        return package.date, package.meeting
    main = article.main_meeting
    if main is not None and main.date and (article.meeting_everywhere or
                                           view.paragraph in article.meeting_paragraphs):
        return main.date, main.key
    return None, None


def _paragraph_dates(views: list[SentenceView], published: datetime.date | None
                     ) -> dict[int, tuple[str, list[int]]]:
    """The single day named in a paragraph of several sentences (a quotation and its attribution
    "..., she said on Friday"), with the positions of the sentences that name it."""
    days: dict[int, set[str]] = {}
    naming: dict[int, list[int]] = {}
    sizes: dict[int, int] = {}
    for view in views:
        sizes[view.paragraph] = sizes.get(view.paragraph, 0) + 1
        for date in _statement_dates(view, published):
            if len(date.value.value) == 10:
                days.setdefault(view.paragraph, set()).add(date.value.value)
                naming.setdefault(view.paragraph, []).append(view.position)
    return {p: (next(iter(d)), naming[p]) for p, d in days.items() if len(d) == 1 and sizes[p] > 1}


def _shares_donor(view: SentenceView, positions: list[int], article: ArticleScope) -> bool:
    """A paragraph's day dates a sentence naming no donor (a quotation, "The package ...") or one of
    the donors of the sentence that names the day - not another donor's background."""
    own = {d.key for d in view.of(DONOR)}
    if not own:
        return True
    return any(own & {d.key for d in article.views[p].of(DONOR)} for p in positions)


def _pledge_date(decision: Decision, sentence: PledgeSentence, status: str, date: str | None,
                 article: ArticleScope) -> str | None:
    """The pledge's date: none for background; a delivery only by a day of its own sentence."""
    view = sentence.view
    if decision.background:
        return None
    own = _statement_dates(view, article.published)
    if own and decision.trigger is not None:
        clause_day = _clause_day(sentence, decision.trigger, own)
        if clause_day is not _NO_DAY:
            return clause_day
        own = []  # the sentence's day belongs to another clause's news
        date = None if status == "delivered" else _fallback_date(sentence, article)
    if status == "delivered":
        return date if own else None
    return date


_NO_DAY = object()


def _comma_clauses(sentence: PledgeSentence) -> list[int]:
    """Clause numbers split also at commas ("Spain has promised ..., and Germany on Tuesday pledged")."""
    cached = sentence.__dict__.get("_comma_clauses")
    if cached is None:
        view = sentence.view
        cached, current = [], 0
        clause = sentence.clause
        for i, gap in enumerate(view.gaps):
            if i > 0 and (clause[i] != clause[i - 1] or (gap != " " and _punctuated(gap))):
                current += 1
            cached.append(current)
        sentence.__dict__["_comma_clauses"] = cached
    return cached


def _clause_day(sentence: PledgeSentence, trigger: Trigger, days: list[TypedMention]):
    """The day of the sentence that dates a pledge of ``trigger``: one in the trigger's own clause,
    else one in a clause that gives nothing itself (an attribution: "..., Pistorius said on
    Monday"); ``_NO_DAY`` when every day belongs to another clause's own news."""
    clauses = _comma_clauses(sentence)
    n = len(clauses)
    own = clauses[min(trigger.first, n - 1)]
    fronted = [d for d in days if d.first <= 1]
    if fronted:  # "Dinsdag zegde Duitsland ... toe, en ook Noorwegen ...": the day opens every clause
        return fronted[0].value.value
    same = [d for d in days if clauses[min(d.first, n - 1)] == own]
    if same:
        return min(same, key=lambda d: abs(d.first - trigger.first)).value.value
    things = [a for a in sentence.attachables]
    for day in sorted(days, key=lambda d: abs(d.first - trigger.first)):
        clause = clauses[min(day.first, n - 1)]
        news = any(clauses[min(t.first, n - 1)] == clause and not t.negated and t is not trigger
                   for t in sentence.triggers) and \
            any(clauses[min(a.first, n - 1)] == clause for a in things)
        if not news:
            return day.value.value
    return _NO_DAY


def _fallback_date(sentence: PledgeSentence, article: ArticleScope) -> str | None:
    """The day a pledge gets when its sentence's day belongs to another clause: the main meeting's
    where the meeting reaches the sentence (else the event day, later)."""
    main = article.main_meeting
    if main is not None and main.date and (article.meeting_everywhere or
                                           sentence.view.paragraph in article.meeting_paragraphs):
        return main.date
    return None


def is_background(sentence: PledgeSentence, attachable: Attachable, trigger: Trigger | None) -> bool:
    """What was given before, not news: a cumulative sum or a cumulative cue in the thing's clause; a
    background cue ("earlier", "so far", "since 2022") before its verb in the verb's clause or
    right before the thing; an item after "in addition to" or "already"."""
    view, clause = sentence.view, _comma_clauses(sentence)
    if getattr(attachable.money, "cumulative", False):
        return True
    own = clause[min(attachable.first, len(clause) - 1)]
    for cue in view.of("cumulative"):
        if clause[min(cue.first, len(clause) - 1)] == own:
            return True
    anchor = trigger.first if trigger is not None else attachable.first
    anchor_clause = clause[min(anchor, len(clause) - 1)]
    for cue in view.of("background"):
        cue_clause = clause[min(cue.first, len(clause) - 1)]
        if cue.last <= anchor and cue_clause == anchor_clause:
            return True
        if 0 <= attachable.first - cue.last <= 2 or \
                (trigger is not None and 0 <= cue.first - trigger.last <= 1):
            return True
    for cue in view.of("addition", "already"):
        if cue.last <= attachable.first and attachable.first - cue.last <= 6:
            return True
    # a pledge named in a condition ("Wenn Deutschland drei Patriot-Systeme zur Verfügung stelle,
    # könnten andere ...", "if Britain sends more, ..."): an argument from it, not its announcement
    for cue in view.of("condition"):
        if cue.last <= anchor and clause[min(cue.first, len(clause) - 1)] == anchor_clause:
            return True
    return _recalled(sentence, attachable)


def _recalled(sentence: PledgeSentence, attachable: Attachable) -> bool:
    """An item after an attributive participle of promise ("the promised radar and three launchers
    will be delivered soon", "De door Nederland toegezegde radar wordt geleverd") whose clause verb
    comes after it and says no delivery has happened: the pledge is recalled, not announced."""
    view = sentence.view
    later = [t for t in sentence.triggers if t.first > attachable.first
             and not _breaks_between(view, attachable.first, t.first)]
    if not later or any(t.status == "delivered" for t in later):
        return False
    for m in view.of("pledge"):
        if m.kind != TRIGGER or m.last - m.first != 1 or not m.last <= attachable.first:
            continue
        token, lemma = view.tokens[m.first], view.lemmas[m.first]
        if token.key == lemma or view.relations is None or not view.relations.is_past(token, lemma):
            continue
        # the participle stands after an article, perhaps with its agent between ("de door Nederland")
        agent = {i for c in view.of("agent", DONOR) for i in range(c.first, c.last)}
        if any(c.last == m.first or (c.last < m.first and all(i in agent for i in range(c.last, m.first)))
               for c in view.of("article")) and \
                not _breaks_between(view, m.last, attachable.first) and \
                not any(m.last <= t.first < attachable.first for t in view.of(TRIGGER)):
            return True
    return False


def _meeting_recalled(view: SentenceView, article: ArticleScope) -> MeetingFact | None:
    """The meeting a sentence places its news at by a phrase of the language's ``at_meeting`` list
    ("At the same meeting ...", "Nel corso della riunione ...", "Kokouksessa ..."): the last dated
    meeting the text named up to this sentence (rule 10: the day of the meeting at which the text says
    it was announced)."""
    cue = meeting_cues(article.lexicon).at_meeting
    if cue is None or not cue.search(view.text):
        return None
    published = article.published.isoformat() if article.published else None
    end = article.evidence_of(view.unit.sentence, "reach").end
    best: tuple[int, MeetingFact] | None = None
    for meeting in article.meetings:
        if not meeting.date or len(meeting.date) != 10 or (published and meeting.date > published):
            continue
        starts = [e.start for e in meeting.evidence if e.start < end]
        if starts and (best is None or max(starts) > best[0]):
            best = (max(starts), meeting)
    return best[1] if best else None


def _meeting_on(meetings: list[MeetingFact], date: str | None) -> str | None:
    same_day = [m.key for m in meetings if date and m.date == date]
    return same_day[0] if len(same_day) == 1 else None


def _meeting_reach(article: ArticleScope) -> None:
    """Which paragraphs the main meeting dates: all when the lead speaks of it, else those that do."""
    main = article.main_meeting
    if main is None:
        return
    starts = {e.start for e in main.evidence}
    lead = _lead_paragraph(article.views)
    for view in article.views:
        if article.evidence_of(view.unit.sentence, "reach").start in starts:
            article.meeting_paragraphs.add(view.paragraph)
            article.meeting_everywhere = article.meeting_everywhere or view.position < 3 or \
                view.paragraph <= lead
    article.meeting_everywhere = article.meeting_everywhere or not starts


_LEAD_TOKENS = 40  # a paragraph this long is body text, not a headline, standfirst, caption or byline


def _lead_paragraph(views: list[SentenceView]) -> int:
    """The paragraph of the article's lead: the first one of body length, after the headline, the
    standfirst, the byline and the dateline lines (-1 when there is none)."""
    sizes: dict[int, int] = {}
    for view in views:
        sizes[view.paragraph] = sizes.get(view.paragraph, 0) + len(view.tokens)
    return next((p for p in sorted(sizes) if sizes[p] >= _LEAD_TOKENS), -1)


def _date_by_event_day(pledges: list[PledgeFact], news: set[int], event_day: str | None) -> None:
    """Rule 10: news without a day of its own is dated by the article's day - a promise, plan or
    proposal, not a delivery and not background."""
    if event_day is None:
        return
    for index in news:
        pledge = pledges[index]
        if pledge.date is None and pledge.status != "delivered":
            pledge.date = event_day


# --------------------------------------------------------------------------- package context

def _next_package(package: PackageContext, sentence: PledgeSentence, decisions: list[Decision],
                  date: str | None, meeting: str | None) -> PackageContext:
    """The package later sentences may go on about: the donors that gave in this sentence."""
    view = sentence.view
    own = [d for d in decisions if d.group.source in ("sentence", "main")]  # "main": a section's giver
    if not sentence.attachables:  # an announcement: its subjects stand behind what follows
        groups = [g for g in sentence.groups if g.before not in ("recipient", "locative")]
        keys = list(dict.fromkeys(k for g in groups for k in g.keys))
        live = [t for t in sentence.triggers if not t.negated and not t.blocked]
        if keys and live:
            return PackageContext(keys, date, meeting, live[0].status, view.position, view.paragraph,
                                  sentence.joint or len(keys) > 1)
        return package
    if own:
        keys = list(dict.fromkeys(k for d in own for k in d.group.keys))
        first = own[0].trigger
        return PackageContext(keys, date, meeting, first.status if first else "pledged", view.position,
                              view.paragraph, sentence.joint or any(d.joint for d in own))
    if decisions:
        return replace(package, position=view.position, paragraph=view.paragraph)
    return package


# --------------------------------------------------------------------------- article level

def _merge_restatements(pledges: list[PledgeFact], views: list[SentenceView]) -> list[PledgeFact]:
    """A pledge stated twice (a headline or lead and the body, a summary) is one pledge: same donor,
    category, status and no contradicting item, quantity or sum. The fuller statement is kept, with
    what the other adds."""
    kept: list[PledgeFact] = []
    for pledge in pledges:
        twin = next((k for k in kept if _restates(k, pledge)), None)
        if twin is None:
            kept.append(pledge)
            continue
        _absorb(twin, pledge)
    return kept


def _restates(one: PledgeFact, other: PledgeFact) -> bool:
    if one.donor != other.donor or one.recipient != other.recipient:
        return False
    if one.amount is not None and one.amount == other.amount and one.currency == other.currency and \
            (one.item is None or other.item is None or _same_item(one, other)
             or _narrows(one.category, other.category)) and \
            ("financial" in (one.category, other.category) or _narrows(one.category, other.category)):
        return True  # the same sum told twice, once with its purpose
    if one.category != other.category:
        return False
    if one.evidence is not None and other.evidence is not None and one.evidence.start == other.evidence.start:
        if one.item != other.item or one.category != other.category:
            return False
        return all(a is None or b is None or a == b for a, b in
                   ((one.amount, other.amount), (one.quantity, other.quantity)))
    if one.status != other.status:
        return False
    if one.item is not None and other.item is not None and not _same_item(one, other):
        return False
    for a, b in ((one.quantity, other.quantity), (one.amount, other.amount)):
        if a is not None and b is not None and a != b:
            return False
    if one.date and other.date and one.date != other.date:
        return False
    same_thing = (one.amount is not None and one.amount == other.amount) or \
                 (one.item is not None and other.item is not None) or \
                 (one.quantity is not None and one.quantity == other.quantity)
    return same_thing


def _same_item(one: PledgeFact, other: PledgeFact) -> bool:
    """The same item named twice, perhaps once more fully (a headline's "drones", the body's
    "reconnaissance drones"): equal names, or one name the other's last or first words; two
    different known systems never."""
    if one.item_id and other.item_id and one.item_id != other.item_id:
        return False
    a, b = sorted((str(one.item).casefold(), str(other.item).casefold()), key=len)
    return a == b or b.endswith(" " + a) or b.startswith(a + " ")


# (broader, narrower) categories one sum may be told under: a headline's "missiles" for the body's
# air-defence missiles
_NARROWER = frozenset({("missiles", "air_defence")})


def _narrows(one: str | None, other: str | None) -> bool:
    return (one, other) in _NARROWER or (other, one) in _NARROWER


def _absorb(kept: PledgeFact, other: PledgeFact) -> None:
    if (kept.category == "financial" and other.category != "financial") or \
            (kept.category, other.category) in _NARROWER:
        kept.category = other.category
    if kept.item is not None and other.item is not None and len(str(other.item)) > len(str(kept.item)):
        kept.item, kept.item_id = other.item, other.item_id or kept.item_id  # the fuller name
    for name in ("item", "item_id", "quantity", "amount", "currency", "date", "meeting"):
        if getattr(kept, name) is None and getattr(other, name) is not None:
            setattr(kept, name, getattr(other, name))


__all__ = ["ArticleScope", "Attachable", "Decision", "Group", "PackageContext", "PledgeSentence", "Trigger",
           "analyse_sentence", "candidate_groups", "decide_donor", "find_pledges", "governing_trigger",
           "rule_donor"]
