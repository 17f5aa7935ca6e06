"""Property-based tests of the REST API from its OpenAPI document (schemathesis), against a real server.

Expected 4xx answers, documented in the OpenAPI responses of each route:
  400  malformed filter values (e.g. a donor key that is not a valid IRI segment), malformed SPARQL
       (random 'query' strings) or a missing query on /sparql; /store naming no graph, or two
  403  POST /articles, GET /dump, Graph Store writes and whole-dataset RDF exports
       (/export/{trig,nquads,jsonld,turtle,nt} without 'graph') without the bearer token; SERVICE/LOAD
  404  unknown meeting / actor / equipment / article ids, unknown saved query, an unknown 'graph' IRI
       on /export and /plot
  406  a random Accept header on /sparql
  422  parameters outside their declared range or pattern (limit=10**9, bad dates, unknown status)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

# operations whose valid input a schema cannot describe, where the "positive data" check is skipped: a
# random 'query' string, or none, is a well-formed request carrying a malformed query (400); the Graph
# Store Protocol needs exactly one of 'graph' and 'default' (400 for neither or both)
FREE_TEXT_OPERATIONS = {"GET /sparql", "POST /sparql", "GET /store", "HEAD /store"}
OPERATIONS_EXPECTED = 21  # GET/POST routes in the OpenAPI document (a guard that the spec was read)
EXPORT_OPERATIONS = {"GET /export/{fmt}", "GET /plot/timeline", "GET /plot/network"}


@pytest.mark.slow
def test_api_conforms_to_its_openapi(server):
    """Every operation, a few generated cases each (pytest 9 cannot use schemathesis' pytest plugin)."""
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= OPERATIONS_EXPECTED
    assert {operation.label for operation in operations} >= EXPORT_OPERATIONS

    for operation in operations:
        excluded = [positive_data_acceptance] if operation.label in FREE_TEXT_OPERATIONS else []

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def check(case):
            case.call_and_validate(excluded_checks=excluded)  # noqa: B023 (run within this iteration)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # report every operation, not just the first
            failures[operation.label] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
