"""Digests of what an ingest leaves behind, to compare two versions of the code (a differential guard).

    python benchmarks/diff_ingest_outputs.py OUT.json CORPUS_DIR [CORPUS_DIR ...]

Ingests each corpus in turn (``workers=0``) into a fresh on-disk store, then writes to OUT.json: the
count and SHA-256 of the store's quads (N-Quads lines sorted, ``schema:softwareVersion`` left out: it
is the code's fingerprint), of every read-model table's rows, and of the saved answers (bodies
decompressed, generations left out). Run it with PYTHONPATH=<another tree> too and ``cmp`` the files.
Not part of the test suite.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import sys
import tempfile
import zlib
from pathlib import Path

import pyoxigraph as ox

from graph.pipeline import ingest_paths
from graph.store import open_store
from graph.store.readmodel import READ_MODEL_FILE

TABLES = {"pledge_rows": "*", "pledge_facets": "*", "pledge_records": "*", "facet_totals": "*",
          "item_texts": "*", "saved_answers": "name, format, cap, answer, body"}


def digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def main(out: str, corpora: list[str]) -> dict:
    location = Path(tempfile.mkdtemp()) / "store"
    store = open_store(location)
    for corpus in corpora:
        ingest_paths([corpus], store, progress=False, workers=0)
    store.close()
    quads = [str(q) for q in ox.Store.read_only(str(location))
             if not q.predicate.value.endswith("softwareVersion")]
    result: dict = {"quads": [len(quads), digest(quads)]}
    db = sqlite3.connect(location / READ_MODEL_FILE)
    for table, columns in TABLES.items():
        rows = []
        for row in db.execute(f"SELECT {columns} FROM {table}"):
            row = list(row)
            if table == "saved_answers" and isinstance(row[-1], bytes):
                with contextlib.suppress(zlib.error):  # stored as it is below 16 KB
                    row[-1] = zlib.decompress(row[-1])
                row[-1] = hashlib.sha256(row[-1]).hexdigest()
            rows.append(repr(row))
        result[table] = [len(rows), digest(rows)]
    meta = db.execute("SELECT key, value FROM meta WHERE key != 'generation'")
    result["meta"] = sorted(list(row) for row in meta)
    Path(out).write_text(json.dumps(result, indent=1) + "\n")
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2:])))
