"""Pledges (n-ary): donor, recipient, item/category, quantity, money, status, date, meeting.

Per sentence (words from the lexicon, order rules language-independent):
1. triggers classed by status (pledged / delivered / planned / proposed); a trigger with a
   negation cue shortly before it yields nothing ("will not be able to send Patriot systems");
2. each item and each money amount is governed by the nearest trigger before it (else the first
   after it); a "proposed" trigger governs the whole sentence;
3. the donor: for money, an agent right after it ("€11 billion from Germany", "£4.5 billion which
   the U.K. has committed", "of which ... by Britain"); for a sentence that continues a package
   ("It includes", "Paketet", "The assistance"), the donors of that package; else the nearest
   donor group before the trigger, else after it. Donors are countries (not the recipient),
   organisations mapped by the lexicon (EU -> EU, NATO/UDCG -> multiple), persons with a post
   (Kallas -> EU) and collective nouns ("allies", "Natoallierade" -> multiple). Coordinated
   countries give one pledge each for items and one "multiple" pledge for a shared sum; with a
   "jointly" cue ("i fællesskab", "samen", "gemeinsam") also one "multiple" pledge for items;
4. an enumeration gives one pledge per item, all sharing donor, status and date;
5. date: "earlier"/cumulative cues -> none; a month- or day-precise date in the sentence; the
   package's date for a continuation; a unique date of the paragraph (quotes with their
   attribution); the main meeting's date for pledges in an article about that meeting.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from graph.extract.lexicon import Lexicon, word_alternation
from graph.model import MULTIPLE_DONORS, MeetingFact, PledgeFact

_COORDINATION_GAP = re.compile(r"^\s*(?:,|and|und|och|og|et|en|i|oraz|a|&)?\s*(?:,\s*)?$", re.IGNORECASE)
_RELATIVE_AGENT = re.compile(
    r"^\s*(?:which|that|som|die|den|das|que|dat|które|który)\s+(?:the\s+)?$", re.IGNORECASE
)


_AFTER_TRIGGER = re.compile(r"(?:\s+[\w']+){1,5}")  # "stuurt Den Haag voorlopig niet"


@dataclass
class Donor:
    key: str  # ISO2, org key, or "multiple"
    start: int
    end: int
    agentive: bool = False
    organisation: str | None = None  # the key of the organisation mention that names this donor


@dataclass
class PackageContext:
    donors: list[str] = field(default_factory=list)
    date: str | None = None
    meeting: str | None = None
    status: str = "pledged"
    paragraph: int = -1
    joint: bool = False  # announced by several donors together ("Denmark and Norway will jointly ...")


@dataclass
class Trigger:
    start: int
    end: int
    status: str
    negated: bool
    receipt: bool = False  # "Ukraine received ... from Denmark": the giver follows "from"


@dataclass
class _ArticleScope:
    """What every sentence's steps need to know about the whole article."""

    lexicon: Lexicon
    meetings: list[MeetingFact]
    main_meeting: MeetingFact | None
    published: datetime.date | None
    evidence_of: Callable
    donors_of: _SentenceDonors  # the donors of the sentence at a position (own or carried over)
    paragraph_dates: dict[int, tuple[str, list[int]]]
    meeting_reach: _MeetingReach
    same_time: re.Pattern[str] | None  # "the same day", "samma dag": the previous sentence's date


@dataclass
class _PledgeSentence:
    """One sentence that may state pledges, with what the sentence steps decided about it."""

    unit: Any  # the pipeline's SentenceUnit
    triggers: list[Trigger]  # status verbs, in text order
    continuation: bool  # goes on about the package of the sentences before ("It includes ...")
    money: list  # the sums (without conversions of another sum into another currency)
    donors: list[Donor]  # donor mentions, own or carried over from the sentence before
    groups: list[list[Donor]]  # the donors grouped by coordination
    earlier: bool  # an "earlier" or cumulative cue: no date of this article
    date: str | None
    meeting: str | None
    joint_cue: bool  # "jointly", "i fællesskab", "gemeinsam"
    partnered: bool  # a donor right after a "jointly" cue ("together with Norway")
    clauses: list[tuple[int, int, str]]  # split at commas too (for dates)
    verb_clauses: list[tuple[int, int, str]]  # split without commas (for status verbs)
    earmarks: dict[int, Any]  # id(sum) -> the item the sum is for (or None)


def find_pledges(
    analysed: list,
    lexicon: Lexicon,
    persons,
    meetings: list[MeetingFact],
    main_meeting: MeetingFact | None,
    published: datetime.date | None,
    evidence_of,
    event_day: str | None = None,
) -> list[PledgeFact]:
    """All pledges of the article, in text order. ``event_day``: the day the article's news
    happened (dates undated promises when the article is not about a meeting).

    Per sentence: status verbs, sums and donors (:func:`_pledge_sentence`, which also dates the
    sentence with :func:`_date_and_meeting`) -> the package it announces or continues
    (:func:`_next_package`) -> one pledge per item and donor (:func:`_item_pledges`) and one per
    sum (:func:`_money_pledges`). Then the event day dates the undated promises of the donors that
    announced something that day, and repeated pledges of one sentence are dropped."""
    article = _ArticleScope(
        lexicon,
        meetings,
        main_meeting,
        published,
        evidence_of,
        _SentenceDonors(analysed, lexicon, persons, published),
        _paragraph_dates(analysed, published),
        _MeetingReach(analysed, main_meeting, evidence_of),
        _data_pattern(lexicon, "same_time"),
    )
    pledges: list[PledgeFact] = []
    undated: set[int] = set()  # indices of pledges that the event day may date
    package = PackageContext()
    last_date: str | None = None  # the date of the latest sentence that had one
    for position, unit in enumerate(analysed):
        dated_before = last_date
        last_date = _occasion_date(unit, published, event_day) or last_date
        sentence = _pledge_sentence(unit, position, package, dated_before, article)
        if sentence is None:
            continue
        package = _next_package(package, sentence)
        sentence_first = len(pledges)
        pledges += _item_pledges(sentence, package, article)
        pledges += _money_pledges(sentence, package, article)
        if not sentence.earlier:
            undated.update(range(sentence_first, len(pledges)))
    _date_by_event_day(pledges, undated, event_day if main_meeting is None else None)
    return _deduplicate(pledges)


