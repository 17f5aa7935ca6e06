"""Ingest on a Ray cluster: one task per input shard, one writer (``aidgraph ingest --engine ray``).

The inputs are cut into *shards* (:func:`plan_shards`: up to ``shard_size`` files each; a JSONL or feed
file is a shard of its own). Each shard runs as one Ray task (:func:`run_shard`): read -> prefilter -> extract
-> to RDF -> SHACL gate, the same :func:`graph.pipeline.prepare_batch` as a local ingest, under the
same per-article budget (a :class:`graph.workers.ArticlePool` of one process inside the task). The task
returns the shard's graphs as N-Quads and a manifest (which graphs each article writes, its counts,
the failures). The driver, the only writer (RocksDB takes one), saves them in the shard folder:

* ``{id}.nq`` the quads, then ``{id}.json`` the manifest, each written to a temporary name and
  renamed: the manifest is the shard's completion marker;
* ``{id}.loaded`` once the shard is in the store (it names the store).

and loads each finished shard, in input order, with :meth:`Store.replace_graphs`, a batch of articles
per transaction, so the default graph (the merge) stays exact exactly as in a local ingest.
``bulk=True`` loads with :func:`bulk_load_shards` instead (see there for what it gives up). A rerun
after a crash skips the shards that are loaded and loads without recomputing the shards that are
finished; ``force`` recomputes all.

Feeds (WARC, RSS/Atom, sitemaps) are read as in a local ingest (:class:`FeedOptions`: the local pages,
opt-in fetching; the early prefilter), and with a ``state_dir`` their resume state
(:mod:`graph.feeds.state`) is the one a local ingest keeps: a feed done is skipped, a feed read part-way
is a shard that starts where the state says, and the state is saved once its shard is loaded.

A shard's id is a hash of its inputs (paths, sizes, modification times), the read options and
:func:`graph.pipeline.pipeline_fingerprint`: a changed file or another aidgraph makes a new shard.
Every node must read the inputs at the same paths (a shared file system) and run the same aidgraph;
the shards travel back through Ray's object store, so the shard folder is only needed by the driver.
Unlike a local ingest, articles are not skipped one by one as unchanged (shards are), and a file
stored earlier under another id is not recognised: ingest one folder per run to keep ids stable.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError, StoreError, store_failure
from graph.ingest import JSONL_SUFFIXES, IngestFailure, InputFile, expand_inputs

#: input files per shard (a JSONL file is always a shard of its own)
SHARD_SIZE = 64
#: the shared-memory object store of a local Ray instance started for a run (Ray's minimum is 75 MB)
LOCAL_OBJECT_STORE_BYTES = 256 * 2**20
#: articles per store transaction when a shard is loaded
LOAD_BATCH = 32


@dataclass(frozen=True, slots=True)
class Shard:
    """Input files processed by one task, and the id its outputs are saved under; a feed file's shard
    starts where its resume state says an earlier run got to (``start``: the cursor's position and items)."""

    id: str
    inputs: tuple[InputFile, ...]
    start: tuple[int, int] = (0, 0)


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """How a task reads feed inputs, as ``aidgraph ingest --pages/--fetch`` (:mod:`graph.feeds`): the local
    ``pages`` that sitemaps and RSS items name, and, when ``fetch_seconds`` is set, fetching the pages
    without a local copy (each within that time)."""

    pages: tuple[str, ...] = ()
    fetch_seconds: float | None = None


@dataclass(slots=True)
class ShardResult:
    """What a task sends back: the shard's graphs as N-Quads and its manifest (JSON-ready)."""

    nquads: bytes
    manifest: dict[str, Any] = field(default_factory=dict)


def plan_shards(inputs: Iterable[InputFile], options: Mapping[str, Any], *, shard_size: int = SHARD_SIZE,
                prefilter: bool = False, feeds: FeedOptions | None = None,
                starts: Mapping[Path, tuple[int, int]] | None = None) -> list[Shard]:
    """Cut ``inputs`` into shards of up to ``shard_size`` files, in order (JSONL and feed files alone);
    ``starts``: where reading a feed file resumes (its cursor's position and items; default the start)."""
    from graph.pipeline import pipeline_fingerprint

    if shard_size < 1:
        raise InputError(f"the shard size must be 1 or more, not {shard_size}", hint="e.g. --shard-size 64")
    groups: list[list[InputFile]] = []
    current: list[InputFile] = []
    for item in inputs:
        if item.suffix in JSONL_SUFFIXES or item.is_feed:
            groups.append([item])
            continue
        current.append(item)
        if len(current) >= shard_size:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    feeds = feeds or FeedOptions()
    settings = json.dumps({key: str(value) for key, value in sorted(options.items())} | {
        "prefilter": prefilter, "version": pipeline_fingerprint(), "pages": sorted(feeds.pages),
        "fetch": feeds.fetch_seconds}, sort_keys=True)
    starts = starts or {}
    shards = []
    for group in groups:
        start = starts.get(group[0].path, (0, 0)) if group[0].is_feed else (0, 0)
        shards.append(Shard(_shard_id(group, settings, start), tuple(group), start))
    return shards


def _shard_id(group: list[InputFile], settings: str, start: tuple[int, int]) -> str:
    digest = hashlib.sha256(f"{settings}\t{start}".encode())
    for item in group:
        info = item.path.stat()
        digest.update(f"\n{os.path.realpath(item.path)}\t{item.root}\t{info.st_size}\t{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:20]


def run_shard(shard: Shard, options: dict[str, Any], prefilter: bool, budget=None,
              feeds: FeedOptions | None = None) -> ShardResult:
    """One shard through read -> prefilter -> extract -> to RDF -> gate (runs in a Ray worker).

    The articles are prepared by one worker process under ``budget`` (a
    :class:`graph.workers.ArticleBudget`), so one article that hangs or eats memory fails alone. A feed
    file is read from ``shard.start`` with ``feeds`` and the early prefilter, as a local ingest reads it;
    the manifest then holds the feed's cursor at the end (``cursor``), for its resume state.
    """
    import pyoxigraph as ox

    from graph.feeds import Cursor, PassedOver
    from graph.ingest import read_input
    from graph.pipeline import BATCH_SIZE

    relevant = None
    if prefilter:
        from graph.relevance import relevance_filter

        relevant = relevance_filter()
    manifest: dict[str, Any] = {"articles": [], "failures": [], "read": 0, "not_about_aid": 0, "repeated": 0}
    quads: list = []
    cursor = Cursor(*shard.start)
    feed_options, fetcher = _feed_reading(shard, options, prefilter, feeds or FeedOptions())
    seen: dict[str, str] = {}

    def batches():
        batch = []
        for item in shard.inputs:
            extra = dict(feed_options, cursor=cursor) if item.is_feed else {}
            for article in read_input(item, **options, **extra):
                if isinstance(article, IngestFailure):
                    manifest["failures"].append(_failure_record(article))
                    continue
                if not isinstance(article, PassedOver) and article.id in seen:
                    if item.is_feed:  # a URL read again: read once
                        manifest["repeated"] += 1
                    else:
                        manifest["failures"].append(_failure_record(_taken(
                            article.source or article.id, article.id, seen[article.id])))
                    continue
                manifest["read"] += 1
                if isinstance(article, PassedOver) or (relevant is not None and not relevant(article)):
                    manifest["not_about_aid"] += 1
                    continue
                seen[article.id] = article.source or article.id
                batch.append(article)
                if len(batch) >= BATCH_SIZE:
                    yield batch
                    batch = []
        if batch:
            yield batch

    try:
        _prepare(batches(), budget, manifest, quads, feed=any(item.is_feed for item in shard.inputs))
    finally:
        if fetcher is not None:
            fetcher.close()
    if any(item.is_feed for item in shard.inputs):
        manifest["cursor"] = {"position": cursor.position, "items": cursor.items, "done": cursor.done}
    return ShardResult(ox.serialize(quads, format=ox.RdfFormat.N_QUADS), manifest)


def _feed_reading(shard: Shard, options: Mapping[str, Any], prefilter: bool, feeds: FeedOptions):
    """The feed reading options of a shard (local pages, fetching, the early prefilter) and its fetcher."""
    if not any(item.is_feed for item in shard.inputs):
        return {}, None
    from graph.config import DEFAULT_MAX_ARTICLE_BYTES
    from graph.feeds.pages import LocalPages
    from graph.pipeline import early_prefilter

    fetcher = None
    if feeds.fetch_seconds is not None:
        from graph.feeds.fetch import Fetcher

        fetcher = Fetcher(max_bytes=options.get("max_bytes", DEFAULT_MAX_ARTICLE_BYTES),
                          seconds=feeds.fetch_seconds)
    pages = LocalPages(feeds.pages, fetcher) if feeds.pages or fetcher else None
    return {"pages": pages, "prefilter": early_prefilter() if prefilter else None}, fetcher


def _prepare(batches, budget, manifest: dict[str, Any], quads: list, *, feed: bool) -> None:
    """Extract, convert and gate ``batches`` in one worker process; graphs into ``quads``, articles and
    failures into ``manifest`` (``feed``: the articles are items of a feed)."""
    import pyoxigraph as ox

    from graph.workers import ArticleBudget, ArticlePool

    with ArticlePool(1, budget or ArticleBudget()) as pool:
        for docs in pool.map(batches):
            for doc in docs:
                if doc.failure is not None:
                    manifest["failures"].append(_failure_record(doc.failure))
                    continue
                for name, text in doc.graphs.items():
                    if text.strip():
                        graph = ox.NamedNode(name)
                        quads.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in
                                     ox.parse(text, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=True))
                manifest["articles"].append({
                    "id": doc.article.id, "source": doc.article.source, "graphs": list(doc.graphs),
                    "feed": feed,
                    "facts_accepted": doc.facts_accepted, "facts_quarantined": doc.facts_quarantined,
                    "triples_stored": doc.triples_stored, "seconds": doc.seconds})


def _failure_record(failure: IngestFailure) -> dict[str, Any]:
    return {"source": failure.source, "reason": failure.reason, "line": failure.line}


def _taken(where: str, article_id: str, first: str) -> IngestFailure:
    return IngestFailure(where, f"article id {article_id!r} is already taken in this run by {first}; "
                                "refused (give one of them another id or name)")


# --------------------------------------------------------------------------- the shard folder

class ShardFolder:
    """The driver's record of the shards: outputs, completion markers and loaded markers."""

    def __init__(self, path: str | Path, store_name: str) -> None:
        self.path = Path(path)
        self.store_name = store_name
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the shard folder {self.path}: {exc}",
                             hint="pass --shard-dir DIR on a writable disk") from exc

    def quads_path(self, shard_id: str) -> Path:
        return self.path / f"{shard_id}.nq"

    def finished(self, shard_id: str) -> bool:
        """Whether the shard's outputs are complete (its manifest, written last, is there)."""
        return (self.path / f"{shard_id}.json").exists() and self.quads_path(shard_id).exists()

    def loaded(self, shard_id: str) -> bool:
        """Whether the shard was loaded into this store."""
        marker = self.path / f"{shard_id}.loaded"
        return marker.exists() and marker.read_text().strip() == self.store_name

    def save(self, shard_id: str, result: ShardResult) -> None:
        """Write the quads, then the manifest (the completion marker), each atomically."""
        _write_atomically(self.quads_path(shard_id), result.nquads)
        _write_atomically(self.path / f"{shard_id}.json",
                          json.dumps(result.manifest, ensure_ascii=False).encode("utf-8"))

    def manifest(self, shard_id: str) -> dict[str, Any]:
        return json.loads((self.path / f"{shard_id}.json").read_text(encoding="utf-8"))

    def mark_loaded(self, shard_id: str) -> None:
        _write_atomically(self.path / f"{shard_id}.loaded", (self.store_name + "\n").encode())


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".part")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def default_shard_dir(store_location: str | Path) -> Path:
    """Where the shards of a store on disk are kept by default: ``STORE.shards`` beside it."""
    location = Path(store_location)
    return location.with_name(location.name + ".shards")


