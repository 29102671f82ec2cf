"""Page-weight report: bytes a first visit to each page transfers, and its largest assets.

Serves a built site on 127.0.0.1, opens every page in headless Chromium with a
cold cache and counts the bytes received (uncompressed, as Python's
http.server sends them; a server that gzips sends less). Exits 1 when a page is
over the budget (3 MB by default).

    .venv/bin/mkdocs build --strict
    .venv/bin/python benchmarks/page_weight.py [--site site] [--budget-mb 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

import siteaudit  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--site", type=Path, default=siteaudit.ROOT / "site")
    parser.add_argument("--budget-mb", type=float, default=siteaudit.BUDGET_BYTES / 2**20)
    parser.add_argument("--json", type=Path, default=siteaudit.WEIGHT_JSON)
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"no built site in {args.site}: run `mkdocs build --strict` first")
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
    return 1 if any(siteaudit.weight_problems(record, budget) for record in records) else 0


if __name__ == "__main__":
    sys.exit(main())
