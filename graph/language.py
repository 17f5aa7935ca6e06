"""The language of an article: one detector for ingest and extraction.

    detect_language(text)            -> "de" | "uk" | "zh" | ... | None (too little text, unknown script)
    canonical_language("de-AT")      -> "de"       ("no"/"nn" -> "nb"; other codes lower-cased)
    is_supported(code)               -> True for the languages extraction has data for
    supported_languages()            -> ("cs", "da", "de", "en", "es", "fi", "fr", "it", "nb", ...)
    unsupported_reason(code)         -> a one-line explanation, or None when ``code`` is supported

The languages, their scripts and which of them are supported are data
(``graph/knowledge/data/languages.json``). Detection looks at the script first: only languages written
in a script that makes up a good share of the letters are candidates, so Cyrillic text is never taken
for Polish, nor Chinese for Swedish. Among the candidates py3langid decides. Its model takes ~0.9 s to
load, so it is loaded on first use only, restricted to the candidate languages, and kept in the cache
folder (:mod:`graph.cache`) as plain arrays that load in a few hundredths of a second.
"""

from __future__ import annotations

import array
import functools
import hashlib
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from graph.cache import cache_dir, write_atomically

DATA_FILE = Path(__file__).with_name("knowledge") / "data" / "languages.json"
CODES_FILE = DATA_FILE.with_name("language_codes.json")
_CACHE_FORMAT = 1  # bump when the cached arrays change shape


@dataclass(frozen=True)
class LanguageData:
    """The contents of ``languages.json``, indexed."""

    scripts: dict[str, str]            # Unicode script name (first word of a character name) -> ISO 15924
    script_of: dict[str, str]          # language code -> script
    supported: tuple[str, ...]
    names: dict[str, str]
    detector_codes: dict[str, str]     # py3langid code -> our code
    aliases: dict[str, str]
    iso_codes: frozenset[str]          # every ISO 639-1 code (generated from pycountry)
    min_letters: int
    sample_chars: int
    script_share: float


@functools.cache
def language_data() -> LanguageData:
    """The language table (read once)."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    languages = raw["languages"]
    detector_codes: dict[str, str] = {}
    for code, entry in languages.items():
        for detector_code in entry.get("detector", [code]):
            detector_codes[detector_code] = code
    return LanguageData(
        scripts=dict(raw["scripts"]),
        script_of={code: entry["script"] for code, entry in languages.items()},
        supported=tuple(sorted(code for code, entry in languages.items() if entry.get("supported"))),
        names={code: entry["name"] for code, entry in languages.items()},
        detector_codes=detector_codes,
        aliases=dict(raw["aliases"]),
        iso_codes=frozenset(json.loads(CODES_FILE.read_text(encoding="utf-8"))["iso639_1"]),
        min_letters=int(raw["min_letters"]),
        sample_chars=int(raw["sample_chars"]),
        script_share=float(raw["script_share"]),
    )


def canonical_language(code: str | None) -> str | None:
    """``"no"`` -> ``"nb"``; ``"de-AT"`` / ``"de_AT"`` -> ``"de"``; other codes lower-cased; None for none."""
    if not code or not str(code).strip():
        return None
    short = str(code).strip().lower().replace("_", "-").split("-", 1)[0]
    return language_data().aliases.get(short, short) or None


def supported_languages() -> tuple[str, ...]:
    """The codes of the languages extraction has language data for (sorted)."""
    return language_data().supported


def is_supported(code: str | None) -> bool:
    """True when ``code`` (any spelling :func:`canonical_language` accepts) is a supported language."""
    return canonical_language(code) in language_data().supported


def is_language_code(code: str | None) -> bool:
    """True for an ISO 639-1 code (or an alias of one); ``"zz"`` and ``"xx"`` are not languages."""
    canonical = canonical_language(code)
    data = language_data()
    return canonical is not None and (canonical in data.iso_codes or canonical in data.script_of)


def unsupported_reason(code: str | None) -> str | None:
    """None for a supported language, else why extraction will find little in it (one line)."""
    canonical = canonical_language(code)
    data = language_data()
    if canonical in data.supported:
        return None
    supported = ", ".join(data.supported)
    if canonical is None:
        return f"the language could not be determined; supported languages: {supported}"
    if not is_language_code(canonical):
        return f"{code!r} is not an ISO 639-1 language code; supported languages: {supported}"
    name = data.names.get(canonical, canonical)
    return (f"{name} ({canonical}) is not supported: only language-independent names and numbers are "
            f"extracted; supported languages: {supported}")


# --------------------------------------------------------------------------- detection

def dominant_scripts(text: str) -> list[str]:
    """The ISO 15924 scripts that make up at least ``script_share`` of the letters of ``text``,
    most frequent first (empty when the text has fewer than ``min_letters`` letters)."""
    data = language_data()
    counts: Counter[str] = Counter()
    letters = 0
    for char in text:
        if not char.isalpha():
            continue
        letters += 1
        if char.isascii():
            counts["Latn"] += 1
            continue
        name = unicodedata.name(char, "")
        script = data.scripts.get(name.split(" ", 1)[0])
        if script:
            counts[script] += 1
    if letters < data.min_letters:
        return []
    return [script for script, n in counts.most_common() if n >= data.script_share * letters]


def detect_language(text: str) -> str | None:
    """The language of ``text`` (our code: ``nb`` for Norwegian), or None when it has too few letters
    or is written in a script none of the known languages uses. The answer may be an unsupported
    language (``uk``, ``zh``, ``pt``): check it with :func:`is_supported`."""
    data = language_data()
    sample = text[: data.sample_chars]
    scripts = dominant_scripts(sample)
    candidates = [code for code, script in data.script_of.items() if script in scripts]
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    return _classifier(tuple(sorted(candidates))).classify(sample)


class _Classifier:
    """py3langid restricted to some of our languages."""

    def __init__(self, identifier) -> None:
        self.identifier = identifier

    def classify(self, text: str) -> str | None:
        code, _score = self.identifier.classify(text)
        return language_data().detector_codes.get(code, canonical_language(code))


@functools.cache
def _classifier(candidates: tuple[str, ...]) -> _Classifier:
    from py3langid.langid import LanguageIdentifier

    ptc, pc, classes, nextmove, output, row = _restricted_model()
    identifier = LanguageIdentifier(ptc, pc, classes, nextmove, output, tk_row=row)
    data = language_data()
    identifier.set_languages([c for c, ours in data.detector_codes.items() if ours in candidates])
    return _Classifier(identifier)


_MODEL_KEYS = ("ptc", "pc", "classes", "row", "output")


@functools.cache
def _restricted_model():
    """``(ptc, pc, classes, nextmove, output, row)`` of py3langid's model restricted to the
    detector codes of ``languages.json``: from the cache folder when it holds them, else from
    py3langid's compressed model (then written to the cache)."""
    import numpy as np

    path = _model_cache_path()
    if path is not None:
        try:
            return _read_model(path, np)
        except (OSError, ValueError, KeyError, EOFError):
            pass
    ptc, pc, classes, nextmove, row, output = _full_model()
    wanted = set(language_data().detector_codes)
    indices = [i for i, code in enumerate(classes) if code in wanted]
    model = {
        "ptc": np.ascontiguousarray(ptc[:, indices]), "pc": np.asarray(pc)[indices],
        "classes": np.array([classes[i] for i in indices]), "row": np.frombuffer(row, dtype=np.uint16),
        "output": np.asarray(output, dtype=np.int32),
    }
    if path is not None:
        _write_model(path, model, nextmove, np)
    return model["ptc"], model["pc"], model["classes"].tolist(), nextmove, model["output"].tolist(), row


