"""Feeds as ingest inputs: WARC files, RSS/Atom feeds and XML sitemaps, each holding many articles.

    feed_kind(path)                 -> "warc" | "rss" | "sitemap" | None   by name, then by content
    read_feed(path, ...)            -> Iterator[Article | IngestFailure | PassedOver]
    url_article_id(url)             -> str        the id of an article known by its URL

One input becomes many articles, each an ordinary :class:`graph.model.Article` that flows through the
same pipeline as a ``.txt`` file (``aidgraph ingest`` detects feeds by suffix, ``.xml`` by content):

- **WARC** (``.warc``, ``.warc.gz``; CC-NEWS style, :mod:`graph.feeds.warc`): every ``response`` (or
  ``resource``) record of an HTML page is an article; its main text comes from
  :func:`graph.ingest.html_to_text`, its metadata from the page, else the HTTP and WARC headers
  (``Content-Language``, ``WARC-Target-URI``, ``WARC-Date``: the crawl date, a news crawl's nearest
  stand-in for the publication date).
- **RSS/Atom** (``.rss``, ``.atom``, or ``.xml`` holding ``<rss>``, ``<feed>`` or ``<rdf:RDF>``;
  :mod:`graph.feeds.rss`, feedparser): every item is an article; its text is the item's own content
  (``content:encoded``, Atom ``content``), else its summary, unless a local copy of the page it links
  to is given (``pages``); date, title, link and language come from the item, else the channel.
- **Sitemaps** (``<urlset>``, ``<sitemapindex>``; ``.xml`` or ``.xml.gz``; :mod:`graph.feeds.sitemap`):
  a sitemap names URLs, not text. There is no network access: each URL is looked up among the local
  pages given as ``pages`` (WARC files and folders of HTML files, :class:`graph.feeds.pages.LocalPages`),
  with the sitemap's Google News fields (title, language, publication date) as metadata. A sitemap
  index's sitemaps are read from beside it (by the file name of their URL).

Article ids: :func:`url_article_id` (host and path, plus a hash of the whole URL), so the same page read
from two feeds or two crawls is one article: a later read replaces it when its content changed and is
skipped when it did not; within one run it is read once (:attr:`graph.pipeline.IngestSummary.repeated`).

Relevance prefilter (``prefilter=True``): a page's title and candidate blocks (the block walk of
:func:`graph.ingest.html_to_text`, before trafilatura confirms them) are checked with every language's
cues before the main text is extracted (:class:`PassedOver` for a page that fails). The main text is a
subset of those blocks and the page's language a subset of every language, so the early check keeps
every page the pipeline's own check would keep, at a fraction of the cost of the extraction.

Bounded input: a feed or sitemap file over :data:`MAX_FEED_BYTES` (``AIDGRAPH_MAX_FEED_BYTES``), a
gzip stream that decompresses to more, DTDs and entity declarations in XML (billion laughs, external
entities), WARC records or HTTP payloads over the article limit are refused with a reason; a truncated
or corrupt WARC keeps the records read before the damage. Resuming: :mod:`graph.feeds.state`.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from graph.config import DEFAULT_MAX_ARTICLE_BYTES, env_int
from graph.errors import IngestError

WARC_SUFFIXES = (".warc", ".warc.gz")
RSS_SUFFIXES = (".rss", ".atom")
XML_SUFFIXES = (".xml", ".xml.gz")
FEED_SUFFIXES = WARC_SUFFIXES + RSS_SUFFIXES + XML_SUFFIXES
#: the most bytes a feed or sitemap file may hold (decompressed); the sitemap protocol's own limit is 50 MB
MAX_FEED_BYTES = 50_000_000
#: the fragment that marks where in a feed file an article was read (``file:...#feed-item=N``)
ITEM_FRAGMENT = "#feed-item="
#: how far into an XML file its root element is looked for
SNIFF_BYTES = 4096
_ROOTS = {"rss": "rss", "feed": "rss", "RDF": "rss", "urlset": "sitemap", "sitemapindex": "sitemap"}
_ROOT = re.compile(rb"<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


@dataclass(frozen=True, slots=True)
class PassedOver:
    """A feed item read and passed over by the relevance prefilter before its main text was extracted."""

    source: str


@dataclass(slots=True)
class Cursor:
    """Where reading one feed file has got to: ``position`` (a byte offset of a WARC record, else the
    number of items) after ``items`` items. Readers move it before they yield an item, so that a
    snapshot taken when the pipeline has consumed an item covers that item and every one before it."""

    position: int = 0
    items: int = 0
    done: bool = False


def max_feed_bytes() -> int:
    """The feed size limit in force (``AIDGRAPH_MAX_FEED_BYTES``, default :data:`MAX_FEED_BYTES`)."""
    return env_int("AIDGRAPH_MAX_FEED_BYTES", MAX_FEED_BYTES)


def has_feed_suffix(path: Path) -> bool:
    """Whether ``path``'s name ends in one of :data:`FEED_SUFFIXES`."""
    return path.name.lower().endswith(FEED_SUFFIXES)


