"""SPARQL result formats: content negotiation and the writers for result tables.

Terms travel between the store worker and the web process as plain tuples (picklable, engine-neutral):

    ("uri", iri) | ("bnode", id) | ("literal", lexical, datatype_iri_or_None, language_or_None)

Result tables (SELECT, ASK) are written here from such rows, so that the row cap can be applied before
writing (pyoxigraph's native writers can only write a whole result iterator). RDF results (CONSTRUCT,
DESCRIBE) are written by pyoxigraph's native serialisers in the worker.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

Term = tuple
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True, slots=True)
class ResultFormat:
    """One response format: short name (``?format=``), media type, and whether it holds tables or RDF."""

    name: str
    media_type: str
    kind: str  # "table" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE)


TABLE_FORMATS = (
    ResultFormat("json", "application/sparql-results+json", "table"),
    ResultFormat("xml", "application/sparql-results+xml", "table"),
    ResultFormat("csv", "text/csv", "table"),
    ResultFormat("tsv", "text/tab-separated-values", "table"),
)
GRAPH_FORMATS = (
    ResultFormat("turtle", "text/turtle", "graph"),
    ResultFormat("ntriples", "application/n-triples", "graph"),
    ResultFormat("jsonld", "application/ld+json", "graph"),
)
# other names clients use for the same formats
MEDIA_ALIASES = {
    "application/json": "json", "application/xml": "xml", "text/xml": "xml",
    "application/x-turtle": "turtle", "text/plain": "ntriples", "application/json+ld": "jsonld",
}


def formats_for(kind: str) -> tuple[ResultFormat, ...]:
    """The formats of a result kind, the default first."""
    return TABLE_FORMATS if kind == "table" else GRAPH_FORMATS


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first (stable for ties)."""
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate((header or "").split(",")):
        fields = [field.strip() for field in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality, position))
    ranges.sort(key=lambda item: (-item[1], item[2]))
    return [(media, quality) for media, quality, _ in ranges if quality > 0]


def negotiate(accept: str | None, kind: str, override: str | list[str] | None = None) -> ResultFormat | None:
    """The response format for a result kind: ``override`` (?format= names or media types) wins, then Accept.

    The first recognised override value counts (clients such as SPARQLWrapper send several); a missing
    Accept header means the default format; None means nothing acceptable (406).
    """
    candidates = formats_for(kind)
    by_name = {fmt.name: fmt for fmt in candidates}
    by_media = {fmt.media_type: fmt for fmt in candidates}
    overrides = [override] if isinstance(override, str) else list(override or [])
    for value in overrides:
        value = value.strip().lower()
        chosen = by_name.get(value) or by_media.get(value) or by_name.get(MEDIA_ALIASES.get(value, ""))
        if chosen:
            return chosen
    if not accept or not accept.strip():
        return candidates[0]
    for media, _quality in parse_accept(accept):
        if media in ("*/*", f"{candidates[0].media_type.split('/')[0]}/*"):
            return candidates[0]
        if media in by_media:
            return by_media[media]
        alias = MEDIA_ALIASES.get(media)
        if alias in by_name:
            return by_name[alias]
        if media.endswith("/*"):
            prefix = media[:-1]
            for fmt in candidates:
                if fmt.media_type.startswith(prefix):
                    return fmt
    return None


# ------------------------------------------------------------------------------------------- writers

def write_table(fmt: ResultFormat, variables: Sequence[str], rows: Iterable[dict[str, Term]]) -> bytes:
    """A SELECT result in one of the table formats."""
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt.name]
    return writer(variables, rows)


def write_boolean(fmt: ResultFormat, value: bool) -> bytes:
    """An ASK result in one of the table formats."""
    if fmt.name == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt.name == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    return ("true\n" if value else "false\n").encode()  # CSV/TSV have no boolean form; common practice


def _json_term(term: Term) -> dict[str, str]:
    kind = term[0]
    if kind == "literal":
        out = {"type": "literal", "value": term[1]}
        if term[3]:
            out["xml:lang"] = term[3]
        elif term[2] and term[2] != XSD_STRING:
            out["datatype"] = term[2]
        return out
    return {"type": kind, "value": term[1]}


def _json(variables: Sequence[str], rows: Iterable[dict[str, Term]]) -> bytes:
    bindings = [{name: _json_term(term) for name, term in row.items()} for row in rows]
    return json.dumps({"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode()


def _xml_term(term: Term) -> str:
    kind = term[0]
    if kind == "uri":
        return f"<uri>{escape(term[1])}</uri>"
    if kind == "bnode":
        return f"<bnode>{escape(term[1])}</bnode>"
    if term[3]:
        return f"<literal xml:lang={quoteattr(term[3])}>{escape(term[1])}</literal>"
    if term[2] and term[2] != XSD_STRING:
        return f"<literal datatype={quoteattr(term[2])}>{escape(term[1])}</literal>"
    return f"<literal>{escape(term[1])}</literal>"


def _xml(variables: Sequence[str], rows: Iterable[dict[str, Term]]) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out += [f"<variable name={quoteattr(name)}/>" for name in variables]
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        out += [f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>" for name, term in row.items()]
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode()


def _csv(variables: Sequence[str], rows: Iterable[dict[str, Term]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(row.get(name)) for name in variables])
    return buffer.getvalue().encode()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term[1]}" if term[0] == "bnode" else term[1]


def _tsv(variables: Sequence[str], rows: Iterable[dict[str, Term]]) -> bytes:
    lines = ["\t".join(f"?{name}" for name in variables)]
    for row in rows:
        lines.append("\t".join(_tsv_term(row.get(name)) for name in variables))
    return ("\n".join(lines) + "\n").encode()


def _tsv_term(term: Term | None) -> str:
    if term is None:
        return ""
    kind = term[0]
    if kind == "uri":
        return f"<{term[1]}>"
    if kind == "bnode":
        return f"_:{term[1]}"
    text = json.dumps(term[1], ensure_ascii=False)  # a quoted string with \" \n \t escaped
    if term[3]:
        return f"{text}@{term[3]}"
    if term[2] and term[2] != XSD_STRING:
        return f"{text}^^<{term[2]}>"
    return text


def term_value(term: Term | None) -> str | None:
    """The plain value of a term (IRI, lexical form or blank node id), None when unbound."""
    return None if term is None else term[1]
