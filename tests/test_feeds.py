"""Feeds as ingest inputs: WARC files, RSS/Atom feeds and sitemaps (graph/feeds), with the prefilter in
front, local pages for the URLs they name, and a resume state per input. Files are written by the tests
(tests/feeds_files.py: warcio writes the WARCs); the sentences are our own."""

from __future__ import annotations

import json
from datetime import date

import pytest
from feeds_files import (
    AID,
    BILLION_LAUGHS,
    CHROME_WORDS,
    UNRELATED,
    atom,
    news_warc,
    page,
    rss,
    sitemap,
    sitemap_index,
    write_gzip,
    write_warc,
)

from graph.errors import DiskFullError
from graph.feeds import feed_kind, normalise_url, url_article_id
from graph.ingest import IngestFailure, read_articles
from graph.model import Article
from graph.pipeline import ingest_paths

DENMARK, CANADA = list(AID)


def articles_of(*paths, **options) -> tuple[list[Article], list[IngestFailure]]:
    items = list(read_articles(paths, **options))
    return ([i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, IngestFailure)])


# --------------------------------------------------------------------------- WARC

@pytest.mark.parametrize("compress", [True, False])
def test_every_html_response_of_a_warc_is_an_article_with_its_metadata(tmp_path, compress):
    path = news_warc(tmp_path / ("crawl.warc.gz" if compress else "crawl.warc"), compress=compress)
    articles, failures = articles_of(path)
    assert failures == []
    assert {a.url for a in articles} == set(AID) | set(UNRELATED)  # no image, 404 or request record
    denmark = next(a for a in articles if a.url == DENMARK)
    assert denmark.text.startswith("Denmark will send Ukraine twelve Caesar howitzers")
    assert "The guns are to arrive before the winter" in denmark.text
    assert not any(word in denmark.text for word in CHROME_WORDS)
    assert (denmark.title, denmark.lang, denmark.published) == ("Denmark pledges howitzers | News Example",
                                                                "en", date(2025, 3, 4))  # WARC-Date
    assert denmark.id == url_article_id(DENMARK) and denmark.id.startswith("news.example-2025-denmark")
    assert denmark.location.startswith(path.resolve().as_uri() + "#feed-item=")


def test_the_page_metadata_wins_over_the_warc_headers_and_declared_charsets_are_decoded(tmp_path):
    ukrainian = "Нідерланди передадуть Україні ще шість винищувачів, заявив міністр оборони."
    body = page("Винищувачі", [ukrainian], lang="uk", published="2025-02-20T08:00:00+02:00")
    path = write_warc(tmp_path / "uk.warc.gz", [
        {"url": "https://uk.example/a", "body": body.encode("cp1251"),
         "content_type": "text/html; charset=windows-1251"}])
    [article], failures = articles_of(path)
    assert failures == []
    assert ukrainian in article.text
    assert (article.lang, article.published) == ("uk", date(2025, 2, 20))


def test_the_same_url_in_two_crawls_is_one_article(tmp_path, store_factory):
    first = news_warc(tmp_path / "monday.warc.gz")
    second = news_warc(tmp_path / "tuesday.warc.gz")
    store = store_factory("oxigraph")
    summary = ingest_paths([first, second], store, progress=False, workers=0, commitments=False)
    assert (summary.articles_read, summary.articles_stored, summary.articles_repeated) == (4, 4, 4)
    assert summary.failures == []
    # a later run from the other crawl: the same content is unchanged, not "stored from another file"
    again = ingest_paths([second], store, progress=False, workers=0, commitments=False)
    assert (again.articles_unchanged, again.failures) == (4, [])


# --------------------------------------------------------------------------- RSS / Atom

