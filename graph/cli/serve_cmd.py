"""``aidgraph serve [--host --port]``: the SPARQL endpoint, REST lookups and query page over the store."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    """Add the ``serve`` sub-command."""
    parser = subparsers.add_parser(
        "serve", help="serve the SPARQL endpoint and REST API over the store",
        description="Serve /sparql (SPARQL 1.1 Protocol, query page for browsers), the REST lookups "
                    "(/pledges, /meetings, /actors, /equipment, /articles, /search, /stats) and /docs. "
                    "Read-only unless AIDGRAPH_TOKEN is set. The server holds the store open: stop it "
                    "before running `aidgraph ingest` on the same store.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default: 8000)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds a query may run (default: $AIDGRAPH_API_TIMEOUT or 30)")
    parser.add_argument("--result-cap", type=int, default=None,
                        help="most rows/triples per response (default: $AIDGRAPH_RESULT_CAP or 10000)")
    parser.add_argument("--web-processes", type=int, default=None,
                        help="web processes accepting on the port, all over the one store worker (default: "
                             "$AIDGRAPH_WEB_PROCESSES or 1); more keep /health and light requests answered "
                             "while CPU-bound lookups run")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    from api.server import serve
    from api.settings import ApiSettings
    from graph.config import Settings
    from graph.errors import InputError

    if not 0 < args.port < 65536:
        raise InputError(f"--port {args.port} is not a TCP port", hint="use a number from 1 to 65535")
    config = Settings.from_env(store=args.store)
    settings = ApiSettings.from_config(config, query_timeout=args.timeout, result_cap=args.result_cap,
                                       web_processes=args.web_processes)
    serve(settings, host=args.host, port=args.port)
    return 0
