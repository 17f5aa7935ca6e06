"""The ingest pipeline: read -> extract -> to_rdf -> SHACL gate -> store.

Each article flows through the stages as an :class:`ArticleDoc`. Accepted triples replace the
article's named graph (the article IRI); rejected fact groups replace ``aidg:quarantine/{id}`` and the
validation report ``aidg:quarantine/{id}/report`` (both dropped when nothing is rejected any more).
A failure in one article is recorded in the summary and never stops the batch or touches what is
already stored.

Articles travel in batches (``batch_size``, default 32): the SHACL gate validates a batch in few
pySHACL calls (:func:`graph.validate.gate_many`) and the store replaces all of a batch's graphs in one
step (:meth:`graph.store.base.Store.replace_graphs`). With ``workers`` > 1, worker processes run
extract -> to_rdf -> gate -> N-Triples for whole batches while this process reads and writes; with
one worker everything runs here (tests, the API, small inputs).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from graph.errors import AidgraphError
from graph.ingest import IngestFailure, expand_paths, read_articles
from graph.model import Article

#: show a progress bar without a terminal once a batch has this many articles
PROGRESS_MIN_ARTICLES = 50
#: articles per gate call and per store transaction
BATCH_SIZE = 32
#: below this many input files, ``workers=None`` runs in one process (starting workers costs ~2 s)
PARALLEL_MIN_ARTICLES = 200
#: at most this many worker processes by default
MAX_DEFAULT_WORKERS = 4


@dataclass(slots=True)
class ArticleDoc:
    """One article on its way through the pipeline; each stage fills in its part.

    ``graphs`` maps each named graph the article writes to its new content (triples, an rdflib graph
    or N-Triples text; empty drops the graph). A doc coming back from a worker process keeps only
    the counts, ``seconds`` and ``graphs`` as N-Triples text (cheap to send between processes).
    """

    article: Article
    extraction: Any = None          # graph.model.Extraction
    article_graph: Any = None       # graph.to_rdf.ArticleGraph
    gate: Any = None                # graph.validate.GateResult
    graphs: dict[str, Any] = field(default_factory=dict)
    facts_accepted: int = 0
    facts_quarantined: int = 0
    triples_stored: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    failure: IngestFailure | None = None

    def slim(self) -> ArticleDoc:
        """The doc without its rdflib objects and text, graphs as N-Triples (what a worker sends back)."""
        from graph.store.convert import as_ntriples

        started = time.perf_counter()
        graphs = {name: as_ntriples(content) for name, content in self.graphs.items()}
        self.seconds["serialise"] = time.perf_counter() - started
        article = Article(id=self.article.id, text="", source=self.article.source)
        return ArticleDoc(article, graphs=graphs, facts_accepted=self.facts_accepted,
                          facts_quarantined=self.facts_quarantined, triples_stored=self.triples_stored,
                          seconds=self.seconds, failure=self.failure)


@dataclass(slots=True)
class IngestSummary:
    """What an ingest run did."""

    articles_read: int = 0
    articles_not_about_aid: int = 0  # read, then passed over by the relevance prefilter
    articles_stored: int = 0
    facts_stored: int = 0
    facts_quarantined: int = 0
    triples_stored: int = 0
    failures: list[IngestFailure] = field(default_factory=list)
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 1

    @property
    def ok(self) -> bool:
        return not self.failures

    def add(self, doc: ArticleDoc) -> None:
        self.articles_stored += 1
        self.facts_stored += doc.facts_accepted
        self.facts_quarantined += doc.facts_quarantined
        self.triples_stored += doc.triples_stored
        for stage, seconds in doc.seconds.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles_read": self.articles_read, "articles_not_about_aid": self.articles_not_about_aid,
            "articles_stored": self.articles_stored,
            "facts_stored": self.facts_stored, "facts_quarantined": self.facts_quarantined,
            "triples_stored": self.triples_stored, "seconds": round(self.seconds, 3),
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            "workers": self.workers,
            "failures": [{"source": f.source, "line": f.line, "reason": f.reason} for f in self.failures],
        }

    def format(self) -> str:
        """A short human summary (several lines)."""
        rate = self.articles_read / self.seconds if self.seconds else 0.0
        lines = [
            f"articles read:      {self.articles_read}",
            *([f"not about military aid (prefilter): {self.articles_not_about_aid}"]
              if self.articles_not_about_aid else []),
            f"articles stored:    {self.articles_stored}",
            f"facts stored:       {self.facts_stored}",
            f"facts quarantined:  {self.facts_quarantined}"
            + ("  (see `aidgraph quarantine`)" if self.facts_quarantined else ""),
            f"failures:           {len(self.failures)}",
            f"time:               {self.seconds:.2f} s ({rate:.1f} articles/s)",
        ]
        lines += [f"  - {failure}" for failure in self.failures]
        return "\n".join(lines)


# --------------------------------------------------------------------------- stages (one article)

def extract_stage(doc: ArticleDoc) -> ArticleDoc:
    """Article -> Extraction."""
    from graph.extract import extract

    doc.extraction = extract(doc.article)
    return doc


def rdf_stage(doc: ArticleDoc) -> ArticleDoc:
    """Extraction -> ArticleGraph (triples grouped per fact)."""
    from graph.to_rdf import to_rdf

    doc.article_graph = to_rdf(doc.extraction)
    return doc


def gate_stage(doc: ArticleDoc) -> ArticleDoc:
    """ArticleGraph -> GateResult: SHACL on the in-memory article graph, split accepted / quarantined."""
    from graph.validate import gate

    doc.gate = gate(doc.article_graph)
    _graphs_stage(doc)
    return doc


def _graphs_stage(doc: ArticleDoc) -> None:
    """GateResult -> the new contents of the article's graph, its quarantine graph and report graph."""
    from graph.vocab import article_iri, quarantine_graph_iri, quarantine_report_iri

    article_id = doc.article.id
    result = doc.gate
    quarantined = result.quarantined_triples
    doc.graphs = {
        str(article_iri(article_id)): result.accepted_triples,
        str(quarantine_graph_iri(article_id)): quarantined,
        str(quarantine_report_iri(article_id)): result.report.graph if quarantined else (),
    }
    doc.facts_accepted, doc.facts_quarantined = result.facts_accepted, result.facts_quarantined
    doc.triples_stored = len(result.accepted_triples)


