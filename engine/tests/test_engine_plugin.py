"""The MkDocs plugin, configured in mkdocs.yml: outputs, notebooks and their index, switches."""

from __future__ import annotations

import os
import subprocess
import sys

FENCE = "```"

CONFIG = """\
site_name: plugin test
site_url: https://example.org/site/
repo_url: https://github.com/org/repo
nav:
  - Home: index.md
  - Part:
      - 1. First: chapters/first.md
  - Notebooks: notebooks/index.md
plugins:
  - pagerun:
      enabled: !ENV [PAGERUN_ENABLED, true]
      notebooks: ["chapters/*.md"]
markdown_extensions:
  - pymdownx.snippets:
      base_path: [!relative $config_dir]
      check_paths: true
"""


def _build(project, **env):
    (project.root / "mkdocs.yml").write_text(CONFIG)
    project.page("# Home\n\nNo code here.\n", "index.md")
    project.page(f"# First\n\n{FENCE}python\nprint(6 * 7)\n{FENCE}\n", "chapters/first.md")
    return _mkdocs(project, "--strict", **env)


def _mkdocs(project, *options, **env):
    """``mkdocs build`` of the project into site/, with its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *options, "-d", "site"],
        cwd=project.root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_plugin_renders_outputs_and_builds_the_notebook_index_from_the_nav(project):
    done = _build(project)
    assert done.returncode == 0, done.stderr
    page = (project.root / "site" / "chapters" / "first" / "index.html").read_text()
    assert "pagerun-output" in page and "42" in page and "pagerun-stamp" in page
    assert 'href="../../notebooks/first.ipynb" download' in page
    assert (project.root / "site" / "notebooks" / "first.ipynb").is_file()
    index = (project.root / "site" / "notebooks" / "index.html").read_text()
    assert "1. First" in index and "first.ipynb" in index and "colab.research.google.com" in index


def test_plugin_switched_off_builds_plain_pages(project):
    done = _build(project, PAGERUN_ENABLED="false")
    # With no notebooks generated, the nav's notebook index is missing: MkDocs says so.
    assert "notebooks/index.md" in done.stderr
    page = (project.root / "site" / "chapters" / "first" / "index.html").read_text()
    assert "pagerun-output" not in page and "print" in page


def test_a_failing_fence_fails_the_build_at_its_line(project):
    (project.root / "mkdocs.yml").write_text(CONFIG)
    project.page("# Home\n", "index.md")
    project.page(f"# First\n\ntext\n\n{FENCE}python\n1 / 0\n{FENCE}\n", "chapters/first.md")
    done = _mkdocs(project, "--strict")
    assert done.returncode != 0
    assert "pagerun: docs/chapters/first.md:6: ZeroDivisionError: division by zero" in done.stderr


def test_render_writes_markdown_with_outputs_that_a_plain_build_shows(project):
    (project.root / "mkdocs.yml").write_text(CONFIG)
    project.page("# Home\n", "index.md")
    project.page(
        f"---\ntitle: First\n---\n\n# First\n\n{FENCE}python\nprint(6 * 7)\n{FENCE}\n",
        "chapters/first.md",
    )
    out = project.root / "rendered"
    done = subprocess.run(
        [sys.executable, "-m", "pagerun", "render", str(out)],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "1 page(s) executed" in done.stdout
    text = (out / "docs" / "chapters" / "first.md").read_text()
    assert text.startswith("---\ntitle: First\n---")  # another generator needs the front matter
    assert "pagerun-output" in text and "42" in text and "pagerun-stamp" in text
    assert (out / "docs" / "notebooks" / "first.ipynb").is_file()
    assert "1. First" in (out / "docs" / "notebooks" / "index.md").read_text()
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(out / "mkdocs.yml"), "-d", "site"],
        cwd=out,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PAGERUN_ENABLED": "false"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    html = (out / "site" / "chapters" / "first" / "index.html").read_text()
    assert "pagerun-output" in html and "42" in html


def test_a_dirty_build_redoes_a_page_whose_snippet_changed_and_only_it(project):
    """``mkdocs serve --dirty`` (``make serve``): MkDocs itself looks at the .md files only."""
    project.write(
        "snippets/first.py", "# --8<-- [start:answer]\nanswer = 6 * 7\n# --8<-- [end:answer]\n"
    )
    done = _build(project)
    assert done.returncode == 0, done.stderr
    page = project.page(
        f'# First\n\n{FENCE}python\n--8<-- "snippets/first.py:answer"\nprint(answer)\n{FENCE}\n',
        "chapters/first.md",
    )
    assert _mkdocs(project, "--dirty").returncode == 0
    html = project.root / "site" / "chapters" / "first" / "index.html"
    home = project.root / "site" / "index.html"
    dates = html.stat().st_mtime_ns, home.stat().st_mtime_ns
    assert "42" in html.read_text()
    done = _mkdocs(project, "--dirty")
    assert (html.stat().st_mtime_ns, home.stat().st_mtime_ns) == dates, "nothing changed"
    project.write(
        "snippets/first.py", "# --8<-- [start:answer]\nanswer = 6 * 9\n# --8<-- [end:answer]\n"
    )
    done = _mkdocs(project, "--dirty")
    assert done.returncode == 0, done.stderr
    assert "54" in html.read_text() and home.stat().st_mtime_ns == dates[1]
    assert page.is_file()
