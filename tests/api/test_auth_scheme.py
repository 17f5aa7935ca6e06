"""The bearer token is an OpenAPI security scheme: Swagger UI offers "Authorize" and sends the header.

Each operation that needs or accepts the token declares the scheme; where only some requests need it
(SPARQL updates on POST /sparql, whole-dataset RDF on /export/{fmt}) the empty requirement ``{}`` is
the documented alternative. Requests built from the declared scheme are accepted; without it the
answer stays the documented 403 problem (never FastAPI's own 401).
"""

from __future__ import annotations

import pytest

SCHEME = "bearerToken"
#: (method, path) -> which requests need the token: "all" or "some" (the rest need none)
TOKEN_OPERATIONS = {
    ("post", "/articles"): "all",
    ("get", "/dump"): "all",
    ("post", "/sparql"): "some",
    ("get", "/export/{fmt}"): "some",
}
READ_ONLY_OPERATIONS = [("get", "/sparql"), ("get", "/pledges"), ("get", "/articles"), ("get", "/stats")]
#: requests that need the token: (method, path, keyword arguments for httpx, status with the token)
GUARDED_REQUESTS = [
    ("get", "/dump", {"params": {"format": "nquads"}}, 200),
    ("get", "/export/nt", {}, 200),
    # a no-op update: the test store stays as it is for the other tests
    ("post", "/sparql", {"content": "DELETE DATA { <urn:aidgraph:test:s> <urn:aidgraph:test:p> "
                                    "<urn:aidgraph:test:o> }",
                         "headers": {"Content-Type": "application/sparql-update"}}, 204),
]


@pytest.fixture(scope="module")
def openapi(client) -> dict:
    return client.get("/openapi.json").json()


@pytest.fixture(scope="module")
def token(auth) -> str:
    """The test server's token (conftest's ``auth`` header carries it)."""
    return auth["Authorization"].split(" ", 1)[1]


def header_from_scheme(scheme: dict, token: str) -> dict[str, str]:
    """The header a client (Swagger UI) sends for an OpenAPI ``http`` security scheme."""
    assert scheme["type"] == "http"
    return {"Authorization": f"{scheme['scheme'].capitalize()} {token}"}


def test_the_bearer_scheme_is_declared(openapi):
    scheme = openapi["components"]["securitySchemes"][SCHEME]
    assert scheme["type"] == "http" and scheme["scheme"].lower() == "bearer"
    assert "AIDGRAPH_TOKEN" in scheme["description"]


@pytest.mark.parametrize(("method", "path"), sorted(TOKEN_OPERATIONS))
def test_token_operations_declare_the_scheme(openapi, method, path):
    security = openapi["paths"][path][method]["security"]
    if TOKEN_OPERATIONS[(method, path)] == "all":
        assert security == [{SCHEME: []}]
    else:
        assert sorted(security, key=len) == [{}, {SCHEME: []}]


@pytest.mark.parametrize(("method", "path"), READ_ONLY_OPERATIONS)
def test_read_only_operations_declare_no_security(openapi, method, path):
    assert "security" not in openapi["paths"][path][method]


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), GUARDED_REQUESTS,
                         ids=[f"{m} {p}" for m, p, _, _ in GUARDED_REQUESTS])
def test_a_request_through_the_declared_scheme_works(client, openapi, token, method, path, kwargs, status):
    headers = kwargs.get("headers", {}) | header_from_scheme(
        openapi["components"]["securitySchemes"][SCHEME], token)
    response = client.request(method, path, **(kwargs | {"headers": headers}))
    assert response.status_code == status, response.text


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic dGVzdDp0ZXN0", "Bearer"])
@pytest.mark.parametrize(("method", "path", "kwargs", "status"), GUARDED_REQUESTS,
                         ids=[f"{m} {p}" for m, p, _, _ in GUARDED_REQUESTS])
def test_without_a_valid_token_the_answer_is_the_documented_403(client, method, path, kwargs, status,
                                                                 authorization):
    headers = dict(kwargs.get("headers", {}))
    if authorization:
        headers["Authorization"] = authorization
    response = client.request(method, path, **(kwargs | {"headers": headers}))
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("bad-token")
