"""XML sitemaps (``<urlset>``) and sitemap indexes (``<sitemapindex>``) as ingest inputs.

A sitemap names pages; their text comes from the local copies given as ``pages``
(:class:`graph.feeds.pages.LocalPages`). Its Google News fields (``news:title``,
``news:language``, ``news:publication_date``, ``news:publication/news:name``) and ``lastmod`` are the
metadata the page does not carry itself. A sitemap index's sitemaps are read from the index's folder,
by the file name of their ``loc`` (an index inside an index is not followed: the protocol has none).

Parsing is std-lib expat (events, no tree), with the safety of defusedxml: a DOCTYPE, entity declarations
and external entities are refused, and the decompressed size is capped (:data:`graph.feeds.MAX_FEED_BYTES`).
URLs without a local copy are counted and reported once per sitemap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.parsers import expat

from graph.errors import IngestError, MetadataError
from graph.feeds import ITEM_FRAGMENT, Cursor, max_feed_bytes, read_limited_gzip

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
#: the fields kept per <url> (local element names; news fields in the news namespace)
_URL_FIELDS = {"loc", "lastmod", "title", "language", "publication_date", "name"}


@dataclass(slots=True)
class Sitemap:
    """What a sitemap file holds: ``kind`` "urlset" or "sitemapindex", and its entries (field -> text)."""

    kind: str
    entries: list[dict[str, str]] = field(default_factory=list)


class _RefusedError(Exception):
    pass


def parse_sitemap(data: bytes, source: str) -> Sitemap:
    """The entries of a sitemap or sitemap index; raises IngestError for malformed or unsafe XML."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args) -> None:
        raise _RefusedError("the XML has a DTD (<!DOCTYPE>); sitemaps need none")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    result: Sitemap | None = None
    stack: list[str] = []
    entry: dict[str, str] | None = None
    text: list[str] = []

    def start(name: str, _attrs) -> None:
        nonlocal result, entry
        local = name.rsplit(" ", 1)[-1]
        if not stack:
            if local not in ("urlset", "sitemapindex"):
                raise _RefusedError(f"the root element is <{local}>, not <urlset> or <sitemapindex>")
            result = Sitemap(local)
        elif len(stack) == 1 and local in ("url", "sitemap"):
            entry = {}
        stack.append(local)
        text.clear()

    def end(name: str) -> None:
        nonlocal entry
        local = stack.pop()
        if entry is not None and local in _URL_FIELDS:
            entry.setdefault(local, "".join(text).strip())
        elif entry is not None and len(stack) == 1:
            if entry.get("loc"):
                result.entries.append(entry)
            entry = None
        text.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    try:
        parser.Parse(data, True)
    except _RefusedError as exc:
        raise IngestError(f"{source}: {exc}; refused",
                          hint="give a sitemap (sitemaps.org protocol)") from None
    except expat.ExpatError as exc:
        raise IngestError(f"{source}: malformed XML ({expat.ErrorString(exc.code)} at line {exc.lineno}, "
                          f"column {exc.offset})",
                          hint="check the file; `xmllint --noout` shows the problem") from None
    if result is None:
        raise IngestError(f"{source}: no XML root element")
    return result


def read_sitemap(path: Path, *, lang: str | None = None, published: Any = None, max_bytes: int, pages=None,
                 prefilter: Callable[[str, str | None], bool] | None = None, cursor: Cursor,
                 nested: bool = False) -> Iterator[Any]:
    """The pages a sitemap (or the sitemaps of an index) names, as articles, from local copies."""
    from graph.ingest import IngestFailure

    sitemap = parse_sitemap(read_limited_gzip(path, max_feed_bytes()), str(path))
    if sitemap.kind == "sitemapindex":
        if nested:
            raise IngestError(f"{path}: a sitemap index inside a sitemap index is not followed")
        for number, entry in enumerate(sitemap.entries, start=1):
            if number <= cursor.position:
                continue
            child = path.parent / PurePosixPath(unquote(urlsplit(entry["loc"]).path)).name
            if not child.name or not child.is_file():
                yield IngestFailure(str(path), f"sitemap {entry['loc'][:200]} is not beside the index (no "
                                               f"{child.name or '(no file name)'} in {path.parent})",
                                    line=number)
            else:
                inner = Cursor()
                try:
                    yield from read_sitemap(child, lang=lang, published=published, max_bytes=max_bytes,
                                            pages=pages, prefilter=prefilter, cursor=inner, nested=True)
                except IngestError as exc:
                    yield IngestFailure(str(child), str(exc).removeprefix(f"{child}: "))
            cursor.position = number
        return
    yield from _pages(path, sitemap, lang=lang, published=published, max_bytes=max_bytes, pages=pages,
                      prefilter=prefilter, cursor=cursor)


def _pages(path: Path, sitemap: Sitemap, *, lang, published, max_bytes: int, pages, prefilter,
           cursor: Cursor) -> Iterator[Any]:
    from graph.feeds.pages import page_article
    from graph.ingest import IngestFailure, source_iri

    location = source_iri(path)
    missing: list[str] = []
    for number, entry in enumerate(sitemap.entries, start=1):
        if number <= cursor.position:
            continue
        url = entry["loc"]
        page = pages.get(url) if pages else None
        item = None
        if page is None:
            missing.append(url)
        else:
            where = f"{path}:{number}"
            fallback = {"title": entry.get("title"), "lang": entry.get("language"),
                        "publisher": entry.get("name"),
                        "published": entry.get("publication_date") or entry.get("lastmod")}
            try:
                data, content_type, warc_meta = pages.read(page, max_bytes)
                item = page_article(data, url=url, source=where, content_type=content_type,
                                    location=f"{location}{ITEM_FRAGMENT}{number}",
                                    fallback={**warc_meta, **{k: v for k, v in fallback.items() if v}},
                                    lang=lang, published=published, prefilter=prefilter)
            except (IngestError, MetadataError, OSError) as exc:
                item = IngestFailure(str(path), str(exc).removeprefix(f"{where}: "), line=number)
        cursor.position = number
        if item is not None:
            cursor.items += 1
            yield item
    if missing:
        given = "among the local pages given" if pages else "and no local pages were given"
        yield IngestFailure(str(path), f"{len(missing)} of {len(sitemap.entries)} URL(s) have no local copy "
                                       f"{given} (e.g. {missing[0][:200]}); pass the WARC files or HTML "
                                       "folders that hold them with --pages")
