"""``aidgraph plot timeline|network``: pictures of the graph as PNG or SVG."""

from __future__ import annotations

import argparse
from pathlib import Path

from graph.cli.export_cmd import write_output
from graph.errors import InputError
from graph.export import PROJECTIONS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plot`` sub-command."""
    parser = subparsers.add_parser(
        "plot", help="draw pledges over time (timeline) or a network projection (network)",
        description="Draw a picture of the store. The format follows --format, else the -o suffix.",
    )
    parser.add_argument("kind", choices=("timeline", "network"))
    parser.add_argument("--projection", "-p", default="full", choices=PROJECTIONS,
                        help="network to draw (default: full)")
    parser.add_argument("--graph", "-g", default=None, metavar="IRI", help="only this named graph")
    parser.add_argument("--format", "-f", choices=("png", "svg"), default=None, dest="fmt")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="output file (default: standard output)")
    parser.set_defaults(handler=run)


def image_format(fmt: str | None, output: Path | None) -> str:
    """The image format: explicit, else from the output suffix, else PNG."""
    if fmt:
        return fmt
    suffix = output.suffix.lower().lstrip(".") if output else ""
    if suffix in {"png", "svg"}:
        return suffix
    if suffix:
        raise InputError(f"cannot draw a .{suffix} file", hint="use a .png or .svg output, or pass --format")
    return "png"


def run(args: argparse.Namespace) -> int:
    """Draw and write the image to ``--output`` or standard output."""
    from graph.config import Settings
    from graph.export import plot

    fmt = image_format(args.fmt, args.output)
    with Settings.from_env(args.store).open_store(read_only=True) as store:
        result = plot(store, args.kind, fmt=fmt, projection=args.projection, graph=args.graph)
    write_output(result.content, args.output)
    return 0
