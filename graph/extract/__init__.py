"""Multilingual extraction of aid facts from one article.

    from graph.extract import extract
    extraction = extract(article)          # graph.model.Article -> graph.model.Extraction
    extraction.to_record()                 # the gold-schema JSON record

Language knowledge is data: ``graph/extract/lang/<code>.json`` over the shared ``xx.json``.
"""

from __future__ import annotations

from graph.model import Article, Extraction


def extract(article: Article) -> Extraction:
    """Extract persons, countries, organisations, meetings, equipment and pledges from ``article``.

    A pure function: the article's ``lang`` is detected when missing; without ``published``
    relative dates stay unresolved. Raises :class:`graph.errors.ExtractionError` on internal bugs.
    """
    from graph.extract.pipeline import extract_article

    return extract_article(article)


__all__ = ["extract"]
