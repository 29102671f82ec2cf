"""The build's side: records reused only while current, outputs rendered, notebooks valid."""

from __future__ import annotations

import base64
import os

import nbformat

from pagerun import load_page
from pagerun.build import SiteBuild, colab_base
from pagerun.cache import load_record, page_key, save_record
from pagerun.notebook import build_notebook
from pagerun.render import render_markdown, version_stamp
from pagerun.session import PageSession

FENCE = "```"

SNIPPET = '''\
"""Demo."""
# --8<-- [start:hello]
greeting = "hello"
# --8<-- [end:hello]
'''

PAGE = f"""\
---
title: Demo
---

# Demo

Intro.

## A `code` heading

{FENCE}python
--8<-- "snippets/demo/hello.py:hello"
print(greeting)
{FENCE}

!!! example "Inside a box"

    {FENCE}python
    import matplotlib.pyplot as plt
    plt.plot([1, 2]); plt.title("Two points")
    len(greeting)
    {FENCE}

<!--pytest.mark.skip(reason="online only: needs a key")-->
{FENCE}python
upload()
{FENCE}
"""


def _run(project):
    project.write("snippets/demo/hello.py", SNIPPET)
    page = load_page(project.page(PAGE, "chapters/demo.md"))
    with PageSession(page) as session:
        run = session.run_all()
    run.key = page_key(page)
    return page, run


def test_record_is_reused_only_while_page_snippets_and_source_are_unchanged(project):
    page, run = _run(project)
    save_record(page, run)
    assert load_record(page, page_key(page)).cells[0].output == "hello\n"
    # Any change to an included snippet file gives a new key: the record is stale.
    project.write("snippets/demo/hello.py", SNIPPET + "# edited\n")
    assert load_record(page, page_key(load_page(page.path))) is None
    project.write("snippets/demo/hello.py", SNIPPET)
    project.write("src/mypkg/helpers.py", "X = 1\n")  # the package source counts too
    assert load_record(page, page_key(load_page(page.path))) is None


def test_failed_runs_are_never_recorded(project):
    page = load_page(project.page(f"# P\n\n{FENCE}python\n1/0\n{FENCE}\n"))
    with PageSession(page) as session:
        run = session.run_all()
    run.key = page_key(page)
    try:
        save_record(page, run)
    except ValueError as error:
        assert "only a complete run" in str(error)
    else:
        raise AssertionError("a failed run was recorded")


def test_markdown_has_outputs_under_fences_with_the_fence_indentation(project):
    page, run = _run(project)
    text = render_markdown(page, run, header="BUTTONS", footer=version_stamp(run))
    lines = text.splitlines()
    assert "title: Demo" not in text  # front matter already read by MkDocs
    assert lines[lines.index("# Demo") + 2] == "BUTTONS"
    assert "--8<--" not in text
    assert '``` { .text .pagerun-output title="Output" }' in lines
    assert "hello" in lines
    assert '    ``` { .text .pagerun-output title="Output" }' in lines  # inside the admonition
    figure = next(line for line in lines if "pagerun-figure" in line)
    assert figure.startswith('    <img class="pagerun-figure"') and 'alt="Two points"' in figure
    png = figure.split("base64,")[1].split('"')[0]
    assert base64.b64decode(png).startswith(b"\x89PNG")
    skip = lines.index('!!! warning "Not run when this page was built"')
    assert lines[skip + 1].strip() == "online only: needs a key"
    stamp = [line for line in lines if line.strip()][-1]
    assert "Outputs on this page come from running its code on" in stamp
    assert f"PyTorch {run.versions['torch']}" in stamp


def test_notebook_is_valid_and_carries_the_same_outputs(project):
    page, run = _run(project)
    notebook = build_notebook(page, run, setup_code="print('setup')")
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].source == "print('setup')"
    assert code[1].source == 'greeting = "hello"\nprint(greeting)'
    assert code[1].outputs[0].text == "hello\n"
    assert code[2].outputs[0].data["image/png"] == run.cells[1].figures[0].png
    assert code[2].outputs[-1].data["text/plain"] == "5"
    assert code[3].source.startswith("# Not run when this notebook was made: online only")
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "**Inside a box**" in prose and "!!!" not in prose and "pytest.mark" not in prose
    assert "## A code heading" in prose  # plain headings: anchors agree everywhere