def _pledge_sentence(
    unit, position: int, package: PackageContext, dated_before: str | None, article: _ArticleScope
) -> _PledgeSentence | None:
    """What a sentence says about pledges: its status verbs, whether it continues the current
    package, its sums, donors, date and clauses. None when it cannot state a pledge: no status
    verb, no continuation and no sum with an aid noun; or only negated status verbs."""
    lexicon = article.lexicon
    sentence = unit.sentence
    text, offset = sentence.text, sentence.start
    triggers = _triggers(text, offset, lexicon, unit.word_starts)
    continuation = (
        bool(_search(lexicon, "continuation", text))
        and package.paragraph >= 0
        and sentence.paragraph - package.paragraph <= 1
    )
    money = [m for m in unit.money if not _is_conversion(sentence, m, unit.money, lexicon)]
    has_aid_noun = bool(_search(lexicon, "aid_nouns", text))
    if not triggers and not continuation and not (money and has_aid_noun):
        return None
    if triggers and all(t.negated for t in triggers) and not continuation:
        return None
    donors = article.donors_of(position)
    earlier = bool(_search(lexicon, "earlier", text))
    date, meeting = _date_and_meeting(
        unit, triggers, continuation, earlier, donors, dated_before, package, article
    )
    jointly = _data_pattern(lexicon, "jointly")
    return _PledgeSentence(
        unit=unit,
        triggers=triggers,
        continuation=continuation,
        money=money,
        donors=donors,
        groups=_groups(text, offset, donors, _data_pattern(lexicon, "articles")),
        earlier=earlier,
        date=date,
        meeting=meeting,
        joint_cue=bool(jointly and jointly.search(text)),
        partnered=_joint_partner(text, offset, donors, lexicon),
        clauses=_clauses(text, offset, lexicon),
        verb_clauses=_clauses(text, offset, lexicon, commas=False),  # "plant, ... zu liefern"
        earmarks={id(a): _earmark(text, offset, a, unit.items, lexicon) for a in money},
    )


def _date_and_meeting(
    unit,
    triggers: list[Trigger],
    continuation: bool,
    earlier: bool,
    donors: list[Donor],
    dated_before: str | None,
    package: PackageContext,
    article: _ArticleScope,
) -> tuple[str | None, str | None]:
    """The date of a sentence's pledges and the meeting held that day, the first that applies:
    none after an "earlier"/cumulative cue; the sentence's own day or month; the previous dated
    sentence's date after "the same day"; the package's date for a continuation; the single day
    of the paragraph (for a sentence that shares a donor with the sentences naming it, or names
    none); the main meeting's date when the meeting reaches the sentence."""
    if earlier:
        return None, None
    meetings, sentence = article.meetings, unit.sentence
    date, meeting = _sentence_date(unit, meetings, article.published, triggers)
    if date is not None:
        return date, meeting
    if dated_before and article.same_time and article.same_time.search(sentence.text):
        return dated_before, _meeting_on(meetings, dated_before)  # "Samma dag", "samtidig"
    if continuation and package.date:
        return package.date, package.meeting
    paragraph_date = article.paragraph_dates.get(sentence.paragraph)
    if not unit.dates and paragraph_date and _shares_donor(donors, paragraph_date, article.donors_of):
        return paragraph_date[0], _meeting_on(meetings, paragraph_date[0])
    main_meeting = article.main_meeting
    if main_meeting is not None and article.meeting_reach(sentence):
        return main_meeting.date, main_meeting.key
    return None, None


def _next_package(package: PackageContext, sentence: _PledgeSentence) -> PackageContext:
    """The package the following sentences may continue. A sentence that names donors starts a new
    one (its donors, date, meeting, first status verb; joint with a "jointly" cue or partner) -
    unless it continues a joint package and only repeats its donors after the verb ("The package
    includes ..., according to the Danish ministry"); a continuation keeps the package going."""
    first = sentence.triggers[0] if sentence.triggers else None
    keeps_joint_package = (
        sentence.continuation
        and package.joint
        and not _explicit_before(sentence.groups, first)
        and (
            set(_countries_of(sentence.groups)) <= set(package.donors)
            or package.donors == [MULTIPLE_DONORS]
        )
    )
    paragraph = sentence.unit.sentence.paragraph
    if sentence.groups and not keeps_joint_package:
        return PackageContext(
            _package_donors(sentence.groups),
            sentence.date,
            sentence.meeting,
            _package_status(package, sentence, first),
            paragraph,
            sentence.joint_cue or sentence.partnered,
        )
    if sentence.continuation:
        return replace(package, paragraph=paragraph)
    return package


def _package_status(package: PackageContext, sentence: _PledgeSentence, first: Trigger | None) -> str:
    """A new package has the status of the sentence's first verb; without one, a continuation keeps
    the package's status and anything else is a promise."""
    if first is not None:
        return first.status
    return package.status if sentence.continuation else "pledged"


