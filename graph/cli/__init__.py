"""The ``aidgraph`` command line.

Each sub-command lives in its own module ``graph/cli/<name>_cmd.py`` exposing
``register(subparsers) -> None``; the module adds its parser and sets ``handler=func`` where
``func(args) -> int`` returns the exit code. This module only wires them up and turns
:class:`graph.errors.AidgraphError` into a short message and an exit code (never a traceback).

Exit codes (also in README.md):

    0  success
    1  some articles failed / data does not conform / quality floor missed
    2  bad input or usage
    3  store problem: cannot be opened, locked by another process, read-only, remote store unreachable
    4  unexpected internal error (a bug in aidgraph)
    5  the disk under the store is full (what was stored before is kept; rerun after freeing space)
    6  the store is corrupted (aidgraph cannot repair RocksDB: restore a backup or re-ingest)
    7  a limit was reached: `aidgraph query` ran past --timeout or --max-memory-mb
  130  interrupted (Ctrl-C); what was stored before is kept

Everything written to a terminal has its control characters escaped (``graph.cli.common.terminal_safe``),
so that text from the store or from input files cannot drive the terminal.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from graph.errors import (
    AidgraphError,
    DiskFullError,
    QueryLimitError,
    StoreCorruptedError,
    StoreError,
    store_failure,
)

EXIT_OK, EXIT_FAILURES, EXIT_INPUT, EXIT_STORE, EXIT_BUG = 0, 1, 2, 3, 4
EXIT_DISK_FULL, EXIT_CORRUPTED, EXIT_LIMIT, EXIT_INTERRUPTED = 5, 6, 7, 130

COMMAND_MODULES = (
    "ingest_cmd", "extract_cmd", "query_cmd", "stats_cmd", "validate_cmd", "quarantine_cmd",
    "evaluate_cmd", "serve_cmd", "export_cmd", "plot_cmd", "demo_cmd", "rebuild_cmd", "compact_cmd",
    "reconcile_cmd", "commitments_cmd",
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
    from graph.cli.common import guard_terminal

    guard_terminal()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_INPUT
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted; what was stored before the interruption is kept (a rerun skips it).",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        return _exit_code(exc)


def _exit_code(exc: Exception) -> int:
    """Report ``exc`` (one line and a hint) and give its exit code."""
    fatal = store_failure(exc)
    if isinstance(fatal, DiskFullError):
        _report(fatal)
        return EXIT_DISK_FULL
    if isinstance(fatal, StoreCorruptedError):
        _report(fatal)
        return EXIT_CORRUPTED
    if isinstance(exc, AidgraphError):
        _report(exc)
        if isinstance(exc, StoreError):
            return EXIT_STORE
        if isinstance(exc, QueryLimitError):
            return EXIT_LIMIT
        return EXIT_INPUT
    if os.environ.get("AIDGRAPH_DEBUG"):
        raise exc
    from graph.cli.common import terminal_safe

    print(terminal_safe(f"internal error: {type(exc).__name__}: {exc}", one_line=True), file=sys.stderr)
    print("hint: this is a bug in aidgraph; rerun with AIDGRAPH_DEBUG=1 for the traceback and report it",
          file=sys.stderr)
    return EXIT_BUG


def _report(exc: AidgraphError) -> None:
    from graph.cli.common import terminal_safe

    print(terminal_safe(f"error: {exc.message}", one_line=True), file=sys.stderr)
    if exc.hint:
        print(terminal_safe(f"hint: {exc.hint}", one_line=True), file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
