"""Helpers the sub-commands share: settings from arguments, opening the store, reading inputs."""

from __future__ import annotations

import sys
from pathlib import Path

from graph.errors import InputError, StoreError

EMPTY_STORE_HINT = "the store holds no articles yet: run `aidgraph ingest corpus/demo` (or your own files)"


def settings_from(args):
    """graph.config.Settings from the global ``--store`` option and the environment."""
    from graph.config import Settings

    return Settings.from_env(store=getattr(args, "store", None))


def open_for_writing(args):
    """Open the configured store read-write (initialising a fresh one)."""
    return settings_from(args).open_store()


def open_for_reading(args):
    """Open the store for queries; fall back to read-only when another process holds the lock."""
    settings = settings_from(args)
    if settings.backend != "oxigraph" or not Path(settings.store).exists():
        return settings.open_store()
    try:
        return settings.open_store()
    except StoreError as exc:
        if "locked" not in exc.message:
            raise
        print(f"note: {exc.message}; reading it read-only", file=sys.stderr)
        return settings.open_store(read_only=True)


def existing_file(value: str) -> Path:
    """A path that must be an existing file (clear error otherwise)."""
    path = Path(value)
    if not path.exists():
        raise InputError(f"{value}: no such file", hint="check the path")
    if path.is_dir():
        raise InputError(f"{value} is a folder, not a file", hint="name one file")
    return path


def article_count(store) -> int:
    """Number of article graphs in the store."""
    from graph.vocab import AIDR

    prefix = str(AIDR["article/"])
    return sum(1 for name in store.graph_names() if name.startswith(prefix))
