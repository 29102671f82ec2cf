"""The MkDocs plugin: real outputs under every fence, a notebook per chapter, a version stamp.

Configured in ``mkdocs.yml``::

    plugins:
      - pagerun:
          enabled: !ENV [PAGERUN_ENABLED, true]   # false: a plain build, no code
          execute: !ENV [PAGERUN_EXECUTE, true]   # false: reuse records, run nothing
          notebooks: ["chapters/*.md"]            # pages that also become notebooks
          colab_branch: notebooks

List it *before* mkdocs-jupyter's entry is not needed: its ``on_files`` runs
first (priority 100), so mkdocs-jupyter sees the generated notebooks. The work
is done by :class:`pagerun.build.SiteBuild`; this class holds one build's state
and connects it to MkDocs' events.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path, PurePosixPath

from mkdocs.config import config_options as option
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from pagerun.build import SiteBuild, colab_base, colab_setup_code, log, nav_pages
from pagerun.config import find_root
from pagerun.errors import PageError


class PagerunConfig(Config):
    """The plugin's options."""

    enabled = option.Type(bool, default=True)
    execute = option.Type(bool, default=True)
    notebooks = option.ListOfItems(option.Type(str), default=["chapters/*.md"])
    notebook_folder = option.Type(str, default="notebooks")
    colab_branch = option.Type(str, default="notebooks")


class PagerunPlugin(BasePlugin[PagerunConfig]):
    """Runs every page (or reuses the tests' record) and renders what it produced."""

    def __init__(self) -> None:
        self.build: SiteBuild | None = None
        self.colab = ""
        self.setup_code = ""

    def on_config(self, config):
        """Start one build's state."""
        if not self.config.enabled:
            self.build = None
            return config
        self.build = SiteBuild(
            root=find_root(Path(config.config_file_path).resolve().parent),
            docs_dir=Path(config.docs_dir),
            site_dir=Path(config.site_dir),
            notebook_pages=tuple(self.config.notebooks),
            notebook_folder=self.config.notebook_folder.strip("/"),
            execute=self.config.execute,
            config_file=Path(config.config_file_path),
        )
        repo_url = config.repo_url or ""
        self.colab = colab_base(repo_url, self.config.colab_branch, self.build.notebook_folder)
        self.setup_code = colab_setup_code(repo_url)
        return config

    @event_priority(100)  # before mkdocs-jupyter, so it sees the generated notebooks
    def on_files(self, files: Files, config) -> Files:
        """Run every page (or reuse its record) and add each chapter's notebook and their index."""
        if self.build is None:
            return files
        build = self.build
        for file in list(files.documentation_pages()):
            if not file.src_uri.endswith(".md"):
                continue
            try:
                found = build.run_page(file.src_uri)
            except PageError as error:
                raise PluginError(f"pagerun: {error}") from None
            if found:
                _forget_if_outdated(file, build.newest_input(file.src_uri))
            if found and build.wants_notebook(file.src_uri):
                self._add(
                    files,
                    build.write_notebook(file.src_uri, self.setup_code, config.site_url or ""),
                    config,
                )
        if build.notebooks:
            titles = {
                uri: title
                for title, uri in nav_pages(config.nav or [])
                if build.wants_notebook(uri)
            }
            self._add(files, build.write_notebook_index(titles, self.colab), config)
        return files

    def _add(self, files: Files, uri: str, config) -> None:
        if files.get_file_from_path(uri) is not None:
            files.remove(files.get_file_from_path(uri))
        files.append(
            File(
                uri,
                src_dir=str(self.build.notebook_dir.parent),
                dest_dir=config.site_dir,
                use_directory_urls=config.use_directory_urls,
            )
        )

    def on_page_markdown(self, markdown, page, config, files):
        """Replace a runnable page's Markdown with the version carrying its outputs."""
        if self.build is None:
            return markdown
        rendered = self.build.markdown(page.file.src_uri, page.url, self.colab)
        return markdown if rendered is None else rendered

    @event_priority(100)  # before the search plugin indexes the page
    def on_page_context(self, context, page, config, nav):
        """Keep notebook copies out of search, and point "edit" at the page they come from."""
        source = self.build.notebooks.get(page.file.src_uri) if self.build else None
        if source is not None:
            page.meta["search"] = {"exclude": True}
            if page.edit_url:
                page.edit_url = page.edit_url.replace(page.file.src_uri, source)
        return context

    def on_page_content(self, html, page, config, files):
        """Drop the CDN-less leftovers mkdocs-jupyter adds to notebook pages (they throw)."""
        if self.build is not None and page.file.src_uri in self.build.notebooks:
            html = _MATHJAX2.sub("", _EMPTY_SCRIPT.sub("", html))
        return html

    def on_post_build(self, config):
        """Put each notebook file beside its page, for the download buttons."""
        if self.build is None:
            return
        target = Path(config.site_dir) / self.build.notebook_folder
        target.mkdir(parents=True, exist_ok=True)
        for uri in [*self.build.notebooks, *self.build.exercise_notebooks]:
            name = PurePosixPath(uri).name
            shutil.copy2(self.build.notebook_dir / name, target / name)
        log.info(
            "pagerun: %d page(s) executed, %d reused from the test run's records%s",
            len(self.build.executed),
            len(self.build.reused),
            f", {len(self.build.not_run)} left without outputs (execute: false)"
            if self.build.not_run
            else "",
        )


_EMPTY_SCRIPT = re.compile(r'<script src=""></script>')
_MATHJAX2 = re.compile(r'<script type="text/x-mathjax-config">.*?</script>', re.S)


def _forget_if_outdated(file: File, newest_input: float) -> None:
    """Delete a page's HTML when one of its inputs is newer, so a dirty build redoes it.

    ``mkdocs serve --dirty`` (``make serve``) rebuilds a page only when its
    ``.md`` is newer than its HTML; a runnable page also changes when a snippet
    it includes changes, or when it runs again. Deleting the HTML is MkDocs' own
    signal for "build this page" (``File.is_modified``); a full build rewrites
    every page anyway.
    """
    dest = Path(file.abs_dest_path)
    if dest.is_file() and dest.stat().st_mtime < newest_input:
        dest.unlink()