def test_rss_items_are_articles_from_their_own_content_or_summary(tmp_path):
    path = tmp_path / "wire.rss"
    path.write_text(rss([
        {"title": "Norway funds air defence", "link": "https://wire.example/n1",
         "date": "Tue, 04 Mar 2025 08:00:00 GMT",
         "description": "Norway will pay for two NASAMS launchers for Ukraine, the government said."},
        {"title": "Poland sends ammunition", "link": "https://wire.example/n2",
         "date": "Wed, 05 Mar 2025 09:00:00 GMT", "description": "A short teaser.",
         "content": "<p>Poland will send Ukraine artillery shells from its own stocks.</p><p>The first "
                    "train left on Wednesday.</p>"},
        {"title": "Only a title", "link": "https://wire.example/n3"},
    ]), encoding="utf-8")
    articles, failures = articles_of(path)
    norway, poland = articles
    assert norway.text == "Norway will pay for two NASAMS launchers for Ukraine, the government said."
    assert (norway.url, norway.title, norway.published, norway.lang, norway.publisher) == (
        "https://wire.example/n1", "Norway funds air defence", date(2025, 3, 4), "en", "Example Wire")
    assert poland.text.split("\n\n") == ["Poland will send Ukraine artillery shells from its own stocks.",
                                         "The first train left on Wednesday."]  # content:encoded wins
    [failure] = failures
    assert failure.line == 3 and "no content or summary" in failure.reason


def test_an_item_with_an_unusable_link_keeps_its_article(tmp_path):
    path = tmp_path / "wire.rss"
    path.write_text(rss([{"title": "Spaces", "link": "https://wire.example/a b",
                          "description": "Sweden will send Ukraine ten more Archer howitzers."}]))
    [article], failures = articles_of(path)
    assert failures == [] and article.url is None and article.text.startswith("Sweden will send")


def test_atom_entries_take_the_feed_language(tmp_path):
    path = tmp_path / "nachrichten.atom"
    path.write_text(atom([{"title": "Neue Hilfe", "link": "https://de.example/1",
                           "updated": "2025-03-02T10:00:00Z",
                           "content": "<p>Deutschland liefert der Ukraine weitere Flugabwehrsysteme.</p>"}]),
                    encoding="utf-8")
    [article], failures = articles_of(path)
    assert failures == []
    assert (article.lang, article.published, article.url) == ("de", date(2025, 3, 2), "https://de.example/1")


def test_a_local_copy_of_the_linked_page_replaces_the_teaser(tmp_path):
    crawl = news_warc(tmp_path / "crawl.warc.gz")
    feed = tmp_path / "feed.xml"
    feed.write_text(rss([{"title": "Canada", "link": CANADA, "description": "Teaser only."}]),
                    encoding="utf-8")
    assert feed_kind(feed) == "rss"
    from graph.feeds import read_feed
    from graph.feeds.pages import LocalPages

    [article] = list(read_feed(feed, pages=LocalPages([crawl])))
    assert "fifty armoured vehicles" in article.text and "Teaser" not in article.text
    assert article.id == url_article_id(CANADA)


# --------------------------------------------------------------------------- sitemaps