def feed_kind(path: Path, *, sniff: bool = True) -> str | None:
    """``"warc"``, ``"rss"`` or ``"sitemap"`` for a feed file, else None.

    WARC and RSS/Atom are known by their suffix; an ``.xml``/``.xml.gz`` file by its root element
    (``sniff``: the first :data:`SNIFF_BYTES` bytes are read; without it, such a file is "xml").
    """
    name = path.name.lower()
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith(RSS_SUFFIXES):
        return "rss"
    if not name.endswith(XML_SUFFIXES):
        return None
    if not sniff:
        return "xml"
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
        if head.startswith(b"\x1f\x8b"):
            with gzip.open(path, "rb") as handle:
                head = handle.read(SNIFF_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    return root_kind(head)


def root_kind(head: bytes) -> str | None:
    """The kind of XML document whose first bytes are ``head`` (its root element), else None."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    position = 0
    while (match := _ROOT.search(head, position)) is not None:
        kind = _ROOTS.get(match.group(1).decode("ascii", "replace"))
        if kind is not None or not _inside_doctype(head, match.start()):
            return kind
        position = match.end()
    return None


def _inside_doctype(head: bytes, at: int) -> bool:
    """Whether position ``at`` is inside a ``<!DOCTYPE ...>`` (with or without an internal subset)."""
    start = head.rfind(b"<!DOCTYPE", 0, at)
    if start < 0:
        return False
    close, subset = head.find(b">", start), head.find(b"[", start)
    if subset < 0 or close < subset:  # no internal subset: the doctype ends at its first ">"
        return close < 0 or close > at
    end = head.find(b"]", subset)
    return end < 0 or end > at


def url_article_id(url: str) -> str:
    """The article id of the page at ``url``: its host and path made id-safe, cut to 80 characters, and
    10 hex digits of a hash of the normalised URL (:func:`normalise_url`), e.g.
    ``example.org-news-2025-patriot-3f9c0a1b2d``."""
    from graph.model import safe_article_id

    key = normalise_url(url)
    parts = urlsplit(key)
    readable = f"{parts.hostname or ''}{parts.path}".strip("/")
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    try:
        head = safe_article_id(readable)[:80].rstrip("-._~")
    except Exception:
        return digest
    return f"{head}-{digest}" if head else digest


def normalise_url(url: str) -> str:
    """``url`` as the key it is known by: scheme and host lowercased, the fragment and a default port
    dropped, an empty path as ``/``."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def read_limited_gzip(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, decompressed when it is gzip, refusing more than ``limit`` bytes (a gzip
    bomb stops after ``limit + 1`` decompressed bytes)."""
    from graph.errors import InputError
    from graph.ingest import read_limited

    try:
        data = read_limited(path, limit)
    except InputError as exc:
        if "larger than" not in exc.message:
            raise IngestError(exc.message.removeprefix(f"{path}: "), hint=exc.hint) from None
        raise IngestError(f"{path}: larger than the {limit / 1_000_000:.1f} MB limit for one feed",
                          hint="split it, or raise AIDGRAPH_MAX_FEED_BYTES") from None
    if not data.strip():
        raise IngestError(f"{path}: the file is empty", hint="nothing to ingest; remove it")
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        with gzip.open(path, "rb") as handle:
            out = handle.read(limit + 1)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise IngestError(f"{path}: broken gzip data ({exc})",
                          hint="check the download; `gzip -t` tests it") from None
    if len(out) > limit:
        raise IngestError(f"{path}: decompresses to more than {limit / 1_000_000:.1f} MB, the most one feed "
                          "may hold", hint="split it, or raise AIDGRAPH_MAX_FEED_BYTES")
    return out


def refuse_entities(data: bytes, source: str) -> None:
    """Refuse XML with a DTD that declares entities (billion laughs, external entities): feeds and
    sitemaps never need them."""
    head = data[:SNIFF_BYTES * 16]
    doctype = head.find(b"<!DOCTYPE")
    if doctype >= 0 and (b"<!ENTITY" in head[doctype:] or b"SYSTEM" in head[doctype:doctype + 300]):
        raise IngestError(f"{source}: the XML declares entities in a DTD (<!DOCTYPE ... <!ENTITY); refused",
                          hint="feeds and sitemaps need no DTD; remove it")


def read_feed(path: Path, *, kind: str | None = None, lang: str | None = None, published: Any = None,
              max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES, pages=None,
              prefilter: Callable[[str, str | None], bool] | None = None,
              cursor: Cursor | None = None) -> Iterator[Any]:
    """The articles of one feed file (failures and passed-over items included; never raises for bad
    data).

    ``pages``: a :class:`graph.feeds.pages.LocalPages` where the pages that RSS items and sitemap URLs
    name are looked up. ``prefilter``: ``(text, lang) -> bool``, checked on a page's candidate text
    before its main text is extracted. ``cursor``: where to start (a :class:`Cursor` from
    :mod:`graph.feeds.state`), moved as items are read.
    """
    from graph.ingest import IngestFailure

    kind = kind or feed_kind(path)
    cursor = cursor if cursor is not None else Cursor()
    options = {"lang": lang, "published": published, "max_bytes": max_bytes, "prefilter": prefilter,
               "cursor": cursor}
    try:
        if kind == "warc":
            from graph.feeds.warc import read_warc

            yield from read_warc(path, **options)
        elif kind == "rss":
            from graph.feeds.rss import read_rss

            yield from read_rss(path, pages=pages, **options)
        elif kind == "sitemap":
            from graph.feeds.sitemap import read_sitemap

            yield from read_sitemap(path, pages=pages, **options)
        else:
            yield IngestFailure(str(path), "not a feed: no <rss>, <feed>, <urlset> or <sitemapindex> root "
                                           "element (give RSS/Atom, sitemaps or WARC files)")
            return
    except IngestError as exc:  # the file cannot be read on (it is not done: a rerun reports it again)
        yield IngestFailure(str(path), str(exc).removeprefix(f"{path}: "))
        return
    cursor.done = True


__all__ = ["FEED_SUFFIXES", "MAX_FEED_BYTES", "Cursor", "PassedOver", "feed_kind", "has_feed_suffix",
           "max_feed_bytes", "normalise_url", "read_feed", "url_article_id"]
