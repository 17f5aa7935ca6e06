"""The query page and the OpenAPI pages in a real headless browser (Debian chromium), with every host but
the test server unreachable (so a CDN dependency would show); skipped when chromium is absent."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt install chromium)")]

# every host name resolves to nothing except the test server's address: the pages must work offline
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def browse(url: str, *, screenshot: Path | None = None) -> str:
    """The DOM of ``url`` after its scripts ran (and a screenshot when asked). Fails when the page
    requested anything from another host (read from chromium's network log)."""
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
              "--virtual-time-budget=8000", OFFLINE]
    if screenshot is not None:
        subprocess.run([*common, f"--screenshot={screenshot}", url], check=True, capture_output=True,
                       timeout=120)
    with tempfile.TemporaryDirectory(prefix="aidgraph-browser-") as folder:
        net_log = Path(folder) / "net.json"
        dom = subprocess.run([*common, f"--log-net-log={net_log}", "--dump-dom", url], check=True,
                             capture_output=True, text=True, timeout=120).stdout
        requests = page_requests(net_log, origin="{0.scheme}://{0.netloc}".format(urlsplit(url)))
    assert requests, "the network log recorded none of the page's requests"
    foreign = sorted({request for request in requests if urlsplit(request).hostname != "127.0.0.1"})
    assert not foreign, f"the page requested other hosts: {foreign}"
    return dom


def page_requests(net_log: Path, origin: str) -> list[str]:
    """URLs the page itself requested (initiator: the page's origin), not the browser's own traffic
    (update checks, accounts), from a chromium NetLog file."""
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [event["params"]["url"] for event in log["events"]
            if event["type"] == start and event.get("params", {}).get("initiator") == origin]


def test_query_page_renders_yasgui_with_saved_queries(server, tmp_path):
    screenshot = tmp_path / "sparql.png"
    dom = browse(f"{server.url}/sparql", screenshot=screenshot)
    assert screenshot.exists() and screenshot.stat().st_size > 20_000
    assert "CodeMirror" in dom                      # YASGUI's editor was built by the script
    assert 'data-query="air_defence_pledges"' in dom  # the saved queries are listed


def test_swagger_ui_renders_the_operations(server, tmp_path):
    screenshot = tmp_path / "docs.png"
    dom = browse(f"{server.url}/docs", screenshot=screenshot)
    assert screenshot.exists() and screenshot.stat().st_size > 20_000
    for path in ("/sparql", "/pledges", "/articles", "/export/{fmt}"):
        assert f'data-path="{path}"' in dom, f"Swagger UI did not render {path}"


def test_redoc_renders_the_operations(server):
    dom = browse(f"{server.url}/redoc")
    assert "Pledges, filtered" in dom and "operation/list_pledges" in dom
