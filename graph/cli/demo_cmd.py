"""``aidgraph demo``: ingest the bundled demo corpus, then serve the API and SPARQL endpoint."""

from __future__ import annotations

import sys

from graph.store.base import project_root


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="ingest corpus/demo into the store and serve it")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-serve", action="store_true", help="only ingest, do not start the server")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from graph.cli.common import open_for_writing, settings_from
    from graph.errors import InputError
    from graph.pipeline import ingest_paths

    corpus = project_root() / "corpus" / "demo"
    if not corpus.is_dir():
        raise InputError(f"the demo corpus {corpus} is missing", hint="run from a full checkout of aidgraph")
    settings = settings_from(args)
    print(f"ingesting {corpus} into {settings.store} ...", file=sys.stderr)
    with open_for_writing(args) as store:
        summary = ingest_paths([corpus], store)
    print(summary.format())
    if args.no_serve:
        return 0 if summary.ok else 1
    try:
        from api.server import serve
        from api.settings import ApiSettings
    except ImportError:
        print("the API server is not available in this build; query the store with `aidgraph query`",
              file=sys.stderr)
        return 0 if summary.ok else 1
    print(f"serving on http://{args.host}:{args.port}/ (SPARQL at /sparql); Ctrl-C stops", file=sys.stderr)
    serve(ApiSettings.from_config(settings), args.host, args.port)
    return 0