def _item_pledges(
    sentence: _PledgeSentence, package: PackageContext, article: _ArticleScope
) -> list[PledgeFact]:
    """One pledge per item and donor. An item a sum is earmarked for is that sum's pledge; an item
    governed by a negated status verb is none. Coordinated donors give one pledge each, or one
    "multiple" pledge when they act jointly (a "jointly" cue or partner, a joint package)."""
    unit = sentence.unit
    covered = _earmarked_items(sentence, article.lexicon)
    rule = "list" if len(unit.items) > 1 else "item"
    pledges = []
    for item in unit.items:
        if id(item) in covered:
            continue
        trigger = _governing(sentence.triggers, item.start, sentence.verb_clauses)
        if trigger is not None and trigger.negated:
            continue
        group = _givers(sentence, trigger, item, package, article.lexicon)
        if not group:
            continue
        keys = _distinct([d.key for d in group])
        together = sentence.joint_cue or (
            sentence.continuation and not _explicit_before(sentence.groups, trigger)
        )
        if sentence.partnered or (len(keys) > 1 and together):
            keys = [MULTIPLE_DONORS]
        confidence = 0.7 if len(keys) == 1 else 0.6
        pledges += [
            _pledge_fact(sentence, key, trigger, package, article, rule, confidence, item=item)
            for key in keys
        ]
    return pledges


def _earmarked_items(sentence: _PledgeSentence, lexicon: Lexicon) -> set[int]:
    """The ids of the items a sum of the sentence is for, with the uses listed after them: they are
    pledged with the sum, not on their own."""
    unit = sentence.unit
    text, offset = unit.sentence.text, unit.sentence.start
    covered = set()
    for target in sentence.earmarks.values():
        if target is not None:
            covered.add(id(target))
            covered.update(id(i) for i in _covered_by_earmark(text, offset, target, unit.items, lexicon))
    return covered


def _money_pledges(
    sentence: _PledgeSentence, package: PackageContext, article: _ArticleScope
) -> list[PledgeFact]:
    """One pledge per sum (not governed by a negated status verb), for the item it is earmarked
    for or "financial". Its donor is the one attached to the sum ("€11 billion from Germany"),
    else found as for items; a sum of several donors is a "multiple" pledge."""
    unit = sentence.unit
    pledges = []
    for amount in sentence.money:
        trigger = _governing(sentence.triggers, amount.start, sentence.verb_clauses)
        if trigger is not None and trigger.negated:
            continue
        local = _money_agent(unit.sentence.text, unit.sentence.start, amount, sentence.donors)
        group = [local] if local else _givers(sentence, trigger, amount, package, article.lexicon)
        if not group:
            continue
        keys = _distinct([d.key for d in group])
        donor = keys[0] if len(keys) == 1 and not sentence.partnered else MULTIPLE_DONORS
        target = sentence.earmarks[id(amount)]
        pledges.append(
            _pledge_fact(sentence, donor, trigger, package, article, "money", 0.7, item=target, amount=amount)
        )
    return pledges


def _givers(
    sentence: _PledgeSentence, trigger: Trigger | None, thing, package: PackageContext, lexicon: Lexicon
) -> list[Donor]:
    """The donors of an item or sum governed by ``trigger``: for a receiving verb, who it comes
    from; else the subject of a reported clause, else the donor group of the verb or package."""
    text, offset = sentence.unit.sentence.text, sentence.unit.sentence.start
    if trigger is not None and trigger.receipt:
        return _giver(text, offset, sentence.groups, thing, sentence.unit, lexicon)
    return _clause_subject(text, offset, sentence.groups, trigger, thing.start, lexicon) or _donor_group(
        sentence.groups, trigger, sentence.continuation, package
    )


def _pledge_fact(
    sentence: _PledgeSentence,
    donor: str,
    trigger: Trigger | None,
    package: PackageContext,
    article: _ArticleScope,
    rule: str,
    confidence: float,
    item=None,
    amount=None,
) -> PledgeFact:
    """The pledge of ``donor`` for ``item`` and/or ``amount``: the status of its verb (else of the
    package), the date of its clause, the sentence's meeting for a promise, the sentence as evidence."""
    status = trigger.status if trigger else package.status
    lexicon = article.lexicon
    clause_date = _clause_date(
        sentence.date, sentence.unit, trigger, sentence.clauses, sentence.triggers, article.same_time
    )
    return PledgeFact(
        donor=donor,
        recipient=lexicon.default_recipient,
        item=item.name if item is not None else None,
        item_id=item.equipment_id if item is not None else None,
        category=item.category if item is not None else "financial",
        quantity=item.quantity if item is not None else None,
        amount=amount.amount if amount is not None else None,
        currency=amount.currency if amount is not None else None,
        date=_pledge_date(clause_date, status, article.main_meeting),
        meeting=sentence.meeting if status == "pledged" else None,
        status=status,
        evidence=article.evidence_of(sentence.unit.sentence, f"{lexicon.lang}.pledge.{rule}", confidence),
    )


