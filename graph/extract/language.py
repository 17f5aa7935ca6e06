"""The language of an article for extraction: :mod:`graph.language` (one detector for the project)."""

from graph.language import canonical_language, detect_language, is_supported, resolve_language

__all__ = ["canonical_language", "detect_language", "is_supported", "resolve_language"]
