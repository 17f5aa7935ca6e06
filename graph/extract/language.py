"""Language of an article: the given code (normalised), else py3langid restricted to the
languages aidgraph has lexicons for."""

from __future__ import annotations

import functools

from graph.extract.lexicon import canonical_language, supported_languages

DETECTABLE = ("en", "de", "sv", "fr", "nb", "da", "nl", "pl")


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages([("no" if code == "nb" else code) for code in DETECTABLE])
    return identifier


def detect_language(text: str) -> str:
    """The most likely of en, de, sv, fr, nb, da, nl, pl for ``text`` ("no" is reported as "nb")."""
    code, _ = _identifier().classify(text[:5000])
    return canonical_language(code) or "en"


def resolve_language(text: str, given: str | None) -> str:
    """``given`` when it names a language with a lexicon, else the detected language."""
    code = canonical_language(given)
    if code and code in supported_languages():
        return code
    if code and code not in supported_languages() and given:
        return code if code == "xx" else detect_language(text)
    return detect_language(text)
