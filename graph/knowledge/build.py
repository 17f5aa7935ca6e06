"""Regenerate the generated reference data.

    python -m graph.knowledge.build            # countries.json, language_codes.json, ontology/reference/*.ttl
    python -m graph.knowledge.build --check    # exit 1 if the committed files are out of date

``countries.json`` comes from Babel's CLDR territory names and pycountry's ISO 3166-1 gettext
catalogues, ``language_codes.json`` from pycountry's ISO 639 table (nothing typed by hand); the
Turtle files come from all data files via
:func:`graph.knowledge.rdf.reference_graphs`. Babel and pycountry are only needed here (extra ``build``).
"""

from __future__ import annotations

import argparse
import gettext
import json
import sys
from pathlib import Path

from graph.errors import InputError
from graph.knowledge import DATA_DIR

# Languages whose country names are generated (CLDR locale ids; "nb" also serves "no").
LANGUAGES = ("en", "de", "sv", "fr", "nb", "nn", "da", "nl", "pl", "it", "es", "fi", "uk", "ru", "cs",
             "et", "lv", "lt", "pt", "ro")
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "ontology" / "reference"


def _require(module: str):
    try:
        return __import__(module)
    except ImportError as exc:
        raise InputError(f"{module} is needed to regenerate the country data",
                         hint="pip install -e '.[build]'") from exc


def country_records() -> dict[str, dict]:
    """alpha-2 -> {alpha3, numeric, name, names: {lang: [names]}} for every ISO 3166-1 country."""
    babel = _require("babel")
    pycountry = _require("pycountry")
    catalogues = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in LANGUAGES
    }
    records = {}
    for entry in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        english = [getattr(entry, attr, None) for attr in ("common_name", "name", "official_name")]
        names: dict[str, list[str]] = {}
        for lang in LANGUAGES:
            forms = [babel.Locale.parse(lang).territories.get(entry.alpha_2)]
            forms += [catalogues[lang].gettext(value) for value in english if value]
            names[lang] = _unique(forms)
        names["en"] = _unique([*names["en"], *english])
        records[entry.alpha_2] = {
            "alpha3": entry.alpha_3, "numeric": entry.numeric,
            "name": babel.Locale.parse("en").territories.get(entry.alpha_2) or english[1],
            "names": names,
        }
    return records


def _unique(values) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return seen


def _json_text(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


#: the libraries countries.json is generated from, with the versions of the last generation
SOURCES_FILE = DATA_DIR / "countries.sources.json"
SOURCE_LIBRARIES = ("babel", "pycountry")


def installed_source_versions() -> dict[str, str | None]:
    """The installed versions of the libraries countries.json is generated from (None: not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str | None] = {}
    for name in SOURCE_LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


def recorded_source_versions() -> dict[str, str]:
    """The library versions the committed countries.json was generated with."""
    return json.loads(SOURCES_FILE.read_text(encoding="utf-8"))


def language_codes() -> dict[str, list[str]]:
    """{"iso639_1": every two-letter ISO 639-1 code}, from pycountry."""
    pycountry = _require("pycountry")
    return {"iso639_1": sorted(entry.alpha_2 for entry in pycountry.languages if hasattr(entry, "alpha_2"))}


LANGUAGE_CODES_FILE = DATA_DIR / "language_codes.json"


def write_countries(path: Path = DATA_DIR / "countries.json") -> Path:
    """Write the generated country and language-code files and the versions they came from; returns
    the country file's path."""
    path.write_text(_json_text(country_records()), encoding="utf-8")
    LANGUAGE_CODES_FILE.write_text(_json_text(language_codes()), encoding="utf-8")
    SOURCES_FILE.write_text(_json_text(installed_source_versions()), encoding="utf-8")
    return path


def write_reference_ttl(directory: Path = REFERENCE_DIR) -> list[Path]:
    """Write ontology/reference/{countries,organisations,equipment,persons,categories}.ttl."""
    from graph.knowledge import load_knowledge
    from graph.knowledge.rdf import reference_graphs

    load_knowledge.cache_clear()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, graph in reference_graphs(load_knowledge()).items():
        path = directory / f"{name}.ttl"
        path.write_text(graph.serialize(format="turtle"), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Regenerate (or with --check, verify) countries.json and the reference Turtle files."""
    parser = argparse.ArgumentParser(prog="python -m graph.knowledge.build",
                                     description="Regenerate countries.json and ontology/reference/*.ttl.")
    parser.add_argument("--check", action="store_true", help="only verify that countries.json is up to date")
    parser.add_argument("--skip-countries", action="store_true",
                        help="do not regenerate countries.json and language_codes.json "
                             "(no Babel/pycountry needed)")
    args = parser.parse_args(argv)
    if args.check:
        for path, expected in ((DATA_DIR / "countries.json", country_records),
                               (LANGUAGE_CODES_FILE, language_codes)):
            if path.read_text(encoding="utf-8") != _json_text(expected()):
                print(f"{path.name} is out of date: run python -m graph.knowledge.build", file=sys.stderr)
                return 1
        return 0
    if not args.skip_countries:
        print(f"wrote {write_countries()}")
    for path in write_reference_ttl():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
