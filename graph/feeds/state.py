"""Resumable state per feed input: a rerun after a crash skips what is done.

    FeedStates(folder, options)   .cursor(path) -> Cursor    where to start reading a feed file
                                  .save(path, cursor)        after the articles before it are stored

One small JSON file per feed input in ``folder`` (``aidgraph ingest`` keeps them in ``STORE.feeds``
beside an Oxigraph store, or ``--state-dir``): the input's path, size and modification time, the
aidgraph fingerprint and the reading options (language, date, prefilter, local pages) it was read
with, and how far it was read: a WARC record's byte offset or an item number, and whether the file is
done. The pipeline saves a cursor only once every article read before it is written to the store (or
was passed over or failed), so a crash loses at most the batch in flight; that batch is read again,
and what of it was stored is skipped as unchanged by its content hash. A state that does not match
(the file changed, another aidgraph or other options) is ignored: the file is read from the start.
Files are replaced atomically (write, fsync, rename).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graph.feeds import Cursor

STATE_VERSION = 1


class FeedStates:
    """The resume states of the feed inputs of one store (see the module docstring)."""

    def __init__(self, folder: str | Path, options: dict[str, Any]) -> None:
        self.folder = Path(folder)
        self.options = {key: None if value is None else str(value) for key, value in sorted(options.items())}
        self.resumed_items = 0

    def _file(self, path: Path) -> Path:
        key = hashlib.sha256(os.path.realpath(path).encode("utf-8")).hexdigest()[:20]
        return self.folder / f"{key}.json"

    def _identity(self, path: Path) -> dict[str, Any]:
        from graph.pipeline import pipeline_fingerprint

        info = os.stat(path)
        return {"version": STATE_VERSION, "input": os.path.realpath(path), "size": info.st_size,
                "mtime_ns": info.st_mtime_ns, "aidgraph": pipeline_fingerprint(), "options": self.options}

    def cursor(self, path: Path) -> Cursor:
        """Where reading ``path`` resumes (the start when no matching state is kept)."""
        try:
            saved = json.loads(self._file(path).read_text(encoding="utf-8"))
            identity = self._identity(path)
        except (OSError, ValueError):
            return Cursor()
        if not isinstance(saved, dict) or any(saved.get(key) != value for key, value in identity.items()):
            return Cursor()
        cursor = Cursor(int(saved.get("position", 0)), int(saved.get("items", 0)), bool(saved.get("done")))
        self.resumed_items += cursor.items
        return cursor

    def save(self, path: Path, cursor: Cursor) -> None:
        """Record ``cursor`` for ``path`` (atomically)."""
        try:
            record = {**self._identity(path), "position": cursor.position, "items": cursor.items,
                      "done": cursor.done}
        except OSError:
            return  # the input is gone: nothing to resume
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._file(path)
        temporary = target.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)

    def forget(self, path: Path) -> None:
        """Drop the state of ``path`` (``--force`` reads it from the start)."""
        with contextlib.suppress(OSError):
            self._file(path).unlink()


def run_states(folder: str | Path, *, lang: str | None, published: Any, prefilter: bool,
               pages: Iterable[str | Path], fetch: bool) -> FeedStates:
    """The feed states of one ingest run in ``folder``, keyed by the reading options that change what a
    feed yields (the same for a local and a Ray ingest, so either resumes the other's state)."""
    return FeedStates(folder, {"lang": lang, "published": published, "prefilter": prefilter,
                               "pages": sorted(map(str, pages)), "fetch": fetch})


def default_state_dir(store_location: str | Path) -> Path:
    """Where the feed states of a store on disk are kept by default: ``STORE.feeds`` beside it."""
    location = Path(store_location)
    return location.with_name(location.name + ".feeds")
