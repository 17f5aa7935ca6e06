"""The ``aidgraph`` command line.

Each sub-command lives in its own module ``graph/cli/<name>_cmd.py`` exposing
``register(subparsers) -> None``; the module adds its parser and sets ``handler=func`` where
``func(args) -> int`` returns the exit code. This module only wires them up and turns
:class:`graph.errors.AidgraphError` into a short message and an exit code (never a traceback).

Exit codes: 0 success, 1 data does not conform / quality floor missed, 2 bad input or usage,
3 store problem, 4 unexpected internal error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from graph.errors import AidgraphError, InputError, StoreError

COMMAND_MODULES = (
    "ingest_cmd", "extract_cmd", "query_cmd", "stats_cmd", "validate_cmd", "quarantine_cmd",
    "evaluate_cmd", "serve_cmd", "export_cmd", "plot_cmd", "demo_cmd", "rebuild_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="aidgraph",
        description="Knowledge graph of military aid to Ukraine, built from multilingual news.",
    )
    parser.add_argument(
        "--store", default=os.environ.get("AIDGRAPH_STORE"),
        help="store directory (default: $AIDGRAPH_STORE or ./data/store)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"graph.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"graph.cli.{name}":
                continue  # sub-command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``aidgraph`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except InputError as exc:
        _report(exc)
        return 2
    except StoreError as exc:
        _report(exc)
        return 3
    except AidgraphError as exc:
        _report(exc)
        return 2
    except KeyboardInterrupt:
        print("interrupted; what was stored before the interruption is kept.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except Exception as exc:
        if os.environ.get("AIDGRAPH_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("hint: this is a bug in aidgraph; rerun with AIDGRAPH_DEBUG=1 for the traceback and report it",
              file=sys.stderr)
        return 4


def _report(exc: AidgraphError) -> None:
    print(f"error: {exc.message}", file=sys.stderr)
    if exc.hint:
        print(f"hint: {exc.hint}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
