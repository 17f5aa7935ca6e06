"""The web app's pages against the REST lookups they are built on, on a running server.

    python benchmarks/bench_web.py http://127.0.0.1:8000 [--repeat 5]

Serve the store to measure first (`aidgraph --store DIR serve`). Each page and its REST lookup are asked
in turn, ``repeat`` times (after one warm-up call each, which also fills the web app's label index), and the
p50 / max in ms are printed with the ratio page / lookup: what the pages add (labels, facet counts, claim
offsets, the timeline) over the lookup itself. The first explorer call of a filter set also counts its
facets; later calls within 60 s read them from the web process.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import httpx

HTML = {"Accept": "text/html"}
#: (name, web page, the REST lookup it wraps)
PAIRS = [
    ("explorer, no filter", "/", "/pledges?limit=100"),
    ("explorer, category", "/?category=air_defence", "/pledges?category=air_defence&limit=100"),
    ("explorer, donor + dates", "/?donor=DE&date_from=2024&date_to=2025",
     "/pledges?donor=DE&date_from=2024&date_to=2025&limit=100"),
    ("CSV of the explorer", "/web/pledges.csv?category=air_defence",
     "/pledges?category=air_defence&format=csv"),
    ("actor (country)", "/web/actors/DE", "/actors/DE"),  # REST times out at 1k (api/README)
    ("equipment", "/web/equipment/patriot", "/equipment/patriot"),
    ("suggestions", "/web/suggest?q=iris", "/search?q=iris"),
]


def timed(client: httpx.Client, path: str, headers: dict[str, str] | None = None) -> float:
    """Milliseconds for one GET; NaN when it did not answer 200 (a 503 is the server's query timeout)."""
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed if response.status_code == 200 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with httpx.Client(base_url=args.base, timeout=120) as client:
        meetings = client.get("/meetings?limit=1").json()["items"]
        articles = client.get("/articles?limit=1").json()["items"]
        pairs = list(PAIRS)
        if meetings:
            pairs.append(("meeting", f"/web/meetings/{meetings[0]['id']}", f"/meetings/{meetings[0]['id']}"))
        if articles:
            pairs.append(("article", f"/web/articles/{articles[0]['id']}", f"/articles/{articles[0]['id']}"))
        print(f"{'page':26} {'first':>8} {'web p50':>8} {'web max':>8} {'REST p50':>9} {'ratio':>6}")
        for name, page, lookup in pairs:
            if math.isnan(timed(client, lookup)):  # the lookup itself times out: one try each is enough
                print(f"{name:26} {'':>26} {'503':>9}   (the REST lookup did not answer in time)")
                continue
            first = timed(client, page, HTML)  # cold: labels of the page, facets of a new filter set
            web, rest = [], []
            for _ in range(args.repeat):
                web.append(timed(client, page, HTML))
                rest.append(timed(client, lookup))
            if any(math.isnan(t) for t in web + rest):
                print(f"{name:26} {first:8.0f} {'503' if any(map(math.isnan, web)) else '':>8} "
                      f"{'':>8} {'503' if any(map(math.isnan, rest)) else '':>9}   (not answered in time)")
                continue
            ratio = statistics.median(web) / statistics.median(rest)
            print(f"{name:26} {first:8.0f} {statistics.median(web):8.0f} {max(web):8.0f} "
                  f"{statistics.median(rest):9.0f} "
                  f"{ratio:6.2f}")


if __name__ == "__main__":
    main()
