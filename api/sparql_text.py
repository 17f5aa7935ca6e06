"""A lexical look at a SPARQL request before it reaches the engine.

The endpoint must know, before running anything, what kind of operation it was given (to negotiate the
response format and to refuse updates on the read-only endpoint) and whether it asks the engine to
fetch remote data (``SERVICE``, ``LOAD``: a server-side request forgery hole). This module strips
comments, string literals and IRIs, then reads the keywords that are left. It does not parse SPARQL:
the engine does that and reports syntax errors with line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
REMOTE_KEYWORDS = ("SERVICE", "LOAD")

# strings first (they may contain '#' and '<'), then IRIs, then comments
_LEXEMES = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|#[^\n]*",
    re.DOTALL,
)
# a bare keyword: not part of a prefixed name (ex:service, service:x), a variable (?load) or a longer word
_WORD = r"(?<![\w:?$-]){}(?![\w:-])"


@dataclass(frozen=True, slots=True)
class Operation:
    """What a SPARQL text asks for, as far as keywords tell."""

    form: str | None          # SELECT / ASK / CONSTRUCT / DESCRIBE, or None for an update
    is_update: bool
    remote: tuple[str, ...]   # SERVICE / LOAD keywords found (refused)
    has_dataset_clause: bool  # FROM / FROM NAMED present

    @property
    def is_graph_result(self) -> bool:
        """CONSTRUCT and DESCRIBE answer RDF triples; SELECT and ASK answer a result table."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def strip_lexemes(sparql: str) -> str:
    """The SPARQL text with strings, IRIs and comments blanked out (keywords and punctuation remain)."""
    return _LEXEMES.sub(lambda match: " " if match.group(0).startswith("#") else ' "" ', sparql)


def _has_word(text: str, word: str) -> bool:
    return re.search(_WORD.format(word), text, re.IGNORECASE) is not None


def _first_word(text: str, words: tuple[str, ...]) -> str | None:
    pattern = _WORD.format("(" + "|".join(words) + ")")
    match = re.search(pattern, text, re.IGNORECASE)
    return match.group(1).upper() if match else None


def classify(sparql: str) -> Operation:
    """Classify a SPARQL query or update by its keywords.

    >>> classify("PREFIX ex: <http://e/> SELECT * { ?s ex:service ?o }").form
    'SELECT'
    >>> classify("SELECT * { SERVICE <http://evil/> { ?s ?p ?o } }").remote
    ('SERVICE',)
    """
    bare = strip_lexemes(sparql)
    first = _first_word(bare, QUERY_FORMS + UPDATE_KEYWORDS)
    form = first if first in QUERY_FORMS else None
    remote = tuple(word for word in REMOTE_KEYWORDS if _has_word(bare, word))
    has_from = re.search(_WORD.format("FROM"), bare, re.IGNORECASE) is not None
    return Operation(form=form, is_update=first is not None and form is None,
                     remote=remote, has_dataset_clause=has_from)
