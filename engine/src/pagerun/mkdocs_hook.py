"""MkDocs hook: real outputs under every fence, a notebook per chapter, a version stamp.

Listed under ``hooks:`` in ``mkdocs.yml``. The work is done by ``pagerun.build``;
this file only connects it to MkDocs' events.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from pagerun.build import (
    CHAPTERS,
    NOTEBOOKS,
    SiteBuild,
    colab_base,
    colab_setup_code,
    load_site_config,
    log,
)
from pagerun.errors import PageError

_build: SiteBuild | None = None
_colab = ""
_setup = ""


def on_config(config):
    """Start a build's state."""
    global _build, _colab, _setup
    site = load_site_config(config.config_file_path)
    _build = SiteBuild(site.root, Path(config.docs_dir), Path(config.site_dir))
    _colab = colab_base(config.repo_url or "")
    _setup = colab_setup_code(config.repo_url or "")
    return config


@event_priority(100)  # before mkdocs-jupyter, so it sees the generated notebooks
def on_files(files, config):
    """Run every page (or reuse its record) and add each chapter's notebook."""
    for file in list(files.documentation_pages()):
        if not file.src_uri.endswith(".md"):
            continue
        try:
            found = _build.run_page(file.src_uri)
        except PageError as error:
            raise PluginError(f"pagerun: {error}") from None
        if found and file.src_uri.startswith(CHAPTERS):
            name = _build.write_notebook(file.src_uri, _setup, config.site_url or "")
            files.append(
                File(
                    f"{NOTEBOOKS}/{name}",
                    src_dir=str(_build.notebook_dir.parent),
                    dest_dir=config.site_dir,
                    use_directory_urls=config.use_directory_urls,
                )
            )
    return files


def on_page_markdown(markdown, page, config, files):
    """Replace a runnable page's Markdown with the version carrying its outputs."""
    rendered = _build.markdown(page.file.src_uri, page.url, _colab)
    return markdown if rendered is None else rendered


@event_priority(100)  # before the search plugin indexes the page
def on_page_context(context, page, config, nav):
    """Keep notebook copies of chapters out of search: the chapter pages are indexed."""
    if page.file.src_uri.endswith(".ipynb"):
        page.meta["search"] = {"exclude": True}
        if page.edit_url:
            # Notebooks are generated: "edit this page" opens the chapter they come from.
            chapter = f"{CHAPTERS}{Path(page.file.src_uri).stem}.md"
            page.edit_url = page.edit_url.replace(page.file.src_uri, chapter)
    return context


_EMPTY_SCRIPT = re.compile(r'<script src=""></script>')
_MATHJAX2 = re.compile(r'<script type="text/x-mathjax-config">.*?</script>', re.S)


def on_page_content(html, page, config, files):
    """Drop the CDN-less leftovers mkdocs-jupyter adds to notebook pages (they throw)."""
    if page.file.src_uri.endswith(".ipynb"):
        html = _MATHJAX2.sub("", _EMPTY_SCRIPT.sub("", html))
    return html


def on_post_build(config):
    """Put each chapter's notebook at /notebooks/<slug>.ipynb for the download button."""
    target = Path(config.site_dir) / NOTEBOOKS
    target.mkdir(parents=True, exist_ok=True)
    for notebook in _build.notebook_dir.glob("*.ipynb"):
        shutil.copy2(notebook, target / notebook.name)
    log.info(
        "pagerun: %d page(s) executed, %d reused from the test run's records",
        len(_build.executed),
        len(_build.reused),
    )
