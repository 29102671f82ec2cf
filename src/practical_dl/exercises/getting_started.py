"""Checks for the exercises of the first chapter: devices and seeds.

Introduced in chapter 1, "Getting started".

Each check takes what you wrote (a function) and runs it; it prints what it
confirmed, or raises :class:`~practical_dl.exercises.CheckFailed` saying what
is wrong and where to look.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from practical_dl.device import available_devices, get_device
from practical_dl.exercises import call, check, check_callable, given, passed
from practical_dl.exercises._calls import TorchCalls

__all__ = ["check_device_or_fallback", "check_three_draws", "check_zeros_on"]

_COPIES = {"to", "cuda", "cpu", "mps"}


def check_zeros_on(zeros_on: Callable[[torch.device], torch.Tensor]) -> None:
    """Check ``zeros_on(device)``: a 2 × 3 tensor of zeros created directly on ``device``.

    It is called with the chosen device and with the ``meta`` device (which
    every machine has), and must not copy a tensor there with ``.to()``.

    Args:
        zeros_on: The reader's function.

    Raises:
        CheckFailed: When it returns something else, or makes the tensor on
            the CPU and then copies it.
    """
    check_callable("zeros_on", zeros_on)
    create = "create it on the device in one step: torch.zeros(2, 3, device=device)"
    for device in (get_device(), torch.device("meta")):
        called = f"zeros_on({device.type!r})"
        with TorchCalls() as calls:
            zeros = call(called, zeros_on, device, hint=create)
        given(called, zeros)
        check(
            isinstance(zeros, torch.Tensor),
            f"{called} should return a tensor, got {type(zeros).__name__}",
            create,
        )
        check(
            tuple(zeros.shape) == (2, 3),
            f"{called} has shape {tuple(zeros.shape)}, expected (2, 3)",
            "torch.zeros(2, 3, ...) gives 2 rows of 3",
        )
        check(
            zeros.device.type == device.type,
            f"{called} made a tensor on {zeros.device.type!r}, not on {device.type!r}",
            "use the function's argument, device, rather than choosing a device inside",
        )
        copies = sorted(_COPIES.intersection(calls.names))
        check(
            not copies,
            f"{called} made the tensor on the CPU and then copied it with "
            f".{copies[0] if copies else 'to'}()",
            create,
        )
        if device.type != "meta":  # a meta tensor has a shape but no numbers to compare
            check(
                bool((zeros == 0).all()),
                f"{called} is not all zeros",
                "torch.zeros fills the tensor with 0",
            )
    passed(f"zeros_on(device) makes a 2 × 3 tensor of zeros directly on {get_device().type!r}")


def check_three_draws(
    three_draws: Callable[[int], tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
) -> None:
    """Check ``three_draws(seed)``: two draws after seeding, and one after seeding again.

    ``three_draws(seed)`` must return ``(a, b, c)``: ``a`` and ``b`` are two
    calls to ``torch.rand(2)`` right after seeding with ``seed``, and ``c`` is
    the first call after seeding with ``seed`` once more. The random number
    generators are put back as they were afterwards.

    Args:
        three_draws: The reader's function.

    Raises:
        CheckFailed: When ``a`` and ``b`` are equal, or ``c`` is not ``a`` again.
    """
    check_callable("three_draws", three_draws)
    for seed in (7, 8):
        called = f"three_draws({seed})"
        with torch.random.fork_rng(devices=[]):  # the reader's seeding stays inside the check
            draws = call(called, three_draws, seed)
            torch.manual_seed(seed)
            first, second = torch.rand(2), torch.rand(2)
        given(called, draws)
        check(
            isinstance(draws, tuple | list) and len(draws) == 3,
            f"{called} should return three tensors (a, b, c), got {type(draws).__name__}",
            "end the function with: return a, b, c",
        )
        a, b, c = draws
        for name, draw in (("a", a), ("b", b), ("c", c)):
            check(
                isinstance(draw, torch.Tensor) and tuple(draw.shape) == (2,),
                f"{name} should be the result of torch.rand(2), got {type(draw).__name__}",
                "draw each one with torch.rand(2)",
            )
        check(
            torch.equal(a, first),
            f"with seed {seed}, a is not the first draw after seeding",
            "seed first (seed_everything(seed)), then draw a = torch.rand(2)",
        )
        check(
            not torch.equal(a, b),
            f"a and b are equal with seed {seed}: b should be the next draw, without seeding again",
            "draw b = torch.rand(2) right after a; the generator moves on after each draw",
        )
        check(
            torch.equal(b, second),
            f"with seed {seed}, b is not the draw that follows a",
            "draw b = torch.rand(2) right after a, with nothing in between",
        )
        check(
            torch.equal(c, a),
            f"with seed {seed}, c differs from a",
            "seed again with the same seed before drawing c, so the generator starts over",
        )
    passed("without re-seeding the draws differ; re-seeding with the same seed brings a back")


def check_device_or_fallback(device_or_fallback: Callable[[str], torch.device]) -> None:
    """Check ``device_or_fallback(prefer)``: the preferred device, else the automatic choice.

    It is called with a back-end this machine lacks (CUDA, or Apple's MPS on a
    machine with CUDA), which must give ``get_device()``'s choice, and with
    ``"cpu"`` and ``"meta"``, which every machine has and must be returned.

    Args:
        device_or_fallback: The reader's function.

    Raises:
        CheckFailed: When it lets ``get_device``'s ``RuntimeError`` through, or
            returns another device.
    """
    check_callable("device_or_fallback", device_or_fallback)
    missing = next((name for name in ("cuda", "mps") if not available_devices()[name]), None)
    cases = [(name, torch.device(name)) for name in ("cpu", "meta")]
    if missing is not None:
        cases.insert(0, (missing, get_device()))
    for prefer, expected in cases:
        called = f"device_or_fallback({prefer!r})"
        device = call(
            called,
            device_or_fallback,
            prefer,
            hint="wrap get_device(prefer=prefer) in try: ... except RuntimeError: and fall back "
            "to get_device() in the except branch",
        )
        given(called, device)
        check(
            isinstance(device, torch.device),
            f"{called} should return a torch.device, got {type(device).__name__}",
            "return what get_device gives you",
        )
        check(
            device.type == expected.type,
            f"{called} gave {device.type!r}, expected {expected.type!r}",
            "pass prefer on: get_device(prefer=prefer); only when that raises, use get_device()"
            if prefer != missing
            else f"this machine has no {prefer!r}: fall back to get_device()",
        )
    lacks = f"; {missing!r}, which this machine lacks, falls back to {get_device().type!r}"
    passed(f"'cpu' and 'meta' are kept{lacks if missing else ''}")
