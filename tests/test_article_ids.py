"""Article ids are unique per source: different files never become one article, collisions are refused
with a message naming both sources, and re-ingesting a file replaces its own graph (issue 14.2)."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import pytest

from graph.model import ARTICLE_ID, path_article_id
from graph.pipeline import ingest_paths
from graph.vocab import article_iri

# our own sentences (not from any corpus)
GERMAN = "Germany will send Ukraine four IRIS-T SLM air defence systems, the ministry said on 3 March 2025."
SWEDISH = "Sweden will send Ukraine ten Archer howitzers, the Swedish government said on 5 May 2025."
NORWEGIAN = "Norway will send Ukraine two NASAMS launchers, the Norwegian government said on 6 June 2025."

ARTICLE_IDS = """
SELECT ?id WHERE { GRAPH ?g { ?a a <https://schema.org/NewsArticle> ; <https://schema.org/identifier> ?id } }
"""


def stored_ids(store) -> set[str]:
    return {str(row[0]) for row in store.query(ARTICLE_IDS)}


def donors_of(store, article_id: str) -> set[str]:
    graph = store.get_graph(str(article_iri(article_id)))
    return {str(o).rsplit("/", 1)[-1] for _, p, o in graph if str(p) == "https://schema.org/agent"}


@pytest.mark.parametrize(("relative", "expected"), [
    ("report.txt", "report"),
    ("2024/report.txt", "2024~report"),
    ("a/b/c.html", "a~b~c"),
    ("2024.03.report.txt", "2024.03.report"),
    ("da_donationspakke_i_gaar.txt", "da_donationspakke_i_gaar"),  # a flat folder keeps its old ids
])
def test_ids_are_the_path_below_the_folder(relative, expected):
    assert path_article_id(PurePosixPath(relative)) == expected


@pytest.mark.parametrize("names", [
    ("2025/report.txt", "2025/report .txt"),
    ("with space.txt", "with-space.txt"),
    ("pål.txt", "pal.txt"),
    ("new\nline.txt", "new-line.txt"),
    ("x" * 150 + ".txt", "x" * 149 + "y.txt"),
])
def test_lossy_names_get_a_hash_so_different_files_keep_different_ids(names):
    ids = [path_article_id(PurePosixPath(name)) for name in names]
    assert len(set(ids)) == len(ids), ids
    assert all(ARTICLE_ID.match(article_id) for article_id in ids), ids  # IRI-safe, reachable by the API


def test_three_files_named_report_are_three_articles(tmp_path, store_factory):
    corpus = tmp_path / "c"
    (corpus / "2024").mkdir(parents=True)
    (corpus / "2025").mkdir()
    (corpus / "2024" / "report.txt").write_text(GERMAN, encoding="utf-8")
    (corpus / "2025" / "report.txt").write_text(SWEDISH, encoding="utf-8")
    (corpus / "2025" / "report .txt").write_text(NORWEGIAN, encoding="utf-8")
    store = store_factory("oxigraph")
    summary = ingest_paths([corpus], store, progress=False, workers=0)
    assert summary.ok and summary.articles_stored == 3, summary.failures
    ids = stored_ids(store)
    assert len(ids) == 3 and {"2024~report", "2025~report"} <= ids
    assert donors_of(store, "2024~report") == {"DE"} and donors_of(store, "2025~report") == {"SE"}
    (spaced,) = ids - {"2024~report", "2025~report"}
    assert donors_of(store, spaced) == {"NO"}


def test_jsonl_lines_with_the_same_id_refuse_the_later_one_naming_both(tmp_path, store_factory):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps({"id": "same", "text": text, "lang": "en"})
                              for text in (GERMAN, SWEDISH)) + "\n", encoding="utf-8")
    store = store_factory("memory")
    summary = ingest_paths([path], store, progress=False, workers=0)
    assert summary.articles_stored == 1
    (failure,) = summary.failures
    assert str(failure).startswith(f"{path}:2: ")
    assert "'same'" in failure.reason and f"{path}:1" in failure.reason
    assert donors_of(store, "same") == {"DE"}  # the first one stays


def test_jsonl_lines_without_id_get_content_ids_and_identical_lines_are_one_article(tmp_path, store_factory):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps({"text": text, "lang": "en"}) for text in (GERMAN, SWEDISH, GERMAN)),
                    encoding="utf-8")
    store = store_factory("memory")
    summary = ingest_paths([path], store, progress=False, workers=0)
    assert summary.articles_stored == 2 and len(summary.failures) == 1
    assert str(summary.failures[0]).startswith(f"{path}:3: ")
    assert "already taken" in summary.failures[0].reason
    assert all(article_id.startswith("feed-") for article_id in stored_ids(store))


def test_reingesting_a_changed_file_replaces_its_own_graph(tmp_path, store_factory):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(GERMAN, encoding="utf-8")
    store = store_factory("oxigraph")
    ingest_paths([corpus], store, progress=False, workers=0)
    (corpus / "a.txt").write_text(SWEDISH, encoding="utf-8")
    again = ingest_paths([corpus], store, progress=False, workers=0)
    assert again.ok and again.articles_stored == 1
    assert stored_ids(store) == {"a"} and donors_of(store, "a") == {"SE"}


def test_a_file_named_directly_keeps_the_id_it_was_stored_under(tmp_path, store_factory):
    corpus = tmp_path / "c"
    (corpus / "2025").mkdir(parents=True)
    (corpus / "2025" / "report.txt").write_text(GERMAN, encoding="utf-8")
    store = store_factory("oxigraph")
    ingest_paths([corpus], store, progress=False, workers=0)
    (corpus / "2025" / "report.txt").write_text(SWEDISH, encoding="utf-8")
    ingest_paths([corpus / "2025" / "report.txt"], store, progress=False, workers=0)
    assert stored_ids(store) == {"2025~report"} and donors_of(store, "2025~report") == {"SE"}


def test_another_file_with_a_stored_id_is_refused_unless_forced(tmp_path, store_factory):
    first, second = tmp_path / "news2024", tmp_path / "news2025"
    first.mkdir()
    second.mkdir()
    (first / "report.txt").write_text(GERMAN, encoding="utf-8")
    (second / "report.txt").write_text(SWEDISH, encoding="utf-8")
    store = store_factory("oxigraph")
    ingest_paths([first], store, progress=False, workers=0)
    refused = ingest_paths([second], store, progress=False, workers=0)
    assert refused.articles_stored == 0
    (failure,) = refused.failures
    assert str(first / "report.txt") in failure.reason and failure.source == str(second / "report.txt")
    assert "--force" in failure.reason and donors_of(store, "report") == {"DE"}
    forced = ingest_paths([second], store, progress=False, workers=0, force=True)
    assert forced.ok and donors_of(store, "report") == {"SE"}


def test_stores_with_file_name_ids_are_told_about_the_new_ids(tmp_path, store_factory):
    """A store from before path ids holds sub-folder files under their names: the run says so."""
    corpus = tmp_path / "c"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "a.txt").write_text(GERMAN, encoding="utf-8")
    store = store_factory("oxigraph")
    ingest_paths([corpus / "sub" / "a.txt"], store, progress=False, workers=0)
    # make it look like an old store: no content hash, no source
    store.update("DELETE WHERE { GRAPH ?g { ?a <https://schema.org/sha256> ?h } } ; "
                 "DELETE WHERE { GRAPH ?g { ?a <http://purl.org/dc/terms/source> ?s } }")
    summary = ingest_paths([corpus], store, progress=False, workers=0)
    assert stored_ids(store) == {"a", "sub~a"}
    assert any("older aidgraph" in warning and "sub~a" in warning for warning in summary.warnings)
