"""The ingest pipeline: read -> extract -> to_rdf -> SHACL gate -> store.

Each article flows through the stages as an :class:`ArticleDoc`. Accepted triples replace the
article's named graph (the article IRI); rejected fact groups replace ``aidg:quarantine/{id}`` and the
validation report ``aidg:quarantine/{id}/report`` (both dropped when nothing is rejected any more).
A failure in one article is recorded in the summary and never stops the batch or touches what is
already stored.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib

from graph.errors import AidgraphError
from graph.ingest import IngestFailure, expand_paths, read_articles
from graph.model import Article

#: show a progress bar without a terminal once a batch has this many articles
PROGRESS_MIN_ARTICLES = 50


@dataclass(slots=True)
class ArticleDoc:
    """One article on its way through the pipeline; each stage fills in its part."""

    article: Article
    extraction: Any = None          # graph.model.Extraction
    article_graph: Any = None       # graph.to_rdf.ArticleGraph
    gate: Any = None                # graph.validate.GateResult
    triples_stored: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class IngestSummary:
    """What an ingest run did."""

    articles_read: int = 0
    articles_stored: int = 0
    facts_stored: int = 0
    facts_quarantined: int = 0
    triples_stored: int = 0
    failures: list[IngestFailure] = field(default_factory=list)
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures

    def add(self, doc: ArticleDoc) -> None:
        self.articles_stored += 1
        self.facts_stored += int(getattr(doc.gate, "facts_accepted", 0) or 0)
        self.facts_quarantined += int(getattr(doc.gate, "facts_quarantined", 0) or 0)
        self.triples_stored += doc.triples_stored
        for stage, seconds in doc.seconds.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles_read": self.articles_read, "articles_stored": self.articles_stored,
            "facts_stored": self.facts_stored, "facts_quarantined": self.facts_quarantined,
            "triples_stored": self.triples_stored, "seconds": round(self.seconds, 3),
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            "failures": [{"source": f.source, "line": f.line, "reason": f.reason} for f in self.failures],
        }

    def format(self) -> str:
        """A short human summary (several lines)."""
        rate = self.articles_read / self.seconds if self.seconds else 0.0
        lines = [
            f"articles read:      {self.articles_read}",
            f"articles stored:    {self.articles_stored}",
            f"facts stored:       {self.facts_stored}",
            f"facts quarantined:  {self.facts_quarantined}"
            + ("  (see `aidgraph quarantine`)" if self.facts_quarantined else ""),
            f"failures:           {len(self.failures)}",
            f"time:               {self.seconds:.2f} s ({rate:.1f} articles/s)",
        ]
        lines += [f"  - {failure}" for failure in self.failures]
        return "\n".join(lines)


# --------------------------------------------------------------------------- stages

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
    return doc


def store_stage(doc: ArticleDoc, store) -> ArticleDoc:
    """Replace the article's graph and its quarantine graphs in the store."""
    from graph.vocab import article_iri, quarantine_graph_iri, quarantine_report_iri

    article_id = doc.article.id
    accepted: rdflib.Graph = doc.gate.accepted
    quarantined: rdflib.Graph | None = doc.gate.quarantined
    store.add_graph(str(article_iri(article_id)), accepted)
    doc.triples_stored = len(accepted)
    quarantine, report = str(quarantine_graph_iri(article_id)), str(quarantine_report_iri(article_id))
    if quarantined is not None and len(quarantined):
        store.add_graph(quarantine, quarantined)
        store.add_graph(report, _report_graph(doc.gate.report))
    else:
        store.drop_graph(quarantine)
        store.drop_graph(report)
    return doc


def _report_graph(report: Any) -> rdflib.Graph:
    if isinstance(report, rdflib.Graph):
        return report
    graph = getattr(report, "graph", None)
    return graph if isinstance(graph, rdflib.Graph) else rdflib.Graph()


STAGES = (("extract", extract_stage), ("to_rdf", rdf_stage), ("gate", gate_stage))


def process_article(article: Article, store) -> ArticleDoc:
    """Run one article through every stage into ``store``; raises on failure (nothing half-stored)."""
    doc = ArticleDoc(article)
    for name, stage in STAGES:
        started = time.perf_counter()
        stage(doc)
        doc.seconds[name] = time.perf_counter() - started
    started = time.perf_counter()
    store_stage(doc, store)
    doc.seconds["store"] = time.perf_counter() - started
    return doc


# --------------------------------------------------------------------------- batch

def ingest_paths(paths: Iterable[str | Path], store, *, progress: bool = True, lang: str | None = None,
                 published: str | None = None, max_bytes: int | None = None) -> IngestSummary:
    """Ingest files and folders into ``store``; returns what was stored and what failed, and why."""
    started = time.perf_counter()
    summary = IngestSummary()
    options: dict[str, Any] = {"lang": lang, "published": published}
    if max_bytes is not None:
        options["max_bytes"] = max_bytes
    paths = list(paths)
    items = read_articles(paths, **options)
    bar = _progress_bar(progress, paths)
    try:
        for item in items:
            if bar is not None:
                bar.update(1)
            if isinstance(item, IngestFailure):
                summary.failures.append(item)
                continue
            summary.articles_read += 1
            try:
                summary.add(process_article(item, store))
            except AidgraphError as exc:
                summary.failures.append(IngestFailure(item.source or item.id, str(exc)))
            except Exception as exc:  # a bug in one stage must not stop the batch
                where = traceback.extract_tb(exc.__traceback__)[-1]
                location = f"{Path(where.filename).name}:{where.lineno}"
                summary.failures.append(IngestFailure(
                    item.source or item.id,
                    f"internal error {type(exc).__name__}: {exc} (at {location}; please report it)"))
    finally:
        if bar is not None:
            bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


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
