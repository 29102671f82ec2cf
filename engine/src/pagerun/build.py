"""The site build's side of the engine: outputs, notebooks and stamps for MkDocs.

Used by ``mkdocs_hook.py``. A page's run is taken from the record the test run
left when its fingerprint still matches, and executed again otherwise.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import time
from dataclasses import dataclass, field
from pathlib import Path

from pagerun.cache import load_record, page_key, save_record
from pagerun.config import load_config
from pagerun.errors import PageError
from pagerun.notebook import build_notebook, write_notebook
from pagerun.page import Page, load_page
from pagerun.render import render_markdown, version_stamp
from pagerun.session import PageRun, PageSession

log = logging.getLogger("mkdocs.plugins.pagerun")

#: Pages under this folder of docs/ also become notebooks.
CHAPTERS = "chapters/"
NOTEBOOKS = "notebooks"


@dataclass
class SiteBuild:
    """State of one ``mkdocs build``: each runnable page's run and notebook.

    Args:
        root: The project root.
        docs_dir: The docs folder.
        site_dir: The output folder.
    """

    root: Path
    docs_dir: Path
    site_dir: Path
    runs: dict[str, tuple[Page, PageRun]] = field(default_factory=dict)
    executed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)

    @property
    def notebook_dir(self) -> Path:
        """Where generated notebooks are written: outside docs/, one folder per site.

        Two builds running at once into different folders cannot mix notebooks.
        """
        tag = hashlib.sha256(str(self.site_dir.resolve()).encode()).hexdigest()[:10]
        return self.root / "build" / tag / NOTEBOOKS

    def run_page(self, src_uri: str) -> tuple[Page, PageRun] | None:
        """Return a page's run, from the record when it is current, else by running it.

        Args:
            src_uri: The page's path inside docs/.

        Returns:
            The page and its run, or ``None`` for a page with no Python.

        Raises:
            PageError: When a fence fails; the message names ``page.md:line``.
        """
        if src_uri in self.runs:
            return self.runs[src_uri]
        page = load_page(self.docs_dir / src_uri, self.root)
        if not page.runnable:
            return None
        key = page_key(page)
        run = load_record(page, key)
        if run is None:
            began = time.perf_counter()
            with PageSession(page) as session:
                run = session.run_all()
            failed = run.first_error
            if failed is not None:
                raise PageError(*_split_location(failed.error), _message(failed.error))
            run.key = key
            save_record(page, run)
            self.executed.append(page.name)
            log.info("pagerun: ran %s in %.1f s", page.name, time.perf_counter() - began)
        else:
            self.reused.append(page.name)
        self.runs[src_uri] = (page, run)
        return page, run

    def write_notebook(self, src_uri: str, colab_setup: str, site_url: str = "") -> str:
        """Write the chapter's notebook and return its path inside the notebook folder.

        Args:
            src_uri: The chapter's path inside docs/.
            colab_setup: Code for the notebook's first cell.
            site_url: The site's address, for links to other pages.

        Returns:
            The notebook's file name, e.g. ``tensors.ipynb``.
        """
        page, run = self.runs[src_uri]
        name = notebook_name(src_uri)
        self.notebook_dir.mkdir(parents=True, exist_ok=True)
        notebook = build_notebook(page, run, colab_setup, site_url)
        write_notebook(notebook, self.notebook_dir / name)
        return name

    def markdown(self, src_uri: str, page_url: str, colab_base: str) -> str | None:
        """Return the page's Markdown with outputs, buttons and stamp, or None to leave it.

        Args:
            src_uri: The page's path inside docs/.
            page_url: The page's URL relative to the site root (``chapters/x/``).
            colab_base: Colab's URL prefix for this repository's notebooks, or "".

        Returns:
            The Markdown to render.
        """
        if src_uri not in self.runs:
            return None
        page, run = self.runs[src_uri]
        header = ""
        if src_uri.startswith(CHAPTERS):
            name = notebook_name(src_uri)
            depth = page_url.strip("/").count("/") + 1 if page_url.strip("/") else 0
            href = (
                posixpath.join(*([".."] * depth), NOTEBOOKS, name)
                if depth
                else f"{NOTEBOOKS}/{name}"
            )
            buttons = [
                f'<a class="md-button" href="{href}" download>Download notebook</a>',
            ]
            if colab_base:
                buttons.append(f'<a class="md-button" href="{colab_base}/{name}">Open in Colab</a>')
            header = '<p class="pagerun-buttons">' + " ".join(buttons) + "</p>"
        return render_markdown(page, run, header=header, footer=version_stamp(run))


def notebook_name(src_uri: str) -> str:
    """Return the notebook file name for a chapter page.

    Args:
        src_uri: The page's path inside docs/.

    Returns:
        ``<slug>.ipynb``.
    """
    return Path(src_uri).with_suffix(".ipynb").name


def colab_base(repo_url: str, branch: str = "notebooks") -> str:
    """Return Colab's URL prefix for notebooks published on a branch of the repository.

    Args:
        repo_url: The GitHub repository's URL.
        branch: The branch the workflow publishes notebooks to.

    Returns:
        The prefix, or "" when the repository is not on GitHub.
    """
    prefix = "https://github.com/"
    if not repo_url.startswith(prefix):
        return ""
    repo = repo_url[len(prefix) :].strip("/")
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{NOTEBOOKS}"


def colab_setup_code(repo_url: str) -> str:
    """Return a first notebook cell that installs the helper package where it is missing.

    Args:
        repo_url: The repository's URL.

    Returns:
        Python code for the cell.
    """
    return (
        "# On Colab or any fresh environment: install the site's helper package (needs internet).\n"
        "import importlib.util, subprocess, sys\n"
        'if importlib.util.find_spec("practical_dl") is None:\n'
        f'    pip = [sys.executable, "-m", "pip", "install", "git+{repo_url}"]\n'
        "    subprocess.run(pip, check=True)"
    )


def load_site_config(config_file: str):
    """Return the engine's view of ``mkdocs.yml``.

    Args:
        config_file: Path of ``mkdocs.yml``.

    Returns:
        The engine's site configuration.
    """
    return load_config(Path(config_file).resolve().parent)


def _split_location(error: str) -> tuple[str, int]:
    head = error.split("\n", 1)[0]
    location = head.split(": ", 1)[0]
    file, _, line = location.rpartition(":")
    return (file, int(line)) if line.isdigit() else (location, 1)


def _message(error: str) -> str:
    head, _, rest = error.partition("\n")
    return head.split(": ", 1)[-1] + ("\n" + rest if rest else "")
