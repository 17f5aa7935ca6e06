"""Reading articles from files: ``.txt`` (+ metadata), ``.html``/``.htm``, ``.jsonl`` and feeds.

    read_articles(paths)  -> Iterator[Article | IngestFailure]   files and folders, never raises for bad data
    read_article(path)    -> Article                             one file; raises IngestError / InputError

Metadata of a ``.txt`` file comes from a sidecar ``NAME.meta.json`` (or ``NAME.txt.meta.json``) or from a
``manifest.json`` in its folder (a list of ``{file, lang, published, publisher, url, title}``); explicit
``lang``/``published`` arguments win over both. HTML pages give their own metadata (``<title>``,
``og:`` tags, ``article:published_time``, ``<html lang>``) and lose their boilerplate (navigation,
footers, forms, scripts, "Read also" lines and link lists; the phrases are data in
``graph/ingest_data/boilerplate.json``). The language is detected by :mod:`graph.language` when not given.
Feeds (WARC, RSS/Atom, sitemaps: ``.warc``, ``.warc.gz``, ``.rss``, ``.atom``, and ``.xml``/``.xml.gz``
known by their root element) hold many articles each: :mod:`graph.feeds`.

Encoding policy: input must be UTF-8 (a BOM is fine; UTF-16 with a BOM is accepted too). Anything
else is refused with a hint how to convert it, rather than guessed: a wrong guess would silently
corrupt names and numbers. Empty, binary and oversized files are failures with a reason. Control
characters (C0 but tab and line breaks, DEL, C1; terminal escapes start with one) are removed from every
text, whatever its way in (:func:`strip_control_characters`, called by :func:`normalise_text`).

Bounded input: only regular files are read (FIFOs, devices and sockets are refused before they are
opened, and the read is non-blocking and capped at ``max_bytes``, whatever ``st_size`` says); inside a
folder, symlinks are followed only when they stay inside it (a file outside is read only when it is
named directly); manifest entries that point outside their folder, or at files that do not exist, are
reported.

Article ids (:func:`graph.model.path_article_id`): a file's path below the folder that was named, folder
levels joined by ``~`` and the suffix dropped (``c/2024/report.txt`` named as ``c`` -> ``2024~report``); a
file named directly -> its name without suffix; a JSONL line -> its ``id`` field, else the file's stem and a
hash of the text.
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from graph.config import DEFAULT_MAX_ARTICLE_BYTES
from graph.errors import IngestError, InputError, MetadataError
from graph.feeds import FEED_SUFFIXES, feed_kind, has_feed_suffix
from graph.language import canonical_language, detect_language  # the one detector (re-exported)
from graph.model import (
    MAX_PUBLISHER_CHARS,
    MAX_TITLE_CHARS,
    Article,
    check_url,
    path_article_id,
    safe_article_id,
    text_article_id,
)

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + FEED_SUFFIXES
METADATA_KEYS = ("lang", "published", "publisher", "url", "title")
DATA_DIR = Path(__file__).parent / "ingest_data"


@dataclass(frozen=True, slots=True)
class IngestFailure:
    """An input that could not become an article, and why."""

    source: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read: where it is, and the folder that was named to reach it (None: named directly)."""

    path: Path
    root: Path | None = None

    @property
    def relative(self) -> PurePosixPath:
        """The path below the folder that was named (just the file name for a file named directly)."""
        if self.root is None:
            return PurePosixPath(self.path.name)
        return PurePosixPath(self.path.relative_to(self.root).as_posix())

    @property
    def article_id(self) -> str:
        """The id of the article this file holds (see :func:`graph.model.path_article_id`)."""
        return path_article_id(self.relative)

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()

    @property
    def is_feed(self) -> bool:
        """Whether the file is a feed (WARC, RSS/Atom, sitemap) holding many articles."""
        return has_feed_suffix(self.path)


def source_iri(path: Path, line: int | None = None) -> str:
    """A ``file:`` IRI of where an article was read (``#line=N`` for a JSONL line, RFC 5147)."""
    iri = Path(os.path.realpath(path)).as_uri()
    return f"{iri}#line={line}" if line else iri


# --------------------------------------------------------------------------- public entry points

