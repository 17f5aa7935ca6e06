"""The lemma layer and the relation lexicons (graph.extract.lemmas, graph.extract.cues), the typed
mentions built from them (graph.extract.mentions) and the one-pass bucketing of the pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.extract.cues import RELATIONS_DIR, TRIGGER_CLASSES, RelationLexicon, relation_lexicon
from graph.extract.lemmas import LEMMA_DIR, Lemmatiser, lemma_key
from graph.extract.text import split_sentences, tokenise

LANGUAGES = sorted(p.stem for p in RELATIONS_DIR.glob("*.json"))


def _classes(lang: str, text: str) -> dict[str, str]:
    """word (as written) -> the classes of the cues that cover it."""
    lexicon = relation_lexicon(lang)
    tokens = tokenise(text)
    found: dict[str, set[str]] = {}
    for cue in lexicon.find(text, 0, tokens, lexicon.lemmas(tokens)):
        for token in tokens[cue.first : cue.last]:
            found.setdefault(token.text, set()).add(cue.cls)
    return {word: ",".join(sorted(classes)) for word, classes in found.items()}


def test_every_language_has_a_relation_lexicon_and_a_lemma_table() -> None:
    assert set(LANGUAGES) >= {"en", "de", "sv", "fr", "nb", "da", "nl", "pl", "it", "es", "fi", "cs"}
    for lang in LANGUAGES:
        data = json.loads((RELATIONS_DIR / f"{lang}.json").read_text(encoding="utf-8"))
        assert set(data["triggers"]) <= set(TRIGGER_CLASSES), lang
        assert {"give", "pledge", "plan", "propose"} <= set(data["triggers"]), lang
        assert {"negation", "request", "background", "agent", "coordination"} <= set(data["cues"]), lang
        table = json.loads((LEMMA_DIR / f"{lang}.json").read_text(encoding="utf-8"))
        assert table["source"].startswith("simplemma") and table["forms"], lang


@pytest.mark.parametrize(("lang", "text", "word", "cls"), [
    # inflected forms match the lemma the lexicon lists
    ("de", "Berlin lieferte den Partnern Munition.", "lieferte", "give"),
    ("de", "Die Regierung sagte weitere Hilfe für den Winter zu.", "sagte", "pledge"),  # separable
    ("sv", "Regeringen skickade fler fordon.", "skickade", "give"),
    ("pl", "Litwa przekazała amunicję.", "przekazała", "give"),
    ("fr", "Paris n'enverra pas de chars.", "n'enverra", "give,negation"),  # elided negation
    ("it", "Roma invierà altri sistemi.", "invierà", "give"),
    ("es", "Madrid entregó diez blindados.", "entregó", "give"),
    ("fi", "Suomi lähetti lisää tarvikkeita.", "lähetti", "give"),
    ("cs", "Praha poslala další munici.", "poslala", "give"),
    ("nb", "Regjeringen planlegger en ny pakke.", "planlegger", "plan"),  # corrected in the table
    # compounds end in a lexicon noun
    ("de", "Das neue Unterstützungspaket kommt im Mai.", "Unterstützungspaket", "package"),
    ("sv", "Natoallierade lovade mer.", "Natoallierade", "collective"),
    # exact plural collectives, not the singular
    ("en", "The allies agreed.", "allies", "collective"),
])
def test_inflected_and_compound_forms_match_their_lemma(lang, text, word, cls) -> None:
    classes = _classes(lang, text)
    assert word in classes, classes
    assert set(cls.split(",")) <= set(classes[word].split(",")), classes


def test_names_are_no_cues() -> None:
    lexicon = relation_lexicon("en")
    text = "The U.S. said we would help."
    tokens = tokenise(text)
    cues = lexicon.find(text, 0, tokens, lexicon.lemmas(tokens), [(4, 8)])
    covered = {tokens[c.first].text for c in cues}
    assert "U.S." not in covered and "we" in covered


def test_a_singular_is_no_collective() -> None:
    assert "collective" not in _classes("en", "An ally agreed.").get("ally", "")


def test_corrections_win_over_the_table() -> None:
    lemmatiser = Lemmatiser("xx", {"sent": "sentence"}, {"sent": "send"})
    assert lemmatiser.lemma(lemma_key("Sent")) == "send"
    assert lemma_key("Stöd") == "stöd" != lemma_key("stod")  # diacritics keep words apart


def test_an_unknown_language_has_an_empty_lexicon() -> None:
    lexicon = relation_lexicon("zz")
    tokens = tokenise("Germany will send tanks.")
    assert lexicon.find("Germany will send tanks.", 0, tokens, lexicon.lemmas(tokens)) == []


def test_a_lexicon_entry_with_a_gap_needs_its_second_part() -> None:
    lexicon = RelationLexicon("de", {"triggers": {"pledge": ["sagen … zu"]}})
    for text, found in (("Berlin sagte Hilfe zu.", True), ("Berlin sagte, es komme.", False)):
        tokens = tokenise(text)
        assert bool(lexicon.find(text, 0, tokens, lexicon.lemmas(tokens))) is found, text


@pytest.mark.parametrize(("text", "count"), [
    ("Heute beginnt das 24. Treffen der Gruppe. Es dauert zwei Tage.", 2),
    ("Er kam 2024. Dann ging er.", 2),
    ("Die Zusage kam am 11. April. Danach folgte mehr.", 2),
])
def test_an_ordinal_dot_does_not_end_a_sentence(text, count) -> None:
    assert len(split_sentences(text, frozenset(), frozenset({"april"}), ordinal_dot=True)) == count


def test_sentence_buckets_take_one_pass() -> None:
    from types import SimpleNamespace as Span

    from graph.extract.pipeline import _by_sentence
    from graph.extract.text import Sentence

    sentences = [Sentence(0, 10, "", 0, 0), Sentence(11, 20, "", 0, 1), Sentence(21, 30, "", 0, 2)]
    mentions = [Span(start=25, end=28), Span(start=2, end=4), Span(start=8, end=12), Span(start=12, end=15)]
    buckets = _by_sentence(mentions, sentences)
    assert [[(m.start, m.end) for m in b] for b in buckets] == [[(2, 4)], [(12, 15)], [(25, 28)]]


def test_coverage_report_is_committed() -> None:
    report = (LEMMA_DIR / "COVERAGE.md").read_text(encoding="utf-8")
    for lang in LANGUAGES:
        assert f"| {lang} |" in report


def test_lemma_tables_are_those_simplemma_gives() -> None:
    pytest.importorskip("simplemma", reason="the build extra (simplemma) is not installed")
    import subprocess
    import sys

    script = Path(__file__).parents[2] / "scripts" / "build_lemmas.py"
    result = subprocess.run([sys.executable, str(script), "--check", "--lang", "en,sv"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_trigger_is_also_a_blocking_cue(lang: str) -> None:
    """A word listed as a verb of giving and as a request, negation, agenda or shortage cue would both
    make and block a pledge at the same token; a lexicon must choose ("pedir" asks, it does not buy)."""
    data = json.loads((RELATIONS_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    triggers = {entry for entries in data["triggers"].values() for entry in entries}
    for cue in ("request", "negation", "agenda", "shortage"):
        assert not triggers & set(data["cues"].get(cue, ())), (lang, cue)


@pytest.mark.parametrize(("lang", "text", "word"), [
    ("da", "Ukraine mangler granater.", "mangler"),
    ("pl", "Ukrainie brakuje amunicji.", "brakuje"),
    ("es", "Ucrania carece de munición.", "carece"),
    ("it", "All'Ucraina mancano munizioni.", "mancano"),
    ("fi", "Ukrainalta puuttuu ammuksia.", "puuttuu"),
    ("cs", "Ukrajině chybí munice.", "chybí"),
])
def test_verbs_of_lacking_are_shortage_cues_in_every_inflection(lang: str, text: str, word: str) -> None:
    assert "shortage" in _classes(lang, text).get(word, "")
