"""The offline edition: the zip, unpacked, works from file:// in Chromium with no server.

No network either: the browser's host resolver fails every name (``siteaudit.LAUNCH_ARGS``),
and any request that is not for a local file fails the test.
"""

from __future__ import annotations

import json
import urllib.parse

import editions
import pytest
from conftest import CHAPTERS, chapter_title

pytestmark = pytest.mark.editions

#: Waits until MathJax has typeset every formula of the page (or there is none).
_MATHS_DONE = """() => Array.from(document.querySelectorAll('.md-content .arithmatex'))
  .every(el => el.querySelector('mjx-container'))"""


@pytest.fixture
def page(browser):
    """A fresh page that records every request and error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    opened = context.new_page()
    opened.requests = []
    opened.errors = []
    opened.on("request", lambda request: opened.requests.append(request.url))
    opened.on("pageerror", lambda error: opened.errors.append(f"uncaught: {error}"))
    opened.on(
        "console",
        lambda message: message.type == "error" and opened.errors.append(message.text),
    )
    opened.on("requestfailed", lambda request: opened.errors.append(f"failed: {request.url}"))
    yield opened
    context.close()


def _remote(urls: list[str]) -> list[str]:
    return [url for url in urls if urllib.parse.urlsplit(url).scheme not in ("file", "data")]


def test_the_zip_holds_one_folder_with_the_whole_site(offline_dir):
    assert (offline_dir / "index.html").is_file()
    for chapter in CHAPTERS:
        assert (offline_dir / "chapters" / f"{chapter.stem}.html").is_file(), chapter.stem
    assert (offline_dir / "search" / "search_index.js").is_file(), "no inlined search index"
    assert (offline_dir / editions.SHIM_TARGET).is_file(), "the iframe-worker shim is missing"


def test_every_page_is_made_for_the_file_system(offline_dir):
    for path in offline_dir.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert editions.SHIM_URL not in text, f"{path.name} still loads the shim from a CDN"
        assert "fonts.googleapis" not in text, f"{path.name} loads web fonts"
        config = editions.THEME_CONFIG.search(text)
        if config:
            features = json.loads(config.group(2))["features"]
            assert "navigation.instant" not in features, f"{path.name}: instant navigation is on"


def test_the_home_page_says_it_is_the_offline_edition(offline_dir):
    text = (offline_dir / "index.html").read_text(encoding="utf-8")
    assert "You are reading the offline edition" in text
    assert "Download the course as PDF" in text


def test_a_chapter_opens_from_the_file_system_with_its_outputs(page, offline_dir):
    home = (offline_dir / "index.html").as_uri()
    page.goto(home, wait_until="load")
    chapter = CHAPTERS[0]
    # Follow the home page's own link, as a reader would.
    page.locator(f'.md-content a[href$="chapters/{chapter.stem}.html"]').first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"chapters/{chapter.stem}.html"), page.url
    page.wait_for_function(_MATHS_DONE, timeout=15000)
    shown = page.evaluate(
        """() => ({
          h1: document.querySelector('.md-content h1').textContent,
          outputs: document.querySelectorAll('.md-content .pagerun-output').length,
          text: Array.from(document.querySelectorAll('.md-content .pagerun-output code'))
            .map(el => el.textContent).join('\\n'),
        })"""
    )
    assert chapter_title(chapter) in shown["h1"]
    assert shown["outputs"] > 0, "the chapter shows no output"
    assert shown["text"].strip(), "the chapter's outputs are empty"
    assert not _remote(page.requests), f"requests off the file system: {_remote(page.requests)}"
    assert not page.errors, page.errors


def test_figures_load_from_the_file_system(page, offline_dir):
    with_figures = [
        chapter
        for chapter in CHAPTERS
        if 'class="pagerun-figure"'
        in (offline_dir / "chapters" / f"{chapter.stem}.html").read_text(encoding="utf-8")
    ]
    assert with_figures, "no chapter of the offline edition has a figure"
    page.goto((offline_dir / "chapters" / f"{with_figures[0].stem}.html").as_uri())
    sizes = page.evaluate(
        """() => Promise.all(Array.from(document.querySelectorAll('img.pagerun-figure'))
          .map(img => img.decode().then(() => img.naturalWidth, () => 0)))"""
    )
    assert sizes and all(width > 0 for width in sizes), sizes


def test_search_answers_from_the_file_system(page, offline_dir):
    page.goto((offline_dir / "index.html").as_uri(), wait_until="load")
    page.locator("label.md-search__icon, input.md-search__input").first.click()
    search = page.locator("input.md-search__input")
    search.press_sequentially("autograd", delay=50)
    results = page.locator(".md-search-result a.md-search-result__link")
    results.first.wait_for(timeout=15000)
    targets = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("chapters/autograd.html" in (href or "") for href in targets), targets
    results.first.click()
    page.wait_for_load_state("load")
    assert page.url.startswith("file://"), page.url
    assert not _remote(page.requests), f"requests off the file system: {_remote(page.requests)}"
    assert not page.errors, page.errors