def read_articles(paths: Iterable[str | Path], *, lang: str | None = None,
                  published: date | str | None = None,
                  max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Iterator[Article | IngestFailure]:
    """Yield one Article per readable input and one IngestFailure per unreadable one.

    Folders are walked recursively (sorted, only supported suffixes, metadata files skipped; see
    :func:`expand_inputs`). A ``.jsonl`` file yields one item per non-blank line.
    """
    for item in expand_inputs(paths):
        if isinstance(item, IngestFailure):
            yield item
            continue
        yield from read_input(item, lang=lang, published=published, max_bytes=max_bytes)


def read_input(item: InputFile, *, lang: str | None = None, published: date | str | None = None,
               max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES, pages=None, prefilter=None,
               cursor=None) -> Iterator[Article | IngestFailure]:
    """The articles of one input file (one, or one per JSONL line or feed item), failures included.

    ``pages``, ``prefilter`` and ``cursor`` apply to feeds (:func:`graph.feeds.read_feed`).
    """
    if item.is_feed:
        from graph.feeds import read_feed

        yield from read_feed(item.path, lang=lang, published=published, max_bytes=max_bytes, pages=pages,
                             prefilter=prefilter, cursor=cursor)
        return
    if item.suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(item.path, lang=lang, published=published, max_bytes=max_bytes)
        return
    try:
        yield read_article(item.path, lang=lang, published=published, max_bytes=max_bytes,
                           article_id=item.article_id)
    except (IngestError, InputError) as exc:
        yield IngestFailure(str(item.path), str(exc).removeprefix(f"{item.path}: "))


def read_article(path: str | Path, *, lang: str | None = None, published: date | str | None = None,
                 max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES, article_id: str | None = None) -> Article:
    """Read one ``.txt`` or ``.html`` file into an Article (metadata included).

    ``article_id`` defaults to the file's name without suffix (:func:`graph.model.path_article_id`).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file", hint="check the path")
    if path.is_dir():
        raise InputError(f"{path} is a folder", hint="use read_articles() (or `aidgraph ingest`) for folders")
    suffix = path.suffix.lower()
    if has_feed_suffix(path):
        raise InputError(f"{path} is a feed (WARC, RSS/Atom or sitemap), which holds many articles",
                         hint="ingest it with `aidgraph ingest`, or read it with graph.feeds.read_feed()")
    if suffix not in TEXT_SUFFIXES + HTML_SUFFIXES:
        raise InputError(f"{path}: unsupported file type {suffix or '(none)'}",
                         hint=f"give {', '.join(SUPPORTED_SUFFIXES)} files")
    text = decode_text(read_limited(path, max_bytes), str(path))
    if suffix in HTML_SUFFIXES:
        text, metadata = html_to_text(text, str(path))
        metadata.update({k: v for k, v in _file_metadata(path).items() if v is not None})
    else:
        metadata = _file_metadata(path)
    try:
        return make_article(text, source=str(path), metadata=metadata, lang=lang, published=published,
                            article_id=article_id or path_article_id(PurePosixPath(path.name)),
                            location=source_iri(path))
    except MetadataError as exc:
        raise MetadataError(exc.field, f"{path}: {exc.message}", hint=exc.hint) from None


def make_article(text: str, *, source: str, metadata: dict[str, Any] | None = None, lang: str | None = None,
                 published: date | str | None = None, article_id: str | None = None,
                 location: str | None = None) -> Article:
    """An Article from text and metadata; explicit ``lang``/``published`` override the metadata.

    The text is normalised (:func:`normalise_text`: control characters removed); publisher and title
    are cleaned the same way and cut to their length limits. An invalid field raises
    :class:`graph.errors.MetadataError` naming it (message without the source: callers add where).
    """
    metadata = metadata or {}
    _check_controls(text, source)
    text = normalise_text(text)
    if not text.strip():
        raise IngestError(f"{source}: no text",
                          hint="the file is empty or only boilerplate; nothing to ingest")
    language = canonical_language(lang or metadata.get("lang")) or detect_language(text)
    return Article(
        id=safe_article_id(article_id) if article_id else Article.make_id(text, source),
        text=text,
        lang=language,
        published=parse_date(published or metadata.get("published")),
        publisher=_clean(metadata.get("publisher"), MAX_PUBLISHER_CHARS),
        url=_clean(metadata.get("url")),
        title=_clean(metadata.get("title"), MAX_TITLE_CHARS),
        source=source,
        location=location,
    )


# --------------------------------------------------------------------------- decoding

#: C0 controls but tab, line feed, carriage return (XML 1.0 cannot hold them: SPARQL XML results, RDF/XML
#: and GEXF would not be well-formed), DEL and the C1 controls (U+0080-U+009F; U+009B is a terminal's CSI).
#: A form feed (a page break of converted PDFs, often in the middle of a sentence) becomes a space, a
#: vertical tab (a manual line break) a line break.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_PAGE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": " "})


def strip_control_characters(text: str) -> str:
    """``text`` without control characters (terminal escapes lose their ESC); a form feed becomes a space,
    a vertical tab a line break.

    The one place that removes them: every text on its way to the store passes through here
    (:func:`normalise_text`), from files, JSONL and POST /articles alike.
    """
    return CONTROL_CHARACTERS.sub("", text.translate(_PAGE_BREAKS))


def decode_text(data: bytes, source: str) -> str:
    """Decode UTF-8 (BOM allowed) or BOM-marked UTF-16; refuse binary and other encodings clearly.

    The whole input is checked (NUL bytes, share of control characters), not only its start.
    """
    if not data.strip():
        raise IngestError(f"{source}: the file is empty", hint="nothing to ingest; remove it or add text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError(f"{source}: broken UTF-16 ({exc.reason})",
                              hint="re-save the file as UTF-8") from exc
        _check_controls(text, source)
        return text
    nul = data.find(b"\x00")
    if nul >= 0:
        if _looks_like_utf16(data):
            raise IngestError(
                f"{source}: this looks like UTF-16 without a byte order mark",
                hint=f"convert it, e.g. `iconv -f utf-16le -t utf-8 {source} > {source}.utf8.txt`")
        raise IngestError(f"{source}: this is a binary file, not text (a NUL byte at offset {nul})",
                          hint="give .txt/.html/.jsonl articles (convert PDFs or Word files to text first)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        guess = "Windows-1252/Latin-1" if _decodes_as_cp1252(data) else "an unknown encoding"
        raise IngestError(
            f"{source}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"it looks like {guess}",
            hint=f"convert it, e.g. `iconv -f cp1252 -t utf-8 {source} > {source}.utf8.txt`",
        ) from exc
    _check_controls(text, source)
    return text


def _check_controls(text: str, source: str) -> None:
    """Refuse a text whose control characters are more than 1 % of it (binary data, not an article)."""
    controls = sum(1 for _ in CONTROL_CHARACTERS.finditer(text))
    if controls > max(3, len(text) // 100):
        raise IngestError(f"{source}: this looks like a binary file ({controls} control characters)",
                          hint="give plain-text articles")


def _looks_like_utf16(data: bytes) -> bool:
    """NUL bytes on one parity only (the high bytes of Latin-script UTF-16), text bytes on the other."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    size = max(len(odd), 1)
    zeros, others = sorted((even.count(0), odd.count(0)), reverse=True)
    return zeros > 0.4 * size and others < 0.05 * size


def _decodes_as_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


_FILE_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def special_file_kind(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO (named pipe)", "a character device", ...); None if regular."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file, refusing FIFOs/devices/sockets and anything over ``max_bytes``.

    The open is non-blocking (a FIFO swapped in after the check cannot hang it), the type is checked on
    the open file, and the read stops after ``max_bytes + 1`` bytes (``st_size`` can be 0 for a growing or
    special file, e.g. a symlink to /dev/zero).
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})",
                         hint="check the path and permissions") from exc
    _refuse_special(path, info.st_mode)
    _refuse_size(path, info.st_size, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", hint="check permissions") from exc
    try:
        _refuse_special(path, os.fstat(fd).st_mode)
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", hint="check permissions") from exc
    finally:
        os.close(fd)
    if size > max_bytes:
        _refuse_size(path, size, max_bytes, at_least=True)
    return b"".join(chunks)


def _refuse_special(path: Path, mode: int) -> None:
    kind = special_file_kind(mode)
    if kind is not None:
        raise InputError(f"{path}: {kind}, not a regular file; refused",
                         hint="give regular .txt/.html/.jsonl files")


def _refuse_size(path: Path, size: int, max_bytes: int, *, at_least: bool = False) -> None:
    if size > max_bytes:
        amount = f"more than {max_bytes / 1_000_000:.1f} MB" if at_least else f"{size / 1_000_000:.1f} MB"
        raise InputError(
            f"{path}: {amount} is larger than the {max_bytes / 1_000_000:.1f} MB limit for one article",
            hint="split it into articles (one per file or one per .jsonl line), or raise "
                 "AIDGRAPH_MAX_ARTICLE_BYTES",
        )


def normalise_text(text: str) -> str:
    """Unify line endings, remove control characters (:func:`strip_control_characters`) and trailing
    spaces; character offsets refer to this text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = strip_control_characters(text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


# --------------------------------------------------------------------------- metadata

def parse_date(value: date | str | None, source: str = "") -> date | None:
    """An ISO date (``2025-04-11``, also the date of an ISO timestamp); None when not given.

    Raises :class:`graph.errors.MetadataError` (field ``published``); ``source`` (e.g. ``--published``)
    starts the message when given.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        where = f"{source}: " if source else ""
        raise MetadataError("published", f"{where}published date {text[:100]!r} is not YYYY-MM-DD",
                            hint="write dates as ISO 8601, e.g. 2025-04-11") from None


def _file_metadata(path: Path) -> dict[str, Any]:
    """Metadata for a file from its sidecar, else from its folder's manifest.json."""
    for sidecar in (path.with_name(path.stem + ".meta.json"), path.with_name(path.name + ".meta.json")):
        if sidecar.exists():
            data = _load_json(sidecar)
            if not isinstance(data, dict):
                raise IngestError(f"{sidecar}: must hold one JSON object", hint='e.g. {"lang": "en"}')
            return {k: data.get(k) for k in METADATA_KEYS}
    # The nearest manifest.json that lists the file: in its own folder ("name.txt") or in a folder
    # above it, naming the file by its relative path ("sv/name.txt").
    resolved = path.resolve()
    for folder in list(resolved.parents)[:MANIFEST_SEARCH_DEPTH]:
        entry = _manifest(folder).get(resolved.relative_to(folder).as_posix())
        if entry is not None:
            return dict(entry)
    return {}


MANIFEST_SEARCH_DEPTH = 3  # the file's folder and two above it


def _manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """The entries of ``folder/manifest.json`` by file name (cached while the file is unchanged)."""
    path = folder / "manifest.json"
    try:
        info = path.stat()
    except OSError:
        return {}
    return _parsed_manifest(path, info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=64)
def _parsed_manifest(path: Path, _mtime_ns: int, _size: int) -> dict[str, dict[str, Any]]:
    data = _load_json(path)
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if not isinstance(data, list):
        raise IngestError(f"{path}: must be a JSON list of {{file, lang, published, ...}} objects",
                          hint="see corpus/demo/manifest.json")
    return {str(entry["file"]): {k: entry.get(k) for k in METADATA_KEYS}
            for entry in data if isinstance(entry, dict) and entry.get("file")}


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(f"{path}: unreadable metadata ({exc})", hint="fix the JSON") from exc


def _clean(value: Any, limit: int | None = None) -> str | None:
    """A metadata string without control characters and surrounding space, cut to ``limit`` characters."""
    if value is None:
        return None
    text = strip_control_characters(str(value)).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or None


# --------------------------------------------------------------------------- HTML

DROP_TAGS = ["script", "style", "noscript", "nav", "footer", "aside", "form", "button", "iframe", "svg",
             "template", "select", "input", "textarea", "label", "dialog", "menu", "object", "embed"]
BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "li",
              "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "figure", "figcaption", "table", "tr", "td",
              "th", "hr", "body", "address", "details", "summary"}
