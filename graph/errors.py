"""The errors aidgraph raises, as one small hierarchy.

    AidgraphError            base: every message says what went wrong and what to do next
    ├── InputError           bad user input: missing file, empty/binary/oversized article, bad option
    │   └── MetadataError    one article metadata field (url, published, lang, ...) is invalid; names it
    ├── IngestError          an article could not be read or decoded
    ├── ExtractionError      the extractor failed on an article (a bug, not bad data)
    ├── QuerySyntaxError     malformed SPARQL; carries line/column where the parser gives them
    ├── RDFSyntaxError       malformed RDF (Turtle, TriG, ...)
    ├── QueryLimitError      a query ran past its time or memory limit and was stopped
    └── StoreError           the store cannot be opened, is locked, or a backend call failed
        ├── DiskFullError    the disk under the store is full (what was written before is kept)
        └── StoreCorruptedError  RocksDB reports corruption (aidgraph cannot repair it)

``store_failure(exc)`` turns a raw backend exception (or a StoreError wrapping one) into the
DiskFullError / StoreCorruptedError it stands for, so that every caller reports them the same way.

Library functions raise these; only ``graph.cli`` turns them into exit codes and only ``api`` into
HTTP problem responses. Validation itself never raises for data problems: it returns a report.
"""

from __future__ import annotations


class AidgraphError(Exception):
    """Base class. ``hint`` tells the user what to do next."""

    code: str = "aidgraph-error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(AidgraphError):
    """Bad user input: a missing file, an empty, binary or oversized article, a bad option."""

    code = "bad-input"


class IngestError(AidgraphError):
    """An article (or feed) could not be read or decoded."""

    code = "ingest-failed"


class ExtractionError(AidgraphError):
    """The extractor failed on an article: a bug, not bad data."""

    code = "extraction-failed"


class QuerySyntaxError(AidgraphError):
    """Malformed SPARQL; ``line`` and ``column`` where the parser gives them."""

    code = "sparql-syntax"

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.line = line
        self.column = column

    def shifted(self, lines: int) -> QuerySyntaxError:
        """The same error with its line number moved by ``lines`` (for text that was prefixed with
        ``-lines`` lines before parsing, e.g. PREFIX or BASE declarations)."""
        if not self.line or not lines:
            return self
        line = self.line + lines
        message = self.message.replace(f"line {self.line},", f"line {line},", 1)
        message = message.replace(f"at {self.line}:{self.column}", f"at {line}:{self.column}")
        return QuerySyntaxError(message, line=line, column=self.column, hint=self.hint)


class RDFSyntaxError(AidgraphError):
    """Malformed RDF (Turtle, TriG, N-Triples, ...)."""

    code = "rdf-syntax"


class StoreError(AidgraphError):
    """The store cannot be opened, is locked, or a backend call failed."""

    code = "store-error"


class MetadataError(InputError):
    """One metadata field of an article is invalid; ``field`` names it (url, published, lang, ...)."""

    code = "invalid-metadata"

    def __init__(self, field: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field


class QueryLimitError(AidgraphError):
    """A query was stopped at its time or memory limit."""

    code = "limit-reached"


class DiskFullError(StoreError):
    """No space left on the device under the store."""

    code = "disk-full"


class StoreCorruptedError(StoreError):
    """The store's files are damaged (RocksDB reports corruption)."""

    code = "store-corrupted"


DISK_FULL_HINT = ("free space on the disk under the store (or move the store and point --store at it): what "
                  "was stored is kept, and a rerun of `aidgraph ingest` skips the articles stored unchanged")
CORRUPTED_HINT = ("aidgraph cannot repair a RocksDB store: restore the store directory from a backup, "
                  "or move it aside and re-ingest the articles into a fresh --store")
_DISK_FULL_MARKERS = ("no space left on device", "disk full", "enospc")
_CORRUPTION_MARKERS = ("corruption:", "is corrupted", "may be corrupted", "checksum mismatch",
                       "bad magic number", "not an sstable")


def store_failure(exc: BaseException) -> StoreError | None:
    """The DiskFullError or StoreCorruptedError that ``exc`` (or an exception it wraps) stands for, else None.

    Backends report these as OSError/RuntimeError text (RocksDB through pyoxigraph), possibly wrapped in
    a StoreError; the message of every exception in the ``__cause__``/``__context__`` chain is checked.
    """
    if isinstance(exc, DiskFullError | StoreCorruptedError):
        return exc
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = str(current).lower()
        if getattr(current, "errno", None) == 28 or any(marker in text for marker in _DISK_FULL_MARKERS):
            return DiskFullError(f"the disk is full: {_first_line(current)}", hint=DISK_FULL_HINT)
        if any(marker in text for marker in _CORRUPTION_MARKERS):
            return StoreCorruptedError(f"the store is corrupted: {_first_line(current)}", hint=CORRUPTED_HINT)
        current = current.__cause__ or current.__context__
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc.message if isinstance(exc, AidgraphError) else exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
