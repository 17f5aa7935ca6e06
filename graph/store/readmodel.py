"""The pledge read model: a SQLite table of pledges derived from the store's default graph.

SPARQL stays the source of truth. The read model answers the one question the REST lookups and the
web app ask most: *a page of pledge records matching filters, newest first*, and *how many pledges per
facet value*, in milliseconds at 100k articles (a SPARQL page with filters and deep offsets reads and
sorts every pledge). It holds, per pledge:

* ``pledge_rows``: one row per (pledge, sort date), as ``api.lookups.pledge_page_query`` projects
  them (a pledge with two dates is two rows there and here; no date is ``""``);
* ``pledge_facets``: (facet, value, pledge, sort date) for every value a filter or a facet count tests (donor,
  recipient, category with its broader categories, own category, item IRI, the pledge's own item label,
  status, meeting, date, article language), kept once, in the order pages read them;
* ``pledge_records``: the record ``api.lookups.shape_pledges`` makes of the pledge, as JSON;
* ``saved_answers``: the answers of the saved analyst queries (``queries/*.rq``) as the query lane gave
  them, valid for one *generation* of the store (``meta``: a new one before every change, so an answer
  computed while a write began is never kept); computed by :meth:`PledgeReadModel.rebuild` and kept by
  the server after a first run (``GET /queries/{name}``), answered again only after a write;
* ``facet_totals``: how many pledges have each (facet, value), kept by adding and subtracting what
  each write changes (the meetings' pledge counts of ``/meetings``);
* ``item_texts``: (lower-cased label text, item node) of the items pledged, and (text, ``""``) of the
  pledges' own item labels: ``item=`` looks for its text in them, then reads the pledges of the items
  and of the own labels that contain it off the index (facets ``object`` and ``item_label``); a row
  check of ``item=`` looks the same way (the item labels' texts are not repeated per pledge).

Everything is read from the default graph: the facets mean the SPARQL patterns of ``FACET_PATTERNS``
(:func:`facet_query`), read by quad lookups (:func:`pledge_facets`, a test holds them equal), and the
records are what ``api.lookups.pledge_details_query`` answers (:func:`detail_rows`), so the rows are
those the SPARQL path would give.

Kept in step by the store's ``replace_graphs`` (:meth:`PledgeReadModel.refresh`, in the same call
under the same write lock: the pledges whose subjects or items the changed graphs mention are
recomputed), or once at the end of an ingest (``OxigraphStore.deferred_read_model``: meanwhile the
model counts as changing and readers ask SPARQL); marked stale by a SPARQL Update (readers then fall
back to SPARQL) and rebuilt by :meth:`PledgeReadModel.rebuild` (``aidgraph rebuild``, or when a stale
model is opened for writing).
The state is written before the store changes, so a crash between the two leaves it stale, not wrong.

    model = PledgeReadModel(path)                        # the writer (the process that owns the store)
    model.rebuild(ox_store)
    reader = PledgeReadModel(path, read_only=True)       # any other process (WAL: readers beside it)
    if reader.is_current():
        records = reader.page(PledgeCriteria(equal={"donor": [de_iri]}), limit=100, offset=0)
"""

from __future__ import annotations

