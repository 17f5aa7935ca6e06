"""WARC files (``.warc``, ``.warc.gz``, CC-NEWS style) as ingest inputs, read with warcio.

Every ``response`` record with HTTP status 200 and an HTML content type, and every ``resource`` record
of HTML, is one article (:func:`graph.feeds.pages.page_article`). Requests, metadata, revisits and
other content types are skipped. Metadata: the page's own, else ``Content-Language`` and the crawl's
``WARC-Target-URI`` and ``WARC-Date``.

Bounds: a record whose ``Content-Length`` exceeds the article limit is skipped with a failure (a record
larger than :data:`STOP_FACTOR` times the limit stops the file: going past it would mean decompressing
it); an HTTP payload that decompresses (``Content-Encoding: gzip``) to more than the limit is refused
after that many bytes. A truncated or corrupt file yields the records before the damage and a failure
naming the offset.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from graph.errors import IngestError, MetadataError
from graph.feeds import ITEM_FRAGMENT, Cursor

HTML_TYPES = ("text/html", "application/xhtml+xml")
#: a record larger than this many times the article limit stops the file instead of being skipped
STOP_FACTOR = 8
#: the blank line pair that ends an uncompressed record (not part of warcio's record length)
TRAILING_BLANKS = 4


def _iterator(handle):
    from warcio.archiveiterator import ArchiveIterator

    from graph.ingest import quiet_logger

    quiet_logger("warcio")

    return ArchiveIterator(handle, no_record_parse=False)


def _record_start(handle, position: int) -> int:
    """Seek to the record that starts at ``position`` or after the blank lines there (an uncompressed
    record's length leaves out the blank lines that end it); return where it starts."""
    handle.seek(position)
    head = handle.read(TRAILING_BLANKS)
    skipped = len(head) - len(head.lstrip(b"\r\n"))
    handle.seek(position + skipped)
    return position + skipped


def _check_magic(handle, path: Path) -> None:
    """Refuse a file that does not start with a WARC record (``WARC/``, also inside gzip)."""
    head = handle.read(4096)
    handle.seek(0)
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            head = b""
    if not head.startswith(b"WARC/"):
        raise IngestError(f"{path}: not a WARC file (it does not start with a WARC/1.x record)",
                          hint="give WARC files (.warc, .warc.gz); ARC files are not read")


def _is_page(record) -> bool:
    if record.rec_type == "response":
        http = record.http_headers
        if http is None or http.get_statuscode() != "200":
            return False
        content_type = http.get_header("Content-Type") or ""
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
    else:
        return False
    return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES


def _payload(record, max_bytes: int, where: str) -> bytes:
    stream = record.content_stream()
    try:
        data = stream.read(max_bytes + 1)
    except (zlib.error, OSError, EOFError, ValueError) as exc:
        raise IngestError(f"{where}: the HTTP payload cannot be decoded ({exc})") from None
    if len(data) > max_bytes:
        raise IngestError(f"{where}: the page is larger than the {max_bytes / 1_000_000:.1f} MB limit for "
                          "one article (after decompression)", hint="raise AIDGRAPH_MAX_ARTICLE_BYTES")
    return data


def _headers(record) -> tuple[str | None, dict[str, Any]]:
    http = record.http_headers
    content_type = (http.get_header("Content-Type") if http is not None and record.rec_type == "response"
                    else record.rec_headers.get_header("Content-Type"))
    fallback = {"published": (record.rec_headers.get_header("WARC-Date") or "")[:10] or None,
                "lang": http.get_header("Content-Language") if http is not None else None}
    return content_type, fallback


def _declared_length(record) -> int:
    try:
        return int(record.rec_headers.get_header("Content-Length") or 0)
    except ValueError:
        return 0


def read_warc(path: Path, *, lang: str | None = None, published: Any = None, max_bytes: int,
              prefilter: Callable[[str, str | None], bool] | None = None,
              cursor: Cursor) -> Iterator[Any]:
    """The HTML pages of a WARC file as articles, from ``cursor.position`` (a record's byte offset) on.

    Yields Article, IngestFailure (per record, and one for damage that ends the file) and PassedOver.
    """
    from graph.feeds.pages import page_article
    from graph.ingest import IngestFailure, source_iri

    location = source_iri(path)
    pages = 0
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below; the iterator reads it lazily)
    except OSError as exc:
        raise IngestError(f"{path}: cannot read ({exc.strerror})", hint="check the path and permissions") \
            from None
    with handle:
        if not os.path.isfile(path):
            raise IngestError(f"{path}: not a regular file; refused")
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            raise IngestError(f"{path}: the file is empty", hint="nothing to ingest; remove it")
        _check_magic(handle, path)
        offset = _record_start(handle, cursor.position)
        iterator = _iterator(handle)
        try:
            for record in iterator:
                declared = _declared_length(record)
                if declared > STOP_FACTOR * max_bytes:
                    raise IngestError(f"{path}: the record at offset {offset} declares {declared:,} bytes, "
                                      f"more than {STOP_FACTOR}x the article limit; the rest of the file is "
                                      "not read",
                                      hint="split the WARC, or raise AIDGRAPH_MAX_ARTICLE_BYTES")
                page = _is_page(record)
                data, problem = None, None
                if page:
                    try:
                        data = _payload(record, max_bytes, "the page")
                    except IngestError as exc:
                        problem = exc
                iterator.read_to_end(record)
                offset = iterator.get_record_offset()
                end = offset + iterator.get_record_length()
                missing = getattr(record.raw_stream, "limit", 0)
                if missing:  # the file ended inside the record (warcio yields what there was)
                    raise IngestError(f"{path}: the WARC is truncated at offset {offset}: its record ends "
                                      f"{missing:,} bytes short of its Content-Length; the {pages} page(s) "
                                      "before it were read", hint="check the download")
                item = None
                if page:
                    pages += 1
                    where = f"{path}@{offset}"
                    try:
                        if problem is not None:
                            raise problem
                        content_type, fallback = _headers(record)
                        item = page_article(data, url=record.rec_headers.get_header("WARC-Target-URI"),
                                            source=where, content_type=content_type,
                                            location=f"{location}{ITEM_FRAGMENT}{offset}", fallback=fallback,
                                            lang=lang, published=published, prefilter=prefilter)
                    except (IngestError, MetadataError) as exc:
                        item = IngestFailure(where, str(exc).removeprefix(f"{where}: ")
                                             .removeprefix("the page: "))
                cursor.position = offset = end
                if item is not None:
                    cursor.items += 1
                    yield item
        except IngestError:
            raise
        except Exception as exc:  # warcio's ArchiveLoadFailed, zlib errors, EOF inside a record
            reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise IngestError(f"{path}: the WARC is truncated or corrupt at offset {offset} ({reason}); the "
                              f"{pages} page(s) before it were read", hint="check the download") from None
        if size - offset > TRAILING_BLANKS:  # warcio ends quietly inside a truncated last record
            raise IngestError(f"{path}: the WARC is truncated or corrupt at offset {offset} "
                              f"({size - offset:,} bytes after the last whole record); the {pages} page(s) "
                              "before it were read",
                              hint="check the download")
    if pages == 0 and cursor.items == 0:
        yield IngestFailure(str(path), "no HTML pages in the WARC (no response records of text/html)")