# --------------------------------------------------------------------------- loading (the one writer)

def shard_graphs(path: Path, manifest: Mapping[str, Any]) -> list[dict[str, list]]:
    """Per article of a shard, the new content of each graph it writes (empty lists drop a graph)."""
    import pyoxigraph as ox

    by_graph: dict[str, list] = {}
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
    return [{name: by_graph.get(name, []) for name in article["graphs"]} for article in manifest["articles"]]


def load_shard(store, path: Path, manifest: Mapping[str, Any], accepted: Callable[[dict], bool]) -> None:
    """Replace the graphs of a shard's articles, LOAD_BATCH articles per transaction (merge kept exact).

    ``accepted(article)`` decides per manifest entry whether it is written (duplicate ids are not).
    """
    entries = list(zip(manifest["articles"], shard_graphs(path, manifest), strict=True))
    chosen = [graphs for article, graphs in entries if accepted(article)]
    for start in range(0, len(chosen), LOAD_BATCH):
        store.replace_graphs({name: triples for graphs in chosen[start:start + LOAD_BATCH]
                              for name, triples in graphs.items()})


def bulk_load_shards(store, shards: list[tuple[Path, Mapping[str, Any]]],
                     accepted: Callable[[dict], bool]) -> None:
    """The backfill path: pyoxigraph's bulk loader, then one rebuild of the default graph.

    The articles' old graphs are cleared, each shard's N-Quads go in with ``bulk_load`` (RocksDB SST
    files written directly, no transaction log), then the merge is recomputed once from all named
    graphs (:meth:`OxigraphStore.rebuild_default_graph`) and the store is rewritten compressed
    (:meth:`OxigraphStore.compact`).
    What it gives up: a load is not atomic (a crash leaves a shard half-loaded: its loaded marker is
    not written, so the rerun loads it again, and the store counts as outdated until its default graph
    is rebuilt, which the next open for writing does); the rebuild reads every named graph of the store,
    so the bulk path pays off for backfills into a fresh or small store, not for small increments;
    only the embedded Oxigraph store has it, and nothing else may use the store meanwhile.
    """
    import pyoxigraph as ox

    native = getattr(store, "native", None)
    if native is None or not hasattr(store, "rebuild_default_graph"):
        raise StoreError(f"the {store.name} store has no bulk loader",
                         hint="use the embedded oxigraph store, or leave out --bulk")
    store.mark_outdated()
    for path, manifest in shards:
        for article in manifest["articles"]:
            for name in article["graphs"]:
                native.clear_graph(ox.NamedNode(name))
        keep = [accepted(article) for article in manifest["articles"]]
        if all(keep):
            native.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        else:  # leave out the refused articles' quads
            graphs = [graphs for kept, graphs in zip(keep, shard_graphs(path, manifest), strict=True) if kept]
            native.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
                               for article_graphs in graphs for name, triples in article_graphs.items()
                               for t in triples)
    store.rebuild_default_graph()
    del native  # compact() reopens the store: RocksDB's lock goes only with the last reference to it
    store.compact()