class _SentenceDonors:
    """The donors of a sentence, worked out only for the sentences that need them (pledge sentences
    and, for a sentence without a donor, the sentences before it). A sentence without a donor of
    its own takes the single donor of the previous sentence when its subject is a pronoun ("It
    plans to supply ...", "Elle prévoit de livrer ...") or when it names items in the same
    paragraph ("Bereits geliefert wurden ...")."""

    def __init__(self, analysed: list, lexicon: Lexicon, persons, published) -> None:
        self.analysed = analysed
        self.lexicon = lexicon
        self.persons = persons
        self.published = published
        self._own: dict[int, list[Donor]] = {}

    def own(self, position: int) -> list[Donor]:
        if position not in self._own:
            unit = self.analysed[position]
            self._own[position] = _donors(unit, self.lexicon, self.persons, self.published)
        return self._own[position]

    def may_carry(self, position: int) -> bool:
        """Whether sentence ``position`` may take the previous sentence's donor (its form alone)."""
        if position == 0:
            return False
        unit = self.analysed[position]
        same_paragraph = self.analysed[position - 1].sentence.paragraph == unit.sentence.paragraph
        return _starts_with_pronoun(unit.sentence.text, self.lexicon) or bool(unit.items and same_paragraph)

    def named(self, position: int) -> list[str]:
        """The donor keys a sentence names or carries over (iterative: chains may be long)."""
        chain = []
        while position >= 0 and not self.own(position) and self.may_carry(position):
            chain.append(position)
            position -= 1
        keys = _distinct([d.key for d in self.own(position)]) if position >= 0 else []
        for _ in chain:
            keys = keys if len(keys) == 1 else []
        return keys

    def __call__(self, position: int) -> list[Donor]:
        donors = self.own(position)
        if donors or not self.may_carry(position):
            return donors
        carried = self.named(position - 1)
        if len(carried) != 1:
            return []
        start = self.analysed[position].sentence.start
        return [Donor(carried[0], start, start)]


def _earmark(text: str, offset: int, amount, items: list, lexicon: Lexicon):
    """The item a sum is earmarked for ("€500 million for drones", "1,5 milliarder kroner til
    luftvern", "a $150 million package of munitions", "1,2 miljard euro vrijmaakt voor de
    luchtverdediging"): a purpose or content preposition, perhaps after one word (a verb or
    "package"), and at most four words between the sum and the item."""
    purpose = _valued(text, offset, amount, items, lexicon)
    prepositions = lexicon.pattern("purpose_prepositions")
    if prepositions is None:
        return None
    content = _data_pattern(lexicon, "content_prepositions")
    purchase = _data_pattern(lexicon, "purchase_cues")
    for item in items:
        if item.start < amount.end:
            continue
        gap = text[amount.end - offset : item.start - offset]
        words = gap.split()
        if 1 <= len(words) <= 4 and "," not in gap and any(
            _is_preposition(word, prepositions, content) for word in words[:2]
        ):
            return item
        # "will use £1.6 billion of export finance to buy more than 5,000 air defence missiles"
        if purchase and len(words) <= 12 and not re.search(r"[,;:](?!\d)", gap) and purchase.search(gap):
            return item
        return purpose
    return purpose


def _is_preposition(word: str, purpose: re.Pattern[str], content: re.Pattern[str] | None) -> bool:
    return bool(purpose.fullmatch(word) or (content and content.fullmatch(word)))


def _clauses(text: str, offset: int, lexicon: Lexicon, commas: bool = True) -> list[tuple[int, int, str]]:
    """The clauses of a sentence (absolute spans) split at semicolons, the contrast openers of the
    language ("while", "während", "medan", "tandis que", "terwijl", "podczas gdy"), relative pronouns
    ("which", "som", "qui") and, with ``commas``, at commas; the third field names the kind of opener
    that begins the clause ("clause_openers", "relative_openers" or "")."""
    cuts = [(m.start(), m.end(), "") for m in re.finditer(r"[,;]" if commas else ";", text)]
    for kind in ("clause_openers", "relative_openers"):
        openers = _data_pattern(lexicon, kind)
        if openers is not None:
            cuts += [(m.start(), m.start(), kind) for m in openers.finditer(text)]
    cuts.sort()
    clauses: list[tuple[int, int, str]] = []
    start, opener = 0, ""
    for cut_start, cut_end, kind in cuts:
        if cut_start > start or not kind:
            clauses.append((start + offset, cut_start + offset, opener))
            start, opener = cut_end, ""
        opener = opener or kind
    clauses.append((start + offset, len(text) + offset, opener))
    return [c for c in clauses if c[1] > c[0]]


def _clause_at(clauses: list, position: int):
    return next((c for c in clauses if c[0] <= position < c[1]), None)


def _clause_date(
    date: str | None, unit, trigger: Trigger | None, clauses: list, triggers: list[Trigger],
    same_time: re.Pattern[str] | None = None,
) -> str | None:
    """The sentence's date for a pledge governed by ``trigger``, unless the date belongs to another
    clause: a pledge told in a contrasting aside ("while Norway has already sent NASAMS"), a delivery
    told in a relative clause ("which donated Patriot systems last year") or a date in a clause with
    a status verb and items of its own ("Spain has promised ..., and Germany on Tuesday pledged two
    Patriot systems") does not date it; an attribution ("..., Pistorius announced on Friday") does."""
    if date is None or trigger is None:
        return date
    clause = _clause_at(clauses, trigger.start)
    if clause is None:
        return date
    named = [m for m in unit.dates if m.value == date]
    if not named or any(clause[0] <= m.start < clause[1] for m in named):
        return date
    between = unit.sentence.text[named[0].end - unit.sentence.start : trigger.start - unit.sentence.start]
    if same_time and same_time.search(between):
        return date  # "Tirsdag lovede Tyskland ..., og Norge meddelte samme dag, at landet vil ..."
    delivery_aside = clause[2] == "relative_openers" and trigger.status == "delivered"
    if clause[2] == "clause_openers" or delivery_aside:
        return None  # "while Norway has sent ...", "which donated Patriot systems last year"
    for mention in named:
        other = _clause_at(clauses, mention.start)
        if other is None:
            continue
        verbs = [t for t in triggers if t is not trigger and not t.negated]
        things = [*unit.items, *unit.money]
        if any(other[0] <= t.start < other[1] for t in verbs) and any(
            other[0] <= x.start < other[1] for x in things
        ):
            return None
    return date


