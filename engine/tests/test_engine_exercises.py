"""Self-checking exercises: the engine proves every check both ways."""

from __future__ import annotations

import pytest

from pagerun import PageError, load_page, run_page
from pagerun.model import Status

FENCE = "```"

CHECKS = """\
class CheckFailed(AssertionError):
    is_check_failure = True


def check_double(double):
    if double is None or double(2) != 4:
        raise CheckFailed("double(2) should be 4: did you return 2 * x?")
    print("Check passed: double(2) == 4")
"""


def _page(project, starter="def double(x):\n    ...", check="check_double(double)", solution=None):
    project.write("snippets/ex/checks.py", CHECKS)
    solution = solution or "def double(x):\n    return 2 * x"
    return project.page(
        f"""\
# Exercises

{FENCE}python
--8<-- "snippets/ex/checks.py"
{FENCE}

1. Write `double`.

    <!--pagerun:starter double-->
    {FENCE}python
    {starter.replace(chr(10), chr(10) + "    ")}
    {FENCE}

    <!--pagerun:check double-->
    {FENCE}python
    {check}
    {FENCE}

    ??? success "Solution"

        <!--pagerun:solution double-->
        {FENCE}python
        {solution.replace(chr(10), chr(10) + "        ")}
        {FENCE}
"""
    )


def test_check_fails_on_the_starter_with_its_message_and_passes_on_the_solution(project):
    run = run_page(_page(project))
    assert run.ok, run.first_error and str(run.first_error.error)
    setup, starter, check, solution = run.cells
    assert check.output == "CheckFailed: double(2) should be 4: did you return 2 * x?\n"
    assert solution.output == "Check passed: double(2) == 4\n"


def test_a_check_that_passes_on_the_starter_is_vacuous(project):
    page = _page(project, starter="def double(x):\n    return x + x")
    cell = run_page(page).cells[2]
    assert cell.status == Status.ERROR and "passes on the starter" in str(cell.error)


def test_a_check_that_crashes_on_the_starter_is_reported(project):
    page = _page(project, check="check_dubble(double)")
    cell = run_page(page).cells[2]
    assert cell.status == Status.ERROR and "crashed on the starter with NameError" in str(
        cell.error
    )


def test_a_wrong_solution_fails_its_check_at_the_solution(project):
    page = _page(project, solution="def double(x):\n    return x * 3")
    cell = run_page(page).cells[3]
    assert cell.status == Status.ERROR
    assert "the solution of exercise 'double' fails its check: CheckFailed" in str(cell.error)
    assert str(cell.error).startswith("docs/page.md:")


def test_an_exercise_missing_a_part_is_refused(project):
    page = project.page(f"# P\n\n<!--pagerun:starter lonely-->\n{FENCE}python\nx = ...\n{FENCE}\n")
    with pytest.raises(PageError, match="exercise 'lonely' has starter: it needs"):
        load_page(page)


def test_exercise_notebook_has_starters_and_checks_and_no_solutions(project):
    from pagerun.notebook import build_exercise_notebook

    page = load_page(_page(project))
    run = run_page(page.path)
    notebook = build_exercise_notebook(page, run)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].startswith("class CheckFailed")  # the chapter's code comes first
    assert code[1:] == ["def double(x):\n    ...", "check_double(double)"]
    text = "\n".join(cell.source for cell in notebook.cells)
    assert "    return 2 * x" not in text and "Solution" not in text
    solved = build_exercise_notebook(page, run, solutions=True)
    namespace: dict = {}
    for cell in solved.cells:
        if cell.cell_type == "code":
            exec(cell.source, namespace)  # noqa: S102 - with the solutions, every check passes


def test_a_checks_message_is_shown_wrapped_and_the_solutions_output_is_not(project):
    """A check's verdict and hint wrap on the page; printed results keep their layout."""
    from pagerun.render import render_markdown

    path = _page(project)
    lines = render_markdown(load_page(path), run_page(path)).splitlines()
    titled = {line.strip() for line in lines if "pagerun-output" in line}
    assert (
        '``` { .text .pagerun-output .pagerun-message title="Output with the starter as given" }'
        in titled
    )
    assert '``` { .text .pagerun-output title="Output, then the check on this solution" }' in titled