# --------------------------------------------------------------------------- the driver

def ingest_on_ray(paths: Iterable[str | Path], store, *, shard_dir: str | Path, address: str | None = None,
                  shard_size: int = SHARD_SIZE, lang: str | None = None, published: str | None = None,
                  max_bytes: int | None = None, budget=None, force: bool = False, prefilter: bool = False,
                  pages: Iterable[str | Path] = (), fetch_seconds: float | None = None,
                  state_dir: str | Path | None = None, bulk: bool = False, progress: bool = True,
                  num_cpus: int | None = None):
    """Ingest ``paths`` on Ray (see the module docstring); returns a :class:`graph.pipeline.IngestSummary`.

    ``address``: the cluster to join (``ray://HOST:10001``, ``HOST:6379`` or "auto"); None starts a
    local Ray instance with ``num_cpus`` CPUs for the run. ``store`` must be opened for writing here:
    this process is the only writer. Feeds read as in :func:`graph.pipeline.ingest_paths`: ``pages``
    (the local copies of the pages sitemaps and RSS items name), ``fetch_seconds`` (fetch the pages
    without a local copy, each within that time; None: no fetching), ``prefilter`` checks a page before
    its main text is extracted, and ``state_dir`` keeps the same resume state per feed input (a feed
    done is skipped, one read part-way resumes where it stopped, whichever engine read it).
    """
    from graph.pipeline import IngestSummary

    started = time.perf_counter()
    summary = IngestSummary()
    options: dict[str, Any] = {"lang": lang, "published": published}
    if max_bytes is not None:
        options["max_bytes"] = max_bytes
    feeds = FeedOptions(tuple(str(page) for page in pages), fetch_seconds)
    states = None
    if state_dir is not None:
        from graph.feeds.state import run_states

        states = run_states(state_dir, lang=lang, published=published, prefilter=prefilter,
                            pages=feeds.pages, fetch=fetch_seconds is not None)
    files: list[InputFile] = []
    starts: dict[Path, tuple[int, int]] = {}
    for item in expand_inputs(paths):
        if isinstance(item, IngestFailure):
            summary.failures.append(item)
            continue
        if item.is_feed and states is not None:
            if force:
                states.forget(item.path)
            cursor = states.cursor(item.path)
            summary.feed_items_resumed += cursor.items
            if cursor.done:
                continue
            starts[item.path] = (cursor.position, cursor.items)
        files.append(item)
    shards = plan_shards(files, options, shard_size=shard_size, prefilter=prefilter, feeds=feeds,
                         starts=starts)
    folder = ShardFolder(shard_dir, _store_name(store))
    todo = [shard for shard in shards if force or not folder.loaded(shard.id)]
    summary.articles_unchanged = _count_loaded(folder, shards, todo)
    seen: dict[str, str] = {}
    bar = _bar(progress, len(shards), len(shards) - len(todo))
    finished_now: list[tuple[Path, dict]] = []

    def accept(article: dict) -> bool:
        if article["id"] in seen and article.get("feed"):  # a URL read again: read once, as locally
            summary.articles_repeated += 1
            summary.articles_read -= 1
            return False
        if article["id"] in seen:
            summary.failures.append(_taken(article["source"] or article["id"], article["id"],
                                           seen[article["id"]]))
            return False
        seen[article["id"]] = article["source"] or article["id"]
        return True

    def write(shard: Shard) -> None:
        manifest = folder.manifest(shard.id)
        _count(summary, manifest)
        if bulk:
            finished_now.append((folder.quads_path(shard.id), manifest))
        else:
            try:
                load_shard(store, folder.quads_path(shard.id), manifest, accept)
            except StoreError as exc:
                exc.summary = summary
                raise
            except Exception as exc:
                if (fatal := store_failure(exc)) is not None:
                    fatal.summary = summary
                    raise fatal from exc
                raise
            _add_articles(summary, manifest, seen)
            folder.mark_loaded(shard.id)
            _save_feed_state(states, shard, manifest)
        if bar is not None:
            bar.update(1)

    ready: set[str] = set()
    loaded = 0

    def saved(shard_id: str | None = None) -> None:
        """Load the shards in input order as their outputs are ready (the article that wins a repeated id
        is the one a local ingest keeps)."""
        nonlocal loaded
        if shard_id is not None:
            ready.add(shard_id)
        while loaded < len(todo) and todo[loaded].id in ready:
            write(todo[loaded])
            loaded += 1

    from graph.pipeline import deferred_read_model

    try:
        with deferred_read_model(store, summary):  # one read-model refresh for every shard loaded
            pending = [shard for shard in todo if force or not folder.finished(shard.id)]
            # the shards finished before a crash are loaded without recomputing them
            ready.update(shard.id for shard in todo if shard not in pending)
            saved()
            if pending:
                _run_on_ray(pending, folder, options, prefilter, budget, feeds, address, num_cpus, saved)
            if bulk and finished_now:
                bulk_load_shards(store, finished_now, accept)
                for _path, manifest in finished_now:
                    _add_articles(summary, manifest, seen)
                for shard in todo:
                    folder.mark_loaded(shard.id)
                    _save_feed_state(states, shard, folder.manifest(shard.id))
    finally:
        if bar is not None:
            bar.close()
        summary.seconds = time.perf_counter() - started
    summary.warn_languages()
    from graph.pipeline import refresh_commitments

    refresh_commitments(summary, store)
    return summary


