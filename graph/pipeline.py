"""The ingest pipeline: read -> extract -> to_rdf -> SHACL gate -> store.

Each article flows through the stages as an :class:`ArticleDoc`. Accepted triples replace the
article's named graph (the article IRI); rejected fact groups replace ``aidg:quarantine/{id}`` and the
validation report ``aidg:quarantine/{id}/report`` (both dropped when nothing is rejected any more).
A failure in one article is recorded in the summary and never stops the batch or touches what is
already stored.

Articles travel in batches (``batch_size``, default 32): the SHACL gate validates a batch in few
pySHACL calls (:func:`graph.validate.gate_many`) and the store replaces all of a batch's graphs in one
step (:meth:`graph.store.base.Store.replace_graphs`). Worker processes (``workers``, at least one) run
extract -> to_rdf -> gate -> N-Triples under a per-article time and memory budget
(:class:`graph.workers.ArticlePool`) while this process reads and writes; ``workers=0`` runs everything
here, without a budget (library callers and tests).

Every article graph records what it was made from: ``schema:sha256`` of the article (text and
metadata), ``dcterms:source`` (the ``file:`` IRI it was read from) and, on its extraction run,
``schema:softwareVersion`` (a fingerprint of aidgraph's code and data). A rerun skips the articles stored
unchanged by the same aidgraph (``force`` re-ingests them), so an interrupted ingest resumes where it
stopped. A file stored before keeps its id whichever folder is named to reach it. Two inputs with
the same id in one run, or an input whose id is stored from another file that
still exists, are refused (the later one) with a message naming both: a collision never replaces another
article. Disk full and a corrupted store stop the run at once (:class:`graph.errors.DiskFullError`,
:class:`graph.errors.StoreCorruptedError`, carrying the summary of what was stored).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from graph.errors import AidgraphError, StoreError, store_failure
from graph.feeds import has_feed_suffix
from graph.ingest import IngestFailure, InputFile, expand_inputs, read_input
from graph.model import ID_FOLDER_SEPARATOR, Article

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


def slim_doc(doc: ArticleDoc) -> ArticleDoc:
    """``doc.slim()``, or a slim doc carrying the failure when serialising fails (never raises for one
    article, so one article's problem cannot fail its batch)."""
    try:
        return doc.slim()
    except Exception as exc:
        article = Article(id=doc.article.id, text="", source=doc.article.source)
        return ArticleDoc(article, failure=_failure(doc.article, exc))


@dataclass(slots=True)
class IngestSummary:
    """What an ingest run did."""

    articles_read: int = 0
    articles_not_about_aid: int = 0  # read, then passed over by the relevance prefilter
    articles_stored: int = 0
    articles_unchanged: int = 0
    articles_repeated: int = 0  # feed items whose URL was already read in this run (read once)
    feed_items_resumed: int = 0  # feed items done by an earlier run, skipped by the resume state
    facts_stored: int = 0
    facts_quarantined: int = 0
    triples_stored: int = 0
    failures: list[IngestFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # language code (None: undetermined) -> (articles, first source) for languages without extraction data
    unsupported_languages: dict[str | None, tuple[int, str]] = field(default_factory=dict)
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 1
    commitments: Any = None  # graph.commitments.RecomputeSummary when the derived graph was recomputed

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

    def note_language(self, article: Article) -> None:
        """Count an article whose language extraction has no data for."""
        from graph.language import is_supported

        if not is_supported(article.lang):
            count, first = self.unsupported_languages.get(article.lang, (0, article.source or article.id))
            self.unsupported_languages[article.lang] = (count + 1, first)

    def warn_languages(self) -> None:
        """One warning per unsupported language met (how many articles, one example, the reason)."""
        from graph.language import unsupported_reason

        for lang, (count, first) in sorted(self.unsupported_languages.items(), key=lambda kv: str(kv[0])):
            self.warnings.append(f"{count} article(s) (e.g. {first}): {unsupported_reason(lang)}; "
                                 "give the language with --lang if detection was wrong")

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles_read": self.articles_read, "articles_not_about_aid": self.articles_not_about_aid,
            "articles_stored": self.articles_stored, "articles_unchanged": self.articles_unchanged,
            "articles_repeated": self.articles_repeated, "feed_items_resumed": self.feed_items_resumed,
            "facts_stored": self.facts_stored, "facts_quarantined": self.facts_quarantined,
            "triples_stored": self.triples_stored, "seconds": round(self.seconds, 3),
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            "workers": self.workers,
            "failures": [{"source": f.source, "line": f.line, "reason": f.reason} for f in self.failures],
            "warnings": list(self.warnings),
            **({"commitments": self.commitments.to_dict()} if self.commitments else {}),
        }

    def format(self) -> str:
        """A short human summary (several lines)."""
        rate = self.articles_read / self.seconds if self.seconds else 0.0
        lines = [
            f"articles read:      {self.articles_read}",
            *([f"not about military aid (prefilter): {self.articles_not_about_aid}"]
              if self.articles_not_about_aid else []),
            f"articles stored:    {self.articles_stored}",
        ]
        if self.articles_unchanged:
            lines.append(f"articles unchanged: {self.articles_unchanged}  (stored before; skipped, --force "
                         "re-ingests them)")
        if self.articles_repeated:
            lines.append(f"articles repeated:  {self.articles_repeated}  (a URL read again in this run; read "
                         "once)")
        if self.feed_items_resumed:
            lines.append(f"feed items resumed: {self.feed_items_resumed}  (done by an earlier run; skipped, "
                         "--force re-reads them)")
        lines += [
            f"facts stored:       {self.facts_stored}",
            f"facts quarantined:  {self.facts_quarantined}"
            + ("  (see `aidgraph quarantine`)" if self.facts_quarantined else ""),
            f"failures:           {len(self.failures)}",
            f"time:               {self.seconds:.2f} s ({rate:.1f} articles/s)",
        ]
        if self.commitments:
            c = self.commitments
            lines.append(f"commitments:        {c.commitments} from {c.claims} claims, {c.contradictions} "
                         f"with contradictions, {c.duplicate_articles} near-duplicate articles "
                         f"({c.seconds:.2f} s)")
        lines += [f"  - {failure}" for failure in self.failures]
        lines += [f"warning: {warning}" for warning in self.warnings]
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
        str(article_iri(article_id)): result.accepted_triples | provenance_triples(doc.article),
        str(quarantine_graph_iri(article_id)): quarantined,
        str(quarantine_report_iri(article_id)): result.report.graph if quarantined else (),
    }
    doc.facts_accepted, doc.facts_quarantined = result.facts_accepted, result.facts_quarantined
    doc.triples_stored = len(result.accepted_triples)


