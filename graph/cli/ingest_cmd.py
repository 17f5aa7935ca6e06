"""``aidgraph ingest PATH...``: read, extract, validate and store articles."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from graph.errors import InputError, StoreError, store_failure

#: the options of ``aidgraph ingest`` by --help group: (title, description) -> (flag, add_argument keywords)
OPTION_GROUPS: dict[tuple[str, str | None], tuple[tuple[str, dict], ...]] = {
    ("input", "what is read, and how"): (
        ("paths", {"nargs": "+", "metavar": "PATH", "help": "files or folders"}),
        ("--lang", {"help": "language of all articles (default: metadata or detection)"}),
        ("--published", {"metavar": "YYYY-MM-DD", "help": "publication date of all articles"}),
        ("--prefilter", {"action": "store_true", "help": (
            "pass over articles that are not about military aid to Ukraine (a cheap keyword check before "
            "extraction; counted in the summary; a feed's pages are checked before their main text is "
            "extracted)")}),
    ),
    ("feeds", "WARC, RSS/Atom and sitemap inputs (README: Feeds)"): (
        ("--pages", {"action": "append", "default": [], "metavar": "PATH", "help": (
            "a WARC file or a folder of .html files holding the pages that sitemaps and RSS items name (by "
            "WARC-Target-URI or canonical link); repeatable")}),
        ("--fetch", {"action": "store_true", "help": (
            "fetch over HTTP(S) the pages that sitemaps (and RSS items without content) name and --pages "
            "does not hold (off by default; bounded: the article size limit, --fetch-seconds per page, 3 "
            "redirects, HTML only)")}),
        ("--fetch-seconds", {"type": float, "metavar": "S",
                             "help": "time one fetched page may take, connect to last byte (default 20)"}),
        ("--state-dir", {"metavar": "DIR", "help": (
            "where the resume state of each feed input is kept (default: STORE.feeds beside an Oxigraph "
            "store; none for a remote store unless given)")}),
    ),
    ("budgets", "limits of one article's extraction (README: Limits)"): (
        ("--article-seconds", {"type": float, "metavar": "S", "help": (
            "time budget of one article's extraction (default: $AIDGRAPH_ARTICLE_SECONDS or 60)")}),
        ("--article-memory-mb", {"type": int, "metavar": "MB", "help": (
            "memory budget of one article (default: $AIDGRAPH_ARTICLE_MEMORY_MB or 2048)")}),
    ),
    ("workers and distributed ingest", "local worker processes, or one Ray task per input shard; this "
                                       "process is the only writer (README: Scale-out)"): (
        ("--workers", {"type": int, "metavar": "N", "help": (
            "processes that extract and validate in parallel (default: 1 for fewer than 200 files, else "
            "the number of CPUs up to 4)")}),
        ("--engine", {"choices": ("local", "ray"), "default": "local", "help": (
            "local: worker processes on this machine (default); ray: tasks on a Ray cluster")}),
        ("--address", {"metavar": "ADDR", "help": (
            "the Ray cluster to join (HOST:6379, ray://HOST:10001 or auto; default: start a local Ray "
            "instance for the run)")}),
        ("--shard-dir", {"metavar": "DIR", "help": (
            "where shard outputs and their completion markers are kept (default: STORE.shards beside the "
            "store)")}),
        ("--shard-size", {"type": int, "metavar": "N", "help": (
            "input files per shard (default 64; a .jsonl or feed file is a shard of its own)")}),
    ),
    ("store", "how the store (aidgraph --store) is written"): (
        ("--force", {"action": "store_true", "help": (
            "re-ingest articles stored unchanged, and replace articles of the same id read from another "
            "file")}),
        ("--compact", {"action": "store_true", "help": (
            "rewrite the store compressed afterwards, as `aidgraph compact`, whatever it grew by "
            "(transactions leave it ~1.8x the size of a bulk load)")}),
        ("--no-compact", {"action": "store_true", "help": (
            "do not compact automatically after this ingest (by default an ingest compacts the embedded "
            "store when it grew by $AIDGRAPH_AUTO_COMPACT %%, default 50, and "
            "$AIDGRAPH_AUTO_COMPACT_MIN_MB MiB, default 64, since the last compaction; "
            "AIDGRAPH_AUTO_COMPACT=off: never)")}),
        ("--bulk", {"action": "store_true", "help": (
            "with --engine ray, backfill: load the shards with pyoxigraph's bulk loader and rebuild the "
            "default graph once (not atomic per article; README: Bulk loading)")}),
    ),
    ("output", None): (
        ("--json", {"action": "store_true", "help": "print the summary as JSON"}),
        ("--no-progress", {"action": "store_true", "help": "no progress bar"}),
    ),
}


def register(subparsers) -> None:
    """Add ``aidgraph ingest`` to ``subparsers``."""
    parser = subparsers.add_parser(
        "ingest", help="ingest .txt/.html/.jsonl articles and WARC, RSS/Atom and sitemap feeds (files or "
                       "folders) into the store",
        description="Read articles, extract facts, validate them with SHACL and store them. "
                    "Re-ingesting an article replaces what was stored for it; articles stored unchanged "
                    "are skipped (so an interrupted ingest resumes), unless --force. Feeds hold many "
                    "articles each: WARC files (.warc, .warc.gz: every HTML response), RSS/Atom feeds "
                    "(.rss, .atom, or .xml with <rss>/<feed>: every item's own content or summary) and "
                    "XML sitemaps (.xml, .xml.gz with <urlset>/<sitemapindex>: the pages they name, read "
                    "from --pages); nothing is fetched from the network unless --fetch. A feed's "
                    "progress is kept per input (STORE.feeds beside the store, or --state-dir), so a rerun "
                    "after a crash skips what is done.")
    for (title, description), options in OPTION_GROUPS.items():
        group = parser.add_argument_group(title, description)
        for flag, spec in options:
            group.add_argument(flag, **spec)
    parser.set_defaults(handler=run)


def run(args) -> int:
    from graph.cli.common import open_for_writing, settings_from
    from graph.ingest import parse_date
    from graph.pipeline import ingest_paths
    from graph.workers import ArticleBudget

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise InputError(f"no such file or folder: {', '.join(missing)}", hint="check the paths")
    published = parse_date(args.published, "--published") if args.published else None
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be 1 or more, not {args.workers}", hint="e.g. --workers 2")
    for option, value in (("--article-seconds", args.article_seconds),
                          ("--article-memory-mb", args.article_memory_mb)):
        if value is not None and not value > 0:
            raise InputError(f"{option} must be positive, not {value}", hint=f"e.g. {option} 120")
    settings = settings_from(args)
    budget = ArticleBudget(seconds=args.article_seconds or settings.article_seconds,
                           memory_mb=args.article_memory_mb or settings.article_memory_mb)
    if args.engine == "local" and (args.address or args.shard_dir or args.shard_size or args.bulk):
        raise InputError("--address, --shard-dir, --shard-size and --bulk go with --engine ray",
                         hint="add --engine ray (it starts a local Ray instance when no --address is given)")
    if args.compact and args.no_compact:
        raise InputError("--compact and --no-compact contradict each other", hint="give one of them")
    if args.compact and settings.backend != "oxigraph":
        raise InputError("--compact rewrites the embedded Oxigraph store only",
                         hint="leave out --compact for a remote store")
    shard_dir = args.shard_dir
    if args.engine == "ray" and shard_dir is None:
        if settings.backend != "oxigraph":
            raise InputError("a remote store needs --shard-dir for the shards of --engine ray",
                             hint="pass --shard-dir DIR")
        from graph.distributed import default_shard_dir

        shard_dir = default_shard_dir(settings.store)
    missing_pages = [p for p in args.pages if not Path(p).exists()]
    if missing_pages:
        raise InputError(f"no such --pages file or folder: {', '.join(missing_pages)}",
                         hint="check the paths")
    state_dir = args.state_dir
    if state_dir is None and settings.backend == "oxigraph":
        from graph.feeds.state import default_state_dir

        state_dir = default_state_dir(settings.store)
    fetcher = None
    if args.fetch_seconds is not None and not args.fetch:
        raise InputError("--fetch-seconds goes with --fetch", hint="add --fetch")
    if args.fetch:
        if args.fetch_seconds is not None and not args.fetch_seconds > 0:
            raise InputError(f"--fetch-seconds must be positive, not {args.fetch_seconds}",
                             hint="e.g. --fetch-seconds 10")
        from graph.feeds.fetch import FETCH_SECONDS, Fetcher

        fetcher = Fetcher(max_bytes=settings.max_article_bytes, seconds=args.fetch_seconds or FETCH_SECONDS)
    store = open_for_writing(args)
    summary, error = None, None
    try:
        if args.engine == "ray":
            from graph.distributed import SHARD_SIZE, ingest_on_ray

            summary = ingest_on_ray(args.paths, store, shard_dir=shard_dir, address=args.address,
                                    shard_size=args.shard_size or SHARD_SIZE, lang=args.lang,
                                    published=published, max_bytes=settings.max_article_bytes,
                                    budget=budget, force=args.force, prefilter=args.prefilter,
                                    pages=args.pages, fetch_seconds=fetcher.seconds if fetcher else None,
                                    state_dir=state_dir, bulk=args.bulk, progress=not args.no_progress)
        else:
            summary = ingest_paths(args.paths, store, progress=not args.no_progress, lang=args.lang,
                                   published=published, max_bytes=settings.max_article_bytes,
                                   workers=args.workers, budget=budget, force=args.force,
                                   prefilter=args.prefilter, pages=args.pages, state_dir=state_dir,
                                   fetch=fetcher)
        compacted = auto_compact(store, settings, forced=args.compact, skipped=args.no_compact,
                                 stored=summary is not None and summary.articles_stored > 0)
        if compacted is not None and not args.json:
            print(compacted, file=sys.stderr)
    except StoreError as exc:
        error = exc
    try:
        store.close()
    except Exception as exc:  # flushing on close can hit a full disk too
        error = error or exc
    if fetcher is not None:
        fetcher.close()
    if error is not None:
        fatal = store_failure(error)
        partial = getattr(error, "summary", None) or summary
        if fatal is None:
            raise error
        if partial is not None:
            print("the run stopped; what it stored before (kept):", file=sys.stderr)
            _print(partial, args.json)
        raise fatal from error
    _print(summary, args.json)
    if summary.articles_read == 0 and not summary.failures and not summary.articles_unchanged \
            and not summary.feed_items_resumed:
        raise InputError("no articles found in the given paths",
                         hint="give .txt, .html, .jsonl, WARC, RSS/Atom or sitemap files, or folders "
                              "holding them")
    return 0 if summary.ok else 1


def auto_compact(store, settings, *, forced: bool, skipped: bool, stored: bool) -> str | None:
    """Compact the embedded store at the end of an ingest: when ``forced`` (--compact), or when the ingest
    ``stored`` articles and the store grew past the settings' policy (``graph.store.oxigraph.
    CompactionPolicy``) unless ``skipped`` (--no-compact). Answers the line to print, or None."""
    from graph.store.oxigraph import CompactionPolicy, compaction_due

    if skipped or not hasattr(store, "compact") or getattr(store, "location", None) is None:
        return None
    policy = CompactionPolicy(settings.auto_compact_percent, settings.auto_compact_min_mb * 2**20)
    if not forced and not (stored and compaction_due(store, policy)):
        return None
    before, after = store.compact(auto=not forced)
    how = "store compacted" if forced else ("store compacted automatically (it grew by "
                                            f"{policy.percent:g} % or more; off: --no-compact or "
                                            "AIDGRAPH_AUTO_COMPACT=off)")
    return f"{how}: {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB on disk"


def _print(summary, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(summary.format())
