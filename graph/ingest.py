"""Reading articles from files: ``.txt`` (+ metadata), ``.html``/``.htm`` and ``.jsonl``.

    read_articles(paths)  -> Iterator[Article | IngestFailure]   files and folders, never raises for bad data
    read_article(path)    -> Article                             one file; raises IngestError / InputError

Metadata of a ``.txt`` file comes from a sidecar ``NAME.meta.json`` (or ``NAME.txt.meta.json``) or from a
``manifest.json`` in its folder (a list of ``{file, lang, published, publisher, url, title}``); explicit
``lang``/``published`` arguments win over both. HTML pages give their own metadata (``<title>``,
``og:`` tags, ``article:published_time``, ``<html lang>``) and lose their boilerplate (navigation,
footers, forms, scripts, "Read also" lines and link lists; the phrases are data in
``graph/ingest_data/boilerplate.json``). The language is detected by :mod:`graph.language` when not given.

Encoding policy: input must be UTF-8 (a BOM is fine; UTF-16 with a BOM is accepted too). Anything
else is refused with a hint how to convert it, rather than guessed: a wrong guess would silently
corrupt names and numbers. Empty, binary and oversized files are failures with a reason.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from graph.config import DEFAULT_MAX_ARTICLE_BYTES
from graph.errors import IngestError, InputError
from graph.language import canonical_language, detect_language  # the one detector (re-exported)
from graph.model import Article

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES
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


# --------------------------------------------------------------------------- public entry points

def read_articles(paths: Iterable[str | Path], *, lang: str | None = None,
                  published: date | str | None = None,
                  max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Iterator[Article | IngestFailure]:
    """Yield one Article per readable input and one IngestFailure per unreadable one.

    Folders are walked recursively (sorted, only supported suffixes, metadata files skipped).
    A ``.jsonl`` file yields one item per non-blank line.
    """
    for path in expand_paths(paths):
        if isinstance(path, IngestFailure):
            yield path
            continue
        if path.suffix.lower() in JSONL_SUFFIXES:
            yield from _read_jsonl(path, lang=lang, published=published, max_bytes=max_bytes)
            continue
        try:
            yield read_article(path, lang=lang, published=published, max_bytes=max_bytes)
        except (IngestError, InputError) as exc:
            yield IngestFailure(str(path), str(exc).removeprefix(f"{path}: "))


def read_article(path: str | Path, *, lang: str | None = None, published: date | str | None = None,
                 max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Article:
    """Read one ``.txt`` or ``.html`` file into an Article (metadata included)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file", hint="check the path")
    if path.is_dir():
        raise InputError(f"{path} is a folder", hint="use read_articles() (or `aidgraph ingest`) for folders")
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + HTML_SUFFIXES:
        raise InputError(f"{path}: unsupported file type {suffix or '(none)'}",
                         hint=f"give {', '.join(SUPPORTED_SUFFIXES)} files")
    text = decode_text(_read_limited(path, max_bytes), str(path))
    if suffix in HTML_SUFFIXES:
        text, metadata = html_to_text(text)
        metadata.update({k: v for k, v in _file_metadata(path).items() if v is not None})
    else:
        metadata = _file_metadata(path)
    return make_article(text, source=str(path), metadata=metadata, lang=lang, published=published)


def make_article(text: str, *, source: str, metadata: dict[str, Any] | None = None, lang: str | None = None,
                 published: date | str | None = None, article_id: str | None = None) -> Article:
    """An Article from text and metadata; explicit ``lang``/``published`` override the metadata."""
    metadata = metadata or {}
    text = normalise_text(text)
    if not text.strip():
        raise IngestError(f"{source}: no text",
                          hint="the file is empty or only boilerplate; nothing to ingest")
    language = canonical_language(lang or metadata.get("lang")) or detect_language(text)
    return Article(
        id=_safe_id(article_id) if article_id else Article.make_id(text, source),
        text=text,
        lang=language,
        published=parse_date(published or metadata.get("published"), source),
        publisher=_clean(metadata.get("publisher")),
        url=_clean(metadata.get("url")),
        title=_clean(metadata.get("title")),
        source=source,
    )


# --------------------------------------------------------------------------- decoding

