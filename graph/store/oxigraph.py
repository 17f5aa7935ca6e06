"""The default store: rdflib ``Dataset(store="Oxigraph")`` persisted on disk (RocksDB).

Queries go to pyoxigraph as strings through oxrdflib (never as prepared query objects, which fall back
to rdflib's slow engine); they read the store's real default graph, the materialised merge of
:mod:`graph.store.merge`. Graph replacement, dumps and loads use pyoxigraph directly.

Two small files in the store directory record its state: ``aidgraph-reference.sha1`` which ontology
and reference files were loaded, ``aidgraph-store-format`` the layout version
(:data:`graph.store.merge.STORE_FORMAT`). A store without the second one was written by an older
aidgraph (default graph = the union of all named graphs at query time): it is migrated when opened
for writing, by rebuilding its default graph from the named graphs.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from oxrdflib import OxigraphStore as _OxrdflibStore
from rdflib.query import Result
from rdflib.term import Node

from graph.errors import InputError, StoreError, store_failure
from graph.store import merge
from graph.store.base import (
    DATASET_FORMATS,
    GraphContent,
    StoreBase,
    check_bindings,
    initial_contents,
    initial_fingerprint,
    inject_values,
    query_syntax_error,
)
from graph.store.convert import quads_to_graph
from graph.store.readmodel import READ_MODEL_FILE, READ_OF_DEPENDENCIES, PledgeReadModel
from graph.vocab import PREFIXES

#: a small file in the store directory that records which ontology/reference files were loaded
FINGERPRINT_FILE = "aidgraph-reference.sha1"
#: a small file in the store directory that records the store layout (merge.STORE_FORMAT)
FORMAT_FILE = "aidgraph-store-format"
#: what the last compaction left (JSON: ``compacted_bytes``, ``compacted_at``, ``seconds``, ``auto``):
#: the base an automatic compaction measures the store's growth from
COMPACTION_FILE = "aidgraph-compaction.json"
#: written into ``LOCATION.compacting`` once the rewritten store is complete: only then may a compaction
#: stopped during its swap be finished by the next open (:func:`recover_compaction`)
COMPACTED_MARKER = "aidgraph-compacted"

OX_FORMATS = {
    "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS, "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD, "json-ld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML,
}


#: below this many quads pyoxigraph's bulk loader writes one batch, ingested as one atomic step (its
#: batches are of 1,000,000 quads); a fresh batch of articles is written with it (``_fresh_load``)
BULK_ATOMIC_MAX_QUADS = 500_000

#: test-only: when set to a path, a fresh load writes PATH.start (the TriG's size) just before
#: pyoxigraph's bulk loader runs and PATH.done after it returns, so that a test can kill -9 the
#: process inside the load (tests/reliability/test_bulk_load_kill.py)
BULK_LOAD_MARKER_ENV = "AIDGRAPH_TEST_BULK_LOAD_MARKER"

#: pyoxigraph's words when an update's CREATE, DROP, CLEAR, MOVE names a graph that exists, or does not:
#: an error of the update unless it says SILENT (SPARQL 1.1 Update, 3.2), not of the store
GRAPH_STATE_ERRORS = ("already exists", "does not exist")


@dataclass(slots=True)
class _DeferredRefresh:
    """What the writes inside :meth:`OxigraphStore.deferred_read_model` changed, for one refresh at
    its end: the subjects of the default graph's changed triples, those of them whose changed triple
    a dependent pledge reads, and whether the ontology or reference graphs changed (then a rebuild)."""

    tracking: bool
    subjects: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    rebuild: bool = False
    answers: bool = True  # a rebuild at the end also computes the saved queries' answers


class OxigraphStore(StoreBase):
    """Named graphs in a pyoxigraph store: on disk at ``location``, or in memory when it is None."""

    name = "oxigraph"

    def __init__(self, location: str | Path | None = None, *, read_only: bool = False) -> None:
        super().__init__()
        self.location = Path(location) if location is not None else None
        self.supports_update = not read_only
        self._ox = self._open(read_only)
        self._dataset = rdflib.Dataset(store=_OxrdflibStore(store=self._ox), default_union=False)
        self._read_model: PledgeReadModel | None = None
        self._deferred: _DeferredRefresh | None = None
        if read_only:
            self._check_format()
        else:
            self._migrate()
            self._initialise()
            self._open_read_model()

    @property
    def native(self) -> ox.Store | None:
        """The pyoxigraph store underneath, for callers that want its native engine and writers."""
        return self._ox

    def _open(self, read_only: bool) -> ox.Store:
        if self.location is None:
            return ox.Store()
        recover_compaction(self.location, clean=not read_only)
        try:
            if read_only:
                if not self.location.exists():
                    raise StoreError(f"no store at {self.location}",
                                     hint="create it with `aidgraph ingest PATH` or `aidgraph stats`")
                return ox.Store.read_only(str(self.location))
            self.location.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(self.location))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"the store {self.location} is locked by another process",
                    hint="is `aidgraph serve` or another `aidgraph ingest` running? Stop it, or use "
                         "another --store directory",
                ) from exc
            raise StoreError(f"cannot open the store {self.location}: {exc}",
                             hint="check the path and its permissions, or use another --store") from exc

    def _format_file(self) -> Path | None:
        return self.location / FORMAT_FILE if self.location else None

    def _outdated(self) -> bool:
        """Whether the store was written with an older layout (and holds named graphs)."""
        marker = self._format_file()
        if marker is None or (marker.exists() and marker.read_text().strip() == merge.STORE_FORMAT):
            return False
        return next(iter(self._ox.named_graphs()), None) is not None

    def _check_format(self) -> None:
        if self._outdated():
            raise StoreError(
                f"the store {self.location} was written by an older aidgraph (its default graph is not "
                "the merge of its article graphs yet)",
                hint=f"open it once for writing to migrate it: `aidgraph --store {self.location} rebuild`")

    def _migrate(self) -> None:
        """Bring an older store to the current layout: rebuild its default graph, then mark it."""
        marker = self._format_file()
        if self._outdated():
            print(f"note: {self.location} was written by an older aidgraph; building its default graph "
                  "(the merge of ontology, reference and article graphs) once", file=sys.stderr)
            self.rebuild_default_graph(progress=merge.rebuild_progress_bar())
        if marker is not None and not marker.exists():
            self._ox.flush()
            marker.write_text(merge.STORE_FORMAT + "\n")

    def _open_read_model(self) -> None:
        """Open the pledge read model beside an on-disk store; build it when it is not current."""
        if self.location is None:
            return
        self._read_model = PledgeReadModel(self.location / READ_MODEL_FILE)
        if not self._read_model.is_current():
            with self._write_lock:
                self._read_model.rebuild(self._ox)

    def rebuild_read_model(self) -> int:
        """Recompute the pledge read model from the default graph (after writes that bypassed
        :meth:`replace_graphs`, e.g. a bulk load); answers the number of pledges (0 in memory)."""
        self._check_writable()
        if self._read_model is None:
            return 0
        with self._write_lock:
            return self._read_model.rebuild(self._ox)

    def answer_saved_queries(self) -> None:
        """Compute the saved analyst queries' answers the read model keeps for the store as it is (the
        end of an ingest: a write drops them; ``GET /queries/{name}`` then answers with a look-up)."""
        self._check_writable()
        if self._read_model is not None:
            with self._write_lock:
                self._read_model.answer_saved_queries(self._ox)

    @property
    def read_model_path(self) -> Path | None:
        """The SQLite file of the pledge read model (``graph.store.readmodel``), None in memory."""
        return self.location / READ_MODEL_FILE if self.location is not None else None

    def _initialise(self) -> None:
        """Load ontology and reference knowledge when missing or when their files changed."""
        fingerprint = initial_fingerprint()
        marker = self.location / FINGERPRINT_FILE if self.location else None
        if marker and marker.exists() and marker.read_text().strip() == fingerprint:
            return
        self.replace_graphs(initial_contents())
        if marker:
            self._ox.flush()
            marker.write_text(fingerprint + "\n")

    # ------------------------------------------------------------------ graphs

    def replace_graphs(self, graphs: Mapping[str, GraphContent]) -> None:
        """One SPARQL update (one transaction) replaces the graphs and changes the default graph.

        The change of the default graph is planned from the store just before the update, under the
        write lock: the store has one writer process (RocksDB's lock) and its threads take turns.
        The pledge read model is refreshed in the same call, or once at the end of an enclosing
        :meth:`deferred_read_model`.
        """
        self._check_writable()
        contents = merge.prepared(graphs)
        with self._write_lock:
            model, deferred = self._read_model, self._deferred
            if deferred is not None:
                tracking = deferred.tracking  # begin_change was called when the deferral began
            else:
                tracking = model is not None and model.begin_change()
            try:
                change = merge.plan_default_change(contents, self._graph_triples, self._holders)
                planned = deferred is not None and deferred.rebuild  # a rebuild at the end anyway
                subjects, sources = (self._changed_subjects(change) if tracking and not planned
                                     else (set(), set()))
                fresh = self._fresh_load(contents, change)
                if fresh is not None:
                    self._bulk_load(fresh)
                else:
                    update = merge.native_replacement_update(contents, self._exists, change)
                    if update:
                        self._ox.update(update)
            except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
                if tracking and deferred is None:
                    model.refresh(self._ox, [])  # nothing changed: the model is current again
                raise StoreError(f"cannot replace {len(graphs)} graphs: {exc}",
                                 hint="nothing was changed; check the graphs' names and content") from exc
            if tracking:
                internal = any(name in merge.MERGED_INTERNAL_GRAPHS for name in contents)
                if deferred is not None:
                    deferred.rebuild |= internal
                    deferred.subjects |= subjects
                    deferred.sources |= sources
                elif internal:
                    model.rebuild(self._ox)  # the category tree or item labels may have changed
                else:
                    model.follow(self._ox, model.affected_by_subjects(self._ox, subjects, sources))

    def _bulk_load(self, trig: bytes) -> None:
        marker = os.environ.get(BULK_LOAD_MARKER_ENV)
        if marker:
            Path(marker + ".start").write_text(str(len(trig)))
        self._ox.bulk_load(trig, format=ox.RdfFormat.TRIG)
        if marker:
            Path(marker + ".done").write_text(str(len(trig)))

    @contextlib.contextmanager
    def deferred_read_model(self, *, answers: bool = True) -> Iterator[None]:
        """Within the block, :meth:`replace_graphs` refreshes the pledge read model once, at its end,
        for everything the block's writes changed (an ingest: one refresh, not one per batch).
        ``answers=False``: a rebuild at the end leaves the saved queries' answers to the caller (an
        ingest computes them after its commitments, which would drop them); after an error it
        computes them as ever.

        Meanwhile the model counts as changing (not current): readers ask SPARQL, the source of truth,
        so no answer is ever out of step with the store. A crash inside the block leaves it so, and the
        next open for writing rebuilds it. The union of the writes' changed subjects, evaluated against
        the store at the end, names every pledge whose rows changed: a pledge that depended on a
        changed node earlier and does not any more lost a triple of its own, so it is among the
        subjects. The writes themselves stay as they are (each ``replace_graphs`` atomic).
        """
        model = self._read_model
        if model is None or self._deferred is not None:
            yield
            return
        with self._write_lock:
            deferred = self._deferred = _DeferredRefresh(tracking=model.begin_change(), answers=answers)
            # an empty model (a fresh store) follows any new pledge by a rebuild (rebuild_needed's
            # test): decided now, the writes need not name their changed subjects
            deferred.rebuild = deferred.tracking and model.size() == 0
        try:
            yield
        except Exception:
            deferred.answers = True
            with contextlib.suppress(Exception):  # best effort; else the next open rebuilds it
                self._end_deferral(model, deferred)
            raise
        except BaseException:
            self._deferred = None  # interrupted: left changing (rebuilt when next opened for writing)
            raise
        else:
            self._end_deferral(model, deferred)

    def _end_deferral(self, model: PledgeReadModel, deferred: _DeferredRefresh) -> None:
        with self._write_lock:
            self._deferred = None
            if not deferred.tracking or self._read_model is not model:
                return
            affected = None if deferred.rebuild else model.rebuild_needed(self._ox, deferred.subjects,
                                                                          deferred.sources)
            if affected is None:  # the ontology or reference changed, or most pledges did
                model.rebuild(self._ox, answers=deferred.answers)
            else:
                model.follow(self._ox, affected)

    def _fresh_load(self, contents: Mapping[str, list[ox.Triple]],
                    change: merge.DefaultGraphChange) -> bytes | None:
        """A replacement that only adds (none of its graphs exists yet, so nothing is removed) as TriG
        for pyoxigraph's bulk loader, when it is small enough to be loaded as one atomic step; else None.

        Why: a SPARQL update (a RocksDB transaction) looks every quad up before writing it and writes it
        uncompressed through the log: ~3x the CPU of the bulk loader, growing with the store. A load of
        fewer than :data:`BULK_ATOMIC_MAX_QUADS` quads is one batch of the loader: one SST file per
        column family, ingested with one RocksDB ``IngestExternalFiles`` call, which is atomic across
        column families; a crash leaves all of the batch or none of it (at worst an unreferenced
        ``bulk-*.sst`` file). TriG text, serialised by pyoxigraph, costs a twentieth of building quad
        objects in Python. A replacement of an existing graph keeps the transaction.
        """
        if change.remove or any(self._exists(name) for name in contents):
            return None
        size = len(change.add) + sum(len(triples) for triples in contents.values())
        if not 0 < size < BULK_ATOMIC_MAX_QUADS:
            return None
        blocks = [b"%s {\n%s}\n" % (str(ox.NamedNode(name)).encode(), merge.ntriples_bytes(triples))
                  for name, triples in contents.items() if triples]
        if change.add:
            blocks.append(b"{\n%s}\n" % merge.ntriples_bytes(change.add))
        return b"".join(blocks)

    def _changed_subjects(self, change: merge.DefaultGraphChange) -> tuple[set[str], set[str]]:
        """The IRI subjects of the triples the default graph really gains or loses by ``change`` (read
        before the update: a triple another merged graph already states changes nothing there), and
        those of them with such a triple that a dependent pledge reads (:data:`READ_OF_DEPENDENCIES`):
        what :meth:`PledgeReadModel.affected_by` takes from the changed triples. A triple is looked up
        only while its subject is not known to change yet (one lookup for most subjects of a new
        article, not one per triple)."""
        subjects: set[str] = set()
        sources: set[str] = set()
        for triple in change.remove:
            if isinstance(triple.subject, ox.NamedNode):
                subjects.add(triple.subject.value)
                if triple.predicate.value in READ_OF_DEPENDENCIES:
                    sources.add(triple.subject.value)
        default = ox.DefaultGraph()
        for triple in change.add:
            subject = triple.subject
            if not isinstance(subject, ox.NamedNode):
                continue
            name = subject.value
            read = triple.predicate.value in READ_OF_DEPENDENCIES
            if name in subjects and (not read or name in sources):
                continue
            if ox.Quad(subject, triple.predicate, triple.object, default) in self._ox:
                continue
            subjects.add(name)
            if read:
                sources.add(name)
        return subjects, sources

    def _exists(self, name: str) -> bool:
        # a DROP of a graph that does not exist still costs ~0.1 ms, a third of a fresh article's write
        return self._ox.contains_named_graph(ox.NamedNode(name))

    def _graph_triples(self, name: str):
        return (quad.triple for quad in self._ox.quads_for_pattern(None, None, None, ox.NamedNode(name)))

    def _holders(self, triple: ox.Triple):
        for quad in self._ox.quads_for_pattern(triple.subject, triple.predicate, triple.object, None):
            if isinstance(quad.graph_name, ox.NamedNode):
                yield quad.graph_name.value

    def mark_outdated(self) -> None:
        """Record that the default graph may not be the merge any more (before a bulk load writes named
        graphs directly): the store is rebuilt when next opened for writing, until
        :meth:`rebuild_default_graph` completes."""
        self._check_writable()
        marker = self._format_file()
        if marker is not None and marker.exists():
            marker.unlink()

    def rebuild_default_graph(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Clear the default graph and fill it with the triples of every merged named graph, with
        pyoxigraph's bulk loader (not one transaction: a store interrupted half-way counts as outdated
        and is rebuilt when next opened)."""
        self._check_writable()
        marker = self._format_file()
        with self._write_lock:
            if marker is not None and marker.exists():
                marker.unlink()  # until the rebuild is complete the store counts as outdated
            self._ox.clear_graph(ox.DefaultGraph())
            graphs = list(self._ox.named_graphs())

            def merged_quads():
                for done, graph in enumerate(graphs, 1):
                    if isinstance(graph, ox.NamedNode) and merge.is_merged(graph.value):
                        for quad in self._ox.quads_for_pattern(None, None, None, graph):
                            yield ox.Quad(quad.subject, quad.predicate, quad.object)
                    if progress:
                        progress(done, len(graphs))

            self._ox.bulk_extend(merged_quads())
            self._ox.flush()
            if marker is not None:
                marker.write_text(merge.STORE_FORMAT + "\n")
            if self._read_model is not None:
                self._read_model.rebuild(self._ox)
            return default_graph_size(self._ox)

    def compact(self, *, auto: bool = False) -> tuple[int, int]:
        """Rewrite the store's files as one sorted, compressed load, and the read model's SQLite file without
        its free pages (``PledgeReadModel.vacuum``); answers (bytes before, after). ``auto``: recorded in
        :data:`COMPACTION_FILE` (an ingest's automatic compaction, :func:`compaction_due`).

        Why: pyoxigraph configures RocksDB with level-style compaction and no compression on the first
        two levels; for a store below ~512 MB per column family the one level its writes are compacted
        into counts as the second (dynamic level sizes), so everything written by transactions, and
        bulk-loaded files once ``optimize`` recompacts them, lies on disk uncompressed (~1.8x the same
        quads bulk-loaded). Files written by the bulk loader are LZ4-compressed, as `oxigraph load`'s.
        So every quad (named graphs and the default graph) is streamed with ``bulk_extend`` into a new
        store beside this one, which then takes its place (aidgraph's own files move with it).

        What it gives up: it rewrites the whole store (time and, meanwhile, disk for a second copy);
        nothing else may use the store during it; later transactional writes are again stored
        uncompressed until the next compaction. Kill-safe: until the rewritten store is complete
        (:data:`COMPACTED_MARKER` in ``LOCATION.compacting``) the store is untouched and the next open
        removes the unfinished copy; the swap renames the store to ``LOCATION.replaced``, moves aidgraph's
        own files into the copy and renames it into place, and an open after a kill during those steps
        finishes them (:func:`recover_compaction`). Callers must drop their references to :attr:`native`
        first: RocksDB releases the store's lock only with the last one, and the store is reopened at
        the same path.
        """
        import datetime
        import json
        import time

        self._check_writable()
        if self.location is None:
            return 0, 0
        location = self.location
        fresh_location = location.with_name(location.name + ".compacting")
        old_location = location.with_name(location.name + ".replaced")
        with self._write_lock:
            started = time.perf_counter()
            before = _disk_bytes(location)
            self._ox.flush()
            for leftover in (fresh_location, old_location):
                shutil.rmtree(leftover, ignore_errors=True)
            fresh = ox.Store(str(fresh_location))
            fresh.bulk_extend(self._ox.quads_for_pattern(None, None, None, None))
            fresh.flush()
            del fresh
            gc.collect()
            _compaction_step("copied")
            (fresh_location / COMPACTED_MARKER).write_text("complete\n")
            self.close()
            gc.collect()
            _compaction_step("closed")
            location.rename(old_location)
            _compaction_step("renamed")
            _move_own_files(old_location, fresh_location)
            _compaction_step("moved")
            fresh_location.rename(location)
            _compaction_step("swapped")
            shutil.rmtree(old_location)
            (location / COMPACTED_MARKER).unlink()
            self._ox = self._open(read_only=False)
            self._dataset = rdflib.Dataset(store=_OxrdflibStore(store=self._ox), default_union=False)
            self._open_read_model()
            if self._read_model is not None:  # its free pages and log go too (a rewrite, as the quads')
                self._read_model.vacuum()
            after = _disk_bytes(location)
            (location / COMPACTION_FILE).write_text(json.dumps({
                "compacted_bytes": after, "before_bytes": before, "auto": auto,
                "seconds": round(time.perf_counter() - started, 1),
                "compacted_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}) + "\n")
            return before, after

    def last_compaction(self) -> dict | None:
        """What :data:`COMPACTION_FILE` recorded of the last compaction (None: never compacted)."""
        return read_compaction(self.location)

    def disk_bytes(self) -> int:
        """The bytes the store's folder takes on disk (0 in memory)."""
        return 0 if self.location is None or not self.location.exists() else _disk_bytes(self.location)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))

    def get_graph(self, name: str) -> rdflib.Graph:
        return quads_to_graph(self._ox.quads_for_pattern(None, None, None, ox.NamedNode(name)), name)

    # ------------------------------------------------------------------ SPARQL

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        if not isinstance(sparql, str):
            raise TypeError("pass the query as a string (prepared queries run on rdflib's slow engine)")
        try:
            try:
                return self._dataset.query(sparql, initBindings=check_bindings(bindings))
            except RuntimeError as exc:
                if bindings and "projection" in str(exc):
                    # pyoxigraph substitutes only projected variables; bind the others with VALUES
                    return self._dataset.query(inject_values(sparql, bindings))
                raise StoreError(f"query failed: {exc}", hint="simplify the query") from exc
        except SyntaxError as exc:
            raise query_syntax_error(exc, sparql) from exc

    def update(self, sparql: str) -> None:
        self._check_writable()
        try:
            with self._write_lock:
                if self._read_model is not None:
                    self._read_model.mark_stale()  # readers use SPARQL until `aidgraph rebuild`
                self._ox.update(sparql, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise query_syntax_error(exc, sparql) from exc
        except RuntimeError as exc:
            if store_failure(exc) is None and any(marker in str(exc) for marker in GRAPH_STATE_ERRORS):
                raise InputError(f"update refused: {exc}", hint="add SILENT (e.g. CREATE SILENT GRAPH) to "
                                 "ignore a graph that exists or is missing, or name another graph") from exc
            raise StoreError(f"update failed: {exc}", hint="check the update") from exc
        except OSError as exc:
            raise StoreError(f"update failed: {exc}", hint="check the update") from exc

    def update_unmerged(self, sparql: str) -> None:
        """As :meth:`update`, for an update of graphs outside the default graph only: the pledge read
        model (built from the default graph) stays current."""
        self._check_writable()
        try:
            with self._write_lock:
                if self._read_model is not None:
                    self._read_model.drop_saved_answers()  # saved queries read these graphs too
                self._ox.update(sparql, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise query_syntax_error(exc, sparql) from exc
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"update failed: {exc}", hint="check the update") from exc

    def serialize(self, fmt: str, *, graph: str | None = None) -> bytes:
        try:
            rdf_format = OX_FORMATS[fmt.lower()]
        except KeyError:
            raise StoreError(f"unknown RDF format {fmt!r}",
                             hint=f"use one of {', '.join(sorted(OX_FORMATS))}") from None
        if graph is None and fmt.lower() not in DATASET_FORMATS:
            raise StoreError(f"{fmt} cannot hold named graphs",
                             hint="use trig or nquads for the whole dataset, or pass graph=IRI")
        prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        if graph is not None:
            return self._ox.dump(format=rdf_format, from_graph=ox.NamedNode(graph), prefixes=prefixes)
        # the named graphs only: the default graph is derived from them
        quads = (quad for name in self._ox.named_graphs()
                 for quad in self._ox.quads_for_pattern(None, None, None, name))
        return ox.serialize(quads, format=rdf_format, prefixes=prefixes)

    def close(self) -> None:
        """Flush and release the store. RocksDB's lock goes with the last reference to the pyoxigraph
        store: rdflib's graph objects hold it in reference cycles, so they are collected here (query
        results still held by the caller keep it until they go)."""
        if self._read_model is not None:
            self._read_model.close()
            self._read_model = None
        if self._ox is not None:
            if self.supports_update:
                self._ox.flush()
            self._dataset = None
            self._ox = None
            gc.collect()


#: the files RocksDB keeps in a store folder (every other file there is aidgraph's)
_ROCKSDB_FILE = re.compile(r"CURRENT|IDENTITY|LOCK|LOG(\.old\..*)?|MANIFEST-\d+|OPTIONS-\d+(\.dbtmp)?"
                           r"|\d+\.(sst|log|blob)|bulk-\d+\.sst")


def _compaction_step(step: str) -> None:
    """A point between two steps of :meth:`OxigraphStore.compact` (tests stop a compaction here)."""


def _move_own_files(source: Path, target: Path) -> None:
    """Move aidgraph's files (every file that is not RocksDB's) from store folder ``source`` into
    ``target``; what is already in ``target`` stays (a move repeated after a kill)."""
    for path in source.iterdir():
        if not _ROCKSDB_FILE.fullmatch(path.name) and not (target / path.name).exists():
            shutil.move(str(path), str(target / path.name))


def recover_compaction(location: Path, *, clean: bool = True) -> None:
    """Leave the store at ``location`` openable after a compaction that was killed
    (:meth:`OxigraphStore.compact`): the store renamed away and its complete copy not yet in place is
    finished (its own files moved, the copy renamed into place); ``clean``: the leftovers of a
    compaction that did not get that far (the unfinished copy) or finished (the old files) are removed."""
    fresh = location.with_name(location.name + ".compacting")
    old = location.with_name(location.name + ".replaced")
    if not location.exists() and old.is_dir():
        if (fresh / COMPACTED_MARKER).exists():
            _move_own_files(old, fresh)
            fresh.rename(location)
        else:  # not reached by compact (it renames only after the marker); put the old store back
            old.rename(location)
    if location.is_dir() and (location / COMPACTED_MARKER).exists() and clean:
        shutil.rmtree(old, ignore_errors=True)
        (location / COMPACTED_MARKER).unlink()
    if clean and location.is_dir():
        for leftover in (fresh, old):
            shutil.rmtree(leftover, ignore_errors=True)


def read_compaction(location: Path | None) -> dict | None:
    """:data:`COMPACTION_FILE` of the store at ``location`` (None: never compacted, or not on disk)."""
    import json

    path = None if location is None else Path(location) / COMPACTION_FILE
    if path is None or not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class CompactionPolicy:
    """When an ingest compacts the store by itself: the store grew by at least ``percent`` % of its size
    after the last compaction (every byte counts as growth for a store never compacted) and by at least
    ``min_bytes``. ``percent`` None: never (``AIDGRAPH_AUTO_COMPACT=off``)."""

    percent: float | None = 50.0
    min_bytes: int = 64 * 2**20

    def due(self, size: int, last: dict | None) -> bool:
        if self.percent is None:
            return False
        base = int(last["compacted_bytes"]) if last and "compacted_bytes" in last else 0
        growth = size - base
        return growth >= self.min_bytes and growth * 100 >= self.percent * base

    def describe(self) -> str:
        if self.percent is None:
            return "off"
        return f"after an ingest that grew the store by {self.percent:g} % and {self.min_bytes / 2**20:g} MiB"


def compaction_due(store, policy: CompactionPolicy) -> bool:
    """Whether ``store`` (an on-disk Oxigraph store) should be compacted now under ``policy``."""
    if getattr(store, "location", None) is None or not hasattr(store, "compact"):
        return False
    return policy.due(store.disk_bytes(), store.last_compaction())


def _disk_bytes(location: Path) -> int:
    """The bytes the files under ``location`` take on disk."""
    return sum(path.stat().st_blocks * 512 for path in location.rglob("*") if path.is_file())


def default_graph_size(store: ox.Store) -> int:
    """How many triples the default graph of a pyoxigraph store holds."""
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)
