"""Reading articles: txt with sidecar/manifest metadata, HTML, JSONL, language detection, bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from graph.errors import IngestError, InputError
from graph.ingest import IngestFailure, detect_language, html_to_text, read_article, read_articles
from graph.model import Article, text_article_id

DATA = Path(__file__).parent / "data" / "ingest"
LANGUAGE_SAMPLES = json.loads((DATA / "languages.json").read_text("utf-8"))

PAGE = """<!doctype html>
<html lang="de-DE"><head><title>Neue Hilfe | Beispielzeitung</title>
<meta property="og:title" content="Neue Hilfe für die Ukraine">
<meta property="article:published_time" content="2025-04-11T09:30:00+02:00">
<meta property="og:site_name" content="Beispielzeitung">
<link rel="canonical" href="https://example.org/artikel/1">
<script>var tracking = "Patriot";</script><style>p { color: red }</style></head>
<body><nav><a href="/">Start</a> <a href="/politik">Politik</a></nav>
<article><h1>Neue Hilfe für die Ukraine</h1>
<p>Deutschland liefert weitere <b>IRIS-T</b> Systeme, sagte der <a href="/p">Minister</a> am Freitag.</p>
<p>Lesen Sie auch: <a href="/x">Ein ganz anderer Artikel</a></p>
<!-- Kommentar im Quelltext mit Leopard -->
<p><a href="/2">Teaser zwei</a> | <a href="/3">Teaser drei</a></p>
<p>JOIN US ON TELEGRAM for the latest news</p>
<div class="share-buttons">Teilen auf Facebook</div>
<p>Die Lieferung umfasst auch Munition<br>und Ersatzteile.</p>
<form><p>Schreiben Sie einen Kommentar</p><textarea></textarea></form>
</article><aside>Meistgelesen: Gepard</aside><footer>© 2025 Beispielzeitung</footer></body></html>
"""


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def only(items) -> Article | IngestFailure:
    items = list(items)
    assert len(items) == 1, items
    return items[0]


# --------------------------------------------------------------------------- txt + metadata

def test_txt_with_sidecar_metadata(tmp_path):
    write(tmp_path / "a1.txt", "Norway sends air defence to Ukraine.\r\nSecond line.  \n")
    write(tmp_path / "a1.meta.json", json.dumps({"lang": "en", "published": "2025-04-11",
                                                 "publisher": "Example Post", "url": "https://e.org/1"}))
    article = read_article(tmp_path / "a1.txt")
    assert article.id == "a1"
    assert article.text == "Norway sends air defence to Ukraine.\nSecond line."
    assert (article.lang, article.published, article.publisher, article.url) == (
        "en", date(2025, 4, 11), "Example Post", "https://e.org/1")


def test_txt_with_folder_manifest_and_explicit_override(tmp_path):
    write(tmp_path / "x.txt", "Schweden schickt Artillerie in die Ukraine, sagte die Regierung.")
    write(tmp_path / "manifest.json", json.dumps([{"file": "x.txt", "lang": "de", "published": "2022-11-29",
                                                   "publisher": "Zeitung"}]))
    article = only(read_articles([tmp_path]))
    assert (article.lang, article.published, article.publisher) == ("de", date(2022, 11, 29), "Zeitung")
    overridden = read_article(tmp_path / "x.txt", published="2023-01-02")
    assert overridden.published == date(2023, 1, 2)


def test_manifest_in_a_parent_folder_names_files_by_relative_path(tmp_path):
    write(tmp_path / "sv" / "y.txt", "Sverige skickar luftvärn till Ukraina, meddelade regeringen i dag.")
    entry = {"file": "sv/y.txt", "lang": "sv", "published": "2025-02-20"}
    write(tmp_path / "manifest.json", json.dumps([entry]))
    article = only(read_articles([tmp_path / "sv"]))
    assert (article.lang, article.published) == ("sv", date(2025, 2, 20))


def test_utf8_bom_and_utf16_are_read(tmp_path):
    assert read_article(write(tmp_path / "bom.txt", "\ufeffKyiv received Gepard tanks.".encode())).text \
        == "Kyiv received Gepard tanks."
    assert read_article(write(tmp_path / "u16.txt", "Kyiv received Gepard tanks.".encode("utf-16"))).text \
        == "Kyiv received Gepard tanks."


# --------------------------------------------------------------------------- HTML

def test_html_main_text_without_boilerplate():
    text, metadata = html_to_text(PAGE)
    first = "Deutschland liefert weitere IRIS-T Systeme, sagte der Minister am Freitag."
    assert text.splitlines()[0] == first
    assert "Die Lieferung umfasst auch Munition und Ersatzteile." in text
    for noise in ("Lesen Sie auch", "Teaser", "TELEGRAM", "Kommentar", "tracking", "Politik", "Facebook",
                  "Meistgelesen", "©", "Neue Hilfe"):
        assert noise not in text, noise
    assert metadata["title"] == "Neue Hilfe für die Ukraine"
    assert metadata["published"] == date(2025, 4, 11)
    assert metadata["publisher"] == "Beispielzeitung"
    assert metadata["url"] == "https://example.org/artikel/1"
    assert metadata["lang"] == "de-DE"


def test_html_file_becomes_article_with_page_metadata(tmp_path):
    article = read_article(write(tmp_path / "page.html", PAGE))
    assert (article.id, article.lang, article.published, article.title) == (
        "page", "de", date(2025, 4, 11), "Neue Hilfe für die Ukraine")


# --------------------------------------------------------------------------- JSONL

def test_jsonl_bad_line_is_a_failure_with_its_number_and_others_ingest(tmp_path):
    path = write(tmp_path / "batch.jsonl", "\n".join([
        json.dumps({"text": "Poland sends tanks to Ukraine, the minister said.", "published": "2024-01-02"}),
        "{not json",
        json.dumps({"text": ""}),
        "",
        json.dumps({"text": "Frankrike skickar haubitsar till Ukraina.", "id": "fr 1", "lang": "sv"}),
        json.dumps(["a list"]),
    ]))
    items = list(read_articles([path]))
    articles = [i for i in items if isinstance(i, Article)]
    failures = [i for i in items if isinstance(i, IngestFailure)]
    # a line without "id" gets the file's stem and a hash of its text (lines can move), else its id
    assert [a.id for a in articles] == [
        text_article_id("Poland sends tanks to Ukraine, the minister said.", prefix="batch"), "fr-1"]
    assert articles[0].id.startswith("batch-")
    assert articles[0].published == date(2024, 1, 2)
    assert [(f.line, f.reason.split(" (")[0]) for f in failures] == [
        (2, "not valid JSON"), (3, 'the "text" field is missing or empty'),
        (6, 'each line must be a JSON object with at least a "text" field')]


# --------------------------------------------------------------------------- language

@pytest.mark.parametrize("lang", [k for k in LANGUAGE_SAMPLES if not k.startswith("_")])
def test_language_detection(lang):
    assert detect_language(LANGUAGE_SAMPLES[lang]) == lang


def test_language_of_a_tiny_text_is_unknown():
    assert detect_language("Kyiv") is None


# --------------------------------------------------------------------------- malformed input

@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n ", "empty"),
    ("binary.txt", b"%PDF-1.7\x00\x01\x02\x03binary", "binary"),
    ("latin1.txt", "Köln und München liefern Hilfe".encode("latin-1"), "not UTF-8"),
    ("control.txt", bytes(range(1, 32)) * 10, "binary"),
    ("only-nav.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no text"),
    ("notes.docx", b"PK\x03\x04", "unsupported file type"),
])
def test_malformed_input_is_a_failure_with_a_reason(tmp_path, name, content, reason):
    failure = only(read_articles([write(tmp_path / name, content)]))
    assert isinstance(failure, IngestFailure)
    assert reason in failure.reason
    assert not failure.reason.startswith(str(tmp_path))


def test_wrong_encoding_hint_says_how_to_convert(tmp_path):
    with pytest.raises(IngestError) as caught:
        read_article(write(tmp_path / "latin1.txt", "Göteborg skickar hjälp".encode("cp1252")))
    assert "Windows-1252" in caught.value.message and "iconv" in caught.value.hint


def test_a_50_mb_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError, match=r"52\.4 MB is larger than the 10\.0 MB limit"):
        read_article(big)
    failure = only(read_articles([big]))
    assert "AIDGRAPH_MAX_ARTICLE_BYTES" in failure.reason


def test_missing_path_and_folder_walk(tmp_path):
    write(tmp_path / "b.txt", "Denmark pledged F-16 aircraft to Ukraine in August.")
    write(tmp_path / "a.html", "<html><body><p>Estonia sends howitzers to Ukraine again.</p></body></html>")
    write(tmp_path / "README.md", "not an article")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "c.txt", "Finland sends more ammunition to Ukraine.")
    items = list(read_articles([tmp_path, tmp_path / "missing.txt"]))
    assert [getattr(i, "id", None) for i in items[:3]] == ["a", "b", "sub~c"]  # path below the folder named
    assert isinstance(items[3], IngestFailure) and "no such file" in items[3].reason


def test_bad_published_date_in_metadata(tmp_path):
    write(tmp_path / "d.txt", "Latvia sends drones to Ukraine.")
    write(tmp_path / "d.meta.json", '{"published": "11/04/2025"}')
    failure = only(read_articles([tmp_path / "d.txt"]))
    assert "not YYYY-MM-DD" in failure.reason
