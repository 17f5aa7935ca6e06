"""``aidgraph query QUERY_OR_FILE``: run SPARQL over the store and print the results."""

from __future__ import annotations

import sys
from pathlib import Path

FORMATS = ("table", "json", "csv", "turtle")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "query", help="run a SPARQL query (text or .rq file) over the store",
        description="Run a SPARQL 1.1 query. The default graph is the merge of the ontology, reference "
                    "and article graphs (each triple once, quarantined facts left out); GRAPH ?g reaches "
                    "each article's graph. Prefixes aid:, aidr:, schema:, skos:, ... are predefined.")
    parser.add_argument("query", metavar="QUERY_OR_FILE", help="the query text or a file holding it")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="table (default for SELECT/ASK), json (SPARQL 1.1 JSON results), csv, "
                             "turtle (default for CONSTRUCT/DESCRIBE)")
    parser.add_argument("--timeout", type=float, metavar="S", default=None,
                        help="stop the query after S seconds, exit code 7 (default: $AIDGRAPH_API_TIMEOUT "
                             "or 30, as the API)")
    parser.add_argument("--max-memory-mb", type=int, metavar="MB", default=None,
                        help="stop the query when aidgraph uses more memory, exit code 7 (default: "
                             "$AIDGRAPH_QUERY_MEMORY_MB or 4096)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from graph.cli.common import (
        EMPTY_STORE_HINT,
        article_count,
        open_for_reading,
        run_limits,
        settings_from,
        write_output,
    )
    from graph.errors import InputError, QuerySyntaxError

    settings = settings_from(args)
    seconds = args.timeout if args.timeout is not None else settings.api_timeout_s
    memory_mb = args.max_memory_mb if args.max_memory_mb is not None else settings.query_memory_mb
    if seconds <= 0 or memory_mb <= 0:
        raise InputError("--timeout and --max-memory-mb must be positive", hint="e.g. --timeout 60")
    sparql = read_query(args.query)
    full = with_prefixes(sparql)
    added_lines = full.count("\n") - sparql.count("\n")
    with open_for_reading(args) as store, run_limits(seconds, memory_mb, "the query"):
        try:
            result = store.query(full)
        except QuerySyntaxError as exc:
            raise exc.shifted(-added_lines) from None
        text = render(result, args.format)
        empty = result.type == "SELECT" and not result.bindings
        if empty and article_count(store) == 0:
            print(f"note: {EMPTY_STORE_HINT}", file=sys.stderr)
    write_output(text)
    return 0


def read_query(value: str) -> str:
    """The query text: the argument itself, or the content of the file it names."""
    from graph.errors import InputError

    looks_like_file = "\n" not in value and not value.lstrip().upper().startswith(
        ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX", "BASE", "#")) and len(value) < 500
    path = Path(value) if looks_like_file else None
    if path is not None and path.is_file():
        try:
            return path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{value}: cannot read the query file ({exc})", hint="save it as UTF-8") from exc
    if path is not None:
        raise InputError(f"{value}: no such query file, and not a SPARQL query either",
                         hint="pass the query text in quotes, e.g. 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'")
    if not value.strip():
        raise InputError("the query is empty", hint="pass a SPARQL query or a .rq file")
    return value


def with_prefixes(sparql: str) -> str:
    """Prepend PREFIX declarations for our usual prefixes that the query uses but does not declare."""
    import re

    from graph.store.convert import PREFIXES

    declared = {m.lower() for m in re.findall(r"(?i)PREFIX\s+([A-Za-z][\w-]*)?:", sparql)}
    used = set(re.findall(r"(?<![\w<\"'/#?$])([A-Za-z][\w-]*):(?!//)", sparql))
    missing = [p for p in PREFIXES if p in used and p.lower() not in declared]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing) + sparql


def render(result, fmt: str | None) -> str:
    """Results as text in ``fmt`` (table/json/csv for SELECT and ASK, turtle for graphs)."""
    from graph.errors import InputError

    if result.type in ("CONSTRUCT", "DESCRIBE"):
        if fmt not in (None, "turtle"):
            raise InputError(f"a {result.type} query gives a graph; --format {fmt} is for SELECT/ASK",
                             hint="use --format turtle")
        from graph.store.convert import PREFIXES

        for prefix, namespace in PREFIXES.items():
            result.graph.bind(prefix, namespace)
        return result.graph.serialize(format="turtle")
    fmt = fmt or "table"
    if fmt == "turtle":
        raise InputError(f"a {result.type} query gives a table; turtle is for CONSTRUCT/DESCRIBE",
                         hint="use --format table, json or csv")
    if fmt in ("json", "csv"):
        return sparql_results(result, fmt)
    if result.type == "ASK":
        return "true" if result.askAnswer else "false"
    return table(result)


def sparql_results(result, fmt: str) -> str:
    """SPARQL JSON or CSV results, written by the endpoint's own writer (``api.results``): the same bytes
    as ``/sparql`` answers for the same query."""
    from api.results import TABLE_FORMATS, rdflib_row, write_boolean, write_table

    table_format = next(candidate for candidate in TABLE_FORMATS if candidate.name == fmt)
    if result.type == "ASK":
        return write_boolean(table_format, bool(result.askAnswer)).decode("utf-8")
    variables = [str(variable) for variable in result.vars]
    rows = (rdflib_row(variables, row) for row in result)
    return write_table(table_format, variables, rows).decode("utf-8")


def table(result) -> str:
    """A plain-text table with compact IRIs."""
    names = [str(v) for v in result.vars]
    rows = [[compact(row[i]) for i in range(len(names))] for row in result]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    widths = [min(w, 80) for w in widths]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    for row in rows:
        out.append("  ".join(_cut(c, w).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def compact(term) -> str:
    """An RDF term as short text: prefixed IRIs, bare literal values."""
    import rdflib

    from graph.store.convert import PREFIXES

    if term is None:
        return ""
    if isinstance(term, rdflib.URIRef):
        for prefix, namespace in PREFIXES.items():
            if str(term).startswith(namespace):
                return f"{prefix}:{str(term)[len(namespace):]}"
        return f"<{term}>"
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return str(term)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
