"""The query page in a real headless browser (Debian chromium); skipped when chromium is absent."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt install chromium)")]


def test_query_page_renders_yasgui_with_saved_queries(server, tmp_path):
    screenshot = tmp_path / "sparql.png"
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
              "--virtual-time-budget=5000"]
    subprocess.run([*common, f"--screenshot={screenshot}", f"{server.url}/sparql"], check=True,
                   capture_output=True, timeout=120)
    assert screenshot.exists() and screenshot.stat().st_size > 20_000
    dom = subprocess.run([*common, "--dump-dom", f"{server.url}/sparql"], check=True, capture_output=True,
                         text=True, timeout=120).stdout
    assert "CodeMirror" in dom                      # YASGUI's editor was built by the script
    assert 'data-query="air_defence_pledges"' in dom  # the saved queries are listed
