"""One walk over a page: what each expanded line *is*, decided once for every writer.

The site renderer, the notebook writer (and any later writer: exercise
notebooks, a print edition) iterate over the same :class:`Item` sequence, so
a page and its notebook cannot disagree on what is prose, what is code with
its result, what is a container (admonition, collapsed block, content tab)
and what is hidden (front matter, marker comments, expected-output blocks,
abbreviation definitions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from pagerun.expand import TracedLine
from pagerun.model import CellResult, PageRun
from pagerun.page import Fence, Page

# An admonition (`!!! note "Title"`, `??? success`, `???+ tip`) or a content tab (`=== "pip"`).
_CONTAINER = re.compile(
    r"^(?P<pad> *)(?:"
    r"(?P<marker>!!!|\?\?\?\+?) *(?P<kind>[\w-]+)(?: +[\w-]+)*"
    r'(?: +"(?P<title>[^"]*)")?'
    r'|=== +"(?P<tab>[^"]*)"'
    r")\s*$"
)
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")
_ABBREVIATION = re.compile(r"^\*\[[^\]]+\]:")


class ItemKind(StrEnum):
    """What a stretch of a page is."""

    FRONT_MATTER = "front-matter"  #: read by MkDocs into page.meta
    HEADING = "heading"  #: a Markdown heading (``# ...``), outside any fence
    PROSE = "prose"  #: any other Markdown line
    CONTAINER = "container"  #: the opening line of an admonition, collapsed block or tab
    DISPLAY = "display"  #: a fence that is shown, never run (console, text, ...)
    CODE = "code"  #: a python fence, with its result
    MARKER = "marker"  #: an HTML comment such as a pytest mark: never shown
    EXPECTED_OUTPUT = "expected-output"  #: a checked expected-output block: the real output shows
    ABBREVIATION = "abbreviation"  #: an ``*[term]: definition`` line, for tooltips


@dataclass(frozen=True)
class Item:
    """One stretch of an expanded page.

    Attributes:
        kind: What it is.
        start: Index of its first line in ``page.lines``.
        end: Index of its last line (inclusive).
        depth: Indentation of the containers it sits in (spaces), which a
            writer without containers strips.
        title: A container's title (or tab label); a heading's text.
        container: A container's kind (``note``, ``success``, ``tab``, ...).
        collapsed: Whether a container is a collapsed ``???`` block.
        fence: For code, the fence.
        cell: For code, its result.
        within: The containers the item sits in, outermost first, as
            ``(kind, title)`` (the container's own opening line excluded).
    """

    kind: ItemKind
    start: int
    end: int
    depth: int = 0
    title: str = ""
    container: str = ""
    collapsed: bool = False
    fence: Fence | None = None
    cell: CellResult | None = None
    within: tuple[tuple[str, str], ...] = ()

    def in_solution(self) -> bool:
        """Whether the item sits in a block titled "Solution..." (an exercise's answer)."""
        return any(title.startswith("Solution") for _, title in self.within)

    def lines(self, page: Page) -> list[TracedLine]:
        """The item's lines, as written (indentation included)."""
        return page.lines[self.start : self.end + 1]


def walk(page: Page, run: PageRun | None = None) -> Iterator[Item]:
    """Yield the page's items in order.

    Args:
        page: The loaded page.
        run: Its run; when given, each code item carries its fence's result.

    Yields:
        Items covering every line of the page exactly once.
    """
    cells = list(run.cells) if run is not None else []
    by_start = {fence.start: fence for fence in page.fences}
    blocks = {block.start: block for block in page.blocks}
    expected = {
        fence.expected_block.start for fence in page.fences if fence.expected_block is not None
    }
    open_containers: list[tuple[int, str, str]] = []  # (indentation, kind, title) of each
    number = 0
    if page.lines and page.lines[0].strip() == "---":
        end = next(
            (n for n in range(1, len(page.lines)) if page.lines[n].strip() == "---"),
            len(page.lines) - 1,
        )
        yield Item(ItemKind.FRONT_MATTER, 0, end)
        number = end + 1
    while number < len(page.lines):
        line = page.lines[number]
        indent = len(line) - len(line.lstrip(" "))
        while open_containers and line.strip() and indent <= open_containers[-1][0]:
            open_containers.pop()
        depth = 4 * len(open_containers)
        within = tuple((kind, title) for _, kind, title in open_containers)
        block = blocks.get(number)
        if block is not None:
            fence = by_start.get(number)
            if fence is not None:
                cell = cells[fence.index] if fence.index < len(cells) else None
                yield Item(
                    ItemKind.CODE, number, block.end, depth, fence=fence, cell=cell, within=within
                )
            elif number in expected:
                yield Item(ItemKind.EXPECTED_OUTPUT, number, block.end, depth, within=within)
            else:
                yield Item(ItemKind.DISPLAY, number, block.end, depth, within=within)
            number = block.end + 1
            continue
        match = _CONTAINER.match(line)
        if match:
            container = "tab" if match["tab"] is not None else match["kind"]
            title = match["tab"] or match["title"] or (match["kind"] or "").capitalize()
            collapsed = (match["marker"] or "") == "???"
            yield Item(
                ItemKind.CONTAINER,
                number,
                number,
                depth,
                title,
                container,
                collapsed,
                within=within,
            )
            open_containers.append((indent, container, title))
        elif _COMMENT.match(line):
            yield Item(ItemKind.MARKER, number, number, depth, within=within)
        elif _ABBREVIATION.match(line):
            yield Item(ItemKind.ABBREVIATION, number, number, depth, within=within)
        elif line[min(depth, indent) :].startswith("#"):
            title = line.strip().lstrip("#").strip()
            yield Item(ItemKind.HEADING, number, number, depth, title=title, within=within)
        else:
            yield Item(ItemKind.PROSE, number, number, depth, within=within)
        number += 1