def provenance_triples(article: Article) -> set[tuple]:
    """What the article graph records about its making: the article's content hash, where it was read,
    and the fingerprint of the aidgraph that made it (on the extraction run)."""
    from rdflib import Literal, URIRef

    from graph.duplicates import signature
    from graph.vocab import AID, DCTERMS, SCHEMA, article_iri, run_iri

    iri = article_iri(article.id)
    triples = {(iri, SCHEMA.sha256, Literal(content_hash(article))),
               (run_iri(article.id), SCHEMA.softwareVersion, Literal(pipeline_fingerprint()))}
    if article.location:
        triples.add((iri, DCTERMS.source, URIRef(article.location)))
    minhash = signature(article.text or "")
    if minhash:
        triples.add((iri, AID.minhash, Literal(minhash)))
    return triples


def content_hash(article: Article) -> str:
    """SHA-256 of what an article is: its id, text and metadata (not where it was read)."""
    published = article.published.isoformat() if article.published else None
    record = [article.id, article.text, article.lang, published, article.publisher, article.url,
              article.title]
    return hashlib.sha256(json.dumps(record, ensure_ascii=False).encode("utf-8")).hexdigest()


@functools.cache
def pipeline_fingerprint() -> str:
    """16 hex digits of a hash of aidgraph's code and data (``graph/``, shapes, ontology): articles
    stored by another version are not skipped as unchanged."""
    root = Path(__file__).resolve().parent
    files = [*root.rglob("*.py"), *root.rglob("*.json"), *(root.parent / "shapes").glob("*.ttl"),
             *(root.parent / "ontology").rglob("*.ttl")]
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(root.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def store_stage(doc: ArticleDoc, store) -> ArticleDoc:
    """Replace the article's graph and its quarantine graphs in the store (one step)."""
    if not doc.graphs:
        _graphs_stage(doc)
    store.replace_graphs(doc.graphs)
    return doc


# --------------------------------------------------------------------------- batches

def warm_up() -> None:
    """Load what extraction and the gate load on first use (lexicons, gazetteers, shapes), so that a worker
    process's first article is not charged for it."""
    import pyoxigraph  # noqa: F401  native libraries mapped before a worker's memory budget applies

    from graph import duplicates  # noqa: F401  (numpy)

    with contextlib.suppress(Exception):  # only a head start: a real article reports its own problems
        prepare_batch([Article(id="warm-up", text="-", lang="en")])


def prepare_batch(articles: list[Article],
                  progress: Callable[[str, int | None], None] | None = None) -> list[ArticleDoc]:
    """Extract, convert and gate a batch of articles; each doc ends with its graphs' N-Triples or a
    failure. Never raises for one article's problem. Runs in worker processes too, where ``progress``
    reports each stage entered (``("extract", index)``, ``("gate", None)``) for the budget's deadlines."""
    from graph.validate import gate, gate_many

    docs = [ArticleDoc(article) for article in articles]
    ready = []
    for index, doc in enumerate(docs):
        if progress is not None:
            progress("extract", index)
        try:
            for name, stage in (("extract", extract_stage), ("to_rdf", rdf_stage)):
                started = time.perf_counter()
                stage(doc)
                doc.seconds[name] = time.perf_counter() - started
            ready.append(doc)
        except Exception as exc:  # a bug in one stage must not stop the batch
            doc.failure = _failure(doc.article, exc)

    if progress is not None:
        progress("gate", None)
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
    except Exception as exc:
        if (fatal := store_failure(exc)) is not None:
            raise fatal from exc
        for doc in writable:
            try:
                store.replace_graphs(doc.graphs)
            except Exception as exc:
                if (fatal := store_failure(exc)) is not None:
                    raise fatal from exc
                doc.failure = _failure(doc.article, exc)
    _share(writable, "store", time.perf_counter() - started)


def _share(docs: list[ArticleDoc], stage: str, seconds: float) -> None:
    """A batch stage's time, shared equally by its articles."""
    for doc in docs:
        doc.seconds[stage] = doc.seconds.get(stage, 0.0) + seconds / max(len(docs), 1)


def _failure(article: Article, exc: BaseException) -> IngestFailure:
    source = article.source or article.id
    if isinstance(exc, AidgraphError):
        return IngestFailure(source, str(exc))
    if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM):
        from graph.workers import memory_message

        return IngestFailure(source, memory_message())
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
                 batch_size: int = BATCH_SIZE, budget=None, force: bool = False,
                 prefilter: bool = False, commitments: bool = True, pages: Iterable[str | Path] = (),
                 state_dir: str | Path | None = None, fetch=None) -> IngestSummary:
    """Ingest files and folders into ``store``; returns what was stored and what failed, and why.

    ``workers``: processes running extract -> to_rdf -> gate under ``budget`` (a
    :class:`graph.workers.ArticleBudget`; None: the defaults), None: one for small inputs, else the number
    of CPUs, at most 4; 0: everything in this process, without a budget. Writes happen here, a batch at a
    time. ``force``: re-ingest articles stored unchanged too. ``prefilter``: pass over articles that are
    not about military aid to Ukraine (:mod:`graph.relevance`) before extraction; they are counted, and
    nothing stored for them changes. ``commitments``: recompute the derived graph ``aidg:commitments``
    from all claims afterwards (:func:`graph.commitments.recompute`). Raises DiskFullError /
    StoreCorruptedError (with ``summary`` set to what was stored) when the store cannot take more.

    Feeds (:mod:`graph.feeds`): ``pages`` are the local WARC files and HTML folders where the pages that
    RSS items and sitemaps name are looked up; with ``prefilter`` a page's candidate text is checked
    before its main text is extracted; ``state_dir`` keeps a resume state per feed input
    (:mod:`graph.feeds.state`; None: none), saved once the articles read before it are stored;
    ``fetch`` (a :class:`graph.feeds.fetch.Fetcher`; None: off) fetches the pages without a local copy.
    """
    started = time.perf_counter()
    summary = IngestSummary()
    options: dict[str, Any] = {"lang": lang, "published": published}
    if max_bytes is not None:
        options["max_bytes"] = max_bytes
    inputs = list(expand_inputs(paths))
    workers = workers if workers is not None else default_workers(inputs)
    summary.workers = max(0, workers)
    bar = _progress_bar(progress, inputs)
    stored = StoredArticles.load(store)
    relevant = _relevance_filter() if prefilter else None
    feeds = _feed_progress(inputs, options, state_dir=state_dir, pages=pages, prefilter=prefilter,
                           force=force, bar=bar, fetch=fetch)
    articles = _new_articles(inputs, options, stored, summary, force=force, bar=bar, feeds=feeds)
    batches = _batches(articles, batch_size, summary, relevant, on_batch=feeds.snapshot if feeds else None)
    written: list[str] = []  # the named graphs this run wrote
    pool = None
    try:
        if workers >= 1:
            from graph.workers import ArticleBudget, ArticlePool

            pool = ArticlePool(workers, budget or ArticleBudget())
            prepared = pool.map(batches)
        else:
            prepared = map(prepare_batch, batches)
        with deferred_read_model(store, summary, answers=not commitments):
            for docs in prepared:
                try:
                    write_batch(docs, store)
                except StoreError as exc:
                    exc.summary = summary
                    raise
                if feeds is not None:
                    feeds.written()
                for doc in docs:
                    if doc.failure is not None:
                        summary.failures.append(doc.failure)
                    else:
                        summary.add(doc)
                        written.extend(doc.graphs)
                if bar is not None:
                    bar.update(len(docs))
        if feeds is not None:
            feeds.finish(summary)
    finally:
        if pool is not None:
            pool.close()
        if bar is not None:
            bar.close()
        summary.seconds = time.perf_counter() - started
    stored.warn_legacy(summary)
    summary.warn_languages()
    if commitments:
        refresh_commitments(summary, store, written)
    return summary


