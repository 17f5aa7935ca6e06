"""Persons and their posts.

- Reference persons are found by the gazetteer (full names, aliases, unique surnames).
- A role noun ("German Defense Minister", "Frankreichs Verteidigungsminister", "USA:s
  försvarsminister") takes its country from an adjacent country mention (adjective, genitive,
  hyphenated prefix, "of X") or from the lexicon (Pentagon chief -> US), and its person from the
  name right after it or from an apposition right before it ("Blinken, der US-Außenminister").
- The country may also sit inside or right after the role noun ("ministre français des Armées",
  "Außenminister Schwedens", "ministre de la Défense de la France", "minister obrony Polski").
- A role noun with a country but no name resolves to the office holder on the article date.
- A bare role noun ("försvarsministern", "Forsvarsminister Troels Lund Poulsen") in a language with
  a home country (``home_country`` in the lexicon: the country whose press writes it) means that
  country's post, unless the person is known to hold the post elsewhere or the article already
  named another holder of that role (then the bare noun refers back to them).
- A title followed by an unknown capitalised name is a new person (kept with the name as written).
- A person without a stated role gets the one post they hold on the article date, if exactly one.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from graph.extract.gazetteer import Mention
from graph.extract.lexicon import Lexicon
from graph.extract.text import tokenise
from graph.knowledge import load_knowledge, slugify
from graph.model import ROLES, Evidence, PersonFact, Role

_BEFORE_ROLE_GAP = re.compile(r"^[\s\w:'-]{0,25}$")
ROLE_LINKS_FILE = Path(__file__).with_name("role_links.json")


@functools.cache
def after_role_gap() -> re.Pattern[str]:
    """What may stand between a post noun and the country or organisation after it: white space, one
    optional preposition and one optional article, of any language in ``role_links.json``."""
    data = json.loads(ROLE_LINKS_FILE.read_text(encoding="utf-8"))

    def words(kind: str) -> str:
        found = {word for lang, entry in data.items() if not lang.startswith("_") for word in entry[kind]}
        return "|".join(re.escape(word) for word in sorted(found, key=lambda word: (-len(word), word)))

    return re.compile(rf"^\s*(?:{words('prepositions')})?\s*(?:{words('articles')})?\s*$", re.IGNORECASE)


@dataclass
class PersonMention:
    """Where a sentence names a person (a reference id, or ``new:<slug>`` for one not in it)."""

    person: str  # reference id, or "new:<slug>"
    start: int
    end: int


@dataclass
class PersonIndex:
    """The persons of an article: their facts, their mentions per sentence, and the roles stated."""

    facts: dict[str, PersonFact] = field(default_factory=dict)
    mentions: dict[int, list[PersonMention]] = field(default_factory=dict)  # sentence index -> mentions
    stated: set[tuple[str, str, str | None]] = field(default_factory=set)

    def donor_of(self, person: str, on: datetime.date | None, donor_roles: frozenset[str]) -> str | None:
        """The country (or organisation) a person acts for, from their stated or reference role."""
        fact = self.facts.get(person)
        if fact is None:
            return None
        for role in fact.roles:
            if role.role in donor_roles and role.country:
                return role.country
        return None


def find_persons(
    text: str,
    sentences: list,
    mentions_by_sentence: list[list[Mention]],
    lexicon: Lexicon,
    on: datetime.date | None,
    evidence_of,
    word_starts: list[list[int]] | None = None,
) -> PersonIndex:
    """All persons of the article with their roles; ``evidence_of(sentence, rule)`` builds evidence.

    ``word_starts`` (per sentence, offsets in ``text``) are where role nouns may begin; without
    them the sentences are tokenised again."""
    kb = load_knowledge()
    index = PersonIndex()
    seen_full: set[str] = set()
    home = lexicon.data.get("home_country")
    home_roles = frozenset(lexicon.data.get("home_roles", ()))
    roles_named: set[str] = set()  # roles the article has already given a person
    if word_starts is None:
        word_starts = [[t.start for t in tokenise(s.text, s.start)] for s in sentences]
    for sentence, mentions, starts in zip(sentences, mentions_by_sentence, word_starts, strict=True):
        found: list[PersonMention] = []
        for mention in mentions:
            if mention.kind == "person":
                seen_full.add(mention.key)
                found.append(PersonMention(mention.key, mention.start, mention.end))
            elif mention.kind == "surname":
                found.append(PersonMention(mention.key, mention.start, mention.end))
        roles = _role_mentions(text, sentence, starts, lexicon)
        for role_start, role_end, role in roles:
            country, definite = role.country, role.country is not None
            if country is None:
                country, definite = _scope_near(text, mentions, role_start, role_end, role.scope_kind)
            former = _is_former(text, sentence.start, role_start, lexicon)
            person = _person_after(text, found, role_end) or _person_before(text, found, role_start)
            if country is None and home and role.role in home_roles and role.role not in roles_named:
                known = kb.persons.get(person.person) if person else None
                if known is None or _country_from_tenures(known, role.role, on) in (None, home):
                    country, definite = home, True
            if person is None:
                new = _new_person(text, role_end, mentions)
                if new is not None:
                    name, start, end = new
                    person = PersonMention(f"new:{slugify(name)}", start, end)
                    found.append(person)
                    index.facts.setdefault(person.person, PersonFact(name=name))
            if person is None and country and definite and on and not former:
                holder = kb.office_holder(role.role, country, on)
                if holder is not None:
                    person = PersonMention(holder.id, role_start, role_end)
                    found.append(person)
            if person is None:
                continue
            if person.person in kb.persons:  # a known holder of the post on the day: their country
                held = _country_holding(kb.persons[person.person], role.role, on)
                country = held or country or _country_from_tenures(kb.persons[person.person], role.role, on)
            if country is None:
                continue
            fact = _fact(index, kb, person.person)
            _add_role(fact, role.role, country, evidence_of(sentence, f"{lexicon.lang}.person.role"))
            index.stated.add((person.person, role.role, country))
            roles_named.add(role.role)
        covered = [(start, end) for start, end, _role in roles]
        for name, start, end in _introduced_names(text, sentence, lexicon, mentions, covered):
            if any(p.start < end and start < p.end for p in found):
                continue
            person = PersonMention(f"new:{slugify(name)}", start, end)
            found.append(person)
            index.facts.setdefault(person.person, PersonFact(name=name))
        found.extend(_surname_mentions(text, sentence, index, found))
        for person in found:
            fact = _fact(index, kb, person.person)
            fact.evidence.append(evidence_of(sentence, f"{lexicon.lang}.person.mention"))
        index.mentions[sentence.index] = sorted(found, key=lambda m: m.start)
    for key, fact in index.facts.items():
        if fact.roles or key not in kb.persons or on is None:
            continue
        posts = {(t.role, t.country) for t in kb.roles_of(key, on)}
        if len({country for _, country in posts}) == 1:
            role, country = min(posts, key=lambda post: ROLES.index(post[0]))  # head of state first
            fact.roles.append(Role(role, country, fact.evidence[0] if fact.evidence else None))
    return index


def _fact(index: PersonIndex, kb, key: str) -> PersonFact:
    fact = index.facts.get(key)
    if fact is None:
        person = kb.persons.get(key)
        fact = (
            PersonFact(name=person.name, id=person.id, wikidata=person.wikidata)
            if person
            else PersonFact(name=key)
        )
        index.facts[key] = fact
    return fact


def _add_role(fact: PersonFact, role: str, country: str | None, evidence: Evidence) -> None:
    for existing in fact.roles:
        if existing.role == role and (existing.country == country or country is None):
            return
        if existing.role == role and existing.country is None:
            existing.country = country
            return
    fact.roles.append(Role(role, country, evidence))


def _role_mentions(text: str, sentence, starts: list[int], lexicon: Lexicon):
    """Role nouns of the sentence (longest first where they overlap), tried at word starts."""
    found = []
    end = sentence.end
    for position in starts:
        for role in lexicon.roles_starting_with(text[position]):
            match = role.pattern.match(text, position, end)
            if match is not None:
                found.append((match.start(), match.end(), role))
    found.sort(key=lambda r: (r[0], -(r[1] - r[0])))
    kept = []
    for item in found:
        if any(item[0] < k[1] and k[0] < item[1] for k in kept):
            continue
        kept.append(item)
    return kept


def _scope_near(
    text: str, mentions: list[Mention], start: int, end: int, scope_kind: str
) -> tuple[str | None, bool]:
    """The country (or organisation) of a post and whether it is stated with it: before the role
    noun, inside it ("ministre français des Armées") or right after it ("Außenminister Schwedens",
    "minister obrony Polski", "defence minister of France")."""
    kinds = ("org",) if scope_kind == "org" else ("country",)
    inside = [m for m in mentions if m.kind in kinds and start <= m.start and m.end <= end]
    if inside:
        return inside[0].key, True
    before = [
        m
        for m in mentions
        if m.kind in kinds
        and m.end <= start
        and _BEFORE_ROLE_GAP.match(text[m.end : start])
        and (m.flavour != "metonym" or not text[m.end : start].strip())  # not "in Bukarest drängte Präsident"
    ]
    if before:
        return before[-1].key, True
    after = [
        m
        for m in mentions
        if m.kind in kinds and m.start >= end and after_role_gap().match(text[end : m.start])
    ]
    if after:
        return after[0].key, True
    return None, False


def _is_former(text: str, sentence_start: int, role_start: int, lexicon: Lexicon) -> bool:
    pattern = lexicon.pattern("former")
    if pattern is None:
        return False
    window = text[max(sentence_start, role_start - 30) : role_start]
    return pattern.search(window) is not None


def _person_after(text: str, found: list[PersonMention], role_end: int) -> PersonMention | None:
    for person in found:
        if person.start >= role_end and re.fullmatch(r"[\s,]{1,3}", text[role_end : person.start]):
            return person
    return None


def _person_before(text: str, found: list[PersonMention], role_start: int) -> PersonMention | None:
    for person in reversed(found):
        if person.end <= role_start:
            gap = text[person.end : role_start]
            if gap.lstrip().startswith(",") and len(gap) <= 30 and "," not in gap.lstrip()[1:]:
                return person
            return None
    return None


_NAME = (r"(?:(?:[A-ZÀ-ÞŁŚŻŹĆŃÓČŠŽŘ]\.){1,3} ?[A-ZÀ-ÞŁŚŻŹĆŃÓČŠŽŘ][\w'’-]+"
         r"|[A-ZÀ-ÞŁŚŻŹĆŃÓČŠŽŘ][\w'’-]+(?: (?:[A-Z]\. )?[A-ZÀ-ÞŁŚŻŹĆŃÓČŠŽŘ][\w'’-]+){1,2})")
_NAME_END = r"(?=[\s,.;:)/|]|$)"


def _new_person(text: str, role_end: int, mentions: list[Mention]) -> tuple[str, int, int] | None:
    """A capitalised two- or three-word name right after a role noun (or in apposition after a comma:
    "Danmarks forsvarsminister, Jakob Ellemann-Jensen,") that the gazetteer does not know."""
    match = re.compile(rf",?\s({_NAME}){_NAME_END}").match(text, role_end, role_end + 60)
    return _unknown_name(match, mentions)


def _unknown_name(match: re.Match[str] | None, mentions: list[Mention]) -> tuple[str, int, int] | None:
    """Group 1 of ``match`` as a new person's name, unless it overlaps a known name or has a word in
    capitals (an acronym: "NATO Chief")."""
    if not match:
        return None
    start, end = match.span(1)
    if any(m.start < end and start < m.end for m in mentions):
        return None
    name = re.sub(r"(?<=\.)(?=[^\W\d_])", " ", match.group(1))  # "J.J.Guillén" -> "J. J. Guillén"
    if any(word.isupper() and len(word) > 2 for word in name.split()):
        return None
    return name, start, end


def _surname_mentions(
    text: str, sentence, index: PersonIndex, found: list[PersonMention]
) -> list[PersonMention]:
    """The surname alone of a person the article introduced by full name without a reference entry
    ("Romanian president Klaus Iohannis ..." then "President Iohannis attends ..."): the gazetteer
    knows only the surnames of reference persons."""
    extra: list[PersonMention] = []
    for key, fact in index.facts.items():
        words = fact.name.split()
        if not key.startswith("new:") or len(words) < 2 or len(words[-1]) < 4 or not words[-1][0].isupper():
            continue
        pattern = re.compile(rf"(?<![\w-]){re.escape(words[-1])}(?![\w-])")
        for match in pattern.finditer(text, sentence.start, sentence.end):
            start, end = match.span()
            if not any(p.start < end and start < p.end for p in [*found, *extra]):
                extra.append(PersonMention(key, start, end))
    return extra


def _introduced_names(text: str, sentence, lexicon: Lexicon, mentions: list[Mention],
                      covered: list[tuple[int, int]]):
    """Names the sentence introduces without a post of ours: after a title ("generalmajor Rolf
    Folland", "Botschafter Martin Jäger"), after a credit or byline cue ("By Alice Padgett", "Foto:"),
    or before a news agency ("Kirsty Wigglesworth / POOL / AFP", "(Virginia Mayo/AP/dpa)")."""
    patterns = _name_patterns(lexicon)
    end = sentence.end
    for pattern in patterns.before:
        for match in pattern.finditer(text, sentence.start, end):
            if any(start <= match.start() < stop for start, stop in covered):
                continue
            found = _unknown_name(match, mentions)
            if found:
                yield found
    if patterns.after is not None:
        for match in patterns.after.finditer(text, sentence.start, end):
            found = _unknown_name(match, mentions)
            if found:
                yield found


@dataclass(frozen=True)
class _NamePatterns:
    before: tuple[re.Pattern[str], ...]  # a cue, then the name (group 1)
    after: re.Pattern[str] | None        # the name (group 1), then a news agency


def _any(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@functools.cache
def _name_patterns(lexicon: Lexicon) -> _NamePatterns:
    """The lexicon's ``person_titles``, ``credit_cues``, ``byline_cues`` (a line of its own) and
    ``credit_agencies`` compiled around the name pattern (cues case-insensitive, names not)."""
    data = lexicon.data
    before = []
    if data.get("person_titles"):
        before.append(re.compile(rf"(?<![\w-])(?i:{_any(data['person_titles'])})\s+({_NAME}){_NAME_END}"))
    if data.get("credit_cues"):
        before.append(re.compile(rf"(?<!\w)(?i:{_any(data['credit_cues'])})\s*({_NAME}){_NAME_END}"))
    if data.get("byline_cues"):
        cues = _any(data["byline_cues"])
        before.append(re.compile(rf"^[ \t]*(?i:{cues})[ \t]+({_NAME})[ \t]*$", re.MULTILINE))
    agencies = data.get("credit_agencies")
    after = None
    if agencies:
        names = _any([re.escape(agency) for agency in agencies])
        after = re.compile(rf"(?<![\w-])({_NAME})\s*[/|]\s*(?:{names})(?!\w)")
    return _NamePatterns(tuple(before), after)


def _country_holding(person, role: str, on: datetime.date | None) -> str | None:
    """The country (or organisation) for which ``person`` holds ``role`` on day ``on``, if any."""
    if on is None:
        return None
    return next((t.country for t in person.tenures if t.role == role and t.covers(on)), None)


def _country_from_tenures(person, role: str, on: datetime.date | None) -> str | None:
    matching = [t for t in person.tenures if t.role == role]
    if on is not None:
        current = [t for t in matching if t.covers(on)]
        if current:
            return current[0].country
    countries = {t.country for t in matching}
    return next(iter(countries)) if len(countries) == 1 else None
