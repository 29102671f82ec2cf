"""Every chapter notebook runs from top to bottom in a fresh Jupyter kernel ("Run all").

The notebooks are built exactly as the site builds them (the same page run,
from the tests' record when it is current), then executed with nbclient,
offline, on a CPU. A cell that raises fails the test with the notebook's cell
and error. Run with ``make test-notebooks`` (the CI workflow runs it as its
own job: it costs about as much as running every page again).
"""

from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat
import pytest

from pagerun.build import SiteBuild, colab_setup_code

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "docs" / "chapters").glob("*.md"))

pytestmark = pytest.mark.notebooks


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_chapter_notebook_runs_all_cells_in_a_fresh_kernel(chapter, tmp_path):
    build = SiteBuild(ROOT, ROOT / "docs", tmp_path / "site")
    src_uri = chapter.relative_to(ROOT / "docs").as_posix()
    if build.run_page(src_uri) is None:
        pytest.skip(f"{src_uri} has no Python fences, so no notebook")
    uri = build.write_notebook(src_uri, colab_setup_code("https://github.com/org/repo"))
    notebook = nbformat.read(build.notebook_dir / Path(uri).name, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},  # a clean working folder, as on the page
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{src_uri}: the notebook stops at a cell:\n{error}", pytrace=False)


def _exercise_notebook(chapter: Path, tmp_path: Path, solutions: bool):
    from pagerun.notebook import build_exercise_notebook

    build = SiteBuild(ROOT, ROOT / "docs", tmp_path / "site")
    src_uri = chapter.relative_to(ROOT / "docs").as_posix()
    found = build.run_page(src_uri)
    if found is None:
        pytest.skip(f"{src_uri} has no Python fences")
    page, run = found
    notebook = build_exercise_notebook(page, run, solutions=solutions)
    if notebook is None:
        pytest.skip(f"{src_uri} has no self-checking exercises")
    return src_uri, notebook


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_exercise_notebook_checks_fail_on_the_starters_with_their_message(chapter, tmp_path):
    src_uri, notebook = _exercise_notebook(chapter, tmp_path, solutions=False)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    problems = []
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        errors = [out for out in cell.get("outputs", []) if out.output_type == "error"]
        is_check = "exercise-check" in cell.metadata.get("tags", [])
        if is_check and not any(error.ename == "CheckFailed" for error in errors):
            problems.append(
                f"cell {number}: this check did not fail on its starter:\n{cell.source}"
            )
        elif not is_check and errors:
            problems.append(f"cell {number} crashed ({errors[0].ename}: {errors[0].evalue})")
    assert not problems, f"{src_uri} exercise notebook:\n" + "\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_exercise_notebook_checks_pass_with_the_solutions(chapter, tmp_path):
    src_uri, notebook = _exercise_notebook(chapter, tmp_path, solutions=True)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{src_uri}: with the solutions, a cell fails:\n{error}", pytrace=False)
