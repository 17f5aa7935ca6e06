"""A strict runner for the W3C SPARQL 1.1 Protocol tests (w3c/rdf-tests, sparql/sparql11/protocol).

The official runner reads only ``ht:statusCodeValue`` and ``ht:body``, so most tests (those stated with
``mf:expectedStatus`` / ``mf:expectedBoolean`` / ``mf:expectedFormat``) pass whatever the server
answers. This runner checks every expectation the manifest states for each response:

* ``mf:expectedStatus`` (``ht:StatusCode2xx`` ...) and ``ht:statusCodeValue`` ("2XX", or a code);
* ``mf:expectedFormat``: "boolean" (SPARQL results XML/JSON holding a boolean), "tabular" (SPARQL
  results XML/JSON/CSV/TSV holding a table), "RDF" (RDF/XML, Turtle, N-Triples or RDFa): the
  Content-Type must be one of them and the body must parse as it;
* ``mf:expectedBoolean`` and an ``ht:body`` of ``true``/``false``: the parsed boolean;
* response ``ht:headers``: the Content-Type must be one of the listed header elements. Some tests list
  them under the field name "Accept" (a response has no Accept header: they mean the same).

Requests are sent as written, with http.client (a GET with a body really carries it; a body declared
UTF-16 is sent in UTF-16), to ``query_path`` in place of the manifest's ``/sparql/``. Each test's
``ut:graphData`` is loaded first with Graph Store Protocol PUTs to ``gsp_path?graph=IRI``. Every request
carries the bearer token when one is given (the manifest assumes an endpoint open for updates).
``mf:expectation`` (free text) cannot be checked by a program; the tests that carry one also state
the checkable expectations above.

    python tests/api/protocol_runner.py http://127.0.0.1:8000 ../shared/w3c/sparql11-protocol/71d1d7c \
        --token TOKEN
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import rdflib
from lxml import etree
from rdflib import RDF, Namespace
from rdflib.collection import Collection

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SRX = "{http://www.w3.org/2005/sparql-results#}"

BOOLEAN_TYPES = ("application/sparql-results+xml", "application/sparql-results+json")
TABULAR_TYPES = (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt",
             "text/plain": "nt", "application/xhtml+xml": None, "text/html": None}


@dataclass
class Expectation:
    """What one response must be."""

    status_classes: set[str] = field(default_factory=set)  # "2", "4" ... or exact codes "200"
    boolean: bool | None = None
    result_format: str | None = None  # boolean | tabular | RDF
    content_types: tuple[str, ...] = ()


@dataclass
class Request:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    expect: Expectation


@dataclass
class ProtocolTest:
    id: str
    name: str
    graph_data: list[tuple[Path, str]]  # (N-Triples file, graph IRI)
    requests: list[Request]


def load_manifest(folder: Path) -> list[ProtocolTest]:
    """The tests of ``folder/manifest.ttl`` in manifest order."""
    manifest = folder / "manifest.ttl"
    graph = rdflib.Graph().parse(manifest, format="turtle")
    root = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for node in Collection(graph, graph.value(root, MF.entries)):
        action = graph.value(node, MF.action)
        data = [(folder / Path(urlsplit(str(graph.value(item, UT.graph))).path).name,
                 str(graph.value(item, rdflib.RDFS.label))) for item in graph.objects(node, UT.graphData)]
        requests = [_request(graph, item) for item in Collection(graph, graph.value(action, HT.requests))]
        name = str(graph.value(node, MF.name))
        tests.append(ProtocolTest(str(node).rsplit("#", 1)[-1], name, data, requests))
    return tests


def _request(graph: rdflib.Graph, node) -> Request:
    headers = [(str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
               for h in _list(graph, graph.value(node, HT.headers))]
    body_node = graph.value(node, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        text = str(graph.value(body_node, CNT.chars))
        body = text.encode("utf-16" if encoding.upper() == "UTF-16" else encoding)  # UTF-16 with a BOM
    return Request(str(graph.value(node, HT.methodName)), str(graph.value(node, HT.absolutePath)), headers,
                   body, _expectation(graph, graph.value(node, HT.resp)))


def _expectation(graph: rdflib.Graph, response) -> Expectation:
    expect = Expectation()
    for status in graph.objects(response, MF.expectedStatus):  # ht:StatusCode2xx
        expect.status_classes.add(str(status).rsplit("StatusCode", 1)[-1][0])
    for status in graph.objects(response, HT.statusCodeValue):  # "2XX" or "200"
        text = str(status).upper()
        expect.status_classes.add(text[0] if text.endswith("XX") else text)
    boolean = graph.value(response, MF.expectedBoolean)
    body = graph.value(response, HT.body)
    if body is not None and str(graph.value(body, CNT.chars)).lower() in ("true", "false"):
        boolean = graph.value(body, CNT.chars)
    if boolean is not None:
        expect.boolean = str(boolean).lower() == "true"
    result_format = graph.value(response, MF.expectedFormat)
    expect.result_format = str(result_format) if result_format is not None else None
    for header in _list(graph, graph.value(response, HT.headers)):
        if str(graph.value(header, HT.fieldName)).lower() in ("content-type", "accept"):
            elements = [str(graph.value(element, HT.elementName))
                        for element in _list(graph, graph.value(header, HT.headerElements))]
            expect.content_types = tuple(elements or [v.strip().split(";")[0] for v in
                                                      str(graph.value(header, HT.fieldValue)).split(",")])
    return expect


def _list(graph: rdflib.Graph, node) -> list:
    return list(Collection(graph, node)) if node is not None else []


# ------------------------------------------------------------------------------------------- running

def _send(base_url: str, method: str, path: str, headers: list[tuple[str, str]], body: bytes | None):
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def endpoint_path(manifest_path: str, query_path: str) -> str:
    """The manifest's ``/sparql/...`` path on the endpoint under test."""
    rest = manifest_path[len("/sparql"):] if manifest_path.startswith("/sparql") else manifest_path
    rest = rest[1:] if rest.startswith("/") else rest
    return query_path + ("/" + rest if rest and not rest.startswith("?") else rest)


