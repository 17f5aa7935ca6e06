"""Bounded input: special files refused, symlinks only inside the tree, manifests kept inside their folder,
the whole file checked for binary data, capped reads, control characters removed, and a per-article time and
memory budget around extraction (issues 10.3, 14.4, 14.5)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from graph.errors import InputError
from graph.ingest import (
    IngestFailure,
    expand_inputs,
    read_articles,
    read_limited,
    strip_control_characters,
)
from graph.model import Article
from graph.workers import ArticleBudget, ArticlePool

# our own sentence (not from any corpus)
PLEDGE = "Germany will send Ukraine four IRIS-T SLM air defence systems, the ministry said on 3 March 2025."


def outcome(items) -> dict[str, str]:
    """File name -> "article" or the failure's reason."""
    result = {}
    for item in items:
        if isinstance(item, IngestFailure):
            result[Path(item.source).name] = item.reason
        else:
            result[Path(item.source).name] = "article"
    return result


def run_bounded(function, seconds: float):
    """Run ``function`` in a thread; fail the test (instead of hanging) when it takes longer."""
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("value", function()), daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    return box["value"], time.monotonic() - started


def test_a_fifo_is_refused_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "a.txt")
    (tmp_path / "b.txt").write_text(PLEDGE, encoding="utf-8")
    found, _ = run_bounded(lambda: outcome(read_articles([tmp_path])), 10)
    assert found["b.txt"] == "article"
    assert "FIFO" in found["a.txt"] and "refused" in found["a.txt"]
    direct, _ = run_bounded(lambda: outcome(read_articles([tmp_path / "a.txt"])), 10)
    assert "FIFO" in direct["a.txt"]


def test_a_symlink_to_dev_zero_is_refused_without_reading_it(tmp_path):
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    found, elapsed = run_bounded(lambda: outcome(read_articles([tmp_path / "zero.txt"])), 10)
    assert "character device" in found["zero.txt"] and elapsed < 5