def _run_on_ray(pending: list[Shard], folder: ShardFolder, options: dict, prefilter: bool, budget,
                feeds: FeedOptions, address: str | None, num_cpus: int | None,
                saved: Callable[[str], None]) -> None:
    try:
        import ray
    except ImportError as exc:
        raise InputError("--engine ray needs Ray, which is not installed",
                         hint="install aidgraph with its extra: pip install 'aidgraph[distributed]'") from exc
    started_here = not ray.is_initialized()
    if started_here:
        init: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                "logging_level": "WARNING"}
        if address is not None:
            init["address"] = address
        else:  # a local instance for this run: a small shared-memory object store (shards are small)
            init["object_store_memory"] = LOCAL_OBJECT_STORE_BYTES
            if num_cpus is not None:
                init["num_cpus"] = num_cpus
        try:
            ray.init(**init)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise InputError(f"cannot reach the Ray cluster {address or '(local)'}: {exc}",
                             hint="start it with `ray start --head` and pass --address HOST:6379") from exc
    try:
        task = ray.remote(max_retries=2)(run_shard)
        running = {task.remote(shard, options, prefilter, budget, feeds): shard for shard in pending}
        while running:
            ready, _ = ray.wait(list(running), num_returns=1)
            shard = running.pop(ready[0])
            try:
                result = ray.get(ready[0])
            except ray.exceptions.RayError as exc:
                raise StoreError(
                    f"the Ray task of shard {shard.id} ({shard.inputs[0].path} ...) failed: {exc}",
                    hint="the finished shards are kept: run the same command again to resume") from exc
            folder.save(shard.id, result)
            saved(shard.id)
    finally:
        if started_here:
            ray.shutdown()


