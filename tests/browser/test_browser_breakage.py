"""The checks can fail: a real page of the build, broken on purpose, served beside the others.

A copy of a built chapter gets every fault the page checks look for: an
external script, a console error, an uncaught exception, MathJax removed and
raw TeX, a printed output deleted, a traceback shown, a missing figure without
alt text, an unnamed button, a layout wider than a phone, text too pale for the
light scheme and text too dark for the dark one. It is served next to
the real page (same depth, so its relative links still work), visited like any
page, and each check must report its fault.
"""

from __future__ import annotations

import json
import re

import pytest
import siteaudit

pytestmark = pytest.mark.browser

FAULTS = """
<p>$$ x^2 + y^2 $$ left raw on purpose</p>
<div class="language-text pagerun-output highlight"><pre><code>Traceback (most recent call last):
  File "page.md", line 1, in &lt;module&gt;
ValueError: broken on purpose</code></pre></div>
<figure class="pagerun-figure"><img src="missing-figure-on-purpose.png"></figure>
<div style="width: 1500px">a layout wider than any phone</div>
<p><button></button></p>
<p id="pale-on-purpose" style="color: #aaaaaa">pale grey text: too faint on white</p>
<p id="dark-on-purpose" style="color: #444444">dark grey text: too faint on slate</p>
"""

HEAD = '<script src="http://cdn.example.invalid/tracker.js"></script>'
TAIL = (
    '<script>console.error("console error on purpose")</script>'
    '<script>throw new Error("uncaught on purpose")</script>'
)
OUTPUT_BLOCK = re.compile(r'<div class="[^"]*pagerun-output[^"]*">.*?</code></pre></div>', re.S)


def break_page(html: str) -> str:
    """Return a built page's HTML with every fault the checks look for."""
    html = OUTPUT_BLOCK.sub("", html, count=1)  # one fence loses its printed output
    html = re.sub(r'<script src="[^"]*mathjax-config\.js"></script>', "", html)  # loads MathJax
    html = html.replace("</head>", HEAD + "</head>", 1)
    html = re.sub(
        r'(<article class="md-content__inner[^"]*">)', lambda m: m.group(1) + FAULTS, html, count=1
    )
    return html.replace("</body>", TAIL + "</body>", 1)


@pytest.fixture(scope="module")
def broken(browser, server, site_dir, visits, tmp_path_factory):
    """A chapter with outputs, maths and a notebook, broken and visited like any page."""
    candidates = [
        url
        for url, record in visits.items()
        if record.dom["download"] and any(fence["text"] for fence in record.dom["fences"])
    ]
    if not candidates:
        pytest.skip("no chapter with printed outputs and a notebook is built yet")
    with_maths = [url for url in candidates if visits[url].dom["arithmatex"]]
    source = (with_maths or candidates)[0]
    html = (site_dir / source / "index.html").read_text(encoding="utf-8")
    folder = tmp_path_factory.mktemp("broken")
    (folder / "index.html").write_text(break_page(html), encoding="utf-8")
    parent = source.rstrip("/").rpartition("/")[0]
    url = f"{parent}/broken-on-purpose/" if parent else "broken-on-purpose/"
    server.add_overlay(url, folder)
    record = siteaudit.visit(browser, server, url, axe=True)
    notebook_path = siteaudit.site_file(site_dir, server.base, record.dom["download"])
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    return source, record, notebook


def _found(problems: list[str], *needles: str) -> bool:
    text = "\n".join(problems)
    return all(needle in text for needle in needles)


def test_console_errors_are_caught(broken):
    _, record, _ = broken
    problems = siteaudit.console_problems(record)
    assert _found(problems, "console error on purpose", "uncaught on purpose"), problems


def test_requests_to_other_hosts_are_caught(broken, server):
    _, record, _ = broken
    problems = siteaudit.request_problems(record, server.origin)
    assert _found(problems, "other host: http://cdn.example.invalid/tracker.js"), problems
    assert _found(problems, "failed:", "missing-figure-on-purpose.png"), problems


def test_unrendered_maths_is_caught(broken, visits):
    source, record, _ = broken
    problems = siteaudit.maths_problems(record)
    assert _found(problems, "raw TeX in text", "$$ x^2"), problems
    if visits[source].dom["arithmatex"]:
        assert _found(problems, "not typeset"), problems


def test_a_missing_output_is_caught(broken):
    _, record, notebook = broken
    problems = siteaudit.fence_output_problems(record, notebook)
    assert _found(problems, "printed output missing"), problems


