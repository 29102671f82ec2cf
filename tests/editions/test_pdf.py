"""The PDF edition: every chapter, with its real outputs and figures, printed whole.

Read with poppler's ``pdfinfo``, ``pdftotext`` and ``pdfimages`` (Debian's poppler-utils),
and checked against the print page it was printed from.
"""

from __future__ import annotations

import html
import re
import subprocess
from importlib import metadata

import editions
import pytest
from conftest import CHAPTERS, chapter_title, normalise, telling_lines

pytestmark = pytest.mark.editions

#: The PDF's size target (issue 15).
MAX_BYTES = 40 * 2**20


def test_the_pdf_is_within_its_size_target(pdf):
    size = pdf.stat().st_size
    assert 100_000 < size <= MAX_BYTES, f"{pdf.name}: {size / 2**20:.1f} MB"


def test_the_page_count_is_plausible_and_recorded(pdf, info):
    pages = editions.pdf_pages(pdf)
    # A cover, the contents, and every chapter on pages of its own: a few pages at least
    # each, and not the hundreds a layout fault (one figure per page, say) would give.
    assert 3 * len(CHAPTERS) <= pages <= 60 * len(CHAPTERS), f"{pages} pages"
    assert info["pdf"]["pages"] == pages, "editions.json disagrees with pdfinfo"


def test_the_pdf_has_a_bookmark_per_chapter(pdf, tmp_path):
    # pdfinfo says nothing of bookmarks; poppler's pdftohtml -xml writes the outline.
    subprocess.run(
        ["pdftohtml", "-xml", "-i", "-q", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "out")],
        check=True,
    )
    out = (tmp_path / "out.xml").read_text(encoding="utf-8", errors="replace")
    assert "<outline>" in out, "the PDF has no outline (bookmarks)"
    # Compared without spaces: the outline's text can lose one ("Weights &Biases").
    items = [
        "".join(html.unescape(item).split()) for item in re.findall(r"<item[^>]*>(.*?)</item>", out)
    ]
    for path in CHAPTERS:
        title = "".join(chapter_title(path).split())
        assert title in items, f"no bookmark for {chapter_title(path)!r}"


def test_the_cover_gives_the_date_and_versions(pdf_pages_text):
    cover = normalise(pdf_pages_text[0])
    assert "Practical Deep Learning with PyTorch" in cover
    assert "Printed" in cover
    assert f"PyTorch {metadata.version('torch')}" in cover, cover
    assert "Python 3." in cover, cover


def test_a_table_of_contents_follows_the_cover(pdf_pages_text):
    assert "Contents" in normalise(" ".join(pdf_pages_text[1:3]))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_every_chapter_starts_on_a_new_page(chapter, pdf_pages_text):
    title = normalise(chapter_title(chapter))
    tops = [normalise(" ".join(page.strip().splitlines()[:3])) for page in pdf_pages_text]
    assert any(top.startswith(title) for top in tops), f"no page starts with {title!r}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_every_chapter_is_printed_with_its_outputs(chapter, print_page, pdf_text):
    title = chapter_title(chapter)
    assert normalise(title) in pdf_text, f"{title!r} is not in the PDF"
    if "```python" not in chapter.read_text(encoding="utf-8"):
        pytest.skip(f"{chapter.name} has no code yet")
    section = print_page.section_of(title)
    outputs = [output for output in print_page.outputs if output.section == section]
    assert outputs, f"{section}: the print page shows no output under its fences"
    lines = [line for output in outputs for line in telling_lines(output.text, 1)][:5]
    assert lines, f"{section}: no output line to look for"
    missing = [line for line in lines if line not in pdf_text]
    assert not missing, f"{section}: outputs on the print page but not in the PDF: {missing}"


def test_collapsed_solutions_are_printed_open(print_page, pdf_text):
    hidden = [
        output
        for output in print_page.outputs
        if output.in_details and not output.summary.startswith(editions.GUARD_TITLE)
    ]
    assert hidden, "no output inside a collapsed block on the print page"
    lines = [line for output in hidden for line in telling_lines(output.text, 1)]
    missing = [line for line in lines if line not in pdf_text]
    assert len(lines) >= 10, f"only {len(lines)} lines to look for"
    assert not missing, f"{len(missing)} of {len(lines)} solution outputs missing: {missing[:5]}"


def test_only_the_folded_asserts_stay_folded(print_page, info, pdf_text):
    guards = sum(title.startswith(editions.GUARD_TITLE) for title in print_page.summaries)
    assert info["pdf"]["folded"] == guards, "blocks folded on paper other than the asserts"
    assert info["pdf"]["opened"] == len(print_page.summaries) - guards
    # Their title is printed, their asserts are not.
    if guards:
        assert editions.GUARD_TITLE in pdf_text
        lines = [
            normalise(line)
            for code in print_page.folded_code
            for line in code.splitlines()
            if len(line.strip()) >= 30
        ][:20]
        assert lines, "no folded assert to look for"
        printed = [line for line in lines if line in pdf_text]
        assert not printed, f"folded asserts printed: {printed[:3]}"


def test_no_figure_is_missing(print_page, pdf_images, info):
    figures = sum(print_page.figures.values())
    assert figures > 0, "the print page has no figure"
    assert info["pdf"]["figures"] == figures, "the page printed had other figures"
    # Every raster image of the page is drawn once (a figure never splits across pages).
    assert len(pdf_images) == print_page.images, (
        f"{len(pdf_images)} images in the PDF, {print_page.images} on the print page"
        f" ({figures} of them figures)"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_the_print_page_has_every_figure_of_the_chapter(chapter, print_page, site_dir):
    # The chapter's own page in the normal build is the reference.
    built = site_dir / "chapters" / chapter.stem / "index.html"
    expected = built.read_text(encoding="utf-8").count('class="pagerun-figure"')
    section = print_page.section_of(chapter_title(chapter))
    assert print_page.figures.get(section, 0) == expected, f"{section}: figures differ"


def test_screen_only_buttons_are_not_printed(print_page, pdf_pages_text):
    # The notebook buttons stand under each chapter's H1: its first page must not show them.
    assert print_page.buttons, "the print page has no notebook buttons to hide"
    labels = [
        label for label in ("Open in Colab", "Download notebook") if label in print_page.buttons[0]
    ]
    assert labels, print_page.buttons[0]
    for chapter in CHAPTERS:
        title = normalise(chapter_title(chapter))
        first = next(
            normalise(page)
            for page in pdf_pages_text
            if normalise(" ".join(page.strip().splitlines()[:3])).startswith(title)
        )
        shown = [label for label in labels if label in first]
        assert not shown, f"{chapter.stem}: {shown} printed"
