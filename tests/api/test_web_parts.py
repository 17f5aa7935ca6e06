"""The web app's pure parts: where the words of a fact sit in its evidence, the article laid out from its
claims, the explorer's URL state, the timeline's layout (no server, no browser)."""

from __future__ import annotations

import pytest

from api.web.data import Filters
from api.web.highlight import article_passages, find_words, mark_words
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


def test_article_passages_merge_overlaps_and_count_gaps():
    text = "One sentence here. Another one there. And a third one."
    claims = [
        {"begin": 0, "end": 18, "anchor": text[0:18]},
        {"begin": 19, "end": 37, "anchor": text[19:37]},
        {"begin": 19, "end": 37, "anchor": text[19:37]},
        {"begin": 30, "end": 54, "anchor": text[30:54]},
    ]
    passages = article_passages(claims)
    assert [(p.begin, p.end, p.gap_before, len(p.claims)) for p in passages] == [
        (0, 18, 0, 1),
        (19, 54, 1, 3),
    ]
    for passage in passages:
        assert text[passage.begin : passage.end] == passage.text


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
