"""The web app in a real headless browser (Debian chromium driven by Playwright) against a real server over a
store with known content: the demo corpus, plus one article of ours whose pledge the SHACL gate rejects.

Every page is loaded with every request to a host other than the test server aborted and recorded, and with
the browser console watched: a test fails on any outside request and on any console error. The table, the
CSV and the shown query are checked against the REST lookups (differential), the highlights against the
articles' own text at the stored offsets.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from api.settings import ApiSettings

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (dev extra)")

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO = Path(__file__).resolve().parents[2] / "corpus" / "demo"
GATE_ARTICLE = "web-gate-article"
GATE_TEXT = "Germany pledged IRIS-T systems to Ukraine on Friday, and Sweden two Archer guns."

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt install chromium)"),
]


# ------------------------------------------------------------------------------------------- fixtures


def _rejected_article():
    """An article of ours with one pledge the shapes reject (a negative quantity), read from the sentence's
    first clause, and one they accept, read from the whole sentence (so the spans nest)."""
    from graph.model import Article, Evidence, Extraction, PledgeFact
    from graph.pipeline import ArticleDoc, gate_stage, rdf_stage

    clause = GATE_TEXT.index(",")
    rejected = Evidence(GATE_TEXT[:clause], 0, clause, "test.pledge")
    accepted = Evidence(GATE_TEXT, 0, len(GATE_TEXT), "test.pledge")
    article = Article(
        id=GATE_ARTICLE,
        text=GATE_TEXT,
        lang="en",
        published=date(2025, 4, 11),
        title="A test article with a rejected pledge",
        url="https://example.org/web-gate",
    )
    pledges = [
        PledgeFact(donor="DE", category="air_defence", quantity=-3, date="2025-04-11", evidence=rejected),
        PledgeFact(donor="SE", category="artillery", quantity=2, date="2025-04-11", evidence=accepted),
    ]
    return gate_stage(rdf_stage(ArticleDoc(article, extraction=Extraction(article=article, pledges=pledges))))


@pytest.fixture(scope="module")
def web_server(tmp_path_factory, live_server_class):
    """``aidgraph serve`` (the app under uvicorn) over the demo corpus and the rejected article."""
    from graph.pipeline import ingest_paths, store_stage
    from graph.store import open_store

    location = tmp_path_factory.mktemp("web-store") / "store"
    with open_store(location) as store:
        summary = ingest_paths([DEMO], store, progress=False, workers=1)
        assert summary.failures == [] or not summary.failures
        store_stage(_rejected_article(), store)
    settings = ApiSettings(store=str(location), query_timeout=30, result_cap=10_000)
    with live_server_class(settings) as live:
        yield live


@pytest.fixture(scope="module")
def rest(web_server):
    with httpx.Client(base_url=web_server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watch:
    """What a page did that it must not: requests to other hosts, console errors, uncaught exceptions."""

    def __init__(self) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def watched(browser, web_server):
    """A fresh browser page on which every non-loopback request is aborted (and fails the test), and every
    console error or page exception fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    watch = Watch()

    def route(route_request):
        host = urlparse(route_request.request.url).hostname or ""
        if route_request.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route_request.continue_()
        else:
            watch.outside.append(route_request.request.url)
            route_request.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: watch.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.base = web_server.url
    yield page, watch
    context.close()
    assert watch.outside == [], f"requests left the machine: {watch.outside}"
    assert watch.errors == [], f"console errors: {watch.errors}"


def table_ids(page, table: str = "#pledges") -> list[str]:
    return page.eval_on_selector_all(
        f"{table} tbody tr[data-pledge]", "rows => rows.map(r => r.dataset.pledge)"
    )


def total(page) -> int:
    """The number of matching pledges the explorer shows, once its filter counts are in place."""
    page.wait_for_selector("#facet-lists[data-total]")
    return int(page.text_content("[data-role=total]"))


def rest_ids(rest, **filters) -> list[str]:
    body = rest.get("/pledges", params={"limit": 1000, **filters}).json()
    return [item["id"] for item in body["items"]]


def cell_values(page, table: str = "#pledges") -> list[list[str]]:
    """The table's cells as text; a cell with a list holds its items joined as the CSV joins them."""
    return page.eval_on_selector_all(
        f"{table} tbody tr[data-pledge]",
        """rows => rows.map(row =>
        Array.from(row.cells).map(cell => {
          const items = cell.querySelectorAll(':scope > ul > li');
          const text = items.length ? Array.from(items).map(li => li.innerText.trim()).join(' | ')
                                    : cell.innerText.trim();
          return text.replace(/\\s+/g, ' ');
        }))""",
    )


