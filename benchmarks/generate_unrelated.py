"""Generate news that is not about military aid to Ukraine: the relevance prefilter's negatives.

    articles(n, seed=0) -> list[dict]        n articles: category, lang, title, text (in memory)
    generate(n, out_dir, seed=0) -> Path     the same as .txt files plus manifest.json; returns the manifest

    python benchmarks/generate_unrelated.py N OUT_DIR [--seed S]

Sentences come from benchmarks/unrelated_news.json (written for aidgraph: sports, economy, weather,
other wars, military aid to other countries, Ukraine news that is not about weapons, and, as a
borderline category, war news from Ukraine without aid), in the eight
languages aidgraph reads, filled with random teams, companies, places and figures; an article is 8-24
sentences of one category (1-4 KB, like benchmarks/generate_corpus.py's). Deterministic for (n, seed).
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

TEMPLATES = Path(__file__).resolve().with_name("unrelated_news.json")
FIRST_DAY = date(2022, 2, 1)
LAST_DAY = date(2025, 12, 31)
SLOT = re.compile(r"\{(\w+)\}")


@functools.cache
def templates() -> dict:
    return json.loads(TEMPLATES.read_text(encoding="utf-8"))


def categories() -> list[str]:
    """The categories of every language, in the file's order."""
    first = next(iter(templates()["languages"].values()))
    return [key for key, value in first.items() if isinstance(value, list)]


def borderline() -> list[str]:
    """Categories related to the topic (war news from Ukraine without aid): measured, not required."""
    return list(templates().get("borderline", ()))


def _fill(rng: random.Random, sentence: str, data: dict, shared: dict) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        text = rng.choice(data["slots"].get(name) or shared[name])
        return text.replace(".", data.get("decimal", ".")) if name == "pct" else text
    return SLOT.sub(value, sentence)


def articles(n: int, seed: int = 0) -> list[dict]:
    """``n`` articles, the categories and languages taking turns: category, lang, title, text."""
    rng = random.Random(seed)
    data = templates()
    languages = sorted(data["languages"])
    kinds = categories()
    out = []
    for number in range(n):
        category = kinds[number % len(kinds)]
        lang = languages[(number // len(kinds)) % len(languages)]
        language = data["languages"][lang]
        sentences = [_fill(rng, rng.choice(language[category]), language, data["shared_slots"])
                     for _ in range(rng.randint(8, 24))]
        paragraphs = [" ".join(sentences[i:i + 4]) for i in range(1, len(sentences), 4)]
        out.append({"category": category, "lang": lang, "title": sentences[0],
                    "text": "\n\n".join([sentences[0], *paragraphs])})
    return out


def generate(n: int, out_dir: str | Path, seed: int = 0) -> Path:
    """Write :func:`articles` as ``{category}_{number}_{lang}.txt`` and a manifest.json; return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    manifest = []
    for number, article in enumerate(articles(n, seed), start=1):
        name = f"{article['category']}_{number:05d}_{article['lang']}.txt"
        (out / name).write_text(article["text"] + "\n", encoding="utf-8")
        day = FIRST_DAY + timedelta(days=rng.randint(0, span))
        manifest.append({"file": name, "lang": article["lang"], "published": day.isoformat(),
                         "title": article["title"][:80]})
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out_dir", help="folder to write the articles and manifest.json into")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"wrote {args.n} articles and {generate(args.n, args.out_dir, args.seed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