BOILERPLATE_CLASS = re.compile(r"(?i)\b(comment|share|social|related|newsletter|subscribe|cookie|promo|"
                               r"advert|banner|breadcrumb|sidebar|menu|tags?|byline-share|read-?also)\b")
META_FIELDS = {
    "title": ["meta[property='og:title']", "meta[name='twitter:title']"],
    "published": ["meta[property='article:published_time']", "meta[name='date']", "meta[name='pubdate']",
                  "meta[name='publish-date']", "meta[itemprop='datePublished']", "meta[name='dc.date']",
                  "meta[name='DC.date.issued']"],
    "publisher": ["meta[property='og:site_name']", "meta[name='publisher']"],
    "url": ["link[rel='canonical']", "meta[property='og:url']"],
}


#: limits that keep HTML parsing bounded (the parser's cost grows with the square of the nesting depth:
#: 100,000 nested elements took minutes); browsers stop nesting at 512 levels, real pages have a few
#: thousand elements
MAX_HTML_DEPTH = 1000
MAX_HTML_TAGS = 200_000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
#: elements without an end tag, or whose end tag may be left out (they do not nest deeper)
_FLAT_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                        "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb",
                        "rt", "rp", "rtc", "thead", "tbody", "tfoot", "colgroup", "caption", "html", "head",
                        "body", "param", "keygen", "command", "basefont", "frame", "isindex"})