def store_stage(doc: ArticleDoc, store) -> ArticleDoc:
    """Replace the article's graph and its quarantine graphs in the store (one step)."""
    if not doc.graphs:
        _graphs_stage(doc)
    store.replace_graphs(doc.graphs)
    return doc


# --------------------------------------------------------------------------- batches

def prepare_batch(articles: list[Article]) -> list[ArticleDoc]:
    """Extract, convert and gate a batch of articles; each doc ends with its graphs' N-Triples or a
    failure. Never raises for one article's problem. Runs in worker processes too."""
    from graph.validate import gate, gate_many

    docs = [ArticleDoc(article) for article in articles]
    ready = []
    for doc in docs:
        try:
            for name, stage in (("extract", extract_stage), ("to_rdf", rdf_stage)):
                started = time.perf_counter()
                stage(doc)
                doc.seconds[name] = time.perf_counter() - started
            ready.append(doc)
        except Exception as exc:  # a bug in one stage must not stop the batch
            doc.failure = _failure(doc.article, exc)

    started = time.perf_counter()
    try:
        results = gate_many([doc.article_graph for doc in ready])
    except Exception:  # a bug: gate the articles one by one to find the one that triggers it
        results = []
        for doc in ready:
            try:
                results.append(gate(doc.article_graph))
            except Exception as exc:
                doc.failure = _failure(doc.article, exc)
                results.append(None)
    _share(ready, "gate", time.perf_counter() - started)

    for doc, result in zip(ready, results, strict=True):
        if result is None:
            continue
        try:
            doc.gate = result
            _graphs_stage(doc)
        except Exception as exc:
            doc.failure = _failure(doc.article, exc)
    return docs


def write_batch(docs: list[ArticleDoc], store) -> None:
    """Write the prepared docs' graphs: one store step for the batch, or, when that fails, one step
    per article so that one bad article cannot keep the others out. Failures are set on the docs."""
    writable = [doc for doc in docs if doc.failure is None]
    if not writable:
        return
    started = time.perf_counter()
    try:
        store.replace_graphs({name: text for doc in writable for name, text in doc.graphs.items()})
    except Exception:
        for doc in writable:
            try:
                store.replace_graphs(doc.graphs)
            except Exception as exc:
                doc.failure = _failure(doc.article, exc)
    _share(writable, "store", time.perf_counter() - started)


def _share(docs: list[ArticleDoc], stage: str, seconds: float) -> None:
    """A batch stage's time, shared equally by its articles."""
    for doc in docs:
        doc.seconds[stage] = doc.seconds.get(stage, 0.0) + seconds / max(len(docs), 1)


def _failure(article: Article, exc: Exception) -> IngestFailure:
    source = article.source or article.id
    if isinstance(exc, AidgraphError):
        return IngestFailure(source, str(exc))
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    location = f" (at {Path(where.filename).name}:{where.lineno}; please report it)" if where else ""
    return IngestFailure(source, f"internal error {type(exc).__name__}: {exc}{location}")


def process_article(article: Article, store) -> ArticleDoc:
    """Run one article through every stage into ``store``; raises on failure (nothing half-stored)."""
    doc = ArticleDoc(article)
    for name, stage in (("extract", extract_stage), ("to_rdf", rdf_stage), ("gate", gate_stage)):
        started = time.perf_counter()
        stage(doc)
        doc.seconds[name] = time.perf_counter() - started
    started = time.perf_counter()
    store_stage(doc, store)
    doc.seconds["store"] = time.perf_counter() - started
    return doc


