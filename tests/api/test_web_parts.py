"""The web app's pure parts: where the words of a fact sit in its evidence, the article text with its
evidence marked, the explorer's URL state, the timeline's layout (no server, no browser)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from api.web.data import Filters
from api.web.highlight import evidence_spans, find_words, highlight_text, mark_words
from api.web.labels import Label, LabelIndex
from api.web.timeline import date_span, layout

# sentences of our own, the words that should be marked, and the role they should be marked with
MARKS = [
    (
        "Berlin sagt zwei weitere IRIS-T-Systeme zu.",
        {"donor": ["Berlin"], "item": ["IRIS-T"]},
        [("Berlin", "donor"), ("IRIS-T", "item")],
    ),
    (
        "Norge sender fire NASAMS-systemer og 4 radarer.",
        {"donor": ["Norge"], "item": ["NASAMS"], "quantity": ["4"]},
        [("Norge", "donor"), ("NASAMS", "item"), ("4", "quantity")],
    ),
    ("The Patriots arrived; Patriotism followed.", {"item": ["Patriot"]}, [("Patriots", "item")]),
    (
        "Sverige skickar Archer, svenska pjäser.",
        {"donor": ["Sverige", "svensk"]},
        [("Sverige", "donor"), ("svenska", "donor")],
    ),
    (
        "IRIS-T SLM and IRIS-T",
        {"item": ["IRIS-T", "IRIS-T SLM"]},
        [("IRIS-T SLM", "item"), ("IRIS-T", "item")],
    ),
    ("Die Ukraine bekommt 14 Leopard.", {"quantity": ["4"]}, []),
]


@pytest.mark.parametrize(("sentence", "words", "expected"), MARKS)
def test_marked_words_and_their_offsets(sentence, words, expected):
    begin = 1000
    pieces = mark_words(sentence, begin, words)
    assert "".join(piece.text for piece in pieces) == sentence
    marked = [(piece.text, piece.role) for piece in pieces if piece.role]
    assert marked == expected
    for piece in pieces:
        assert sentence[piece.begin - begin : piece.end - begin] == piece.text


def test_find_words_is_case_insensitive_and_needs_a_word_start():
    assert find_words("the iris-t and bIRIS-T", ["IRIS-T"]) == [(4, 10)]
    assert find_words("Großbritannien", ["großbritannien"]) == [(0, 14)]


class _Marks(HTMLParser):
    """The <mark> elements of highlighted HTML: attributes and text, and the text outside any tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[dict] = []
        self.marks: list[dict] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        assert tag == "mark"
        mark = dict(attrs) | {"inner": ""}
        self.open.append(mark)
        self.marks.append(mark)

    def handle_endtag(self, tag):
        self.open.pop()

    def handle_data(self, data):
        self.text += data
        for mark in self.open:
            mark["inner"] += data


# our own text: spans nested (16-35 inside 0-44), crossing (37-59 starts inside 0-44, ends after it), shared
# by two claims (one accepted, one quarantined), and one whose evidence is not the text at its offsets
TEXT = "Norway <b>&</b> Finland send radars, and Denmark two ships."
CLAIMS = [
    {"begin": 0, "end": 44, "accepted": True},
    {"begin": 16, "end": 35, "accepted": False},
    {"begin": 37, "end": 59, "accepted": True},
    {"begin": 37, "end": 59, "accepted": False},
    {"begin": 41, "end": 48, "accepted": True, "anchor": "not this"},
]


def test_evidence_spans_group_claims_by_offsets_and_know_their_status():
    claims = [claim | {"anchor": claim.get("anchor", TEXT[claim["begin"]:claim["end"]])} for claim in CLAIMS]
    spans = evidence_spans(TEXT, claims)
    assert [(s.begin, s.end, s.status, s.found, len(s.claims)) for s in spans] == [
        (0, 44, "accepted", True, 1), (16, 35, "quarantined", True, 1), (37, 59, "mixed", True, 2),
        (41, 48, "accepted", False, 1)]