def _joint_partner(text: str, offset: int, donors: list[Donor], lexicon: Lexicon) -> bool:
    """A donor named right after a "jointly" cue ("together with Norway", "gemeinsam mit den
    Niederlanden", "financed together with Denmark", "razem z Litwą") shares the sentence's package
    with another donor: the package is one of several donors ("multiple")."""
    jointly = _data_pattern(lexicon, "jointly")
    keys = {d.key for d in donors}
    if jointly is None or len(keys) < 2:
        return False
    for cue in jointly.finditer(text):
        after = cue.end() + offset
        if any(0 <= d.start - after <= 25 and "," not in text[cue.end() : d.start - offset] for d in donors):
            return True
    return False


def _covered_by_earmark(text: str, offset: int, target, items: list, lexicon: Lexicon) -> list:
    """The items a sum's purpose lists after its main purpose: "1,5 miljarder kronor till luftvärn,
    bland annat till fler NASAMS-system", "5 milliarder kroner til luftvern, blant annet til radarer"
    (uses of the sum, not pledges of their own)."""
    including = _data_pattern(lexicon, "including_cues")
    if including is None:
        return []
    cue = including.search(text, target.end - offset)
    if cue is None or cue.start() - (target.end - offset) > 40:
        return []
    purpose = lexicon.pattern("purpose_prepositions")
    if purpose is None or not purpose.match(text, cue.end() + 1):
        return []  # "for air defence, including 20 radars": things listed are pledged items
    between = text[target.end - offset : cue.start()]
    interrupted = any(target.end <= i.start and i.end <= cue.start() + offset for i in items)
    if interrupted or re.search(r"[;:]", between):
        return []
    return [i for i in items if i.start >= cue.end() + offset]