import heapq
import json
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the file of the read model in the store directory
READ_MODEL_FILE = "aidgraph-lookups.sqlite"
#: bump when the tables or what they hold change (an older file is rebuilt)
SCHEMA_VERSION = "6"
BATCH = 400  # pledges per read while refreshing
BULK_BATCH = 5000  # pledges per transaction while rebuilding
#: a change touching at least this share of the model's pledges rebuilds the model instead of refreshing
#: them (:meth:`PledgeReadModel.follow`): a rebuild scans each property once and builds the indexes at
#: the end; measured 1.4 s against 2.2 s for refreshing all of 4,206 pledges (benchmarks/README.md)
REBUILD_SHARE = 0.6
LANDMARK_STEP = 2000  # rows between two landmarks of a deep page's stream (_seek_page)
LANDMARK_STREAMS = 256  # streams whose landmarks are kept
#: a kept saved-query answer body of at least this many bytes is stored zlib-compressed (the 10,000-row
#: answers are megabytes of JSON repeating the same IRIs: 6.8 MB -> ~0.2 MB; read once per server and
#: store version, ``api.routes_sparql`` keeps the answer in memory after that)
PACK_ANSWERS_FROM = 16 * 1024

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pledge_rows (pledge TEXT NOT NULL, sort_date TEXT NOT NULL, dates INTEGER NOT NULL,
                                        PRIMARY KEY (pledge, sort_date)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pledge_rows_order ON pledge_rows (sort_date DESC, pledge);
CREATE INDEX IF NOT EXISTS pledge_rows_several ON pledge_rows (sort_date DESC, pledge) WHERE dates > 1;
CREATE TABLE IF NOT EXISTS pledge_facets (facet TEXT NOT NULL, value TEXT NOT NULL, pledge TEXT NOT NULL,
                                          sort_date TEXT NOT NULL,
                                          PRIMARY KEY (facet, value, sort_date DESC, pledge)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pledge_facets_pledge ON pledge_facets (pledge, facet);
CREATE TABLE IF NOT EXISTS pledge_records (pledge TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS saved_answers (name TEXT NOT NULL, format TEXT NOT NULL, cap INTEGER NOT NULL,
                                          generation TEXT NOT NULL, answer TEXT NOT NULL, body BLOB NOT NULL,
                                          PRIMARY KEY (name, format, cap)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS facet_totals (facet TEXT NOT NULL, value TEXT NOT NULL, pledges INTEGER NOT NULL,
                                         PRIMARY KEY (facet, value)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS item_texts (text TEXT NOT NULL, node TEXT NOT NULL, PRIMARY KEY (text, node))
    WITHOUT ROWID;
"""

DATA_TABLES = ("pledge_rows", "pledge_facets", "pledge_records", "item_texts", "facet_totals",
               "saved_answers")

#: facet name -> the SPARQL pattern binding ?value for ?pledge (the REST filters' and facets' meaning);
#: ``category`` is the closure of ``category_direct`` under skos:broader* (computed in Python, as
#: ``?c skos:broader* ?value`` would: the category itself and every broader one)
FACET_PATTERNS = {
    "donor": "?pledge schema:agent ?value",
    "recipient": "?pledge schema:recipient ?value",
    "category_direct": "?pledge aid:category|schema:object/aid:category ?value",
    "own_category": "?pledge aid:category ?value",
    "object": "?pledge schema:object ?value",
    "status": "?pledge aid:status ?value",
    "meeting": "?pledge aid:announcedAt ?value",
    "date": "?pledge dcterms:date ?d BIND(STR(?d) AS ?value)",
    "lang": "?pledge prov:wasDerivedFrom ?a . ?a schema:inLanguage ?l BIND(STR(?l) AS ?value)",
    "item_label": "?pledge aid:itemLabel ?t BIND(LCASE(STR(?t)) AS ?value)",
}
BROADER_EDGES = "SELECT ?n ?b WHERE { ?n <http://www.w3.org/2004/02/skos/core#broader> ?b }"
PLEDGE_CLASS = "https://w3id.org/aidgraph/ontology#Pledge"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: the properties by which a pledge's record depends on another node (its item, claims, amount) and its
#: facets on its source article (``lang``)
DEPENDS_ON = ("https://schema.org/object", "http://www.w3.org/ns/prov#qualifiedDerivation",
              "https://schema.org/amount", "http://www.w3.org/ns/prov#wasDerivedFrom")
#: what the rows of a pledge read of the nodes it depends on: item labels and category, a claim's
#: article, evidence and confidence, an amount's value and currency, an article's language
READ_OF_DEPENDENCIES = frozenset({
    "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2004/02/skos/core#altLabel",
    "https://schema.org/name", "http://www.w3.org/2000/01/rdf-schema#label",
    "https://w3id.org/aidgraph/ontology#category", "http://www.w3.org/ns/prov#entity",
    "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf",
    "https://w3id.org/aidgraph/ontology#confidence", "https://schema.org/value", "https://schema.org/currency",
    "https://schema.org/inLanguage"})


def facet_query(facet: str, pledges: Sequence[str]) -> str:
    """(pledge, value) rows of one facet for the given pledges, read from the default graph. One query
    per facet: pyoxigraph joins VALUES into each branch of a UNION of them only after evaluating it."""
    from pyoxigraph import NamedNode

    from api.lookups import PREFIXES

    values = " ".join(str(NamedNode(iri)) for iri in pledges)
    return PREFIXES + f"SELECT DISTINCT ?pledge ?value WHERE {{ VALUES ?pledge {{ {values} }} " \
                      f"{FACET_PATTERNS[facet]} }}"


def broader_closure(store) -> dict[str, set[str]]:
    """Each node with a broader node -> itself and every node above it (``skos:broader*``)."""
    up: dict[str, set[str]] = {}
    for solution in store.query(BROADER_EDGES):
        up.setdefault(solution["n"].value, set()).add(solution["b"].value)
    closure: dict[str, set[str]] = {}

    def above(node: str, path: frozenset = frozenset()) -> set[str]:
        if node not in closure:
            found = {node}
            for parent in up.get(node, ()):
                if parent not in path:
                    found |= above(parent, path | {node})
            closure[node] = found
        return closure[node]

    for node in list(up):
        above(node)
    return closure


@dataclass
class PledgeCriteria:
    """Which pledges a lookup wants: every condition must hold (as the SPARQL filter fragments).

    ``equal``: facet -> accepted values (any of them); ``item``: (item IRI, lower-cased text) the item
    is that IRI or its labels contain the text; ``date_from``/``date_to``: some date of the pledge is
    inside, compared at the coarser precision of the two (``api.lookups.date_in_range``).
    """

    equal: dict[str, list[str]] = field(default_factory=dict)
    item: tuple[str, str] | None = None
    date_from: str | None = None
    date_to: str | None = None

    def without(self, facet: str) -> PledgeCriteria:
        """The same criteria minus the condition on ``facet`` (for its facet counts)."""
        return PledgeCriteria({k: v for k, v in self.equal.items() if k != facet},
                              None if facet == "item" else self.item,
                              None if facet == "date" else self.date_from,
                              None if facet == "date" else self.date_to)

    def row_checks(self, column: str, *, skip: str | None = None,
                   dates: bool = True) -> tuple[str, list[Any]]:
        """A SQL condition that the pledge in ``column`` (a qualified column: ``r.pledge``) meets every
        criterion but ``skip`` (a facet name or ``item``), the date criteria only when ``dates``; and its
        parameters. Each check is a primary-key or (pledge, facet) index lookup."""
        clauses, params = [], []

        def having(condition: str) -> str:
            return f"EXISTS (SELECT 1 FROM pledge_facets c WHERE c.pledge = {column} AND {condition})"

        for facet, values in sorted(self.equal.items()):
            if facet == skip:
                continue
            marks = ", ".join("?" for _ in values)
            clauses.append(having(f"c.facet = ? AND c.value IN ({marks})"))
            params += [facet, *values]
        if self.item is not None and skip != "item":  # its IRI, an item whose label holds the text, or
            # an own label holding it (the ranges :meth:`PledgeReadModel._page_rows` reads as a driver)
            labelled = "SELECT t.node FROM item_texts t WHERE t.node != '' AND instr(t.text, ?) > 0"
            clauses.append(f"({having('c.facet = ? AND (c.value = ? OR c.value IN (' + labelled + '))')} "
                           f"OR {having('c.facet = ? AND instr(c.value, ?) > 0')})")
            params += ["object", self.item[0], self.item[1], "item_label", self.item[1]]
        if dates and (self.date_from is not None or self.date_to is not None):
            condition, values = self.own_date("c.value")
            clauses.append(having(f"c.facet = 'date' AND {condition}"))
            params += values
        return (" AND ".join(clauses) or "1"), params

    def own_date(self, column: str) -> tuple[str, list[Any]]:
        """A SQL condition that the date in ``column`` passes date_from / date_to (compared at the
        coarser precision, as ``api.lookups.date_in_range``), and its parameters."""
        clauses, params = [], []
        if self.date_from is not None:
            clauses.append(f"substr(?, 1, length({column})) <= substr({column}, 1, length(?))")
            params += [self.date_from, self.date_from]
        if self.date_to is not None:
            clauses.append(f"substr({column}, 1, length(?)) <= substr(?, 1, length({column}))")
            params += [self.date_to, self.date_to]
        return (" AND ".join(clauses) or "1"), params


class _Descending:
    """A string that sorts the other way round (for merging rows newest first)."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __lt__(self, other: _Descending) -> bool:
        return self.value > other.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.value == other.value


class PledgeReadModel:
    """The read model in one SQLite file (see the module docstring). Thread-safe: one connection per
    thread; writes (rebuild, refresh, mark_stale) come from the one process that owns the store."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._local = threading.local()
        self._closure: dict[str, set[str]] | None = None  # the category tree, while rebuilding
        self._nodes: dict[str, tuple] = {}  # item node -> (categories, label texts), while rebuilding
        self._landmarks: dict[tuple, list[tuple[str, str]]] = {}  # stream -> landmarks (_seek_page)
        self._landmarks_of: str | None = None  # the generation they belong to
        self._landmarks_lock = threading.Lock()
        if not read_only:
            db = self._connection()
            with db:
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                if self._meta("schema") != SCHEMA_VERSION:  # another version's tables (or none): anew
                    for table in DATA_TABLES:
                        db.execute(f"DROP TABLE IF EXISTS {table}")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('state', 'stale')")
            db.executescript(SCHEMA)

    # ------------------------------------------------------------------ state

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            if self.read_only:
                db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            else:
                db = sqlite3.connect(self.path, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("PRAGMA cache_size=-65536")  # 64 MB: a rebuild's inserts stay in memory
            self._local.db = db
        return db

    def _meta(self, key: str) -> str | None:
        try:
            row = self._connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def is_current(self) -> bool:
        """Whether the model matches the store (built, not stale, of this schema version)."""
        return self._meta("state") == "current" and self._meta("schema") == SCHEMA_VERSION

    def mark_stale(self) -> None:
        """Record that the store changed in a way the model did not follow (readers use SPARQL)."""
        with self._connection() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('state', 'stale')")
            self._new_generation(db)

    def drop_saved_answers(self) -> None:
        """Before a change the model's tables do not follow (a graph outside the default graph, such as
        the commitments): a new generation, so no saved answer of the old store is served."""
        with self._connection() as db:
            self._new_generation(db)

    @staticmethod
    def _new_generation(db: sqlite3.Connection) -> None:
        """Before the store changes: the saved answers of the old store are no answers any more."""
        db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', lower(hex(randomblob(8))))")
        db.execute("DELETE FROM saved_answers")

    def generation(self) -> str | None:
        """The store's generation while the model is current (None otherwise): read it before a query
        whose answer :meth:`keep_answer` should keep."""
        return self._meta("generation") if self.is_current() else None

    def saved_answer(self, name: str, fmt: str, cap: int) -> dict[str, Any] | None:
        """The kept answer of a saved query in format ``fmt`` with result cap ``cap`` (the query lane's
        result: body, media type, count, truncated), None when there is none for this store."""
        generation = self.generation()
        if generation is None:
            return None
        try:
            row = self._connection().execute(
                "SELECT answer, body FROM saved_answers WHERE name = ? AND format = ? AND cap = ? "
                "AND generation = ?", (name, fmt, cap, generation)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        answer = json.loads(row[0])
        body = zlib.decompress(row[1]) if answer.pop("packed", None) == "zlib" else row[1]
        if isinstance(body, bytes) and answer.pop("text", False):
            body = body.decode("utf-8")
        return answer | {"body": body}

    def keep_answer(self, name: str, fmt: str, cap: int, generation: str, answer: dict[str, Any]) -> None:
        """Keep a saved query's answer computed after :meth:`generation` answered ``generation``; a no-op
        when the store changed since (or a write is under way). A reader process may call it: it opens
        its own connection for this one cache table."""
        db = getattr(self._local, "keeper", None)
        if db is None:
            db = self._local.keeper = sqlite3.connect(self.path, timeout=2, check_same_thread=False)
        meta = {key: value for key, value in answer.items() if key != "body"}
        body = answer["body"]
        if len(body) >= PACK_ANSWERS_FROM:  # stored compressed, given back as it came (bytes or text)
            meta["text"] = isinstance(body, str)
            body = zlib.compress(body.encode("utf-8") if isinstance(body, str) else body, 6)
            meta["packed"] = "zlib"
        try:
            with db:
                db.execute("INSERT OR REPLACE INTO saved_answers SELECT ?, ?, ?, ?, ?, ? WHERE "
                           "(SELECT value FROM meta WHERE key = 'generation') = ? AND "
                           "(SELECT value FROM meta WHERE key = 'state') = 'current'",
                           (name, fmt, cap, generation, json.dumps(meta), body, generation))
        except sqlite3.Error:
            pass  # a busy or read-only file: the answer is simply not kept

    def vacuum(self) -> None:
        """Fold the write-ahead log into the file and rewrite the file without its free pages (refreshes
        delete and insert rows all the time; after a large ingest a third of the file can be free pages
        and the log as large again). The writer only; readers see the same rows throughout."""
        db = self._connection()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close this thread's connection."""
        for name in ("db", "keeper"):
            db = getattr(self._local, name, None)
            if db is not None:
                db.close()
                setattr(self._local, name, None)

    # ------------------------------------------------------------------ writes

    def rebuild(self, store, *, answers: bool = True) -> int:
        """Recompute the whole model from the default graph of ``store`` (a pyoxigraph Store);
        answers the number of pledges. ``answers``: also compute the saved queries' answers (False when
        the caller answers them after a further write, as an ingest does after its commitments).

        Python's cyclic garbage collector is off meanwhile: the rebuild holds millions of quads and rows
        (~2 GB at 100k generated articles) and makes no cycles, and every full collection walked all of
        them (at 10k articles 40 % of the rebuild's time, under load; more at 100k)."""
        import gc

        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._rebuild(store, answers=answers)
        finally:
            if collecting:
                gc.enable()

    def _rebuild(self, store, *, answers: bool) -> int:
        import pyoxigraph as ox

        self.mark_stale()
        pledges = sorted({quad.subject.value for quad in store.quads_for_pattern(
            None, ox.NamedNode(RDF_TYPE), ox.NamedNode(PLEDGE_CLASS), ox.DefaultGraph())
            if isinstance(quad.subject, ox.NamedNode)})
        db = self._connection()
        with db:
            for table in DATA_TABLES:  # mark_stale began a new generation
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute("DELETE FROM meta WHERE key = 'shortest_date'")
        db.executescript(SCHEMA)
        self._closure = broader_closure(store)
        for index in ("pledge_rows_order", "pledge_rows_several", "pledge_facets_pledge"):
            db.execute(f"DROP INDEX IF EXISTS {index}")  # built once at the end: faster than kept per row
        quads_of = BulkQuads(store, set(pledges))
        # the facet rows are staged in a temporary table and go into pledge_facets in its key's order at
        # the end: that key is the pages' order (by date), so rows written pledge by pledge would land
        # all over its B-tree (5x slower at 10k); a sorted insert appends
        db.execute("DROP TABLE IF EXISTS temp.facet_stage")
        db.execute("CREATE TEMP TABLE facet_stage (facet TEXT, value TEXT, pledge TEXT, sort_date TEXT)")
        try:
            for start in range(0, len(pledges), BULK_BATCH):
                with db:
                    self._write(db, store, pledges[start:start + BULK_BATCH], quads_of)
            with db:
                db.execute("INSERT INTO pledge_facets SELECT facet, value, pledge, sort_date "
                           "FROM temp.facet_stage "
                           "ORDER BY facet, value, sort_date DESC, pledge")
        finally:
            self._closure, self._nodes = None, {}
            db.execute("DROP TABLE IF EXISTS temp.facet_stage")
        del quads_of
        db.executescript(SCHEMA)
        with db:
            db.execute("INSERT INTO facet_totals SELECT facet, value, COUNT(DISTINCT pledge) "
                       "FROM pledge_facets GROUP BY facet, value")
        with db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('state', 'current')")
        free, pages = (db.execute(f"PRAGMA {name}").fetchone()[0]
                       for name in ("freelist_count", "page_count"))
        if free > pages // 4:  # the old tables' pages (dropped above): the file would keep their size
            self.vacuum()
        if answers:
            self.answer_saved_queries(store)
        return len(pledges)

    def answer_saved_queries(self, store) -> None:
        """Run the saved analyst queries on ``store`` (pyoxigraph) and keep their answers in the default
        format (SPARQL JSON) under the default result cap: their first run is then a look-up too.
        Queries that read the clock (``NOW()``) are left to the server (their answer changes by itself)."""
        import dataclasses

        from api.saved_queries import saved_queries
        from api.settings import ApiSettings
        from api.worker import native_answer

        cap = next(f.default for f in dataclasses.fields(ApiSettings) if f.name == "result_cap")
        generation = self.generation()
        if generation is None:
            return
        for saved in saved_queries().values():
            if "now()" in saved.sparql.lower():
                continue
            answer = native_answer(store, saved.sparql, "json", cap)
            self.keep_answer(saved.name, "json", cap, generation, answer)

    def affected(self, store, subjects: Iterable[str]) -> set[str]:
        """The pledges whose rows may change when triples about ``subjects`` change: those subjects
        that are (or were) pledges, and the pledges whose item, claim, amount or article is one of them."""
        subjects = set(subjects)
        return self.affected_by_subjects(store, subjects, subjects)

    def affected_by(self, store, changed: Iterable) -> set[str]:
        """The pledges whose rows may change when the default graph gains or loses the pyoxigraph
        triples ``changed`` (only what it really gains or loses): the subjects that are (or were)
        pledges, and the pledges depending on a subject whose changed triple is one they read
        (:data:`READ_OF_DEPENDENCIES`). A new claim of an item does not touch every pledge of it."""
        import pyoxigraph as ox

        subjects: set[str] = set()
        sources: set[str] = set()
        for triple in changed:
            if isinstance(triple.subject, ox.NamedNode):
                subjects.add(triple.subject.value)
                if triple.predicate.value in READ_OF_DEPENDENCIES:
                    sources.add(triple.subject.value)
        return self.affected_by_subjects(store, subjects, sources)

    def affected_by_subjects(self, store, subjects: set[str], sources: set[str], *,
                             enough: Callable[[int], bool] | None = None) -> set[str]:
        """``subjects`` that are (or were) pledges, and the pledges that depend on one of ``sources``
        (:meth:`affected_by` with the changed triples' subjects already taken). ``enough(n)``: stop as
        soon as it is true of the number found (then the answer is a part of them)."""
        import pyoxigraph as ox

        known = set()
        db = self._connection()
        listed = sorted(subjects)
        for start in range(0, len(listed), 500):
            chunk = listed[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            known |= {row[0] for row in db.execute(
                f"SELECT pledge FROM pledge_records WHERE pledge IN ({marks})", chunk)}
        found = set(known)
        if enough is not None and enough(len(found)):
            return found
        pledge_type, default = ox.NamedNode(PLEDGE_CLASS), ox.DefaultGraph()
        rdf_type = ox.NamedNode(RDF_TYPE)
        for subject in subjects:
            node = ox.NamedNode(subject)
            if next(iter(store.quads_for_pattern(node, rdf_type, pledge_type, default)), None) is not None:
                found.add(subject)
                if enough is not None and enough(len(found)):
                    return found
        depends_on = [ox.NamedNode(prop) for prop in DEPENDS_ON]
        for subject in sources:
            node = ox.NamedNode(subject)
            for prop in depends_on:
                for quad in store.quads_for_pattern(None, prop, node, default):
                    if isinstance(quad.subject, ox.NamedNode):
                        found.add(quad.subject.value)
            if enough is not None and enough(len(found)):
                return found
        return found

    def rebuild_needed(self, store, subjects: set[str], sources: set[str]) -> set[str] | None:
        """None when the pledges :meth:`affected_by_subjects` names are so many that :meth:`follow`
        would rebuild the model (found without naming them all), else those pledges."""
        size = self.size()

        def enough(n: int) -> bool:  # follow's test; once true for n, true for every larger n
            return n > 0 and n >= REBUILD_SHARE * max(size, n)

        found = self.affected_by_subjects(store, subjects, sources, enough=enough)
        return None if enough(len(found)) else found

    def follow(self, store, pledges: Iterable[str]) -> None:
        """After the store changed: :meth:`refresh` ``pledges``, or :meth:`rebuild` the whole model when
        they are at least :data:`REBUILD_SHARE` of it (a backfill into a fresh store: cheaper, same rows).
        :meth:`begin_change` before the change, as for :meth:`refresh`."""
        listed = set(pledges)
        if listed and len(listed) >= REBUILD_SHARE * max(self.size(), len(listed)):
            self.rebuild(store)
        else:
            self.refresh(store, listed)

    def refresh(self, store, pledges: Iterable[str]) -> None:
        """Recompute the rows of ``pledges`` from the default graph of ``store`` (those no longer
        pledges are removed). Call after the store changed; :meth:`begin_change` before it."""
        listed = sorted(set(pledges))
        db = self._connection()
        with db:
            for start in range(0, len(listed), BATCH):
                self._write(db, store, listed[start:start + BATCH])
            if self._meta("state") == "changing":
                db.execute("INSERT OR REPLACE INTO meta VALUES ('state', 'current')")

    def begin_change(self) -> bool:
        """Before the store changes: mark a current model as changing (a crash before :meth:`refresh`
        leaves it not current). Answers whether the model was current (else it needs a rebuild and
        refreshing it is pointless)."""
        if not self.is_current():
            return False
        with self._connection() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('state', 'changing')")
            self._new_generation(db)
        return True

    def _write(self, db: sqlite3.Connection, store, pledges: list[str], quads_of=None) -> None:
        from api import lookups as q

        if not pledges:
            return
        import pyoxigraph as ox

        alive = pledges  # a rebuild (quads_of given) writes empty tables with the store's pledges
        change: dict[tuple[str, str], int] = {}  # (facet, value) -> pledges gained (lost: negative)
        if quads_of is None:
            marks = ", ".join("?" for _ in pledges)
            old = f"SELECT DISTINCT facet, value, pledge FROM pledge_facets WHERE pledge IN ({marks})"
            for key in db.execute(old, pledges):
                change[key[:2]] = change.get(key[:2], 0) - 1
            for table in ("pledge_rows", "pledge_facets", "pledge_records"):
                db.execute(f"DELETE FROM {table} WHERE pledge IN ({marks})", pledges)
            rdf_type, pledge_type = ox.NamedNode(RDF_TYPE), ox.NamedNode(PLEDGE_CLASS)
            alive = [pledge for pledge in pledges if next(iter(store.quads_for_pattern(
                ox.NamedNode(pledge), rdf_type, pledge_type, ox.DefaultGraph())), None) is not None]
        if not alive:
            self._add_totals(db, change)
            return
        closure = self._closure if self._closure is not None else broader_closure(store)
        nodes = self._nodes if self._closure is not None else {}  # item node -> (categories, texts)
        facts = pledge_facets(store, alive, closure, nodes, quads_of)
        details = detail_rows(store, alive, quads_of)
        records = q.shape_pledges(alive, details)
        rows, facet_rows, record_rows = [], [], []
        shortest = int(self._meta("shortest_date") or 1_000_000)
        for pledge, record in zip(alive, records, strict=True):
            values = facts[pledge]
            dates = sorted({value for facet, value in values if facet == "date"}) or [""]
            rows += [(pledge, d, len(dates) if d else 0) for d in dates]
            facet_rows += [(facet, value, pledge, d) for facet, value in sorted(values) for d in dates]
            record_rows.append((pledge, json.dumps(record, ensure_ascii=False, separators=(",", ":"))))
            shortest = min([shortest, *(len(d) for d in dates if d)])
        db.executemany("INSERT INTO pledge_rows VALUES (?, ?, ?)", rows)
        # a rebuild (quads_of) stages its facet rows (see rebuild), a refresh writes them in place
        staged = "temp.facet_stage" if quads_of is not None else "pledge_facets"
        db.executemany(f"INSERT INTO {staged} VALUES (?, ?, ?, ?)", facet_rows)
        db.executemany("INSERT INTO pledge_records VALUES (?, ?)", record_rows)
        texts = {(value, "") for facet, value, _, _ in facet_rows if facet == "item_label"}
        for node in {value for facet, value, _, _ in facet_rows if facet == "object"} & nodes.keys():
            texts |= {(text, node) for text in nodes[node][1]}
        db.executemany("INSERT OR IGNORE INTO item_texts VALUES (?, ?)", sorted(texts))
        if shortest < 1_000_000:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('shortest_date', ?)", (str(shortest),))
        if quads_of is None:  # a rebuild counts at the end
            for key in {(facet, value, pledge) for facet, value, pledge, _ in facet_rows}:
                change[key[:2]] = change.get(key[:2], 0) + 1
            self._add_totals(db, change)

    @staticmethod
    def _add_totals(db: sqlite3.Connection, change: dict[tuple[str, str], int]) -> None:
        rows = [(facet, value, n) for (facet, value), n in sorted(change.items()) if n]
        db.executemany("INSERT INTO facet_totals VALUES (?, ?, ?) ON CONFLICT (facet, value) "
                       "DO UPDATE SET pledges = pledges + excluded.pledges", rows)
        db.execute("DELETE FROM facet_totals WHERE pledges = 0")

    # ------------------------------------------------------------------ reads

    def page(self, criteria: PledgeCriteria, limit: int, offset: int) -> list[dict[str, Any]]:
        """The records of one page of pledges matching ``criteria``, newest first, ties by IRI: the
        rows and order of ``api.lookups.pledge_page_query``.

        The rows are read in that order off one index range (the *driver*: the smallest of the
        criteria's ranges, or every row), the other criteria checked per row by primary-key lookups;
        so a page costs its offset and limit and the rows skipped, never a sort of the matches.
        A criterion of several ranges (an item: its IRI and each label containing the text; a
        donor that names both a country and an organisation) is merged here, range by range."""
        return [json.loads(record) for record in self.page_json(criteria, limit, offset)]

    def page_json(self, criteria: PledgeCriteria, limit: int, offset: int) -> list[str]:
        """:meth:`page` as the records' JSON texts (compact, as ``json.dumps(..., separators=(",", ":"),
        ensure_ascii=False)`` writes them): a response can splice them without parsing and writing
        them again. Read in one transaction (one snapshot of the file)."""
        db = self._connection()
        own = not db.in_transaction
        if own:
            db.execute("BEGIN")
        try:
            order = [pledge for _, pledge in self._page_rows(db, criteria, int(limit), int(offset))]
            records: dict[str, str] = {}
            unique = sorted(set(order))
            for start in range(0, len(unique), 500):
                chunk = unique[start:start + 500]
                marks = ", ".join("?" for _ in chunk)
                records |= dict(db.execute(
                    f"SELECT pledge, record FROM pledge_records WHERE pledge IN ({marks})", chunk))
        finally:
            if own:
                db.execute("COMMIT")
        return [records[pledge] for pledge in order]

    def _page_rows(self, db: sqlite3.Connection, criteria: PledgeCriteria, limit: int,
                   offset: int) -> list[tuple[str, str]]:
        exists = "SELECT 1 FROM pledge_facets WHERE facet = ? AND value = ? LIMIT 1"
        ranges: dict[str, list[tuple[str, str]]] = {}  # criterion -> its (facet, value) index ranges
        for name, values in criteria.equal.items():
            ranges[name] = [(name, value) for value in values if db.execute(exists, (name, value)).fetchone()]
        if criteria.item is not None:
            iri, text = criteria.item
            found = [(node or "", label) for label, node in self._item_texts(db) if text in label]
            ranges["item"] = sorted({("object", iri)} | {("object", node) for node, _ in found if node}
                                    | {("item_label", label) for node, label in found if not node})
        if any(not found for found in ranges.values()):
            return []
        streams: list[tuple[str, list[Any]]] = []  # (SELECT sort_date, pledge ... ordered, parameters)
        date_range = self._date_range(db, criteria)
        sizes: dict[str, int] = dict.fromkeys(ranges, 0) | ({"date": 0} if date_range is not None else {})
        if len(sizes) > 1:  # a choice: the facet ranges' sizes are kept (facet_totals: pledges, about
            # their rows), the date range's rows are counted up to the smallest of them
            total = "SELECT pledges FROM facet_totals WHERE facet = ? AND value = ?"
            sizes = {name: sum((db.execute(total, [facet, value]).fetchone() or (0,))[0]
                               for facet, value in found) for name, found in ranges.items()}
            if date_range is not None:
                sizes["date"] = self._bounded_count(
                    db, "SELECT 1 FROM pledge_rows WHERE sort_date BETWEEN ? AND ?", list(date_range),
                    min(sizes.values(), default=20_000) + 1)
        driver = min(sizes, key=lambda name: sizes[name]) if sizes else None
        if driver == "date":
            where, params = criteria.row_checks("r.pledge", dates=False)
            own, own_params = criteria.own_date("r.sort_date")
            streams.append(("SELECT r.sort_date, r.pledge FROM pledge_rows r WHERE r.sort_date BETWEEN ? "
                            f"AND ? AND {own} AND {where}", [*date_range, *own_params, *params]))
            several = "SELECT 1 FROM pledge_rows INDEXED BY pledge_rows_several WHERE dates > 1 LIMIT 1"
            if db.execute(several).fetchone():  # (not indexed by hand: a scan of every row, 60 ms at 100k)
                # a pledge with several dates: its rows whose own date is outside have another inside
                where, params = criteria.row_checks("r.pledge")
                streams.append(("SELECT r.sort_date, r.pledge FROM pledge_rows r WHERE r.dates > 1 "
                                f"AND {where}", params))
        elif driver is not None:
            where, params = criteria.row_checks("r.pledge", skip=driver)
            for facet, value in ranges[driver]:
                streams.append(("SELECT r.sort_date, r.pledge FROM pledge_facets r WHERE r.facet = ? "
                                f"AND r.value = ? AND {where}", [facet, value, *params]))
        else:
            where, params = criteria.row_checks("r.pledge")
            streams.append((f"SELECT r.sort_date, r.pledge FROM pledge_rows r WHERE {where}", params))
        ordering = " ORDER BY r.sort_date DESC, r.pledge LIMIT ? OFFSET ?"
        if len(streams) == 1:
            sql, params = streams[0]
            if offset >= LANDMARK_STEP:
                return self._seek_page(db, sql, params, limit, offset)
            return db.execute(sql + ordering, [*params, limit, offset]).fetchall()
        merged, seen = [], set()
        cursors = [db.execute(sql + ordering, [*params, limit + offset, 0]) for sql, params in streams]
        for row in heapq.merge(*cursors, key=lambda row: (_Descending(row[0]), row[1])):
            if row not in seen:
                seen.add(row)
                merged.append(row)
                if len(merged) == offset + limit:
                    break
        return merged[offset:]

    def _seek_page(self, db: sqlite3.Connection, sql: str, params: list[Any], limit: int,
                   offset: int) -> list[tuple[str, str]]:
        """A deep page of one ordered stream: from the nearest *landmark* at or before ``offset`` (the
        (sort date, pledge) of every LANDMARK_STEP-th row of the stream), so SQLite skips fewer than
        LANDMARK_STEP index entries instead of ``offset``. The landmarks are found with the same skips,
        once per stream and *generation* of the model (kept in this object, for the snapshot the caller's
        transaction reads: a write begins a new generation, so landmarks never outlive the rows)."""
        meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('generation', 'state')"))
        if meta.get("state") != "current":  # a write under way: its new generation's rows are not these
            return db.execute(f"{sql} ORDER BY r.sort_date DESC, r.pledge LIMIT ? OFFSET ?",
                              [*params, limit, offset]).fetchall()
        generation = meta.get("generation")
        key = (sql, tuple(params))
        with self._landmarks_lock:
            if self._landmarks_of != generation:
                self._landmarks, self._landmarks_of = {}, generation
            marks = list(self._landmarks.get(key, ()))
        after = "(r.sort_date <= ? AND NOT (r.sort_date = ? AND r.pledge <= ?))"
        ordering = " ORDER BY r.sort_date DESC, r.pledge LIMIT ? OFFSET ?"

        def read(mark: tuple[str, str] | None, count: int, skip: int) -> list[tuple[str, str]]:
            if mark is None:
                return db.execute(sql + ordering, [*params, count, skip]).fetchall()
            return db.execute(f"{sql} AND {after}{ordering}",
                              [*params, mark[0], mark[0], mark[1], count, skip]).fetchall()

        wanted = offset // LANDMARK_STEP
        grown = False
        while len(marks) < wanted:  # landmark k is row (k + 1) * STEP - 1 of the stream
            row = read(marks[-1] if marks else None, 1, LANDMARK_STEP - 1)
            if not row:
                break
            marks.append(tuple(row[0]))
            grown = True
        if grown:
            with self._landmarks_lock:
                if self._landmarks_of == generation:
                    if len(self._landmarks) >= LANDMARK_STREAMS:
                        self._landmarks.pop(next(iter(self._landmarks)))
                    self._landmarks[key] = marks
        if len(marks) < wanted:  # the stream ends before the offset
            return []
        if wanted == 0:
            return read(None, limit, offset)
        return read(marks[wanted - 1], limit, offset - wanted * LANDMARK_STEP)

    def _item_texts(self, db: sqlite3.Connection) -> list[tuple[str, str]]:
        """(text, item node or ``""``) of every item label a pledge has had since the last rebuild (a
        superset of those it has: one no pledge has any more adds an empty range)."""
        return db.execute("SELECT text, node FROM item_texts").fetchall()

    @staticmethod
    def _bounded_count(db: sqlite3.Connection, sql: str, params: list[Any], cap: int = 20_000) -> int:
        return db.execute(f"SELECT count(*) FROM ({sql} LIMIT {cap})", params).fetchone()[0]

    def _date_range(self, db: sqlite3.Connection, criteria: PledgeCriteria) -> tuple[str, str] | None:
        """Bounds of the sort dates a row passing the date criteria may have (None without them): a
        date no shorter than the shortest stored one (``meta``) compares at the coarser precision."""
        if criteria.date_from is None and criteria.date_to is None:
            return None
        shortest = int(self._meta("shortest_date") or 0)
        low = (criteria.date_from or "")[:shortest] or "\x01"
        high = (criteria.date_to + "\U0010ffff") if criteria.date_to is not None else "\U0010ffff"
        return low, high

    def counts(self, facet: str, criteria: PledgeCriteria) -> dict[str, int]:
        """Distinct pledges per value of ``facet`` among those matching ``criteria`` (``total``: all of
        them, under the key ``""``)."""
        where, params = criteria.row_checks("r.pledge")
        db = self._connection()
        if facet == "total":
            sql = f"SELECT COUNT(*) FROM pledge_records r WHERE {where}"
            return {"": db.execute(sql, params).fetchone()[0]}
        sql = (f"SELECT r.value, COUNT(DISTINCT r.pledge) FROM pledge_facets r WHERE r.facet = ? AND {where} "
               "GROUP BY r.value")
        return {value: n for value, n in db.execute(sql, [facet, *params])}

    def totals(self, facet: str) -> dict[str, int]:
        """How many pledges have each value of ``facet`` (``COUNT(DISTINCT ?pledge)`` per value)."""
        return dict(self._connection().execute("SELECT value, pledges FROM facet_totals WHERE facet = ?",
                                                (facet,)))

    def size(self) -> int:
        """How many pledges the model holds."""
        return self._connection().execute("SELECT COUNT(*) FROM pledge_records").fetchone()[0]


ITEM_LABELS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2004/02/skos/core#altLabel",
               "https://schema.org/name", "http://www.w3.org/2000/01/rdf-schema#label")
#: facet -> the pledge's own property whose values it holds (FACET_PATTERNS' one-step patterns)
OWN_FACETS = {"donor": "https://schema.org/agent", "recipient": "https://schema.org/recipient",
              "own_category": "https://w3id.org/aidgraph/ontology#category", "object": "https://schema.org/object",
              "status": "https://w3id.org/aidgraph/ontology#status",
              "meeting": "https://w3id.org/aidgraph/ontology#announcedAt", "date": "http://purl.org/dc/terms/date"}
ITEM_LABEL = "https://w3id.org/aidgraph/ontology#itemLabel"
DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
IN_LANGUAGE = "https://schema.org/inLanguage"


class BulkQuads:
    """The default graph's quads a rebuild reads about pledges, their claims and amounts, and articles,
    from one scan per property (``quads_of(node)``): millions of single-node lookups cost more than
    reading each property's quads once. Item nodes are looked up in the store (a few, cached)."""

    def __init__(self, store, pledges: set[str]) -> None:
        import pyoxigraph as ox

        from api import lookups as q

        default = ox.DefaultGraph()
        own = {q.P[name] for name in q.PLEDGE_PROPERTIES} | {DERIVED_FROM}
        others = {q.P[name] for name in ("entity", "anchor", "confidence", "value", "currency")}
        others.add(IN_LANGUAGE)
        self._by_subject: dict[str, list] = {}
        for prop in sorted(own | others):
            for quad in store.quads_for_pattern(None, ox.NamedNode(prop), None, default):
                subject = quad.subject.value
                if prop in others or subject in pledges:
                    self._by_subject.setdefault(subject, []).append(quad)

    def __call__(self, node) -> list:
        return self._by_subject.get(node.value, [])


def pledge_facets(store, pledges: Sequence[str], closure: dict[str, set[str]],
                  nodes: dict[str, tuple] | None = None, quads_of=None) -> dict[str, set[tuple[str, str]]]:
    """(facet, value) pairs of each pledge: what :func:`facet_query` answers for every facet of
    FACET_PATTERNS (``category_direct`` closed under ``closure``), read by quad lookups on the default
    graph (a few per pledge, where the SPARQL per facet took milliseconds per pledge at 10k articles).
    ``nodes`` caches the categories and labels of item nodes across calls; ``quads_of(node)`` (default:
    a quad lookup) answers the default graph's quads about a pledge or an article (:class:`BulkQuads`)."""
    import pyoxigraph as ox

    default = ox.DefaultGraph()
    nodes = {} if nodes is None else nodes
    lookups = quads_of or (lambda node: store.quads_for_pattern(node, None, None, default))
    by_property = {prop: facet for facet, prop in OWN_FACETS.items()}
    category = OWN_FACETS["own_category"]

    category_node, label_nodes = ox.NamedNode(category), [ox.NamedNode(prop) for prop in ITEM_LABELS]
    in_language = ox.NamedNode(IN_LANGUAGE)
    languages: dict[str, set[tuple[str, str]]] = {}  # article node -> its ("lang", code) facets

    def item(node) -> tuple:
        # one lookup per property: an item node collects a claim from every article that names it
        if node.value not in nodes:
            categories = {quad.object.value for quad in store.quads_for_pattern(node, category_node, None,
                                                                                default)}
            labels = {quad.object.value.lower() for wanted in label_nodes
                      for quad in store.quads_for_pattern(node, wanted, None, default)}
            nodes[node.value] = (categories, labels)
        return nodes[node.value]

    def language(node) -> set[tuple[str, str]]:
        # an article's language, read once per call (each of its pledges derives from it)
        if node.value not in languages:
            quads = (store.quads_for_pattern(node, in_language, None, default) if quads_of is None
                     else (quad for quad in quads_of(node) if quad.predicate.value == IN_LANGUAGE))
            languages[node.value] = {("lang", quad.object.value) for quad in quads}
        return languages[node.value]

    facts: dict[str, set[tuple[str, str]]] = {}
    for pledge in pledges:
        found: set[tuple[str, str]] = set()
        direct: set[str] = set()
        for quad in lookups(ox.NamedNode(pledge)):
            prop, value = quad.predicate.value, quad.object
            facet = by_property.get(prop)
            if facet is not None:
                found.add((facet, value.value))
            if prop == category:
                direct.add(value.value)
            elif prop == ITEM_LABEL:
                found.add(("item_label", value.value.lower()))
            elif prop == OWN_FACETS["object"] and not isinstance(value, ox.Literal):
                categories, _ = item(value)  # its label texts: item_texts (written with the rows)
                direct |= categories
            elif prop == DERIVED_FROM and not isinstance(value, ox.Literal):
                found |= language(value)
        for node in direct:
            found |= {("category", above) for above in closure.get(node, {node})}
        facts[pledge] = found
    return facts


def detail_rows(store, pledges: Sequence[str], quads_of=None) -> list[dict[str, tuple]]:
    """The rows ``api.lookups.pledge_details_query`` answers for ``pledges``, read by quad lookups on
    the default graph (the same patterns; pyoxigraph's planner scans far more for that query)."""
    import pyoxigraph as ox

    from api import lookups as q

    default = ox.DefaultGraph()
    own = {q.P[name] for name in q.PLEDGE_PROPERTIES}
    claim_props = {q.P["entity"], q.P["anchor"], q.P["confidence"]}
    amount_props = {q.P["value"], q.P["currency"]}
    label_props = {q.P["label"], "https://schema.org/name"}
    rows: dict[tuple, None] = {}

    def facts(node):
        return (quads_of or lookup)(node)

    def lookup(node):
        return store.quads_for_pattern(node, None, None, default)

    item_labels: dict[str, list] = {}
    label_nodes = [ox.NamedNode(p) for p in sorted(label_props)]

    def items(node):  # an item's labels, read once and one lookup per property: an item collects a
        # claim from every article and has dozens of labels shared by many pledges
        if node.value not in item_labels:
            item_labels[node.value] = [quad for wanted in label_nodes
                                       for quad in store.quads_for_pattern(node, wanted, None, default)]
        return item_labels[node.value]

    for pledge in pledges:
        subject = ox.NamedNode(pledge)
        for quad in facts(subject):
            prop = quad.predicate.value
            if prop in own:
                rows[(pledge, ("uri", pledge), prop, _term(quad.object))] = None
            if prop == q.P["claim"] or prop == q.P["amount"] or prop == q.P["object"]:
                if isinstance(quad.object, ox.Literal):
                    continue
                node = _term(quad.object)
                wanted = {q.P["claim"]: claim_props, q.P["amount"]: amount_props}.get(prop, label_props)
                for inner in (items(quad.object) if prop == q.P["object"] else facts(quad.object)):
                    if inner.predicate.value in wanted:
                        shown = q.P["label"] if prop == q.P["object"] else inner.predicate.value
                        rows[(pledge, node, shown, _term(inner.object))] = None
    return [{"pledge": ("uri", pledge), "node": node, "p": ("uri", prop), "o": value}
            for pledge, node, prop, value in rows]


def _term(node) -> tuple:
    """A pyoxigraph term as the store worker's term tuple (``api.worker._from_ox``)."""
    import pyoxigraph as ox

    if isinstance(node, ox.NamedNode):
        return ("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return ("bnode", node.value)
    return ("literal", node.value, node.datatype.value, node.language)
