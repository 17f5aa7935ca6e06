"""Real SPARQL clients against a real ``aidgraph serve``: SPARQLWrapper, rdflib's SPARQLStore and Apache
Jena (the Debian ``rsparql`` command and Jena's HTTP query API), each with SELECT, ASK, CONSTRUCT,
GROUP BY and GRAPH ?g, over GET, form POST and direct POST, in the result formats each client offers.

Every answer is compared with the same query run in-process on the same store (``Store.query``, the
path of ``aidgraph query``). Jena needs Debian's ``libapache-jena-java`` (scripts/test.sh installs it
where apt is available; see the classpath fix in ``jena_classpath``) and ``javac`` for the API client;
those tests skip, with the reason, where they are missing.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import pytest
import rdflib
from lxml import etree
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from api.results import XSD_STRING, rdflib_row
from graph.store import open_store

PREFIXES = """PREFIX aid: <https://w3id.org/aidgraph/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
QUERIES = {
    "select": PREFIXES + """SELECT ?pledge ?donor ?quantity ?label WHERE {
  ?pledge a aid:Pledge ; schema:agent ?donor .
  OPTIONAL { ?pledge aid:quantity ?quantity }
  OPTIONAL { ?donor skos:prefLabel ?label FILTER(lang(?label) = "de") }
} ORDER BY ?pledge ?quantity""",
    "ask": PREFIXES + "ASK { ?meeting a aid:Meeting ; aid:remoteAttendee ?person }",
    "ask_false": PREFIXES + "ASK { ?meeting aid:chair <https://w3id.org/aidgraph/id/country/XX> }",
    "construct": PREFIXES + """CONSTRUCT { ?pledge schema:agent ?donor ; aid:quantity ?quantity ;
    skos:prefLabel ?label } WHERE {
  ?pledge a aid:Pledge ; schema:agent ?donor ; aid:quantity ?quantity .
  OPTIONAL { ?donor skos:prefLabel ?label }
}""",
    "group_by": PREFIXES + """SELECT ?donor (COUNT(DISTINCT ?pledge) AS ?pledges) (SUM(?quantity) AS ?total)
WHERE { ?pledge a aid:Pledge ; schema:agent ?donor . OPTIONAL { ?pledge aid:quantity ?quantity } }
GROUP BY ?donor ORDER BY ?donor""",
    "graphs": "SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
}
TABLES = ("select", "group_by", "graphs")
BOOLEANS = ("ask", "ask_false")
METHODS = ("GET", "POST_FORM", "POST_DIRECT")


# ------------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def expected(served_store):
    return served_store[1]


@pytest.fixture(scope="module")
def endpoint(served_store):
    return served_store[0].url + "/sparql"


@pytest.fixture(scope="module")
def served_store(tmp_path_factory, store_builder, served_process_class):
    """The test store served by a real ``aidgraph serve``, and each query's in-process answer."""
    folder = tmp_path_factory.mktemp("clients")
    store = store_builder(folder / "store")
    shutil.copytree(store, folder / "in-process")  # the served store stays locked by its server
    answers = {}
    with open_store(folder / "in-process") as opened:
        for name, query in QUERIES.items():
            answers[name] = normal_result(opened.query(query))
    assert answers["ask"] is True and answers["ask_false"] is False
    assert len(answers["select"][1]) >= 4 and len(answers["construct"]) >= 8
    with served_process_class(store) as server:
        yield server, answers


def normal_result(result):
    """An rdflib result as comparable values: a bool, a graph, or (variables, rows of term tuples)."""
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = rdflib.Graph()
        for triple in result:
            graph.add(triple)
        return graph
    variables = tuple(str(v) for v in result.vars)
    return variables, [normal_row(variables, rdflib_row(variables, row)) for row in result]


def normal_row(variables, row: dict) -> tuple:
    return tuple(normal_term(row.get(name)) for name in variables)


def normal_term(term):
    """A term tuple with xsd:string and rdf:langString datatypes left out (clients differ on those)."""
    if term is None:
        return None
    if term[0] != "literal":
        return term[0], term[1]
    datatype = None if term[3] or term[2] in (None, XSD_STRING) else term[2]
    return "literal", term[1], datatype, term[3] or None


def from_json(document: dict):
    if "boolean" in document:
        return document["boolean"]
    variables = tuple(document["head"]["vars"])
    rows = []
    for binding in document["results"]["bindings"]:
        row = {}
        for name, term in binding.items():
            kind = {"typed-literal": "literal"}.get(term["type"], term["type"])
            row[name] = (kind, term["value"]) if kind != "literal" else \
                ("literal", term["value"], term.get("datatype"), term.get("xml:lang"))
        rows.append(normal_row(variables, row))
    return variables, rows


SRX = "{http://www.w3.org/2005/sparql-results#}"