@functools.cache
def _words_pattern(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return word_alternation(list(patterns))


def _data_pattern(lexicon: Lexicon, name: str) -> re.Pattern[str] | None:
    """A word list of the language data that the lexicon does not compile itself (e.g. "jointly")."""
    return _words_pattern(tuple(lexicon.data.get(name, ())))


def _valued(text: str, offset: int, amount, items: list, lexicon: Lexicon):
    """The item a sum is the value of: "luftvärnssystem till ett värde av 1,2 miljarder kronor",
    "100,000 drones this year, backed by £350 million"."""
    value_of = _data_pattern(lexicon, "value_of")
    before = [item for item in items if item.end <= amount.start]
    if value_of is None or not before:
        return None
    gap = text[before[-1].end - offset : amount.start - offset].strip(" ,")
    if value_of.fullmatch(gap):
        return before[-1]
    backing = _data_pattern(lexicon, "backing_cues")
    cue = backing.search(gap) if backing else None
    if cue and len(gap) <= 60 and not gap[cue.end() :].strip() and not re.search(r"[;:]", gap):
        return before[-1]
    return None


def _pledge_date(date: str | None, status: str, main_meeting: MeetingFact | None) -> str | None:
    """A delivery reported in an article about a meeting did not happen at the meeting; a plan or a
    proposal made there is dated by it."""
    if status == "delivered" and main_meeting is not None and date == main_meeting.date:
        return None
    return date


def _date_by_event_day(pledges: list[PledgeFact], undated: set[int], event_day: str | None) -> None:
    """An undated promise, plan or proposal of a donor who announced something on the article's
    event day is dated by that day ("Kosiniak-Kamysz also said that Warsaw plans to order Piorun");
    deliveries, earlier pledges and donors without news that day stay undated."""
    if event_day is None:
        return
    announcing = {p.donor for p in pledges if p.date == event_day}
    for index in undated:
        pledge = pledges[index]
        if pledge.date is None and pledge.status != "delivered" and pledge.donor in announcing:
            pledge.date = event_day


def _search(lexicon: Lexicon, name: str, text: str):
    pattern = lexicon.pattern(name)
    return pattern.search(text) if pattern else None


def _triggers(text: str, offset: int, lexicon: Lexicon, word_starts: list[int]) -> list[Trigger]:
    """Status triggers of a sentence (tried at its word starts), negated or not, chained."""
    found = []
    negation = lexicon.pattern("negation")
    exceptions = _data_pattern(lexicon, "negation_exceptions")
    starts = [start - offset for start in word_starts]
    for status, index in lexicon.trigger_index.items():
        for match in index.scan(text, starts):
            window = text[max(0, match.start() - 40) : match.start()]
            window = re.split(r"[,;:]|\s-\s", window)[-1]
            after = _AFTER_TRIGGER.match(text, match.end())  # "stuurt geen", "sender ikke", "liefert keine"
            negated = any(
                _negates(fragment, negation, exceptions)
                for fragment in (window, match.group(), after.group() if after else "")
            )
            found.append(Trigger(match.start() + offset, match.end() + offset, status, negated))
    found.sort(key=lambda t: (t.start, -(t.end - t.start)))
    kept: list[Trigger] = []
    receipt = _data_pattern(lexicon, "receipt_verbs")
    for trigger in found:
        if any(trigger.start < k.end and k.start < trigger.end for k in kept):
            continue
        words = text[trigger.start - offset : trigger.end - offset]
        trigger.receipt = bool(receipt and receipt.fullmatch(words))
        kept.append(trigger)
    return _chain(text, offset, kept, lexicon)


def _negates(fragment: str, negation: re.Pattern[str] | None, exceptions: re.Pattern[str] | None) -> bool:
    """A negation cue in ``fragment`` that is not part of "not only", "nicht nur", "inte bara" ..."""
    if negation is None or not fragment or negation.search(fragment) is None:
        return False
    return exceptions is None or negation.search(exceptions.sub(" ", fragment)) is not None


def _chain(text: str, offset: int, triggers: list[Trigger], lexicon: Lexicon) -> list[Trigger]:
    """A verb of intention or promise governs the infinitive it takes: "prévoient de livrer",
    "plans to supply", "planerar att skicka", "promised to deliver" are one trigger with the status
    of the first verb."""
    marker = _infinitive_gap(lexicon)
    if marker is None:
        return triggers
    chained: list[Trigger] = []
    for trigger in triggers:
        if chained:
            last = chained[-1]
            gap = text[last.end - offset : trigger.start - offset]
            if len(gap) <= 25 and marker.fullmatch(gap):
                chained[-1] = Trigger(last.start, trigger.end, last.status, last.negated or trigger.negated,
                                      last.receipt or trigger.receipt)
                continue
        chained.append(trigger)
    return chained


@functools.cache
def _infinitive_gap_of(markers: tuple[str, ...]) -> re.Pattern[str] | None:
    if not markers:
        return None
    alternatives = "|".join(markers)
    return re.compile(rf"\s*(?:\w+\s+)?(?:{alternatives})\s*(?:\w+\s+)?|\s+", re.IGNORECASE)


def _infinitive_gap(lexicon: Lexicon) -> re.Pattern[str] | None:
    return _infinitive_gap_of(tuple(lexicon.data.get("infinitive_markers", ())))


def _governing(triggers: list[Trigger], position: int, clauses: list | None = None
               ) -> Trigger | None:
    """The status verb that governs an item at ``position``: a proposal governs the whole sentence;
    else a verb phrase around the item ("wird vier IRIS-T-Systeme liefern"); else the nearest verb
    before it, else the first after it - looked for in the item's clause first ("Germany will send
    X, while Norway has sent Y")."""
    proposed = [t for t in triggers if t.status == "proposed" and not t.negated]
    if proposed:
        return proposed[0]
    spanning = [t for t in triggers if t.start <= position < t.end]
    if spanning:
        return spanning[-1]
    clause = _clause_at(clauses or [], position)
    if clause is not None:
        own = [t for t in triggers if clause[0] <= t.start < clause[1]]
        # a contrasting clause has its own subject and verb: "Norway said it would fund NASAMS
        # launchers, while Sweden has already delivered ..." - its verb does not govern the item
        contrasts = [c for c in clauses if c[2] == "clause_openers" and c is not clause]
        triggers = own or [t for t in triggers if not any(c[0] <= t.start < c[1] for c in contrasts)]
    before = [t for t in triggers if t.end <= position]
    if before:
        return before[-1]
    after = [t for t in triggers if t.start >= position]
    return after[0] if after else None


def _donors(unit, lexicon: Lexicon, persons, published) -> list[Donor]:
    text = unit.sentence.text
    offset = unit.sentence.start
    agent = lexicon.pattern("agent_prepositions")
    media = lexicon.pattern("media_nouns")
    donors: list[Donor] = []
    for mention in unit.mentions:
        key = None
        if mention.kind == "country" and mention.key not in lexicon.non_donors:
            key = mention.key
        elif mention.kind == "org":
            key = lexicon.org_donor.get(mention.key)
        if key is None:
            continue
        following = text[mention.end - offset : mention.end - offset + 20]
        if media and media.match(following.lstrip()) and following[:1] == " ":
            continue
        if mention.kind == "country" and _is_location(text, mention.start - offset, lexicon):
            continue
        donor = Donor(key, mention.start, mention.end, _agentive(text, mention.start - offset, agent))
        donor.organisation = mention.key if mention.kind == "org" else None
        donors.append(donor)
    acting: list[Donor] = []
    for person in persons.mentions.get(unit.sentence.index, []):
        key = persons.donor_of(person.person, published, lexicon.donor_roles)
        if key and key not in lexicon.non_donors:
            acting.append(Donor(key, person.start, person.end))
    # an officer of an organisation acts for it: "le secrétaire général de l'OTAN, Jens Stoltenberg"
    officers = {d.key for d in acting}
    donors = [d for d in donors if d.organisation is None or d.organisation not in officers] + acting
    for start, end, key in _institutions(text, lexicon):
        start, end = start + offset, end + offset
        # "den ukrainska regeringen" is described by its country; "die Regierung in Kiew" is placed
        described = any(m.start < end and start <= m.end + 1 for m in unit.mentions)
        placed = _is_location(text, end - offset, lexicon, after=True)
        if key not in lexicon.non_donors and not described and not placed:
            donors.append(Donor(key, start, end, _agentive(text, start - offset, agent)))
    collective = lexicon.pattern("collective_donors")
    if collective:
        for match in collective.finditer(text):
            start, end = match.start() + offset, match.end() + offset
            if not any(d.start < end and start < d.end for d in donors):
                donors.append(Donor(MULTIPLE_DONORS, start, end, _agentive(text, match.start(), agent)))
    donors.sort(key=lambda d: d.start)
    return donors


@functools.cache
def _institution_pattern(lang: str) -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    """One alternation of the institution names of ``lang`` (group ``i<n>`` -> the n-th country)."""
    from graph.extract.lexicon import load_lexicon

    data = load_lexicon(lang).data
    table = dict(data.get("institution_donors", {}))
    home = data.get("home_country")
    if home:
        table.update({noun: home for noun in data.get("government_nouns", [])})
    if not table:
        return None, ()
    body = "|".join(f"(?P<i{n}>{pattern})" for n, pattern in enumerate(table))
    return re.compile(rf"(?<![\w-])(?:{body})(?!\w)", re.IGNORECASE), tuple(table.values())


def _institutions(text: str, lexicon: Lexicon) -> list[tuple[int, int, str]]:
    """Parliaments and governments that act for their country: "der Bundestag", "die Bundesregierung",
    "Stortinget"; a bare "the government" ("Regjeringen", "Regeringen") in a language with a home
    country is that country's government."""
    pattern, keys = _institution_pattern(lexicon.lang)
    if pattern is None:
        return []
    return [(m.start(), m.end(), keys[int(m.lastgroup[1:])]) for m in pattern.finditer(text)]


def _starts_with_pronoun(text: str, lexicon: Lexicon) -> bool:
    """The sentence's subject is a pronoun ("It plans to ...", "Il prévoit de ...", "Den planerar ...")."""
    pronouns = _data_pattern(lexicon, "subject_pronouns")
    return bool(pronouns and pronouns.match(text))


def _is_location(text: str, start: int, lexicon: Lexicon, after: bool = False) -> bool:
    """A country after a place preposition is where something happens, not who gives:
    "at the US air base in Germany to announce", "w Niemczech". With ``after``: a place preposition
    follows ``start`` ("die Regierung in Kiew", "regeringen i Kyiv")."""
    locative = _data_pattern(lexicon, "locative_prepositions")
    if locative is None:
        return False
    if after:
        word = re.match(r"\s+(\w+)", text[start : start + 15])
    else:
        word = re.search(r"(\w+)\s+$", text[max(0, start - 15) : start])
    return bool(word and locative.fullmatch(word.group(1)))


def _agentive(text: str, start: int, agent: re.Pattern[str] | None) -> bool:
    if agent is None:
        return False
    window = text[max(0, start - 12) : start]
    matches = list(agent.finditer(window))
    return bool(matches) and not window[matches[-1].end() :].strip(" the")


def _groups(
    text: str, offset: int, donors: list[Donor], articles: re.Pattern[str] | None = None
) -> list[list[Donor]]:
    """Donor mentions grouped by coordination ("Germany and the U.K.", "Polen, Frankreich und ...",
    "Deutschland und die Niederlande", "la France et le Royaume-Uni"): the gap may hold a
    conjunction and an article of the language (``articles``)."""
    groups: list[list[Donor]] = []
    for donor in donors:
        if groups:
            last = groups[-1][-1]
            gap = text[last.end - offset : donor.start - offset]
            if articles is not None:
                gap = articles.sub(" ", gap)
            if donor.start <= last.end or _COORDINATION_GAP.match(gap) or gap.strip().lower() == "the":
                groups[-1].append(donor)
                continue
        groups.append([donor])
    return groups


def _countries_of(groups: list[list[Donor]]) -> list[str]:
    """The distinct single donors (countries, EU) named in a sentence."""
    return _distinct([d.key for g in groups for d in g if d.key != MULTIPLE_DONORS])


def _package_donors(groups: list[list[Donor]]) -> list[str]:
    """Who stands behind a package announced in this sentence: every single donor named in it,
    else the collective ("allies")."""
    return _countries_of(groups) or [MULTIPLE_DONORS]


def _explicit_before(groups: list[list[Donor]], trigger: Trigger | None) -> bool:
    if trigger is None:
        return False
    return any(g[-1].end <= trigger.start for g in groups)


def _clause_subject(
    text: str,
    offset: int,
    groups: list[list[Donor]],
    trigger: Trigger | None,
    position: int,
    lexicon: Lexicon,
) -> list[Donor]:
    """The subject of a reported clause: "announced that the Netherlands and Denmark will ...",
    "ogłosiła, że Niemcy przekażą", "a annoncé que la France ..." (a complementiser between the
    trigger and the donors, the donors before the item)."""
    complementiser = _data_pattern(lexicon, "complementisers")
    if trigger is None or complementiser is None or trigger.status == "proposed":
        return []  # who proposes that the Nordic countries set up a fund is the one who proposes
    for group in groups:
        if trigger.end <= group[0].start and group[-1].end <= position:
            gap = text[trigger.end - offset : group[0].start - offset]
            if len(gap) <= 30 and complementiser.search(gap):
                return group
    return []


def _donor_group(
    groups: list[list[Donor]], trigger: Trigger | None, continuation: bool, context: PackageContext
) -> list[Donor]:
    if trigger is not None:
        before = [g for g in groups if g[-1].end <= trigger.start]
        if before:
            return before[-1]
        # the subject inside a split verb in V2 order: "Dinsdag zegde Duitsland vier IRIS-T-systemen toe"
        inside = [g for g in groups if trigger.start <= g[0].start and g[-1].end <= trigger.end]
        if inside:
            return inside[0]
    if continuation and context.donors:
        return [Donor(key, -1, -1) for key in context.donors]
    if trigger is not None:
        after = [g for g in groups if g[0].start >= trigger.end]
        if after:
            return after[0]
    agentive = [g for g in groups if any(d.agentive for d in g)]
    if agentive:
        return agentive[0]
    if len({d.key for g in groups for d in g}) == 1:  # "Minister X presented Denmark's package"
        return groups[0]
    return groups[0] if len(groups) == 1 else []


def _giver(text: str, offset: int, groups: list[list[Donor]], thing, unit, lexicon: Lexicon) -> list[Donor]:
    """Who gives what the recipient receives ("Oekraïne ontving Gepard-tanks uit Duitsland en
    Hawk-raketten van Nederland", "Ukraine får 300 millioner kroner fra Danmark"): the donors after
    a "from" preposition right after the thing, else the only such donors of the sentence - and only
    when the recipient is named in the sentence (Denmark receiving F-35 jets from the US is no aid)."""
    recipient = lexicon.default_recipient
    if not any(m.kind == "country" and m.key == recipient for m in unit.mentions):
        return []
    agentive = [g for g in groups if g[0].agentive]
    for group in agentive:
        gap = text[thing.end - offset : group[0].start - offset]
        if group[0].start >= thing.end and len(gap) <= 40 and not re.search(r"[,;:]", gap):
            return group
    if len({d.key for g in agentive for d in g}) == 1:
        return agentive[0]
    return []


def _money_agent(text: str, offset: int, amount, donors: list[Donor]) -> Donor | None:
    """A donor attached to a sum: "€11 billion from Germany", "£4.5 billion which the U.K. has ..."."""
    end = amount.end
    for donor in donors:
        if donor.start < end:
            continue
        gap = text[end - offset : donor.start - offset]
        if "," in gap or len(gap) > 45:
            return None
        if donor.agentive or _RELATIVE_AGENT.match(gap):
            return donor
    return None


def _is_conversion(sentence, amount, all_money: list, lexicon: Lexicon) -> bool:
    """A second sum that restates the first in another currency: "(5,3 Milliarden Euro)", "eller 234 ..."."""
    for other in all_money:
        if other is amount or other.end > amount.start:
            continue
        gap = sentence.text[other.end - sentence.start : amount.start - sentence.start]
        if len(gap) > 25:
            continue
        if "(" in gap:
            return True
        pattern = lexicon.pattern("conversion")
        if pattern and pattern.search(gap):
            return True
    return False


def _sentence_date(
    unit, meetings: list[MeetingFact], published: datetime.date | None, triggers: list[Trigger]
):
    """The day- or month-precise date of the sentence nearest to its first status verb (year-only
    periods are not dates of an announcement; "said on Thursday that Denmark last month transferred"
    is dated last month) and the meeting held that day."""
    dates = _statement_dates(unit, published)
    if not dates:
        return None, None
    verbs = [t for t in triggers if not t.negated] or triggers
    if verbs:
        verb = verbs[0]
        nearest = min(dates, key=lambda m: max(verb.start - m.end, m.start - verb.end, 0))
    else:
        nearest = dates[0]
    return nearest.value, _meeting_on(meetings, nearest.value)


def _occasion_date(unit, published: datetime.date | None, event_day: str | None) -> str | None:
    """The day a sentence's statement was made, for a following "the same day" / "on the same
    occasion": the event day when the sentence names it, else its first day- or month-precise date."""
    values = [m.value for m in _statement_dates(unit, published)]
    if event_day in values:
        return event_day
    return values[0] if values else None


def _statement_dates(unit, published: datetime.date | None) -> list:
    """The day- or month-precise dates of a sentence that are not after publication."""
    return [
        m for m in unit.dates
        if len(m.value) >= 7 and not (published and m.value > published.isoformat())
    ]


def _meeting_on(meetings: list[MeetingFact], date: str | None) -> str | None:
    same_day = [m.key for m in meetings if date and m.date == date]
    return same_day[0] if len(same_day) == 1 else None


def _paragraph_dates(analysed: list, published) -> dict[int, tuple[str, list[int]]]:
    """The single day named in a paragraph of several sentences, with the positions of the
    sentences that name it."""
    by_paragraph: dict[int, set[str]] = {}
    dated: dict[int, list[int]] = {}
    sentences: dict[int, int] = {}
    for position, unit in enumerate(analysed):
        sentences[unit.sentence.paragraph] = sentences.get(unit.sentence.paragraph, 0) + 1
        for mention in unit.dates:
            if len(mention.value) == 10 and (published is None or mention.value <= published.isoformat()):
                by_paragraph.setdefault(unit.sentence.paragraph, set()).add(mention.value)
                dated.setdefault(unit.sentence.paragraph, []).append(position)
    return {
        p: (next(iter(v)), dated[p]) for p, v in by_paragraph.items() if len(v) == 1 and sentences[p] > 1
    }


def _shares_donor(donors: list[Donor], paragraph_date: tuple[str, list[int]], donors_of) -> bool:
    """A paragraph's day dates a sentence that names no donor of its own (a quote, "The package
    ...") or one of the donors of the sentence that names the day - not another donor's
    background ("On Monday Germany pledged ... Norway has also promised ...")."""
    if not donors:
        return True
    own = {d.key for d in donors}
    return any(own & {d.key for d in donors_of(position)} for position in paragraph_date[1])


class _MeetingReach:
    """Which sentences the main meeting dates: all of them when the meeting is in the lead (the
    article is about it), else only the paragraphs that speak about it (a visit reported in the
    third paragraph does not date the background pledges of the others)."""

    LEAD = 3  # sentences

    def __init__(self, analysed: list, main_meeting: MeetingFact | None, evidence_of) -> None:
        self.everywhere = False
        self.paragraphs: set[int] = set()
        if main_meeting is None:
            return
        starts = {e.start for e in main_meeting.evidence}
        for unit in analysed:
            if evidence_of(unit.sentence, "reach").start in starts:
                self.paragraphs.add(unit.sentence.paragraph)
                self.everywhere = self.everywhere or unit.sentence.index < self.LEAD
        self.everywhere = self.everywhere or not starts

    def __call__(self, sentence) -> bool:
        return self.everywhere or sentence.paragraph in self.paragraphs


def _distinct(keys: list[str]) -> list[str]:
    return list(dict.fromkeys(keys))


def _deduplicate(pledges: list[PledgeFact]) -> list[PledgeFact]:
    seen = set()
    result = []
    for p in pledges:
        key = (
            p.donor,
            p.item,
            p.category,
            p.quantity,
            p.amount,
            p.currency,
            p.status,
            p.evidence.start if p.evidence else None,
        )
        if key in seen:
            continue
        seen.add(key)
        result.append(p)
    return result
