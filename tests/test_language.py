"""The one language detector (graph.language): supported languages, scripts, the cached model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import graph.language as language
from graph.extract import extract
from graph.language import (
    canonical_language,
    detect_language,
    dominant_scripts,
    is_language_code,
    is_supported,
    resolve_language,
    supported_languages,
    unsupported_reason,
)
from graph.model import Article

SAMPLES = json.loads((Path(__file__).parent / "data" / "language_samples.json").read_text("utf-8"))


def test_supported_languages_come_from_the_data_file():
    data = json.loads(language.DATA_FILE.read_text("utf-8"))
    expected = sorted(code for code, entry in data["languages"].items() if entry.get("supported"))
    assert list(supported_languages()) == expected
    assert {"en", "de", "sv", "fr", "nb", "da", "nl", "pl", "it", "es", "fi", "cs"} <= set(expected)


@pytest.mark.parametrize("code", sorted(SAMPLES["supported"]))
def test_each_supported_language_is_detected(code):
    assert code in supported_languages()
    assert detect_language(SAMPLES["supported"][code]) == code


@pytest.mark.parametrize("code", sorted(SAMPLES["unsupported"]))
def test_unsupported_languages_are_recognised_as_themselves(code):
    detected = detect_language(SAMPLES["unsupported"][code])
    assert detected == code
    assert not is_supported(detected)
    assert unsupported_reason(detected) and code in unsupported_reason(detected)


@pytest.mark.parametrize(("code", "script"), [("uk", "Cyrl"), ("ru", "Cyrl"), ("zh", "Hani"), ("el", "Grek")])
def test_a_script_no_supported_language_uses_is_never_a_supported_language(code, script):
    text = SAMPLES["unsupported"][code]
    assert dominant_scripts(text)[0] == script
    assert not is_supported(detect_language(text))
    assert not is_supported(resolve_language(text, None))


def test_a_latin_text_with_a_short_cyrillic_quote_keeps_its_language():
    text = SAMPLES["supported"]["de"] + " Zitat: «Дякуємо».  " + SAMPLES["supported"]["de"]
    assert dominant_scripts(text) == ["Latn"]
    assert detect_language(text) == "de"


def test_too_little_text_is_unknown():
    assert detect_language("Kyiv") is None
    assert detect_language("IRIS-T SLM") is None
    assert resolve_language("IRIS-T SLM", None) == "xx"


@pytest.mark.parametrize(("given", "expected"), [("de-AT", "de"), ("no", "nb"), ("NN", "nb"), ("pt_BR", "pt"),
                                                 (" sv ", "sv"), ("", None), (None, None)])
def test_canonical_language(given, expected):
    assert canonical_language(given) == expected


def test_a_stated_language_is_never_replaced_by_a_guess():
    german = SAMPLES["supported"]["de"]
    assert resolve_language(german, "uk") == "uk"  # stated, unsupported: kept (extracted without lexicon)
    assert resolve_language(german, "it") == "it"
    assert resolve_language(german, "zz") == "de"  # not a language code: detected
    assert resolve_language(german, "xx") == "xx"  # the language-independent data, on request
    assert not is_language_code("zz") and is_language_code("uk") and is_language_code("nb")


def test_reasons_name_the_problem():
    assert unsupported_reason("de") is None
    assert "not an ISO 639-1" in unsupported_reason("zz")
    assert "could not be determined" in unsupported_reason(None)
    assert "Ukrainian (uk) is not supported" in unsupported_reason("uk")


def test_extraction_of_an_unsupported_language_uses_no_other_languages_words():
    article = Article(id="uk-1", text=SAMPLES["unsupported"]["uk"], lang=None)
    extraction = extract(article)
    assert extraction.article.lang == "uk"


def test_the_model_is_read_once_and_then_comes_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AIDGRAPH_CACHE_DIR", str(tmp_path))
    reads = []
    full_model = language._full_model
    monkeypatch.setattr(language, "_full_model", lambda: reads.append(1) or full_model())
    for _ in range(2):
        language._restricted_model.cache_clear()
        language._classifier.cache_clear()
        assert detect_language(SAMPLES["supported"]["sv"]) == "sv"
    assert len(reads) == 1
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".nextmove", ".npz"]
    language._restricted_model.cache_clear()
    language._classifier.cache_clear()


def test_a_corrupt_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("AIDGRAPH_CACHE_DIR", str(tmp_path))
    language._restricted_model.cache_clear()
    language._classifier.cache_clear()
    detect_language(SAMPLES["supported"]["fi"])
    for path in tmp_path.iterdir():
        path.write_bytes(b"broken")
    language._restricted_model.cache_clear()
    language._classifier.cache_clear()
    assert detect_language(SAMPLES["supported"]["fi"]) == "fi"
    language._restricted_model.cache_clear()
    language._classifier.cache_clear()


# --------------------------------------------------------------------------- warnings in ingest and CLI

def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_ingest_warns_once_per_unsupported_language(tmp_path):
    from graph.pipeline import ingest_paths
    from graph.store import open_store

    folder = tmp_path / "in"
    _write(folder, "a.txt", SAMPLES["unsupported"]["uk"])
    _write(folder, "b.txt", SAMPLES["unsupported"]["uk"] + " " + SAMPLES["unsupported"]["uk"])
    _write(folder, "c.txt", SAMPLES["supported"]["fi"])
    with open_store(tmp_path / "store") as store:
        summary = ingest_paths([folder], store, progress=False, workers=0)
    assert summary.articles_stored == 3
    language_warnings = [w for w in summary.warnings if "not supported" in w]
    assert len(language_warnings) == 1
    assert "2 article(s)" in language_warnings[0] and "(uk)" in language_warnings[0]
    assert "--lang" in language_warnings[0]
    assert summary.to_dict()["warnings"] == summary.warnings


def test_ingest_of_supported_languages_gives_no_language_warning(tmp_path):
    from graph.pipeline import ingest_paths
    from graph.store import open_store

    folder = tmp_path / "in"
    for code in ("fi", "cs", "de"):
        _write(folder, f"{code}.txt", SAMPLES["supported"][code])
    with open_store(tmp_path / "store") as store:
        summary = ingest_paths([folder], store, progress=False, workers=0)
    assert not [w for w in summary.warnings if "supported" in w]


def test_extract_command_warns_on_stderr_and_still_prints_the_record(run_cli, tmp_path):
    path = _write(tmp_path, "greek.txt", SAMPLES["unsupported"]["el"])
    result = run_cli("extract", path)
    assert result.returncode == 0, result.stderr
    assert "warning: greek.txt:" in result.stderr and "(el) is not supported" in result.stderr
    assert json.loads(result.stdout)["lang"] == "el"
    quiet = run_cli("extract", _write(tmp_path, "czech.txt", SAMPLES["supported"]["cs"]))
    assert quiet.returncode == 0 and "warning" not in quiet.stderr
