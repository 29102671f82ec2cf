"""One walk over a page: every line classified once; the model round-trips through JSON."""

from __future__ import annotations

import json

from pagerun import ItemKind, load_page, walk
from pagerun.model import CellResult, ErrorInfo, Figure, Location, PageRun, Status, Value
from pagerun.notebook import build_notebook
from pagerun.session import PageSession

FENCE = "```"

PAGE = f"""\
---
title: Walk
---

# Walk

Intro with a term.

<!--pytest.mark.skip(reason="online only: needs a key")-->
{FENCE}python
upload()
{FENCE}

!!! note "A box"

    Inside.

    {FENCE}python
    x = 1
    print(x)
    {FENCE}

{FENCE}text
1
{FENCE}

??? success "Solution"

    {FENCE}console
    $ pip install nothing
    {FENCE}

<!--pytest.mark.xfail(raises=ZeroDivisionError, reason="shows the real error")-->
{FENCE}python
1 / 0
{FENCE}

## After `code`

*[term]: A word with a tooltip.
"""


def _page(project):
    return load_page(project.page(PAGE))


def test_walk_covers_every_line_once_and_classifies_it(project):
    page = _page(project)
    items = list(walk(page))
    covered = [n for item in items for n in range(item.start, item.end + 1)]
    assert covered == list(range(len(page.lines)))
    kinds = [item.kind for item in items if item.kind != ItemKind.PROSE]
    assert kinds == [
        ItemKind.FRONT_MATTER,
        ItemKind.HEADING,
        ItemKind.MARKER,
        ItemKind.CODE,
        ItemKind.CONTAINER,
        ItemKind.CODE,
        ItemKind.DISPLAY,
        ItemKind.CONTAINER,
        ItemKind.DISPLAY,
        ItemKind.MARKER,
        ItemKind.CODE,
        ItemKind.HEADING,
        ItemKind.ABBREVIATION,
    ]
    box, solution = (item for item in items if item.kind == ItemKind.CONTAINER)
    assert (box.title, box.container, box.collapsed) == ("A box", "note", False)
    assert (solution.title, solution.container, solution.collapsed) == ("Solution", "success", True)
    inside = next(item for item in items if item.kind == ItemKind.CODE and item.depth)
    assert inside.depth == 4 and inside.fence.code == "x = 1\nprint(x)\n"


def test_fence_kinds_come_from_their_marks(project):
    page = _page(project)
    assert [str(fence.kind) for fence in page.fences] == ["skipped", "lesson", "expected-error"]
    assert page.fences[2].expected_error is ZeroDivisionError


def test_notebook_runs_top_to_bottom_guards_and_catches(project):
    page = _page(project)
    with PageSession(page) as session:
        run = session.run_all()
    assert run.ok
    assert run.cells[2].output == "ZeroDivisionError: division by zero\n"
    notebook = build_notebook(page, run)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert "RUN_THIS_CELL = False" in code[0] and "    upload()" in code[0]
    assert code[2].startswith("try:") and "except ZeroDivisionError as error:" in code[2]
    namespace: dict = {}
    for source in code:  # "Run all": no cell may stop the notebook
        exec(source, namespace)  # noqa: S102 - the notebook's own cells
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "*[term]" not in prose and "pytest.mark" not in prose and "title: Walk" not in prose
    assert "**A box**" in prose and "## After code" in prose


def test_run_round_trips_through_json_with_typed_values():
    cell = CellResult(
        index=0,
        location=Location("docs/a: b.md", 7),  # a path with ": " stays a path
        status=Status.ERROR,
        output="out\n",
        value=Value("1", "<b>1</b>"),
        figures=[Figure("iVBOR", "A line")],
        error=ErrorInfo(Location("snippets/x.py", 3), "ValueError: no", "Traceback ..."),
    )
    run = PageRun("docs/a: b.md", [cell], {"python": "3.11"}, "2026-12-03T12:00:00+00:00", 1.0)
    again = PageRun.from_dict(json.loads(json.dumps(run.to_dict())))
    assert again == run
    assert again.cells[0].error.location == Location("snippets/x.py", 3)
    assert str(again.cells[0].error).startswith("snippets/x.py:3: ValueError: no")


def test_records_of_another_schema_are_refused():
    data = PageRun("p.md", [], {}, "", 0.0).to_dict()
    data["schema"] = 1
    try:
        PageRun.from_dict(data)
    except ValueError as error:
        assert "schema" in str(error)
    else:
        raise AssertionError("an old record was read")


def test_guard_fences_run_and_render_folded_away(project):
    from pagerun.render import render_markdown

    text = f"# P\n\nThe answer is 42.\n\n<!--pagerun:guard-->\n{FENCE}python\nassert 6 * 7 == 42\n"
    page = load_page(project.page(text + f"{FENCE}\n"))
    assert page.fences[0].guard
    with PageSession(page) as session:
        run = session.run_all()
    lines = render_markdown(page, run).splitlines()
    folded = lines.index('??? success "Checked when this page was built"')
    assert lines[folded + 2 : folded + 5] == [
        f"    {FENCE}python",
        "    assert 6 * 7 == 42",
        f"    {FENCE}",
    ]


def test_an_unknown_pagerun_marker_is_refused(project):
    import pytest

    from pagerun import PageError

    page = project.page(f"# P\n\n<!--pagerun:gaurd-->\n{FENCE}python\nx = 1\n{FENCE}\n")
    with pytest.raises(PageError, match="unknown marker"):
        load_page(page)


def test_notebook_links_point_at_the_site_in_every_markdown_cell(project):
    text = f"# P\n\nSee [tensors](tensors.md).\n\n{FENCE}python\nx = 1\n{FENCE}\n\n"
    text += "And [this](other.md#a).\n"
    page = load_page(project.page(text, "chapters/p.md"))
    with PageSession(page) as session:
        run = session.run_all()
    notebook = build_notebook(page, run, site_url="https://example.org/site/")
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "](https://example.org/site/chapters/tensors/)" in prose
    assert "](https://example.org/site/chapters/other/#a)" in prose
    assert ".md)" not in prose
