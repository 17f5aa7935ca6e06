"""/docs and /redoc are served from the app itself: every script, style sheet and icon is local."""

from __future__ import annotations

import re

import pytest

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']|url:\s*'([^']+)'|spec-url=["']([^"']+)["']""")


def referenced_urls(html: str) -> list[str]:
    """Every URL the page loads: script src, link href, Swagger UI's spec url, ReDoc's spec-url."""
    return [next(group for group in match.groups() if group) for match in ASSET.finditer(html)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_doc_page_loads_only_local_assets_that_answer(client, page):
    response = client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    urls = referenced_urls(response.text)
    assert len(urls) >= 3, urls  # script, favicon and the OpenAPI document at least
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), f"{page} loads {url} from elsewhere"
        asset = client.get(url)
        assert asset.status_code == 200, f"{page} needs {url}: {asset.status_code}"
        assert len(asset.content) > 100


def test_vendored_assets_keep_their_licences(client):
    for folder in ("swagger-ui", "redoc"):
        notice = client.get(f"/static/{folder}/NOTICE.md")
        licence = client.get(f"/static/{folder}/LICENSE")
        assert notice.status_code == 200 and licence.status_code == 200
        assert "License" in licence.text or "LICENSE" in licence.text


def test_docs_pages_are_not_in_the_openapi_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/docs" not in paths and "/redoc" not in paths
