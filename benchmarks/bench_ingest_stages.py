"""CPU ms per article of each ingest stage, including the end of an ingest, without a profiler.

    python benchmarks/bench_ingest_stages.py CORPUS_DIR

One warm ingest of CORPUS_DIR into a fresh on-disk store, in this process (``workers=0``): extract,
to_rdf and the gate as the summary times them (wall clock of one thread), the store write, the read
model's refresh at the end and the commitments + saved answers by ``time.process_time`` around their
functions; and articles per CPU-second end to end. Run it with PYTHONPATH=<another tree> to compare
two versions of the code in the same minutes. Not part of the test suite.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time

import graph.pipeline as pipeline
import graph.store.oxigraph as oxigraph_store
from graph.ingest import read_articles
from graph.store import open_store


def timed(owner, name: str, key: str, cpu: dict[str, float]) -> None:
    """Replace ``owner.name`` by a wrapper adding its CPU seconds to ``cpu[key]``."""
    function = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            cpu[key] = cpu.get(key, 0.0) + time.process_time() - started

    setattr(owner, name, wrapper)


def main(corpus: str) -> dict:
    pipeline.prepare_batch(list(read_articles([corpus]))[:3])  # lexicons, shapes, reference: warm
    cpu: dict[str, float] = {}
    timed(pipeline, "write_batch", "store", cpu)
    timed(pipeline, "refresh_commitments", "commitments+answers", cpu)
    timed(oxigraph_store.OxigraphStore, "_end_deferral", "read_model", cpu)
    store = open_store(tempfile.mkdtemp() + "/s")
    started = time.process_time()
    summary = pipeline.ingest_paths([corpus], store, progress=False, workers=0)
    total = time.process_time() - started
    store.close()
    n = summary.articles_stored
    out = {k: round(v * 1000 / n, 2) for k, v in summary.stage_seconds.items()
           if k in ("extract", "to_rdf", "gate")}
    out.update({k: round(cpu.get(k, 0.0) * 1000 / n, 2)
                for k in ("store", "read_model", "commitments+answers")})
    out["articles_per_cpu_s"] = round(n / total, 1)
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
