"""pagerun: runs a Markdown page's Python fences in order, like a notebook.

One engine serves the tests (``pytest docs/page.md``) and the site build (the
MkDocs plugin in ``plugin.py``): both expand ``pymdownx.snippets`` includes
as the site does, run the fences in one namespace, and record what each fence
printed, showed and drew.
"""

from pagerun.errors import PageError
from pagerun.model import CellResult, ErrorInfo, FenceKind, Figure, Location, PageRun, Status, Value
from pagerun.page import Page, load_page
from pagerun.session import PageSession, run_page
from pagerun.walk import Item, ItemKind, walk

__all__ = [
    "CellResult",
    "ErrorInfo",
    "FenceKind",
    "Figure",
    "Item",
    "ItemKind",
    "Location",
    "Page",
    "PageError",
    "PageRun",
    "PageSession",
    "Status",
    "Value",
    "load_page",
    "run_page",
    "walk",
]