@contextlib.contextmanager
def deferred_read_model(store, summary: IngestSummary, *, answers: bool = True) -> Iterator[None]:
    """The store's deferral of its read model's refresh to the end of the run (one refresh for every
    batch: :meth:`graph.store.oxigraph.OxigraphStore.deferred_read_model`), where it has one; the
    refresh's seconds are the summary's stage ``read_model``. ``answers=False``: a rebuild leaves the
    saved queries' answers to :func:`refresh_commitments`, which computes them after the commitments."""
    deferred = getattr(store, "deferred_read_model", None)
    if deferred is None:
        yield
        return
    context = deferred(answers=answers) if not answers else deferred()
    context.__enter__()
    try:
        yield
    except BaseException:
        if not context.__exit__(*sys.exc_info()):
            raise
    else:
        started = time.perf_counter()
        context.__exit__(None, None, None)
        summary.stage_seconds["read_model"] = time.perf_counter() - started


def refresh_commitments(summary: IngestSummary, store, written: Iterable[str] | None = None) -> None:
    """Bring the derived graph ``aidg:commitments`` up to date after an ingest that stored articles (or
    when the store has none yet), then the saved queries' answers the read model keeps; every ingest
    engine ends with this. ``written``: the named graphs the ingest wrote, when known: only the
    commitments their claims can touch are re-clustered (:func:`graph.commitments.update`), else all are
    recomputed."""
    from graph.vocab import COMMITMENTS_GRAPH

    if summary.articles_stored or str(COMMITMENTS_GRAPH) not in store.graph_names():
        from graph.commitments import recompute, update

        summary.commitments = recompute(store) if written is None else update(store, written)
    if summary.articles_stored and hasattr(store, "answer_saved_queries"):
        store.answer_saved_queries()  # the saved queries' answers for the read model (their first run)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What the store records about one article graph (for skipping and collision checks)."""

    hash: str | None
    version: str | None
    source: str | None


