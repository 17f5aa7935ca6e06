"""Items in a sentence: named systems from the gazetteer plus category nouns from the lexicon.

Rules (all language-independent, the words come from the lexicon):
- a category noun right next to a named system describes it ("25 Marder infantry fighting
  vehicles", "luftvärnssystem av typen Iris-T", "Patriot-Systeme") and is merged into it;
- a generic noun ("17 more systems", "weitere Systeme") refers back to the last named system;
- a maintenance noun absorbs its object ("repairs of armoured vehicles" is one maintenance item);
- ambiguous system names (Patriot, Leopard, Archer ...) need military context in the sentence
  (a military word or a category noun such as "haubitser", "Schützenpanzer");
- a category noun glued to an unknown name names a system of that class ("Bohdana-haubitser");
- a quantity directly before the item (at most two filler words between) is its quantity.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from graph.extract.gazetteer import Mention
from graph.extract.lexicon import Lexicon
from graph.knowledge import load_knowledge

_GAP_ADJACENT = re.compile(r"^[\s-]{0,2}$")
_GLUE = re.compile(r"(?<=\w)-(?=\w)")
_PREFIX = re.compile(r"(?<![\w-])\w[\w.]*$")
_FILLER_GAP = re.compile(r"^\s+(?:(?:[^\W\d_]|-)+\s+){0,2}$")  # "5.000 Schuss", "1,5 milionu kusů"


@functools.cache
def _purpose_gap(lexicon: Lexicon) -> re.Pattern[str]:
    """The gap between an item and what it is for ("missiles for air defence", "Munition für"): a
    purpose preposition of the language (lexicon list ``item_purpose``) and at most one word."""
    words = "|".join(re.escape(word) for word in lexicon.data.get("item_purpose", [])) or "(?!)"
    return re.compile(rf"^\s+(?:{words})\s+(?:[\w']+\s+)?$", re.IGNORECASE)


_AIR_DEFENCE_MISSILES = "air defence missiles"  # canonical English item name
_QUOTES = "\"'«»„“”‘’‹›"

@functools.cache
def _object_gap(lexicon: Lexicon) -> re.Pattern[str]:
    """The gap between a maintenance noun and its object ("repairs of the tanks", "Reparatur von"):
    nothing, or an object preposition of the language with its article (lexicon list ``item_object``)."""
    words = "|".join(lexicon.data.get("item_object", [])) or "(?!)"
    return re.compile(rf"^\s+(?:(?:{words})\s+)?$", re.IGNORECASE)


@functools.cache
def _coordination(lexicon: Lexicon) -> re.Pattern[str]:
    """The gap between two listed items: a comma or a conjunction of the language (``item_coordination``)."""
    words = "".join(f"|{re.escape(word)}" for word in lexicon.data.get("item_coordination", []))
    return re.compile(rf"^\s*(?:,{words})\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Item:
    start: int
    end: int
    surface: str
    name: str | None  # canonical English name (None for a generic back-reference)
    category: str | None
    equipment_id: str | None = None
    absorbs_object: bool = False
    quantity: int | None = None
    coordinated_only: bool = False


def find_items(
    text: str,
    sentence_start: int,
    sentence_text: str,
    mentions: list[Mention],
    lexicon: Lexicon,
    quantities: list,
    token_starts: list[int],
    carried: Item | None = None,
) -> list[Item]:
    """The items of one sentence, in text order, with quantities attached.

    Category nouns are tried at token starts (``token_starts``, offsets in ``text``) and after
    hyphens inside words. ``carried`` is the system named last in the sentences just before: a bare
    "systems" / "launchers" noun with no system before it in its sentence refers back to it ("these
    five systems", "seks slike utskytningsramper")."""
    kb = load_knowledge()
    worded = _category_nouns(text, sentence_start, sentence_text, mentions, lexicon, token_starts)
    nouns: list[Item] = []  # generic items of the reference data first: they win ties with lexicon nouns
    military = lexicon.pattern("military_context")
    # a class of weapons named in the sentence is military context for ambiguous names
    described = any(noun.category not in (None, "financial") for noun in worded)
    items: list[Item] = []
    for mention in mentions:
        if mention.kind != "equipment":
            continue
        system = kb.equipment[mention.key]
        item = Item(mention.start, mention.end, mention.surface, system.name, system.category, system.id)
        if system.generic:  # a class of items ("chars", "Haubitzen"): merges like a category noun
            # maintenance keeps its object ("spare parts for T-72 tanks") as the lexicon's nouns do
            nouns.append(replace(item, equipment_id=None, absorbs_object=system.category == "maintenance"))
            continue
        # "Patriot-Systeme": a class noun glued to the name
        glued_noun = any(0 <= noun.start - mention.end <= 1 for noun in (*nouns, *worded))
        if system.ambiguous and not _unambiguous(
            sentence_text, mention, sentence_start, military, described or glued_noun
        ):
            continue
        items.append(item)
    nouns.extend(worded)
    nouns.sort(key=lambda noun: (noun.start, -noun.end))
    nouns = _head_nouns(text, nouns)
    items = _merge(text, items, nouns, lexicon)
    items = _resolve_generic(text, items, carried)
    items = _absorb_objects(text, items, _purpose_gap(lexicon), _coordination(lexicon), _object_gap(lexicon))
    items = _drop_calibres(text, items)
    items = _with_own_munitions(text, items, _accompaniment_gap(lexicon))
    starts = [item.start for item in items]
    items = [_with_quantity(text, item, quantities, starts) for item in items]
    items = _one_of(text, sentence_start, items, [noun.start for noun in worded], _one_of_gap(lexicon))
    items = _drop_list_headings(text, items, _including_gap(lexicon))
    return _drop_uncoordinated(text, items, _coordination(lexicon))


def _category_nouns(
    text: str,
    sentence_start: int,
    sentence_text: str,
    mentions: list[Mention],
    lexicon: Lexicon,
    token_starts: list[int],
) -> list[Item]:
    """Category nouns at word starts and after a hyphen ("Caesar-kanoner", "M109-haubitser",
    "FPV-droner"). A noun glued to an unknown capitalised name or model number names a system of
    that class: "Bohdana-haubitser" is the artillery system "Bohdana"."""
    if not lexicon.category_nouns:
        return []
    sentence_end = sentence_start + len(sentence_text)
    glued = {sentence_start + m.end() for m in _GLUE.finditer(sentence_text)}
    nouns: list[Item] = []
    covered = -1
    plain, joined = lexicon.category_index.pattern_at, lexicon.glued_category_index.pattern_at
    for position in sorted({*token_starts, *glued}) if glued else token_starts:
        if position < covered:
            continue
        after_hyphen = position in glued
        pattern = (joined if after_hyphen else plain)(text[position])
        match = pattern.match(text, position, sentence_end) if pattern is not None else None
        if match is None:
            continue
        noun = lexicon.category_nouns[int(match.lastgroup[1:])]
        item = Item(match.start(), match.end(), match.group(), noun.name, noun.category,
                    absorbs_object=noun.absorbs_object, coordinated_only=noun.coordinated_only)
        if after_hyphen:
            item = _named_by_prefix(text, sentence_start, item, mentions)
        nouns.append(item)
        covered = match.end()
    return nouns


def _named_by_prefix(text: str, sentence_start: int, noun: Item, mentions: list[Mention]) -> Item:
    prefix = _PREFIX.search(text, sentence_start, noun.start - 1)
    if prefix is None or noun.category is None or noun.absorbs_object:
        return noun
    if any(m.start < noun.start and prefix.start() < m.end for m in mentions):
        return noun  # a known name ("IRIS-T-systemen", "Nato-land"): handled by the gazetteer
    word = prefix.group()
    if not (word[:1].isupper() or any(c.isdigit() for c in word)):
        return noun
    return replace(noun, start=prefix.start(), surface=text[prefix.start() : noun.end], name=word)


def _unambiguous(
    sentence: str, mention: Mention, offset: int, military: re.Pattern[str] | None, described: bool
) -> bool:
    """An ambiguous name (Patriot, Leopard, Caesar) is a weapon when written as a name (capital or
    digits) and either named with more words ("canons Caesar", "Leopard 2") or in a sentence with
    a category noun or another military word."""
    surface = mention.surface
    if not any(c.isupper() or c.isdigit() for c in surface):
        return False
    if len(re.findall(r"\w+", surface)) > 1 or any(c.isdigit() for c in surface):
        return True  # a known alias of several words names the weapon: "Patriot-Systeme", "canons Caesar"
    return described or _military_context(sentence, mention, offset, military)


def _military_context(sentence: str, mention: Mention, offset: int, military: re.Pattern[str] | None) -> bool:
    if not mention.surface[:1].isupper():
        return False
    if military is None:
        return True
    # a word glued by a hyphen counts too ("Patriot-laukaisualustaa", "Patriot-Startgeräte")
    rest = sentence[: mention.start - offset] + " " + sentence[mention.end - offset :].removeprefix("-")
    return military.search(rest) is not None


def _merge(text: str, systems: list[Item], nouns: list[Item], lexicon: Lexicon) -> list[Item]:
    type_of = lexicon.pattern("type_of")
    merged = sorted(systems, key=lambda i: i.start)
    kept_nouns = []
    for noun in nouns:
        absorbed = False
        for k, system in enumerate(merged):
            if noun.start < system.end and system.start < noun.end:
                absorbed = True
            elif 0 <= noun.start - system.end <= 2 and _GAP_ADJACENT.match(text[system.end : noun.start]):
                merged[k] = replace(system, end=noun.end, surface=text[system.start : noun.end])
                absorbed = True
            elif system.start - noun.end >= 0 and (_describes(text[noun.end : system.start], type_of) or
                                                   _modifies(text[noun.end : system.start], lexicon)):
                merged[k] = replace(system, start=noun.start, surface=text[noun.start : system.end])
                absorbed = True
            if absorbed:
                break
        if not absorbed:
            kept_nouns.append(noun)
    result = sorted([*merged, *kept_nouns], key=lambda i: (i.start, -i.end))
    deduped: list[Item] = []
    for item in result:
        if deduped and item.start < deduped[-1].end:
            continue
        deduped.append(item)
    return deduped


_MODIFIER_GAP = re.compile(r"^\s(?:[^\W\d_]+\s){0,2}[^\W\d_]{4,}\s$")  # the last modifier no article


def _modifies(gap: str, lexicon: Lexicon) -> bool:
    """In a language whose adjectives follow the noun (``postnominal_modifiers``), a class noun, one to
    three lower-case modifiers and the system they describe are one name ("missili leggeri multiruolo
    LMM", "vehículos blindados de transporte M113"): the system, not a second item."""
    return bool(lexicon.data.get("postnominal_modifiers")) and gap == gap.lower() and \
        _MODIFIER_GAP.match(gap) is not None


def _head_nouns(text: str, nouns: list[Item]) -> list[Item]:
    """Two class nouns in a row are one noun phrase whose last noun is the head: "air defence
    radars" is radar, "drone ammunition" is ammunition; of the same class, the first is the more
    specific name ("Manpads ground-based air defence systems" is MANPADS)."""
    result: list[Item] = []
    for noun in nouns:
        if result and noun.start > result[-1].start:
            last = result[-1]
            if last.name and noun.name and noun.start - last.end == 1 and text[last.end] in " -":
                # a maintenance noun before its object is the head ("opravy tanků", "údržbu vozidel")
                head = last if last.category == noun.category or last.absorbs_object else noun
                if last.category == noun.category and any(c.isdigit() for c in noun.surface):
                    head = noun  # a calibre names the kind: "amunicja 155 mm" is artillery ammunition
                surface = text[last.start : noun.end]
                result[-1] = replace(head, start=last.start, end=noun.end, surface=surface)
                continue
        result.append(noun)
    return result


def _describes(gap: str, type_of: re.Pattern[str] | None) -> bool:
    if _GAP_ADJACENT.match(gap):
        return True
    if type_of is None:
        return False
    stripped = gap.strip()
    match = type_of.fullmatch(stripped.strip(_QUOTES).strip())  # "vom Typ »Iris-T«"
    return match is not None and len(gap) - len(stripped) <= 2


def _resolve_generic(text: str, items: list[Item], carried: Item | None = None) -> list[Item]:
    """A bare "systems" noun ("und weitere Systeme", "flere systemer") is the system named before it
    (in its sentence, else ``carried``: the one named last in the sentences just before);
    the head of a compound with a name we do not know ("Skyguard-systemer") names another system."""
    resolved = []
    last_system: Item | None = carried
    for item in items:
        if item.name is None:
            unknown_name = re.search(r"\w-$", text[max(0, item.start - 2) : item.start])
            if last_system is not None and not unknown_name:
                resolved.append(
                    replace(
                        item,
                        name=last_system.name,
                        category=last_system.category,
                        equipment_id=last_system.equipment_id,
                    )
                )
            continue
        if item.equipment_id:
            last_system = _whole(item)
        resolved.append(item)
    return resolved


def _whole(item: Item) -> Item:
    """The system a part belongs to: a named part extends its parent's name by a common noun
    ("NASAMS fire distribution centre", "Patriot radar"), a variant by a designator ("Patriot PAC-3",
    "Leopard 2A6"). "Two fire distribution centres and six launchers": the launchers are NASAMS's."""
    equipment = load_knowledge().equipment
    system = equipment.get(item.equipment_id)
    parent = equipment.get(system.parent) if system is not None and system.parent else None
    if parent is None or parent.generic or not system.name.startswith(parent.name + " "):
        return item
    if not system.name[len(parent.name) + 1 :][:1].islower():
        return item
    return replace(item, name=parent.name, category=parent.category, equipment_id=parent.id)


def _absorb_objects(text: str, items: list[Item], purpose_gap: re.Pattern[str],
                    coordination: re.Pattern[str], object_gap: re.Pattern[str]) -> list[Item]:
    """A maintenance noun keeps its object ("repairs of armoured vehicles" is maintenance); a fund
    gives way to what it is for ("fond for Ukraines luftforsvar" is air defence); missiles for an
    air-defence system are that system ("robotar till luftvärnssystemet RBS 70"); ammunition keeps
    the classes it is for ("munitions for air defence and artillery" is ammunition)."""
    result: list[Item] = []
    skip_until = -1
    for k, item in enumerate(items):
        if item.start < skip_until:
            continue
        following = items[k + 1] if k + 1 < len(items) else None
        purpose = following is not None and purpose_gap.match(text[item.end : following.start])
        if item.category == "financial" and purpose and following.category not in (None, "financial"):
            continue
        if item.category == "missiles" and purpose and following.category == "air_defence":
            if not following.equipment_id:  # "missiles for air defence", "missiler til luftforsvar"
                result.append(replace(item, end=following.end, surface=text[item.start : following.end],
                                      name=_AIR_DEFENCE_MISSILES, category="air_defence"))
                skip_until = following.end
            continue
        same_class = following is not None and following.category == item.category
        if item.equipment_id and purpose and same_class and not following.equipment_id:
            skip_until = following.end  # "AIM-9M missiles for air defence": the class is the purpose
        if item.category == "ammunition" and purpose and not following.equipment_id:
            split = _munitions_by_purpose(text, items, k, coordination, purpose_gap)
            if split:  # "munitions for air defence and for artillery": air-defence munitions and shells
                result += split
                skip_until = split[-1].end
                continue
            skip_until = _coordinated_end(text, items, k + 1, coordination)
        if item.absorbs_object and following and \
                (purpose or object_gap.match(text[item.end : following.start])):
            skip_until = following.end
        result.append(item)
    return result


@functools.cache
def _accompaniment_gap(lexicon: Lexicon) -> re.Pattern[str] | None:
    """The gap of "a system with its munitions": ``item_accompaniment`` words ("with", "med", "mit")."""
    words = lexicon.data.get("item_accompaniment")
    if not words:
        return None
    body = "|".join(re.escape(word) for word in words)
    return re.compile(rf"^\s+(?:{body})\s+(?:[\w']+\s+)?$", re.IGNORECASE)


def _with_own_munitions(text: str, items: list[Item], gap: re.Pattern[str] | None) -> list[Item]:
    """Munitions that come with a named system ("robot 70 med ammunition", "Gepard mit Munition")
    are part of that item, not an item of their own."""
    if gap is None:
        return items
    result: list[Item] = []
    for item in items:
        before = result[-1] if result else None
        if before is not None and before.equipment_id and item.equipment_id is None \
                and item.category in ("ammunition", "missiles") and gap.match(text[before.end : item.start]):
            continue
        result.append(item)
    return result


_CALIBRE_GAP = re.compile(r"\s+(?:[^\W\d_]{1,5}\s+)?")
_CALIBRE = re.compile(r"\d{2,3}[\s-]?mm")


def _drop_calibres(text: str, items: list[Item]) -> list[Item]:
    """A calibre right after a gun ("canons César de 155 mm", "obici da 155 mm") describes the gun;
    it is no ammunition of its own."""
    result: list[Item] = []
    for item in items:
        before = result[-1] if result else None
        if before is not None and before.category == "artillery" and item.category == "ammunition" \
                and _CALIBRE.fullmatch(item.surface) \
                and _CALIBRE_GAP.fullmatch(text[before.end : item.start]):
            continue
        result.append(item)
    return result


def _cue_regex(lexicon: Lexicon, key: str, template: str) -> re.Pattern[str] | None:
    """``template`` with the lexicon's ``key`` cue patterns as one alternation in place of ``{cues}``,
    or None where the language has no such cues."""
    cues = lexicon.data.get(key)
    if not cues:
        return None
    body = "|".join(f"(?:{cue})" for cue in cues)
    return re.compile(template.replace("{cues}", body), re.IGNORECASE)


@functools.cache
def _including_gap(lexicon: Lexicon) -> re.Pattern[str] | None:
    """The gap between a class noun and the first system it lists: ", including (the)", "wie etwa"."""
    return _cue_regex(lexicon, "including_cues", r"^[\s,:(\u2013-]*(?:{cues})[\s:]+(?:[\w']+\s+)?$")


def _drop_list_headings(text: str, items: list[Item], including: re.Pattern[str] | None) -> list[Item]:
    """A class noun that heads a list of named systems of its class ("air defence systems such as
    the Patriot, Hawk and NASAMS", "Luftverteidigungssysteme, darunter IRIS-T") is no item of its own;
    a counted one is a total ("60 czołgów, w tym PT-91") and stays."""
    if including is None:
        return items
    kept = []
    for k, item in enumerate(items):
        following = items[k + 1] if k + 1 < len(items) else None
        if (following is not None and item.equipment_id is None and item.quantity is None
                and item.category not in (None, "financial")
                and following.equipment_id and following.category == item.category
                and including.match(text[item.end : following.start])):
            continue
        kept.append(item)
    return kept


def _drop_uncoordinated(text: str, items: list[Item], coordination: re.Pattern[str]) -> list[Item]:
    """A vague noun such as "weapons" is an item only listed with another item of a class ("weapons
    and ammunition", "Waffen und Munition", "våben, udstyr og træning") or counted ("500 kusů
    zbraní"); alone it is a topic ("Ukraine needs weapons")."""
    kept = []
    for k, item in enumerate(items):
        if item.coordinated_only and item.quantity is None:
            neighbours = [other for other in items[max(0, k - 1) : k + 2]
                          if other is not item and other.category and not other.coordinated_only]
            if not any(coordination.match(text[min(item.end, other.end) : max(item.start, other.start)])
                       for other in neighbours):
                continue
        kept.append(item)
    return kept


_AIR_DEFENCE_MUNITIONS = "air defence munitions"  # canonical English item names
_MUNITIONS_OF = {"air_defence": _AIR_DEFENCE_MUNITIONS, "artillery": "artillery ammunition"}


def _munitions_by_purpose(text: str, items: list[Item], k: int, coordination: re.Pattern[str],
                          purpose_gap: re.Pattern[str]) -> list[Item]:
    """Ammunition for classes of weapons of which one is air defence, each with its own preposition
    ("munitions for air defence and for artillery", "Munition für Luftabwehr", "munitions pour la
    défense aérienne et pour l'artillerie"): air-defence munitions are air defence (CONVENTIONS 4),
    the rest the ammunition of its class. Nothing (the caller keeps one ammunition item) when no
    purpose is air defence, or the purposes share one preposition ("munitions for artillery and air
    defence": one lot of mixed ammunition)."""
    ammunition, purposes, end = items[k], [], items[k].end
    for item in items[k + 1 :]:
        gap = text[end : item.start]
        if item.equipment_id or item.category not in _MUNITIONS_OF:
            break
        if purposes and not _coordinated_purpose(gap, coordination, purpose_gap):
            if coordination.match(gap):  # "for artillery and air defence": one lot of mixed ammunition
                return []
            break
        purposes.append(item)
        end = item.end
    if not any(p.category == "air_defence" for p in purposes):
        return []
    split = []
    for n, purpose in enumerate(purposes):
        start = ammunition.start if n == 0 else purpose.start
        category = "air_defence" if purpose.category == "air_defence" else "ammunition"
        split.append(replace(ammunition, start=start, end=purpose.end, surface=text[start : purpose.end],
                             name=_MUNITIONS_OF[purpose.category], category=category, equipment_id=None))
    return split


def _coordinated_purpose(gap: str, coordination: re.Pattern[str], purpose_gap: re.Pattern[str]) -> bool:
    """``gap`` is a conjunction and a purpose preposition again (" and for ", " et pour l'")."""
    for cut in range(1, len(gap)):
        if gap[cut] == " " and coordination.match(gap[:cut]) and purpose_gap.match(gap[cut:]):
            return True
    return False


def _coordinated_end(text: str, items: list[Item], first: int, coordination: re.Pattern[str]) -> int:
    """The end of the class nouns coordinated from ``items[first]`` on ("air defence and artillery")."""
    end = items[first].end
    for item in items[first + 1 :]:
        if item.equipment_id or not coordination.match(text[end : item.start]):
            break
        end = item.end
    return end


def _with_quantity(text: str, item: Item, quantities: list, item_starts: list[int]) -> Item:
    """The quantity right before ``item``; none that counts another item in between ("two
    helicopters and ammunition": the two are helicopters)."""
    for quantity in quantities:
        if quantity.end > item.start or quantity.value is None:
            continue
        if any(quantity.end <= start < item.start for start in item_starts):
            continue
        gap = text[quantity.end : item.start]
        if (gap == "" or gap.isspace() or _FILLER_GAP.match(gap)) and len(gap) <= 30:
            if _looks_like_year(quantity):
                continue
            return replace(item, quantity=int(quantity.value))
    return item


@functools.cache
def _one_of_gap(lexicon: Lexicon) -> re.Pattern[str] | None:
    """The words right before an item that pick one of a kind (``item_one_of``: "one of the", "uno dei")."""
    return _cue_regex(lexicon, "item_one_of", r"(?<![\w'’])(?:{cues})\s+$")


def _one_of(text: str, sentence_start: int, items: list[Item], noun_starts: list[int],
            one_of: re.Pattern[str] | None) -> list[Item]:
    """"one of the SAMP/T systems", "eines der Patriot-Systeme", "uno dei sistemi di difesa antiaerea
    Samp-T" (the cue before the class noun that leads to the name): a quantity of one."""
    if one_of is None:
        return items
    result = []
    for item in items:
        if item.quantity is None and item.name:
            phrase = [start for start in noun_starts if item.start - 40 <= start < item.start
                      and not re.search(r"[^\w\s-]", text[start : item.start])]
            for start in (item.start, *phrase):
                if any(start <= other.start < item.start for other in items):
                    continue
                if one_of.search(text, max(sentence_start, start - 30), start):
                    item = replace(item, quantity=1)
                    break
        result.append(item)
    return result


def _looks_like_year(quantity) -> bool:
    return bool(re.fullmatch(r"(19|20)\d\d", quantity.text.strip())) and 1900 <= quantity.value <= 2100
