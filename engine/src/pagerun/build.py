"""The site build's side of the engine: outputs, notebooks and stamps, for any site generator.

Used by the MkDocs plugin (``plugin.py``). A page's run is taken from the
record the test run left when its fingerprint still matches, and executed
again otherwise (or, with execution off, the page is left without outputs).
"""

from __future__ import annotations

import fnmatch
import hashlib
import html
import logging
import os
import posixpath
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pagerun.cache import load_record, page_key, record_path, save_record
from pagerun.config import load_config
from pagerun.errors import PageError
from pagerun.model import PageRun
from pagerun.notebook import build_exercise_notebook, build_notebook, write_notebook
from pagerun.page import Page, load_page
from pagerun.render import render_markdown, version_stamp
from pagerun.session import PageSession

log = logging.getLogger("mkdocs.plugins.pagerun")


@dataclass
class SiteBuild:
    """State of one site build: each runnable page's run and notebook.

    Args:
        root: The project root.
        docs_dir: The docs folder.
        site_dir: The output folder.
        notebook_pages: Glob patterns (inside docs/) of the pages that also
            become notebooks.
        notebook_folder: The folder, inside the site, of the notebooks.
        execute: Run pages whose record is missing or stale; when False, such
            pages are built without outputs (a fast preview).
        config_file: The site's configuration (``mkdocs.yml``), an input of every
            page and notebook (addresses, the Colab setup cell).
    """

    root: Path
    docs_dir: Path
    site_dir: Path
    notebook_pages: tuple[str, ...] = ("chapters/*.md",)
    notebook_folder: str = "notebooks"
    execute: bool = True
    config_file: Path | None = None
    runs: dict[str, tuple[Page, PageRun]] = field(default_factory=dict)
    executed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    #: For each notebook written (its path inside docs/), the page it comes from.
    notebooks: dict[str, str] = field(default_factory=dict)
    #: For each exercise notebook written (its path inside docs/), the page it comes from.
    exercise_notebooks: dict[str, str] = field(default_factory=dict)

    @property
    def notebook_dir(self) -> Path:
        """Where generated notebooks are written: outside docs/, one folder per site.

        Two builds running at once into different folders cannot mix notebooks.
        """
        tag = hashlib.sha256(str(self.site_dir.resolve()).encode()).hexdigest()[:10]
        return self.root / "build" / tag / self.notebook_folder

    def wants_notebook(self, src_uri: str) -> bool:
        """Whether a page also becomes a notebook.

        Args:
            src_uri: The page's path inside docs/.

        Returns:
            True when it matches one of ``notebook_pages``.
        """
        return any(fnmatch.fnmatch(src_uri, pattern) for pattern in self.notebook_pages)

    def run_page(self, src_uri: str) -> tuple[Page, PageRun] | None:
        """Return a page's run, from the record when it is current, else by running it.

        Args:
            src_uri: The page's path inside docs/.

        Returns:
            The page and its run, or ``None`` for a page with no Python (or,
            with execution off, one with no current record).

        Raises:
            PageError: When a fence fails; it names ``page.md:line``.
        """
        if src_uri in self.runs:
            return self.runs[src_uri]
        page = load_page(self.docs_dir / src_uri, self.root)
        if not page.runnable:
            return None
        key = page_key(page)
        run = load_record(page, key)
        if run is not None:
            self.reused.append(page.name)
        elif not self.execute:
            self.not_run.append(page.name)
            return None
        else:
            began = time.perf_counter()
            with PageSession(page) as session:
                run = session.run_all()
            failed = run.first_error
            if failed is not None:
                raise PageError.from_info(failed.error)
            run.key = key
            save_record(page, run)
            self.executed.append(page.name)
            log.info("pagerun: ran %s in %.1f s", page.name, time.perf_counter() - began)
        self.runs[src_uri] = (page, run)
        return page, run

    def newest_input(self, src_uri: str) -> float:
        """Return when anything a page's HTML depends on last changed (a Unix time).

        That is the page, every file its fences include, and its run's record
        (rewritten whenever the page runs again, e.g. after an edit in ``src/``).
        MkDocs' dirty build (``mkdocs serve --dirty``) compares a page's HTML
        with its ``.md`` only; the plugin uses this time instead.

        Args:
            src_uri: The page's path inside docs/ (run or reused in this build).

        Returns:
            The newest modification time, 0 for a page this build has not run.
        """
        if src_uri not in self.runs:
            return 0.0
        page, _ = self.runs[src_uri]
        inputs = [self.root / name for name in page.included] + [record_path(page)]
        inputs += [self.config_file] if self.config_file is not None else []
        return max((path.stat().st_mtime for path in inputs if path.is_file()), default=0.0)

    def notebook_uri(self, src_uri: str) -> str:
        """Return a page's notebook path inside docs/, e.g. ``notebooks/tensors.ipynb``.

        Args:
            src_uri: The page's path inside docs/.

        Returns:
            The notebook's path.
        """
        return f"{self.notebook_folder}/{PurePosixPath(src_uri).stem}.ipynb"

    def write_notebook(self, src_uri: str, setup_code: str, site_url: str = "") -> str:
        """Write the page's notebook and return its path inside docs/.

        Args:
            src_uri: The page's path inside docs/.
            setup_code: Code for the notebook's first cell.
            site_url: The site's address, for links to other pages.

        Returns:
            The notebook's path, e.g. ``notebooks/tensors.ipynb``.
        """
        page, run = self.runs[src_uri]
        uri, name = self.notebook_uri(src_uri), self.exercises_uri(src_uri)
        path = self.notebook_dir / PurePosixPath(uri).name
        exercises_path = self.notebook_dir / PurePosixPath(name).name
        self.notebooks[uri] = src_uri
        newest = self.newest_input(src_uri)
        if all(p.is_file() and p.stat().st_mtime > newest for p in (path, exercises_path)):
            # Written from these very inputs by an earlier build into this folder
            # (each `mkdocs serve` rebuild): making them again would give the same bytes.
            self.exercise_notebooks[name] = src_uri
            return uri
        self.notebook_dir.mkdir(parents=True, exist_ok=True)
        write_notebook(build_notebook(page, run, setup_code, site_url), path)
        exercises = build_exercise_notebook(page, run, setup_code, site_url)
        if exercises is not None:
            write_notebook(exercises, exercises_path)
            self.exercise_notebooks[name] = src_uri
        return uri

    def exercises_uri(self, src_uri: str) -> str:
        """Return a page's exercise-notebook path inside docs/ (``notebooks/x-exercises.ipynb``).

        Args:
            src_uri: The page's path inside docs/.

        Returns:
            The exercise notebook's path.
        """
        return f"{self.notebook_folder}/{PurePosixPath(src_uri).stem}-exercises.ipynb"

    def write_notebook_index(self, titles: dict[str, str], colab: str) -> str:
        """Write the page listing every notebook, in the order of ``titles``.

        Args:
            titles: Each page with a notebook (path inside docs/) and its title.
            colab: Colab's URL prefix for the published notebooks, or "".

        Returns:
            The index's path inside docs/ (``notebooks/index.md``).
        """
        rows = []
        for src_uri, title in titles.items():
            uri = self.notebook_uri(src_uri)
            if uri not in self.notebooks:
                continue
            name = PurePosixPath(uri).name
            links = [f'<a href="{name}" download>Download</a>']
            if colab:
                links.append(f'<a href="{colab}/{name}">Open in Colab</a>')
            if self.exercises_uri(src_uri) in self.exercise_notebooks:
                exercises = PurePosixPath(self.exercises_uri(src_uri)).name
                links.append(f'<a href="{exercises}" download>Exercises</a>')
                if colab:
                    links.append(f'<a href="{colab}/{exercises}">Exercises in Colab</a>')
            chapter = posixpath.relpath(src_uri, self.notebook_folder)
            rows.append(
                f"| [{html.escape(title)}]({chapter}) | [{name}]({name}) | {' · '.join(links)} |"
            )
        text = "\n".join(
            [
                "---",
                "title: Notebooks",
                "description: Every chapter as a Jupyter notebook with the same outputs.",
                "search:",
                "  exclude: true",
                "---",
                "",
                "# Notebooks",
                "",
                "Every chapter is also a Jupyter notebook with the outputs the page shows. "
                "Each runs from top to bottom in a fresh kernel, offline, on a CPU; the first "
                "code cell installs the helper package where it is missing (on Colab).",
                "",
                "| Chapter | Notebook | Get it |",
                "| --- | --- | --- |",
                *rows,
                "",
            ]
        )
        self.notebook_dir.mkdir(parents=True, exist_ok=True)
        index = self.notebook_dir / "index.md"
        if not index.is_file() or index.read_text(encoding="utf-8") != text:
            index.write_text(text, encoding="utf-8")  # unchanged files keep their date
        return f"{self.notebook_folder}/index.md"

    def markdown(
        self, src_uri: str, page_url: str, colab: str, front_matter: bool = False
    ) -> str | None:
        """Return the page's Markdown with outputs, buttons and stamp, or None to leave it.

        Args:
            src_uri: The page's path inside docs/.
            page_url: The page's URL relative to the site root (``chapters/x/``).
            colab: Colab's URL prefix for the published notebooks, or "".
            front_matter: Keep the page's front matter in the Markdown.

        Returns:
            The Markdown to render.
        """
        if src_uri not in self.runs:
            return None
        page, run = self.runs[src_uri]
        header = ""
        if self.notebook_uri(src_uri) in self.notebooks:
            name = PurePosixPath(self.notebook_uri(src_uri)).name
            depth = page_url.strip("/").count("/") + 1 if page_url.strip("/") else 0
            href = posixpath.join(*([".."] * depth), self.notebook_folder, name)
            buttons = [f'<a class="md-button" href="{href}" download>Download notebook</a>']
            if colab:
                buttons.append(f'<a class="md-button" href="{colab}/{name}">Open in Colab</a>')
            if self.exercises_uri(src_uri) in self.exercise_notebooks:
                exercises = PurePosixPath(self.exercises_uri(src_uri)).name
                local = posixpath.join(posixpath.dirname(href), exercises)
                buttons.append(
                    f'<a class="md-button" href="{local}" download>Download exercises</a>'
                )
                if colab:
                    buttons.append(
                        f'<a class="md-button" href="{colab}/{exercises}">Exercises in Colab</a>'
                    )
            header = '<p class="pagerun-buttons">' + " ".join(buttons) + "</p>"
        return render_markdown(page, run, header, version_stamp(run), front_matter)


