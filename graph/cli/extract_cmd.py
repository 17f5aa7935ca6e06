"""``aidgraph extract FILE``: print what one article yields, without storing anything."""

from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "extract", help="print the facts extracted from one article (JSON record or Turtle)",
        description="Extract facts from one .txt or .html article and print them; nothing is stored.")
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--published", metavar="YYYY-MM-DD",
                        help="publication date (resolves relative dates)")
    parser.add_argument("--lang", help="language code (default: metadata or detection)")
    parser.add_argument("--format", choices=("json", "turtle"), default="json")
    parser.set_defaults(handler=run)


def run(args) -> int:
    # imports stay inside: this command must start fast
    from graph.cli.common import existing_file
    from graph.errors import InputError
    from graph.ingest import parse_date, read_article

    path = existing_file(args.file)
    if path.suffix.lower() == ".jsonl":
        raise InputError(f"{path}: extract takes one article", hint="use `aidgraph ingest` for .jsonl files")
    published = parse_date(args.published, "--published") if args.published else None
    article = read_article(path, lang=args.lang, published=published)
    from graph.extract import extract
    from graph.language import unsupported_reason

    reason = unsupported_reason(article.lang)
    if reason:
        print(f"warning: {path.name}: {reason}; give the language with --lang if detection was wrong",
              file=sys.stderr)
    extraction = extract(article)
    if args.format == "turtle":
        from graph.to_rdf import extraction_to_turtle

        print(extraction_to_turtle(extraction))
    else:
        print(json.dumps(extraction.to_record(), ensure_ascii=False, indent=2))
    return 0