# --------------------------------------------------------------------------- ingest

def ingest_paths(paths: Iterable[str | Path], store, *, progress: bool = True, lang: str | None = None,
                 published: str | None = None, max_bytes: int | None = None, workers: int | None = None,
                 batch_size: int = BATCH_SIZE, prefilter: bool = False) -> IngestSummary:
    """Ingest files and folders into ``store``; returns what was stored and what failed, and why.

    ``workers``: processes running extract -> to_rdf -> gate (None: one for small inputs, else the
    number of CPUs, at most 4; 1: everything in this process). Writes happen here, a batch at a time.
    ``prefilter``: pass over articles that are not about military aid to Ukraine
    (:mod:`graph.relevance`) before extraction; they are counted, and nothing stored for them changes.
    """
    started = time.perf_counter()
    summary = IngestSummary()
    options: dict[str, Any] = {"lang": lang, "published": published}
    if max_bytes is not None:
        options["max_bytes"] = max_bytes
    paths = list(paths)
    workers = workers if workers is not None else default_workers(paths)
    summary.workers = max(1, workers)
    bar = _progress_bar(progress, paths)
    relevant = _relevance_filter() if prefilter else None
    batches = _batches(read_articles(paths, **options), batch_size, summary, relevant)
    try:
        prepared = _prepare_in_workers(batches, workers) if workers > 1 else map(prepare_batch, batches)
        for docs in prepared:
            write_batch(docs, store)
            for doc in docs:
                if doc.failure is not None:
                    summary.failures.append(doc.failure)
                else:
                    summary.add(doc)
            if bar is not None:
                bar.update(len(docs))
    finally:
        if bar is not None:
            bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _relevance_filter():
    from graph.relevance import relevance_filter

    return relevance_filter()


def default_workers(paths: list) -> int:
    """One process for small inputs, else the CPUs this process may use (at most 4)."""
    files = [p for p in expand_paths(paths) if isinstance(p, Path)]
    streams = any(p.suffix.lower() == ".jsonl" for p in files)
    if not streams and len(files) < PARALLEL_MIN_ARTICLES:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


def _batches(items: Iterable[Article | IngestFailure], size: int, summary: IngestSummary,
             relevant=None) -> Iterator[list[Article]]:
    """Articles in lists of ``size``; unreadable inputs go straight to the summary's failures, and
    articles that ``relevant`` (the prefilter, when on) rejects to its count of articles not about aid."""
    batch: list[Article] = []
    for item in items:
        if isinstance(item, IngestFailure):
            summary.failures.append(item)
            continue
        summary.articles_read += 1
        if relevant is not None and not relevant(item):
            summary.articles_not_about_aid += 1
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prepare_in_workers(batches: Iterator[list[Article]], workers: int) -> Iterator[list[ArticleDoc]]:
    """prepare_batch in ``workers`` processes, results in input order, at most 2 batches per worker
    in flight (memory stays flat). A crashed worker fails its batch's articles, not the run."""
    context = get_context("spawn")  # no fork: this process may hold store threads and locks
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    pending: deque = deque()
    try:
        for batch in batches:
            pending.append((batch, pool.submit(_prepare_slim, batch)))
            while len(pending) >= 2 * workers:
                docs, pool = _collect(pending.popleft(), pool, workers, context)
                yield docs
        while pending:
            docs, pool = _collect(pending.popleft(), pool, workers, context)
            yield docs
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _prepare_slim(articles: list[Article]) -> list[ArticleDoc]:
    return [doc.slim() for doc in prepare_batch(articles)]


def _collect(entry, pool: ProcessPoolExecutor, workers: int, context):
    batch, future = entry
    try:
        return future.result(), pool
    except BrokenProcessPool as exc:
        pool.shutdown(wait=False, cancel_futures=True)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        return _failed(batch, exc), pool
    except Exception as exc:
        return _failed(batch, exc), pool


def _failed(batch: list[Article], exc: Exception) -> list[ArticleDoc]:
    return [ArticleDoc(article, failure=IngestFailure(article.source or article.id,
                                                      f"worker process failed: {type(exc).__name__}: {exc}"))
            for article in batch]


def _progress_bar(enabled: bool, paths: list):
    """A tqdm bar on stderr: on a terminal, or without one when the batch is large (then less often)."""
    if not enabled:
        return None
    from tqdm import tqdm

    files = [p for p in expand_paths(paths) if isinstance(p, Path)]
    total = None if any(p.suffix.lower() == ".jsonl" for p in files) else len(files)
    if sys.stderr.isatty():
        return tqdm(total=total, unit=" articles", file=sys.stderr, mininterval=0.5, delay=1.0)
    if total is None or total >= PROGRESS_MIN_ARTICLES:
        return tqdm(total=total, unit=" articles", file=sys.stderr, mininterval=10.0, ascii=True)
    return None
