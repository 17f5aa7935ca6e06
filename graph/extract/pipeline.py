"""The extraction pipeline: one article in, one :class:`graph.model.Extraction` out.

    normalise text (offset map) -> sentences -> per sentence: tokens, gazetteer mentions, money,
    quantities, dates, items -> persons and roles -> meetings -> typed mentions per sentence
    (lemmas, donors, triggers, cues: graph.extract.mentions) -> pledges -> facts with evidence

Sentences and the mentions of the whole text are walked once, side by side, so the cost grows
linearly with the length of the article.

Every stage reads its language knowledge from :mod:`graph.extract.lexicon` and the reference
knowledge from :mod:`graph.knowledge`; nothing here depends on a particular language.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace

from graph.errors import ExtractionError
from graph.extract.cues import relation_lexicon
from graph.extract.gazetteer import Mention, gazetteer_for
from graph.extract.items import Item, find_items
from graph.extract.language import resolve_language
from graph.extract.lexicon import load_lexicon
from graph.extract.meetings import find_meetings
from graph.extract.mentions import build_view, mark_list_items
from graph.extract.persons import find_persons
from graph.extract.pledges import find_pledges
from graph.extract.text import (
    NormalText,
    Sentence,
    blank_teasers,
    normalise,
    split_sentences,
    tokenise,
    unwrap_lines,
)
from graph.knowledge import load_knowledge
from graph.model import (
    Article,
    CountryFact,
    EquipmentFact,
    Evidence,
    Extraction,
    OrganisationFact,
)

_WORD_START = re.compile(r"(?<!\w)\w")  # also after hyphens and apostrophes ("n'enverra", "US-Minister")


@dataclass
class SentenceUnit:
    """Everything found in one sentence (offsets in the normalised article text)."""

    sentence: Sentence
    word_starts: list[int]  # where the words of the sentence begin (offsets in the text)
    mentions: list[Mention]
    items: list[Item]
    money: list
    quantities: list
    dates: list
    tokens: list


def extract_article(article: Article) -> Extraction:
    """Extract persons, countries, organisations, meetings, equipment and pledges from ``article``."""
    try:
        return _extract(article)
    except (ExtractionError, MemoryError):  # a MemoryError is the budget's, reported as such upstream
        raise
    except Exception as exc:  # a bug in a rule must not look like bad input
        raise ExtractionError(
            f"extraction failed on article {article.id}: {type(exc).__name__}: {exc}",
            hint="report this article to the extraction maintainers",
        ) from exc


def _extract(article: Article) -> Extraction:
    from graph.extract import normalize

    lang = resolve_language(article.text, article.lang)
    article = replace(article, lang=lang)
    lexicon = load_lexicon(lang)
    gazetteer = gazetteer_for(lang)
    normal = normalise(article.text)
    text = blank_teasers(unwrap_lines(normal.text), lexicon.data.get("teasers", ()))
    sentences = split_sentences(text, lexicon.abbreviations, lexicon.month_words,
                                bool(lexicon.data.get("ordinal_dot")))
    published = article.published

    def evidence_of(sentence: Sentence, rule: str, confidence: float = 0.8) -> Evidence:
        start, end = normal.original_span(sentence.start, sentence.end)
        return Evidence(article.text[start:end], start, end, rule, confidence)

    all_money = normalize.find_money(text, lang)
    all_quantities = _outside(normalize.find_quantities(text, lang), all_money)
    all_dates = normalize.find_dates(text, lang, published) if published else []
    money_of = _by_sentence(all_money, sentences)
    quantities_of = _by_sentence(all_quantities, sentences)
    dates_of = _by_sentence(all_dates, sentences)
    units = []
    for position, sentence in enumerate(sentences):
        tokens = tokenise(sentence.text, sentence.start)
        mentions = gazetteer.match(text, tokens)
        money = money_of[position]
        quantities = quantities_of[position]
        dates = dates_of[position]
        items = find_items(
            text,
            sentence.start,
            sentence.text,
            mentions,
            lexicon,
            quantities,
            [t.start for t in tokens if not t.glued],
        )
        word_starts = [sentence.start + m.start() for m in _WORD_START.finditer(sentence.text)]
        units.append(SentenceUnit(sentence, word_starts, mentions, items, money, quantities, dates, tokens))

    persons = find_persons(
        text, sentences, [u.mentions for u in units], lexicon, published, evidence_of,
        [u.word_starts for u in units],
    )
    anchor = _event_anchor(units, published)
    day = anchor or (published.isoformat() if published else None)  # the article's own day
    meetings, main_meeting = find_meetings(units, lexicon, persons, published, day, evidence_of)
    relations = relation_lexicon(lang)
    views = [build_view(position, unit, unit.tokens, relations, lexicon, persons, published)
             for position, unit in enumerate(units)]
    mark_list_items(views)
    event_day = day
    pledges = find_pledges(views, lexicon, meetings, main_meeting, published, evidence_of, event_day,
                           attachment_model())
    return Extraction(
        article=article,
        persons=list(persons.facts.values()),
        countries=_countries(units, lexicon, evidence_of),
        organisations=_organisations(units, evidence_of, lang),
        meetings=meetings,
        equipment=_equipment(units, evidence_of, lang),
        pledges=pledges,
        event_anchor=(main_meeting.date if main_meeting else anchor)
        or (published.isoformat() if published else None),
    )


def _outside(mentions: list, spans: list) -> list:
    """The mentions (in text order) that overlap none of ``spans``: one pass over both, sorted."""
    taken = sorted((s.start, s.end) for s in spans)
    kept, j = [], 0
    for mention in mentions:
        while j < len(taken) and taken[j][1] <= mention.start:
            j += 1
        if not any(start < mention.end for start, _ in taken[j : j + 3]):
            kept.append(mention)
    return kept


def _by_sentence(mentions: list, sentences: list[Sentence]) -> list[list]:
    """The mentions (sorted by start) that lie inside each sentence, in one pass over both lists."""
    ordered = sorted(mentions, key=lambda m: m.start)
    out: list[list] = [[] for _ in sentences]
    i = 0
    for position, sentence in enumerate(sentences):
        while i < len(ordered) and ordered[i].start < sentence.start:
            i += 1
        j = i
        while j < len(ordered) and ordered[j].start < sentence.end:
            if ordered[j].end <= sentence.end:
                out[position].append(ordered[j])
            j += 1
        i = j
    return out


def attachment_model():
    """The learned attachment model (None when switched off with AIDGRAPH_ATTACHMENT=rules)."""
    from graph.extract.attachment import load_model

    return load_model()


def _event_anchor(units: list[SentenceUnit], published: datetime.date | None) -> str | None:
    """The day the article's news happened: the first day-precise date of the lead within a week
    before publication."""
    if published is None:
        return None
    for unit in units[:6]:
        for mention in unit.dates:
            if len(mention.value) == 10:
                day = datetime.date.fromisoformat(mention.value)
                if datetime.timedelta(0) <= published - day <= datetime.timedelta(days=7):
                    return mention.value
    return None


def _countries(units: list[SentenceUnit], lexicon, evidence_of) -> list[CountryFact]:
    media = lexicon.pattern("media_nouns")
    facts: dict[str, CountryFact] = {}
    for unit in units:
        offset = unit.sentence.start
        for mention in unit.mentions:
            if mention.kind != "country":
                continue
            following = unit.sentence.text[mention.end - offset : mention.end - offset + 20]
            if media and following[:1] == " " and media.match(following.lstrip()):
                continue
            fact = facts.setdefault(mention.key, CountryFact(mention.key))
            fact.evidence.append(evidence_of(unit.sentence, f"{lexicon.lang}.country.{mention.flavour}"))
    return list(facts.values())


def _organisations(units: list[SentenceUnit], evidence_of, lang: str) -> list[OrganisationFact]:
    kb = load_knowledge()
    facts: dict[str, OrganisationFact] = {}
    for unit in units:
        for mention in unit.mentions:
            if mention.kind != "org":
                continue
            org = kb.organisations[mention.key]
            fact = facts.setdefault(org.key, OrganisationFact(org.key, org.name, org.wikidata))
            if mention.surface not in fact.surface:
                fact.surface.append(mention.surface)
            fact.evidence.append(evidence_of(unit.sentence, f"{lang}.org.name"))
    return list(facts.values())


def _equipment(units: list[SentenceUnit], evidence_of, lang: str) -> list[EquipmentFact]:
    kb = load_knowledge()
    facts: dict[tuple[str, str], EquipmentFact] = {}
    for unit in units:
        for item in unit.items:
            if not item.name or not item.category:
                continue
            system = kb.equipment.get(item.equipment_id) if item.equipment_id else None
            fact = facts.setdefault(
                (item.name, item.category),
                EquipmentFact(
                    item.name, item.category, item.equipment_id, system.wikidata if system else None
                ),
            )
            if item.surface not in fact.surface:
                fact.surface.append(item.surface)
            fact.evidence.append(
                evidence_of(unit.sentence, f"{lang}.equipment.{'system' if system else 'noun'}")
            )
    return list(facts.values())


__all__ = ["NormalText", "SentenceUnit", "extract_article"]
