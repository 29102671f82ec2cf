"""Fixtures for the editions' tests: the PDF, the print page it came from, the offline zip.

What is tested is what ``make editions`` (``scripts/editions.py all``) left:

- ``site/`` (or ``$SITE_DIR``): the normal build, with ``practical-deep-learning.pdf``,
  ``practical-deep-learning-offline.zip``, ``editions.json`` and the filled home page;
- ``build/print/`` (or ``$PRINT_SITE_DIR``): the build with the print page the PDF was
  printed from.

These tests run only when selected (``pytest -m editions``): the default run (``make
test``) comes before any edition is made, so there they are skipped with a pointer to
``make editions``. Selected, a missing file fails them.
"""

from __future__ import annotations

import html
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "scripts"))

import editions  # noqa: E402
import siteaudit  # noqa: E402

CHAPTERS = sorted((ROOT / "docs" / "chapters").glob("*.md"))


def _selected(markexpr: str) -> bool:
    return re.search(r"(?<!not )\beditions\b", markexpr or "") is not None


def pytest_collection_modifyitems(config, items):
    """Skip the editions' tests unless the run selected them with ``-m editions``."""
    if _selected(config.option.markexpr):
        return
    skip = pytest.mark.skip(reason="the PDF and offline editions are checked by `make editions`")
    for item in items:
        if item.get_closest_marker("editions"):
            item.add_marker(skip)