def check_html_size(html: str, source: str = "") -> None:
    """Refuse a page with more than MAX_HTML_TAGS elements or nested deeper than MAX_HTML_DEPTH, before
    it is parsed (a quick scan of its tags, in linear time)."""
    depth = deepest = tags = 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            tags += 1
        if name in _FLAT_TAGS:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
        if tags > MAX_HTML_TAGS or deepest > MAX_HTML_DEPTH:
            break
    where = f"{source}: " if source else ""
    if tags > MAX_HTML_TAGS:
        raise IngestError(f"{where}the page has more than {MAX_HTML_TAGS:,} HTML elements, the most one "
                          "article may have", hint="save the article's text, or only its <article> part")
    if deepest > MAX_HTML_DEPTH:
        raise IngestError(f"{where}the page nests its elements more than {MAX_HTML_DEPTH:,} levels deep, the "
                          "most one article may have", hint="save the article's text instead")


def html_to_text(html: str, source: str = "", *, main_text: bool = True) -> tuple[str, dict[str, Any]]:
    """Main text of a web page (one block per line) and the metadata its head carries.

    Two extractors agree on the text: this module's block walk (boilerplate tags, classes and phrases
    dropped) proposes the blocks, and trafilatura's main-text extraction confirms them
    (:func:`confirmed_blocks`; ``main_text=False``: the block walk alone). On 310 built news pages
    (``benchmarks/bench_html_text.py``) both keep all of the article, and together they keep less of
    the page around it than either alone (word precision 0.81 alone, 1.00 together). Raises IngestError
    for pages too large or deep to parse in bounded time (:func:`check_html_size`).
    """
    from selectolax.lexbor import LexborHTMLParser

    check_html_size(html, source)
    tree = LexborHTMLParser(html)
    metadata = _html_metadata(tree)
    tree.strip_tags(DROP_TAGS)
    for node in tree.css("[class], [id]"):
        marker = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if node.tag not in ("html", "body", "article", "main") and BOILERPLATE_CLASS.search(marker):
            node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    blocks = [b for b in _blocks(root) if not _is_boilerplate(b)]
    title = metadata.get("title")
    lines = [" ".join(text.split()) for text, _ in blocks]
    if main_text:
        lines = confirmed_blocks(lines, main_text_of(html))
    if title and lines and _is_headline(lines[0], title):
        lines = lines[1:]
    text = "\n\n".join(line for line in lines if line)
    return text, metadata


