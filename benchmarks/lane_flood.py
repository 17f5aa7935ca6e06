"""One client floods slow synchronous lookups; another client's light /pledges and /health are timed
(issue 10: the fair lane of ``api/lanes.py``).

    python benchmarks/lane_flood.py [--clients 50] [--rounds 4] [--without-lane]

Serves the test store (tests/api/data) in this process (``tests.api.conftest.LiveServer``) with an extra
synchronous route that holds its request thread 0.6 s (a lookup waiting on the store worker); 50 threads
of 127.0.0.1 send it at once, 4 times each, and meanwhile 127.0.0.2 sends 10 light /pledges and 10
/health. ``--without-lane`` leaves the lane middleware out (the stack before it). Prints p50/max ms and
the load average; alternate both on the same machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--without-lane", action="store_true")
    args = parser.parse_args(argv)
    import api.app as app_module
    from tests.api.conftest import LiveServer, build_store
    from tests.api.test_fair_lane import OTHER_CLIENT, flood, serve_with_heavy_route, timed

    if args.without_lane:
        add = app_module.FastAPI.add_middleware

        def without_lane(self, cls, **options):
            if cls is not app_module.ClientLaneMiddleware:
                add(self, cls, **options)

        app_module.FastAPI.add_middleware = without_lane
    with tempfile.TemporaryDirectory() as folder:
        live = serve_with_heavy_route(LiveServer, build_store(Path(folder) / "store"), request_threads=8)
        transport = httpx.HTTPTransport(local_address=OTHER_CLIENT)
        with live, httpx.Client(base_url=live.url, timeout=60, transport=transport) as other:
            other.get("/pledges", params={"limit": 5})
            stop = threading.Event()
            with ThreadPoolExecutor(1) as pool:
                flooding = pool.submit(flood, live.url, args.clients, stop, args.rounds)
                time.sleep(4.0)  # the flood's clients are made and sending
                light = [timed(other, "/pledges", donor="DE", limit=5)[1] * 1000 for _ in range(10)]
                health = [timed(other, "/health")[1] * 1000 for _ in range(10)]
                stop.set()
                codes = sorted({answer.status_code for answer in flooding.result()})
    print(f"{'without lane' if args.without_lane else 'with lane'}: light /pledges p50 "
          f"{statistics.median(light):.0f} max {max(light):.0f} ms; /health p50 "
          f"{statistics.median(health):.0f} max {max(health):.0f} ms; flood answers {codes}; "
          f"load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
