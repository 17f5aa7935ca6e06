"""The on-disk cache of derived tables (compiled gazetteers, the restricted language model).

``$AIDGRAPH_CACHE_DIR`` chooses the folder (``off``, ``none`` or ``0`` disables caching); otherwise
``$XDG_CACHE_HOME/aidgraph`` or ``~/.cache/aidgraph``. Callers key their files by a fingerprint of
everything the cached table depends on, so a stale file is never read; an unreadable or unwritable
cache is ignored (the table is then built in memory).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is switched off."""
    setting = os.environ.get("AIDGRAPH_CACHE_DIR", "")
    if setting.lower() in ("off", "none", "0"):
        return None
    if setting:
        return Path(setting)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aidgraph"


def write_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> bool:
    """Write ``path`` through a temporary file renamed into place, after removing older versions
    (files named like ``path`` up to its last ``-``); False when the cache cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stem, _, _ = path.name.rpartition("-")
        for stale in path.parent.glob(f"{stem}-*{path.suffix}"):
            stale.unlink(missing_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as handle:
            write(handle)
        os.replace(handle.name, path)
    except OSError:
        return False
    return True
