"""Fuzzing the SPARQL endpoint against a real server (issue 10.5): schemathesis over POST /sparql with
serializers for the SPARQL media types (so the direct ``application/sparql-query`` and
``application/sparql-update`` bodies are generated too, not only forms), positive and negative cases, and
SPARQL-shaped "token soup" that reaches the engine's parser and evaluator. A fixed number of cases each;
every answer must be a documented status (no 500), errors as problem details.
"""

from __future__ import annotations

import json

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance
from schemathesis.generation import GenerationMode

from api.settings import ApiSettings

pytestmark = pytest.mark.slow

SPARQL_MEDIA_TYPES = ("application/sparql-query", "application/sparql-update")
DOCUMENTED = {200, 204, 400, 403, 406, 413, 415, 429, 503}
CASES = 40  # per media type and generation mode
SOUP_CASES = 150
TOKENS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "*", "WHERE", "{", "}", "(", ")", ".", ";", ",", "?s",
          "?p", "?o", "?x", "a", "<urn:x>", "<https://w3id.org/aidgraph/ontology#Pledge>", '"x"',
          '"1"^^<urn:t>',
          "1", "2.5", "FILTER", "OPTIONAL", "UNION", "MINUS", "BIND", "AS", "VALUES", "GRAPH", "LIMIT",
          "OFFSET", "ORDER", "BY", "GROUP", "COUNT", "DISTINCT", "GROUP_CONCAT", "REGEX", "STR", "|", "/",
          "^", "*", "+", "!", "=", "&&", "||", "PREFIX", "aid:", "aid:Pledge", "skos:broader", "BASE",
          "INSERT", "DATA", "DELETE", "DROP", "ALL", "SERVICE", "LOAD", "VERSION", '"1.2"', "#", "\n", "\x00",
          "é", "\u202e"]


def sparql_body(_ctx, value) -> bytes:
    """The body of a SPARQL query or update: the generated text as UTF-8 (other values as JSON text;
    lone surrogates become invalid UTF-8, which the endpoint must refuse with 400)."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory, store_builder, live_server_class):
    """A server with a short timeout: generated cartesian products are stopped quickly."""
    store = store_builder(tmp_path_factory.mktemp("fuzz-store") / "store")
    with live_server_class(ApiSettings(store=str(store), token="fuzz-token-5678", query_timeout=3,
                                       result_cap=50, max_body_bytes=20_000)) as live:
        yield live


@pytest.fixture(scope="module")
def schema(fuzz_server):
    schemathesis.serializer(*SPARQL_MEDIA_TYPES)(sparql_body)
    return schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_post_sparql_with_sparql_bodies_conforms(schema, mode):
    operation = next(result.ok() for result in schema.get_all_operations()
                     if result.ok().label == "POST /sparql")
    sent: list[tuple[str, int]] = []

    for media_type in SPARQL_MEDIA_TYPES:
        @given(case=operation.as_strategy(generation_mode=mode, media_type=media_type))
        @settings(max_examples=CASES, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)
        def check(case):
            response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
            sent.append((case.media_type, response.status_code))
            assert response.status_code in DOCUMENTED, response.text

        check()
    # the SPARQL bodies were generated and sent (without the serializers schemathesis skips them)
    assert {media_type for media_type, _ in sent} >= set(SPARQL_MEDIA_TYPES), sent


@given(words=st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14))
@settings(max_examples=SOUP_CASES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
          database=None)
def test_sparql_token_soup_gets_a_documented_answer(fuzz_server, words):
    body = " ".join(words)
    with httpx.Client(base_url=fuzz_server.url, timeout=30) as http:
        for media_type in SPARQL_MEDIA_TYPES:
            response = http.post("/sparql", content=sparql_body(None, body),
                                 headers={"Content-Type": media_type})
            assert response.status_code in DOCUMENTED, (body, response.text)
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json"
