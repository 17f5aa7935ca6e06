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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

Term = tuple
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
FORMATS_NS = "http://www.w3.org/ns/formats/"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class ResultFormat:
    """One response format: short name (``?format=``), media type, whether it holds tables or RDF, and the
    other names and media types clients use for it."""

    name: str
    media_type: str
    kind: str  # "table" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE, Graph Store, service description)
    names: tuple[str, ...] = ()
    media_aliases: tuple[str, ...] = ()
    format_iri: str = ""  # the format's IRI under http://www.w3.org/ns/formats/ (service description)

    def matches_name(self, value: str) -> bool:
        """Whether a ``?format=`` value (a short name or a media type) names this format."""
        return value == self.name or value in self.names or value == self.media_type or value in \
            self.media_aliases


TABLE_FORMATS = (
    ResultFormat("json", "application/sparql-results+json", "table",
                 media_aliases=("application/json", "text/javascript", "application/javascript"),
                 format_iri=FORMATS_NS + "SPARQL_Results_JSON"),
    ResultFormat("xml", "application/sparql-results+xml", "table",
                 media_aliases=("application/xml", "text/xml"), format_iri=FORMATS_NS + "SPARQL_Results_XML"),
    ResultFormat("csv", "text/csv", "table", format_iri=FORMATS_NS + "SPARQL_Results_CSV"),
    ResultFormat("tsv", "text/tab-separated-values", "table", format_iri=FORMATS_NS + "SPARQL_Results_TSV"),
)
GRAPH_FORMATS = (
    ResultFormat("turtle", "text/turtle", "graph", names=("ttl", "n3"),
                 media_aliases=("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3",
                                "application/n3"), format_iri=FORMATS_NS + "Turtle"),
    ResultFormat("ntriples", "application/n-triples", "graph", names=("nt", "n-triples"),
                 media_aliases=("text/plain",), format_iri=FORMATS_NS + "N-Triples"),
    ResultFormat("jsonld", "application/ld+json", "graph", names=("json-ld", "json"),
                 media_aliases=("application/json+ld", "application/x-json+ld", "application/json"),
                 format_iri=FORMATS_NS + "JSON-LD"),
    ResultFormat("rdfxml", "application/rdf+xml", "graph", names=("xml", "rdf", "rdf+xml"),
                 media_aliases=("application/xml", "text/xml"), format_iri=FORMATS_NS + "RDF_XML"),
)


def formats_for(kind: str) -> tuple[ResultFormat, ...]:
    """The formats of a result kind, the default first."""
    return TABLE_FORMATS if kind == "table" else GRAPH_FORMATS


