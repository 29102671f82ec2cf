"""What a reader does on the site: copy code, switch to dark mode, search, download notebooks."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import siteaudit

pytestmark = pytest.mark.browser

#: A term each chapter teaches, and the chapter search must find for it.
SEARCHES = [
    ("backward", "chapters/autograd/"),
    ("tensor", "chapters/tensors/"),
    ("DataLoader", "chapters/mini-batches/"),
]


def _first_page_with(visits, predicate) -> str:
    for url, record in visits.items():
        if predicate(record):
            return url
    pytest.skip("no page of the build has what this test needs")


def test_copy_button_copies_the_code(page, server, visits):
    url = _first_page_with(visits, lambda record: record.dom["copyButtons"] > 0)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.origin)
    page.goto(url)
    block = page.locator(".md-content pre:has(button.md-code__button[data-md-type=copy])").first
    expected = block.locator("code").inner_text().strip()
    block.hover()
    block.locator("button.md-code__button[data-md-type=copy]").click()
    page.locator(".md-dialog--active").wait_for(timeout=3000)
    assert "copied" in page.locator(".md-dialog").inner_text().lower()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert _lines(copied) == _lines(expected)


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def test_palette_toggle_switches_and_remembers_the_scheme(page):
    page.goto("")
    body = page.locator("body")
    first = body.get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component=palette] label:visible").click()
    other = "slate" if first == "default" else "default"
    page.wait_for_function(
        f"() => document.body.getAttribute('data-md-color-scheme') === '{other}'", timeout=3000
    )
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.reload()
    assert body.get_attribute("data-md-color-scheme") == other, "the choice was not remembered"
    page.locator("form[data-md-component=palette] label:visible").click()
    page.wait_for_function(
        f"() => document.body.getAttribute('data-md-color-scheme') === '{first}'", timeout=3000
    )
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != background


def test_search_finds_the_chapter_that_teaches_a_term(page, pages, site_dir):
    """Each term, typed into the search box of one page, lists its chapter; the last is clicked."""
    searches, untried = [], []
    for term, chapter in SEARCHES:
        if chapter not in pages:
            untried.append(f"{chapter} is not built")
            continue
        text = (site_dir / chapter / "index.html").read_text(encoding="utf-8")
        if re.search(re.escape(term), text, re.I):
            searches.append((term, chapter))
        else:
            untried.append(f"{chapter} does not mention {term!r}")
    if not searches:
        pytest.skip(f"no search to try: {'; '.join(untried)}")
    # The page visits get a stub index (siteaudit.Visitor): this is the real one's run.
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.goto("")
    page.locator("label.md-search__icon, input.md-search__input").first.click()
    box = page.locator("input.md-search__input")
    for term, chapter in searches:
        box.fill("")
        box.press_sequentially(term, delay=30)
        hit = page.locator(f'.md-search-result a.md-search-result__link[href*="{chapter}"]').first
        hit.wait_for(timeout=10_000)
    hit.click()
    page.wait_for_url(re.compile(re.escape(chapter)), timeout=10_000)
    assert not errors, f"console errors while searching the real index: {errors}"
    if untried:  # the searches above passed; say which were not tried, as a skip
        pytest.skip(f"search not tried: {'; '.join(untried)}")


def test_notebook_downloads_are_valid_notebooks_with_outputs(page, visits, site_dir, server):
    """Every chapter's Download button gives a valid notebook with outputs and no errors.

    Each file behind a button is read from the build; the first button is also
    clicked, and the browser's download must be that same file.
    """
    chapters = [url for url, record in visits.items() if record.dom["download"]]
    if not chapters:
        pytest.skip("no page has a Download notebook button yet")
    problems = []
    for url in chapters:
        path = siteaudit.site_file(site_dir, server.base, visits[url].dom["download"])
        problems += [f"/{url}: {p}" for p in _notebook_problems(path)]
    problems += _click_gives(page, chapters[0], "p.pagerun-buttons a[download]", site_dir, server)
    assert not problems, "\n".join(problems)


def test_chapters_with_outputs_offer_their_notebook(visits):
    missing = [
        url
        for url, record in visits.items()
        if url.startswith("chapters/") and record.dom["stamp"] and not record.dom["download"]
    ]
    assert not missing, f"chapters with run outputs but no Download notebook button: {missing}"


def test_notebook_pages_offer_their_notebook(page, visits, site_dir, server):
    """Every rendered notebook page links its .ipynb; the first link is also clicked."""
    notebook_pages = [url for url in visits if url.startswith("notebooks/") and url != "notebooks/"]
    if not notebook_pages:
        pytest.skip("no rendered notebook pages")
    problems = []
    for url in notebook_pages:
        links = visits[url].dom["downloads"]
        if not links:
            problems.append(f"/{url}: no download link (.md-content a[download])")
            continue
        path = siteaudit.site_file(site_dir, server.base, links[0])
        problems += [f"/{url}: {p}" for p in _notebook_problems(path)]
    problems += _click_gives(page, notebook_pages[0], ".md-content a[download]", site_dir, server)
    assert not problems, "\n".join(problems)


def _click_gives(page, url: str, selector: str, site_dir, server) -> list[str]:
    """Click a page's download link; the browser must save the file the build holds."""
    page.goto(url)
    link = page.locator(selector).first
    if not link.count():
        return [f"/{url}: no download link ({selector})"]
    href = link.evaluate("a => new URL(a.getAttribute('href'), location.href).pathname")
    with page.expect_download(timeout=10_000) as info:
        link.click()
    saved = Path(info.value.path()).read_bytes()
    if saved != siteaudit.site_file(site_dir, server.base, href).read_bytes():
        return [f"/{url}: the download differs from {href} in the build"]
    return []