_WORD = re.compile(r"\w+")
#: what separates a page title from the site's name (``Headline | Site``, ``Headline - Site``)
_TITLE_SEPARATORS = ("|", "-", "–", "—", "·", ":", "::")


def _is_headline(line: str, title: str) -> bool:
    """Whether ``line`` (a page's first block) is its title, or its title without the site's name."""
    line, title = line.strip(), title.strip()
    if line == title:
        return True
    rest = title[len(line):].lstrip() if line and title.startswith(line) else ""
    return rest.startswith(_TITLE_SEPARATORS)

#: a block not found whole in the main text is kept when this share of its word trigrams is there
CONFIRMED_SHARE = 0.6


def confirm_main_text(text: str, html: str) -> str:
    """``text`` (the block walk's text of ``html``, :func:`html_to_text` with ``main_text=False``) kept to
    the blocks trafilatura confirms (what ``html_to_text`` returns by default, parsing the page once)."""
    return "\n\n".join(confirmed_blocks(text.split("\n\n"), main_text_of(html)))


def main_text_of(html: str) -> str | None:
    """trafilatura's main text of a page (comments left out, tables kept; ``fast``: without its fallback
    extractors, which kept side columns of table layouts and cost a quarter of the time); None when it
    finds none."""
    import trafilatura

    quiet_logger("trafilatura")
    try:
        return trafilatura.extract(html, include_comments=False, include_tables=True, deduplicate=False,
                                   fast=True)
    except Exception:  # its own parse failures: the block walk alone decides
        return None


