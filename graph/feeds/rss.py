"""RSS and Atom feeds as ingest inputs, parsed by feedparser (RSS 0.9x/1.0/2.0, Atom 0.3/1.0).

Every item is an article. Its text: the local copy of the page it links to, when ``pages`` has one
(a feed's item is often a teaser of it), else the item's own content (``content:encoded``, Atom
``content``), else its summary, else (fetching on, :mod:`graph.feeds.fetch`) the page fetched; its title
alone is not enough and such an item is a failure. The
item's HTML becomes text by :func:`graph.ingest.html_to_text`'s block walk. Metadata: the item's
date (``pubDate``, ``published``, ``updated``, ``dc:date``), title, link and language (``xml:lang``),
else the channel's language; the channel's title is the publisher.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from graph.errors import IngestError, MetadataError
from graph.feeds import ITEM_FRAGMENT, Cursor, max_feed_bytes, read_limited_gzip, refuse_entities


def _entry_date(entry) -> date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return date(*parsed[:3])
            except (TypeError, ValueError):
                continue
    return None


def _entry_html(entry) -> str | None:
    for content in entry.get("content") or ():
        value = content.get("value")
        if value and value.strip():
            return value
    summary = entry.get("summary")
    return summary if summary and summary.strip() else None


def _usable_link(value: Any) -> str | None:
    """An item's link when it is an absolute http(s) IRI aidgraph can store, else None."""
    from graph.model import check_url

    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return None
    try:
        check_url(value)
    except MetadataError:
        return None
    return value


def _as_html(value: str) -> str:
    return value if "<" in value else "".join(f"<p>{_escape(p)}</p>" for p in value.split("\n\n"))


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def parse_feed(path: Path):
    """feedparser's result for a feed file (read within the feed limit; DTD entities refused)."""
    import feedparser

    data = read_limited_gzip(path, max_feed_bytes())
    refuse_entities(data, str(path))
    parsed = feedparser.parse(data, resolve_relative_uris=False, sanitize_html=True)
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        reason = f" ({str(problem).strip()[:200]})" if problem else ""
        raise IngestError(f"{path}: no items in the feed{reason}",
                          hint="give an RSS or Atom file with <item>/<entry> elements")
    return parsed


def read_rss(path: Path, *, lang: str | None = None, published: Any = None, max_bytes: int, pages=None,
             prefilter: Callable[[str, str | None], bool] | None = None, cursor: Cursor) -> Iterator[Any]:
    """The items of an RSS/Atom feed as articles, after the first ``cursor.position`` items."""
    from graph.feeds import PassedOver, url_article_id
    from graph.feeds.pages import page_article, usable_date
    from graph.ingest import IngestFailure, html_to_text, make_article, source_iri
    from graph.model import text_article_id

    parsed = parse_feed(path)
    channel = parsed.feed
    channel_meta = {"publisher": channel.get("title"), "lang": channel.get("language")}
    location = source_iri(path)
    for number, entry in enumerate(parsed.entries, start=1):
        if number <= cursor.position:
            continue
        where = f"{path}:{number}"
        link = _usable_link(entry.get("link"))
        metadata = {**channel_meta, "title": entry.get("title"), "url": link,
                    "published": _entry_date(entry),
                    "lang": (entry.get("content") or [{}])[0].get("language") or channel_meta["lang"]}
        item: Any
        try:
            page = pages.get(link) if pages and link else None
            html = _entry_html(entry)
            if page is not None and page.path is None and html is not None:
                page = None  # an item with content of its own is not fetched
            if page is not None:
                data, content_type, fallback = pages.read(page, max_bytes)
                item = page_article(data, url=link, source=where, content_type=content_type,
                                    location=f"{location}{ITEM_FRAGMENT}{number}",
                                    fallback={**fallback, **{k: v for k, v in metadata.items() if v}},
                                    lang=lang, published=published, prefilter=prefilter)
            else:
                if html is None:
                    raise IngestError("the item has no content or summary (and no local copy of its page)",
                                      hint="give the pages with --pages WARC|FOLDER, or --fetch them")
                if len(html) > max_bytes:  # characters: at least as many bytes
                    raise IngestError(f"the item's content is larger than the {max_bytes / 1_000_000:.1f} MB "
                                      "limit for one article", hint="raise AIDGRAPH_MAX_ARTICLE_BYTES")
                text, _ = html_to_text(_as_html(html), where, main_text=False)
                whole = f"{metadata['title'] or ''}\n{text}"
                if prefilter is not None and not prefilter(whole, None):
                    item = PassedOver(where)
                else:
                    metadata["published"] = usable_date(metadata["published"])
                    guid = entry.get("id")
                    article_id = url_article_id(link) if link else (
                        url_article_id(guid) if guid and "://" in guid else text_article_id(text, path.stem))
                    item = make_article(text, source=where, metadata=metadata, lang=lang,
                                        published=published, article_id=article_id,
                                        location=f"{location}{ITEM_FRAGMENT}{number}")
        except (IngestError, MetadataError) as exc:
            item = IngestFailure(str(path), str(exc).removeprefix(f"{where}: "), line=number)
        cursor.position = number
        cursor.items += 1
        yield item
