"""Running a page's fences in order, in one namespace, like a notebook."""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import importlib
import io
import linecache
import platform
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

from pagerun.capture import new_figures, shown_value
from pagerun.errors import PageError
from pagerun.isolation import PageEnvironment
from pagerun.model import CellResult, ErrorInfo, FenceKind, PageRun, Status
from pagerun.page import Fence, Page, load_page

_ENGINE_DIR = str(Path(__file__).parent)


def versions() -> dict[str, str]:
    """Return the versions that shape a page's outputs.

    Returns:
        Python, torch, Lightning, W&B, NumPy and scikit-learn versions.
    """
    found = {"python": platform.python_version()}
    for label, module in [
        ("torch", "torch"),
        ("lightning", "lightning"),
        ("wandb", "wandb"),
        ("numpy", "numpy"),
        ("scikit-learn", "sklearn"),
    ]:
        try:
            found[label] = importlib.metadata.version(
                {"sklearn": "scikit-learn"}.get(module, module)
            )
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


class PageSession:
    """Runs one page's fences in order in one shared namespace.

    Use as a context manager, or call :meth:`open` and :meth:`close`.

    Args:
        page: The loaded page.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.namespace: dict[str, Any] = {"__name__": "__main__"}
        self.results: list[CellResult] = []
        self.environment = PageEnvironment()
        self._scratch: dict[str, Any] = {}  # the reader's namespace for the current exercise
        self._checks: dict[str, Fence] = {}
        self.started = ""
        self._open = False

    def open(self) -> PageSession:
        """Enter the page's clean environment."""
        if not self._open:
            self.environment.__enter__()
            self.started = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
            self._open = True
        return self

    def close(self) -> None:
        """Leave the page's environment, restoring everything it changed."""
        if self._open:
            self._open = False
            self.namespace.clear()
            self.environment.__exit__(None, None, None)
            for fence in self.page.fences:
                linecache.cache.pop(_code_name(self.page, fence), None)

    def __enter__(self) -> PageSession:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def failed(self) -> CellResult | None:
        """The first fence that failed, if any."""
        return next((cell for cell in self.results if cell.status == Status.ERROR), None)

    def run_until(self, index: int) -> CellResult:
        """Run every fence up to and including ``index`` that has not run yet.

        After a failure, later fences are recorded as not run.

        Args:
            index: The fence to reach.

        Returns:
            The result of fence ``index``.
        """
        self.open()
        while len(self.results) <= index:
            fence = self.page.fences[len(self.results)]
            failure = self.failed
            if failure is not None:
                self.results.append(
                    CellResult(
                        fence.index,
                        fence.location,
                        status=Status.NOT_RUN,
                        reason=f"not run: an earlier fence failed at {failure.location}",
                    )
                )
            else:
                self.results.append(self._run(fence))
        return self.results[index]

    def run_all(self) -> PageRun:
        """Run every fence and return the page's run."""
        if self.page.fences:
            self.run_until(len(self.page.fences) - 1)
        return PageRun(
            page=self.page.name,
            cells=list(self.results),
            versions=versions(),
            date=self.started,
            seconds=round(sum(cell.seconds for cell in self.results), 3),
        )

    def _run(self, fence: Fence) -> CellResult:
        result = CellResult(fence.index, fence.location)
        skip = _skip_reason(fence)
        if skip:
            result.status, result.reason = Status.SKIPPED, skip
            return result
        expected = fence.expected_error if fence.kind == FenceKind.EXPECTED_ERROR else None
        stream = io.StringIO()
        began = time.perf_counter()
        try:
            with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
                with warnings.catch_warnings():
                    # Warnings belong to the output readers see, whatever a test runner does.
                    warnings.simplefilter("default")
                    warnings.showwarning = _show_warning
                    value = self._run_code(fence)
            if expected is not None:
                raise PageError(
                    fence.opening[0],
                    fence.opening[1],
                    f"this fence was marked to raise {expected.__name__}, but it did not",
                )
            result.value = shown_value(value)
            _check_expected(fence, stream.getvalue())
        except PageError as error:
            result.status, result.error = Status.ERROR, error.info
        except BaseException as error:  # noqa: BLE001 - the page's own error, reported with its place
            if isinstance(error, KeyboardInterrupt):
                raise
            if expected is not None and isinstance(error, expected):
                # A fence that teaches an error: show the error as a notebook would.
                stream.write(short_error(error))
            else:
                result.status, result.error = Status.ERROR, _locate(error, self.page, fence)
        result.seconds = round(time.perf_counter() - began, 3)
        result.output = stream.getvalue()
        result.figures = new_figures()
        return result

    def _execute(self, fence: Fence, namespace: dict[str, Any] | None = None) -> Any:
        namespace = self.namespace if namespace is None else namespace
        name = _code_name(self.page, fence)
        linecache.cache[name] = (len(fence.code), None, fence.code.splitlines(True), name)
        tree = ast.parse(fence.code, filename=name)  # SyntaxError is located by the caller
        shown = None
        if tree.body and isinstance(tree.body[-1], ast.Expr) and not _ends_quietly(fence.code):
            shown = ast.Expression(tree.body.pop().value)
        exec(compile(tree, name, "exec"), namespace)  # noqa: S102 - running the page is the point
        if shown is not None:
            return eval(compile(shown, name, "eval"), namespace)  # noqa: S307
        return None

    def _run_code(self, fence: Fence) -> Any:
        """Run a fence by its kind; exercise parts run as a reader would meet them.

        A starter runs in a copy of the page's namespace (the reader's own
        attempt); the check then runs against that copy and must fail with
        its own message; the solution runs in the page's namespace, and the
        check is run again on it and must pass.
        """
        kind = fence.kind
        if kind == FenceKind.EXERCISE_STARTER:
            self._scratch = dict(self.namespace)
            return self._execute(fence, self._scratch)
        if kind == FenceKind.EXERCISE_CHECK:
            self._checks[fence.exercise] = fence
            self._check_fails_on_starter(fence)
            return None
        value = self._execute(fence)
        if kind == FenceKind.EXERCISE_SOLUTION:
            check = self._checks[fence.exercise]
            try:
                self._execute(check)
            except Exception as error:  # noqa: BLE001 - any failure of the check is the solution's
                place = _locate(error, self.page, check)
                raise PageError(
                    fence.opening[0],
                    fence.opening[1],
                    f"the solution of exercise '{fence.exercise}' fails its check: "
                    f"{short_error(error).strip()}",
                    str(place),
                ) from None
        return value

    def _check_fails_on_starter(self, fence: Fence) -> None:
        try:
            self._execute(fence, self._scratch)
        except Exception as error:  # noqa: BLE001 - sorted below: the check's own failure or not
            if getattr(type(error), "is_check_failure", False):
                # What a reader sees on running the check before writing anything.
                print(short_error(error), end="")
                return
            raise PageError(
                fence.opening[0],
                fence.opening[1],
                f"the check of exercise '{fence.exercise}' crashed on the starter with "
                f"{short_error(error).strip()}; a check must fail with its own message "
                "(an exception whose class sets is_check_failure = True, such as "
                "practical_dl.exercises.CheckFailed)",
                str(_locate(error, self.page, fence)),
            ) from None
        raise PageError(
            fence.opening[0],
            fence.opening[1],
            f"the check of exercise '{fence.exercise}' passes on the starter as given, "
            "so it cannot tell an unfinished answer from a right one",
        )


