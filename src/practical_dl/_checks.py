"""Argument checks shared by every helper, so that every error reads the same way.

Each check takes the argument's name and its value, returns the value
(converted where that is lossless, such as a NumPy integer to ``int``), and
otherwise raises with one message style that names the argument and shows what
it received::

    num_epochs must be a positive int, got 2.5 (float)

A value of the wrong kind raises ``TypeError``; a value of the right kind but
out of range raises ``ValueError``. ``bool`` is never accepted as a number,
although Python counts ``True`` as the integer 1: ``epochs=True`` is a slip, not
a request for one epoch.

This module is private (the chapters never import it). A helper module that
checks its arguments should use it instead of writing the checks out again::

    from practical_dl import _checks as check

    def fit(..., epochs: int, ...):
        epochs = check.positive_int("epochs", epochs)

For a rule no check here covers, raise ``check.bad(...)`` so the message keeps
the same shape: ``raise check.bad("X", "have 2 columns", got=f"shape {shape}")``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import torch

__all__ = [
    "bad",
    "column",
    "describe",
    "int_in_range",
    "ints",
    "is_tensor",
    "non_negative_int",
    "one_of",
    "positive_float",
    "positive_int",
    "positive_ints",
    "probability",
    "shape",
]

T = TypeVar("T")

_MISSING = object()
_MAX_REPR = 60


def describe(value: Any) -> str:
    """Show a received value in an error message: its value (or shape) and its type.

    Args:
        value: Anything an argument received.

    Returns:
        For example ``"2.5 (float)"``, ``"True (bool)"``, ``"'gpu' (str)"`` or, for
        arrays, ``"a tensor of shape (5, 8, 8) (torch.float32)"``.
    """
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)} ({value.dtype})"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} ({value.dtype})"
    text = repr(value)
    if len(text) > _MAX_REPR:
        text = text[: _MAX_REPR - 3] + "..."
    return f"{text} ({type(value).__name__})"


def bad(
    name: str,
    expected: str,
    value: Any = _MISSING,
    *,
    got: str | None = None,
    error: type[Exception] = ValueError,
) -> Exception:
    """Build (not raise) the error for an argument that breaks a rule.

    The message is ``"<name> must <expected>, got <what it got>"``.

    Args:
        name: The argument, as the caller spelled it (``"epochs"``, ``"X and y"``).
        expected: What it must do, starting with a verb: ``"be a positive int"``,
            ``"have shape (n, 2)"``.
        value: The value received; shown with :func:`describe`.
        got: Text to show instead of ``describe(value)``, for example ``"shape (3, 4)"``.
        error: The exception class, ``ValueError`` unless the value is of the wrong type.

    Returns:
        The exception, for the caller to ``raise`` (so tracebacks end at the caller).
    """
    shown = got if got is not None else ("nothing" if value is _MISSING else describe(value))
    return error(f"{name} must {expected}, got {shown}")


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def int_in_range(
    name: str,
    value: Any,
    low: int | None = None,
    high: int | None = None,
    *,
    expected: str | None = None,
) -> int:
    """Check that ``value`` is an int with ``low <= value < high``.

    Args:
        name: The argument's name.
        value: What it received.
        low: Smallest allowed value; ``None`` for no bound.
        high: First value no longer allowed; ``None`` for no bound.
        expected: What to call the rule in the message; by default
            ``"an int in [low, high)"``.

    Returns:
        The value as a plain ``int``.

    Raises:
        TypeError: If ``value`` is not an integer (a ``bool`` or ``2.0`` is not).
        ValueError: If it is out of range.
    """
    if expected is None:
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        expected = f"an int in [{lo}, {hi})"
    if not _is_int(value):
        raise bad(name, f"be {expected}", value, error=TypeError)
    if (low is not None and value < low) or (high is not None and value >= high):
        raise bad(name, f"be {expected}", value)
    return int(value)


def positive_int(name: str, value: Any) -> int:
    """Check that ``value`` is an int of at least 1.

    Args:
        name: The argument's name.
        value: What it received.

    Returns:
        The value as a plain ``int``.

    Raises:
        TypeError: If ``value`` is not an integer (``True`` and ``2.5`` are not).
        ValueError: If it is below 1.
    """
    return int_in_range(name, value, 1, expected="a positive int")


def non_negative_int(name: str, value: Any) -> int:
    """Check that ``value`` is an int of at least 0.

    Args:
        name: The argument's name.
        value: What it received.

    Returns:
        The value as a plain ``int``.

    Raises:
        TypeError: If ``value`` is not an integer.
        ValueError: If it is negative.
    """
    return int_in_range(name, value, 0, expected="a non-negative int")


def ints(
    name: str,
    values: Any,
    *,
    minimum: int | None = None,
    length: int | None = None,
    expected: str | None = None,
) -> tuple[int, ...]:
    """Check a sequence of ints, such as class labels, layer widths or an image shape.

    Args:
        name: The argument's name.
        values: What it received.
        minimum: Smallest value allowed for each entry; ``None`` for no bound.
        length: The number of entries required; ``None`` allows any number.
        expected: What to call the rule in the message; by default, for example,
            ``"a sequence of 3 ints >= 0"``.

    Returns:
        The entries as a tuple of plain ``int``.

    Raises:
        TypeError: If ``values`` is not a sequence of integers.
        ValueError: If an entry is below ``minimum`` or the length is wrong.
    """
    if expected is None:
        count = "" if length is None else f"{length} "
        bound = "" if minimum is None else f" >= {minimum}"
        expected = f"a sequence of {count}ints{bound}"
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise bad(name, f"be {expected}", values, error=TypeError)
    entries = tuple(values)
    if not all(_is_int(v) for v in entries):
        raise bad(name, f"be {expected}", values, error=TypeError)
    too_small = minimum is not None and any(v < minimum for v in entries)
    if too_small or (length is not None and len(entries) != length):
        raise bad(name, f"be {expected}", values)
    return tuple(int(v) for v in entries)


def positive_ints(
    name: str, values: Any, *, length: int | None = None, expected: str | None = None
) -> tuple[int, ...]:
    """Check a sequence of positive ints, such as layer widths or an image shape.

    Args:
        name: The argument's name.
        values: What it received.
        length: The number of entries required; ``None`` allows any number.
        expected: What to call the rule in the message; by default
            ``"a sequence of positive ints"``.

    Returns:
        The entries as a tuple of plain ``int``.

    Raises:
        TypeError: If ``values`` is not a sequence of integers.
        ValueError: If an entry is below 1 or the length is wrong.
    """
    if expected is None:
        count = "" if length is None else f"{length} "
        expected = f"a sequence of {count}positive ints"
    return ints(name, values, minimum=1, length=length, expected=expected)


def positive_float(name: str, value: Any) -> float:
    """Check that ``value`` is a finite number above 0 (an int is accepted).

    Args:
        name: The argument's name.
        value: What it received.

    Returns:
        The value as a plain ``float``.

    Raises:
        TypeError: If ``value`` is not a real number.
        ValueError: If it is not above 0, or is infinite or NaN.
    """
    expected = "be a positive, finite number"
    if not _is_real(value):
        raise bad(name, expected, value, error=TypeError)
    if not (math.isfinite(value) and value > 0):
        raise bad(name, expected, value)
    return float(value)


def probability(
    name: str, value: Any, *, include_zero: bool = True, include_one: bool = True
) -> float:
    """Check that ``value`` is a number in ``[0, 1]``, or an open or half-open part of it.

    Args:
        name: The argument's name.
        value: What it received.
        include_zero: Whether 0 is allowed.
        include_one: Whether 1 is allowed.

    Returns:
        The value as a plain ``float``.

    Raises:
        TypeError: If ``value`` is not a real number.
        ValueError: If it is outside the interval (or NaN).
    """
    interval = ("[" if include_zero else "(") + "0, 1" + ("]" if include_one else ")")
    expected = f"be a number in {interval}"
    if not _is_real(value):
        raise bad(name, expected, value, error=TypeError)
    above = value >= 0 if include_zero else value > 0
    below = value <= 1 if include_one else value < 1
    if not (above and below):  # also False for NaN
        raise bad(name, expected, value)
    return float(value)


def one_of(name: str, value: T, choices: Collection[T]) -> T:
    """Check that ``value`` is one of a few allowed values.

    Args:
        name: The argument's name.
        value: What it received.
        choices: The allowed values, in the order the message lists them.

    Returns:
        The value, unchanged.

    Raises:
        ValueError: If it is not one of ``choices``.
    """
    try:
        allowed = value in choices
    except TypeError:  # an unhashable value tested against a set
        allowed = False
    if not allowed:
        listed = ", ".join(repr(c) for c in choices)
        raise bad(name, f"be one of {listed}", value)
    return value


def is_tensor(name: str, value: Any) -> torch.Tensor:
    """Check that ``value`` is a ``torch.Tensor``.

    Args:
        name: The argument's name.
        value: What it received.

    Returns:
        The tensor, unchanged.

    Raises:
        TypeError: If it is not a tensor.
    """
    if not isinstance(value, torch.Tensor):
        raise bad(name, "be a torch.Tensor", value, error=TypeError)
    return value


def _shape_text(dims: Sequence[int | str]) -> str:
    inner = ", ".join(str(d) for d in dims)
    return f"({inner},)" if len(dims) == 1 else f"({inner})"


def shape(
    name: str, value: torch.Tensor | np.ndarray, expected: Sequence[int | str]
) -> torch.Tensor | np.ndarray:
    """Check the shape of a tensor or array; a string entry, such as ``"N"``, matches any size.

    Args:
        name: The argument's name.
        value: A tensor or NumPy array.
        expected: One entry per dimension: an int that must match, or a name for
            a dimension of any size (``("N", 1, 8, 8)``).

    Returns:
        The value, unchanged.

    Raises:
        TypeError: If ``value`` is neither a tensor nor an array.
        ValueError: If its shape differs.
    """
    wanted = f"have shape {_shape_text(expected)}"
    if not isinstance(value, torch.Tensor | np.ndarray):
        raise bad(name, wanted, value, error=TypeError)
    actual = tuple(value.shape)
    if len(actual) != len(expected) or any(
        isinstance(e, int) and a != e for a, e in zip(actual, expected, strict=True)
    ):
        raise bad(name, wanted, got=f"shape {_shape_text(actual)}")
    return value


def column(name: str, value: torch.Tensor | np.ndarray) -> torch.Tensor | np.ndarray:
    """Accept one value per sample as shape ``(n,)`` or ``(n, 1)``, and return it as ``(n,)``.

    A model with one output returns ``(n, 1)``, while targets are usually ``(n,)``;
    this lets helpers take either.

    Args:
        name: The argument's name.
        value: A tensor or NumPy array.

    Returns:
        A 1-D view of the same values (same type, same dtype).

    Raises:
        TypeError: If ``value`` is neither a tensor nor an array.
        ValueError: If its shape is neither ``(n,)`` nor ``(n, 1)``, or it is empty.
    """
    wanted = "have shape (n,) or (n, 1) with n >= 1"
    if not isinstance(value, torch.Tensor | np.ndarray):
        raise bad(name, wanted, value, error=TypeError)
    flat = value[:, 0] if value.ndim == 2 and value.shape[1] == 1 else value
    if flat.ndim != 1 or flat.shape[0] == 0:
        raise bad(name, wanted, got=f"shape {_shape_text(tuple(value.shape))}")
    return flat
