"""Opt-in fetching of the pages feeds name, over HTTP(S), bounded in size and time.

    Fetcher(max_bytes=..., seconds=...).get(url) -> (bytes, content type, metadata)

Off by default: ``aidgraph ingest --fetch`` turns it on for the URLs of sitemaps, and the links of RSS
items without content of their own, that have no local copy (``--pages``). Every request is bounded:
http and https only, at most :data:`MAX_REDIRECTS` redirects, ``seconds`` for the whole response
(connect, headers and body; a server that trickles its body is cut off), ``max_bytes`` of body after
``Content-Encoding`` decompression (a gzip bomb stops there), and an HTML content type.
"""

from __future__ import annotations

import time
from typing import Any

from graph.errors import IngestError

MAX_REDIRECTS = 3
#: seconds a whole response may take
FETCH_SECONDS = 20.0
HTML_TYPES = ("text/html", "application/xhtml+xml")


class Fetcher:
    """Bounded HTTP GETs of web pages (see the module docstring); one connection pool per run."""

    def __init__(self, *, max_bytes: int, seconds: float = FETCH_SECONDS,
                 user_agent: str = "aidgraph/0.1 (feeds)") -> None:
        import httpx

        self.max_bytes, self.seconds = max_bytes, seconds
        self.client = httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS,
                                   timeout=httpx.Timeout(seconds), headers={"User-Agent": user_agent},
                                   trust_env=False)

    def get(self, url: str) -> tuple[bytes, str | None, dict[str, Any]]:
        """The body, content type and header metadata (``Content-Language``) of the page at ``url``;
        raises IngestError naming the bound that was hit."""
        import httpx

        if not url.lower().startswith(("http://", "https://")):
            raise IngestError(f"{url[:200]}: only http and https URLs are fetched")
        deadline = time.monotonic() + self.seconds
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise IngestError(f"{url[:200]}: the server answered {response.status_code}")
                content_type = response.headers.get("content-type", "")
                if content_type.split(";", 1)[0].strip().lower() not in HTML_TYPES:
                    raise IngestError(f"{url[:200]}: not an HTML page ({content_type or 'no content type'})")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise IngestError(f"{url[:200]}: the page declares {int(declared):,} bytes, more than "
                                      f"the {self.max_bytes / 1_000_000:.1f} MB limit for one article")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise IngestError(f"{url[:200]}: the page is larger than the "
                                          f"{self.max_bytes / 1_000_000:.1f} MB limit for one article "
                                          "(after decompression)")
                    if time.monotonic() > deadline:
                        raise IngestError(f"{url[:200]}: the page took longer than {self.seconds:g} s")
                return b"".join(chunks), content_type, {"lang": response.headers.get("content-language")}
        except httpx.TooManyRedirects:
            raise IngestError(f"{url[:200]}: more than {MAX_REDIRECTS} redirects") from None
        except httpx.TimeoutException:
            raise IngestError(f"{url[:200]}: no answer within {self.seconds:g} s") from None
        except httpx.HTTPError as exc:
            raise IngestError(f"{url[:200]}: cannot fetch ({type(exc).__name__}: {exc})") from None

    def close(self) -> None:
        self.client.close()
