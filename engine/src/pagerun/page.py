"""A page as the engine sees it: expanded lines and the fences to run.

Fences are found by pytest-codeblocks' own extraction (so its HTML-comment
markers mean what they mean there), and located in the expanded text so each
code line keeps its real origin.
"""

from __future__ import annotations

import io
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from pytest_codeblocks import extract_from_buffer

from pagerun.config import find_root, load_config
from pagerun.errors import PageError
from pagerun.expand import Origin, TracedLine, expand, relative_name
from pagerun.model import FenceKind, Location

#: Fence info strings shown but never run.
DISPLAY_ONLY = {
    "console",
    "text",
    "yaml",
    "toml",
    "json",
    "ini",
    "diff",
    "output",
    "markdown",
    "md",
}
#: Info strings that look like Python but would not run: an error, so nothing is silently skipped.
_PYTHON_LIKE = re.compile(r"^(\{?\.?(python|py|python3|pycon|ipython)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Mark:
    """A pytest-style mark from an HTML comment before a fence.

    Attributes:
        name: ``skip``, ``skipif`` or ``xfail``.
        reason: The reason readers see.
        condition: For ``skipif``, whether to skip.
        raises: For ``xfail``, the exception type the fence must raise.
    """

    name: str
    reason: str = ""
    condition: bool = True
    raises: type[BaseException] | None = None


@dataclass(frozen=True)
class Block:
    """Any fenced block of an expanded page, runnable or not.

    Attributes:
        start: 0-based index of the opening line in the expanded lines.
        end: 0-based index of the closing line.
        indent: Leading spaces of the opening line.
        info: The info string (``python``, ``console``, ``text``, ...).
    """

    start: int
    end: int
    indent: int
    info: str

    def lines(self) -> range:
        """The indexes of every line of the block, fences included."""
        return range(self.start, self.end + 1)


@dataclass
class Fence:
    """One fenced code block of an expanded page.

    Attributes:
        index: Position among the page's runnable fences.
        start: 0-based index of the opening line in the expanded lines.
        end: 0-based index of the closing line.
        indent: Leading spaces of the opening line.
        info: The info string (``python``, ``console``, ...).
        code: The code, with the fence's indentation removed.
        origins: Origin of each code line.
        marks: Marks from HTML comments before the fence.
        importorskip: A module whose absence skips the fence.
        expected_output: Text the fence must print, if given.
        expected_ws_insensitive: Compare expected output ignoring whitespace.
        expected_block: The block holding that text, which writers hide.
        opening: Where the fence opens.
        exercise: For a part of a self-checking exercise, the exercise's name.
        part: ``starter``, ``check`` or ``solution`` for an exercise's fences.
        guard: Checks that only keep the prose honest (asserts on the numbers
            it states): run like any fence, shown folded away.
    """

    index: int
    start: int
    end: int
    indent: int
    info: str
    code: str
    origins: list[Origin]
    marks: list[Mark] = field(default_factory=list)
    importorskip: str | None = None
    expected_output: str | None = None
    expected_ws_insensitive: bool = False
    expected_block: Block | None = None
    opening: Origin = ("", 0)
    exercise: str | None = None
    part: str | None = None
    guard: bool = False

    @property
    def location(self) -> Location:
        """Where the fence opens."""
        return Location(*self.opening)

    @property
    def kind(self) -> FenceKind:
        """What the fence is for, from its marks."""
        if self.part is not None:
            return _PARTS[self.part]
        names = {mark.name for mark in self.marks}
        if "xfail" in names:
            return FenceKind.EXPECTED_ERROR
        if names & {"skip", "skipif"}:
            return FenceKind.SKIPPED
        return FenceKind.LESSON

    @property
    def expected_error(self) -> type[BaseException] | None:
        """The exception an expected-error fence must raise."""
        return next((mark.raises for mark in self.marks if mark.name == "xfail"), None)

    def origin_of(self, code_line: int) -> Origin:
        """Return the real place of the fence's ``code_line`` (1-based).

        Args:
            code_line: A line number within the fence's code.

        Returns:
            The file and line it came from.
        """
        if 1 <= code_line <= len(self.origins):
            return self.origins[code_line - 1]
        return self.opening


@dataclass
class Page:
    """A Markdown page, expanded, with its fences.

    Attributes:
        path: The page file.
        root: The project root.
        name: The page's path relative to the root.
        lines: The expanded lines.
        fences: The runnable ``python`` fences, in order.
        blocks: Every fenced block, runnable or not, in order.
        included: Every file the expansion read, the page first.
    """

    path: Path
    root: Path
    name: str
    lines: list[TracedLine]
    fences: list[Fence]
    blocks: list[Block]
    included: list[str]

    @property
    def runnable(self) -> bool:
        """Whether the page has Python to run."""
        return bool(self.fences)


def load_page(path: str | Path, root: str | Path | None = None) -> Page:
    """Expand a page and find its fences.

    Args:
        path: The Markdown page.
        root: The project root; found from ``path`` when not given.

    Returns:
        The page.

    Raises:
        PageError: For a missing include, an unknown section, an unclosed or
            unrunnable fence, or a malformed marker.
        FileNotFoundError: If ``path`` does not exist.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such page")
    root = Path(root).resolve() if root else find_root(path)
    config = load_config(root)
    lines = expand(path, root, config.snippets)
    name = relative_name(path, root)
    blocks = _scan_fences(lines)
    fences = _python_fences(lines, blocks)
    _mark_exercises(lines, fences)
    included = list(dict.fromkeys(line.origin[0] for line in lines))
    return Page(path, root, name, lines, fences, blocks, included)


#: ``<!--pagerun:starter NAME-->`` (or ``check``, ``solution``), or ``<!--pagerun:guard-->``,
#: right above a fence.
_EXERCISE = re.compile(r"^\s*<!--\s*pagerun:(?P<part>[\w-]+)(?:\s+(?P<name>[\w.-]+))?\s*-->\s*$")
_PARTS = {
    "starter": FenceKind.EXERCISE_STARTER,
    "check": FenceKind.EXERCISE_CHECK,
    "solution": FenceKind.EXERCISE_SOLUTION,
}


def _mark_exercises(lines: list[TracedLine], fences: list[Fence]) -> None:
    """Tag each exercise part and check that every exercise has all three, in order."""
    seen: dict[str, list[Fence]] = {}
    for fence in fences:
        above = fence.start - 1
        while above >= 0 and lines[above].strip().startswith("<!--"):
            match = _EXERCISE.match(lines[above])
            if match and match["part"] == "guard" and not match["name"]:
                fence.guard = True
            elif match:
                file, line = lines[above].origin
                if match["part"] not in _PARTS or not match["name"]:
                    raise PageError(
                        file,
                        line,
                        f"unknown marker '{lines[above].strip()}': use <!--pagerun:guard--> or "
                        "<!--pagerun:starter NAME--> (check, solution) above a fence",
                    )
                if fence.kind in {FenceKind.SKIPPED, FenceKind.EXPECTED_ERROR}:
                    raise PageError(file, line, "an exercise part cannot also be skipped or xfail")
                fence.exercise, fence.part = match["name"], match["part"]
                seen.setdefault(fence.exercise, []).append(fence)
            above -= 1
    for name, parts in seen.items():
        order = [fence.part for fence in parts]
        if order != ["starter", "check", "solution"]:
            file, line = parts[0].opening
            raise PageError(
                file,
                line,
                f"exercise '{name}' has {', '.join(order)}: it needs one starter, then one "
                "check, then one solution (<!--pagerun:starter NAME--> above each fence)",
            )


def _scan_fences(lines: list[TracedLine]) -> list[Block]:
    # The same rules as pytest-codeblocks: a line starting with ``` opens a fence,
    # the next line starting with as many backticks closes it.
    found = []
    i = 0
    while i < len(lines):
        stripped = lines[i].lstrip()
        if stripped.startswith("```"):
            ticks = len(stripped) - len(stripped.lstrip("`"))
            info = stripped[ticks:].strip()
            indent = len(lines[i]) - len(stripped)
            j = i + 1
            while j < len(lines) and lines[j].lstrip()[:ticks] != "`" * ticks:
                j += 1
            if j == len(lines):
                file, line = lines[i].origin
                raise PageError(file, line, "this fence is never closed")
            _check_info(info, lines[i])
            found.append(Block(i, j, indent, info))
            i = j + 1
        else:
            i += 1
    return found


def _check_info(info: str, line: TracedLine) -> None:
    file, number = line.origin
    if info in {"bash", "sh"}:
        raise PageError(
            file,
            number,
            f"a ```{info} fence would be executed by pytest-codeblocks; "
            "write shell commands in a ```console fence, which is shown and never run",
        )
    if info != "python" and _PYTHON_LIKE.match(info):
        raise PageError(
            file,
            number,
            f"fence info '{info}' is not collected by pytest-codeblocks, so its "
            "code would never be tested; use a plain ```python fence (or ```text for output)",
        )


def _python_fences(lines: list[TracedLine], scanned: list[Block]) -> list[Fence]:
    extracted = {block.lineno - 1: block for block in _codeblocks(lines)}
    fences: list[Fence] = []
    for position, block in enumerate(scanned):
        if block.info != "python":
            continue
        found = extracted.get(block.start)
        body = lines[block.start + 1 : block.end]
        code = "".join(_dedent(line, block.indent) + "\n" for line in body)
        fence = Fence(
            index=len(fences),
            start=block.start,
            end=block.end,
            indent=block.indent,
            info=block.info,
            code=code,
            origins=[line.origin for line in body],
            opening=lines[block.start].origin,
        )
        if found is not None:
            fence.marks = [_parse_mark(text, lines[block.start]) for text in found.marks]
            fence.importorskip = found.importorskip
            if found.expected_output is not None:
                # pytest-codeblocks reads the expected text from the very next block.
                fence.expected_output = found.expected_output
                fence.expected_ws_insensitive = found.expected_output_ignore_whitespace
                fence.expected_block = scanned[position + 1]
        fences.append(fence)
    return fences


def _codeblocks(lines: list[TracedLine]):
    text = "\n".join(lines)
    with warnings.catch_warnings():
        # Deprecated keywords warn; the reason check below gives a clearer message.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return extract_from_buffer(io.StringIO(text), max_num_lines=10**6)
        except RuntimeError as error:
            file, line = _marker_origin(lines, str(error))
            raise PageError(file, line, f"pytest-codeblocks marker: {error}") from None


def _marker_origin(lines: list[TracedLine], message: str) -> Origin:
    for line in lines:
        if "pytest-codeblocks" in line and line.strip().startswith("<!--"):
            keyword = line.strip()[4:-3].split(":", 1)[-1].strip("- ")
            if keyword and keyword in message:
                return line.origin
    return lines[0].origin if lines else ("?", 1)


def _dedent(line: str, indent: int) -> str:
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(indent, spaces) :]


class _MarkFactory:
    def __getattr__(self, name: str):
        def mark(*args, **kwargs):
            return (name, args, kwargs)

        return mark


_MARK_NAMESPACE = {"pytest": type("pytest", (), {"mark": _MarkFactory()})(), "sys": sys}


def _parse_mark(text: str, opening: TracedLine) -> Mark:
    file, line = opening.origin
    try:
        found = eval(text, dict(_MARK_NAMESPACE))  # noqa: S307 - the page's own marker
        name, args, kwargs = found() if callable(found) else found  # a bare `pytest.mark.skip`
    except Exception as error:  # noqa: BLE001 - any mistake in a marker is reported the same way
        raise PageError(file, line, f"cannot read marker '{text}': {error}") from None
    reason = str(kwargs.get("reason", "")).strip()
    if name == "skip":
        if not reason:
            raise PageError(
                file,
                line,
                f"'{text}' needs a reason, which readers see: pytest.mark.skip(reason=\"...\")",
            )
        return Mark("skip", reason)
    if name == "skipif":
        if not reason or not args:
            raise PageError(file, line, f"'{text}' needs a condition and a reason")
        return Mark("skipif", reason, condition=bool(args[0]))
    if name == "xfail":
        raises = kwargs.get("raises")
        if raises is None:
            raise PageError(
                file,
                line,
                f"'{text}' must name the exception: "
                'pytest.mark.xfail(raises=ValueError, reason="...")',
            )
        return Mark("xfail", reason, raises=raises)
    raise PageError(file, line, f"unsupported marker '{text}': use skip, skipif or xfail")