def run_page(path: str | Path, root: str | Path | None = None) -> PageRun:
    """Load and run a whole page in a clean environment.

    Args:
        path: The Markdown page.
        root: The project root; found from ``path`` when not given.

    Returns:
        The run, including any failure (never raised).
    """
    page = load_page(path, root)
    with PageSession(page) as session:
        return session.run_all()


def _code_name(page: Page, fence: Fence) -> str:
    return f"<pagerun {page.name} fence {fence.index}>"


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(
        warnings.formatwarning(message, category, filename, lineno, line), end="", file=sys.stderr
    )


def _ends_quietly(code: str) -> bool:
    lines = [line for line in code.rstrip().splitlines() if line.strip()]
    return bool(lines) and lines[-1].split("#")[0].rstrip().endswith(";")


def _skip_reason(fence: Fence) -> str:
    for mark in fence.marks:
        if mark.name == "skip" or (mark.name == "skipif" and mark.condition):
            return mark.reason
    if fence.importorskip:
        try:
            importlib.import_module(fence.importorskip)
        except ImportError:
            return f"needs the module {fence.importorskip}, which is not installed"
    return ""


def _check_expected(fence: Fence, printed: str) -> None:
    if fence.expected_output is None:
        return
    want, got = fence.expected_output, printed
    if fence.expected_ws_insensitive:
        want, got = "".join(want.split()), "".join(got.split())
    if want.strip() != got.strip():
        raise PageError(
            fence.opening[0],
            fence.opening[1],
            "printed output differs from the expected-output block",
            f"expected:\n{fence.expected_output}\ngot:\n{printed}",
        )


def _locate(error: BaseException, page: Page, fence: Fence) -> ErrorInfo:
    """Turn an exception from a fence into a problem at the page's or snippet's real line."""
    if isinstance(error, SyntaxError) and error.filename == _code_name(page, fence):
        file, line = fence.origin_of(error.lineno or 1)
        text = (error.text or "").rstrip()
        return PageError(
            file, line, f"SyntaxError: {error.msg}", f"    {text.strip()}" if text else ""
        ).info
    summary = traceback.TracebackException.from_exception(error)
    fences = {_code_name(page, each): each for each in page.fences}
    places = _remap(summary, fences)
    place = places[-1] if places else fence.opening
    message = f"{type(error).__name__}: {error}"
    return PageError(place[0], place[1], message, "".join(summary.format()).rstrip()).info


def short_error(error: BaseException) -> str:
    """Show an expected error as its type and message, the way readers paste it.

    Args:
        error: The exception a fence raised on purpose.

    Returns:
        ``TypeName: message`` and a newline.
    """
    return f"{type(error).__name__}: {error}\n"


def _remap(
    summary: traceback.TracebackException, fences: dict[str, Fence]
) -> list[tuple[str, int]]:
    """Point frames of the page's fences at their real file and line; drop the engine's frames.

    A function defined in one fence and called from another keeps its own
    fence's origin. Returns the real places of those frames, innermost last.
    """
    frames, places = [], []
    for frame in summary.stack:
        fence = fences.get(frame.filename)
        if fence is not None:
            file, line = fence.origin_of(frame.lineno or 1)
            frames.append(traceback.FrameSummary(file, line, frame.name, line=frame.line))
            places.append((file, line))
        elif not frame.filename.startswith(_ENGINE_DIR):
            frames.append(frame)
    summary.stack = traceback.StackSummary.from_list(frames)
    for linked in (summary.__cause__, summary.__context__):
        if linked is not None:
            _remap(linked, fences)
    return places