def parse_accept(header: str | None, *, keep_refused: bool = False) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first (stable for ties).

    Ranges with ``q=0`` ("not acceptable", RFC 9110 12.4.2) are left out unless ``keep_refused``.
    """
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
    return [(media, quality) for media, quality, _ in ranges if keep_refused or quality > 0]


def _specificity(media_range: str, fmt: ResultFormat) -> int:
    """How specifically an Accept range names a format: 3 its media type, 2 an alias, 1 type/*, 0 */*,
    -1 not at all."""
    if media_range == fmt.media_type:
        return 3
    if media_range in fmt.media_aliases:
        return 2
    if media_range.endswith("/*") and fmt.media_type.startswith(media_range[:-1]):
        return 1
    return 0 if media_range == "*/*" else -1


def negotiate(accept: str | None, kind: str, override: str | list[str] | None = None,
              formats: tuple[ResultFormat, ...] | None = None) -> ResultFormat | None:
    """The response format for a result kind: ``override`` (?format= names or media types) wins, then Accept.

    The first recognised override value counts (clients such as SPARQLWrapper send several). Under
    Accept, each format gets the q-value of the most specific range that names it (so ``q=0`` refuses
    a format even when ``*/*`` is accepted); the highest wins, ties go to the range listed first, then
    to the default order of ``formats``. A missing Accept header means the default format; None means
    nothing acceptable (406).
    """
    candidates = formats or formats_for(kind)
    overrides = [override] if isinstance(override, str) else list(override or [])
    for value in overrides:
        value = value.strip().lower()
        for fmt in candidates:
            if value and fmt.matches_name(value):
                return fmt
    if not accept or not accept.strip():
        return candidates[0]
    ranges = parse_accept(accept, keep_refused=True)
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, fmt in enumerate(candidates):
        matching = [(_specificity(media, fmt), -position, quality)
                    for position, (media, quality) in enumerate(ranges) if _specificity(media, fmt) >= 0]
        if not matching:
            continue
        _, negative_position, quality = max(matching)  # the most specific range decides
        if quality > 0 and (best is None or (quality, negative_position, -order) > best):
            best, chosen = (quality, negative_position, -order), fmt
    return chosen


# ------------------------------------------------------------------------------------------- writers

def write_table(fmt: ResultFormat, variables: Sequence[str], rows: Iterable[dict[str, Term]]) -> bytes:
    """A SELECT result in one of the table formats."""
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt.name]
    return writer(variables, rows)


def write_boolean(fmt: ResultFormat, value: bool) -> bytes:
    """An ASK result in one of the table formats."""
    if fmt.name == "json":
        return json.dumps({"head": {}, "boolean": value}).encode() + b"\n"
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
                      ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _xml_text(text: str) -> str:
    """Escaped element content. Characters XML 1.0 cannot hold (C0 controls, which ingest already
    removes, but an update may have stored) become U+FFFD, so the document stays well-formed."""
    return escape(_XML_ILLEGAL.sub("\ufffd", text))


def _xml_term(term: Term) -> str:
    kind = term[0]
    if kind == "uri":
        return f"<uri>{_xml_text(term[1])}</uri>"
    if kind == "bnode":
        return f"<bnode>{_xml_text(term[1])}</bnode>"
    if term[3]:
        return f"<literal xml:lang={quoteattr(term[3])}>{_xml_text(term[1])}</literal>"
    if term[2] and term[2] != XSD_STRING:
        return f"<literal datatype={quoteattr(term[2])}>{_xml_text(term[1])}</literal>"
    return f"<literal>{_xml_text(term[1])}</literal>"


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


RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NAME_START = r"A-Za-z_\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d" \
              r"\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
_LOCAL_NAME = re.compile(f"[{_NAME_START}][{_NAME_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*$")


def write_rdfxml(triples: Iterable[tuple[Term, Term, Term]], prefixes: dict[str, str] | None = None) -> bytes:
    """Triples as RDF/XML (one ``rdf:Description`` per subject, in order of first appearance).

    Written here rather than by pyoxigraph, whose RDF/XML writer emits ill-formed XML for predicates that
    end in a digit or a slash and copies C0 controls into the document. A predicate with no XML local
    name at its end (``http://example.org/1``) cannot be written in RDF/XML at all: InputError.
    """
    from graph.errors import InputError

    by_subject: dict[Term, list[tuple[Term, Term]]] = {}
    for subject, predicate, obj in triples:
        by_subject.setdefault(subject, []).append((predicate, obj))
    namespaces: dict[str, str] = {RDF_NS: "rdf"}
    known = {namespace: prefix for prefix, namespace in (prefixes or {}).items()}

    def qname(iri: str) -> str:
        match = _LOCAL_NAME.search(iri)  # the longest XML name at the end of the IRI
        if not match or match.start() == 0:
            raise InputError(f"the predicate <{iri}> cannot be written in RDF/XML (it has no XML local name)",
                             hint="ask for Turtle, N-Triples or JSON-LD instead (Accept: text/turtle)")
        namespace, local = iri[:match.start()], iri[match.start():]
        if namespace not in namespaces:
            prefix = known.get(namespace)
            if not prefix or prefix in namespaces.values() or not _LOCAL_NAME.match(prefix):
                prefix = f"ns{len(namespaces)}"
            namespaces[namespace] = prefix
        return f"{namespaces[namespace]}:{local}"

    def node(term: Term) -> str:
        if term[0] == "bnode":
            return f"rdf:nodeID={quoteattr('b' + _xml_text(term[1]))}"
        return f"rdf:about={quoteattr(_xml_text(term[1]))}"

    body = []
    for subject, properties in by_subject.items():
        body.append(f"<rdf:Description {node(subject)}>")
        for predicate, obj in properties:
            name = qname(predicate[1])
            if obj[0] == "uri":
                body.append(f"<{name} rdf:resource={quoteattr(_xml_text(obj[1]))}/>")
            elif obj[0] == "bnode":
                body.append(f"<{name} {node(obj)}/>")
            elif obj[3]:
                body.append(f"<{name} xml:lang={quoteattr(obj[3])}>{_xml_text(obj[1])}</{name}>")
            elif obj[2] and obj[2] != XSD_STRING:
                body.append(f"<{name} rdf:datatype={quoteattr(obj[2])}>{_xml_text(obj[1])}</{name}>")
            else:
                body.append(f"<{name}>{_xml_text(obj[1])}</{name}>")
        body.append("</rdf:Description>")
    declarations = " ".join(f"xmlns:{prefix}={quoteattr(namespace)}"
                            for namespace, prefix in namespaces.items())
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', f"<rdf:RDF {declarations}>", *body,
                      "</rdf:RDF>", ""]).encode()


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


def rdflib_row(variables: Sequence[str], row) -> dict[str, Term]:
    """One rdflib result row as ``{variable: term tuple}`` (unbound variables left out)."""
    return {name: rdflib_term(row[name]) for name in variables if row[name] is not None}


def rdflib_term(term) -> Term:
    """An rdflib term (URIRef, BNode, Literal) as a term tuple."""
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return ("uri", str(term))
    if isinstance(term, rdflib.BNode):
        return ("bnode", str(term))
    return ("literal", str(term), str(term.datatype) if term.datatype else None, term.language)


def term_value(term: Term | None) -> str | None:
    """The plain value of a term (IRI, lexical form or blank node id), None when unbound."""
    return None if term is None else term[1]
