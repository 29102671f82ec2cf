"""Recorded runs, so the site build reuses what the test run just executed.

A record is keyed by a fingerprint of everything a page's outputs depend on:
the page's code (not its prose), every file it includes (whole files, not just
the sections), the data files under ``docs/data/``, the project's package
source under ``src/``, the engine's own source, every installed distribution's
version, and the record layout's schema version. Any change to those gives a
new key, so a stale output is never reused; a prose edit reuses the outputs at
once.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import sys
import tempfile
from functools import cache
from pathlib import Path

from pagerun.model import SCHEMA_VERSION, PageRun
from pagerun.page import Page

CACHE_DIR = Path(".cache") / "pagerun"
ENGINE_DIR = Path(__file__).resolve().parent


def page_key(page: Page) -> str:
    """Fingerprint what a page's outputs depend on: its code, not its prose.

    The page's fences (code, marks, expected outputs, exercise parts), every
    file it includes (whole), the package and engine source, and the installed
    versions. A prose-only edit keeps the key, so the recorded outputs are
    reused at once; they are placed under the fences of the page as it is now.

    Args:
        page: The loaded page.

    Returns:
        A hex digest.
    """
    digest = hashlib.sha256(f"schema {SCHEMA_VERSION}".encode())
    for fence in page.fences:
        described = [
            fence.code,
            repr(
                [
                    (m.name, m.reason, m.condition, getattr(m.raises, "__name__", None))
                    for m in fence.marks
                ]
            ),
            repr((fence.importorskip, fence.expected_output, fence.expected_ws_insensitive)),
            repr((fence.exercise, fence.part, fence.guard)),
        ]
        digest.update("\0".join(described).encode())
    for name in page.included[1:]:  # included files; the page itself counts by its fences
        digest.update(name.encode())
        digest.update((page.root / name).read_bytes())
    # Data files pages read while they run (docs/data/, e.g. measurements made on a GPU).
    data = page.root / "docs" / "data"
    for path in sorted(data.rglob("*")) if data.is_dir() else []:
        if path.is_file():
            digest.update(path.relative_to(page.root).as_posix().encode() + path.read_bytes())
    digest.update(_source_digest(page.root).encode())
    digest.update(_environment_digest().encode())
    return digest.hexdigest()


@cache
def _environment_digest() -> str:
    installed = sorted(
        f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions()
    )
    text = "\n".join([sys.version, platform.platform(), *installed])
    return hashlib.sha256(text.encode()).hexdigest()


def _source_digest(root: Path) -> str:
    # The project's package (src/) and the engine itself both shape a page's outputs.
    digest = hashlib.sha256()
    for folder in (root / "src", ENGINE_DIR):
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.relative_to(folder.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def record_path(page: Page) -> Path:
    """Return where a page's record is kept.

    Args:
        page: The loaded page.

    Returns:
        ``.cache/pagerun/<page path with / as __>.json`` under the project root.
    """
    return page.root / CACHE_DIR / (page.name.replace("/", "__") + ".json")


def load_record(page: Page, key: str) -> PageRun | None:
    """Return the recorded run for ``page`` if it was made with this exact ``key``.

    Args:
        page: The loaded page.
        key: The page's current fingerprint.

    Returns:
        The run, or ``None`` when there is none or it is stale.
    """
    path = record_path(page)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("key") != key:
        return None
    try:
        return PageRun.from_dict(data)
    except (KeyError, TypeError, ValueError):  # another layout: stale, never misread
        return None


def save_record(page: Page, run: PageRun) -> None:
    """Store a successful run (atomically: parallel test workers may write at once).

    Args:
        page: The loaded page.
        run: The run; it must carry its key and have no failed fence.

    Raises:
        ValueError: If the run failed or has no key.
    """
    if not run.ok or not run.key:
        raise ValueError(f"{page.name}: only a complete run with a key can be recorded")
    path = record_path(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(run.to_dict(), stream)
    os.replace(temporary, path)
