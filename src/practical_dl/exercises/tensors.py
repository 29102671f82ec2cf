"""Checks for the exercises on tensors: dtypes, broadcasting, memory and views.

Introduced in chapter 2, "Tensors".

Each check takes what you wrote (a function or a value) and tries it; it prints
what it confirmed, or raises :class:`~practical_dl.exercises.CheckFailed`
saying what is wrong and where to look.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from practical_dl.exercises import call, check, check_callable, given, number, passed

__all__ = [
    "check_broadcast_shapes",
    "check_flatten",
    "check_integer_mean",
    "check_weights_gb",
]


def check_integer_mean(integer_mean: Callable[[torch.Tensor], Any]) -> None:
    """Check ``integer_mean(t)``: the mean of an integer tensor, as a float.

    Args:
        integer_mean: The reader's function.

    Raises:
        CheckFailed: When it raises (``mean`` refuses integer tensors) or gives
            another number.
    """
    check_callable("integer_mean", integer_mean)
    convert = "mean() needs a floating-point tensor: convert first with t.to(torch.float32)"
    for values, expected in (([[1, 2], [3, 4]], 2.5), ([1, 2], 1.5)):
        ints = torch.tensor(values)
        called = f"integer_mean(torch.tensor({values}))"
        mean = number(called, call(called, integer_mean, ints, hint=convert), convert)
        check(
            math.isclose(mean, expected),
            f"{called} is {mean:g}, expected {expected:g}"
            + (": a whole number, so the mean was rounded" if mean == round(mean) else ""),
            convert + ", then take .mean()",
        )
    passed("integer_mean(torch.tensor([[1, 2], [3, 4]])) is 2.5: converted to float, then averaged")


def _shape(name: str, value: Any) -> tuple[int, ...]:
    """The reader's shape as a tuple of ints, or a CheckFailed."""
    given(name, value)
    try:
        shape = tuple(int(size) for size in value)
    except (TypeError, ValueError):
        shape = None
    check(
        shape is not None and all(size >= 0 for size in shape) and len(shape) > 0,
        f"{name} should be a shape such as (2, 3), got {value!r}",
        "write the sizes as a tuple of whole numbers",
    )
    return shape


def check_broadcast_shapes(predicted_shape: Any, failing_shape: Any) -> None:
    """Check the predicted shape of ``torch.ones(4, 1, 3) + torch.ones(2, 1)``, and a failing one.

    Args:
        predicted_shape: The reader's prediction of the sum's shape.
        failing_shape: A shape for the second tensor that makes the sum fail.

    Raises:
        CheckFailed: When the prediction is wrong, or the "failing" shape broadcasts.
    """
    rule = (
        "align the shapes from the right (pad the shorter one with 1s on the left); in each "
        "position the sizes must be equal, or one of them 1, which stretches to the other"
    )
    first, second = (4, 1, 3), (2, 1)
    predicted = _shape("predicted_shape", predicted_shape)
    actual = tuple(torch.broadcast_shapes(first, second))
    check(
        predicted == actual,
        f"predicted_shape {predicted} is not the shape of torch.ones(4, 1, 3) + torch.ones(2, 1)",
        rule,
    )
    failing = _shape("failing_shape", failing_shape)
    try:
        works = tuple(torch.broadcast_shapes(first, failing))
    except RuntimeError:
        works = None
    check(
        works is None,
        f"torch.ones(4, 1, 3) + torch.ones{failing} works, giving shape {works}: "
        "failing_shape should make the sum fail",
        "the sum fails where, aligned from the right, two sizes differ and neither is 1",
    )
    passed(f"the sum has shape {actual}, and a second tensor of shape {failing} cannot broadcast")