def colab_base(repo_url: str, branch: str = "notebooks", folder: str = "notebooks") -> str:
    """Return Colab's URL prefix for notebooks published on a branch of the repository.

    Args:
        repo_url: The GitHub repository's URL.
        branch: The branch the workflow publishes notebooks to.
        folder: The notebooks' folder on that branch.

    Returns:
        The prefix, or "" when the repository is not on GitHub.
    """
    prefix = "https://github.com/"
    if not repo_url.startswith(prefix):
        return ""
    repo = repo_url[len(prefix) :].strip("/")
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{folder}"


def colab_setup_code(repo_url: str, package: str = "practical_dl") -> str:
    """Return a first notebook cell that installs the helper package where it is missing.

    Args:
        repo_url: The repository's URL (its root holds the helper package's
            ``pyproject.toml``, and only that package).
        package: The import name to look for.

    Returns:
        Python code for the cell.
    """
    return (
        "# On Colab or any fresh environment: install the site's helper package (needs internet).\n"
        "import importlib.util, subprocess, sys\n"
        f'if importlib.util.find_spec("{package}") is None:\n'
        f'    pip = [sys.executable, "-m", "pip", "install", "git+{repo_url}"]\n'
        "    subprocess.run(pip, check=True)"
    )


def render_tree(
    root: Path, out: Path, execute: bool = True, notebooks: tuple[str, ...] = ("chapters/*.md",)
) -> SiteBuild:
    """Write every page of ``docs/`` as plain Markdown with its outputs, plus the notebooks.

    Any Markdown site generator can build the result: outputs, figures and
    stamps are inlined, snippet includes are expanded, and ``out/mkdocs.yml``
    inherits the project's configuration with ``docs_dir`` pointing at the
    rendered pages (build it with ``PAGERUN_ENABLED=false``, since the outputs
    are already there). The MkDocs plugin calls the same :class:`SiteBuild`.

    Args:
        root: The project root (holding ``mkdocs.yml``).
        out: The output folder; its ``docs/`` is replaced.
        execute: Run pages whose record is missing or stale.
        notebooks: Glob patterns of the pages that also become notebooks.

    Returns:
        The build, listing the pages executed and reused.

    Raises:
        PageError: When a fence fails.
    """
    config = load_config(root)
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    build = SiteBuild(root, config.docs_dir, out / "site", notebooks, execute=execute)
    colab = colab_base(config.repo_url)
    setup = colab_setup_code(config.repo_url)
    for source in sorted(config.docs_dir.rglob("*")):
        if not source.is_file():
            continue
        src_uri = source.relative_to(config.docs_dir).as_posix()
        target = docs / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix != ".md":
            shutil.copy2(source, target)
            continue
        if build.run_page(src_uri) is not None and build.wants_notebook(src_uri):
            build.write_notebook(src_uri, setup, str(config.raw.get("site_url", "")))
        text = build.markdown(src_uri, _directory_url(src_uri), colab, front_matter=True)
        if text is None:  # no Python: still expand its includes, as the site would
            text = "\n".join(load_page(source, root).lines)
        target.write_text(text, encoding="utf-8")
    if build.notebooks:
        titles = {uri: title for title, uri in nav_pages(config.raw.get("nav") or [])}
        build.write_notebook_index(
            {uri: title for uri, title in titles.items() if build.wants_notebook(uri)}, colab
        )
        shutil.copytree(build.notebook_dir, docs / build.notebook_folder, dirs_exist_ok=True)
    for name in config.snippets.get("auto_append", []):
        # Files the site appends to every page (abbreviations): the generator looks for them too.
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, out / name)
    (out / "mkdocs.yml").write_text(
        f"# Written by `python -m pagerun render`: the project's site, from the rendered pages.\n"
        f"INHERIT: {os.path.relpath(root / 'mkdocs.yml', out)}\n"
        "docs_dir: docs\n" + _relative_paths(config.raw, root, out),
        encoding="utf-8",
    )
    return build


