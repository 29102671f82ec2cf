"""The home page links both editions, with numbers read from the files themselves."""

from __future__ import annotations

import re

import editions
import pytest

pytestmark = pytest.mark.editions


@pytest.fixture(scope="module")
def block(site_dir) -> str:
    text = (site_dir / "index.html").read_text(encoding="utf-8")
    match = editions.BLOCK.search(text)
    assert match, "the home page has no download block"
    return match.group(2)


def test_the_home_page_links_the_pdf_with_its_pages_size_and_date(block, pdf, info):
    pages = editions.pdf_pages(pdf)
    assert f'href="{editions.PDF_NAME}"' in block
    assert "Download the course as PDF" in block
    assert f"{pages} pages" in block
    assert editions.megabytes(pdf.stat().st_size) in block
    assert f"built {info['pdf']['date']}" in block
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", info["pdf"]["date"])


def test_the_home_page_links_the_offline_zip_with_its_size(block, site_dir):
    archive = site_dir / editions.ZIP_NAME
    assert f'href="{editions.ZIP_NAME}"' in block
    assert editions.megabytes(archive.stat().st_size) in block


def test_the_sizes_recorded_are_the_files_sizes(info, site_dir):
    for key in ("pdf", "offline"):
        path = site_dir / info[key]["name"]
        assert info[key]["bytes"] == path.stat().st_size, key