@dataclass(slots=True)
class StoredArticles:
    """The article graphs of a store, read once at the start of an ingest."""

    articles: dict[str, StoredArticle] = field(default_factory=dict)
    legacy: set[str] = field(default_factory=set)   # ids of article graphs without a content hash
    path_ids: list[str] = field(default_factory=list)  # ids of this run that include a folder
    _by_source: dict[str, str] | None = None

    QUERY = """
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?article ?hash ?version ?source WHERE {
  GRAPH ?article {
    ?article schema:sha256 ?hash .
    OPTIONAL { ?article dcterms:source ?source }
    OPTIONAL { ?run schema:softwareVersion ?version }
  }
}"""

    @classmethod
    def load(cls, store) -> StoredArticles:
        from graph.vocab import AIDR

        prefix = str(AIDR["article/"])
        found = cls()
        for name, digest, version, source in _rows(store, cls.QUERY):
            if name.startswith(prefix):
                found.articles[unquote(name[len(prefix):])] = StoredArticle(digest, version, source)
        found.legacy = {unquote(name[len(prefix):]) for name in store.graph_names()
                        if name.startswith(prefix)} - set(found.articles)
        return found

    def id_of_file(self, location: str | None) -> str | None:
        """The id under which the file at ``location`` (a ``file:`` IRI without fragment) is stored."""
        if not location or "#" in location:
            return None
        if self._by_source is None:
            self._by_source = {}
            for article_id, known in sorted(self.articles.items()):
                if known.source and "#" not in known.source:
                    self._by_source.setdefault(known.source, article_id)
        return self._by_source.get(location)

    def unchanged(self, article: Article) -> bool:
        """Whether the store holds this article, made from the same content by the same aidgraph."""
        known = self.articles.get(article.id)
        return known is not None and known.hash == content_hash(article) and \
            known.version == pipeline_fingerprint()

    def other_source(self, article: Article) -> str | None:
        """The file the stored article of this id was read from, when that is another file that still
        exists (so that storing this one would replace a different article)."""
        known = self.articles.get(article.id)
        if known is None or not known.source or not article.location:
            return None
        old, new = _file_of(known.source), _file_of(article.location)
        if old is None or new is None or old == new or not old.exists():
            return None
        try:
            if new.exists() and old.samefile(new):
                return None
        except OSError:
            return None
        return str(old)

    def warn_legacy(self, summary: IngestSummary) -> None:
        """Say when this run stored sub-folder files whose old (file-name) ids are still in the store."""
        clashes = sorted({article_id for article_id in self.path_ids
                          if article_id.rsplit(ID_FOLDER_SEPARATOR, 1)[-1] in self.legacy})
        if clashes:
            old = clashes[0].rsplit(ID_FOLDER_SEPARATOR, 1)[-1]
            summary.warnings.append(
                f"{len(clashes)} article(s) of sub-folders are now stored under path ids (e.g. "
                f"{clashes[0]}), and the store still holds article graphs from an older aidgraph under their "
                f"file names (e.g. {old}): those are kept, so these articles are there twice. Ingest into a "
                "fresh --store to drop the old ids (see README: article ids)")


