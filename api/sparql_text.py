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
#: deepest nesting of braces, parentheses and brackets accepted: the engine's parser recurses once per
#: level and overflows its thread's stack at a few thousand (a crash of the store worker), while real
#: queries stay under ~20 levels
MAX_NESTING = 200

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


def nesting_depth(sparql: str) -> int:
    """The deepest nesting of ``{ ( [`` in the text, outside strings, IRIs and comments (one pass).

    >>> nesting_depth('SELECT * { { ?s ?p "{{{" } FILTER((1)) }')
    3
    """
    depth = deepest = 0
    for char in strip_lexemes(sparql):
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth = max(0, depth - 1)
    return deepest


# ------------------------------------------------------------------------ protocol rewrites

#: SPARQL versions the engine understands (SPARQL 1.2 ``VERSION`` declarations and ``version=`` parameters)
KNOWN_VERSIONS = ("1.1", "1.2", "1.2-basic")


def blank_lexemes(sparql: str) -> str:
    """The SPARQL text with strings, IRIs and comments replaced by spaces of the same length (newlines
    kept), so that a position in the result is the same position in the original text."""
    return _LEXEMES.sub(lambda match: re.sub(r"[^\n]", " ", match.group(0)), sparql)


def declared_versions(sparql: str) -> list[str]:
    """The version strings of the text's SPARQL 1.2 ``VERSION "..."`` declarations, in order (one pass)."""
    bare = blank_lexemes(sparql)
    versions = []
    for match in _LEXEMES.finditer(sparql):
        lexeme = match.group(0)
        if lexeme[:1] not in "\"'":
            continue
        end = match.start()
        while end and bare[end - 1].isspace():
            end -= 1
        keyword, before = bare[max(0, end - 7):end], bare[end - 8:end - 7] if end > 7 else ""
        if keyword.upper() == "VERSION" and not re.match(r"[\w:?$-]", before):
            versions.append(lexeme.strip("\"'"))
    return versions


def has_dataset_keywords(update: str) -> bool:
    """Whether an update names its own dataset (``USING``, ``USING NAMED``, ``WITH``)."""
    bare = strip_lexemes(update)
    return _has_word(bare, "USING") or _has_word(bare, "WITH")


def with_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """The update with the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` written into it.

    SPARQL 1.1 Protocol 2.2.3: these parameters give the dataset of every operation that matches a
    pattern (``DELETE/INSERT ... WHERE``). The clauses ``USING <g>`` / ``USING NAMED <g>`` are inserted
    before each such operation's top-level ``WHERE``; ``DELETE WHERE { P }``, which cannot carry USING,
    becomes the equivalent ``DELETE { P } USING ... WHERE { P }``. IRIs must already be checked.
    """
    using = " ".join([f"USING <{iri}>" for iri in default_graphs] +
                     [f"USING NAMED <{iri}>" for iri in named_graphs])
    if not using:
        return update
    bare = blank_lexemes(update)
    out, position, depth, previous = [], 0, 0, None
    for match in re.finditer(r"[{}]|[A-Za-z_][\w-]*", bare):
        token = match.group(0)
        if token == "{":
            previous = previous if depth else "{"
            depth += 1
            continue
        if token == "}":
            depth -= 1
            continue
        if depth or (match.start() and bare[match.start() - 1] in "?$:"):
            continue
        word = token.upper()
        if word == "WHERE" and previous == "DELETE":
            pattern_start = bare.index("{", match.end())
            pattern_end = _closing_brace(bare, pattern_start)
            pattern = update[pattern_start:pattern_end]
            out.append(update[position:match.start()])
            out.append(f"{pattern} {using} WHERE ")
            position = match.end()
        elif word == "WHERE":
            out.append(update[position:match.start()])
            out.append(f"{using} ")
            position = match.start()
        previous = word
    out.append(update[position:])
    return "".join(out)


def _closing_brace(bare: str, start: int) -> int:
    """The index just after the brace that closes the one at ``start``."""
    depth = 0
    for index in range(start, len(bare)):
        if bare[index] == "{":
            depth += 1
        elif bare[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(bare)


def with_base(sparql: str, base_iri: str) -> str:
    """The text with a leading ``BASE`` line: the service's base IRI for relative IRIs (SPARQL 1.1
    Protocol 2.4). A ``BASE`` of the text itself still applies (resolved against this one). Syntax
    errors in the result are one line further down: ``QuerySyntaxError.shifted(-1)``."""
    return f"BASE <{base_iri}>\n{sparql}"