def from_xml(data: bytes):
    root = etree.fromstring(data)
    boolean = root.find(f"{SRX}boolean")
    if boolean is not None:
        return boolean.text.strip() == "true"
    variables = tuple(v.get("name") for v in root.iter(f"{SRX}variable"))
    rows = []
    for result in root.iter(f"{SRX}result"):
        row = {}
        for binding in result.findall(f"{SRX}binding"):
            term = binding[0]
            kind = term.tag.removeprefix(SRX)
            row[binding.get("name")] = (kind, term.text or "") if kind != "literal" else (
                "literal", term.text or "", term.get("datatype"),
                term.get("{http://www.w3.org/XML/1998/namespace}lang"))
        rows.append(normal_row(variables, row))
    return variables, rows


def from_tsv(data: bytes):
    result = rdflib.query.Result.parse(io.BytesIO(data), format="tsv")
    return normal_result(result)


def csv_values(data: bytes) -> tuple[tuple, list[tuple]]:
    """CSV results hold values only (no types): the header and the rows of plain values."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    return tuple(rows[0]), [tuple(rows_value for rows_value in row) for row in rows[1:]]


def values_of(table) -> tuple[tuple, list[tuple]]:
    variables, rows = table
    return variables, [tuple("" if term is None else term[1] for term in row) for row in rows]


def assert_same_graph(graph: rdflib.Graph, expected_graph: rdflib.Graph) -> None:
    assert len(graph) == len(expected_graph)
    assert isomorphic(graph, expected_graph)


# ------------------------------------------------------------------------------------------- SPARQLWrapper

def wrapper(endpoint: str, query: str, method: str, return_format=None) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    if return_format is not None:
        client.setReturnFormat(return_format)
    if method != "GET":
        client.setMethod(POST)
        if method == "POST_DIRECT":
            client.setRequestMethod(POSTDIRECTLY)
    return client


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
@pytest.mark.parametrize("name", TABLES)
def test_sparqlwrapper_tables(endpoint, expected, name, return_format, method):
    answer = wrapper(endpoint, QUERIES[name], method, return_format).query().convert()
    if return_format == JSON:
        assert from_json(answer) == expected[name]
    elif return_format == XML:
        assert from_xml(answer.toxml().encode()) == expected[name]
    elif return_format == TSV:
        assert from_tsv(answer) == expected[name]
    else:
        assert csv_values(answer) == values_of(expected[name])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("return_format", [None, JSON, XML])
@pytest.mark.parametrize("name", BOOLEANS)
def test_sparqlwrapper_ask(endpoint, expected, name, return_format, method):
    answer = wrapper(endpoint, QUERIES[name], method, return_format).query().convert()
    value = answer["boolean"] if isinstance(answer, dict) else from_xml(answer.toxml().encode())
    assert value is expected[name]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("return_format", [None, RDFXML, XML, TURTLE, N3, JSONLD])
def test_sparqlwrapper_construct(endpoint, expected, return_format, method):
    """``None`` is SPARQLWrapper's default for graph queries: it asks for RDF/XML."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper warns about its own N3 handling
        answer = wrapper(endpoint, QUERIES["construct"], method, return_format).query().convert()
    graph = answer if isinstance(answer, rdflib.Graph) else rdflib.Graph().parse(data=answer, format="turtle")
    assert_same_graph(graph, expected["construct"])


# ------------------------------------------------------------------------------------------- rdflib

@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("return_format", ["xml", "json", "csv", "tsv"])
@pytest.mark.parametrize("name", TABLES + BOOLEANS)
def test_rdflib_sparqlstore_tables_and_booleans(endpoint, expected, name, return_format, method):
    if name in BOOLEANS and return_format in ("csv", "tsv"):
        pytest.skip("SPARQL CSV/TSV define no boolean result; rdflib cannot parse one")
    store = SPARQLStore(endpoint, returnFormat=return_format, method=method)
    result = store.query(QUERIES[name])
    if return_format == "csv":
        assert values_of(normal_result(result)) == values_of(expected[name])
    else:
        assert normal_result(result) == expected[name]


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("return_format", [None, "xml", "turtle", "nt", "json-ld"])
def test_rdflib_sparqlstore_construct(endpoint, expected, return_format, method):
    """``None`` is SPARQLStore's default (returnFormat='xml', asking for RDF/XML or SPARQL XML)."""
    options = {"returnFormat": return_format} if return_format else {}
    store = SPARQLStore(endpoint, method=method, **options)
    assert_same_graph(normal_result(store.query(QUERIES["construct"])), expected["construct"])


def test_rdflib_sparqlstore_as_a_graph(endpoint):
    """The graph API over the store: triples(), len(), contexts() and a named graph."""
    store = SPARQLStore(endpoint)
    pledge = rdflib.URIRef("https://w3id.org/aidgraph/ontology#Pledge")
    assert len(set(store.triples((None, rdflib.RDF.type, pledge)))) >= 4
    named = {str(getattr(context, "identifier", context)) for context in store.contexts()}
    assert "https://w3id.org/aidgraph/id/article/a1" in named


# ------------------------------------------------------------------------------------------- Apache Jena

JAVA_DIR = Path("/usr/share/java")
#: the jars Debian's jena commands need (Debian installs no wrapper scripts); one slf4j binding (nop):
#: with every jar of /usr/share/java on the classpath, slf4j's log4j bindings clash and nothing starts
JENA_DEPENDENCIES = ("commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io",
                     "commons-lang3", "dexx.collection", "gson", "guava", "jackson-core", "jackson-databind",
                     "jackson-annotations", "jakarta.json-api", "jsonld-java", "protobuf", "thrift",
                     "titanium-json-ld", "slf4j-api", "slf4j-nop")


