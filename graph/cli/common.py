"""Helpers the sub-commands share: settings from arguments, opening the store, reading inputs, safe
terminal output, and the time/memory limits of `aidgraph query`."""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from graph.errors import DiskFullError, InputError, StoreError, store_failure

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
        if "locked" not in exc.message and not isinstance(store_failure(exc), DiskFullError):
            raise
        reason = "the disk under it is full" if "locked" not in exc.message else exc.message
        print(terminal_safe(f"note: {reason}; reading it read-only", one_line=True), file=sys.stderr)
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


# ------------------------------------------------------------------------------ terminal output

_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str, *, one_line: bool = False) -> str:
    r"""``text`` with control characters shown as escapes (``ESC`` -> ``\x1b``), so that nothing read from
    the store or from input files can drive the terminal (clear it, move the cursor, retitle the window,
    reorder text with bidi overrides). Tab, line feed and carriage return are kept unless ``one_line``.

    The one function for it: the CLI wraps stdout/stderr with it on a terminal (:func:`guard_terminal`),
    error messages always pass through it, and :func:`write_output` writes query results with it.
    """
    pattern = _LINE_UNSAFE if one_line else _TERMINAL_UNSAFE
    return pattern.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class _SafeStream:
    """A text stream that escapes control characters in everything written to it."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def guard_terminal() -> None:
    """Escape control characters in all output to stdout/stderr that go to a terminal."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            is_terminal = stream.isatty()
        except (AttributeError, ValueError):
            is_terminal = False
        if is_terminal and not isinstance(stream, _SafeStream):
            setattr(sys, name, _SafeStream(stream))


def write_output(text: str | bytes) -> None:
    """Write a command's result to stdout: as is into a pipe or file, with control characters escaped on a
    terminal (:func:`terminal_safe`); a final line break is added when missing."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not text.endswith("\n"):
        text += "\n"
    stream = sys.stdout
    if isinstance(stream, _SafeStream):
        stream.write(text)
    elif stream.isatty():
        stream.write(terminal_safe(text))
    else:
        stream.write(text)


# ------------------------------------------------------------------------------ limits of a command

EXIT_LIMIT = 7


@contextmanager
def run_limits(seconds: float | None, memory_mb: int | None, what: str = "the query"):
    """Stop this process (exit code 7, with a message) when the block runs longer than ``seconds`` or the
    process grows beyond ``memory_mb`` of resident memory.

    A watchdog thread checks every 0.1 s; it does not need the query to cooperate (pyoxigraph cannot be
    interrupted), and a read-only command loses nothing when it is stopped.
    """
    if not seconds and not memory_mb:
        yield
        return
    done = threading.Event()
    started = time.monotonic()
    limit = (memory_mb or 0) * 1024 * 1024

    def watch() -> None:
        while not done.wait(0.1):
            elapsed = time.monotonic() - started
            if seconds and elapsed > seconds:
                _stop(f"error: {what} was stopped after {elapsed:.1f} s (limit {seconds:g} s)\n"
                      "hint: make it more selective (LIMIT, bound variables, no cross products), or raise "
                      "--timeout / AIDGRAPH_API_TIMEOUT\n")
            if limit and _resident_bytes() > limit:
                _stop(f"error: {what} was stopped at {_resident_bytes() / 1048576:,.0f} MB of memory "
                      f"(limit {memory_mb:,} MB)\n"
                      "hint: make it more selective, or raise --max-memory-mb / AIDGRAPH_QUERY_MEMORY_MB\n")

    watchdog = threading.Thread(target=watch, name="aidgraph-limits", daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        done.set()


def _stop(message: str) -> None:
    with suppress(OSError, ValueError):
        sys.stdout.flush()
    os.write(2, message.encode("utf-8", errors="replace"))
    os._exit(EXIT_LIMIT)


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