def decode_text(data: bytes, source: str) -> str:
    """Decode UTF-8 (BOM allowed) or BOM-marked UTF-16; refuse binary and other encodings clearly."""
    if not data.strip():
        raise IngestError(f"{source}: the file is empty", hint="nothing to ingest; remove it or add text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError(f"{source}: broken UTF-16 ({exc.reason})",
                              hint="re-save the file as UTF-8") from exc
    if b"\x00" in data[:65536]:
        raise IngestError(f"{source}: this is a binary file, not text",
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
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > max(3, len(text[:65536]) // 100):
        raise IngestError(f"{source}: this looks like a binary file ({controls} control characters)",
                          hint="give plain-text articles")
    return text


def _decodes_as_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _read_limited(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"{path}: {size / 1_000_000:.1f} MB is larger than the {max_bytes / 1_000_000:.1f} MB limit for "
            "one article",
            hint="split it into articles (one per file or one per .jsonl line), or raise "
                 "AIDGRAPH_MAX_ARTICLE_BYTES",
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", hint="check permissions") from exc


#: C0 control characters other than tab and line breaks: XML 1.0 cannot hold them (SPARQL XML results,
#: RDF/XML and GEXF would not be well-formed). A form feed (a page break of converted PDFs, often in the
#: middle of a sentence) becomes a space, a vertical tab (a manual line break) a line break; the rest go.
_CONTROLS = {code: None for code in range(32) if chr(code) not in "\t\n\r"} | {0x0B: "\n", 0x0C: " "}


def normalise_text(text: str) -> str:
    """Unify line endings, drop C0 control characters (a form feed becomes a space, a vertical tab a line
    break), strip trailing spaces; character offsets refer to this text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").translate(_CONTROLS)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


# --------------------------------------------------------------------------- metadata

def parse_date(value: date | str | None, source: str = "") -> date | None:
    """An ISO date (``2025-04-11``, also the date of an ISO timestamp); None when not given."""
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
        raise IngestError(f"{source}: published date {text!r} is not YYYY-MM-DD",
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


@functools.lru_cache(maxsize=64)
def _manifest(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / "manifest.json"
    if not path.exists():
        return {}
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


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).translate(_CONTROLS).strip()
    return text or None


def _safe_id(value: Any) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(value)).strip("-")
    if not safe:
        raise IngestError(f"article id {value!r} has no usable characters",
                          hint="use letters, digits, - or _")
    return safe


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


def html_to_text(html: str) -> tuple[str, dict[str, Any]]:
    """Main text of a web page (one block per line) and the metadata its head carries."""
    from selectolax.lexbor import LexborHTMLParser

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
    if title and lines and lines[0].strip() == title.strip():
        lines = lines[1:]
    text = "\n\n".join(line for line in lines if line)
    return text, metadata


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
        except IngestError:
            metadata.pop("published")  # an unreadable page date is no reason to refuse the page
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

def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | IngestFailure]:
    """The input files named by ``paths`` (folders walked, sorted), or a failure per bad path."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            yield IngestFailure(str(path), "no such file or folder")
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES \
                        and not child.name.endswith(".meta.json"):
                    yield child
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path
        else:
            yield IngestFailure(str(path), f"unsupported file type {path.suffix or '(none)'}; "
                                           f"give {', '.join(SUPPORTED_SUFFIXES)} files")


def _read_jsonl(path: Path, *, lang: str | None, published: date | str | None,
                max_bytes: int) -> Iterator[Article | IngestFailure]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield IngestFailure(str(path), f"cannot read ({exc.strerror})")
        return
    with handle:
        seen_any = False
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            seen_any = True
            try:
                yield _jsonl_article(raw, path, number, lang=lang, published=published, max_bytes=max_bytes)
            except (IngestError, InputError) as exc:
                yield IngestFailure(str(path), exc.message, line=number)
        if not seen_any:
            yield IngestFailure(str(path), "the file is empty")


def _jsonl_article(raw: bytes, path: Path, number: int, *, lang: str | None, published: date | str | None,
                   max_bytes: int) -> Article:
    if len(raw) > max_bytes:
        raise InputError(f"line is larger than the {max_bytes / 1_000_000:.1f} MB limit for one article")
    try:
        record = json.loads(decode_text(raw, f"line {number}"))
    except json.JSONDecodeError as exc:
        raise IngestError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise IngestError("each line must be a JSON object with at least a \"text\" field")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError("the \"text\" field is missing or empty")
    article_id = record.get("id") or f"{path.stem}-{number}"
    return make_article(text, source=f"{path}:{number}", metadata=record, lang=lang, published=published,
                        article_id=str(article_id))
