"""Hard-wrapped copy (graph.extract.text.reshape): line breaks inside a paragraph become spaces,
lists and one-sentence-per-line text are left alone, teaser lines go and prose that starts like one stays."""

from __future__ import annotations

import textwrap

from graph.extract.text import normalise, reshape


def unwrap_lines(text: str) -> str:
    return reshape(normalise(text)).text

PARAGRAPHS = [
    "Danmark sender yderligere 12 Caesar-haubitser og 5.000 granater til Ukraine, oplyste "
    "forsvarsministeren torsdag efter et møde med sine nordiske kolleger i København.",
    "Pakken har en samlet værdi af omkring 1,3 milliarder kroner og skal ifølge ministeriet "
    "leveres i løbet af foråret, hvis produktionen holder tidsplanen.",
]


def test_hard_wrapped_paragraphs_are_joined_and_offsets_kept():
    text = "\n\n".join(textwrap.fill(p, 62) for p in PARAGRAPHS)
    assert unwrap_lines(text).split("\n\n") == PARAGRAPHS


def test_headings_bullets_and_unwrapped_text_stay():
    bullets = ("Pakken indeholder blandt andet de følgende dele, som skal leveres i år:\n"
               "- 12 Caesar-haubitser og reservedele til de haubitser, Danmark allerede har givet\n"
               "- 5.000 granater af kaliber 155 millimeter fra danske og europæiske lagre\n"
               "- luftværnsammunition til de systemer, som Ukraine har fået fra Norden\n"
               "- midler til reparationer af kampvogne og pansrede mandskabsvogne i Polen")
    assert unwrap_lines(bullets) == bullets
    one_per_line = "En kort linje.\nEn anden linje, der er lidt længere end den første.\nSlut."
    assert unwrap_lines(one_per_line) == one_per_line


def test_teaser_lines_go_and_prose_that_starts_like_one_stays():
    text = "Norge gir mer.\n\nLES OGSÅ: Danmark sender F-16\n\nLes også dette, sa Støre, er viktig."
    reshaped = unwrap_lines(text)
    assert "Danmark" not in reshaped and "Norge gir mer." in reshaped
    assert "Les også dette, sa Støre, er viktig." in reshaped  # an opener starting a sentence is prose
