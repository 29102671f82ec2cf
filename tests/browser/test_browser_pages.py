"""Every page of the built site, as headless Chromium renders it.

Each test runs one check of ``siteaudit`` over every page (visited once per
session by the ``visits`` fixture) and names each page that fails and why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import siteaudit

pytestmark = pytest.mark.browser


def assert_every_page(visits, check, *args):
    message = siteaudit.failures_message(visits, check, *args)
    if message:
        pytest.fail(message, pytrace=False)


def test_every_page_in_the_sitemap_is_visited(site_dir, pages, visits):
    listed = set(siteaudit.sitemap_pages(site_dir))
    assert "" in pages, "no home page (index.html) in the build"
    missing = sorted(listed - set(visits))
    assert not missing, f"pages in sitemap.xml with no index.html: {missing}"


def test_no_console_errors(visits):
    assert_every_page(visits, siteaudit.console_problems)


def test_nothing_requested_from_other_hosts(visits, server):
    assert_every_page(visits, siteaudit.request_problems, server.origin)


def test_maths_is_rendered(visits):
    assert_every_page(visits, siteaudit.maths_problems)


def test_executed_fences_show_their_outputs(visits, site_dir, server):
    notebooks = {url: _notebook(site_dir, server, url, record) for url, record in visits.items()}

    def fence_outputs(record):
        return siteaudit.fence_output_problems(record, notebooks[record.url])

    fence_outputs.__name__ = "fence_output_problems"
    assert_every_page(visits, fence_outputs)


def test_no_fence_shows_an_error(visits):
    assert_every_page(visits, siteaudit.fence_error_problems)


def test_figures_load_and_have_alt_text(visits):
    assert_every_page(visits, siteaudit.figure_problems)


def test_code_blocks_have_a_copy_button(visits):
    assert_every_page(visits, siteaudit.copy_button_problems)


def test_no_sideways_scrolling_on_a_phone(visits):
    assert_every_page(visits, siteaudit.overflow_problems)


def test_no_serious_or_critical_accessibility_violations(visits):
    assert_every_page(visits, siteaudit.axe_problems)


def test_every_page_within_the_weight_budget(visits):
    assert_every_page(visits, siteaudit.weight_problems)


def test_screenshots_written_at_both_widths(visits, browser, server, tmp_path):
    """Every page's screenshots with ``SCREENSHOTS=1`` (``make screenshots``, the workflow).

    Otherwise the same code photographs the home page and the tallest page (the
    one a capture limit would cut short) into a temporary folder.
    """
    if siteaudit.screenshots_wanted():
        folder, urls = siteaudit.SCREENSHOTS, list(visits)
    else:
        tallest = max(visits, key=lambda url: visits[url].dom.get("height", 0))
        folder, urls = tmp_path, ["", tallest]
        for url in urls:
            siteaudit.visit(browser, server, url, screenshots=folder)
    for url in urls:
        for width in (siteaudit.DESKTOP["width"], siteaudit.PHONE["width"]):
            shot = folder / f"{siteaudit.slug(url)}-{width}.jpg"
            assert shot.is_file() and shot.stat().st_size > 1000, f"no screenshot {shot}"


def test_internal_links_resolve(site_dir):
    problems = siteaudit.link_problems(site_dir)
    assert not problems, "internal links to nothing:\n" + "\n".join(problems[:40])


def _notebook(site_dir: Path, server, url: str, record: siteaudit.Visit) -> dict | None:
    """The notebook a page's download button points at, read from the build."""
    href = record.dom.get("download")
    if not href:
        return None
    path = siteaudit.site_file(site_dir, server.base, href)
    if not path.is_file():
        pytest.fail(f"/{url}: the download button points at {href}, which is not in the build")
    return json.loads(path.read_text(encoding="utf-8"))
