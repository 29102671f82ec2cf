"""Reading the site's own settings from ``mkdocs.yml``, so pages expand as the site does."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONFIG_NAME = "mkdocs.yml"


class _Loader(yaml.SafeLoader):
    """A YAML loader that understands the MkDocs tags used in ``mkdocs.yml``."""


def _relative(loader: _Loader, node: yaml.Node) -> str:
    # `!relative $config_dir/sub`: resolved against the folder of mkdocs.yml.
    value = loader.construct_scalar(node)
    root = Path(loader.name).parent
    placeholder, _, rest = value.partition("/")
    base = {"$config_dir": root, "$docs_dir": root / "docs"}.get(placeholder)
    if base is None:
        raise yaml.constructor.ConstructorError(
            None, None, f"unsupported !relative placeholder {placeholder!r}", node.start_mark
        )
    return str(base / rest) if rest else str(base)


_Loader.add_constructor("!relative", _relative)
_Loader.add_constructor("!ENV", lambda loader, node: None)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class SiteConfig:
    """What the engine needs from ``mkdocs.yml``.

    Attributes:
        root: The project root (the folder holding ``mkdocs.yml``).
        docs_dir: The pages' folder.
        snippets: The ``pymdownx.snippets`` options, exactly as configured.
        repo_url: The repository's URL, for "Open in Colab" links.
        raw: The whole parsed file.
    """

    root: Path
    docs_dir: Path
    snippets: dict[str, Any] = field(default_factory=dict)
    repo_url: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def find_root(start: Path) -> Path:
    """Return the nearest folder at or above ``start`` that holds ``mkdocs.yml``.

    Args:
        start: A file or folder inside the project.

    Returns:
        The project root.

    Raises:
        FileNotFoundError: If no ``mkdocs.yml`` is found above ``start``.
    """
    start = start.resolve()
    for folder in [start, *start.parents]:
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise FileNotFoundError(f"{start}: no {CONFIG_NAME} in this folder or any above it")


@cache
def load_config(root: Path) -> SiteConfig:
    """Parse ``root/mkdocs.yml`` (cached per root).

    Args:
        root: The project root.

    Returns:
        The settings the engine uses.
    """
    path = root / CONFIG_NAME
    with path.open(encoding="utf-8") as handle:
        loader = _Loader(handle)
        loader.name = str(path)
        try:
            raw = loader.get_single_data() or {}
        finally:
            loader.dispose()
    snippets: dict[str, Any] = {}
    for entry in raw.get("markdown_extensions", []):
        if isinstance(entry, dict) and "pymdownx.snippets" in entry:
            snippets = dict(entry["pymdownx.snippets"] or {})
    snippets.setdefault("base_path", [str(root)])
    return SiteConfig(
        root=root,
        docs_dir=root / raw.get("docs_dir", "docs"),
        snippets=snippets,
        repo_url=raw.get("repo_url", ""),
        raw=raw,
    )