def article_text(article_id: str) -> str:
    """The text of a demo article as ingested (the offsets count in it)."""
    from graph.ingest import read_articles

    for article in read_articles([DEMO]):
        if article.id == article_id:
            return article.text
    raise KeyError(article_id)


# ------------------------------------------------------------------------------------------- explorer


def test_filters_change_the_table_and_the_url_and_back_works(watched, rest):
    page, _ = watched
    page.goto(page.base + "/")
    assert sorted(table_ids(page)) == sorted(rest_ids(rest, limit=100))
    assert total(page) == len(rest_ids(rest))

    page.click("[data-facet=category] a[data-key=air_defence]")
    page.wait_for_url(re.compile(r"category=air_defence"))
    air = table_ids(page)
    assert air and sorted(air) == sorted(rest_ids(rest, category="air_defence"))
    assert total(page) == len(air)

    page.click("[data-facet=donor] a[data-key=DE]")
    page.wait_for_url(re.compile(r"donor=DE"))
    assert parse_qs(urlparse(page.url).query) == {"category": ["air_defence"], "donor": ["DE"]}
    german = table_ids(page)
    assert german and sorted(german) == sorted(rest_ids(rest, category="air_defence", donor="DE"))
    assert set(german) < set(air)

    page.go_back()
    page.wait_for_url(re.compile(r"^[^?]*\?category=air_defence$"))
    assert sorted(table_ids(page)) == sorted(air)

    page.goto(page.base + "/?" + urlparse(page.url).query + "&date_from=2025-06&date_to=2025-06")
    assert sorted(table_ids(page)) == sorted(
        rest_ids(rest, category="air_defence", date_from="2025-06", date_to="2025-06")
    )


def test_facet_counts_are_the_pledges_each_value_would_show(watched, rest):
    page, _ = watched
    page.goto(page.base + "/")
    categories = page.eval_on_selector_all(
        "[data-facet=category] a[data-key]",
        "links => links.map(a => [a.dataset.key, a.querySelector('.count').textContent.trim()])",
    )
    for key, count in categories[:5]:  # broader categories count their narrower ones, as the filter does
        assert int(count) == len(rest_ids(rest, category=key)), key
    page.goto(page.base + "/?category=air_defence")
    for facet in ("donor", "status", "item"):
        links = page.eval_on_selector_all(
            f"[data-facet={facet}] a[data-key]",
            "links => links.map(a => [a.dataset.key, a.querySelector('.count').textContent.trim()])",
        )
        assert links, facet
        for key, count in links[:4]:
            assert int(count) == len(rest_ids(rest, category="air_defence", **{facet: key})), (facet, key)


def test_language_filter_keeps_pledges_with_a_source_in_that_language(watched, rest):
    page, _ = watched
    page.goto(page.base + "/")
    page.click("[data-facet=lang] a[data-key=sv]")
    page.wait_for_url(re.compile(r"lang=sv"))
    articles = {a for row in cell_values(page) for a in row[-1].split(" | ")}
    langs = {rest.get(f"/articles/{a}").json()["metadata"]["inLanguage"] for a in articles}
    assert articles and "sv" in langs
    shown = table_ids(page)
    assert len(shown) == total(page)
    for pledge in shown:  # each pledge has at least one Swedish source
        row = page.locator(f"#pledges tr[data-pledge='{pledge}'] td[data-col=evidence] q[lang=sv]")
        assert row.count() >= 1


def test_column_headings_sort_the_rows(watched):
    page, _ = watched
    page.goto(page.base + "/")
    page.click("#pledges th[data-col=quantity] a")
    page.wait_for_url(re.compile(r"sort=quantity"))
    assert page.get_attribute("#pledges th[data-col=quantity]", "aria-sort") == "descending"
    quantities = [row[4] for row in cell_values(page)]
    numbers = [int(q) for q in quantities if q]
    assert numbers == sorted(numbers, reverse=True) and quantities[: len(numbers)] == [
        str(n) for n in numbers
    ]
    page.click("#pledges th[data-col=quantity] a")
    page.wait_for_url(re.compile(r"order=asc"))
    numbers = [int(row[4]) for row in cell_values(page) if row[4]]
    assert numbers == sorted(numbers)
    page.click("#pledges th[data-col=donor] a")
    donors = [row[0] for row in cell_values(page)]
    assert donors == sorted(donors, key=str.casefold)


