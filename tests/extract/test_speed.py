"""The extractor's hot-path helpers and the gazetteer's disk cache: same results from the cache.

Speed itself is measured by ``python benchmarks/bench_extract.py`` (no timed unit tests).
"""

from __future__ import annotations

import pytest

from graph.extract import gazetteer
from graph.extract.lexicon import load_lexicon
from graph.extract.text import normalise, tokenise


@pytest.mark.parametrize("lang", ["en", "sv", "pl"])
def test_gazetteer_from_disk_cache_matches_the_built_one(lang, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AIDGRAPH_CACHE_DIR", str(tmp_path))
    path = gazetteer._cache_path(lang)
    assert path.parent == tmp_path and not path.exists()
    built = gazetteer.Gazetteer(load_lexicon(lang))
    gazetteer._write_cache(path, built.tables())
    assert path.exists()
    gazetteer.gazetteer_for.cache_clear()
    try:
        cached = gazetteer.gazetteer_for(lang)
        assert cached.tables() == built.tables()
        text = "Natos generalsekreterare och Ukraine Defense Contact Group, Pistorius i Bryssel och IRIS-T."
        assert cached.match(text, tokenise(text)) == built.match(text, tokenise(text))
    finally:
        gazetteer.gazetteer_for.cache_clear()


def test_cache_key_changes_with_the_language_data(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AIDGRAPH_CACHE_DIR", str(tmp_path))
    assert gazetteer._cache_path("en") != gazetteer._cache_path("de")
    monkeypatch.setenv("AIDGRAPH_CACHE_DIR", "off")
    assert gazetteer._cache_path("en") is None


def test_a_corrupt_cache_file_is_rebuilt(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AIDGRAPH_CACHE_DIR", str(tmp_path))
    path = gazetteer._cache_path("da")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a pickle")
    gazetteer.gazetteer_for.cache_clear()
    try:
        rebuilt = gazetteer.gazetteer_for("da")
        assert rebuilt.entries
    finally:
        gazetteer.gazetteer_for.cache_clear()


@pytest.mark.parametrize(
    ("original", "normal"),
    [
        ("plain text", "plain text"),
        ("\u201cIRIS\u2011T\u201d\u00a0systems", '"IRIS-T" systems'),
        ("Ver\u00adteidigung und\u200b Hilfe", "Verteidigung und Hilfe"),
        ("a\r\nb\u00ad\u00adc", "a\nbc"),
    ],
)
def test_normalise_keeps_an_offset_map_to_the_original(original: str, normal: str) -> None:
    result = normalise(original)
    assert result.text == normal
    for index, char in enumerate(result.text):
        source = original[result.offsets[index]]
        assert source == char or normalise(source).text == char


def test_tokens_fold_case_accents_and_dots() -> None:
    tokens = tokenise("U.S. Brüssel IRIS-T Łódź")
    assert [t.key for t in tokens] == ["us", "brussel", "iris", "t", "lodz"]
    assert [t.glued for t in tokens] == [False, False, False, True, False]