def _notebook_problems(path: Path) -> list[str]:
    """What is wrong with a notebook file: unreadable, invalid, no outputs, error outputs."""
    if not path.is_file():
        return [f"{path.name}: not in the build"]
    try:
        notebook = nbformat.read(str(path), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001 - any failure to read is the finding
        return [f"{path.name}: not a valid notebook: {error}"]
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    problems = []
    if not any(cell.get("outputs") for cell in code):
        problems.append(f"{path.name}: no code cell has outputs")
    errors = [
        out.get("ename", "?")
        for cell in code
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    if errors:
        problems.append(f"{path.name}: error outputs {errors}")
    return problems


MATHJAX = "/assets/vendor/mathjax/tex-chtml.js"


def _has_maths(record) -> bool:
    return bool(record.dom["arithmatex"] or record.dom["notebookMarkdown"])


def test_mathjax_is_loaded_by_pages_with_maths_and_only_by_them(visits):
    wrong = [
        f"/{url}: {'maths' if _has_maths(record) else 'no maths'}, MathJax "
        f"{'loaded' if loaded else 'not loaded'}"
        for url, record in visits.items()
        if _has_maths(record) != (loaded := any(MATHJAX in r for r in record.requests))
    ]
    assert not wrong, "\n".join(wrong)
    assert any(_has_maths(record) for record in visits.values()), "no page with maths visited"


def test_maths_is_typeset_after_instant_navigation(page, server, visits):
    """From a page without maths to two with maths, through Material's instant navigation.

    The first loads MathJax, the second typesets with the MathJax already there; it is
    fetched once, and the page is never reloaded.
    """
    start = _first_page_with(visits, lambda record: not _has_maths(record))
    targets = [url for url, record in visits.items() if record.dom["arithmatex"]][:2]
    if len(targets) < 2:
        pytest.skip("fewer than two pages with maths")
    _list_this_host_in_the_sitemap(page, server)
    fetched = []
    page.on("request", lambda request: MATHJAX in request.url and fetched.append(request.url))
    page.goto(start)
    page.wait_for_function("() => window.document$")
    page.evaluate("() => { window.notReloaded = true; }")
    assert not fetched, f"/{start} has no maths but loaded MathJax"
    for target in targets:
        # A click on a link, as a reader's: Material fetches the page and swaps its content.
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url;"
            " document.querySelector('.md-content').append(a); a.click(); }",
            server.url(target),
        )
        page.wait_for_url(f"**/{target}")
        page.wait_for_function("() => document.querySelector('.md-content .arithmatex')")
        page.wait_for_function(siteaudit._MATHS_DONE, timeout=15_000)
        state = page.evaluate(
            """() => ({notReloaded: window.notReloaded === true,
                      mathJax: typeof MathJax.typesetPromise,
                      raw: (RAW_TEX)(document.querySelector('.md-content'))})""".replace(
                "RAW_TEX", siteaudit._RAW_TEX
            )
        )
        state["fetched"] = len(fetched)
        expected = {"notReloaded": True, "mathJax": "function", "raw": [], "fetched": 1}
        assert state == expected, f"/{target}: {state}"


def _list_this_host_in_the_sitemap(page, server) -> None:
    """Let instant navigation work on this server as it does on the site's own host.

    Material follows a link without reloading only when the link is in sitemap.xml,
    comparing scheme, host and port after putting the page's scheme and host (not its
    port) into the listed URLs: here the sitemap's URLs get the server's origin.
    """

    def fulfil(route):
        response = route.fetch()
        text = response.text()
        listed = re.search(r"<loc>(https?://[^/<]+)", text).group(1)
        route.fulfill(response=response, body=text.replace(listed, server.origin))

    page.route("**/sitemap.xml", fulfil)
