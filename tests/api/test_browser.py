"""The query page and the OpenAPI pages in a real headless browser (Debian chromium), with every host but
the test server unreachable (so a CDN dependency would show); skipped when chromium is absent."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt install chromium)")]

# every host name resolves to nothing except the test server's address: the pages must work offline
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def browse(url: str, *, screenshot: Path | None = None) -> str:
    """The DOM of ``url`` after its scripts ran (and a screenshot when asked)."""
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
              "--virtual-time-budget=8000", OFFLINE]
    if screenshot is not None:
        subprocess.run([*common, f"--screenshot={screenshot}", url], check=True, capture_output=True,
                       timeout=120)
    return subprocess.run([*common, "--dump-dom", url], check=True, capture_output=True, text=True,
                          timeout=120).stdout


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
