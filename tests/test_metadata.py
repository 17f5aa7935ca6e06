"""Article metadata is checked up front with a message naming the field, and one bad article never fails
its neighbours, with or without worker processes (issue 14.3)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from graph.errors import MetadataError
from graph.ingest import html_to_text, read_articles
from graph.model import Article
from graph.pipeline import ingest_paths

TEXT = "Germany will send Ukraine four IRIS-T SLM air defence systems, the ministry said on 3 March 2025."


@pytest.mark.parametrize(("fields", "field", "fragment"), [
    ({"url": "www.example.org/article"}, "url", "no scheme"),
    ({"url": "https://example.org/a b"}, "url", "a space"),
    ({"url": 'https://example.org/"quoted"'}, "url", "character '\"'"),
    ({"url": "javascript:alert(1)"}, "url", "only http and https"),
    ({"url": "file:///etc/passwd"}, "url", "only http and https"),
    ({"url": "https://"}, "url", "no host"),
    ({"url": "https://example.org/" + "a" * 2100}, "url", "longer than"),
    ({"url": "https://exa\x00mple.org/"}, "url", "character"),
    ({"published": date(1800, 1, 1)}, "published", "between 1900-01-01 and tomorrow"),
    ({"published": date.today() + timedelta(days=30)}, "published", "tomorrow"),
    ({"lang": "english"}, "lang", "language code"),
    ({"lang": "EN"}, "lang", "language code"),
    ({"id": "../../etc/passwd"}, "id", "letters, digits"),
    ({"id": ""}, "id", "letters, digits"),
    ({"publisher": "p" * 201}, "publisher", "at most 200"),
    ({"title": "t" * 1001}, "title", "at most 1,000"),
])
def test_an_invalid_field_is_refused_naming_it(fields, field, fragment):
    with pytest.raises(MetadataError) as caught:
        Article(**({"id": "a", "text": TEXT} | fields))
    assert caught.value.field == field
    assert field in caught.value.message and fragment in caught.value.message
    assert caught.value.hint


@pytest.mark.parametrize("url", ["https://example.org/a", "http://example.org:8080/a?b=c#d",
                                 "https://例え.jp/記事", "https://example.org/a%20b"])
def test_valid_urls_pass(url):
    assert Article(id="a", text=TEXT, url=url).url == url


def test_a_bad_metadata_line_names_file_line_and_field(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"text": TEXT, "url": "www.example.org/a"}) + "\n"
                    + json.dumps({"text": TEXT, "published": "yesterday"}) + "\n", encoding="utf-8")
    first, second = read_articles([path])
    assert str(first) == f"{path}:1: url 'www.example.org/a' is not an absolute URL (it has no scheme) " \
                         "(write it with its scheme, e.g. https://www.example.org/a)"
    assert str(second).startswith(f"{path}:2: published date 'yesterday' is not YYYY-MM-DD")
    assert str(path) not in second.reason  # the location is said once


def test_sidecar_metadata_is_checked_too(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.meta.json").write_text('{"url": "example.org/a"}', encoding="utf-8")
    (failure,) = read_articles([tmp_path])
    assert "url 'example.org/a'" in failure.reason and "no scheme" in failure.reason


def test_a_relative_canonical_link_of_a_page_is_dropped_not_fatal():
    page = ("<html><head><link rel='canonical' href='/news/1'></head><body><article><p>" + TEXT
            + "</p></article></body></html>")
    text, metadata = html_to_text(page)
    assert "url" not in metadata and text


@pytest.mark.parametrize("workers", [0, 2])
def test_one_bad_line_never_fails_its_batch(tmp_path, store_factory, workers):
    """The poisoned batch of the reliability report: 6 lines, line 3 with a url without scheme."""
    lines = [{"id": f"line-{n}", "text": TEXT.replace("four", str(n + 4)), "lang": "en",
              "url": f"https://example.org/{n}"} for n in range(6)]
    lines[2]["url"] = "www.example.org/article"
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    store = store_factory("memory")
    summary = ingest_paths([path], store, progress=False, workers=workers, batch_size=6)
    assert summary.articles_stored == 5, summary.failures
    (failure,) = summary.failures
    assert failure.line == 3 and failure.reason.startswith("url 'www.example.org/article'")
    assert "worker process failed" not in failure.reason