@functools.cache
def quiet_logger(name: str) -> None:
    """Keep a library's log records (trafilatura's "empty HTML tree", warcio's URI repairs) out of the
    terminal and the server log: aidgraph reports what matters as failures with reasons."""
    import logging

    logger = logging.getLogger(name)
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


def confirmed_blocks(blocks: list[str], main_text: str | None) -> list[str]:
    """The blocks that ``main_text`` (another extractor's text of the same page) also holds: whole (as
    words), or with at least CONFIRMED_SHARE of their word trigrams. No main text, or one that confirms
    none of the blocks: the blocks unchanged (the other extractor found nothing to compare)."""
    if not main_text or not main_text.strip():
        return blocks
    words = _WORD.findall(main_text.lower())
    joined = f" {' '.join(words)} "
    trigrams = set(zip(words, words[1:], words[2:], strict=False))
    kept = []
    for block in blocks:
        own = _WORD.findall(block.lower())
        if not own:
            continue
        if f" {' '.join(own)} " in joined:
            kept.append(block)
            continue
        grams = list(zip(own, own[1:], own[2:], strict=False))
        if grams and sum(g in trigrams for g in grams) >= CONFIRMED_SHARE * len(grams):
            kept.append(block)
    return kept or blocks


def _html_metadata(tree) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for key, selectors in META_FIELDS.items():
        for selector in selectors:
            node = tree.css_first(selector)
            value = node and (node.attributes.get("content") or node.attributes.get("href"))
            if value and value.strip():
                metadata[key] = value.strip()
                break
    if "published" not in metadata:
        node = tree.css_first("time[datetime]")
        if node:
            metadata["published"] = node.attributes.get("datetime")
    if "title" not in metadata:
        node = tree.css_first("title") or tree.css_first("h1")
        if node and node.text(strip=True):
            metadata["title"] = node.text(strip=True)
    html_node = tree.css_first("html")
    if html_node is not None and html_node.attributes.get("lang"):
        metadata["lang"] = html_node.attributes["lang"]
    published = metadata.get("published")
    if published:
        try:
            metadata["published"] = parse_date(published)
        except MetadataError:
            metadata.pop("published")  # an unreadable page date is no reason to refuse the page
    if metadata.get("url"):
        try:
            check_url(metadata["url"])
        except MetadataError:
            metadata.pop("url")  # nor is a relative or malformed canonical link
    return metadata


def _blocks(root) -> list[tuple[str, float]]:
    """Text blocks of a subtree with their link density (share of characters inside links)."""
    blocks: list[tuple[str, float]] = []
    current: list[str] = []
    linked = 0

    def flush() -> None:
        nonlocal current, linked
        text = " ".join("".join(current).split())
        if text:
            blocks.append((text, linked / len(text)))
        current, linked = [], 0

    # iterative walk: (node, inside_link, closing) so that deep pages cannot overflow the stack
    stack = [(root, False, False)]
    while stack:
        node, in_link, closing = stack.pop()
        if closing:
            flush()
            continue
        if node.is_text_node:
            value = node.text_content or ""
            current.append(value)
            if in_link:
                linked += len(" ".join(value.split()))
            continue
        if not node.is_element_node and not node.is_document_node:
            continue  # comments and the like
        if node.tag == "br":
            current.append(" ")
            continue
        is_block = node.tag in BLOCK_TAGS
        if is_block:
            flush()
            stack.append((node, in_link, True))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        link = in_link or node.tag == "a"
        stack.extend((c, link, False) for c in reversed(children))
    flush()
    return blocks


