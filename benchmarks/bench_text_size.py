"""Store size with the article texts (issue 13's article page): what keeping each article's normalised
text (a ``nif:Context`` with ``nif:isString``) costs, measured in the same run against the same store
without it.

    .venv/bin/python benchmarks/bench_text_size.py [--generated 1000] [--seed 7]

For the demo corpus and a generated corpus (``generate_corpus.py``), the real pipeline ingests into a
fresh embedded store (pyoxigraph on disk). Its quads are then bulk loaded into four fresh stores, each
compacted (``optimize``) and measured: all of them (the text in the article graphs and, merged, in the
default graph: what aidgraph stores); without the text triples of the default graph (what keeping the text
out of the merge would save); without the claims' ``nif:referenceContext`` links (what the per-claim link
costs); without any text triple (the store before the text was kept: the baseline). The text triples
are each ``nif:Context`` node's and every claim's ``nif:referenceContext``. Figures: bytes on disk,
N-Quads bytes, quads. Not part of the tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"


def disk_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def is_text_quad(quad, contexts: set) -> bool:
    """A triple of an article text (its nif:Context node) or a claim's link to it."""
    return quad.subject in contexts or quad.predicate.value == NIF + "referenceContext"


def variant(quads: list, location: Path) -> dict[str, int]:
    """A fresh store holding ``quads`` (bulk loaded, compacted): its bytes on disk and its quads."""
    import pyoxigraph as ox

    store = ox.Store(str(location))
    store.bulk_extend(quads)
    store.optimize()
    store.flush()
    figures = {"disk": disk_bytes(location), "quads": len(store),
               "nquads": len(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))}
    del store
    return figures


def run(name: str, inputs: Path, work: Path) -> None:
    from graph.pipeline import ingest_paths
    from graph.store import open_store

    location = work / f"store-{name}"
    store = open_store(location)
    summary = ingest_paths([inputs], store, progress=False)
    store.close()
    import pyoxigraph as ox

    source = ox.Store(str(location))
    quads = list(source)
    del source
    contexts = {q.subject for q in quads if q.predicate.value == NIF + "isString"}
    texts = [q.object.value for q in quads
             if q.predicate.value == NIF + "isString" and not isinstance(q.graph_name, ox.DefaultGraph)]
    text_bytes = sum(len(text.encode("utf-8")) for text in texts)
    articles = len(contexts)
    full = variant(quads, work / f"{name}-full")
    unmerged = variant([q for q in quads if not (isinstance(q.graph_name, ox.DefaultGraph)
                                                 and is_text_quad(q, contexts))], work / f"{name}-unmerged")
    without = variant([q for q in quads if not is_text_quad(q, contexts)], work / f"{name}-without")
    unlinked = variant([q for q in quads if q.predicate.value != NIF + "referenceContext"],
                       work / f"{name}-unlinked")
    mib = 1024 * 1024
    print(f"\n{name}: {summary.articles_stored} articles stored, "
          f"{articles} texts, {text_bytes / 1024:.0f} KiB of text (UTF-8)")
    print(f"  {'state':44} {'disk MiB':>9} {'N-Quads MiB':>11} {'quads':>9}  disk vs no text")
    for label, figures in (("no text (before)", without),
                           ("text, claims not linked to it (merged)", unlinked),
                           ("text in article graphs only", unmerged),
                           ("text in article graphs + default graph (now)", full)):
        ratio = figures["disk"] / without["disk"] if without["disk"] else float("nan")
        print(f"  {label:44} {figures['disk'] / mib:9.2f} {figures['nquads'] / mib:11.2f} "
              f"{figures['quads']:9d}  x{ratio:.3f}")
    merged_cost = full["disk"] - unmerged["disk"]
    print(f"  the text's share of the store: {(full['disk'] - without['disk']) / full['disk']:.0%}; "
          f"merging it into the default graph adds {merged_cost / mib:.2f} MiB "
          f"({merged_cost / max(full['disk'] - without['disk'], 1):.0%} of the text's cost)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=1000, help="generated articles (0: none)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-text-size-"))
    try:
        run("demo corpus", REPO / "corpus" / "demo", work)
        if args.generated:
            generator = REPO / "benchmarks" / "generate_corpus.py"
            spec = importlib.util.spec_from_file_location("generate_corpus", generator)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            folder = work / "generated"
            module.generate(args.generated, folder, seed=args.seed)
            run(f"generated corpus ({args.generated})", folder, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
