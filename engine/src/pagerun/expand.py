"""Expanding ``--8<--`` includes with pymdownx.snippets, remembering where each line came from.

The site's own preprocessor does the expansion, so a page runs exactly the code
the site shows. Each line it reads is a :class:`TracedLine`, a ``str`` that
carries its origin (file and line); the preprocessor's own string operations keep
that tag, so after expansion every line still knows its real place.
"""

from __future__ import annotations

import os
from pathlib import Path

import markdown
from pymdownx.snippets import SnippetExtension, SnippetMissingError, SnippetPreprocessor

from pagerun.errors import PageError

Origin = tuple[str, int]


class TracedLine(str):
    """A line of text that remembers the file and line it came from."""

    origin: Origin

    def __new__(cls, text: str, origin: Origin) -> TracedLine:
        """Tag ``text`` with its ``origin``."""
        line = super().__new__(cls, text)
        line.origin = origin
        return line

    def __radd__(self, other: str) -> TracedLine:
        # The preprocessor indents included lines with `space + line`; keep the tag.
        return TracedLine(str(other) + str(self), self.origin)


class _TracingPreprocessor(SnippetPreprocessor):
    """pymdownx's snippet preprocessor, reading files as traced lines."""

    def __init__(self, config: dict, md: markdown.Markdown, root: Path) -> None:
        super().__init__(config, md)
        self.root = root
        self.parsing: list[str | None] = []
        self.last_include: tuple[str | None, str] | None = None

    def read_lines(self, path: str) -> list[str]:
        name = relative_name(Path(path), self.root)
        return [TracedLine(text, (name, n)) for n, text in enumerate(super().read_lines(path), 1)]

    def parse_snippets(self, lines, file_name=None, is_url=False, is_section=False):
        self.parsing.append(file_name)
        try:
            return super().parse_snippets(lines, file_name, is_url, is_section)
        finally:
            self.parsing.pop()

    def parse_snippet_target(self, path: str):
        # Remember which file asked for which include, to locate a missing one.
        self.last_include = (self.parsing[-1] if self.parsing else None, path)
        return super().parse_snippet_target(path)


def relative_name(path: Path, root: Path) -> str:
    """Name ``path`` relative to the project root when it lies inside it.

    Args:
        path: Any path.
        root: The project root.

    Returns:
        A short, portable name for messages.
    """
    try:
        return Path(os.path.relpath(Path(path).resolve(), root)).as_posix()
    except ValueError:  # another drive on Windows
        return str(path)


def expand(page: Path, root: Path, snippet_options: dict) -> list[TracedLine]:
    """Return the page's lines with every snippet include expanded.

    Args:
        page: The Markdown page.
        root: The project root (where ``mkdocs.yml`` is).
        snippet_options: The ``pymdownx.snippets`` options from ``mkdocs.yml``.

    Returns:
        The expanded lines, each carrying its origin.

    Raises:
        PageError: If an include names a missing file or an unknown section.
    """
    name = relative_name(page, root)
    text = page.read_text(encoding="utf-8")
    lines = [TracedLine(t, (name, n)) for n, t in enumerate(text.split("\n"), 1)]
    md = markdown.Markdown()
    options = SnippetExtension(**snippet_options).getConfigs()
    processor = _TracingPreprocessor(options, md, root)
    try:
        expanded = processor.run(lines)
    except SnippetMissingError as error:
        where_file, spec = processor.last_include or (None, "")
        file = Path(where_file) if where_file else page
        raise PageError(
            relative_name(file, root),
            _line_mentioning(file, spec),
            f"{error} (include '{spec}')",
        ) from None
    return _fill_origins(expanded, (name, 1))


def _line_mentioning(file: Path, spec: str) -> int:
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if spec and spec in line and "8<" in line:
            return number
    return 1


def _fill_origins(lines: list[str], first: Origin) -> list[TracedLine]:
    # A few rewritten lines (escaped markers) lose their tag: give them their neighbour's.
    filled: list[TracedLine] = []
    previous = first
    for line in lines:
        if isinstance(line, TracedLine):
            previous = line.origin
            filled.append(line)
        else:
            filled.append(TracedLine(line, previous))
    return filled
