"""The one error type the engine raises for a problem in a page."""

from __future__ import annotations

from pagerun.model import ErrorInfo, Location


class PageError(Exception):
    """A problem in a page or a file it includes, located at ``file:line``.

    The problem itself is an :class:`~pagerun.model.ErrorInfo` (``info``), which
    is what runs record and what the build reports: no code reads it back out
    of the message text.

    Args:
        file: Path of the page or snippet file, relative to the project root.
        line: 1-based line number in that file.
        message: What went wrong, in one sentence.
        details: Optional longer text, such as a traceback.
    """

    def __init__(self, file: str, line: int, message: str, details: str = "") -> None:
        self.info = ErrorInfo(Location(file, line), message, details)
        super().__init__(str(self.info))

    @classmethod
    def from_info(cls, info: ErrorInfo) -> PageError:
        """Raise-ready error for a recorded problem.

        Args:
            info: The recorded problem.

        Returns:
            The error.
        """
        return cls(info.location.file, info.location.line, info.message, info.details)

    @property
    def file(self) -> str:
        """The page or snippet file."""
        return self.info.location.file

    @property
    def line(self) -> int:
        """The 1-based line."""
        return self.info.location.line

    @property
    def message(self) -> str:
        """What went wrong."""
        return self.info.message

    @property
    def details(self) -> str:
        """The longer text, or ""."""
        return self.info.details

    @property
    def location(self) -> str:
        """The place as ``file:line``."""
        return str(self.info.location)

    def __str__(self) -> str:
        return str(self.info)