def test_site_build_reuses_the_tests_record_and_reruns_when_stale(project):
    page, run = _run(project)
    save_record(page, run)
    build = SiteBuild(project.root, project.root / "docs", project.root / "site")
    build.run_page("chapters/demo.md")
    assert build.reused == ["docs/chapters/demo.md"] and build.executed == []
    project.write("snippets/demo/hello.py", SNIPPET.replace('"hello"', '"bonjour"'))
    fresh = SiteBuild(project.root, project.root / "docs", project.root / "site")
    _, rerun = fresh.run_page("chapters/demo.md")
    assert fresh.executed == ["docs/chapters/demo.md"]
    assert rerun.cells[0].output == "bonjour\n"


def test_colab_links_point_at_the_published_notebooks_branch():
    assert colab_base("https://github.com/org/repo") == (
        "https://colab.research.google.com/github/org/repo/blob/notebooks/notebooks"
    )
    assert colab_base("https://gitlab.com/org/repo") == ""


def test_a_prose_edit_keeps_the_record_and_a_code_edit_does_not(project):
    page, run = _run(project)
    save_record(page, run)
    text = page.path.read_text()
    page.path.write_text(text.replace("Intro.", "A longer introduction, reworded."))
    edited = load_page(page.path)
    assert load_record(edited, page_key(edited)) is not None
    markdown = render_markdown(edited, run)
    assert "A longer introduction, reworded." in markdown and "hello" in markdown
    page.path.write_text(text.replace("print(greeting)", "print(greeting.upper())"))
    changed = load_page(page.path)
    assert load_record(changed, page_key(changed)) is None


def test_the_same_page_writes_the_same_notebook_file(project):
    """Cell ids come from the cells: an unchanged page keeps its notebook's bytes and date."""
    page, run = _run(project)
    save_record(page, run)
    written = []
    for _ in range(2):
        build = SiteBuild(project.root, project.root / "docs", project.root / "site")
        build.run_page("chapters/demo.md")
        build.write_notebook("chapters/demo.md", "print('setup')")
        path = build.notebook_dir / "demo.ipynb"
        written.append((path.read_bytes(), path.stat().st_mtime_ns))
    assert written[0] == written[1]
    ids = [cell.id for cell in nbformat.reads(written[0][0].decode(), as_version=4).cells]
    assert len(set(ids)) == len(ids)
    page.path.write_text(page.path.read_text().replace("Intro.", "A new introduction."))
    build = SiteBuild(project.root, project.root / "docs", project.root / "site")
    build.run_page("chapters/demo.md")
    build.write_notebook("chapters/demo.md", "print('setup')")
    edited = (build.notebook_dir / "demo.ipynb").read_text()
    assert "A new introduction." in edited
    kept = [cell.id for cell in nbformat.reads(edited, as_version=4).cells]
    assert kept[1:] == ids[1:] and kept[0] != ids[0]  # only the edited cell's id changes


def test_a_snippet_edit_makes_the_page_newer_than_its_html(project):
    """What a dirty rebuild compares a page's HTML with: the page, its snippets, its record."""
    page, run = _run(project)
    save_record(page, run)
    build = SiteBuild(project.root, project.root / "docs", project.root / "site")
    build.run_page("chapters/demo.md")
    html = project.write("site/chapters/demo/index.html", "<p>built</p>")
    assert build.newest_input("chapters/demo.md") <= html.stat().st_mtime
    assert build.newest_input("chapters/other.md") == 0.0  # not run in this build
    snippet = project.root / "snippets/demo/hello.py"
    os.utime(snippet, (html.stat().st_mtime + 5, html.stat().st_mtime + 5))
    assert build.newest_input("chapters/demo.md") > html.stat().st_mtime


def test_the_rendered_config_finds_the_projects_own_folders(tmp_path):
    """MkDocs resolves custom_dir and watch against the rendered config's folder."""
    from pagerun.build import _relative_paths

    root, out = tmp_path / "project", tmp_path / "elsewhere" / "rendered"
    raw = {"theme": {"name": "material", "custom_dir": "overrides"}, "watch": ["snippets"]}
    assert _relative_paths(raw, root, out) == (
        "theme:\n  custom_dir: ../../project/overrides\nwatch: [../../project/snippets]\n"
    )
    assert _relative_paths({"theme": "mkdocs"}, root, out) == ""
