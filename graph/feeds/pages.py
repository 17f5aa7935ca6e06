"""Web pages as articles, and the local copies of the pages that feeds and sitemaps name.

    page_article(data, url=..., ...)  -> Article | PassedOver    one HTML page (bytes) as an article
    LocalPages(paths)                 -> .get(url) -> LocalPage | None

There is no network access in ingest: the pages a sitemap or an RSS item names are looked up in local
WARC files (by ``WARC-Target-URI``) and folders of HTML files (by their canonical link or ``og:url``).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import IngestError, MetadataError
from graph.feeds import PassedOver, normalise_url, url_article_id

_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
#: how far into a page a ``<meta charset>`` is looked for (the HTML standard says 1024 bytes)
META_CHARSET_BYTES = 1024


def decode_page(data: bytes, content_type: str | None, source: str) -> str:
    """A page's text: decoded with the charset its HTTP ``Content-Type`` or ``<meta charset>`` declares,
    else as UTF-8 (:func:`graph.ingest.decode_text`: other encodings are refused, not guessed)."""
    from graph.ingest import decode_text

    declared = _CHARSET.search((content_type or "").encode("latin-1", "replace")) or \
        _CHARSET.search(data[:META_CHARSET_BYTES])
    codec = None
    if declared:
        try:
            codec = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            codec = None
    if codec is None or codec == "utf-8":
        return decode_text(data, source)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise IngestError(f"{source}: not valid {codec}, as the page declares (byte 0x{data[exc.start]:02x} "
                          f"at offset {exc.start})", hint="the crawl may have stored a broken page") from None


def page_article(data: bytes, *, url: str | None, source: str, location: str,
                 content_type: str | None = None, fallback: dict[str, Any] | None = None,
                 lang: str | None = None, published: Any = None,
                 prefilter: Callable[[str, str | None], bool] | None = None):
    """An HTML page as an Article (metadata: the page's own, else ``fallback``: feed, HTTP or WARC
    headers), or :class:`PassedOver` when ``prefilter`` rejects its title and candidate blocks (before
    trafilatura confirms its main text). Raises IngestError / MetadataError for a page that cannot be an
    article."""
    from graph.ingest import check_html_size, confirm_main_text, html_to_text, make_article

    html = decode_page(data, content_type, source)
    check_html_size(html, source)
    text, metadata = html_to_text(html, source, main_text=False)
    if prefilter is not None and not prefilter(f"{metadata.get('title') or ''}\n{text}", None):
        return PassedOver(source)
    text = confirm_main_text(text, html)
    for key, value in (fallback or {}).items():
        if value is not None and not metadata.get(key):
            metadata[key] = value
    metadata["published"] = usable_date(metadata.get("published"))
    if url and not metadata.get("url"):
        metadata["url"] = url
    key = url or metadata.get("url")
    article_id = url_article_id(key) if key else None
    try:
        return make_article(text, source=source, metadata=metadata, lang=lang, published=published,
                            article_id=article_id, location=location)
    except MetadataError as exc:
        if exc.field != "url":
            raise
        metadata.pop("url")
        return make_article(text, source=source, metadata=metadata, lang=lang, published=published,
                            article_id=article_id, location=location)


def usable_date(value: Any):
    """A publication date, or None when it cannot be read or is out of range (a feed's wrong date is no
    reason to refuse its article)."""
    from graph.ingest import parse_date
    from graph.model import check_published

    try:
        day = parse_date(value)
        if day is not None:
            check_published(day)
    except (MetadataError, TypeError, ValueError):
        return None
    return day


@dataclass(frozen=True, slots=True)
class LocalPage:
    """Where a page's copy is: an HTML file, a WARC file and the offset of its record, or (no path) the
    web, when fetching is on."""

    path: Path | None
    offset: int | None = None
    url: str | None = None


class LocalPages:
    """The local copies of web pages, by URL: WARC files (``WARC-Target-URI`` of their HTML responses)
    and folders of ``.html``/``.htm`` files (their canonical link or ``og:url``) and WARC files. Indexed on
    first use. With a ``fetcher`` (:class:`graph.feeds.fetch.Fetcher`, opt-in), a page without a local copy is
    fetched."""

    def __init__(self, paths: Iterable[str | Path], fetcher=None) -> None:
        self.paths = [Path(p) for p in paths]
        self.fetcher = fetcher
        self._index: dict[str, LocalPage] | None = None
        self.problems: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.paths) or self.fetcher is not None

    def get(self, url: str) -> LocalPage | None:
        """The local copy of the page at ``url``, else (fetching on) the page on the web, else None."""
        if self._index is None:
            self._index = self._build()
        key = normalise_url(url)
        local = self._index.get(key) or self._index.get(key.rstrip("/") if key.endswith("/") else key + "/")
        if local is None and self.fetcher is not None and url.lower().startswith(("http://", "https://")):
            return LocalPage(None, None, url)
        return local

    def read(self, page: LocalPage, max_bytes: int) -> tuple[bytes, str | None, dict[str, Any]]:
        """The page's bytes, its content type and the metadata its WARC record or HTTP headers carry."""
        from graph.ingest import read_limited

        if page.path is None:
            return self.fetcher.get(page.url)
        if page.offset is None:
            return read_limited(page.path, max_bytes), None, {}
        from graph.feeds.warc import read_record_at

        return read_record_at(page.path, page.offset, max_bytes)

    def _build(self) -> dict[str, LocalPage]:
        from graph.ingest import HTML_SUFFIXES

        index: dict[str, LocalPage] = {}
        for path in self.paths:
            if path.is_dir():
                for file in sorted(p for p in path.rglob("*") if p.is_file()):
                    if file.suffix.lower() in HTML_SUFFIXES:
                        url = _page_url(file)
                        if url:
                            index.setdefault(normalise_url(url), LocalPage(file, None, url))
                    elif file.name.lower().endswith((".warc", ".warc.gz")):
                        self._add_warc(index, file)
            elif path.name.lower().endswith((".warc", ".warc.gz")):
                self._add_warc(index, path)
            elif path.suffix.lower() in HTML_SUFFIXES and path.is_file():
                url = _page_url(path)
                if url:
                    index.setdefault(normalise_url(url), LocalPage(path, None, url))
            else:
                self.problems.append(f"{path}: not a WARC file, an HTML file or a folder of them")
        return index

    def _add_warc(self, index: dict[str, LocalPage], path: Path) -> None:
        from graph.feeds.warc import record_urls

        try:
            for url, offset in record_urls(path):
                index.setdefault(normalise_url(url), LocalPage(path, offset, url))
        except IngestError as exc:
            self.problems.append(str(exc))


def _page_url(path: Path) -> str | None:
    """A local HTML file's own URL: its canonical link or og:url (read from its first 64 KB)."""
    from selectolax.lexbor import LexborHTMLParser

    try:
        with open(path, "rb") as handle:
            head = handle.read(65536).decode("utf-8", "replace")
    except OSError:
        return None
    tree = LexborHTMLParser(head)
    for selector in ("link[rel='canonical']", "meta[property='og:url']"):
        node = tree.css_first(selector)
        value = node and (node.attributes.get("href") or node.attributes.get("content"))
        if value and value.strip().lower().startswith(("http://", "https://")):
            return value.strip()
    return None