def _full_model():
    from py3langid.langid import MODEL_DIR, MODEL_FILE, _load_model_file

    return _load_model_file(MODEL_DIR / MODEL_FILE)


def _read_model(path: Path, np):
    nextmove = array.array("I")
    with path.with_suffix(".nextmove").open("rb") as handle:
        nextmove.fromfile(handle, path.with_suffix(".nextmove").stat().st_size // nextmove.itemsize)
    with np.load(path, allow_pickle=False) as data:
        model = {key: data[key] for key in _MODEL_KEYS}
    row = array.array("H")
    row.frombytes(model["row"].astype(np.uint16).tobytes())
    return model["ptc"], model["pc"], model["classes"].tolist(), nextmove, model["output"].tolist(), row


def _write_model(path: Path, model: dict, nextmove: array.array, np) -> None:
    if nextmove.itemsize != array.array("I").itemsize:
        return
    if write_atomically(path.with_suffix(".nextmove"), nextmove.tofile):
        write_atomically(path, lambda handle: np.savez(handle, **model))


def _model_cache_path() -> Path | None:
    root = cache_dir()
    if root is None:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        detector_version = version("py3langid")
    except PackageNotFoundError:
        detector_version = "?"
    codes = ",".join(sorted(language_data().detector_codes))
    key = f"{_CACHE_FORMAT} {detector_version} {codes}".encode()
    return root / f"langid-{hashlib.sha256(key).hexdigest()[:16]}.npz"


def resolve_language(text: str, given: str | None) -> str:
    """The language to extract ``text`` with: ``given`` when it is a language code (supported or not:
    a stated language is never replaced by a guess), else the detected language, else ``"xx"`` (the
    language-independent data). ``"xx"`` given stays ``"xx"``."""
    code = canonical_language(given)
    if code == "xx" or is_language_code(code):
        return code
    return detect_language(text) or "xx"


__all__ = [
    "canonical_language", "detect_language", "dominant_scripts", "is_language_code", "is_supported",
    "language_data", "resolve_language", "supported_languages", "unsupported_reason",
]
