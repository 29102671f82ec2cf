"""Checks for the exercises: run them on your own answer, and they say what is wrong.

Every exercise on the site has a *starter* (what you begin with), a *check*
(a call into this package) and a collapsed *solution*. A check that fails
raises :class:`CheckFailed` with a plain-words message and a hint, never a
bare ``AssertionError``; a check that passes prints what it confirmed. The
chapter-specific checks live in one module per chapter
(``practical_dl.exercises.tensors``, ...), built from the helpers here.

Introduced in chapter 1, "Getting started".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "CheckFailed",
    "call",
    "check",
    "check_callable",
    "check_close",
    "check_equal",
    "check_module",
    "check_shape",
    "given",
    "number",
    "passed",
]


class CheckFailed(AssertionError):
    """An exercise's answer is not right yet; the message says why and how to look.

    Args:
        message: What is wrong, in plain words.
        hint: Where to look, or "".
    """

    #: How the site's engine tells a check's own failure from a crash.
    is_check_failure = True

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message}\nHint: {hint}" if hint else message)


def given(name: str, value: Any) -> Any:
    """Return ``value``, or fail when it is still the starter's ``...`` or ``None``.

    Args:
        name: The name the reader had to fill in, for the message.
        value: Its current value.

    Returns:
        The value.

    Raises:
        CheckFailed: When the value is ``...`` or ``None``.
    """
    if value is ... or value is None:
        shown = "..." if value is ... else "None"
        raise CheckFailed(
            f"{name} is {shown}: the exercise is not done yet",
            "replace the ... in the starter with your answer (a function must return it)",
        )
    return value


def call(name: str, function: Callable, *args: Any, hint: str = "") -> Any:
    """Call the reader's function; report any error it raises as a failed check.

    Args:
        name: How to name the call in the message, e.g. ``"count_parameters(model)"``.
        function: The reader's function.
        *args: Its arguments.
        hint: Where to look when it raises.

    Returns:
        What the function returned.

    Raises:
        CheckFailed: When the function raises, with its error's type and first line.
    """
    try:
        return function(*args)
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - the reader's error, reported in plain words
        text = str(error).strip()
        first_line = text.splitlines()[0] if text else ""
        raise CheckFailed(f"{name} raised {type(error).__name__}: {first_line}", hint) from error


def number(name: str, value: Any, hint: str = "") -> float:
    """Return the reader's answer as a float, or fail saying it is not one number.

    Args:
        name: The answer's name, for the message.
        value: A Python number or a one-element tensor or array.
        hint: Where to look when it is not a number.

    Returns:
        The number.

    Raises:
        CheckFailed: When it is ``...``, ``None`` or not one number.
    """
    given(name, value)
    size = getattr(value, "size", None)
    count = value.numel() if hasattr(value, "numel") else size if isinstance(size, int) else 1
    if count != 1:
        shape = tuple(getattr(value, "shape", ()))
        raise CheckFailed(f"{name} should be one number, got an array of shape {shape}", hint)
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        raise CheckFailed(f"{name} should be a number, got {type(value).__name__}", hint) from None


def check(condition: bool, message: str, hint: str = "") -> None:
    """Fail with ``message`` (and ``hint``) unless ``condition`` holds.

    Args:
        condition: What must be true.
        message: What is wrong when it is not.
        hint: Where to look.

    Raises:
        CheckFailed: When ``condition`` is false.
    """
    if not condition:
        raise CheckFailed(message, hint)


def check_callable(name: str, value: Any) -> Callable:
    """Return ``value`` if it is a function (or other callable), else fail.

    Args:
        name: The function's name, for the message.
        value: What the reader defined under that name.

    Returns:
        The callable.

    Raises:
        CheckFailed: When it is missing or not callable.
    """
    given(name, value)
    check(callable(value), f"{name} should be a function, got {type(value).__name__}")
    return value


def check_module(name: str, value: Any, hint: str = "") -> Any:
    """Return ``value`` if it is a network (an ``nn.Module``), else fail.

    Args:
        name: The network's name, for the message.
        value: What the reader defined or returned under that name.
        hint: Where to look when it is not a network.

    Returns:
        The module.

    Raises:
        CheckFailed: When it is missing or not an ``nn.Module``.
    """
    from torch import nn  # here, so the other helpers need no torch

    given(name, value)
    check(
        isinstance(value, nn.Module),
        f"{name} should be a network (an nn.Module), got {type(value).__name__}",
        hint,
    )
    return value


def check_equal(name: str, got: Any, expected: Any, hint: str = "") -> None:
    """Fail unless ``got == expected``, naming both.

    Args:
        name: What is compared, for the message.
        got: The reader's value.
        expected: The right value.
        hint: Where to look when they differ.

    Raises:
        CheckFailed: When they differ.
    """
    given(name, got)
    check(got == expected, f"{name}: expected {expected!r}, got {got!r}", hint)


def check_close(
    name: str, got: Any, expected: float, rel: float = 1e-6, abs_: float = 0.0, hint: str = ""
) -> None:
    """Fail unless the number ``got`` is close to ``expected``.

    Args:
        name: What is compared, for the message.
        got: The reader's number (a Python number or a one-element tensor).
        expected: The right number.
        rel: Relative tolerance.
        abs_: Absolute tolerance.
        hint: Where to look when they differ.

    Raises:
        CheckFailed: When ``got`` is not a number or not close enough.
    """
    given(name, got)
    try:
        value = float(got)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} should be a number, got {type(got).__name__}", hint) from None
    check(
        math.isclose(value, expected, rel_tol=rel, abs_tol=abs_),
        f"{name}: expected about {expected:.6g}, got {value:.6g}",
        hint,
    )


def check_shape(name: str, tensor: Any, shape: Sequence[int], hint: str = "") -> None:
    """Fail unless ``tensor`` (anything with ``.shape``) has exactly ``shape``.

    Args:
        name: The tensor's name, for the message.
        tensor: The reader's tensor or array.
        shape: The expected shape.
        hint: Where to look when it differs.

    Raises:
        CheckFailed: When it has no shape or another one.
    """
    given(name, tensor)
    got = getattr(tensor, "shape", None)
    check(got is not None, f"{name} should be a tensor, got {type(tensor).__name__}", hint)
    check(
        tuple(got) == tuple(shape),
        f"{name} has shape {tuple(got)}, expected {tuple(shape)}",
        hint,
    )


def passed(what: str) -> None:
    """Say that a check passed, and what it confirmed.

    Args:
        what: The confirmed fact, e.g. "481 parameters for 30-15-1".
    """
    print(f"Check passed: {what}")