def test_an_error_shown_under_a_fence_is_caught(broken):
    _, record, _ = broken
    problems = siteaudit.fence_error_problems(record)
    assert _found(problems, "ValueError: broken on purpose"), problems


def test_a_broken_figure_is_caught(broken):
    _, record, _ = broken
    problems = siteaudit.figure_problems(record)
    assert _found(problems, "did not load", "without alt text"), problems


def test_sideways_scrolling_is_caught(broken):
    _, record, _ = broken
    problems = siteaudit.overflow_problems(record)
    assert _found(problems, "scrolls sideways at 390 px"), problems


def test_accessibility_violations_are_caught(broken):
    _, record, _ = broken
    problems = siteaudit.axe_problems(record)
    assert _found(problems, "critical button-name", "critical image-alt"), problems


def test_low_contrast_is_caught_in_each_scheme(broken):
    _, record, _ = broken
    problems = siteaudit.axe_problems(record)
    dark = [p for p in problems if p.startswith("serious color-contrast (dark) ")]
    light = [p for p in problems if p.startswith("serious color-contrast (") and p not in dark]
    assert _found(light, "#pale-on-purpose") and not _found(light, "#dark-on-purpose"), light
    assert _found(dark, "#dark-on-purpose") and not _found(dark, "#pale-on-purpose"), dark


def _colour_scan(page, sample: bool, known: dict | None = None) -> dict:
    return page.evaluate(siteaudit._AXE_RUN, [siteaudit.COLOUR_RULES, sample, True, known])


def test_sampled_contrast_finds_what_a_full_scan_finds(page, server, broken):
    """One element per style stands for all of them (``siteaudit._AXE_RUN``): check it.

    On the broken page (real content plus a fault for each scheme), the colour
    rules run over every element, then sampled, then sampled with what the real
    page it was copied from taught (its passing styles are not checked again, as
    on a tab's later pages). Each element the full scan fails must be one each
    sampled scan fails (itself, or an unchecked element of a failing style).
    """
    source, record, _ = broken
    known = {}
    page.goto(server.url(source))
    page.wait_for_function(siteaudit._MATHS_DONE, timeout=8000)
    siteaudit.prepare_axe(page, server.axe_url)
    for scheme in ("light", "dark"):
        if scheme == "dark":
            page.evaluate(siteaudit._DARK)
        known.update(_colour_scan(page, True)["learnt"])
    assert "pass" in known.values(), "the real page taught no passing style"
    page.goto(record.url)  # MathJax is removed from this page: no maths to wait for
    siteaudit.prepare_axe(page, server.axe_url)
    for scheme in ("light", "dark"):
        if scheme == "dark":
            page.evaluate(siteaudit._DARK)
        full, sampled, remembered = (
            {v["id"]: set(v["elements"]) for v in _colour_scan(page, *how)["violations"]}
            for how in ((False,), (True,), (True, known))
        )
        assert "color-contrast" in full, f"{scheme}: the fault put in for this scheme is not found"
        for name, found in (("sampled", sampled), ("sampled after the real page", remembered)):
            assert full.keys() == found.keys(), f"{scheme}, {name}"
            for rule, failing in full.items():
                missed = failing - found[rule]
                assert not missed, (
                    f"{scheme} {rule}, {name}: {len(missed)} element(s) only a full scan fails"
                )


def test_the_weight_budget_can_fail(broken):
    _, record, _ = broken
    assert record.total_bytes > 0
    assert siteaudit.weight_problems(record, budget=record.total_bytes - 1)
    assert not siteaudit.weight_problems(record, budget=record.total_bytes)


def test_a_code_block_without_copy_button_is_caught(broken):
    _, record, _ = broken
    lacking = siteaudit.Visit(record.url, dom={**record.dom, "copyButtons": 0})
    assert siteaudit.copy_button_problems(lacking) or not record.dom["codeBlocks"]


def test_dead_internal_links_are_caught(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h2 id="here">here</h2>')
    (tmp_path / "index.html").write_text(
        '<a href="a/">ok</a> <a href="a/#here">ok</a> <a href="https://example.org/">out</a>'
        '<a href="nowhere/">dead</a> <a href="a/#gone">dead anchor</a> <img src="x.png">'
    )
    problems = siteaudit.link_problems(tmp_path)
    assert problems == [
        "index.html: nowhere/ (no such file)",
        "index.html: a/#gone (no such anchor)",
        "index.html: x.png (no such file)",
    ]
