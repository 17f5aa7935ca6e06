"""Screenshots of the web app's pages (docs/screenshots/), taken with Debian's chromium via Playwright.

    python scripts/web_screenshots.py http://127.0.0.1:8000 docs/screenshots [--width 1280] [--only article]

Run it against `aidgraph serve` over the demo corpus (`aidgraph ingest corpus/demo`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {
    "explorer": "/?category=air_defence&sort=date&order=asc",
    "explorer-all": "/",
    "meeting": "/web/meetings/UDCG-2025-06-04",
    "actor": "/web/actors/boris-pistorius",
    "country": "/web/actors/DE",
    "equipment": "/web/equipment/iris-t-slm",
    "article": "/web/articles/de_kontaktgruppe_bruessel",
    "search": "/web/search?q=Kontaktgruppe",
}


def _save(png: bytes, path: Path) -> None:
    """The screenshot as a palette PNG (a tenth of the size, no visible loss on these flat pages)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    palette = image.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--phone", action="store_true", help="also a 390 px wide shot of the explorer")
    parser.add_argument("--only", nargs="+", choices=sorted(PAGES), help="only these pages")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        for name, path in PAGES.items():
            if args.only and name not in args.only:
                continue
            page.goto(args.base + path)
            page.wait_for_load_state("networkidle")  # the explorer's filter counts come after the table
            _save(page.screenshot(), args.out / f"{name}.png")
        if args.phone:
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
            phone.goto(args.base + PAGES["explorer"])
            phone.wait_for_load_state("networkidle")
            _save(phone.screenshot(), args.out / "explorer-phone.png")
        browser.close()


if __name__ == "__main__":
    main()
