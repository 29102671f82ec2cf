"""The one error type the engine raises for a problem in a page."""

from __future__ import annotations


class PageError(Exception):
    """A problem in a page or a file it includes, located at ``file:line``.

    Args:
        file: Path of the page or snippet file, relative to the project root.
        line: 1-based line number in that file.
        message: What went wrong, in one sentence.
        details: Optional longer text, such as a traceback.
    """

    def __init__(self, file: str, line: int, message: str, details: str = "") -> None:
        self.file = file
        self.line = line
        self.message = message
        self.details = details
        super().__init__(str(self))

    @property
    def location(self) -> str:
        """The place as ``file:line``."""
        return f"{self.file}:{self.line}"

    def __str__(self) -> str:
        head = f"{self.location}: {self.message}"
        return f"{head}\n{self.details}" if self.details else head