def check_weights_gb(weights_gb: Callable[[float, torch.dtype], Any]) -> None:
    """Check ``weights_gb(n_params, dtype)``: the gigabytes (10**9 bytes) the weights need.

    Args:
        weights_gb: The reader's function.

    Raises:
        CheckFailed: When it gives another number (bytes, bits, GiB, ...).
    """
    check_callable("weights_gb", weights_gb)
    size = "multiply n_params by the bytes per element, torch.empty(0, dtype=dtype).element_size()"
    cases = (
        ("7e9", 7e9, torch.float32, 28.0),
        ("7e9", 7e9, torch.bfloat16, 14.0),
        ("1_000_000", 1_000_000, torch.float64, 0.008),
    )
    for shown, n_params, dtype, expected in cases:
        called = f"weights_gb({shown}, {dtype})"
        gb = number(called, call(called, weights_gb, n_params, dtype, hint=size), size)
        hint = size + ", then divide by 1e9"
        if math.isclose(gb, expected * 1e9):
            hint = "that is in bytes: divide by 1e9 for gigabytes"
        elif math.isclose(gb, expected * 8):
            hint = "that is in bits: element_size() already counts bytes"
        elif math.isclose(gb, expected * 1e9 / 2**30):
            hint = "that divides by 2**30 (gibibytes); this exercise counts 1 GB = 10**9 bytes"
        check(
            math.isclose(gb, expected, rel_tol=1e-6),
            f"{called} is {gb:g}, expected {expected:g}",
            hint,
        )
    passed("7 billion parameters take 28 GB in float32 and 14 GB in bfloat16 (weights only)")


def check_flatten(flatten: Callable[[torch.Tensor], torch.Tensor], shares_memory: Any) -> None:
    """Check ``flatten(t)`` on a transpose, and the answer to "does it share memory?".

    ``flatten`` must return the numbers of ``t`` as a 1-D tensor, row by row as
    ``t`` prints, also when ``t`` is not contiguous; ``shares_memory`` is
    ``True`` or ``False``: does ``flatten(cols)`` share memory with ``cols``?

    Args:
        flatten: The reader's function.
        shares_memory: The reader's answer for ``cols = torch.arange(6).view(2, 3).t()``.

    Raises:
        CheckFailed: When ``flatten`` fails on a transpose, gives the numbers in
            another order, or ``shares_memory`` does not describe its result.
    """
    check_callable("flatten", flatten)
    cols = torch.arange(6).view(2, 3).t()
    called = "flatten(cols)"
    flat = call(
        called,
        flatten,
        cols,
        hint="view cannot flatten a transpose: make its memory contiguous first with .contiguous()",
    )
    given(called, flat)
    check(
        isinstance(flat, torch.Tensor) and flat.ndim == 1,
        f"{called} should be a 1-D tensor, got "
        + (f"shape {tuple(flat.shape)}" if isinstance(flat, torch.Tensor) else type(flat).__name__),
        "view(-1) (or reshape(-1)) gives one dimension",
    )
    order = cols.reshape(-1).tolist()
    check(
        flat.tolist() == order,
        f"{called} is {flat.tolist()}, not cols read row by row",
        "that is the order of the memory before the transpose: .contiguous() copies the "
        "transpose into row order before view(-1)"
        if flat.tolist() == sorted(order)
        else "a flat tensor reads cols row by row, as it prints",
    )
    plain = torch.arange(6).view(2, 3)
    check(
        call("flatten(torch.arange(6).view(2, 3))", flatten, plain).tolist() == list(range(6)),
        "flatten(torch.arange(6).view(2, 3)) does not give 0, 1, ..., 5",
        "flatten should work on any tensor, contiguous or not",
    )
    given("shares_memory", shares_memory)
    check(
        isinstance(shares_memory, bool),
        f"shares_memory should be True or False, got {shares_memory!r}",
        "compare flat.data_ptr() with cols.data_ptr()",
    )
    actual = flat.untyped_storage().data_ptr() == cols.untyped_storage().data_ptr()
    check(
        shares_memory == actual,
        f"shares_memory is {shares_memory}, but flatten(cols) "
        + ("shares memory with cols" if actual else "lives in new memory, a copy"),
        "on a tensor that is not contiguous, .contiguous() (and reshape) must copy",
    )
    passed(f"flatten(cols) is {order}, and shares_memory is {actual}: the transpose was copied")
