"""The values that cross the engine's modules: places, errors, outputs, cell and page runs.

Each is a small dataclass with ``to_dict``/``from_dict``, so a run can be
recorded as JSON by the tests and read back by the site build without any
text being parsed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

#: Version of the recorded run's layout; part of every record's cache key.
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Location:
    """A place in a page or snippet file.

    Attributes:
        file: Path relative to the project root.
        line: 1-based line number.
    """

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {"file": self.file, "line": self.line}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Location:
        """Rebuild a location saved with :meth:`to_dict`."""
        return cls(data["file"], int(data["line"]))


@dataclass(frozen=True)
class ErrorInfo:
    """A problem located at ``file:line``, as data.

    Attributes:
        location: Where it happened (the innermost page or snippet line).
        message: One line, such as ``ValueError: broken on purpose``.
        details: Longer text, such as the traceback, or "".
    """

    location: Location
    message: str
    details: str = ""

    def __str__(self) -> str:
        head = f"{self.location}: {self.message}"
        return f"{head}\n{self.details}" if self.details else head

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "location": self.location.to_dict(),
            "message": self.message,
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ErrorInfo:
        """Rebuild an error saved with :meth:`to_dict`."""
        return cls(Location.from_dict(data["location"]), data["message"], data.get("details", ""))


@dataclass(frozen=True)
class Figure:
    """A figure a fence drew.

    Attributes:
        png: The image, base64-encoded PNG.
        alt: Its text alternative.
    """

    png: str
    alt: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {"png": self.png, "alt": self.alt}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figure:
        """Rebuild a figure saved with :meth:`to_dict`."""
        return cls(data["png"], data["alt"])


@dataclass(frozen=True)
class Value:
    """A fence's last expression, shown as a notebook would.

    Attributes:
        text: Its ``repr``.
        html: An HTML rendering (pandas tables), or ``None``.
    """

    text: str
    html: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {"text": self.text, "html": self.html}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Value:
        """Rebuild a value saved with :meth:`to_dict`."""
        return cls(data["text"], data.get("html"))


class FenceKind(StrEnum):
    """What a ``python`` fence is for, which decides how it runs and how writers show it."""

    LESSON = "lesson"  #: runs; its output goes under it
    EXPECTED_ERROR = "expected-error"  #: must raise the named exception; the message is shown
    SKIPPED = "skipped"  #: cannot run here (online only, needs GPUs); the reason is shown
    # Room for self-checking exercises: the reader's starting point, the check, the answer.
    EXERCISE_STARTER = "exercise-starter"
    EXERCISE_CHECK = "exercise-check"
    EXERCISE_SOLUTION = "exercise-solution"


class Status(StrEnum):
    """How a fence's run ended."""

    OK = "ok"
    SKIPPED = "skipped"
    ERROR = "error"
    NOT_RUN = "not-run"


@dataclass
class CellResult:
    """What one fence did.

    Attributes:
        index: The fence's position among the page's Python fences.
        location: Where the fence opens.
        status: How the run ended.
        output: Everything printed to stdout and stderr, in order (for an
            expected-error fence, the error's type and message too).
        value: The last expression, if shown.
        figures: Figures drawn, in creation order.
        reason: Why the fence was skipped or not run.
        error: The error, located, with its traceback.
        seconds: Wall time of the fence.
    """

    index: int
    location: Location
    status: Status = Status.OK
    output: str = ""
    value: Value | None = None
    figures: list[Figure] = field(default_factory=list)
    reason: str = ""
    error: ErrorInfo | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary."""
        return {
            "index": self.index,
            "location": self.location.to_dict(),
            "status": str(self.status),
            "output": self.output,
            "value": self.value.to_dict() if self.value else None,
            "figures": [figure.to_dict() for figure in self.figures],
            "reason": self.reason,
            "error": self.error.to_dict() if self.error else None,
            "seconds": self.seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CellResult:
        """Rebuild a result saved with :meth:`to_dict`."""
        return cls(
            index=data["index"],
            location=Location.from_dict(data["location"]),
            status=Status(data["status"]),
            output=data["output"],
            value=Value.from_dict(data["value"]) if data["value"] else None,
            figures=[Figure.from_dict(figure) for figure in data["figures"]],
            reason=data["reason"],
            error=ErrorInfo.from_dict(data["error"]) if data["error"] else None,
            seconds=data["seconds"],
        )


@dataclass
class PageRun:
    """A whole page's run: each fence's result and the versions that made them.

    Attributes:
        page: The page's path relative to the project root.
        cells: One result per Python fence.
        versions: Python and library versions of the run.
        date: When the run happened (UTC, ISO 8601).
        seconds: Total execution time of the fences.
        key: Fingerprint of everything the outputs depend on (see ``cache``).
    """

    page: str
    cells: list[CellResult]
    versions: dict[str, str]
    date: str
    seconds: float
    key: str = ""

    @property
    def ok(self) -> bool:
        """Whether every fence ran (or was skipped on purpose) without error."""
        return all(cell.status in {Status.OK, Status.SKIPPED} for cell in self.cells)

    @property
    def first_error(self) -> CellResult | None:
        """The failing cell, if any."""
        return next((cell for cell in self.cells if cell.status == Status.ERROR), None)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary, tagged with the schema version."""
        return {
            "schema": SCHEMA_VERSION,
            "page": self.page,
            "cells": [cell.to_dict() for cell in self.cells],
            "versions": dict(self.versions),
            "date": self.date,
            "seconds": self.seconds,
            "key": self.key,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageRun:
        """Rebuild a run saved with :meth:`to_dict`.

        Raises:
            ValueError: If the record was written with another schema version.
        """
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"record schema {data.get('schema')!r} is not {SCHEMA_VERSION}")
        return cls(
            page=data["page"],
            cells=[CellResult.from_dict(cell) for cell in data["cells"]],
            versions=dict(data["versions"]),
            date=data["date"],
            seconds=data["seconds"],
            key=data.get("key", ""),
        )
