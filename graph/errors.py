"""The errors aidgraph raises, as one small hierarchy.

    AidgraphError            base: every message says what went wrong and what to do next
    ├── InputError           bad user input: missing file, empty/binary/oversized article, bad option
    ├── IngestError          an article could not be read or decoded
    ├── ExtractionError      the extractor failed on an article (a bug, not bad data)
    ├── QuerySyntaxError     malformed SPARQL; carries line/column where the parser gives them
    ├── RDFSyntaxError       malformed RDF (Turtle, TriG, ...)
    └── StoreError           the store cannot be opened, is locked, or a backend call failed

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
    code = "bad-input"


class IngestError(AidgraphError):
    code = "ingest-failed"


class ExtractionError(AidgraphError):
    code = "extraction-failed"


class QuerySyntaxError(AidgraphError):
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
    code = "rdf-syntax"


class StoreError(AidgraphError):
    code = "store-error"
