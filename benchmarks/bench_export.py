"""Benchmark: export a store of N generated articles (default 10,000) to GEXF and GraphML.

    python benchmarks/bench_export.py [--articles N] [--store DIR] [--seed S] [--json FILE]

1. Builds (or reuses, when DIR already holds a store) an oxigraph store of N synthetic articles:
   random but well-formed ``graph.model.Extraction`` records (donors, ministers, meetings, systems,
   pledges with day/month/year dates) -> ``graph.to_rdf.to_rdf`` -> ``Store.add_graph``.
2. Runs each export in a fresh child process (so its peak memory is its own) and reports wall time,
   peak resident memory (ru_maxrss), output size, node and edge counts, and whether the GEXF
   validates against the GEXF 1.3 RelaxNG schema.

The generated facts are random: use them for speed, never for quality.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

DONORS = {
    "DE": "Boris Pistorius", "GB": "John Healey", "SE": "Pål Jonson", "NO": "Tore O. Sandvik",
    "DK": "Troels Lund Poulsen", "NL": "Ruben Brekelmans", "PL": "Władysław Kosiniak-Kamysz",
    "FR": "Sébastien Lecornu", "US": "Lloyd Austin", "FI": "Antti Häkkänen", "CA": "Bill Blair",
    "IT": "Guido Crosetto", "ES": "Margarita Robles", "LT": "Dovilė Šakalienė", "EE": "Hanno Pevkur",
}
SYSTEMS = (
    ("IRIS-T SLM", "iris-t-slm", "air_defence"), ("Patriot", "patriot", "air_defence"),
    ("NASAMS", "nasams", "air_defence"), ("CAESAR", "caesar", "artillery"),
    ("Archer", "archer", "artillery"), ("Leopard 2", "leopard-2", "armour"), ("CV90", "cv90", "armour"),
    ("F-16", "f-16", "other"), ("HIMARS", "himars", "artillery"),
    ("Bayraktar TB2", "bayraktar-tb2", "drones"),
)
FREE_ITEMS = (("artillery shells", "ammunition"), ("long-range drones", "drones"),
              ("winter equipment", "other"), ("spare parts", "maintenance"), ("radars", "radar"))
FORMATS = ("UDCG", "NATO", "EU", "COTW")
FIRST_DAY = date(2022, 4, 26)
DAYS = 1300
STATUSES = ("pledged", "pledged", "pledged", "delivered", "planned", "proposed")
EXPORTS = (("gexf", "full"), ("gexf", "co-attendance"), ("graphml", "full"), ("graphml", "donor-equipment"))


def make_extraction(index: int, rng: random.Random, meetings: list[tuple[str, str, str]]):
    """One random article's extraction: a meeting (sometimes), ministers, and 1-5 pledges."""
    from graph.model import (
        Article,
        CountryFact,
        EquipmentFact,
        Extraction,
        MeetingFact,
        PersonFact,
        PledgeFact,
        Role,
    )

    published = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    donors = rng.sample(sorted(DONORS), rng.randint(1, 4))
    persons = [PersonFact(name=DONORS[code], roles=[Role("defence_minister", code)]) for code in donors]
    extraction = Extraction(
        article=Article(id=f"bench-{index:06d}", text="(generated)", lang="en", published=published),
        persons=persons, countries=[CountryFact(code) for code in [*donors, "UA"]],
    )
    meeting_key = None
    if rng.random() < 0.6:
        meeting_key, meeting_format, meeting_date = rng.choice(meetings)
        present = rng.sample(donors, rng.randint(1, len(donors)))
        remote = [d for d in donors if d not in present and rng.random() < 0.5]
        extraction.meetings.append(MeetingFact(
            key=meeting_key, format=meeting_format, date=meeting_date, chairs=[rng.choice(donors)],
            participants=[DONORS[c] for c in present], remote_participants=[DONORS[c] for c in remote]))
    for _ in range(rng.randint(1, 5)):
        donor = rng.choice([*donors, "multiple"]) if rng.random() < 0.1 else rng.choice(donors)
        when = published - timedelta(days=rng.randrange(3))
        precision = rng.random()
        pledge_date = (when.isoformat() if precision < 0.7 else when.isoformat()[:7] if precision < 0.9
                       else str(when.year))
        if rng.random() < 0.7:
            name, slug, category = rng.choice(SYSTEMS)
            extraction.equipment.append(EquipmentFact(name=name, category=category, id=slug))
            pledge = PledgeFact(donor=donor, item=name, item_id=slug, category=category,
                                quantity=rng.choice([None, 1, 2, 4, 10, 20, 100]))
        else:
            item, category = rng.choice(FREE_ITEMS)
            pledge = PledgeFact(donor=donor, item=item, category=category,
                                amount=float(rng.randrange(1, 500)) * 1e6, currency="EUR")
        pledge.date = pledge_date
        pledge.status = rng.choice(STATUSES)
        pledge.meeting = meeting_key if meeting_key and rng.random() < 0.5 else None
        extraction.pledges.append(pledge)
    return extraction


