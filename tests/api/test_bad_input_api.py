"""The bad-input corpus through POST /articles: every kind an HTTP client can send, with the expected status,
problem fragment and time budget; no 500, nothing hangs, /health still answers (issues 10.3, 10.5; the
file kinds are in tests/reliability/test_bad_input.py)."""

from __future__ import annotations

import time

import httpx
import pytest

from api.settings import ApiSettings

pytestmark = pytest.mark.slow

# our own sentence (not from any corpus)
PLEDGE = "Germany will send Ukraine four IRIS-T SLM air defence systems, the ministry said on 3 March 2025."
BIG_PLEDGES = " ".join([PLEDGE] * 60_000)  # about 6 MB: far past the budget
ARTICLE_SECONDS = 5.0

TOKEN = "bad-input-token"
API_KINDS = [
    # (name, body or raw bytes, headers, expected status, fragment of the problem, seconds)
    ("empty-text", {"text": ""}, {}, 422, "text", 5),
    ("whitespace-text", {"text": "  \n "}, {}, 422, "no text", 5),
    ("nul-and-escapes", {"text": f"{PLEDGE} \x00\x1b[2J {PLEDGE}"}, {}, 201, "", 30),
    ("binary-like", {"text": "\x01\x02\x03\x04" * 100}, {}, 422, "binary", 5),
    ("lone-surrogate", None, {"content-type": "application/json"}, 422, "", 5),
    ("invalid-utf8-body", b'{"text": "\xc3\x28"}', {"content-type": "application/json"}, 400, "", 5),
    ("latin1-body", '{"text": "Malmö"}'.encode("latin-1"), {"content-type": "application/json"}, 400, "", 5),
    ("not-json", b"text=hello", {"content-type": "application/x-www-form-urlencoded"}, 422, "", 5),
    ("json-list", b'["a"]', {"content-type": "application/json"}, 422, "", 5),
    ("json-deep", b"[" * 100_000 + b"]" * 100_000, {"content-type": "application/json"}, 400, "", 10),
    ("text-number", {"text": 5}, {}, 422, "text", 5),
    ("id-traversal", {"text": PLEDGE, "id": "../../etc/passwd"}, {}, 422, "id", 5),
    ("id-object", {"text": PLEDGE, "id": {"a": 1}}, {}, 422, "id", 5),
    ("id-too-long", {"text": PLEDGE, "id": "a" * 101}, {}, 422, "id", 5),
    ("lang-number", {"text": PLEDGE, "lang": 7}, {}, 422, "lang", 5),
    ("lang-word", {"text": PLEDGE, "lang": "english"}, {}, 422, "lang", 5),
    ("published-words", {"text": PLEDGE, "published": "yesterday"}, {}, 422, "published", 5),
    ("published-feb-30", {"text": PLEDGE, "published": "2025-02-30"}, {}, 422, "published", 5),
    ("published-2999", {"text": PLEDGE, "published": "2999-01-01"}, {}, 422, "published", 5),
    ("published-1800", {"text": PLEDGE, "published": "1800-01-01"}, {}, 422, "published", 5),
    ("url-no-scheme", {"text": PLEDGE, "url": "www.example.org/article"}, {}, 422, "url", 5),
    ("url-digits", {"text": PLEDGE, "url": "0" * 50}, {}, 422, "url", 5),
    ("url-space", {"text": PLEDGE, "url": "https://example.org/a b"}, {}, 422, "url", 5),
    ("url-quotes", {"text": PLEDGE, "url": 'https://example.org/"x"'}, {}, 422, "url", 5),
    ("url-javascript", {"text": PLEDGE, "url": "javascript:alert(1)"}, {}, 422, "url", 5),
    ("url-too-long", {"text": PLEDGE, "url": "https://e.org/" + "a" * 3000}, {}, 422, "url", 5),
    ("publisher-script", {"text": PLEDGE, "publisher": "<script>alert(1)</script>\nX"}, {}, 201, "", 30),
    ("title-html", {"text": PLEDGE, "title": "<img src=x onerror=alert(1)>"}, {}, 201, "", 30),
    ("unknown-fields", {"text": PLEDGE, "colour": "red"}, {}, 201, "", 30),
    ("rtl-emoji", {"text": f"\u202e{PLEDGE} 🚀"}, {}, 201, "", 30),
    ("no-facts", {"text": "The weather stayed mild all week with light winds from the west."}, {}, 422,
     "no fact", 30),
    ("11-mb", {"text": "x " * 5_600_000}, {}, 413, "", 10),
    ("6-mb-of-pledges", {"text": BIG_PLEDGES[:6_000_000]}, {}, 422, "budget", 60),
    ("no-token", {"text": PLEDGE}, {"authorization": "Bearer wrong"}, 403, "", 5),
]


@pytest.fixture(scope="module")
def api(tmp_path_factory, store_builder, live_server_class):
    store = store_builder(tmp_path_factory.mktemp("bad-api") / "store")
    settings = ApiSettings(store=str(store), token=TOKEN, article_seconds=ARTICLE_SECONDS,
                           article_max_bytes=10_000_000)
    with live_server_class(settings) as live:
        yield live


def test_post_articles_of_every_api_kind(api):
    assert len(API_KINDS) >= 30
    wrong, slow = [], []
    with httpx.Client(base_url=api.url, timeout=120) as http:
        before = http.get("/stats").json()["triples"]
        for number, (name, body, headers, status, fragment, seconds) in enumerate(API_KINDS):
            sent = {"authorization": f"Bearer {TOKEN}"} | headers
            started = time.monotonic()
            if name == "lone-surrogate":
                response = http.post("/articles", content=b'{"text": "\\ud800 lone"}', headers=sent)
            elif isinstance(body, bytes):
                response = http.post("/articles", content=body, headers=sent)
            else:
                payload = body | ({"id": f"api-{number}"} if "id" not in body else {})
                response = http.post("/articles", json=payload, headers=sent)
            elapsed = time.monotonic() - started
            text_of = response.text if response.headers.get("content-type", "").endswith("json") else ""
            if response.status_code != status or fragment not in text_of:
                wrong.append((name, response.status_code, response.text[:300]))
            if elapsed > seconds:
                slow.append((name, round(elapsed, 1)))
        assert http.get("/health").status_code == 200
        stored = sum(1 for _, _, _, status, _, _ in API_KINDS if status == 201)
        assert http.get("/stats").json()["triples"] > before if stored else True
    assert not wrong, wrong
    assert not slow, slow