def test_symlinks_are_followed_only_inside_the_folder(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    (corpus / "sub").mkdir(parents=True)
    outside.mkdir()
    (corpus / "sub" / "real.txt").write_text(PLEDGE, encoding="utf-8")
    (outside / "secret.txt").write_text(PLEDGE.replace("Germany", "Poland"), encoding="utf-8")
    (corpus / "inside.txt").symlink_to(corpus / "sub" / "real.txt")   # the same file: read once
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    (corpus / "loop").symlink_to(corpus)                              # a loop: walked once
    (corpus / "away").symlink_to(outside)                             # a folder outside: refused
    found = outcome(read_articles([corpus]))
    assert found["real.txt"] == "article" and "inside.txt" not in found
    for name in ("passwd.txt", "secret.txt", "away"):
        assert "outside" in found[name] and "refused" in found[name], (name, found)
    assert outcome(read_articles([corpus / "secret.txt"]))["secret.txt"] == "article"  # named directly


def test_manifest_entries_outside_their_folder_or_missing_are_reported(tmp_path):
    (tmp_path / "a.txt").write_text(PLEDGE, encoding="utf-8")
    manifest = [{"file": "../../etc/passwd", "lang": "en"}, {"file": "/etc/passwd"},
                {"file": "gone.txt"}, {"file": "a.txt", "lang": "en", "published": "2025-03-03"}]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    items = list(read_articles([tmp_path]))
    articles = [item for item in items if isinstance(item, Article)]
    reasons = [item.reason for item in items if isinstance(item, IngestFailure)]
    assert [(a.id, a.lang, str(a.published)) for a in articles] == [("a", "en", "2025-03-03")]
    assert any("'../../etc/passwd' points outside its folder; refused" in r for r in reasons)
    assert any("'/etc/passwd' is an absolute path; refused" in r for r in reasons)
    assert any("'gone.txt' names a file that does not exist" in r for r in reasons)


def test_a_nul_byte_after_the_first_64_kb_is_binary(tmp_path):
    (tmp_path / "late.txt").write_bytes((PLEDGE + "\n").encode() * 1000 + b"tail\x00")
    found = outcome(read_articles([tmp_path]))
    assert "binary" in found["late.txt"] and "offset" in found["late.txt"]


def test_control_characters_past_64_kb_count_too(tmp_path):
    (tmp_path / "late.txt").write_bytes((PLEDGE + "\n").encode() * 1000 + b"\x01\x02" * 5000)
    assert "control characters" in outcome(read_articles([tmp_path]))["late.txt"]


def test_utf16_without_bom_gets_a_hint(tmp_path):
    (tmp_path / "u16.txt").write_bytes(PLEDGE.encode("utf-16-le"))
    assert "UTF-16 without a byte order mark" in outcome(read_articles([tmp_path]))["u16.txt"]


def test_the_read_cap_holds_when_st_size_is_zero():
    status = Path("/proc/self/status")
    if not status.exists() or status.stat().st_size != 0:
        pytest.skip("needs a /proc file whose st_size is 0")
    with pytest.raises(InputError, match=r"more than 0\.0 MB is larger than"):
        read_limited(status, 10)
    assert read_limited(status, 1_000_000)  # within the cap it is read


def test_terminal_escapes_and_nul_are_stripped_from_stored_text(tmp_path):
    text = " ".join([PLEDGE] * 5)  # a few control characters in a longer text: stripped, not refused
    (tmp_path / "esc.txt").write_text(text + " \x1b[2J\x1b]0;title\x07 Done.\x9b31m", encoding="utf-8")
    (tmp_path / "feed.jsonl").write_text(json.dumps({"text": text + " Do\x00ne\x1b[31m."}), encoding="utf-8")
    from_file, from_line = read_articles([tmp_path / "esc.txt", tmp_path / "feed.jsonl"])
    for article in (from_file, from_line):
        assert not any((ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f for c in article.text)
        assert "Done" in article.text
    assert "[2J" in from_file.text and "title" in from_file.text
    assert strip_control_characters("a\x0cb\x0bc") == "a b\nc"  # form feed: space; vertical tab: break


@pytest.mark.parametrize(("html", "fragment"), [
    ("<html><body>" + "<div>" * 20_000 + PLEDGE + "</div>" * 20_000 + "</body></html>", "levels deep"),
    ("<html><body>" + "<span>x</span>" * 210_000 + "</body></html>", "HTML elements"),
])
def test_html_too_deep_or_too_large_is_refused_before_parsing(tmp_path, html, fragment):
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    found, elapsed = run_bounded(lambda: outcome(read_articles([tmp_path])), 30)
    assert fragment in found["page.html"] and elapsed < 10


def test_unclosed_paragraphs_are_not_mistaken_for_nesting(tmp_path):
    (tmp_path / "page.html").write_text("<html><body>" + ("<p>" + PLEDGE) * 3000 + "</body></html>",
                                        encoding="utf-8")
    assert outcome(read_articles([tmp_path]))["page.html"] == "article"


def test_expand_inputs_refuses_special_files_named_directly(tmp_path):
    os.mkfifo(tmp_path / "f.jsonl")
    (failure,) = expand_inputs([tmp_path / "f.jsonl"])
    assert "FIFO" in failure.reason


# --------------------------------------------------------------------------- the per-article budget

def articles(*texts: str) -> list[Article]:
    return [Article(id=f"a{n}", text=text, lang="en", source=f"a{n}.txt") for n, text in enumerate(texts)]


def test_an_article_over_its_time_budget_is_stopped_and_its_neighbours_are_stored():
    big = " ".join([PLEDGE] * 4000)  # about 400 KB of pledges: far more than 0.5 s of extraction
    with ArticlePool(1, ArticleBudget(seconds=0.5, memory_mb=2048)) as pool:
        docs, elapsed = run_bounded(lambda: pool.submit(articles(PLEDGE, big, PLEDGE)).result(), 120)
        assert pool.kills == 1
    assert [doc.failure is None for doc in docs] == [True, False, True]
    assert "took longer than the 0.5 s budget" in docs[1].failure.reason
    assert "AIDGRAPH_ARTICLE_SECONDS" in docs[1].failure.reason
    assert docs[0].facts_accepted > 0 and docs[2].facts_accepted > 0
    assert elapsed < 60


def test_an_article_over_its_memory_budget_fails_with_a_clear_message():
    with ArticlePool(1, ArticleBudget(seconds=60, memory_mb=1)) as pool:
        (doc,), _ = run_bounded(lambda: pool.submit(articles(" ".join([PLEDGE] * 2000))).result(), 120)
    assert doc.failure is not None and "1 MB memory budget" in doc.failure.reason


def test_a_worker_that_dies_fails_only_its_article(tmp_path):
    """kill -9 of the worker in the middle of a batch: the article it was on fails, the others are done."""
    big = " ".join([PLEDGE] * 4000)
    with ArticlePool(1, ArticleBudget(seconds=120)) as pool:
        future = pool.submit(articles(PLEDGE, big, PLEDGE))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not [p for p in pool.progress() if p[1:] == ("extract", 1)]:
            time.sleep(0.02)
        time.sleep(0.5)  # into the big article
        ((pid, stage, index),) = pool.progress()
        assert (stage, index) == ("extract", 1)
        os.kill(pid, 9)
        docs = future.result(timeout=120)
    failed = [doc for doc in docs if doc.failure is not None]
    assert len(failed) == 1 and "died" in failed[0].failure.reason
    assert sum(doc.failure is None for doc in docs) == 2
