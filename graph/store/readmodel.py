"""The pledge read model: a SQLite table of pledges derived from the store's default graph.

SPARQL stays the source of truth. The read model answers the one question the REST lookups and the
web app ask most: *a page of pledge records matching filters, newest first*, and *how many pledges per
facet value*, in milliseconds at 100k articles (a SPARQL page with filters and deep offsets reads and
sorts every pledge). It holds, per pledge:

* ``pledge_rows``: one row per (pledge, sort date), as ``api.lookups.pledge_page_query`` projects
  them (a pledge with two dates is two rows there and here; no date is ``""``);
* ``pledge_facets``: (facet, value, pledge, sort date) for every value a filter or a facet count tests (donor,
  recipient, category with its broader categories, own category, item IRI, item label text, status,
  meeting, date, article language);
* ``pledge_records``: the record ``api.lookups.shape_pledges`` makes of the pledge, as JSON.

Everything is computed by SPARQL over the default graph (:func:`facet_query` and
``api.lookups.pledge_details_query``), so the rows are those the SPARQL path would give.

Kept in step by the store's ``replace_graphs`` (:meth:`PledgeReadModel.refresh`, in the same call
under the same write lock: the pledges whose subjects or items the changed graphs mention are
recomputed); marked stale by a SPARQL Update (readers then fall back to SPARQL) and rebuilt by
:meth:`PledgeReadModel.rebuild` (``aidgraph rebuild``, or when a stale model is opened for writing).
The state is written before the store changes, so a crash between the two leaves it stale, not wrong.

    model = PledgeReadModel(path)                        # the writer (the process that owns the store)
    model.rebuild(ox_store)
    reader = PledgeReadModel(path, read_only=True)       # any other process (WAL: readers beside it)
    if reader.is_current():
        records = reader.page(PledgeCriteria(equal={"donor": [de_iri]}), limit=100, offset=0)
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the file of the read model in the store directory
READ_MODEL_FILE = "aidgraph-lookups.sqlite"
#: bump when the tables or what they hold change (an older file is rebuilt)
SCHEMA_VERSION = "2"
BATCH = 400  # pledges per SPARQL read while (re)computing

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pledge_rows (pledge TEXT NOT NULL, sort_date TEXT NOT NULL,
                                        PRIMARY KEY (pledge, sort_date)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pledge_rows_order ON pledge_rows (sort_date DESC, pledge);
CREATE TABLE IF NOT EXISTS pledge_facets (facet TEXT NOT NULL, value TEXT NOT NULL, pledge TEXT NOT NULL,
                                          sort_date TEXT NOT NULL,
                                          PRIMARY KEY (facet, value, pledge, sort_date)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pledge_facets_order ON pledge_facets (facet, value, sort_date DESC, pledge);
CREATE INDEX IF NOT EXISTS pledge_facets_pledge ON pledge_facets (pledge, facet);
CREATE TABLE IF NOT EXISTS pledge_records (pledge TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;
"""