def test_csv_download_equals_the_table(watched):
    page, _ = watched
    page.goto(page.base + "/?category=air_defence&sort=donor&order=asc")
    with page.expect_download() as download:
        page.click("[data-role=csv]")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    headings = page.eval_on_selector_all("#pledges thead th", "ths => ths.map(th => th.innerText.trim())")
    assert rows[0] == [re.sub(r"[▲▼]", "", h).strip() for h in headings]
    assert [[re.sub(r"\s+", " ", c) for c in row] for row in rows[1:]] == cell_values(page)
    assert len(rows) - 1 == total(page)


def test_evidence_marks_sit_on_the_right_words(watched, rest):
    page, _ = watched
    page.goto(page.base + "/?item=iris-t-slm")
    labels = {
        text.rsplit("@", 1)[0].casefold() for text in rest.get("/equipment/iris-t-slm").json()["labels"]
    }
    germany = {label["label"].casefold() for label in rest.get("/actors/DE").json()["labels"]}
    quotes = page.locator("#pledges td[data-col=evidence] q.evidence")
    assert quotes.count() >= 1
    with_donor = 0
    for i in range(quotes.count()):
        quote = quotes.nth(i)
        claim = quote.get_attribute("data-claim")
        article = claim.split("/claim/")[1].rsplit("/", 1)[0]
        text = article_text(article)
        marks = quote.locator("mark")
        roles = {}
        for j in range(marks.count()):
            mark = marks.nth(j)
            begin, end = int(mark.get_attribute("data-begin")), int(mark.get_attribute("data-end"))
            assert text[begin:end] == mark.inner_text(), (article, begin, end)
            roles.setdefault(mark.get_attribute("data-role"), []).append(mark.inner_text().casefold())
        assert roles.get("item") and all(any(w.startswith(label) for label in labels) for w in roles["item"])
        sentence = quote.inner_text()
        donors = roles.get("donor", [])
        assert all(any(w.startswith(label[:6]) for label in germany) for w in donors)
        if donors:
            with_donor += 1
        else:  # the donor came from an earlier sentence of the package: this one does not name it
            assert not any(label in sentence.casefold() for label in germany if len(label) > 3), sentence
        begin = int(quote.get_attribute("data-begin"))
        assert text[begin : begin + len(sentence)] == sentence
    assert with_donor >= 1


def test_timeline_hover_shows_the_pledge_and_click_filters_the_table(watched):
    page, _ = watched
    page.goto(page.base + "/?category=air_defence")
    dots = page.locator(".timeline-svg a.dot")
    dated = [row for row in cell_values(page) if row[7]]
    assert dots.count() == len(dated)
    assert page.locator(".timeline-svg a.meeting-mark").count() >= 1
    first = dots.first
    first.hover()
    tooltip = page.locator(".timeline .tooltip")
    tooltip.wait_for(state="visible")
    label = first.get_attribute("aria-label")
    assert tooltip.inner_text() == label and page.text_content(".timeline-svg a.dot title") is not None
    donor_label, day = label.split(" · ")[0], label.rsplit(" · ", 1)[1]
    first.click()
    page.wait_for_url(re.compile(r"date_from="))
    rows = cell_values(page)
    assert rows and all(row[0] == donor_label and row[7] == day for row in rows)
    page.go_back()
    page.wait_for_url(re.compile(r"^[^?]*\?category=air_defence$"))
    page.click(".timeline-svg a.meeting-mark text >> nth=0")
    page.wait_for_url(re.compile(r"/web/meetings/"))
    assert page.locator("[data-field=key]").inner_text() in page.url