def normalise(text: str) -> str:
    """Text as compared: Unicode compatibility forms (ligatures), one space for any run."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return " ".join(text.split())


def chapter_title(path: Path) -> str:
    """The H1 of a chapter page, as plain text."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return re.sub(r"[`*_]", "", line[2:]).strip()
    raise AssertionError(f"{path} has no H1")


# --------------------------------------------------------------------------- the files


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The normal build the editions were written into."""
    return Path(os.environ.get("SITE_DIR") or ROOT / "site").resolve()


@pytest.fixture(scope="session")
def print_site() -> Path:
    """The build holding the print page the PDF was printed from."""
    return Path(os.environ.get("PRINT_SITE_DIR") or ROOT / "build" / "print").resolve()


@pytest.fixture(scope="session")
def info(site_dir) -> dict:
    """``editions.json``: what ``scripts/editions.py`` made."""
    path = site_dir / editions.INFO_NAME
    assert path.is_file(), f"no {path}: run `make editions`"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def pdf(site_dir) -> Path:
    """The PDF edition."""
    path = site_dir / editions.PDF_NAME
    assert path.is_file(), f"no {path}: run `make editions`"
    return path


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} not found: apt-get install poppler-utils", pytrace=False)
    return found


@pytest.fixture(scope="session")
def pdf_pages_text(pdf) -> list[str]:
    """The PDF's text, page by page (poppler's ``pdftotext``)."""
    # -layout keeps each printed line whole (code and tables), instead of column by column.
    out = subprocess.run(
        [_poppler("pdftotext"), "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@pytest.fixture(scope="session")
def pdf_text(pdf_pages_text) -> str:
    """The whole PDF's text, normalised (see ``normalise``)."""
    return normalise(" ".join(pdf_pages_text))


@pytest.fixture(scope="session")
def pdf_images(pdf) -> list[dict[str, str]]:
    """Every image drawn in the PDF (``pdfimages -list``), one row each, masks left out."""
    out = subprocess.run(
        [_poppler("pdfimages"), "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    lines = out.splitlines()
    header = lines[0].split()
    rows = [dict(zip(header, line.split(), strict=False)) for line in lines[2:] if line.strip()]
    return [row for row in rows if row.get("type") == "image"]


@pytest.fixture(scope="session")
def print_page(print_site) -> PrintPage:
    """The print page's content, parsed: each page's section, outputs and figures."""
    path = print_site / editions.PRINT_PAGE / "index.html"
    assert path.is_file(), f"no {path}: run `make editions`"
    parser = _PrintPageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.result


@pytest.fixture(scope="session")
def offline_dir(site_dir, tmp_path_factory) -> Path:
    """The offline zip, unpacked into a temporary folder: its top folder."""
    archive = site_dir / editions.ZIP_NAME
    assert archive.is_file(), f"no {archive}: run `make editions`"
    target = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(target)
    return target / editions.ZIP_FOLDER


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium (the browser tests' launcher; no downloaded browser)."""
    with siteaudit.chromium_for_tests() as launched:
        yield launched


# --------------------------------------------------------------------------- the print page


@dataclass
class Output:
    """One ``.pagerun-output`` block of the print page."""

    section: str
    text: str
    in_details: bool
    #: The title of the collapsed block it is in ("" when in none).
    summary: str = ""


@dataclass
class PrintPage:
    """What the print page holds, by page section (``chapters-autograd`` etc.)."""

    sections: list[str] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)
    outputs: list[Output] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)
    images: int = 0
    summaries: list[str] = field(default_factory=list)
    #: The code of the engine's folded asserts, one string a block.
    folded_code: list[str] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)

    def section_of(self, title: str) -> str:
        """The section whose H1 is ``title``."""
        for section, heading in self.headings.items():
            if normalise(heading) == normalise(title):
                return section
        raise AssertionError(f"no section with the H1 {title!r} on the print page")


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _PrintPageParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = PrintPage()
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.inside_page = False
        self.section = ""
        self.code: list[str] | None = None
        self.code_depth = 0
        self.heading: list[str] | None = None
        self.buttons: list[str] | None = None
        self.buttons_depth = 0
        self.summary: list[str] | None = None
        self.folded = False
        self.open_summaries: list[str] = []

    def _classes(self, attrs: dict[str, str]) -> set[str]:
        return set((attrs.get("class") or "").split())

    def _within(self, css_class: str) -> bool:
        return any(css_class in self._classes(attrs) for _, attrs in self.stack)

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        classes = self._classes(values)
        if values.get("id") == "print-site-page":
            self.inside_page = True
        if tag == "section" and "print-page" in classes and "md-section" not in classes:
            self.section = values.get("id", "")
            self.result.sections.append(self.section)
        if self.inside_page and tag == "img":
            src = values.get("src", "")
            if not src.endswith(".svg") and not src.startswith("data:image/svg"):
                self.result.images += 1
            if "pagerun-figure" in classes:
                self.result.figures[self.section] = self.result.figures.get(self.section, 0) + 1
        if tag in _VOID:
            return
        self.stack.append((tag, values))
        if tag == "h1" and self.section and self.section not in self.result.headings:
            self.heading = []
        if tag == "code" and self._within("pagerun-output") and self.code is None:
            self.code, self.code_depth = [], len(self.stack)
        elif (
            tag == "code"
            and self.code is None
            and self.open_summaries
            and self.open_summaries[-1].startswith(editions.GUARD_TITLE)
        ):
            self.code, self.code_depth, self.folded = [], len(self.stack), True
        if tag == "details":
            self.open_summaries.append("")
        if tag == "summary" and self.inside_page:
            self.summary = []
        if tag == "p" and "pagerun-buttons" in classes:
            self.buttons, self.buttons_depth = [], len(self.stack)

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if (
            self.code is not None
            and tag == "code"
            and len(self.stack) == self.code_depth
            and self.folded
        ):
            self.result.folded_code.append("".join(self.code))
            self.code, self.folded = None, False
        if self.code is not None and tag == "code" and len(self.stack) == self.code_depth:
            in_details = any(name == "details" for name, _ in self.stack)
            summary = self.open_summaries[-1] if self.open_summaries else ""
            self.result.outputs.append(
                Output(self.section, "".join(self.code), in_details, summary)
            )
            self.code = None
        if self.summary is not None and tag == "summary":
            text = normalise("".join(self.summary))
            self.result.summaries.append(text)
            if self.open_summaries:
                self.open_summaries[-1] = text
            self.summary = None
        if tag == "details" and self.open_summaries:
            self.open_summaries.pop()
        if self.buttons is not None and len(self.stack) == self.buttons_depth:
            self.result.buttons.append(normalise("".join(self.buttons)))
            self.buttons = None
        if self.heading is not None and tag == "h1":
            # Without the permalink sign Material puts after every heading.
            text = "".join(self.heading).replace("\u00b6", "")
            self.result.headings[self.section] = normalise(text)
            self.heading = None
        while self.stack:
            name, _ = self.stack.pop()
            if name == tag:
                break

    def handle_data(self, data):
        for collected in (self.code, self.heading, self.buttons, self.summary):
            if collected is not None:
                collected.append(data)


def telling_lines(text: str, count: int = 3) -> list[str]:
    """Lines of an output worth looking for in the PDF: words and numbers, not too long."""
    found = []
    for line in text.splitlines():
        line = normalise(html.unescape(line))
        if (
            12 <= len(line) <= 70
            and re.search(r"[A-Za-z]{3}", line)
            and re.search(r"\d", line)
            and line not in found
        ):
            found.append(line)
        if len(found) == count:
            break
    return found