def build_store(path: Path, articles: int, seed: int) -> float:
    """Fill the store at ``path`` with ``articles`` generated articles; return the seconds it took."""
    from graph.store import open_store
    from graph.to_rdf import to_rdf
    from graph.vocab import article_iri

    rng = random.Random(seed)
    meetings = []
    for number in range(max(articles // 50, 10)):
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        meeting_format = FORMATS[number % len(FORMATS)]
        meetings.append((f"{meeting_format}-{day.isoformat()}", meeting_format, day.isoformat()))
    started = time.perf_counter()
    with open_store(path) as store:
        for index in range(articles):
            extraction = make_extraction(index, rng, meetings)
            store.add_graph(str(article_iri(extraction.article.id)), to_rdf(extraction).graph)
            if index and index % 1000 == 0:
                print(f"  {index:,} articles stored ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return time.perf_counter() - started


def run_one_export(store: Path, fmt: str, projection: str) -> dict:
    """Export once in this process; report time, peak memory and what was written."""
    from lxml import etree

    from graph.export import export
    from graph.export.gexf import validate_gexf
    from graph.store import open_store

    started = time.perf_counter()
    with open_store(store, read_only=True) as opened:
        result = export(opened, fmt, projection=projection)
    seconds = time.perf_counter() - started
    report = {"format": fmt, "projection": projection, "seconds": round(seconds, 2),
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
              "bytes": len(result.content)}
    root = etree.fromstring(result.content)
    if fmt == "gexf":
        namespace = {"g": "http://gexf.net/1.3"}
        report["nodes"] = len(root.findall(".//g:node", namespace))
        report["edges"] = len(root.findall(".//g:edge", namespace))
        report["spells"] = len(root.findall(".//g:spell", namespace))
        report["valid"] = validate_gexf(result.content) == []
    else:
        namespace = {"g": "http://graphml.graphdrawing.org/xmlns"}
        report["nodes"] = len(root.findall(".//g:node", namespace))
        report["edges"] = len(root.findall(".//g:edge", namespace))
    return report


def main(argv: list[str] | None = None) -> int:
    """Build the store if needed, then time every export in its own process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--store", type=Path, default=None, help="store directory (kept; reused if present)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--export-only", nargs=3, metavar=("STORE", "FORMAT", "PROJECTION"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.export_only:
        store, fmt, projection = args.export_only
        print(json.dumps(run_one_export(Path(store), fmt, projection)))
        return 0

    temporary = None
    store = args.store
    if store is None:
        temporary = tempfile.TemporaryDirectory(prefix="aidgraph-bench-")
        store = Path(temporary.name) / "store"
    results: dict = {"articles": args.articles, "seed": args.seed}
    if store.exists() and any(store.iterdir()):
        print(f"reusing the store in {store}", file=sys.stderr)
    else:
        print(f"building a store of {args.articles:,} generated articles in {store}", file=sys.stderr)
        results["build_seconds"] = round(build_store(store, args.articles, args.seed), 1)
    results["exports"] = []
    for fmt, projection in EXPORTS:
        child = subprocess.run(
            [sys.executable, __file__, "--export-only", str(store), fmt, projection],
            capture_output=True, text=True, check=True)
        report = json.loads(child.stdout.strip().splitlines()[-1])
        results["exports"].append(report)
        print(f"{fmt:8} {projection:16} {report['seconds']:7.2f} s  peak {report['peak_rss_mb']:7.1f} MB  "
              f"{report['bytes'] / 1e6:6.1f} MB  {report['nodes']:6} nodes {report['edges']:7} edges"
              + (f"  valid={report['valid']}" if "valid" in report else ""))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    if temporary:
        temporary.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
