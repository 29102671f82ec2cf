"""Broken pages on purpose: each problem is reported at the right file:line."""

from __future__ import annotations

import pytest

from pagerun import PageError, load_page, run_page

FENCE = "```"


def test_runtime_error_inside_included_snippet_names_the_snippet_line(project):
    project.write(
        "snippets/demo/tools.py",
        '''
        """Tools."""
        # --8<-- [start:divide]
        def divide(a, b):
            return a / b
        # --8<-- [end:divide]
        ''',
    )
    page = project.page(
        f"""
        # Page

        {FENCE}python
        --8<-- "snippets/demo/tools.py:divide"
        {FENCE}

        {FENCE}python
        divide(1, 0)
        {FENCE}
        """
    )
    run = run_page(page)
    error = str(run.cells[1].error)
    assert run.cells[0].status == "ok"
    assert error.startswith("snippets/demo/tools.py:4: ZeroDivisionError: division by zero")
    assert 'File "docs/page.md", line 8' in error  # the call, on the page


def test_syntax_error_on_a_page_names_the_page_line(project):
    page = project.page(
        f"""
        # Page

        {FENCE}python
        x = 1
        y = (2 +
        {FENCE}
        """
    )
    cell = run_page(page).cells[0]
    assert cell.status == "error"
    assert str(cell.error).startswith("docs/page.md:5: SyntaxError:")


def test_missing_snippet_file_names_the_include_line(project):
    page = project.page(
        f"""
        # Page

        Some text.

        {FENCE}python
        --8<-- "snippets/nowhere.py"
        {FENCE}
        """
    )
    with pytest.raises(PageError) as caught:
        load_page(page)
    assert caught.value.location == "docs/page.md:6"
    assert "snippets/nowhere.py" in str(caught.value)


def test_unknown_section_names_the_include_line(project):
    project.write("snippets/tools.py", "# --8<-- [start:real]\nx = 1\n# --8<-- [end:real]\n")
    page = project.page(
        f"""
        # Page

        {FENCE}python
        --8<-- "snippets/tools.py:imaginary"
        {FENCE}
        """
    )
    with pytest.raises(PageError) as caught:
        load_page(page)
    assert caught.value.location == "docs/page.md:4"
    assert "imaginary" in caught.value.message


def test_failing_fence_in_the_middle_stops_the_page_and_names_its_line(project):
    page = project.page(
        f"""
        # Page

        {FENCE}python
        x = 1
        {FENCE}

        {FENCE}python
        raise ValueError("broken on purpose")
        {FENCE}

        {FENCE}python
        print("after")
        {FENCE}
        """
    )
    run = run_page(page)
    assert [cell.status for cell in run.cells] == ["ok", "error", "not-run"]
    assert str(run.cells[1].error).startswith("docs/page.md:8: ValueError: broken on purpose")
    assert run.cells[2].reason == "not run: an earlier fence failed at docs/page.md:7"
    assert not run.ok


@pytest.mark.parametrize(
    ("info", "complaint"),
    [
        ("bash", "would be executed"),
        ("sh", "would be executed"),
        ("py", "not collected by pytest-codeblocks"),
        ('python title="x.py"', "not collected by pytest-codeblocks"),
        ("pycon", "not collected by pytest-codeblocks"),
    ],
)
def test_fences_that_would_silently_not_run_are_rejected(project, info, complaint):
    page = project.page(f"# Page\n\ntext\n\n{FENCE}{info}\nprint(1)\n{FENCE}\n")
    with pytest.raises(PageError) as caught:
        load_page(page)
    assert caught.value.location == "docs/page.md:5"
    assert complaint in caught.value.message


def test_unclosed_fence_is_reported(project):
    page = project.page(f"# Page\n\n{FENCE}python\nprint(1)\n")
    with pytest.raises(PageError, match="never closed") as caught:
        load_page(page)
    assert caught.value.location == "docs/page.md:3"


def test_skip_without_reason_is_rejected(project):
    page = project.page(f"# Page\n\n<!--pytest.mark.skip-->\n{FENCE}python\nprint(1)\n{FENCE}\n")
    with pytest.raises(PageError, match="needs a reason"):
        load_page(page)


def test_unknown_codeblocks_keyword_is_reported_at_its_line(project):
    page = project.page(f"# Page\n\n<!--pytest-codeblocks:frobnicate-->\n{FENCE}python\n{FENCE}\n")
    with pytest.raises(PageError, match="frobnicate") as caught:
        load_page(page)
    assert caught.value.location == "docs/page.md:3"
