"""Engine test fixtures: a throwaway project with its own mkdocs.yml, pages and snippets."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # before any test imports pyplot: no windows, same rendering everywhere

import matplotlib.pyplot as plt  # noqa: E402

pytest_plugins = ["pytester"]

MKDOCS_YML = """\
site_name: test site
markdown_extensions:
  - pymdownx.snippets:
      base_path: [!relative $config_dir]
      check_paths: true
"""


class Project:
    """A minimal site on disk: write pages and snippets, get their paths back."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "mkdocs.yml").write_text(MKDOCS_YML)
        (root / "docs").mkdir()
        (root / "snippets").mkdir()
        (root / "src").mkdir()

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    def page(self, text: str, name: str = "page.md") -> Path:
        return self.write(f"docs/{name}", text)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@pytest.fixture
def pytester_project(pytester) -> Project:
    """A throwaway project in pytester's folder, for running pytest on it."""
    return Project(pytester.path)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test drew, so none leaks into the next test."""
    yield
    plt.close("all")