def load_graph_data(base_url: str, test: ProtocolTest, gsp_path: str, token: str | None) -> list[str]:
    """PUT each graph of the test's ``ut:graphData`` through the Graph Store Protocol."""
    failures = []
    for file, iri in test.graph_data:
        headers = [("Content-Type", "application/n-triples"), *_auth(token)]
        status, _, body = _send(base_url, "PUT", f"{gsp_path}?graph={quote(iri, safe='')}", headers,
                                file.read_bytes())
        if status not in (200, 201, 204):
            failures.append(f"setup: GSP PUT of {iri} answered {status}: {body[:200]!r}")
    return failures


def _auth(token: str | None) -> list[tuple[str, str]]:
    return [("Authorization", f"Bearer {token}")] if token else []


def run_test(base_url: str, test: ProtocolTest, *, query_path: str = "/sparql", gsp_path: str = "/store",
             token: str | None = None) -> list[str]:
    """Run one test (data setup, then its requests in order); the failed expectations, empty if it passed."""
    failures = load_graph_data(base_url, test, gsp_path, token)
    if failures:
        return failures
    for number, request in enumerate(test.requests, 1):
        path = endpoint_path(request.path, query_path)
        try:
            status, headers, body = _send(base_url, request.method, path, request.headers + _auth(token),
                                          request.body)
        except OSError as exc:
            return [f"request {number}: {type(exc).__name__}: {exc}"]
        failures += [f"request {number} ({request.method} {path[:60]}): {problem}"
                     for problem in check_response(request.expect, status, headers, body)]
    return failures