def _rows(store, sparql: str) -> list[tuple[str | None, ...]]:
    """A SELECT's rows as strings (None where unbound), natively on oxigraph: rdflib's result objects keep
    the store alive in reference cycles, so its lock would outlive ``close()`` until garbage collection."""
    native = getattr(store, "native", None)
    if native is not None:
        solutions = native.query(sparql)
        width = len(solutions.variables)
        return [tuple(None if solution[i] is None else solution[i].value for i in range(width))
                for solution in solutions]
    return [tuple(None if term is None else str(term) for term in row) for row in store.query(sparql)]


def _file_of(source: str) -> Path | None:
    parts = urlsplit(source)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


def _new_articles(inputs: list, options: dict[str, Any], stored: StoredArticles, summary: IngestSummary, *,
                  force: bool, bar, feeds=None) -> Iterator[Article | IngestFailure]:
    """The articles to (re-)ingest: collisions refused, articles stored unchanged skipped; a feed item
    whose URL was read before in this run is skipped, and one stored from another feed is replaced."""
    seen: dict[str, str] = {}
    for item in inputs:
        if isinstance(item, IngestFailure):
            items: Iterable = [item]
        elif feeds is not None and item.is_feed:
            items = feeds.read(item, summary)
        else:
            items = read_input(item, **options)
        for article in items:
            if not isinstance(article, Article):  # failures, and feed items passed over by the prefilter
                yield article
                continue
            where = article.source or article.id
            from_feed = _from_feed(article)
            known_id = stored.id_of_file(article.location)
            if known_id is not None and known_id != article.id:
                article = replace(article, id=known_id)  # a stored file keeps its id whatever folder is named
            if article.id in seen and from_feed:
                summary.articles_repeated += 1
                continue
            if article.id in seen:
                yield IngestFailure(where, f"article id {article.id!r} is already taken in this run by "
                                           f"{seen[article.id]}; refused (give one of them another id or "
                                           "name)")
                continue
            seen[article.id] = where
            if isinstance(item, InputFile) and ID_FOLDER_SEPARATOR in article.id and item.root is not None:
                stored.path_ids.append(article.id)
            if not force and stored.unchanged(article):
                summary.articles_unchanged += 1
                summary.articles_read += 1
                if bar is not None:
                    bar.update(1)
                continue
            other = None if from_feed else stored.other_source(article)
            if other is not None and not force:
                yield IngestFailure(where, f"article id {article.id!r} is stored from another file, {other}, "
                                           "which still exists; refused (ingest their common folder so that "
                                           "the ids differ, or pass --force to replace it)")
                continue
            summary.note_language(article)
            yield article


