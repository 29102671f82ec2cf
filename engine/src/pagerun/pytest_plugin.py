"""pytest plugin: every page in ``docs/`` and every file in ``snippets/`` is a test.

Each ``python`` fence of a page is one test item, run in order in the page's
shared namespace. A failing fence fails at ``page.md:line``; the fences after
it are reported as not run (skipped, with the failing place as the reason). A
page whose fences all pass is recorded for the site build to reuse.

Safe under pytest-xdist: an item that finds earlier fences of its page not yet
run in its process runs them first (``--dist loadfile`` avoids that repetition).
"""

from __future__ import annotations

import runpy
import warnings
from pathlib import Path

import pytest

from pagerun.cache import page_key, save_record
from pagerun.config import find_root
from pagerun.errors import PageError
from pagerun.isolation import PageEnvironment
from pagerun.model import Status
from pagerun.page import Page, load_page
from pagerun.session import PageSession


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    """Collect pages under ``docs/`` and snippet files under ``snippets/``."""
    try:
        root = find_root(file_path.parent)
    except FileNotFoundError:
        return None
    parts = file_path.relative_to(root).parts
    if file_path.suffix == ".md" and parts[0] == "docs":
        return PageFile.from_parent(parent, path=file_path)
    if file_path.suffix == ".py" and parts[0] == "snippets":
        return SnippetFile.from_parent(parent, path=file_path)
    return None


class PageFile(pytest.File):
    """A Markdown page: one test item per ``python`` fence."""

    page: Page | None = None
    session_: PageSession | None = None

    def collect(self):
        """Expand the page and yield one item per fence."""
        self.page = load_page(self.path)
        for fence in self.page.fences:
            yield FenceItem.from_parent(self, name=f"line {fence.opening[1]}", index=fence.index)

    def setup(self) -> None:
        """Open the page's namespace and clean environment."""
        self.session_ = PageSession(self.page)

    def teardown(self) -> None:
        """Restore the environment; record the run if every fence passed."""
        session, self.session_ = self.session_, None
        if session is None:
            return
        try:
            if len(session.results) == len(self.page.fences):
                run = session.run_all()
                if run.ok:
                    run.key = page_key(self.page)
                    save_record(self.page, run)
        finally:
            session.close()

    def repr_failure(self, excinfo, style=None):
        """Show a page problem as one located line, not a traceback of the engine."""
        if isinstance(excinfo.value, PageError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class FenceFailed(Exception):
    """A fence raised or printed the wrong thing; the message is located."""


class FenceItem(pytest.Item):
    """One ``python`` fence of a page."""

    def __init__(self, *, index: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.index = index

    def runtest(self) -> None:
        """Run the page up to this fence and report its result."""
        session = self.parent.session_
        result = session.run_until(self.index)
        if result.status in {Status.NOT_RUN, Status.SKIPPED}:
            # Reported at the fence's own line, with the reason readers also see.
            raise pytest.skip.Exception(result.reason, _use_item_location=True)
        if result.status == Status.ERROR:
            raise FenceFailed(str(result.error))

    def repr_failure(self, excinfo, style=None):
        """Show the located error and the page's traceback only."""
        if isinstance(excinfo.value, FenceFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        """Name the fence by its page line."""
        page = self.parent.page
        fence = page.fences[self.index]
        return self.path, fence.opening[1] - 1, f"{page.name}:{fence.opening[1]}"


class SnippetFile(pytest.File):
    """A snippet file, run on its own as a script."""

    def collect(self):
        """Yield the one item that runs the file."""
        yield SnippetItem.from_parent(self, name="runs as a script")


class SnippetItem(pytest.Item):
    """Runs a snippet as ``python snippets/<chapter>/<file>.py`` would."""

    def runtest(self) -> None:
        """Run the file as ``__main__`` in a clean environment."""
        with PageEnvironment(), warnings.catch_warnings():
            warnings.simplefilter("default")  # as on pages: warnings are output, not failures
            runpy.run_path(str(self.path), run_name="__main__")

    def reportinfo(self):
        """Name the snippet file."""
        return self.path, 0, f"{self.path.name} (as a script)"