def _save_feed_state(states, shard: Shard, manifest: Mapping[str, Any]) -> None:
    """Record where a loaded feed shard's reading ended in the feed's resume state."""
    if states is not None and "cursor" in manifest:
        from graph.feeds import Cursor

        states.save(shard.inputs[0].path, Cursor(**manifest["cursor"]))


def _store_name(store) -> str:
    location = getattr(store, "location", None) or getattr(store, "endpoint", None)
    return f"{store.name}:{Path(location).resolve() if isinstance(location, Path) else location}"


def _count_loaded(folder: ShardFolder, shards: list[Shard], todo: list[Shard]) -> int:
    skipped = [shard for shard in shards if shard not in todo]
    return sum(len(folder.manifest(shard.id)["articles"]) for shard in skipped if folder.finished(shard.id))


def _count(summary, manifest: Mapping[str, Any]) -> None:
    summary.articles_read += manifest["read"]
    summary.articles_not_about_aid += manifest["not_about_aid"]
    summary.articles_repeated += manifest.get("repeated", 0)
    summary.failures.extend(IngestFailure(failure["source"], failure["reason"], failure.get("line"))
                            for failure in manifest["failures"])


def _add_articles(summary, manifest: Mapping[str, Any], seen: Mapping[str, str]) -> None:
    for article in manifest["articles"]:
        if seen.get(article["id"]) != (article["source"] or article["id"]):
            continue
        summary.articles_stored += 1
        summary.facts_stored += article["facts_accepted"]
        summary.facts_quarantined += article["facts_quarantined"]
        summary.triples_stored += article["triples_stored"]
        for stage, seconds in article["seconds"].items():
            summary.stage_seconds[stage] = summary.stage_seconds.get(stage, 0.0) + seconds


def _bar(enabled: bool, total: int, done: int):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit=" shards", file=sys.stderr, disable=None, mininterval=1.0)
