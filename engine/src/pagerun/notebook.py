"""A page as a Jupyter notebook, carrying the outputs of the same run."""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

import nbformat
from nbformat import v4

from pagerun.model import CellResult, FenceKind, PageRun, Status
from pagerun.page import Fence, Page
from pagerun.walk import ItemKind, walk


def build_notebook(
    page: Page, run: PageRun, setup_code: str = "", site_url: str = ""
) -> nbformat.NotebookNode:
    """Turn a page and its run into a notebook with the run's outputs.

    Material-only Markdown (admonitions, tabs, marker comments) becomes plain
    Markdown that Jupyter and Colab render. Every code cell runs in a fresh
    kernel from top to bottom ("Run all"): a fence that shows an error on
    purpose catches it and prints it, and a fence that cannot run where the
    page was built (online only, needs GPUs) is guarded by a flag the reader
    can set.

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
    cells = []
    prose: list[str] = []
    count = 0
    for item in walk(page, run):
        if item.kind in _HIDDEN:
            continue
        if item.kind == ItemKind.CODE:
            _flush(prose, cells)
            count += item.cell.status == Status.OK
            cells.append(_code_cell(item.fence, item.cell, count))
        elif item.kind == ItemKind.CONTAINER:
            prose.append(f"**{item.title}**" if item.title else "")
        elif item.kind == ItemKind.HEADING:
            # Renderers disagree on anchors for headings with inline code: keep them plain.
            prose.append(_strip(page.lines[item.start], item.depth).replace("`", ""))
        else:
            prose.extend(
                _site_links(_strip(line, item.depth), page, site_url) for line in item.lines(page)
            )
    _flush(prose, cells)
    if setup_code:
        # Right before the first code cell: after the title and introduction.
        first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
        cells.insert(first_code, _code(setup_code))
    notebook = _notebook(cells)
    notebook.metadata.update(
        {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": run.versions.get("python", "")},
            "pagerun": {"page": page.name, "date": run.date, "versions": run.versions},
        }
    )
    return notebook


#: Never in a notebook: MkDocs' front matter, engine marks, checked expected-output blocks,
#: and abbreviation definitions (tooltips are a site feature).
_HIDDEN = {ItemKind.FRONT_MATTER, ItemKind.MARKER, ItemKind.EXPECTED_OUTPUT, ItemKind.ABBREVIATION}


def _strip(line: str, depth: int) -> str:
    indent = len(line) - len(line.lstrip(" "))
    return str(line)[min(depth, indent) :]


def _flush(prose: list[str], cells: list) -> None:
    text = "\n".join(prose).strip("\n")
    if text.strip():
        cells.append(_markdown(text))
    prose.clear()


def _code_cell(fence: Fence, cell: CellResult, count: int, with_outputs: bool = True):
    source = fence.code.rstrip("\n")
    if cell.status == Status.SKIPPED:
        return _code(_guarded(source, cell.reason))
    if fence.kind == FenceKind.EXPECTED_ERROR:
        source = _caught(source, fence.expected_error)
    elif fence.kind == FenceKind.EXERCISE_CHECK:
        # Run on the starter as given, a check fails (CheckFailed is an AssertionError).
        source = _caught(source, AssertionError)
    if not with_outputs:
        return _code(source)
    outputs = []
    if cell.output:
        outputs.append(v4.new_output("stream", name="stdout", text=cell.output))
    for figure in cell.figures:
        outputs.append(
            v4.new_output("display_data", data={"image/png": figure.png, "text/plain": figure.alt})
        )
    if cell.value is not None:
        data = {"text/plain": cell.value.text}
        if cell.value.html is not None:
            data["text/html"] = cell.value.html
        outputs.append(v4.new_output("execute_result", data=data, execution_count=count))
    return _code(source, outputs=outputs, execution_count=count)


def _guarded(source: str, reason: str) -> str:
    """A cell that could not run where the notebook was made: off unless the reader says so."""
    body = "\n".join(f"    {line}" if line else "" for line in source.split("\n"))
    return (
        f"# Not run when this notebook was made: {reason}\n"
        "# Where you can run it, set RUN_THIS_CELL = True.\n"
        "RUN_THIS_CELL = False\n"
        "if RUN_THIS_CELL:\n"
        f"{body}\n"
        "else:\n"
        f"    print({('Skipped: ' + reason)!r})"
    )


def _caught(source: str, expected: type[BaseException] | None) -> str:
    """A cell that shows an error on purpose: it prints the error instead of stopping "Run all"."""
    name = expected.__name__ if expected is not None else "Exception"
    body = "\n".join(f"    {line}" if line else "" for line in source.split("\n"))
    return (
        f"try:  # this cell raises {name} on purpose\n"
        f"{body}\n"
        f"except {name} as error:\n"
        '    print(f"{type(error).__name__}: {error}")'
    )


def build_exercise_notebook(
    page: Page,
    run: PageRun,
    setup_code: str = "",
    site_url: str = "",
    solutions: bool = False,
) -> nbformat.NotebookNode | None:
    """Turn a page's exercises into a notebook to work in: starters and checks, no solutions.

    The chapter's own code comes first (code only: run it, then start), then
    the exercises' text, each starter and its check.

    Args:
        page: The loaded page.
        run: Its run.
        setup_code: An optional first code cell.
        site_url: The site's address, for links to other pages.
        solutions: Put each exercise's solution in place of its starter (what
            the tests run to prove every check passes on a right answer).

    Returns:
        A version-4 notebook, or ``None`` when the page has no self-checking exercise.
    """
    items = list(walk(page, run))
    starters = [i for i, item in enumerate(items) if _kind(item) == FenceKind.EXERCISE_STARTER]
    if not starters:
        return None
    begin = max(
        (i for i, item in enumerate(items[: starters[0]]) if item.kind == ItemKind.HEADING),
        default=starters[0],
    )
    answers = {
        item.fence.exercise: item.fence.code
        for item in items
        if _kind(item) == FenceKind.EXERCISE_SOLUTION
    }
    title = next((item.title for item in items if item.kind == ItemKind.HEADING), page.name)
    cells = [
        _markdown(
            f"# Exercises: {title}\n\n"
            "Run the chapter's code below first. Then, for each exercise, replace the `...` "
            "in the starter cell with your answer and run the check under it: it says what "
            "is wrong, or that your answer passes. The solutions are on the chapter's page."
        )
    ]
    if setup_code:
        cells.append(_code(setup_code))
    cells.append(_markdown("## The chapter's code"))
    for item in items[:begin]:
        if item.kind == ItemKind.CODE:
            cells.append(_code_cell(item.fence, item.cell, 0, with_outputs=False))
    prose: list[str] = []
    for item in items[begin:]:
        if item.in_solution() or item.kind in _HIDDEN:
            continue
        if item.kind == ItemKind.CONTAINER and item.title.startswith("Solution"):
            continue
        if item.kind == ItemKind.CODE:
            _flush(prose, cells)
            cell = _code_cell(item.fence, item.cell, 0, with_outputs=False)
            if item.fence.kind == FenceKind.EXERCISE_CHECK:
                cell.source = item.fence.code.rstrip("\n")  # the reader's check: it may fail
            if solutions and item.fence.kind == FenceKind.EXERCISE_STARTER:
                cell.source = answers[item.fence.exercise].rstrip("\n")
            if item.fence.part is not None:
                # Tools (and the tests) find each exercise's cells by these tags.
                cell.metadata["tags"] = [f"exercise-{item.fence.part}"]
            cells.append(cell)
        elif item.kind == ItemKind.CONTAINER:
            prose.append(f"**{item.title}**" if item.title else "")
        else:
            prose.extend(
                _site_links(_strip(line, item.depth), page, site_url) for line in item.lines(page)
            )
    _flush(prose, cells)
    notebook = _notebook(cells)
    notebook.metadata.update(
        {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": run.versions.get("python", "")},
            "pagerun": {"page": page.name, "exercises": True, "solutions": solutions},
        }
    )
    return notebook


def _kind(item) -> FenceKind | None:
    return item.fence.kind if item.kind == ItemKind.CODE else None


_PAGE_LINK = re.compile(r"\]\((?P<target>[^)\s#:]+\.md)(?P<anchor>#[^)\s]*)?\)")


def _site_links(line: str, page: Page, site_url: str) -> str:
    """Point Markdown links to other pages at those pages on the site."""
    if not site_url or ".md" not in line:
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
    text = v4.nbjson.writes(notebook) + "\n"  # what nbformat.writes makes, minus its validation
    target = Path(path)
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return  # unchanged: keep its date, so `mkdocs serve --dirty` does not convert it again
    nbformat.validate(notebook)
    target.write_text(text, encoding="utf-8")


def _stable_ids(notebook: nbformat.NotebookNode) -> None:
    """Give each cell an id derived from its content, in place.

    nbformat's cell constructors draw random ids, so the same page made a
    different file on every build: mkdocs-jupyter's conversion cache (keyed on
    the file's bytes) never hit, and every notebook looked modified to
    ``mkdocs serve --dirty``. A hash of the cell keeps an id across builds and
    across edits elsewhere in the page.
    """
    seen: dict[str, int] = {}
    for cell in notebook.cells:
        digest = hashlib.sha1(f"{cell.cell_type}\0{cell.source}".encode()).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        cell.id = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


# nbformat's v4.new_code_cell and new_markdown_cell validate each cell against the
# schema as they make it (most of the time it takes to make a chapter's notebook,
# for every chapter on every `mkdocs serve` rebuild). These make the same cells;
# write_notebook validates the whole notebook once, when its file changes.


def _code(source: str, outputs: list | None = None, execution_count: int | None = None):
    return nbformat.NotebookNode(
        id="",
        cell_type="code",
        metadata=nbformat.NotebookNode(),
        execution_count=execution_count,
        source=source,
        outputs=outputs or [],
    )


def _notebook(cells: list) -> nbformat.NotebookNode:
    notebook = v4.new_notebook()  # validated empty: the cells are checked when written
    notebook.cells = cells
    _stable_ids(notebook)
    return notebook


def _markdown(source: str):
    return nbformat.NotebookNode(
        id="", cell_type="markdown", metadata=nbformat.NotebookNode(), source=source
    )
