"""Page-weight report: bytes a first visit to each page transfers, and its largest assets.

Serves a built site on 127.0.0.1, opens every page in headless Chromium with a
cold cache and counts the bytes received (uncompressed, as Python's
http.server sends them; a server that gzips sends less). Exits 1 when a page is
over the budget (3 MB by default).

Also reports the course's other editions when they are in the build (``make editions``):
the PDF (exits 1 over its 40 MB target) and the offline zip, with their sizes written to
``benchmarks/results/edition_sizes.json``.

    .venv/bin/mkdocs build --strict
    .venv/bin/python benchmarks/page_weight.py [--site site] [--budget-mb 3] [--json out.json]
    .venv/bin/python benchmarks/page_weight.py --editions-only   # sizes of the PDF and zip only
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

import siteaudit  # noqa: E402

#: The PDF edition's size target (issue 15).
PDF_BUDGET_BYTES = 40 * 2**20
EDITIONS_JSON = siteaudit.WEIGHT_JSON.with_name("edition_sizes.json")
EDITIONS = {
    "PDF": "practical-deep-learning.pdf",
    "offline zip": "practical-deep-learning-offline.zip",
}


def edition_sizes(site: Path) -> dict[str, dict]:
    """Sizes of the PDF and offline editions found in a build (none when not made)."""
    info_path = site / "editions.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.is_file() else {}
    pages = info.get("pdf", {}).get("pages")
    sizes = {}
    for label, name in EDITIONS.items():
        path = site / name
        if path.is_file():
            sizes[label] = {"file": name, "bytes": path.stat().st_size}
            if label == "PDF" and pages:
                sizes[label]["pages"] = pages
    return sizes


def editions_report(site: Path, json_path: Path = EDITIONS_JSON) -> int:
    """Print the editions' sizes, write them as JSON; return 1 when the PDF is over target."""
    sizes = edition_sizes(site)
    if not sizes:
        print("editions: no PDF or offline zip in this build (`make editions` makes them)")
        return 0
    for label, entry in sizes.items():
        extra = f", {entry['pages']} pages" if "pages" in entry else ""
        target = f" (target {PDF_BUDGET_BYTES / 2**20:.0f} MB)" if label == "PDF" else ""
        print(f"editions: {label} {entry['bytes'] / 2**20:.1f} MB{extra}{target}")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(sizes, indent=2) + "\n", encoding="utf-8")
    over = sizes.get("PDF", {}).get("bytes", 0) > PDF_BUDGET_BYTES
    if over:
        print("editions: the PDF is over its size target")
    return 1 if over else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--site", type=Path, default=siteaudit.ROOT / "site")
    parser.add_argument("--budget-mb", type=float, default=siteaudit.BUDGET_BYTES / 2**20)
    parser.add_argument("--json", type=Path, default=siteaudit.WEIGHT_JSON)
    parser.add_argument(
        "--editions-only", action="store_true", help="report the PDF and zip sizes only"
    )
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"no built site in {args.site}: run `mkdocs build --strict` first")
    if args.editions_only:
        return editions_report(args.site)
    budget = int(args.budget_mb * 2**20)

    from playwright.sync_api import sync_playwright

    pages = siteaudit.discover_pages(args.site)
    began = time.perf_counter()
    with siteaudit.SiteServer(args.site) as server, sync_playwright() as playwright:
        browser = siteaudit.launch(playwright)
        records = [siteaudit.visit(browser, server, url) for url in pages]
        browser.close()
    print(siteaudit.weight_table(records, budget))
    print(f"measured in {time.perf_counter() - began:.1f} s")
    siteaudit.save_report(records, args.json)
    editions_over = editions_report(args.site)
    pages_over = any(siteaudit.weight_problems(record, budget) for record in records)
    return 1 if pages_over or editions_over else 0


if __name__ == "__main__":
    sys.exit(main())
