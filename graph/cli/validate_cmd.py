"""``aidgraph validate FILE``: check an RDF file against the SHACL shapes."""

from __future__ import annotations

RDF_FORMATS = {".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".n3": "n3", ".trig": "trig",
               ".nq": "nquads", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
               ".xml": "xml"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help="SHACL-validate an RDF file (exit 0 conforms, 1 violations, 2 malformed)",
        description="Validate an RDF file (Turtle by default) with aidgraph's SHACL shapes and print the "
                    "report. Exit code 0: conforms; 1: violations; 2: the file is not valid RDF.")
    parser.add_argument("file", metavar="FILE.ttl")
    parser.add_argument("--quiet", action="store_true", help="print only the verdict line")
    parser.set_defaults(handler=run)


def load_rdf(path) -> object:
    """Parse an RDF file into an rdflib graph; RDFSyntaxError (with the parser's position) if malformed."""
    import rdflib

    from graph.errors import RDFSyntaxError

    fmt = RDF_FORMATS.get(path.suffix.lower(), "turtle")
    graph = rdflib.Dataset() if fmt in ("trig", "nquads") else rdflib.Graph()
    try:
        graph.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises BadSyntax, SAXParseException, JSON errors, ...
        message = " ".join(str(exc).split())
        raise RDFSyntaxError(f"{path}: malformed {fmt}: {message[:500]}",
                             hint="fix the syntax at the position given") from exc
    if fmt in ("trig", "nquads"):
        merged = rdflib.Graph()
        for s, p, o, _g in graph.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    return graph


def run(args) -> int:
    from graph.cli.common import existing_file

    path = existing_file(args.file)
    graph = load_rdf(path)
    from graph.validate import validate_graph

    report = validate_graph(graph)
    if not args.quiet:
        print(report.text.rstrip())
    violations = len(report.violations) if report.violations is not None else 0
    verdict = "conforms" if report.conforms else f"does not conform: {violations} violation(s)"
    print(f"{path}: {verdict}")
    return 0 if report.conforms else 1
