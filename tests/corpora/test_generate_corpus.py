"""benchmarks/generate_corpus.py: deterministic, all eight languages, 1-4 KB articles, readable by ingest."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGS = {"en", "de", "sv", "fr", "nb", "da", "nl", "pl"}


@pytest.fixture(scope="module")
def generator():
    path = ROOT / "benchmarks" / "generate_corpus.py"
    spec = importlib.util.spec_from_file_location("generate_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_other_seed_other_text(generator, tmp_path):
    generator.generate(40, tmp_path / "a", seed=7)
    generator.generate(40, tmp_path / "b", seed=7)
    generator.generate(40, tmp_path / "c", seed=8)
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")
    assert _snapshot(tmp_path / "a") != _snapshot(tmp_path / "c")


def test_manifest_describes_every_article(generator, tmp_path):
    manifest_path = generator.generate(120, tmp_path, seed=1)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert len(manifest) == 120
    assert {e["lang"] for e in manifest} == LANGS
    for entry in manifest:
        text = (tmp_path / entry["file"]).read_text(encoding="utf-8")
        assert 1024 <= len(text.encode("utf-8")) <= 4096, entry["file"]
        assert entry["published"][:4] in {"2022", "2023", "2024", "2025"}
        assert entry["url"].startswith("https://example.org/")
    assert sorted(p.name for p in tmp_path.glob("*.txt")) == sorted(e["file"] for e in manifest)


def test_money_is_written_the_local_way(generator):
    assert generator._money(generator.LANG_DATA["en"], 1.2e9, "EUR") == "€1.2 billion"
    assert generator._money(generator.LANG_DATA["de"], 1.2e9, "EUR") == "1,2 Milliarden Euro"
    assert generator._money(generator.LANG_DATA["sv"], 5.7e9, "SEK") == "5,7 miljarder kronor"
    assert generator._money(generator.LANG_DATA["nb"], 1.5e9, "NOK") == "1,5 milliarder kroner"
    assert generator._money(generator.LANG_DATA["fr"], 5e8, "EUR") == "500 millions d'euros"
    assert generator._money(generator.LANG_DATA["pl"], 2e9, "PLN") == "2 mld zł"


def test_thousand_articles_in_a_few_seconds(generator, tmp_path):
    started = time.perf_counter()
    generator.generate(1000, tmp_path, seed=0)
    assert time.perf_counter() - started < 10


def test_ingest_reads_the_generated_corpus_with_its_metadata(generator, tmp_path):
    ingest = pytest.importorskip("graph.ingest")
    generator.generate(16, tmp_path, seed=3)
    manifest = {e["file"]: e for e in json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))}
    articles = list(ingest.read_articles([tmp_path]))
    assert len(articles) == 16
    for article in articles:
        entry = manifest[Path(article.source).name]
        assert article.lang == entry["lang"]
        assert article.published.isoformat() == entry["published"]
