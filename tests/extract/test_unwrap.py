"""Hard-wrapped copy (graph.extract.text.unwrap_lines): line breaks inside a paragraph become spaces,
the text keeps its length, and text that is not hard-wrapped is left alone."""

from __future__ import annotations

import textwrap

from graph.extract.text import unwrap_lines

PARAGRAPHS = [
    "Danmark sender yderligere 12 Caesar-haubitser og 5.000 granater til Ukraine, oplyste "
    "forsvarsministeren torsdag efter et møde med sine nordiske kolleger i København.",
    "Pakken har en samlet værdi af omkring 1,3 milliarder kroner og skal ifølge ministeriet "
    "leveres i løbet af foråret, hvis produktionen holder tidsplanen.",
]


def test_hard_wrapped_paragraphs_are_joined_and_offsets_kept():
    text = "\n\n".join(textwrap.fill(p, 62) for p in PARAGRAPHS)
    joined = unwrap_lines(text)
    assert len(joined) == len(text)
    assert joined.split("\n\n") == PARAGRAPHS


def test_headings_bullets_and_unwrapped_text_stay():
    live = "18.40 uur\nHet diner is begonnen.\n\n16.05 uur\nStarmer kondigt nieuwe steun aan."
    assert unwrap_lines(live) == live
    bullets = ("Pakken indeholder blandt andet de følgende dele, som skal leveres i år:\n"
               "- 12 Caesar-haubitser og reservedele til de haubitser, Danmark allerede har givet\n"
               "- 5.000 granater af kaliber 155 millimeter fra danske og europæiske lagre\n"
               "- luftværnsammunition til de systemer, som Ukraine har fået fra Norden\n"
               "- midler til reparationer af kampvogne og pansrede mandskabsvogne i Polen")
    assert unwrap_lines(bullets) == bullets
    one_per_line = "En kort linje.\nEn anden linje, der er lidt længere end den første.\nSlut."
    assert unwrap_lines(one_per_line) == one_per_line


def test_teaser_lines_are_blanked_keeping_length():
    from graph.extract.text import blank_teasers

    text = "Norge gir mer.\n\nLES OGSÅ: Danmark sender F-16\n\nLes også dette, sa Støre, er viktig."
    blanked = blank_teasers(text, ["Les også"])
    assert len(blanked) == len(text)
    assert "Danmark" not in blanked and "Norge gir mer." in blanked
    assert "Les også dette, sa Støre" in blanked  # an opener inside a sentence is prose, not a teaser
    assert blank_teasers(text, []) == text
