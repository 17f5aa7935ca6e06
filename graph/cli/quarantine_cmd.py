"""``aidgraph quarantine [--article ID]``: facts the SHACL gate kept out of the graph, and why."""

from __future__ import annotations

import json

QUARANTINE_QUERY = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?report ?focus ?type ?path ?message ?constraint WHERE {
  GRAPH ?report {
    ?result sh:focusNode ?focus .
    OPTIONAL { ?result sh:resultMessage ?message }
    OPTIONAL { ?result sh:resultPath ?path }
    OPTIONAL { ?result sh:sourceConstraintComponent ?constraint }
  }
  FILTER(STRSTARTS(STR(?report), "https://w3id.org/aidgraph/graph/quarantine/")
         && STRENDS(STR(?report), "/report"))
  OPTIONAL {
    GRAPH ?facts { ?focus a ?type }
    FILTER(STR(?facts) = SUBSTR(STR(?report), 1, STRLEN(STR(?report)) - 7))
  }
}
ORDER BY ?report ?focus ?path
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser("quarantine", help="list quarantined facts with their SHACL violations")
    parser.add_argument("--article", metavar="ID", help="only this article (its id, e.g. the file stem)")
    parser.add_argument("--json", action="store_true", help="print as JSON")
    parser.set_defaults(handler=run)


def quarantined_facts(store, article_id: str | None = None) -> list[dict]:
    """One entry per quarantined fact: article, focus node, its types and its violations."""
    import rdflib

    from graph.cli.query_cmd import compact
    from graph.vocab import AIDG, quarantine_report_iri

    bindings = {"report": rdflib.URIRef(quarantine_report_iri(article_id))} if article_id else None
    facts: dict[tuple[str, str], dict] = {}
    prefix = str(AIDG["quarantine/"])
    for row in store.query(QUARANTINE_QUERY, bindings=bindings):
        report = str(row.report)
        article = report[len(prefix):-len("/report")]
        fact = facts.setdefault((article, str(row.focus)), {
            "article": article, "fact": compact(row.focus), "types": [], "violations": []})
        if row.type is not None and compact(row.type) not in fact["types"]:
            fact["types"].append(compact(row.type))
        violation = {"path": compact(row.path) if row.path else None,
                     "message": str(row.message) if row.message else None,
                     "constraint": compact(row.constraint) if row.constraint else None}
        if violation not in fact["violations"]:
            fact["violations"].append(violation)
    return list(facts.values())


def run(args) -> int:
    from graph.cli.common import open_for_reading

    with open_for_reading(args) as store:
        facts = quarantined_facts(store, args.article)
    if args.json:
        print(json.dumps(facts, ensure_ascii=False, indent=2))
        return 0
    if not facts:
        where = f" for article {args.article}" if args.article else ""
        print(f"no quarantined facts{where}")
        return 0
    current = None
    for fact in facts:
        if fact["article"] != current:
            current = fact["article"]
            print(f"article {current}")
        types = f" ({', '.join(fact['types'])})" if fact["types"] else ""
        print(f"  {fact['fact']}{types}")
        for v in fact["violations"]:
            path = f"{v['path']}: " if v["path"] else ""
            constraint = f"  [{v['constraint']}]" if v["constraint"] else ""
            print(f"    - {path}{v['message'] or 'violation'}{constraint}")
    print(f"{len(facts)} quarantined fact(s)")
    return 0