def _from_feed(article: Article) -> bool:
    from graph.feeds import ITEM_FRAGMENT

    return bool(article.location) and ITEM_FRAGMENT in article.location


class FeedProgress:
    """The feed inputs of one run: how they are read (local pages, early prefilter) and where each has
    got to; a cursor is saved (:class:`graph.feeds.state.FeedStates`) only once every article read
    before it is written: :meth:`snapshot` when a batch is formed, :meth:`written` when it is stored."""

    def __init__(self, options: dict[str, Any], states, force: bool, bar=None) -> None:
        self.options = options
        self.bar = bar
        self.states = states
        self.force = force
        self.cursors: dict[Path, Any] = {}
        self.pending: list[dict[Path, tuple]] = []
        self.saved: dict[Path, tuple] = {}

    def read(self, item: InputFile, summary: IngestSummary) -> Iterator:
        """The items of one feed input, from where an earlier run stopped."""
        from graph.feeds import Cursor

        cursor = Cursor()
        if self.states is not None:
            if self.force:
                self.states.forget(item.path)
            else:
                cursor = self.states.cursor(item.path)
        summary.feed_items_resumed += cursor.items
        if cursor.done:
            return iter(())
        if self.bar is not None:  # the bar names the feed being read
            self.bar.set_description_str(item.path.name[:40], refresh=False)
        self.cursors[item.path] = cursor
        return read_input(item, cursor=cursor, **self.options)

    def snapshot(self) -> None:
        self.pending.append({path: (c.position, c.items, c.done) for path, c in self.cursors.items()})

    def written(self) -> None:
        if self.pending:
            self._save(self.pending.pop(0))

    def finish(self, summary: IngestSummary) -> None:
        """Everything read is written: save every cursor as it is now."""
        self.pending.clear()
        self._save({path: (c.position, c.items, c.done) for path, c in self.cursors.items()})

    def _save(self, snapshot: dict[Path, tuple]) -> None:
        from graph.feeds import Cursor

        if self.states is None:
            return
        for path, values in snapshot.items():
            if self.saved.get(path) != values:
                self.states.save(path, Cursor(*values))
                self.saved[path] = values


