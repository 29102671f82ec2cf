"""A page as a Jupyter notebook, carrying the outputs of the same run."""

from __future__ import annotations

import posixpath
import re

import nbformat
from nbformat import v4

from pagerun.page import Page
from pagerun.session import CellResult, PageRun

# An admonition (`!!! note "Title"`, `??? success`) or a content tab (`=== "pip"`).
_CONTAINER = re.compile(
    r"^(?P<pad> *)(?:"
    r'(?:!!!|\?\?\?\+?) *(?P<kind>\w+)(?: +"(?P<title>[^"]*)")?'
    r'|=== +"(?P<tab>[^"]*)"'
    r")\s*$"
)


def build_notebook(
    page: Page, run: PageRun, setup_code: str = "", site_url: str = ""
) -> nbformat.NotebookNode:
    """Turn a page and its run into a notebook with the run's outputs.

    Material-only Markdown (admonitions, tabs, marker comments) becomes plain
    Markdown that Jupyter and Colab render.

    Args:
        page: The loaded page.
        run: Its run.
        setup_code: An optional first code cell (for example, installing the
            helper package on Colab).
        site_url: The site's address; links to other pages (``tensors.md``)
            become links to those pages on the site, which work from Jupyter,
            Colab and the rendered notebook alike.

    Returns:
        A version-4 notebook.
    """
    lines = [_site_links(line, page, site_url) for line in _plain_markdown(page)]
    cells = []
    prose: list[str] = []
    position = 0
    count = 0
    skip_until = -1
    expected = {page.all_fences[f.expected_fence][0] for f in page.fences if f.expected_fence}
    by_start = {
        fence.start: (fence, cell) for fence, cell in zip(page.fences, run.cells, strict=True)
    }
    for position, line in enumerate(lines):
        if position <= skip_until:
            continue
        if position in by_start:
            fence, cell = by_start[position]
            _flush(prose, cells)
            count += cell.status == "ok"
            cells.append(_code_cell(fence.code, cell, count))
            skip_until = fence.end
        elif position in expected:
            skip_until = next(end for start, end, _, _ in page.all_fences if start == position)
        elif line is not None:
            prose.append(line)
    _flush(prose, cells)
    if setup_code:
        # Right before the first code cell: after the title and introduction.
        first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
        cells.insert(first_code, v4.new_code_cell(setup_code))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata.update(
        {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": run.versions.get("python", "")},
            "pagerun": {"page": page.name, "date": run.date, "versions": run.versions},
        }
    )
    return notebook


def _flush(prose: list[str], cells: list) -> None:
    text = "\n".join(prose).strip("\n")
    if text.strip():
        cells.append(v4.new_markdown_cell(text))
    prose.clear()


def _code_cell(code: str, cell: CellResult, count: int):
    source = code.rstrip("\n")
    if cell.status == "skipped":
        return v4.new_code_cell(f"# Not run when this notebook was made: {cell.reason}\n{source}")
    outputs = []
    if cell.output:
        outputs.append(v4.new_output("stream", name="stdout", text=cell.output))
    for figure in cell.figures:
        outputs.append(
            v4.new_output(
                "display_data", data={"image/png": figure["png"], "text/plain": figure["alt"]}
            )
        )
    if cell.value is not None:
        data = {"text/plain": cell.value["text"]}
        if "html" in cell.value:
            data["text/html"] = cell.value["html"]
        outputs.append(v4.new_output("execute_result", data=data, execution_count=count))
    return v4.new_code_cell(source, outputs=outputs, execution_count=count)


def _plain_markdown(page: Page) -> list[str | None]:
    """Return one entry per expanded line: plain Markdown, or None to drop the line."""
    out: list[str | None] = []
    open_blocks: list[int] = []  # indentation of each open admonition or tab
    in_fence = {n for start, end, _, _ in page.all_fences for n in range(start, end + 1)}
    in_front_matter = bool(page.lines) and page.lines[0].strip() == "---"
    for number, raw in enumerate(page.lines):
        line = str(raw)
        if in_front_matter:
            in_front_matter = number == 0 or line.strip() != "---"
            out.append(None)
            continue
        indent = len(line) - len(line.lstrip(" "))
        while open_blocks and line.strip() and indent <= open_blocks[-1]:
            open_blocks.pop()
        depth = 4 * len(open_blocks)
        body = line[min(depth, indent) :]
        match = _CONTAINER.match(line)
        if match:
            title = match["tab"] or match["title"] or (match["kind"] or "").capitalize()
            out.append(f"**{title}**" if title else "")
            open_blocks.append(indent)
        elif line.strip().startswith("<!--") and line.strip().endswith("-->"):
            out.append(None)
        elif number not in in_fence and body.startswith("#"):
            # Renderers disagree on anchors for headings with inline code: keep them plain.
            out.append(body.replace("`", ""))
        else:
            out.append(body)
    return out


_PAGE_LINK = re.compile(r"\]\((?P<target>[^)\s#:]+\.md)(?P<anchor>#[^)\s]*)?\)")


def _site_links(line: str | None, page: Page, site_url: str) -> str | None:
    """Point Markdown links to other pages at those pages on the site."""
    if line is None or not site_url or ".md" not in line:
        return line
    folder = posixpath.dirname(posixpath.relpath(page.name, "docs"))

    def absolute(match: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(folder, match["target"]))
        path = target[: -len("index.md")] if target.endswith("index.md") else target[:-3] + "/"
        return f"]({site_url.rstrip('/')}/{path}{match['anchor'] or ''})"

    return _PAGE_LINK.sub(absolute, line)


def write_notebook(notebook: nbformat.NotebookNode, path) -> None:
    """Validate and write a notebook.

    Args:
        notebook: The notebook.
        path: Where to write it.
    """
    nbformat.validate(notebook)
    with open(path, "w", encoding="utf-8") as handle:
        nbformat.write(notebook, handle)
