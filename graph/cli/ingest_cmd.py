"""``aidgraph ingest PATH...``: read, extract, validate and store articles."""

from __future__ import annotations

import json
from pathlib import Path

from graph.errors import InputError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "ingest", help="ingest .txt/.html/.jsonl articles (files or folders) into the store",
        description="Read articles, extract facts, validate them with SHACL and store them. "
                    "Re-ingesting an article replaces what was stored for it.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    parser.add_argument("--lang", help="language of all articles (default: metadata or detection)")
    parser.add_argument("--published", metavar="YYYY-MM-DD", help="publication date of all articles")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="processes that extract and validate in parallel (default: 1 for fewer than "
                             "200 files, else the number of CPUs up to 4)")
    parser.add_argument("--prefilter", action="store_true",
                        help="pass over articles that are not about military aid to Ukraine (a cheap "
                             "keyword check before extraction; counted in the summary)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from graph.cli.common import open_for_writing, settings_from
    from graph.ingest import parse_date
    from graph.pipeline import ingest_paths

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise InputError(f"no such file or folder: {', '.join(missing)}", hint="check the paths")
    published = parse_date(args.published, "--published") if args.published else None
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be 1 or more, not {args.workers}", hint="e.g. --workers 2")
    settings = settings_from(args)
    with open_for_writing(args) as store:
        summary = ingest_paths(args.paths, store, progress=not args.no_progress, lang=args.lang,
                               published=published, max_bytes=settings.max_article_bytes,
                               workers=args.workers, prefilter=args.prefilter)
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(summary.format())
    if summary.articles_read == 0 and not summary.failures:
        raise InputError("no articles found in the given paths",
                         hint="give .txt, .html or .jsonl files, or folders holding them")
    return 0 if summary.ok else 1