def test_a_sitemap_index_names_sitemaps_whose_pages_come_from_local_copies(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    title, paragraphs = AID[DENMARK]
    (pages / "denmark.html").write_text(page(title, paragraphs, canonical=DENMARK), encoding="utf-8")
    crawl = news_warc(tmp_path / "crawl.warc", compress=False)  # records found by offset
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    write_gzip(feeds / "news-1.xml.gz", sitemap([
        {"loc": DENMARK, "title": "Denmark pledges howitzers", "date": "2025-03-03"},
        {"loc": CANADA, "title": "Canada sends vehicles", "language": "en"},
        {"loc": "https://news.example/2025/not-crawled"},
    ]).encode())
    (feeds / "index.xml").write_text(sitemap_index(["https://news.example/sitemaps/news-1.xml.gz",
                                                    "https://news.example/sitemaps/news-2.xml"]))
    assert feed_kind(feeds / "index.xml") == feed_kind(feeds / "news-1.xml.gz") == "sitemap"
    from graph.feeds import read_feed
    from graph.feeds.pages import LocalPages

    items = list(read_feed(feeds / "index.xml", pages=LocalPages([pages, crawl])))
    articles = [i for i in items if isinstance(i, Article)]
    failures = [str(i) for i in items if isinstance(i, IngestFailure)]
    assert [a.url for a in articles] == [DENMARK, CANADA]
    assert articles[0].published == date(2025, 3, 3)  # the sitemap's news:publication_date
    assert articles[0].location.endswith("#feed-item=1")
    assert len(failures) == 2
    assert "1 of 3 URL(s) have no local copy" in failures[0] and "not-crawled" in failures[0]
    assert "news-2.xml is not beside the index" in failures[1] or "no news-2.xml" in failures[1]


def test_xml_files_in_a_folder_are_inputs_only_when_they_are_feeds(tmp_path):
    (tmp_path / "feed.xml").write_text(rss([{"title": "T", "link": "https://w.example/1",
                                              "description": "Norway will pay for two launchers."}]))
    (tmp_path / "config.xml").write_text("<?xml version='1.0'?><settings><a>1</a></settings>")
    articles, failures = articles_of(tmp_path)
    assert [a.url for a in articles] == ["https://w.example/1"] and failures == []
    _, failures = articles_of(tmp_path / "config.xml")  # named directly: said why it is no input
    assert "not a feed" in failures[0].reason


def test_urls_are_normalised_for_lookups_and_ids():
    assert normalise_url("HTTPS://News.Example:443/a?x=1#top") == "https://news.example/a?x=1"
    assert url_article_id("https://news.example/a#top") == url_article_id("https://NEWS.example/a")
    assert url_article_id("https://news.example/a") != url_article_id("https://news.example/b")


# --------------------------------------------------------------------------- prefilter and resume

def test_the_prefilter_passes_over_unrelated_pages_before_their_main_text_is_extracted(tmp_path,
                                                                                      store_factory):
    crawl = news_warc(tmp_path / "crawl.warc.gz")
    store = store_factory("oxigraph")
    summary = ingest_paths([crawl], store, progress=False, workers=0, prefilter=True, commitments=False)
    assert (summary.articles_read, summary.articles_not_about_aid, summary.articles_stored) == (4, 2, 2)
    stored = {name for name in store.graph_names() if "/article/" in name}
    assert {name.rsplit("/", 1)[-1] for name in stored} == {url_article_id(url) for url in AID}


class StopsAfter:
    """A real store that stops like a full disk after ``writes`` batch writes (a crash mid-ingest)."""

    def __init__(self, store, writes: int) -> None:
        self.store, self.writes = store, writes

    def replace_graphs(self, graphs):
        if self.writes == 0:
            raise DiskFullError("no space left on the device under the store (test)")
        self.writes -= 1
        self.store.replace_graphs(graphs)

    def __getattr__(self, name):
        return getattr(self.store, name)


@pytest.mark.parametrize("compress", [True, False])
def test_a_rerun_after_a_crash_resumes_each_feed_where_its_stored_articles_end(tmp_path, store_factory,
                                                                              compress):
    records = [{"url": f"https://news.example/p{n}", "body": page(f"Pledge {n}", [
        f"Estonia will send Ukraine {n + 2} more howitzers, the defence ministry said on Friday."])}
        for n in range(7)]
    crawl = write_warc(tmp_path / ("crawl.warc.gz" if compress else "crawl.warc"), records, compress=compress)
    state = tmp_path / "store.feeds"
    store = store_factory("oxigraph")
    with pytest.raises(DiskFullError) as stopped:
        ingest_paths([crawl], StopsAfter(store, 2), progress=False, workers=0, batch_size=2,
                     state_dir=state, commitments=False)
    assert stopped.value.summary.articles_stored == 4
    [saved] = [json.loads(p.read_text()) for p in state.glob("*.json")]
    assert (saved["items"], saved["done"]) == (4, False)
    resumed = ingest_paths([crawl], store, progress=False, workers=0, batch_size=2, state_dir=state,
                           commitments=False)
    assert (resumed.feed_items_resumed, resumed.articles_read, resumed.articles_stored) == (4, 3, 3)
    done = ingest_paths([crawl], store, progress=False, workers=0, state_dir=state, commitments=False)
    assert (done.feed_items_resumed, done.articles_read) == (7, 0)
    forced = ingest_paths([crawl], store, progress=False, workers=0, state_dir=state, force=True,
                          commitments=False)
    assert (forced.articles_read, forced.articles_stored) == (7, 7)
    crawl.touch()  # a changed file (or another aidgraph, other options) is read from the start
    changed = ingest_paths([crawl], store, progress=False, workers=0, state_dir=state, commitments=False)
    assert (changed.feed_items_resumed, changed.articles_read, changed.articles_unchanged) == (0, 7, 7)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("share", [0.6, 0.97])
def test_a_truncated_warc_keeps_the_records_before_the_damage(tmp_path, share):
    whole = news_warc(tmp_path / "whole.warc.gz")
    cut = tmp_path / "cut.warc.gz"
    data = whole.read_bytes()
    cut.write_bytes(data[: int(len(data) * share)])
    articles, failures = articles_of(cut)
    assert 1 <= len(articles) <= 4
    [failure] = failures
    assert "truncated" in failure.reason and "at offset" in failure.reason


@pytest.mark.parametrize(("name", "content", "fragment"), [
    ("text.warc", b"this is not a web archive\n" * 10, "not a WARC file"),
    ("empty.warc.gz", b"", "empty"),
    ("laughs.rss", (rss([{"title": "x", "link": "https://a.example/1", "description": "&lol9;"}],
                         prolog=BILLION_LAUGHS)).encode(), "declares entities"),
    ("laughs.xml", sitemap([{"loc": "https://a.example/&lol9;"}], prolog=BILLION_LAUGHS).encode(), "DTD"),
    ("external.xml", sitemap([{"loc": "https://a.example/1"}],
                             prolog='<!DOCTYPE u [<!ELEMENT u ANY>]>').encode(), "DTD"),
    ("broken.xml", b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                   b"<url><loc>https://a.example/1</loc></url", "malformed XML"),
    ("nothing.rss", b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
     "no items"),
])
def test_bad_feeds_fail_with_a_reason(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    articles, failures = articles_of(path)
    assert articles == []
    assert failures and fragment in failures[0].reason, failures


def test_bombs_and_huge_feeds_are_refused_in_bounded_time(tmp_path, monkeypatch):
    import gzip
    import time

    monkeypatch.setenv("AIDGRAPH_MAX_FEED_BYTES", "2000000")
    bomb = tmp_path / "bomb.xml.gz"
    bomb.write_bytes(gzip.compress(sitemap([{"loc": "https://a.example/1"}]).encode()[:-10]
                                   + b" " * 200_000_000, compresslevel=9))
    huge = tmp_path / "huge.rss"
    huge.write_text(rss([{"title": f"t{n}", "link": f"https://a.example/{n}", "description": "x" * 200}
                         for n in range(20_000)]), encoding="utf-8")
    payload = gzip.compress(b"<html><body><p>" + b"a" * 50_000_000 + b"</p></body></html>")
    warc = write_warc(tmp_path / "payload.warc.gz", [
        {"url": "https://a.example/bomb", "body": payload, "headers": [("Content-Encoding", "gzip")]},
        {"url": "https://a.example/ok", "body": page("Fine", ["Latvia will send Ukraine drones, the minister "
                                                              "said."])}])
    started = time.perf_counter()
    for path, fragment in ((bomb, "decompresses to more than 2.0 MB"), (huge, "larger than the 2.0 MB")):
        articles, failures = articles_of(path)
        assert articles == [] and fragment in failures[0].reason, failures
    articles, failures = articles_of(warc, max_bytes=1_000_000)
    assert [a.url for a in articles] == ["https://a.example/ok"]
    assert "larger than the 1.0 MB limit" in failures[0].reason
    big_item = tmp_path / "big-item.rss"
    big_item.write_text(rss([{"title": "Big", "link": "https://a.example/big",
                              "content": "<p>x</p>" * 200_000},
                             {"title": "Small", "link": "https://a.example/small",
                              "description": "Latvia will send Ukraine drones, the minister said."}]))
    articles, failures = articles_of(big_item, max_bytes=1_000_000)
    assert [a.url for a in articles] == ["https://a.example/small"]
    assert "content is larger than the 1.0 MB limit" in failures[0].reason
    assert time.perf_counter() - started < 30


# --------------------------------------------------------------------------- command line

def test_aidgraph_ingest_reads_feeds_and_resumes_them(tmp_path, run_cli, cli_store):
    crawl = news_warc(tmp_path / "crawl.warc.gz")
    (tmp_path / "news.xml").write_text(sitemap([{"loc": DENMARK, "title": "Denmark pledges howitzers"}]))
    first = run_cli("ingest", crawl, tmp_path / "news.xml", "--pages", crawl, "--prefilter", "--json",
                    "--no-progress")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert (summary["articles_read"], summary["articles_not_about_aid"], summary["articles_stored"],
            summary["articles_repeated"]) == (4, 2, 2, 1)
    assert list(cli_store.with_name(cli_store.name + ".feeds").glob("*.json"))
    again = run_cli("ingest", crawl, tmp_path / "news.xml", "--pages", crawl, "--prefilter", "--json",
                    "--no-progress")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["feed_items_resumed"] == 5
    missing = run_cli("ingest", crawl, "--pages", tmp_path / "nowhere")
    assert missing.returncode == 2 and "--pages" in missing.stderr
    helped = run_cli("ingest", "--help")
    assert all(word in helped.stdout for word in ("WARC", "RSS/Atom", "sitemap", "--pages", "--state-dir"))


# --------------------------------------------------------------------------- opt-in fetching

@pytest.fixture
def web(tmp_path):
    """A local HTTP server started by the test: good pages, and pages that hit each bound."""
    import gzip
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    title, paragraphs = AID[CANADA]
    good = page(title, paragraphs).encode()
    bomb = gzip.compress(b"<html><body><p>" + b"a" * 20_000_000 + b"</p></body></html>")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send(self, body: bytes, content_type="text/html; charset=utf-8", extra=()):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            for key, value in extra:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/good":
                self.send(good)
            elif self.path == "/image":
                self.send(b"\x89PNG" + bytes(100), "image/png")
            elif self.path == "/bomb":
                self.send(bomb, extra=[("Content-Encoding", "gzip")])
            elif self.path == "/loop":
                self.send_response(302)
                self.send_header("Location", "/loop")
                self.end_headers()
            elif self.path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                try:
                    for _ in range(30):
                        self.wfile.write(b"<p>x</p>" * 10)
                        self.wfile.flush()
                        time.sleep(0.3)
                except OSError:
                    pass
            else:
                self.send_error(404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetching_is_opt_in_and_bounded(tmp_path, web):
    import time

    from graph.feeds import read_feed
    from graph.feeds.fetch import Fetcher
    from graph.feeds.pages import LocalPages

    names = ["good", "image", "bomb", "loop", "trickle", "missing"]
    path = tmp_path / "sitemap.xml"
    path.write_text(sitemap([{"loc": f"{web}/{name}"} for name in names]))
    [offline] = list(read_feed(path))  # without --fetch nothing is fetched
    assert "6 of 6 URL(s) have no local copy" in offline.reason
    fetcher = Fetcher(max_bytes=1_000_000, seconds=2.0)
    started = time.perf_counter()
    try:
        items = list(read_feed(path, pages=LocalPages([], fetcher)))
    finally:
        fetcher.close()
    assert time.perf_counter() - started < 20
    articles = [i for i in items if isinstance(i, Article)]
    reasons = {i.line: i.reason for i in items if isinstance(i, IngestFailure)}
    assert [a.url for a in articles] == [f"{web}/good"] and "fifty armoured vehicles" in articles[0].text
    assert "not an HTML page" in reasons[2]
    assert "larger than the 1.0 MB limit" in reasons[3]
    assert "redirects" in reasons[4]
    assert "longer than 2 s" in reasons[5]
    assert "answered 404" in reasons[6]


def test_a_feed_file_is_a_ray_shard_of_its_own(tmp_path):
    from graph.distributed import plan_shards
    from graph.ingest import expand_inputs

    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("Norway will send Ukraine two launchers.", encoding="utf-8")
    news_warc(tmp_path / "crawl.warc.gz")
    shards = plan_shards(list(expand_inputs([tmp_path])), {}, shard_size=10)
    assert sorted([item.path.name for item in shard.inputs] for shard in shards) == [
        ["a.txt", "b.txt"], ["crawl.warc.gz"]]


def test_one_article_readers_send_feeds_to_ingest(tmp_path):
    from graph.errors import InputError
    from graph.ingest import read_article

    with pytest.raises(InputError, match="is a feed"):
        read_article(news_warc(tmp_path / "crawl.warc.gz"))