def check_response(expect: Expectation, status: int, headers: dict[str, str], body: bytes) -> list[str]:
    """Every stated expectation the response does not meet."""
    problems = []
    if expect.status_classes and str(status) not in expect.status_classes and \
            str(status)[0] not in expect.status_classes:
        wanted = ", ".join(f"{c}xx" if len(c) == 1 else c for c in sorted(expect.status_classes))
        problems.append(f"status {status}, expected {wanted}")
        return problems  # the rest describes a successful answer
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if expect.content_types and media_type not in [t.lower() for t in expect.content_types]:
        problems.append(f"Content-Type {media_type or '(none)'}, expected one of "
                        f"{', '.join(expect.content_types)}")
    if expect.result_format == "boolean" or expect.boolean is not None:
        if media_type not in BOOLEAN_TYPES:
            problems.append(f"Content-Type {media_type or '(none)'} is not a boolean results type")
        else:
            value = parse_boolean(media_type, body)
            if value is None:
                problems.append("the body holds no boolean result")
            elif expect.boolean is not None and value is not expect.boolean:
                problems.append(f"boolean {value}, expected {expect.boolean}")
    elif expect.result_format == "tabular":
        if media_type not in TABULAR_TYPES:
            problems.append(f"Content-Type {media_type or '(none)'} is not a tabular results type")
        elif not is_table(media_type, body):
            problems.append("the body is not a result table")
    elif expect.result_format == "RDF":
        if media_type not in RDF_TYPES:
            problems.append(f"Content-Type {media_type or '(none)'} is not RDF/XML, Turtle, N-Triples "
                            "or RDFa")
        elif RDF_TYPES[media_type]:
            try:
                rdflib.Graph().parse(data=body, format=RDF_TYPES[media_type])
            except Exception as exc:  # rdflib raises parser-specific errors
                problems.append(f"the body does not parse as {media_type}: {exc}")
    return problems


def parse_boolean(media_type: str, body: bytes) -> bool | None:
    """The boolean of a SPARQL XML or JSON result, None when there is none."""
    try:
        if media_type.endswith("+json"):
            value = json.loads(body).get("boolean")
            return value if isinstance(value, bool) else None
        element = etree.parse(io.BytesIO(body)).getroot().find(f"{SRX}boolean")
        return None if element is None else element.text.strip() == "true"
    except (ValueError, etree.XMLSyntaxError, AttributeError):
        return None


def is_table(media_type: str, body: bytes) -> bool:
    """Whether the body is a SPARQL result table in its media type."""
    try:
        if media_type.endswith("+json"):
            document = json.loads(body)
            return "vars" in document["head"] and isinstance(document["results"]["bindings"], list)
        if media_type.endswith("+xml"):
            root = etree.parse(io.BytesIO(body)).getroot()
            return root.find(f"{SRX}head") is not None and root.find(f"{SRX}results") is not None
        header = body.decode("utf-8").splitlines()[0]
        names = header.split("," if media_type == "text/csv" else "\t")
        return bool(header) and (media_type == "text/csv" or all(name.startswith("?") for name in names))
    except (ValueError, KeyError, TypeError, IndexError, etree.XMLSyntaxError):
        return False


def run_manifest(base_url: str, folder: Path, **options) -> dict[str, list[str]]:
    """Every test of the manifest in order: test id -> failed expectations (empty = passed)."""
    return {test.id: run_test(base_url, test, **options) for test in load_manifest(folder)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("manifest_folder", type=Path, help="folder with manifest.ttl and data*.nt")
    parser.add_argument("--token", help="bearer token sent with every request")
    parser.add_argument("--query-path", default="/sparql")
    parser.add_argument("--gsp-path", default="/store")
    args = parser.parse_args(argv)
    results = run_manifest(args.url, args.manifest_folder, token=args.token, query_path=args.query_path,
                           gsp_path=args.gsp_path)
    for test_id, failures in results.items():
        details = "".join(f"\n      {failure}" for failure in failures)
        print(f"{'PASS' if not failures else 'FAIL'}  {test_id}{details}")
    passed = sum(not failures for failures in results.values())
    print(f"{passed}/{len(results)} passed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