def test_highlighted_text_is_the_text_with_each_evidence_marked_at_its_offsets():
    claims = [claim | {"anchor": claim.get("anchor", TEXT[claim["begin"]:claim["end"]])} for claim in CLAIMS]
    spans = evidence_spans(TEXT, claims)
    words = {"ev-0-44": {"donor": ["Norway"]}, "ev-37-59": {"donor": ["Denmark"], "quantity": ["two"]}}
    parser = _Marks()
    parser.feed(str(highlight_text(TEXT, spans, words)))
    assert parser.text == TEXT  # everything else is the text, escaped (the "<b>" is text, not a tag)
    for mark in parser.marks:  # every element, pieces too, sits at its own offsets
        assert TEXT[int(mark["data-begin"]):int(mark["data-end"])] == mark["inner"]
    pieces: dict[str, list[dict]] = {}
    for mark in parser.marks:
        if "data-evidence" in mark:
            pieces.setdefault(mark["data-evidence"], []).append(mark)
    assert sorted(pieces) == ["ev-0-44", "ev-16-35", "ev-37-59"]  # not the one not found at its offsets
    for span in spans[:3]:
        joined = "".join(piece["inner"] for piece in pieces[span.key])
        assert joined == TEXT[span.begin:span.end]
        assert pieces[span.key][0].get("id") == span.key
        assert sum(1 for piece in pieces[span.key] if piece.get("tabindex") == "0") == 1  # one tab stop
        assert {piece["data-status"] for piece in pieces[span.key]} == {span.status}
    assert len(pieces["ev-37-59"]) == 2  # it crosses the end of 0-44: cut in two pieces
    words_marked: list[list] = []  # a word cut by an evidence edge is two pieces: join touching ones
    for mark in sorted((m for m in parser.marks if "data-role" in m), key=lambda m: int(m["data-begin"])):
        begin, end = int(mark["data-begin"]), int(mark["data-end"])
        if words_marked and words_marked[-1][0] == mark["data-role"] and words_marked[-1][2] == begin:
            words_marked[-1][2] = end
        else:
            words_marked.append([mark["data-role"], begin, end])
    assert [(role, TEXT[b:e]) for role, b, e in words_marked] == [
        ("donor", "Norway"), ("donor", "Denmark"), ("quantity", "two")]


@pytest.mark.parametrize(
    ("query", "active", "again"),
    [
        ("", {}, ""),
        (
            "category=air_defence&donor=DE",
            {"donor": "DE", "category": "air_defence"},
            "donor=DE&category=air_defence",
        ),
        ("donor=no%20such&date_from=2025-13", {}, ""),
        (
            "status=delivered&sort=quantity&order=asc&limit=50&offset=50",
            {"status": "delivered"},
            "status=delivered&sort=quantity&order=asc&limit=50",
        ),
    ],
)
def test_filters_round_trip_through_the_url(query, active, again):
    from urllib.parse import parse_qsl

    filters = Filters.from_query(dict(parse_qsl(query)))
    assert filters.active() == active
    assert filters.query() == again  # paging restarts when the URL is rebuilt
    assert Filters.from_query(dict(parse_qsl(filters.query()))).active() == active
    if "no%20such" in query:
        assert len(filters.errors) == 2


def test_label_index_prefers_english_and_searches_every_language():
    de = "https://w3id.org/aidgraph/id/country/DE"
    udcg = "https://w3id.org/aidgraph/id/org/UDCG"
    index = LabelIndex(
        {
            de: [
                Label("Deutschland", "de", "prefLabel"),
                Label("Germany", "en", "prefLabel"),
                Label("DE", None, "notation"),
                Label("deutsch", "de", "adjective"),
            ],
            udcg: [
                Label("Ukraine Defense Contact Group", "en", "prefLabel"),
                Label("Ramsteingruppen", "sv", "altLabel"),
            ],
        }
    )
    assert index.display(de) == "Germany" and index.display("https://w3id.org/aidgraph/id/country/XX") == "XX"
    assert "DE" not in index.words(de) and "deutsch" in index.words(de)
    hits = index.search("ramstein")
    assert [(h["key"], h["label"], h["matched"], h["lang"]) for h in hits] == [
        ("UDCG", "Ukraine Defense Contact Group", "Ramsteingruppen", "sv")
    ]
    assert [h["key"] for h in index.search("DE")] == ["DE", "UDCG"]  # the exact match first


def test_timeline_layout_places_dated_pledges_and_meetings():
    points = [
        {
            "pledge": f"p{i}",
            "date": d,
            "donor": donor,
            "donor_label": donor,
            "category": "c",
            "category_label": "c",
            "title": f"{donor} {d}",
        }
        for i, (donor, d) in enumerate(
            [("DE", "2025-01-10"), ("DE", "2025-03"), ("SE", "2025-06-01"), ("SE", None)]
        )
    ]
    timeline = layout(
        points,
        [("UDCG-2025-02-01", "2025-02-01"), ("X-2030-01-01", "2030-01-01")],
        lambda **f: "/?" + "&".join(f"{k}={v}" for k, v in sorted(f.items())),
    )
    assert len(timeline.dots) == 3 and timeline.undated == 1
    assert [row for row, _ in timeline.rows] == ["DE", "SE"]
    xs = [dot.cx for dot in timeline.dots]
    assert xs == sorted(xs)
    assert [dot.precise for dot in timeline.dots] == [True, False, True]
    assert timeline.dots[0].href == "/?date_from=2025-01-10&date_to=2025-01-10&donor=DE"
    assert [m[2] for m in timeline.meetings] == [
        "UDCG-2025-02-01"
    ]  # the meeting outside the range is left out
    assert xs[0] < timeline.meetings[0][0] < xs[1]
    assert date_span("2024") == (date_span("2024-01-01")[0], date_span("2024-12-31")[1])
