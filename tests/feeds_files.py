"""Feed files for the tests, written here: WARC files (warcio), RSS and Atom feeds, sitemaps, HTML pages.

Our own sentences (not from any corpus).
"""

from __future__ import annotations

import gzip
import html
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

AID = {
    "https://news.example/2025/denmark-howitzers": (
        "Denmark pledges howitzers",
        ["Denmark will send Ukraine twelve Caesar howitzers, the Danish defence minister said on Tuesday.",
         "The guns are to arrive before the winter, the ministry added in a statement."]),
    "https://news.example/2025/canada-vehicles": (
        "Canada sends vehicles",
        ["Canada will deliver fifty armoured vehicles to Ukraine, the prime minister announced in Ottawa.",
         "The first vehicles will be shipped next month from Halifax."]),
}
UNRELATED = {
    "https://news.example/2025/derby": (
        "Derby ends three to one",
        ["The home side won the derby three to one on Saturday evening in front of a full stadium.",
         "The coach praised the young striker after the match."]),
    "https://news.example/2025/rain": (
        "Rain in the north",
        ["Heavy rain is expected in the north on Thursday, the weather service said.",
         "Farmers welcomed the end of the long dry spell."]),
}
CHROME_WORDS = ("Home", "Subscribe", "Privacy")


def page(title: str, paragraphs: list[str], *, lang: str = "en", canonical: str | None = None,
         published: str | None = None) -> str:
    """A news page with navigation, a teaser rail and a footer around the article."""
    head = [f"<title>{html.escape(title)} | News Example</title>"]
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{"".join(head)}</head><body>'
            f'<nav><a href="/">Home</a> <a href="/subscribe">Subscribe</a></nav><main><article>'
            f"<h1>{html.escape(title)}</h1>{body}</article></main>"
            f'<footer><a href="/privacy">Privacy</a></footer></body></html>')


def write_warc(path: Path, records: list[dict], *, compress: bool = True) -> Path:
    """A WARC file; each record: url, body (bytes or str), and optionally type ('response'), status
    ('200 OK'), content_type ('text/html; charset=utf-8'), headers (extra HTTP headers), date."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "aidgraph tests"}))
        for record in records:
            body = record["body"].encode("utf-8") if isinstance(record["body"], str) else record["body"]
            kind = record.get("type", "response")
            warc_headers = {"WARC-Date": record.get("date", "2025-03-04T10:00:00Z")}
            if kind == "response":
                http = StatusAndHeaders(record.get("status", "200 OK"), [
                    ("Content-Type", record.get("content_type", "text/html; charset=utf-8")),
                    *record.get("headers", [])], protocol="HTTP/1.1")
                made = writer.create_warc_record(record["url"], "response", payload=io.BytesIO(body),
                                                 http_headers=http, warc_headers_dict=warc_headers)
            else:
                made = writer.create_warc_record(record["url"], kind, payload=io.BytesIO(body),
                                                 warc_content_type=record.get("content_type", "text/html"),
                                                 warc_headers_dict=warc_headers)
            writer.write_record(made)
    return path


def news_warc(path: Path, *, extra: list[dict] | None = None, compress: bool = True) -> Path:
    """A crawl of the aid and unrelated pages, plus a request record, an image and a 404."""
    records = []
    for url, (title, paragraphs) in {**AID, **UNRELATED}.items():
        records.append({"url": url, "body": page(title, paragraphs), "headers": [("Content-Language", "en")]})
    records += [
        {"url": "https://news.example/logo.png", "body": b"\x89PNG\r\n\x1a\n" + bytes(64),
         "content_type": "image/png"},
        {"url": "https://news.example/gone", "body": "<html><body><p>Not found</p></body></html>",
         "status": "404 Not Found"},
        {"url": "https://news.example/2025/denmark-howitzers", "type": "request",
         "body": b"GET /2025/denmark-howitzers HTTP/1.1\r\nHost: news.example\r\n\r\n",
         "content_type": "application/http; msgtype=request"},
        *(extra or []),
    ]
    return write_warc(path, records, compress=compress)


def rss(items: list[dict], *, title: str = "Example Wire", language: str | None = "en",
        prolog: str = "") -> str:
    """An RSS 2.0 feed; each item: title, link, date (RFC 822), description, content (HTML)."""
    parts = []
    for item in items:
        fields = [f"<title>{html.escape(item['title'])}</title>"] if item.get("title") else []
        if item.get("link"):
            fields.append(f"<link>{item['link']}</link>")
        if item.get("date"):
            fields.append(f"<pubDate>{item['date']}</pubDate>")
        if item.get("description"):
            fields.append(f"<description>{html.escape(item['description'])}</description>")
        if item.get("content"):
            fields.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        parts.append(f"<item>{''.join(fields)}</item>")
    lang = f"<language>{language}</language>" if language else ""
    return (f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>{title}</title>{lang}'
            f"{''.join(parts)}</channel></rss>")


def atom(entries: list[dict], *, lang: str = "de") -> str:
    """An Atom 1.0 feed; each entry: title, link, updated (ISO), content (HTML)."""
    parts = "".join(
        f"<entry><title>{html.escape(e['title'])}</title><link href=\"{e['link']}\"/><id>{e['link']}</id>"
        f"<updated>{e['updated']}</updated>"
        f"<content type=\"html\">{html.escape(e['content'])}</content></entry>"
        for e in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?>'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">'
            f"<title>Beispiel Nachrichten</title><id>urn:example:feed</id>"
            f"<updated>2025-03-04T00:00:00Z</updated>"
            f"{parts}</feed>")


def sitemap(urls: list[dict], *, prolog: str = "") -> str:
    """A urlset with Google News fields; each url: loc, and optionally title, language, date, name."""
    parts = []
    for url in urls:
        news = ""
        if url.get("title"):
            news = (f"<news:news><news:publication><news:name>{url.get('name', 'News Example')}</news:name>"
                    f"<news:language>{url.get('language', 'en')}</news:language></news:publication>"
                    f"<news:publication_date>{url.get('date', '2025-03-03')}</news:publication_date>"
                    f"<news:title>{html.escape(url['title'])}</news:title></news:news>")
        parts.append(f"<url><loc>{url['loc']}</loc>{news}</url>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<urlset '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{"".join(parts)}</urlset>')


def sitemap_index(locs: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            'sitemap/0.9">' + "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
            + "</sitemapindex>")


def write_gzip(path: Path, data: bytes) -> Path:
    path.write_bytes(gzip.compress(data))
    return path


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
                            for n in range(1, 10))
                  + "]>")
