"""The Kiel Ukraine Support Tracker (graph/kiel.py): parsing the release copied into the project, the
system-name mapping to the reference equipment, the import as its own named graph, EUR at the ECB rate of
the day, and the reconciliation with the commitments of a real store holding tests/data/commitments."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from graph.kiel import (
    DEFAULT_RELEASE,
    graph_name,
    import_release,
    kiel_graph,
    map_system,
    months_to_csv,
    parse_systems,
    read_release,
    reconcile,
    reconcile_months,
    to_eur,
)
from graph.pipeline import ingest_paths

FIXTURES = Path(__file__).parent / "data" / "commitments"

MAPPED = [("Iris-T SLM air defence system", "iris-t-slm"), ("Patriot air defense battery", "patriot"),
          ("National Advanced Surface-to-Air Missile System (NASAMS)", "nasams"),
          ("CAESAR artillery howitzer", "caesar"), ("M109 A3GM 155mm howitzer", "m109"),
          ("FH70 155mm howitzer", "fh70"), ("BVP-1 infantry fighting vehicle", "bmp-1"),
          ("infantry fighting vehicle MARDER", "marder"), ("Panzerhaubitze 2000", "pzh-2000"),
          ("Modified T-72 tank (T-72A/T-72M1/M1R)", "t-72"), ("Zusana-2 howitzer", "zuzana"),
          ("105mm howitzer", None), ("2K12 KUB", None)]


@pytest.mark.parametrize(("name", "equipment"), MAPPED)
def test_kiel_system_names_map_to_the_reference_equipment(name, equipment):
    assert map_system(name) == equipment


def test_system_lists_keep_their_counts():
    systems = parse_systems("Iris-T SLM air defence system (14); Patriot air defense battery (5)")
    assert [(s.equipment, s.count) for s in systems] == [("iris-t-slm", 14), ("patriot", 5)]


def test_the_release_in_the_project_is_release_29_with_its_cutoff():
    release = read_release(DEFAULT_RELEASE)
    assert (release.release, release.cutoff, release.published) == ("29", "2026-04", "2026-08-04")
    assert len(release.rows) == 61 and all(row.donor for row in release.rows)
    mapped = sum(1 for row in release.rows for s in row.systems if s.equipment)
    total = sum(len(row.systems) for row in release.rows)
    assert mapped / total > 0.8
    assert "2K12 KUB" in release.unmapped()


def test_a_folder_without_the_release_files_is_a_clear_error(tmp_path):
    from graph.errors import InputError

    with pytest.raises(InputError, match=r"release_info\.csv"):
        read_release(tmp_path)


@pytest.mark.parametrize(("currency", "rate"), [("USD", 1.1789), ("JPY", 133.73), ("GBP", 0.7111)])
def test_eur_conversion_uses_the_ecb_reference_rate_of_the_day(currency, rate):
    # the ECB's first reference rates, published for 4 January 1999
    assert to_eur(rate * 1000, currency, "1999-01-04") == pytest.approx(1000)


def test_a_day_without_an_ecb_rate_takes_the_last_rate_before_it():
    saturday, friday, wednesday = "2023-06-03", "2023-06-02", "2023-05-31"
    assert to_eur(100, "USD", saturday) == to_eur(100, "USD", friday)
    assert to_eur(100, "USD", friday) != to_eur(100, "USD", wednesday)
    assert to_eur(100, "USD", "2023-06") == to_eur(100, "USD", "2023-06-01")


def test_the_daily_rates_average_to_the_ecbs_published_yearly_averages():
    from datetime import date, timedelta

    for year, average in ((2022, 1.0530), (2023, 1.0813), (2024, 1.0824)):
        days = [date(year, 1, 1) + timedelta(n) for n in range(366)]
        weekdays = [d for d in days if d.year == year and d.weekday() < 5]
        rates = [1000 / to_eur(1000, "USD", d.isoformat()) for d in weekdays]
        assert sum(rates) / len(rates) == pytest.approx(average, abs=0.002)


def test_eur_and_unknown_currencies():
    assert to_eur(5, "EUR", None) == 5
    assert to_eur(5, "XYZ", "2024") is None
    assert to_eur(100, "USD", None) == to_eur(100, "USD", "2099-01-01")  # the latest rate


@pytest.fixture
def fixture_store(store_factory):
    store = store_factory("oxigraph")
    ingest_paths([FIXTURES], store, progress=False, workers=0)
    return store


def test_the_import_is_its_own_named_graph_outside_the_default_graph(fixture_store):
    release = read_release()
    import_release(fixture_store, release)
    name = str(graph_name(release))
    assert name in fixture_store.graph_names()
    version = list(fixture_store.query(
        f"SELECT ?v ?t WHERE {{ GRAPH <{name}> {{ ?d a <https://schema.org/Dataset> ; "
        "<https://schema.org/version> ?v ; <https://schema.org/temporalCoverage> ?t } }"))
    assert [(str(v), str(t)) for v, t in version] == [("29", "../2026-04")]
    assert not fixture_store.query("ASK { ?d a <https://schema.org/Dataset> }").askAnswer


def test_the_import_holds_a_donation_per_donor_and_category_and_per_donor_and_month():
    from rdflib import Graph, Literal, Namespace

    schema, dcterms = Namespace("https://schema.org/"), Namespace("http://purl.org/dc/terms/")
    release = read_release()
    graph = Graph()
    for triple in kiel_graph(release):
        graph.add(triple)
    donations = set(graph.subjects(None, schema.DonateAction))
    assert len(donations) == len(release.rows) + len(release.months)
    for record in donations:  # every record: one amount in EUR, and its donor
        amounts = list(graph.objects(record, schema.amount))
        assert len(amounts) == 1 and graph.value(amounts[0], schema.currency) == Literal("EUR")
        assert graph.value(record, schema.agent) is not None
    march = [r for r in donations if str(graph.value(r, dcterms.date)) == "2026-03"
             and str(graph.value(r, schema.agent)).endswith("/DE")]
    assert len(march) == 1
    amount = graph.value(march[0], schema.amount)
    assert graph.value(amount, schema.value).toPython() == 200_000_000
    categories = [r for r in donations if "/month/" not in r]
    assert all(graph.value(r, schema.additionalType) is not None for r in categories)


def test_reconciliation_puts_kiel_next_to_the_commitments(fixture_store):
    rows = reconcile(fixture_store, read_release())
    germany = next(r for r in rows if r.donor == "DE" and r.category == "Air Defense")
    # IRIS-T (February), Patriot and Gepard (March); the "two more" of May is after Kiel's cut-off
    assert germany.kiel_weapons == 19 and germany.graph_commitments == 3
    assert set(germany.systems) == {"iris-t-slm", "patriot", "gepard"} and germany.coverage == 1.0
    assert [r.disagreement for r in rows] == sorted((r.disagreement for r in rows), reverse=True)
    unseen = next(r for r in rows if r.donor == "PL" and r.category == "Tanks")
    assert unseen.graph_commitments == 0 and unseen.coverage == 0.0


def test_the_cli_prints_the_table_the_csv_and_the_plot(run_cli, tmp_path):
    assert run_cli("ingest", FIXTURES).returncode == 0
    table = run_cli("reconcile", "--limit", "5", "--plot", tmp_path / "kiel.png")
    assert table.returncode == 0, table.stderr
    assert (tmp_path / "kiel.png").read_bytes().startswith(b"\x89PNG")
    recomputed = run_cli("commitments")
    assert recomputed.returncode == 0 and "with contradictions" in recomputed.stdout, recomputed.stderr
    assert "Release 29" in table.stdout and "without reference equipment" in table.stdout
    as_csv = run_cli("reconcile", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == 61 and {"donor", "kiel_weapons", "graph_commitments", "coverage"} <= set(rows[0])
    by_month = run_cli("reconcile", "--by", "month", "--limit", "5")
    assert by_month.returncode == 0 and "per donor x month" in by_month.stdout, by_month.stderr
    months = run_cli("reconcile", "--by", "month", "--format", "csv").stdout
    germany = {r["month"]: r for r in csv.DictReader(io.StringIO(months)) if r["donor"] == "DE"}
    assert germany["2026-03"]["graph_commitments"] == "2"
    assert germany["2026-03"]["kiel_military_eur"] == "200000000"


# --------------------------------------------------------------------------- per donor x month

def test_kiel_monthly_military_totals_are_read_in_eur_with_their_donor():
    release = read_release()
    germany = {m.month: m for m in release.months if m.donor == "DE"}
    assert germany["2026-03"].military_eur == pytest.approx(0.2e9)   # Kiel writes billion EUR
    assert germany["2024-03"].military_eur == pytest.approx(76.991e6)
    assert all(m.military_eur > 0 for m in release.months)
    assert {m.donor for m in release.months if m.donor_name == "United States"} == {"US"}


def test_monthly_reconciliation_sums_the_commitments_of_each_month_in_eur():
    release = read_release()
    commitments = "https://w3id.org/aidgraph/id/commitment/"
    germany = "https://w3id.org/aidgraph/id/country/DE"
    rows = [  # (commitment, donor, date, stage, value, currency), as MONTHS_QUERY answers them
        (commitments + "a", germany, "2024-03-15", "committed", "500000000", "USD"),
        (commitments + "a", germany, "2024-03-15", "committed", "450000000", "USD"),  # a smaller claim
        (commitments + "b", germany, "2024-03-20", "delivered", None, None),
        (commitments + "c", germany, "2024-03-02", "announced", "9000000000", "EUR"),  # a plan only
        (commitments + "d", germany, "2026-05-02", "committed", "1000000", "EUR"),     # after the cut-off
    ]
    table = reconcile_months(rows, release)
    march = next(r for r in table if (r.donor, r.month) == ("DE", "2024-03"))
    assert march.kiel_military_eur == pytest.approx(76.991e6)
    assert (march.graph_commitments, march.graph_with_sum) == (2, 1)
    assert march.graph_value_eur == pytest.approx(to_eur(500e6, "USD", "2024-03-15"))
    assert march.difference_eur == pytest.approx(march.graph_value_eur - march.kiel_military_eur)
    assert not any(r.month > release.cutoff for r in table)
    assert [abs(r.difference_eur) for r in table] == sorted((abs(r.difference_eur) for r in table),
                                                            reverse=True)
    as_csv = list(csv.DictReader(io.StringIO(months_to_csv(table))))
    assert len(as_csv) == len(table) and as_csv[0]["month"] == table[0].month


def test_monthly_reconciliation_of_a_store_counts_its_commitments_by_month(fixture_store):
    table = reconcile_months(fixture_store, read_release())
    germany = {r.month: r for r in table if r.donor == "DE" and r.graph_commitments}
    # February: IRIS-T, Patriot, training, air defence; March (Kiel: 0.2 bn EUR): the Gepard contract and
    # air defence; April: armoured vehicles; the "two more" IRIS-T of May is after the cut-off
    assert {m: r.graph_commitments for m, r in germany.items()} == {"2026-02": 4, "2026-03": 2, "2026-04": 1}
    assert germany["2026-03"].kiel_military_eur == pytest.approx(0.2e9)