def _relative_paths(raw: dict, root: Path, out: Path) -> str:
    """The project's own folders (theme overrides, watched paths), as seen from ``out``.

    MkDocs resolves these against the folder of the config file it reads, which
    for the rendered site is ``out``; INHERIT merges mappings key by key, so
    only these keys are restated.
    """
    lines = []
    theme = raw.get("theme")  # a mapping, or only the theme's name
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if custom:
        lines += ["theme:", f"  custom_dir: {os.path.relpath(root / custom, out)}"]
    if raw.get("watch"):
        lines.append(f"watch: [{', '.join(os.path.relpath(root / w, out) for w in raw['watch'])}]")
    return "".join(f"{line}\n" for line in lines)


def _directory_url(src_uri: str) -> str:
    # The URL a page gets with directory URLs (every generator's default): chapters/x/.
    path = PurePosixPath(src_uri)
    folder = path.parent if path.stem == "index" else path.with_suffix("")
    return "" if str(folder) == "." else f"{folder}/"


def nav_pages(nav) -> list[tuple[str, str]]:
    """Every ``(title, path)`` of a configured nav, in order.

    Args:
        nav: The ``nav`` of ``mkdocs.yml``, as parsed.

    Returns:
        Each page's title and path inside docs/.
    """
    found = []
    for entry in nav:
        if isinstance(entry, dict):
            for title, value in entry.items():
                if isinstance(value, str):
                    found.append((title, value))
                else:
                    found.extend(nav_pages(value))
        elif isinstance(entry, list):
            found.extend(nav_pages(entry))
    return found