def _feed_progress(inputs: list, options: dict[str, Any], *, state_dir, pages, prefilter: bool,
                   force: bool, bar=None, fetch=None) -> FeedProgress | None:
    """How this run reads its feed inputs (None when it has none)."""
    if not any(isinstance(item, InputFile) and item.is_feed for item in inputs):
        return None
    from graph.feeds.pages import LocalPages

    feed_options = dict(options, pages=LocalPages(pages, fetch) if pages or fetch else None,
                        prefilter=early_prefilter() if prefilter else None)
    states = None
    if state_dir is not None:
        from graph.feeds.state import run_states

        states = run_states(state_dir, lang=options.get("lang"), published=options.get("published"),
                            prefilter=prefilter, pages=pages, fetch=fetch is not None)
    return FeedProgress(feed_options, states, force, bar)


def early_prefilter():
    """``(text, lang) -> bool``: the relevance prefilter (a feed page's candidate text, before its main
    text is extracted)."""
    checker = _relevance_filter()

    def check(text: str, lang: str | None) -> bool:
        return checker.check(text, lang).relevant

    return check


def _relevance_filter():
    from graph.relevance import relevance_filter

    return relevance_filter()


def default_workers(inputs: list) -> int:
    """One worker process for small inputs, else the CPUs this process may use (at most 4)."""
    files = [item for item in inputs if isinstance(item, InputFile | Path)]
    streams = any(_suffix(item) == ".jsonl" or has_feed_suffix(_path(item)) for item in files)
    if not streams and len(files) < PARALLEL_MIN_ARTICLES:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


def _suffix(item) -> str:
    return _path(item).suffix.lower()


def _path(item) -> Path:
    return item.path if isinstance(item, InputFile) else Path(item)


def _batches(items: Iterable[Article | IngestFailure], size: int, summary: IngestSummary,
             relevant=None, on_batch: Callable[[], None] | None = None) -> Iterator[list[Article]]:
    """Articles in lists of ``size``; unreadable inputs go straight to the summary's failures, and
    articles that ``relevant`` (the prefilter, when on) rejects, or that a feed reader passed over, to its
    count of articles not about aid. ``on_batch`` is called as each batch is formed."""
    from graph.feeds import PassedOver

    batch: list[Article] = []
    for item in items:
        if isinstance(item, IngestFailure):
            summary.failures.append(item)
            continue
        summary.articles_read += 1
        if isinstance(item, PassedOver) or (relevant is not None and not relevant(item)):
            summary.articles_not_about_aid += 1
            continue
        batch.append(item)
        if len(batch) >= size:
            if on_batch is not None:
                on_batch()
            yield batch
            batch = []
    if batch:
        if on_batch is not None:
            on_batch()
        yield batch


def _progress_bar(enabled: bool, inputs: list):
    """A tqdm bar on stderr: on a terminal, or without one when the batch is large (then less often)."""
    if not enabled:
        return None
    from tqdm import tqdm

    files = [item for item in inputs if isinstance(item, InputFile)]
    total = None if any(item.suffix == ".jsonl" or item.is_feed for item in files) else len(files)
    if sys.stderr.isatty():
        return tqdm(total=total, unit=" articles", file=sys.stderr, mininterval=0.5, delay=1.0)
    if total is None or total >= PROGRESS_MIN_ARTICLES:
        return tqdm(total=total, unit=" articles", file=sys.stderr, mininterval=10.0, ascii=True)
    return None