#: facet name -> the SPARQL pattern binding ?value for ?pledge (the REST filters' and facets' meaning);
#: ``category`` is the closure of ``category_direct`` under skos:broader* (computed in Python, as
#: ``?c skos:broader* ?value`` would: the category itself and every broader one)
FACET_PATTERNS = {
    "donor": "?pledge schema:agent ?value",
    "recipient": "?pledge schema:recipient ?value",
    "category_direct": "?pledge aid:category|schema:object/aid:category ?value",
    "own_category": "?pledge aid:category ?value",
    "object": "?pledge schema:object ?value",
    "item_text": "{ ?pledge schema:object ?item . "
                 "?item skos:prefLabel|skos:altLabel|schema:name|rdfs:label ?t }"
                 " UNION { ?pledge aid:itemLabel ?t } BIND(LCASE(STR(?t)) AS ?value)",
    "status": "?pledge aid:status ?value",
    "meeting": "?pledge aid:announcedAt ?value",
    "date": "?pledge dcterms:date ?d BIND(STR(?d) AS ?value)",
    "lang": "?pledge prov:wasDerivedFrom ?a . ?a schema:inLanguage ?l BIND(STR(?l) AS ?value)",
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

    def where(self, column: str = "pledge") -> tuple[str, list[Any]]:
        """A SQL condition on ``column`` (a pledge IRI) and its parameters."""
        clauses, params = [], []
        having = f"{column} IN (SELECT pledge FROM pledge_facets WHERE"
        for facet, values in sorted(self.equal.items()):
            marks = ", ".join("?" for _ in values)
            clauses.append(f"{having} facet = ? AND value IN ({marks}))")
            params += [facet, *values]
        if self.item is not None:
            clauses.append(f"({having} facet = 'object' AND value = ?)"
                           f" OR {having} facet = 'item_text' AND instr(value, ?) > 0))")
            params += list(self.item)
        if self.date_from is not None:
            clauses.append(f"{having} facet = 'date' AND "
                           "substr(?, 1, length(value)) <= substr(value, 1, length(?)))")
            params += [self.date_from, self.date_from]
        if self.date_to is not None:
            clauses.append(f"{having} facet = 'date' AND "
                           "substr(value, 1, length(?)) <= substr(?, 1, length(value)))")
            params += [self.date_to, self.date_to]
        return (" AND ".join(clauses) or "1"), params


class PledgeReadModel:
    """The read model in one SQLite file (see the module docstring). Thread-safe: one connection per
    thread; writes (rebuild, refresh, mark_stale) come from the one process that owns the store."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._local = threading.local()
        self._closure: dict[str, set[str]] | None = None  # the category tree, while rebuilding
        if not read_only:
            with self._connection() as db:
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

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # ------------------------------------------------------------------ writes

    def rebuild(self, store) -> int:
        """Recompute the whole model from the default graph of ``store`` (a pyoxigraph Store);
        answers the number of pledges."""
        import pyoxigraph as ox

        self.mark_stale()
        pledges = sorted({quad.subject.value for quad in store.quads_for_pattern(
            None, ox.NamedNode(RDF_TYPE), ox.NamedNode(PLEDGE_CLASS), ox.DefaultGraph())
            if isinstance(quad.subject, ox.NamedNode)})
        db = self._connection()
        with db:
            for table in ("pledge_rows", "pledge_facets", "pledge_records"):
                db.execute(f"DROP TABLE IF EXISTS {table}")  # an older schema version goes too
        db.executescript(SCHEMA)
        self._closure = broader_closure(store)
        try:
            for start in range(0, len(pledges), BATCH):
                with db:
                    self._write(db, store, pledges[start:start + BATCH])
        finally:
            self._closure = None
        with db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('state', 'current')")
        return len(pledges)

    def affected(self, store, subjects: Iterable[str]) -> set[str]:
        """The pledges whose rows may change when triples about ``subjects`` change: those subjects
        that are (or were) pledges, and the pledges whose item, claim, amount or article is one of them."""
        subjects = set(subjects)
        return self._affected(store, subjects, subjects)

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
        return self._affected(store, subjects, sources)

    def _affected(self, store, subjects: set[str], sources: set[str]) -> set[str]:
        """``subjects`` that are (or were) pledges, and the pledges that depend on one of ``sources``."""
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
        pledge_type, default = ox.NamedNode(PLEDGE_CLASS), ox.DefaultGraph()
        rdf_type = ox.NamedNode(RDF_TYPE)
        for subject in subjects:
            node = ox.NamedNode(subject)
            if next(iter(store.quads_for_pattern(node, rdf_type, pledge_type, default)), None) is not None:
                found.add(subject)
        for subject in sources:
            node = ox.NamedNode(subject)
            for prop in DEPENDS_ON:
                for quad in store.quads_for_pattern(None, ox.NamedNode(prop), node, default):
                    if isinstance(quad.subject, ox.NamedNode):
                        found.add(quad.subject.value)
        return found

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
        return True

    def _write(self, db: sqlite3.Connection, store, pledges: list[str]) -> None:
        from api import lookups as q

        if not pledges:
            return
        marks = ", ".join("?" for _ in pledges)
        for table in ("pledge_rows", "pledge_facets", "pledge_records"):
            db.execute(f"DELETE FROM {table} WHERE pledge IN ({marks})", pledges)
        import pyoxigraph as ox

        rdf_type, pledge_type = ox.NamedNode(RDF_TYPE), ox.NamedNode(PLEDGE_CLASS)
        alive = [pledge for pledge in pledges if next(iter(store.quads_for_pattern(
            ox.NamedNode(pledge), rdf_type, pledge_type, ox.DefaultGraph())), None) is not None]
        if not alive:
            return
        facts: dict[str, set[tuple[str, str]]] = {pledge: set() for pledge in alive}
        closure = self._closure if self._closure is not None else broader_closure(store)
        for facet in FACET_PATTERNS:
            for solution in store.query(facet_query(facet, alive)):
                pledge, value = solution["pledge"].value, solution["value"].value
                if facet == "category_direct":
                    facts[pledge] |= {("category", node) for node in closure.get(value, {value})}
                else:
                    facts[pledge].add((facet, value))
        details = detail_rows(store, alive)
        records = q.shape_pledges(alive, details)
        for pledge, record in zip(alive, records, strict=True):
            values = facts[pledge]
            dates = sorted({value for facet, value in values if facet == "date"}) or [""]
            db.executemany("INSERT INTO pledge_rows VALUES (?, ?)", [(pledge, d) for d in dates])
            db.executemany("INSERT INTO pledge_facets VALUES (?, ?, ?, ?)",
                           [(facet, value, pledge, d) for facet, value in sorted(values) for d in dates])
            db.execute("INSERT INTO pledge_records VALUES (?, ?)",
                       (pledge, json.dumps(record, ensure_ascii=False, separators=(",", ":"))))

    # ------------------------------------------------------------------ reads

    def page(self, criteria: PledgeCriteria, limit: int, offset: int) -> list[dict[str, Any]]:
        """The records of one page of pledges matching ``criteria``, newest first, ties by IRI: the
        rows and order of ``api.lookups.pledge_page_query``."""
        db = self._connection()
        if criteria.equal:
            # read the page off the index range of one equality filter, the others checked per row
            # (only the values present: a key that may name a country or an organisation names one)
            exists = "SELECT 1 FROM pledge_facets WHERE facet = ? AND value = ? LIMIT 1"
            present = {name: [value for value in values if db.execute(exists, (name, value)).fetchone()]
                       for name, values in criteria.equal.items()}
            if not all(present.values()):
                return []
            facet = min(present, key=lambda name: len(present[name]))
            values = present[facet]
            where, params = criteria.without(facet).where("pledge")
            marks = ", ".join("?" for _ in values)
            sql = (f"SELECT DISTINCT sort_date, pledge FROM pledge_facets WHERE facet = ? "
                   f"AND value IN ({marks}) AND {where} ORDER BY sort_date DESC, pledge LIMIT ? OFFSET ?")
            params = [facet, *values, *params]
        else:
            where, params = criteria.where("pledge")
            sql = (f"SELECT sort_date, pledge FROM pledge_rows WHERE {where} "
                   "ORDER BY sort_date DESC, pledge LIMIT ? OFFSET ?")
        order = [row[1] for row in db.execute(sql, [*params, int(limit), int(offset)])]
        records: dict[str, Any] = {}
        unique = sorted(set(order))
        for start in range(0, len(unique), 500):
            chunk = unique[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            records |= dict(db.execute(f"SELECT pledge, record FROM pledge_records WHERE pledge IN ({marks})",
                                       chunk))
        return [json.loads(records[pledge]) for pledge in order]

    def counts(self, facet: str, criteria: PledgeCriteria) -> dict[str, int]:
        """Distinct pledges per value of ``facet`` among those matching ``criteria`` (``total``: all of
        them, under the key ``""``)."""
        where, params = criteria.where("pledge")
        db = self._connection()
        if facet == "total":
            sql = f"SELECT COUNT(*) FROM pledge_records WHERE {where}"
            return {"": db.execute(sql, params).fetchone()[0]}
        sql = (f"SELECT value, COUNT(DISTINCT pledge) FROM pledge_facets WHERE facet = ? AND {where} "
               "GROUP BY value")
        return {value: n for value, n in db.execute(sql, [facet, *params])}

    def size(self) -> int:
        """How many pledges the model holds."""
        return self._connection().execute("SELECT COUNT(*) FROM pledge_records").fetchone()[0]


def detail_rows(store, pledges: Sequence[str]) -> list[dict[str, tuple]]:
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
        return store.quads_for_pattern(node, None, None, default)

    # a node's wanted properties one lookup each: an item collects a claim from every article
    wanted_nodes = {prop: [ox.NamedNode(p) for p in sorted(props)] for prop, props in (
        (q.P["claim"], claim_props), (q.P["amount"], amount_props), (q.P["object"], label_props))}
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
                for wanted in wanted_nodes[prop]:
                    for inner in store.quads_for_pattern(quad.object, wanted, None, default):
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
