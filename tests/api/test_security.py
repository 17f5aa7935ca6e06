"""The server's perimeter: CORS same-origin by default, the Host header checked (DNS rebinding), other
sites' browser requests refused, tokens kept out of the access log, whole-store exports and plots cached
per store version and limited (issue 14.6)."""

from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.guards import host_name, redact
from api.settings import ApiSettings

REPO = Path(__file__).resolve().parents[2]
TOKEN = "security-token-5678"
EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def secured(tmp_path_factory, store_builder, live_server_class):
    store = store_builder(tmp_path_factory.mktemp("security-store") / "store")
    settings = ApiSettings(store=str(store), token=TOKEN, heavy_slots=1, heavy_wait=0.05)
    with live_server_class(settings) as live, live.client() as http:
        yield http


@pytest.fixture(scope="module")
def open_to_one_origin(tmp_path_factory, store_builder, live_server_class):
    store = store_builder(tmp_path_factory.mktemp("cors-store") / "store")
    settings = ApiSettings(store=str(store), cors_origins=("https://analysts.example",),
                           allowed_hosts=("127.0.0.1", "aidgraph.internal"))
    with live_server_class(settings) as live, live.client() as http:
        yield http


def test_no_cors_by_default(secured):
    preflight = secured.options("/sparql", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "authorization"})
    assert "access-control-allow-origin" not in preflight.headers
    read = secured.get("/stats", headers={"Origin": EVIL})
    assert read.status_code == 403 and "access-control-allow-origin" not in read.headers
    assert read.json()["type"].endswith("/cross-site")


def test_configured_origins_may_read(open_to_one_origin):
    origin = "https://analysts.example"
    preflight = open_to_one_origin.options("/sparql", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.headers.get("access-control-allow-origin") == origin
    read = open_to_one_origin.get("/stats", headers={"Origin": origin})
    assert read.status_code == 200 and read.headers["access-control-allow-origin"] == origin
    assert open_to_one_origin.get("/stats", headers={"Origin": EVIL}).status_code == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "10.0.0.1"])
def test_an_unknown_host_header_is_refused(secured, host):
    response = secured.get("/health", headers={"Host": host})
    assert response.status_code == 400
    assert response.json()["type"].endswith("/host-not-allowed") and "AIDGRAPH_ALLOWED_HOSTS" in \
        response.json()["hint"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost:1234", "LOCALHOST", "[::1]:8000"])
def test_local_host_names_are_accepted(secured, host):
    assert secured.get("/health", headers={"Host": host}).status_code == 200


def test_configured_hosts_are_accepted(open_to_one_origin):
    assert open_to_one_origin.get("/health", headers={"Host": "aidgraph.internal:8000"}).status_code == 200
    assert open_to_one_origin.get("/health", headers={"Host": "other.internal"}).status_code == 400


def test_cross_site_browser_requests_are_refused_but_links_work(secured):
    fetch = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
    assert secured.get("/export/gexf", headers=fetch).status_code == 403
    navigate = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    assert secured.get("/health", headers=navigate).status_code == 200
    same = {"Sec-Fetch-Site": "same-origin", "Origin": str(secured.base_url).rstrip("/")}
    assert secured.get("/stats", headers=same).status_code == 200
    form = secured.post("/sparql", data={"update": "DROP ALL"},
                        headers={"Origin": EVIL, "Authorization": f"Bearer {TOKEN}"})
    assert form.status_code == 403


def test_whole_store_exports_are_cached_per_store_version(secured):
    first = secured.get("/export/gexf", params={"projection": "actor-meeting"})
    again = secured.get("/export/gexf", params={"projection": "actor-meeting"})
    assert first.status_code == again.status_code == 200
    assert "x-cache" not in first.headers and again.headers["x-cache"] == "hit"
    assert again.content == first.content
    update = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> 1 } }"
    write = secured.post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert write.status_code in (200, 204), write.text
    after = secured.get("/export/gexf", params={"projection": "actor-meeting"})
    assert after.status_code == 200 and "x-cache" not in after.headers  # the store changed: computed again


def test_heavy_requests_beyond_the_limit_get_429_with_retry_after(secured):
    projections = ("full", "actor-meeting", "donor-equipment", "co-attendance")

    def export(n: int) -> httpx.Response:
        with httpx.Client(base_url=secured.base_url, timeout=60) as http:
            return http.get("/plot/network", params={"format": ("png", "svg")[n % 2],
                                                     "projection": projections[n % 4]})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(export, range(8)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 429} and 429 in statuses and 200 in statuses, statuses
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.headers["retry-after"] and refused.json()["type"].endswith("/too-many-heavy-requests")


@pytest.mark.parametrize(("url", "expected"), [
    ("/sparql?query=ASK&token=abc123", "/sparql?query=ASK&token=[redacted]"),
    ("/x?access_token=abc&b=1", "/x?access_token=[redacted]&b=1"),
    ("/x?API_KEY=zzz", "/x?API_KEY=[redacted]"),
    ("/pledges?donor=DE", "/pledges?donor=DE"),
])
def test_redact(url, expected):
    assert redact(url) == expected


def test_host_name():
    names = [host_name(h) for h in ("a:1", "[::1]:8000", "::1", "A.Example")]
    assert names == ["a", "::1", "::1", "a.example"]


@pytest.mark.slow
def test_a_token_in_the_url_never_reaches_the_access_log(tmp_path, store_builder):
    store = store_builder(tmp_path / "store")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    env = {**os.environ, "AIDGRAPH_TOKEN": TOKEN, "AIDGRAPH_STORE": str(store)}
    with log.open("wb") as sink:
        server = subprocess.Popen([sys.executable, "-m", "graph.cli", "serve", "--port", str(port)],
                                  stdout=sink, stderr=subprocess.STDOUT, cwd=REPO, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline and server.poll() is None, log.read_text()
                time.sleep(0.2)
            for secret in (TOKEN, "a-refused-token-4242"):
                httpx.post(f"{base}/sparql?token={secret}&access_token={secret}",
                           data={"update": "DROP ALL"}, timeout=10)
            httpx.get(f"{base}/health", timeout=10)
            time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(30)
    text = log.read_text(errors="replace")
    assert "POST /sparql?token=[redacted]&access_token=[redacted]" in text
    assert TOKEN not in text and "a-refused-token-4242" not in text
