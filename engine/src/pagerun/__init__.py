"""pagerun: runs a Markdown page's Python fences in order, like a notebook.

One engine serves the tests (``pytest docs/page.md``) and the site build (the
MkDocs hook in ``mkdocs_hook.py``): both expand ``pymdownx.snippets`` includes
as the site does, run the fences in one namespace, and record what each fence
printed, showed and drew.
"""

from pagerun.errors import PageError
from pagerun.page import Page, load_page
from pagerun.session import CellResult, PageRun, PageSession, run_page

__all__ = ["CellResult", "Page", "PageError", "PageRun", "PageSession", "load_page", "run_page"]