def jena_classpath(folder: Path) -> str | None:
    """The classpath for Debian's Jena 4.5, or None when it is not installed.

    Debian's jena-core repackages xerces into ``xerces.*`` but keeps its message bundles under
    ``org/apache/jena/ext/xerces/``; every command then dies in ``JenaSystem.init``. Copying the bundles
    to ``xerces/`` in a directory on the classpath fixes it (see ecosystem-anchors.md).
    """
    jena = sorted(path for path in JAVA_DIR.glob("jena-*.jar") if not path.stem[-1].isdigit())
    if not any(path.name == "jena-arq.jar" for path in jena) or not shutil.which("java"):
        return None
    dependencies = [JAVA_DIR / f"{name}.jar" for name in JENA_DEPENDENCIES]
    fix = folder / "xerces-bundles"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for member in jar.namelist():
            if member.startswith("org/apache/jena/ext/xerces/") and member.endswith(".properties"):
                target = fix / "xerces" / member.removeprefix("org/apache/jena/ext/xerces/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(member))
    return ":".join(str(path) for path in [*jena, *dependencies, fix] if path.exists())


@pytest.fixture(scope="module")
def jena(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jena")
    classpath = jena_classpath(folder)
    if classpath is None:
        pytest.skip("Apache Jena is not installed (Debian libapache-jena-java; scripts/test.sh installs it "
                    "where apt is available)")
    for name, query in QUERIES.items():
        (folder / f"{name}.rq").write_text(query, encoding="utf-8")
    return folder, classpath


def rsparql(jena, endpoint: str, name: str, results: str, post: bool) -> str:
    folder, classpath = jena
    command = ["java", "-cp", classpath, "arq.rsparql", "--service", endpoint, "--query",
               str(folder / f"{name}.rq"), f"--results={results}", *(["--post"] if post else [])]
    run = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


@pytest.mark.parametrize("post", [False, True], ids=["GET", "POST"])
@pytest.mark.parametrize("name", (*TABLES, "ask", "construct"))
def test_jena_rsparql(jena, endpoint, expected, name, post):
    """Every POST failed before the server used h11: Java offers 'Upgrade: h2c' and httptools then
    dropped the body."""
    if name == "construct":
        graph = rdflib.Graph().parse(data=rsparql(jena, endpoint, name, "nt", post), format="nt")
        assert_same_graph(graph, expected[name])
    else:
        assert from_json(json.loads(rsparql(jena, endpoint, name, "json", post))) == expected[name]


JENA_API_CASES = [
    (name, accept) for name in TABLES + BOOLEANS
    for accept in ("-", "application/sparql-results+json", "application/sparql-results+xml")
] + [("select", "text/tab-separated-values"), ("group_by", "text/csv")] + [
    ("construct", accept) for accept in ("-", "application/rdf+xml", "text/turtle", "application/n-triples")
]


@pytest.fixture(scope="module")
def jena_api(jena, endpoint, tmp_path_factory):
    """Every (query, Accept, method) case through Jena's HTTP query API in one JVM: name -> output."""
    folder, classpath = jena
    if not shutil.which("javac"):
        pytest.skip("javac is missing (a JDK): the Jena API client cannot be compiled")
    classes = tmp_path_factory.mktemp("jena-classes")
    source = Path(__file__).parent / "clients" / "JenaClient.java"
    compiled = subprocess.run(["javac", "-cp", classpath, "-d", str(classes), str(source)],
                              capture_output=True, text=True, timeout=300)
    assert compiled.returncode == 0, compiled.stderr[-2000:]
    jobs, output = folder / "jobs.tsv", tmp_path_factory.mktemp("jena-out")
    lines = [f"{name}-{index}-{method}\t{method}\t{accept}\t{folder / f'{name}.rq'}"
             for index, (name, accept) in enumerate(JENA_API_CASES) for method in METHODS]
    jobs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = subprocess.run(["java", "-cp", f"{classpath}:{classes}", "JenaClient", endpoint, str(jobs),
                          str(output)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    return output


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("index", "name", "accept"),
                         [(index, *case) for index, case in enumerate(JENA_API_CASES)])
def test_jena_api(jena_api, expected, index, name, accept, method):
    stem = jena_api / f"{name}-{index}-{method}"
    error = stem.with_suffix(".err")
    if name in BOOLEANS and accept in ("text/csv", "text/tab-separated-values"):
        pytest.skip("no standard boolean form in CSV/TSV")
    assert not error.exists(), error.read_text()
    text = stem.with_suffix(".out").read_text(encoding="utf-8")
    if name == "construct":
        assert_same_graph(rdflib.Graph().parse(data=text, format="nt"), expected[name])
    elif accept == "text/csv":  # CSV carries no term types: Jena reads every value as a plain literal
        assert values_of(from_json(json.loads(text))) == values_of(expected[name])
    else:
        assert from_json(json.loads(text)) == expected[name]
