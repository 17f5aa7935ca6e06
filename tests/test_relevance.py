"""graph.relevance: the prefilter keeps every real article about aid to Ukraine and passes over unrelated
news (benchmarks/generate_unrelated.py: our own sentences in eight languages); ``ingest --prefilter``."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from graph.ingest import IngestFailure, read_articles
from graph.knowledge import load_knowledge
from graph.model import Article
from graph.relevance import Cues, RelevanceFilter, is_relevant, load_cues, relevance_filter
from graph.vocab import article_iri

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
#: every article about aid the project has (real ones and our own): all must pass the prefilter
CORPORA = {
    "demo": REPO / "corpus" / "demo",
    "seeds": SHARED / "seeds",
    "real": SHARED / "real" / "articles",
    "longform": REPO / "tests" / "data" / "longform",
    "fixtures": REPO / "tests" / "data" / "articles",
}
#: share of the generated unrelated news that must be rejected, per category (borderline ones excepted)
REJECTION_FLOOR = 0.95
UNRELATED_ARTICLES = 1400


def _benchmark_module(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _misses(articles) -> list:
    check = relevance_filter().check
    return [(a.source or a.id, a.lang, check(f"{a.title or ''}\n{a.text}", a.lang)) for a in articles
            if not is_relevant(a)]


# --------------------------------------------------------------------------- recall: keep every real article

@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_every_article_about_aid_passes(corpus: str) -> None:
    folder = CORPORA[corpus]
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    articles = [a for a in read_articles([folder]) if not isinstance(a, IngestFailure)]
    assert articles
    assert _misses(articles) == []  # recall 1.0


def test_every_generated_aid_article_passes(tmp_path) -> None:
    _benchmark_module("generate_corpus").generate(64, tmp_path, seed=3)
    articles = [a for a in read_articles([tmp_path]) if not isinstance(a, IngestFailure)]
    assert len(articles) == 64
    assert _misses(articles) == []


# --------------------------------------------------------------------------- rejection of unrelated news

@pytest.fixture(scope="module")
def unrelated():
    module = _benchmark_module("generate_unrelated")
    return module.articles(UNRELATED_ARTICLES, seed=11), module.categories(), module.borderline()


def test_unrelated_news_is_rejected(unrelated) -> None:
    articles, categories, borderline = unrelated
    check = relevance_filter().check
    seen, rejected = Counter(), Counter()
    passed = {}
    for article in articles:
        verdict = check(f"{article['title']}\n{article['text']}", article["lang"])
        seen[article["category"]] += 1
        if verdict.relevant:
            passed.setdefault(article["category"], []).append((article["lang"], verdict))
        else:
            rejected[article["category"]] += 1
    assert set(seen) == set(categories) and len({a["lang"] for a in articles}) >= 8
    for category in categories:
        if category in borderline:
            continue
        share = rejected[category] / seen[category]
        assert share >= REJECTION_FLOOR, (category, share, passed.get(category, [])[:5])


# --------------------------------------------------------------------------- the cue notation

@pytest.mark.parametrize(("cues", "text", "found"), [
    (["ukrain"], "aid for ukraine", "ukrain"),
    (["ukrain"], "l'ukraine reçoit", "ukrain"),           # an apostrophe starts a word
    (["ukrain"], "proukrainian", None),                   # not at a word start
    (["*panzer"], "neue kampfpanzer", "panzer"),          # inside a compound
    (["nato$"], "the nato summit", "nato"),
    (["nato$"], "natolia", None),                         # must end the word too
    (["panzerhaubitze", "*haubitze"], "xpanzerhaubitze", "haubitze"),  # a failed candidate is not the end
    ([], "anything", None),
])
def test_cue_notation(cues, text, found) -> None:
    assert Cues(cues).first(text) == found


def test_cues_are_per_language() -> None:
    prefilter = RelevanceFilter({"en": {"ukraine": ["ukrain"], "aid": ["weapon"]},
                                 "de": {"ukraine": ["ukrain"], "aid": ["*waffen"]}})
    text = "Die Ukraine bekommt neue Waffen."
    assert prefilter.check(text, "de").relevant
    assert not prefilter.check(text, "en").relevant       # English cues do not know the German word
    assert prefilter.check(text, None).relevant           # unknown language: every language's cues
    assert prefilter.check(text, "xx").relevant           # a language without cues: the same
    assert prefilter.check(text, "de").ukraine_cue == "ukrain"


def test_every_supported_language_has_cues_of_its_own() -> None:
    from graph.language import supported_languages

    assert set(supported_languages()) <= set(relevance_filter().languages)


def test_cues_come_from_the_data_file_and_the_reference_knowledge() -> None:
    data = json.loads((REPO / "graph" / "relevance.json").read_text(encoding="utf-8"))
    cues = load_cues()
    ukraine = load_knowledge().countries["UA"]
    for lang in data["languages"]:
        if lang == "any":
            continue
        assert set(data["languages"][lang]["ukraine"]) <= set(cues[lang]["ukraine"])
        assert set(ukraine.names.get(lang, ())) <= set(cues[lang]["ukraine"])
    assert "Україна" in cues["unlisted"]["ukraine"]      # languages without cues: Ukraine's name in them
    assert "IRIS-T SLM" in cues["any"]["aid"]           # an equipment name from the knowledge
    assert "Luftverteidigung" in cues["de"]["aid"]       # a category label from the knowledge
    without = load_cues(with_knowledge=False)
    assert "IRIS-T SLM" not in without["any"]["aid"]


def test_an_article_is_checked_with_its_title() -> None:
    body = "Neue Kampfpanzer und Munition sollen im Frühjahr geliefert werden."
    assert not is_relevant(Article(id="t", text=body, lang="de"))
    assert is_relevant(Article(id="t", text=body, lang="de", title="Hilfe für die Ukraine"))


# --------------------------------------------------------------------------- ingest --prefilter

AID_TEXT = ("Norway will send two more NASAMS launchers and air defence missiles to Ukraine, "
            "the defence ministry in Oslo said on Tuesday.")
UNRELATED_TEXT = "Rosenborg beat Molde 2-1 on Sunday evening in front of a full stadium in Trondheim."


@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "aid.txt").write_text(AID_TEXT, encoding="utf-8")
    (folder / "football.txt").write_text(UNRELATED_TEXT, encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps(
        [{"file": name, "lang": "en", "published": "2025-04-08"} for name in ("aid.txt", "football.txt")]),
        encoding="utf-8")
    return folder


def test_ingest_with_prefilter_counts_what_it_passes_over(mixed_folder, store_factory) -> None:
    from graph.pipeline import ingest_paths

    store = store_factory("oxigraph")
    summary = ingest_paths([mixed_folder], store, progress=False, prefilter=True)
    assert summary.ok, summary.failures
    assert (summary.articles_read, summary.articles_not_about_aid, summary.articles_stored) == (2, 1, 1)
    assert summary.to_dict()["articles_not_about_aid"] == 1
    assert "not about military aid" in summary.format()
    names = set(store.graph_names())
    assert str(article_iri("aid")) in names and str(article_iri("football")) not in names

    everything = store_factory("oxigraph")
    summary = ingest_paths([mixed_folder], everything, progress=False)
    assert (summary.articles_not_about_aid, summary.articles_stored) == (0, 2)


def test_cli_ingest_prefilter(mixed_folder, run_cli) -> None:
    result = run_cli("ingest", mixed_folder, "--prefilter", "--json", "--no-progress")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["articles_not_about_aid"], summary["articles_stored"]) == (1, 1)