@functools.cache
def _boilerplate() -> tuple[tuple[str, ...], frozenset[str]]:
    data = json.loads((DATA_DIR / "boilerplate.json").read_text(encoding="utf-8"))
    prefixes, lines = [], set()
    for key, entry in data.items():
        if key.startswith("_"):
            continue
        prefixes.extend(p.lower() for p in entry.get("prefixes", []))
        lines.update(line.lower() for line in entry.get("lines", []))
    return tuple(prefixes), frozenset(lines)


def _is_boilerplate(block: tuple[str, float]) -> bool:
    text, link_density = block
    lowered = text.lower().strip()
    prefixes, lines = _boilerplate()
    if lowered.rstrip(":.!») ") in lines or lowered.startswith(prefixes):
        return True
    return link_density > 0.6  # a list of links ("Read also: ...", tag clouds, teasers)


# --------------------------------------------------------------------------- folders and JSONL

def expand_inputs(paths: Iterable[str | Path]) -> Iterator[InputFile | IngestFailure]:
    """The input files named by ``paths``, or a failure per path that cannot be read.

    A folder is walked recursively, in sorted order, keeping supported suffixes. A path named directly
    may be anything regular (a symlink too); inside a folder, symlinks are followed only when they stay
    inside it, special files (FIFOs, devices, sockets) are refused, and manifest entries pointing outside
    their folder or at missing files are reported. The same file reached twice is read once.
    """
    seen: set[tuple[int, int]] = set()
    for raw in paths:
        path = Path(raw)
        try:
            info = path.stat()
        except OSError:
            reason = "a broken symlink" if path.is_symlink() else "no such file or folder"
            yield IngestFailure(str(path), reason)
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path, seen)
            continue
        kind = special_file_kind(info.st_mode)
        if kind is not None:
            yield IngestFailure(str(path), f"{kind}, not a regular file; refused (give regular files)")
        elif not is_supported(path):
            yield IngestFailure(str(path), f"unsupported file type {path.suffix or '(none)'}; "
                                           f"give {', '.join(SUPPORTED_SUFFIXES)} files")
        elif (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            yield InputFile(path)


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | IngestFailure]:
    """The paths of :func:`expand_inputs` (kept for callers that only need the files)."""
    for item in expand_inputs(paths):
        yield item if isinstance(item, IngestFailure) else item.path


def _walk(root: Path, seen: set[tuple[int, int]]) -> Iterator[InputFile | IngestFailure]:
    """The supported files below ``root`` in sorted order, and the problems met on the way."""
    root_real = Path(os.path.realpath(root))
    visited = {root_real}
    found: list[tuple[Path, os.stat_result]] = []
    problems: list[IngestFailure] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as exc:
            problems.append(IngestFailure(str(folder), f"cannot read the folder ({exc.strerror})"))
            continue
        if any(entry.name == "manifest.json" for entry in entries):
            problems.extend(_manifest_problems(Path(folder)))
        for entry in entries:
            path = Path(entry.path)
            supported = is_supported(path)
            try:
                if entry.is_symlink():
                    target = Path(os.path.realpath(path))
                    if not _inside(target, root_real):
                        if supported or target.is_dir():
                            problems.append(IngestFailure(
                                str(path), f"a symlink to {target}, outside {root}; refused (name the target "
                                           "directly to ingest it)"))
                        continue
                info = path.stat()
            except OSError:
                if supported:
                    problems.append(IngestFailure(str(path), "a broken symlink"))
                continue
            if stat.S_ISDIR(info.st_mode):
                real = Path(os.path.realpath(path))
                if real not in visited:  # symlink loops and folders reached twice
                    visited.add(real)
                    stack.append(path)
                continue
            if not supported:
                continue
            kind = special_file_kind(info.st_mode)
            if kind is not None:
                problems.append(IngestFailure(str(path), f"{kind}, not a regular file; refused"))
            elif feed_kind(path, sniff=False) == "xml" and feed_kind(path) is None:
                continue  # in a folder, .xml files that are not feeds or sitemaps are not inputs
            else:
                found.append((path, info))
    chosen: dict[tuple[int, int], Path] = {}  # one path per file: the file itself before a symlink to it
    for path, info in sorted(found, key=lambda pair: (pair[0].is_symlink(), pair[0].parts)):
        chosen.setdefault((info.st_dev, info.st_ino), path)
    for key, path in sorted(chosen.items(), key=lambda item: item[1].parts):
        if key not in seen:
            seen.add(key)
            yield InputFile(path, root)
    yield from problems


