#!/usr/bin/env python3
"""Screenshots of an HTML atlas for the README: a model page and an app diagram at 1,400×900 and
1,920×1,080 in headless Chromium (Playwright).

Usage::

    djatlas scan TREE --format html -o atlas.html
    scripts/atlas_screenshots.py atlas.html --model dcim.Device --app dcim --name netbox
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

SIZES = ((1400, 900), (1920, 1080))
OUT = Path(__file__).resolve().parent.parent / "docs" / "images"


def model_id(html: str, label: str) -> str:
    """The id of the model labelled ``label`` in the atlas's embedded report."""
    ids = re.findall(r'"id":\s*"([^"]+)"[^{}]*?"label":\s*' + json.dumps(label), html)
    return ids[0] if ids else label


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("atlas", type=Path)
    ap.add_argument("--model", required=True, help="label of the model page to show")
    ap.add_argument("--app", required=True, help="app whose diagram to show")
    ap.add_argument("--name", required=True, help="file name prefix (e.g. netbox)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    url = args.atlas.resolve().as_uri()
    mid = model_id(args.atlas.read_text("utf-8"), args.model)
    args.out.mkdir(parents=True, exist_ok=True)
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        for w, h in SIZES:
            page = browser.new_context(viewport={"width": w, "height": h}).new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{url}#/model/{mid}")
            page.wait_for_selector("#fields tr[data-field]")
            page.screenshot(path=str(args.out / f"atlas-{args.name}-model-{w}.png"))
            page.goto(f"{url}#/diagram/app/{args.app}")
            page.wait_for_selector("body[data-diagram=ready]")
            page.screenshot(path=str(args.out / f"atlas-{args.name}-app-{w}.png"))
            page.context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