def record_urls(path: Path) -> Iterator[tuple[str, int]]:
    """(WARC-Target-URI, record offset) of every HTML page record of a WARC file, without reading the
    payloads (for :class:`graph.feeds.pages.LocalPages`). Raises IngestError for a damaged file."""
    with open(path, "rb") as handle:
        _check_magic(handle, path)
        iterator = _iterator(handle)
        offset = 0
        try:
            for record in iterator:
                url = record.rec_headers.get_header("WARC-Target-URI")
                page = _is_page(record) and url
                iterator.read_to_end(record)
                offset = iterator.get_record_offset()
                if page:
                    yield url, offset
                offset += iterator.get_record_length()
        except Exception as exc:
            raise IngestError(f"{path}: the WARC is truncated or corrupt at offset {offset} "
                              f"({exc})") from None


def read_record_at(path: Path, offset: int, max_bytes: int) -> tuple[bytes, str | None, dict[str, Any]]:
    """The payload, content type and header metadata of the WARC record at ``offset``."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        try:
            record = next(iter(_iterator(handle)))
        except Exception as exc:
            raise IngestError(f"{path}@{offset}: cannot read the record ({exc})") from None
        if _declared_length(record) > STOP_FACTOR * max_bytes:
            raise IngestError(f"{path}@{offset}: the record is larger than the article limit")
        content_type, fallback = _headers(record)
        return _payload(record, max_bytes, f"{path}@{offset}"), content_type, fallback
