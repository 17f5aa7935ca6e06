"""The words allowed between a post noun and the country after it are data (graph/extract/role_links.json)."""

from __future__ import annotations

import json

from graph.extract.persons import ROLE_LINKS_FILE, after_role_gap


def test_a_preposition_and_an_article_may_link_a_post_to_its_country():
    gap = after_role_gap()
    for text in (" of the ", " des ", " van het ", " av ", "  ", " for "):
        assert gap.match(text), text
    for text in (" and ", " of the new ", " said ", " the of "):
        assert not gap.match(text), text


def test_every_language_entry_has_both_slots():
    data = json.loads(ROLE_LINKS_FILE.read_text(encoding="utf-8"))
    entries = {lang: entry for lang, entry in data.items() if not lang.startswith("_")}
    assert entries and all(set(entry) == {"prepositions", "articles"} for entry in entries.values())
