"""The analysts' saved queries: ``queries/*.rq`` with a comment header (title, description, parameters)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
_HEADER_FIELD = re.compile(r"^#\s*(title|description|parameters):\s*(.*)$")


@dataclass(frozen=True, slots=True)
class SavedQuery:
    """One saved query: its file stem, header fields and SPARQL text."""

    name: str
    title: str
    description: str
    parameters: str
    sparql: str


def parse_saved_query(name: str, text: str) -> SavedQuery:
    """Read the ``# field: value`` header (continuation lines start with ``#   ``)."""
    fields: dict[str, str] = {"title": name, "description": "", "parameters": ""}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER_FIELD.match(line)
        if match:
            current = match.group(1)
            fields[current] = match.group(2).strip()
        elif current:
            fields[current] = f"{fields[current]} {line.lstrip('#').strip()}".strip()
    return SavedQuery(name=name, title=fields["title"], description=fields["description"],
                      parameters=fields["parameters"], sparql=text)


@functools.cache
def saved_queries() -> dict[str, SavedQuery]:
    """All saved queries by name (file stem), sorted; read once per process."""
    return {path.stem: parse_saved_query(path.stem, path.read_text(encoding="utf-8"))
            for path in sorted(QUERIES_DIR.glob("*.rq"))}