def is_supported(path: Path) -> bool:
    """Whether ``path``'s name is one of an input: :data:`SUPPORTED_SUFFIXES` (``.warc.gz`` included)."""
    return path.suffix.lower() in SUPPORTED_SUFFIXES or has_feed_suffix(path)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _manifest_problems(folder: Path) -> list[IngestFailure]:
    """Entries of ``folder/manifest.json`` that point outside the folder or at files that do not exist."""
    manifest = folder / "manifest.json"
    try:
        data = _load_json(manifest)
    except IngestError:
        return []  # reported for each file of the folder when its metadata is looked up
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if not isinstance(data, list):
        return []
    problems = []
    real_folder = Path(os.path.realpath(folder))
    for entry in data:
        name = entry.get("file") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            continue
        shown = name[:200]
        if PurePosixPath(name).is_absolute() or re.match(r"^[A-Za-z]:[\\/]", name):
            problems.append(IngestFailure(str(manifest), f"entry {shown!r} is an absolute path; refused "
                                                         "(name files relative to the manifest's folder)"))
        elif not _inside(Path(os.path.realpath(real_folder / name)), real_folder):
            problems.append(IngestFailure(str(manifest), f"entry {shown!r} points outside its folder; "
                                                         "refused (name files relative to the manifest's "
                                                         "folder)"))
        elif not (folder / name).exists():
            problems.append(IngestFailure(str(manifest), f"entry {shown!r} names a file that does not exist "
                                                         "(fix or remove the entry)"))
    return problems


def _read_jsonl(path: Path, *, lang: str | None, published: date | str | None,
                max_bytes: int) -> Iterator[Article | IngestFailure]:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        _refuse_special(path, os.fstat(fd).st_mode)
    except InputError as exc:
        os.close(fd)
        yield IngestFailure(str(path), str(exc).removeprefix(f"{path}: "))
        return
    except OSError as exc:
        yield IngestFailure(str(path), f"cannot read ({exc.strerror})")
        return
    with os.fdopen(fd, "rb") as handle:
        seen_any = False
        for number, raw in _jsonl_lines(handle, max_bytes):
            if raw is not None and not raw.strip():
                continue
            seen_any = True
            try:
                if raw is None:
                    limit = f"{max_bytes / 1_000_000:.1f} MB"
                    raise InputError(f"the line is larger than the {limit} limit for one article",
                                     hint="split it, or raise AIDGRAPH_MAX_ARTICLE_BYTES")
                yield _jsonl_article(raw, path, number, lang=lang, published=published)
            except (IngestError, InputError) as exc:
                yield IngestFailure(str(path), str(exc), line=number)
        if not seen_any:
            yield IngestFailure(str(path), "the file is empty")


def _jsonl_lines(handle, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; None instead of the bytes for a line over ``max_bytes``, which is
    skipped without being held in memory."""
    number = 0
    while True:
        raw = handle.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while True:
                rest = handle.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
            continue
        yield number, raw


def _jsonl_article(raw: bytes, path: Path, number: int, *, lang: str | None,
                   published: date | str | None) -> Article:
    try:
        record = json.loads(decode_text(raw, "the line"))
    except json.JSONDecodeError as exc:
        raise IngestError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise IngestError("not valid JSON (nested too deeply)") from None
    if not isinstance(record, dict):
        raise IngestError("each line must be a JSON object with at least a \"text\" field")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError("the \"text\" field is missing or empty")
    explicit = record.get("id")
    if explicit is not None and not isinstance(explicit, str | int):
        raise MetadataError("id", f"the \"id\" field must be a string, not {type(explicit).__name__}")
    article_id = safe_article_id(explicit) if explicit not in (None, "") \
        else text_article_id(normalise_text(text), prefix=path.stem)
    return make_article(text, source=f"{path}:{number}", metadata=record, lang=lang, published=published,
                        article_id=article_id, location=source_iri(path, number))