def test_show_the_query_opens_the_same_question_in_yasgui(watched, rest):
    page, _ = watched
    page.goto(page.base + "/?category=air_defence&donor=DE")
    link = page.get_attribute("[data-role=show-query-table]", "href")
    sparql = parse_qs(urlparse(link).query)["query"][0]
    answer = rest.post(
        "/sparql", data={"query": sparql}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200, answer.text
    pledges = {b["pledge"]["value"] for b in answer.json()["results"]["bindings"]}
    assert pledges == set(table_ids(page))
    page.click("[data-role=show-query-table]")
    page.wait_for_url(re.compile(r"/sparql\?query="))
    page.wait_for_selector(".CodeMirror")
    editor = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert "aid:Pledge" in editor and "country/DE" in editor


def test_gephi_export_holds_the_rows_on_screen(watched, rest):
    from graph.export.gexf import validate_gexf

    page, _ = watched
    page.goto(page.base + "/?category=air_defence")
    body = rest.get(page.get_attribute("[data-role=gexf-table]", "href")).content
    assert validate_gexf(body) == []
    assert body.count(b"<edge ") == len(table_ids(page))


# ------------------------------------------------------------------------------------------- pages


def test_meeting_page(watched, rest):
    page, _ = watched
    page.goto(page.base + "/web/meetings/UDCG-2025-06-04")
    meeting = rest.get("/meetings/UDCG-2025-06-04").json()
    assert page.inner_text("[data-field=date]") == meeting["date"]
    assert page.inner_text("[data-field=place]") == meeting["place"]
    assert "Germany" in page.inner_text("[data-field=chairs]")
    for key, field in (("in-person", "attendees_in_person"), ("remote", "attendees_remote")):
        names = page.eval_on_selector_all(f"[data-list={key}] a", "as => as.map(a => a.innerText)")
        assert names == [p["name"] for p in meeting[field]]
    assert sorted(table_ids(page)) == sorted(p["id"] for p in meeting["pledges"])
    articles = page.eval_on_selector_all(
        "[data-list=articles] a", "as => as.map(a => a.getAttribute('href'))"
    )
    assert sorted(a.rsplit("/", 1)[1] for a in articles) == meeting["articles"]


def test_actor_pages(watched, rest):
    page, _ = watched
    page.goto(page.base + "/web/actors/boris-pistorius")
    assert page.inner_text("h1") == "Boris Pistorius"
    assert "defence minister" in page.inner_text("#posts-table") and "2023-01-19" in page.inner_text(
        "#posts-table"
    )
    meetings = page.eval_on_selector_all("[data-list=meetings] a", "as => as.map(a => a.innerText)")
    assert meetings == [m["id"] for m in rest.get("/actors/boris-pistorius").json()["meetings"]]
    page.goto(page.base + "/web/actors/DE")
    assert page.inner_text("h1") == "Germany"
    assert sorted(table_ids(page)) == sorted(rest_ids(rest, donor="DE"))
    assert page.locator("dl.labels dd[lang=de]").inner_text().startswith("Deutschland")


def test_equipment_page(watched, rest):
    page, _ = watched
    page.goto(page.base + "/web/equipment/iris-t-slm")
    equipment = rest.get("/equipment/iris-t-slm").json()
    assert page.inner_text("h1") == equipment["name"]
    assert "air defence" in page.inner_text("[data-field=category]")
    assert "IRIS-T SLS" in page.inner_text("[data-field=variants]")
    assert page.inner_text("[data-field=donors]") == "Germany"
    assert sorted(table_ids(page)) == sorted(p["id"] for p in equipment["pledges"])
    assert page.locator("#quantities-table tbody tr").count() == len(equipment["quantities_over_time"])


def stored_claims(rest, graph: str) -> set[tuple[int, int, str]]:
    """(begin, end, evidence) of every claim in one named graph, asked of the store over SPARQL."""
    sparql = f"""PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?begin ?end ?anchor WHERE {{ GRAPH <{graph}> {{
      ?fact prov:qualifiedDerivation ?claim .
      ?claim nif:beginIndex ?begin ; nif:endIndex ?end ; nif:anchorOf ?anchor }} }}"""
    answer = rest.post("/sparql", data={"query": sparql},
                       headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    return {(int(b["begin"]["value"]), int(b["end"]["value"]), b["anchor"]["value"])
            for b in answer.json()["results"]["bindings"]}


def evidence_on_page(page) -> dict[str, dict]:
    """The marked evidence spans of the article text: offsets, status and text (pieces joined)."""
    pieces = page.eval_on_selector_all(
        "#article-text mark.evidence",
        "ms => ms.map(m => [m.dataset.evidence, m.dataset.status, +m.dataset.begin, +m.dataset.end,"
        " m.textContent])",
    )
    spans: dict[str, dict] = {}
    for key, status, begin, end, text in pieces:
        span = spans.setdefault(key, {"status": status, "begin": begin, "end": end, "text": ""})
        span["begin"], span["end"] = min(span["begin"], begin), max(span["end"], end)
        span["text"] += text
        assert span["status"] == status
    return spans


@pytest.mark.parametrize(
    "article", ["de_kontaktgruppe_bruessel", "en_udcg_brussels_june", "sv_norge_i_fredags"]
)
def test_article_page_shows_the_text_with_every_fact_marked_at_its_offsets(watched, rest, article):
    page, _ = watched
    page.goto(page.base + f"/web/articles/{article}")
    text = article_text(article)
    assert page.text_content("#article-text") == text  # the whole text, as ingested
    for mark in page.eval_on_selector_all(  # every element (spans, their pieces, words) sits at its offsets
        "#article-text mark", "ms => ms.map(m => [+m.dataset.begin, +m.dataset.end, m.textContent])"
    ):
        assert text[mark[0] : mark[1]] == mark[2]
    spans = evidence_on_page(page)
    view = rest.get(f"/articles/{article}").json()
    claims = stored_claims(rest, view["iri"])
    assert claims and {(s["begin"], s["end"], s["text"]) for s in spans.values()} == claims
    assert {s["status"] for s in spans.values()} == {"accepted"}
    listed = page.eval_on_selector_all(".evidence-list li[data-fact]", "ls => ls.map(l => l.dataset.fact)")
    facts = set(listed)
    pledges = {f["iri"] for f in view["facts"] if f["type"] == "Pledge"}
    assert pledges and pledges <= facts
    assert page.locator("#article-text mark[data-role]").count() >= 3  # the words of the facts
    assert page.get_attribute("[data-role=source]", "href") == view["metadata"]["url"]


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_article_page_shows_the_quarantined_facts_and_why(watched, rest):
    page, _ = watched
    page.goto(page.base + f"/web/articles/{GATE_ARTICLE}")
    quarantined = page.inner_text("#quarantined")
    assert "Germany → air defence ×-3" in quarantined
    report = rest.get(f"/articles/{GATE_ARTICLE}").json()["validation"]["results"]
    assert report and all(result["constraint"] in quarantined for result in report)
    assert any(result["message"] in quarantined for result in report)  # the reason, in words
    assert page.text_content("#article-text") == GATE_TEXT
    spans = evidence_on_page(page)
    clause = GATE_TEXT.index(",")
    assert {(s["begin"], s["end"], s["status"]) for s in spans.values()} == {
        (0, clause, "quarantined"), (0, len(GATE_TEXT), "accepted")}
    claims = stored_claims(rest, view_iri := rest.get(f"/articles/{GATE_ARTICLE}").json()["iri"])
    claims |= stored_claims(rest, view_iri.replace("/id/article/", "/graph/quarantine/"))
    assert {(s["begin"], s["end"], s["text"]) for s in spans.values()} == claims
    # the quarantined fact links to its evidence in the text, which is told apart from accepted evidence
    target = page.get_attribute("#quarantined a[href^='#ev-']", "href")
    assert page.get_attribute(target, "data-status") == "quarantined"
    style = "m => { const s = getComputedStyle(m); return [s.borderBottomStyle, s.backgroundColor, s.color] }"
    rejected_style = page.eval_on_selector(target, style)
    accepted_style = page.eval_on_selector(f"#ev-0-{len(GATE_TEXT)}", style)
    assert rejected_style[0] != accepted_style[0]  # not by colour alone
    for _border, background, color in (rejected_style, accepted_style):
        light, dark = sorted((_luminance(background), _luminance(color)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 7  # WCAG AAA for the marked text
    rejected = page.locator(".evidence-list li[data-fact].rejected")
    accepted = page.locator(".evidence-list li[data-fact].accepted")
    assert rejected.count() == 1 and accepted.count() == 1
    assert "Sweden" in accepted.inner_text()


def test_article_text_marks_are_reached_by_keyboard_and_lead_to_their_facts(watched):
    page, _ = watched
    page.goto(page.base + f"/web/articles/{GATE_ARTICLE}")
    reached = []
    for _ in range(60):  # Tab through the page until both marked spans were focused
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.dataset.evidence || null")
        if focused and focused not in reached:
            reached.append(focused)
        if len(reached) == 2:
            break
    clause = GATE_TEXT.index(",")
    assert reached == [f"ev-0-{len(GATE_TEXT)}", f"ev-0-{clause}"]  # in document order, outer one first
    described = page.evaluate("document.activeElement.getAttribute('aria-describedby')")
    assert "Germany" in page.inner_text(f"#{described}")
    page.keyboard.press("Enter")
    page.wait_for_function(f"location.hash === '#facts-ev-0-{clause}'")


@pytest.mark.parametrize(
    ("typed", "label", "path"),
    [
        ("IRIS-T", "IRIS-T", "/web/equipment/"),
        ("Ramsteingruppen", "Ukraine Defense Contact Group", "/web/actors/UDCG"),
        ("Kontaktgruppe", "Ukraine Defense Contact Group", "/web/actors/UDCG"),
        ("Pistorius", "Boris Pistorius", "/web/actors/boris-pistorius"),
    ],
)
def test_search_box_suggests_labels_in_every_language(watched, typed, label, path):
    page, _ = watched
    page.goto(page.base + "/web/meetings")
    page.fill("#search-box", typed)
    option = page.locator("#search-suggestions li").first
    option.wait_for(state="visible")
    assert label in option.inner_text()
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#search-box", "aria-activedescendant") == option.get_attribute("id")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(path)))
    page.goto(page.base + "/web/search?q=" + typed)
    assert label in page.inner_text("#hits")


def test_keyboard_alone_reaches_and_applies_a_filter(watched):
    page, _ = watched
    page.goto(page.base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.key") == "air_defence":
            break
    else:
        pytest.fail("the air defence filter cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"category=air_defence"))
    page.focus("#date_from")
    page.keyboard.type("2025-06")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"date_from=2025-06"))


def test_newcomer_finds_who_pledged_air_defence_when_then_evidence_meeting_article(watched, rest):
    page, _ = watched
    page.goto(page.base + "/")
    page.click("text=Who pledged air defence, and when?")  # click 1: the question
    page.wait_for_url(re.compile(r"category=air_defence"))
    rows = cell_values(page)
    dates = [row[7] for row in rows if row[7]]
    assert dates == sorted(dates) and all(row[0] for row in rows)  # who, and when, oldest first
    assert sorted(table_ids(page)) == sorted(rest_ids(rest, category="air_defence"))
    row = (
        page.locator("#pledges tbody tr", has=page.locator("td[data-col=meeting] a"))
        .filter(has=page.locator("td[data-col=item] a", has_text="IRIS-T"))
        .first
    )
    evidence = row.locator("td[data-col=evidence] q").first
    assert evidence.locator("mark[data-role=item]").count() >= 1  # the evidence, marked
    row.locator("td[data-col=meeting] a").click()  # click 2: the meeting
    page.wait_for_url(re.compile(r"/web/meetings/UDCG-2025-06-04"))
    assert page.inner_text("[data-field=place]") == "Brussels"
    page.click("[data-list=articles] a >> nth=0")  # click 3: an article that reports it
    page.wait_for_url(re.compile(r"/web/articles/"))
    assert page.locator(".article-text mark").count() >= 1
    assert page.get_attribute("[data-role=source]", "href").startswith("https://example.org/demo/")


PAGES = [
    "/",
    "/?category=air_defence&donor=DE",
    "/?status=delivered&sort=amount",
    "/web/meetings",
    "/web/meetings/COTW-2025-09-04",
    "/web/actors/UDCG",
    "/web/actors/pete-hegseth",
    "/web/equipment/nasams",
    "/web/articles",
    "/web/articles?lang=de",
    "/web/articles/pl_pakiet_w_piatek",
    "/web/search?q=Patriot",
    "/web/meetings/NO-SUCH-MEETING",
    "/?donor=no%20such",
    "/sparql?query=SELECT%20*%20WHERE%20%7B%7D",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_offline_without_console_errors_and_is_labelled(watched, path):
    page, watch = watched
    response = page.goto(page.base + path)
    assert response.status in (200, 404)
    if response.status == 404:  # the browser reports the page's own status in the console: that is expected
        watch.errors = [e for e in watch.errors if "status of 404" not in e]
        assert "not found" in page.inner_text("main h1")
    page.wait_for_load_state("networkidle")
    if path.startswith("/sparql"):
        return
    assert page.get_attribute("html", "lang") == "en" and page.title()
    unlabelled = page.evaluate("""() => Array.from(
        document.querySelectorAll('input:not([type=hidden]), select'))
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
        .map(el => el.outerHTML)""")
    assert unlabelled == []
    assert page.locator("main h1").count() == 1


@pytest.mark.parametrize("width", [390, 1280])
def test_layout_holds_on_a_phone_and_a_laptop(browser, web_server, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    for path in (
        "/?category=air_defence",
        "/web/articles/en_udcg_brussels_june",
        "/web/meetings/UDCG-2025-06-04",
    ):
        page.goto(web_server.url + path)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width + 1, f"{path} is {scroll} px wide on a {width} px screen"
    context.close()
