"""The relevance prefilter: is an article about military aid to Ukraine at all?

    relevance_filter()           -> RelevanceFilter   (built once per process from the data below)
    RelevanceFilter.check(text, lang) -> Verdict      (relevant or not, and the cues that decided)
    is_relevant(article)         -> bool              (what ``aidgraph ingest --prefilter`` asks)

Cheap by design (two regular-expression scans of the lowercased title and text, no extraction), so
that a backfill can pass over unrelated news at thousands of articles per second per core
(``benchmarks/bench_prefilter.py``). An article is relevant when it holds a cue for Ukraine and a cue
for military aid in its language (every language's cues when its language has none). The cues are
data: ``graph/relevance.json`` (stems per language, see its ``_doc``) plus the reference knowledge
(Ukraine's names, adjectives and metonyms, equipment names, pledge category labels). An article in a
language without cues of its own is checked against every language's cues and Ukraine's name in
every language of the reference knowledge. It is tuned for
recall: ``tests/test_relevance.py`` requires every real article of the corpora to pass, and measures
what share of unrelated text (sports, economy, weather, other wars ...) it rejects.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InputError
from graph.model import Article

RELEVANCE_FILE = Path(__file__).with_name("relevance.json")
#: the language key whose cues apply to every language
ANY = "any"
#: the key (added from the reference knowledge) of cues for languages without an entry of their own
UNLISTED = "unlisted"
KINDS = ("ukraine", "aid")
UKRAINE_CODE = "UA"


@dataclass(frozen=True)
class Verdict:
    """``relevant`` and the first cue of each kind found (None: no cue of that kind)."""

    relevant: bool
    ukraine_cue: str | None
    aid_cue: str | None


class RelevanceFilter:
    """Per language, one :class:`Cues` for Ukraine and one for aid (see the module docstring)."""

    def __init__(self, cues: dict[str, dict[str, list[str]]]) -> None:
        """``cues``: language -> {"ukraine": [...], "aid": [...]} in the notation of relevance.json."""
        shared = cues.get(ANY, {})
        self._cues = {
            lang: tuple(Cues([*shared.get(kind, ()), *cues[lang].get(kind, ())]) for kind in KINDS)
            for lang in cues if lang not in (ANY, UNLISTED)
        }
        self._every_language = tuple(Cues([cue for lang in cues for cue in cues[lang].get(kind, ())])
                                     for kind in KINDS)

    @property
    def languages(self) -> list[str]:
        """The languages with cues of their own."""
        return sorted(self._cues)

    def check(self, text: str, lang: str | None = None) -> Verdict:
        """Whether ``text`` (in language ``lang``; None: unknown) is about military aid to Ukraine."""
        ukraine, aid = self._cues.get(lang or "", self._every_language)
        lowered = text.lower()
        ukraine_cue = ukraine.first(lowered)
        if ukraine_cue is None:
            return Verdict(False, None, None)
        aid_cue = aid.first(lowered)
        return Verdict(aid_cue is not None, ukraine_cue, aid_cue)

    def __call__(self, article: Article) -> bool:
        """Whether the article (title and text) is about military aid to Ukraine."""
        text = f"{article.title}\n{article.text}" if article.title else article.text
        return self.check(text, article.lang).relevant


class Cues:
    """A set of cues in relevance.json's notation, found in lowercased text by one regular expression.

    The expression has no look-behind (one tried at every position made the scan 3x slower): the cues
    that must start a word are checked for it on each candidate match instead.
    """

    def __init__(self, cues: Iterable[str]) -> None:
        at_word_start, anywhere = set(), set()
        for cue in cues:
            cue = cue.lower().strip()
            if cue.startswith("*"):
                anywhere.add(cue[1:])
            elif cue:
                at_word_start.add(cue)
        branches = []
        if anywhere:
            branches.append(f"(?P<inside>{_trie(anywhere)})")
        if at_word_start:
            branches.append(f"(?P<start>{_trie(at_word_start)})")
        self.pattern = re.compile("|".join(branches) or "(?!)")

    def first(self, lowered: str) -> str | None:
        """The first cue found in ``lowered`` (lowercased text), or None."""
        search, position = self.pattern.search, 0
        while (match := search(lowered, position)) is not None:
            start = match.start()
            if match.lastgroup == "inside" or start == 0 or not _word_char(lowered[start - 1]):
                return match.group()
            position = start + 1
        return None


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _trie(words: set[str]) -> str:
    """A regex matching any of ``words`` with shared prefixes factored out (fast for many cues).
    A word ending in ``$`` must end a word in the text."""
    tree: dict = {}
    for word in words:
        node = tree
        whole = word.endswith("$")
        for char in word.removesuffix("$"):
            node = node.setdefault(char, {})
        node["$" if whole else ""] = {}
    return _trie_regex(tree)


def _trie_regex(node: dict) -> str:
    if "" in node:  # a cue ends here: what follows does not matter
        return ""
    alternatives = []
    for key in sorted(node):
        if key == "$":
            alternatives.append(r"(?!\w)")
        else:
            alternatives.append(re.escape(key) + _trie_regex(node[key]))
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


def load_cues(path: Path = RELEVANCE_FILE, *, with_knowledge: bool = True) -> dict[str, dict[str, list[str]]]:
    """The cues per language: relevance.json's, plus (``with_knowledge``) the reference knowledge's."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"relevance cues {path} are missing", hint="restore the file from git") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"relevance cues {path} are not valid JSON: {exc}",
                         hint="fix the file; `git diff` shows what changed") from exc
    cues = {lang: {kind: list(values) for kind, values in kinds.items()}
            for lang, kinds in data["languages"].items()}
    if with_knowledge:
        _add_knowledge(cues, set(data.get("categories_not_aid", ())),
                       set(data.get("equipment_categories_not_aid", ())))
    return cues


def _add_knowledge(cues: dict, categories_not_aid: set[str], equipment_not_aid: set[str]) -> None:
    from graph.knowledge import load_knowledge

    knowledge = load_knowledge()
    ukraine = knowledge.countries[UKRAINE_CODE]

    def forms(lang: str) -> list[str]:
        return [*ukraine.names.get(lang, ()), *ukraine.adjectives.get(lang, ()),
                *ukraine.metonyms.get(lang, ())]

    languages = [lang for lang in cues if lang != ANY]
    unlisted = sorted(set(ukraine.names) - set(languages))
    cues[UNLISTED] = {"ukraine": [form for lang in unlisted for form in forms(lang)]}
    for lang in languages:
        cues[lang].setdefault("ukraine", []).extend(forms(lang))
        for category in knowledge.categories.values():
            if category.key not in categories_not_aid and category.labels.get(lang):
                cues[lang].setdefault("aid", []).append(category.labels[lang])
    for item in knowledge.equipment.values():
        if item.generic and item.category in equipment_not_aid:
            continue
        ambiguous = {alias.lower() for alias in item.ambiguous_aliases}
        for lang, aliases in item.aliases.items():
            target = lang if lang in languages else ANY
            cues.setdefault(target, {}).setdefault("aid", []).extend(
                alias for alias in aliases if alias.lower() not in ambiguous)


@functools.cache
def relevance_filter() -> RelevanceFilter:
    """The prefilter built from relevance.json and the reference knowledge (once per process)."""
    return RelevanceFilter(load_cues())


def is_relevant(article: Article) -> bool:
    """Whether the article is about military aid to Ukraine (the ingest prefilter's question)."""
    return relevance_filter()(article)


__all__ = ["RELEVANCE_FILE", "Cues", "RelevanceFilter", "Verdict", "is_relevant", "load_cues",
           "relevance_filter"]
