"""Checks for the exercises on timing, profiling and speeding up training.

Introduced in chapter 16, "Going faster, measured".

No check here reads a clock or judges a time: times change from run to run
and machine to machine. Each check tests what the reader's code computes
instead: which operators a profile holds and under which mode the forward
pass ran, agreement of the reader's numbers with the same computation done
here, how many times ``measure`` called the function it timed, and how often
a dataset pauses. Checks that need a function to time use a cheap counting
function of their own, so they add almost nothing to a page's run time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from practical_dl.exercises import CheckFailed, call, check, check_callable, given, number, passed
from practical_dl.timing import Timing

__all__ = [
    "check_bf16_effect",
    "check_eval_profile",
    "check_measure_twice",
    "check_slow_dataset",
]


def _operator_names(profile: Any) -> set[str]:
    try:
        return {str(event.key) for event in profile.key_averages()}
    except Exception:  # noqa: BLE001 - anything that is not a finished profile
        raise CheckFailed(
            f"eval_profile should return the profiler, got {type(profile).__name__}",
            "return the object of `with profile(activities=...) as prof:` (prof), "
            "after the with block has ended",
        ) from None


def check_eval_profile(
    eval_profile: Callable[[nn.Module, torch.Tensor], Any], model: nn.Module, X: torch.Tensor
) -> None:
    """Check ``eval_profile(model, X)``: one profiled forward pass under ``inference_mode``.

    The reader's function must run ``model(X)`` once inside
    ``torch.profiler.profile`` and ``torch.inference_mode()``, with the model
    in evaluation mode, and return the profiler. The check watches the
    forward pass with a hook (to see the mode it ran in) and reads the
    profile's operator names: a convolution must be there, and no
    ``*_backward`` operator nor optimiser update.

    Args:
        eval_profile: The reader's function.
        model: The chapter's CNN.
        X: The validation images.

    Raises:
        TypeError: When ``model`` is not a module or ``X`` not a tensor.
        CheckFailed: When the function is missing, does not call the model
            once under ``inference_mode`` in evaluation mode, or returns
            something other than a profile of the forward pass alone.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a tensor, got {type(X).__name__}")
    eval_profile = check_callable("eval_profile", eval_profile)
    seen: list[tuple[bool, bool]] = []

    def record_mode(module: nn.Module, inputs: Any, output: Any) -> None:
        seen.append((torch.is_inference_mode_enabled(), module.training))

    handle = model.register_forward_hook(record_mode)
    try:
        profile = call("eval_profile(model, X_val)", eval_profile, model, X)
    finally:
        handle.remove()
    given("eval_profile(model, X_val)", profile)
    check(
        len(seen) > 0,
        "eval_profile(model, X_val) never called the model",
        "inside the profile block, run model(X) once",
    )
    check(
        all(inference for inference, _ in seen),
        "the forward pass did not run under torch.inference_mode()",
        "open both blocks: `with profile(...) as prof, torch.inference_mode():`",
    )
    check(
        not any(training for _, training in seen),
        "the model was still in training mode during the forward pass",
        "call model.eval() before profiling an evaluation",
    )
    names = _operator_names(profile)
    check(
        any("conv" in name for name in names),
        "the profile holds no convolution: the forward pass was not recorded",
        "call model(X) inside the `with profile(...)` block, not after it",
    )
    backward = sorted(name for name in names if "backward" in name.lower())
    check(
        not backward,
        f"the profile holds backward operators ({', '.join(backward[:3])}): "
        "it recorded a backward pass",
        "profile only model(X): no loss.backward() and no optimiser step",
    )
    check(
        not any("Optimizer" in name for name in names),
        "the profile holds an optimiser step",
        "profile only model(X)",
    )
    passed(
        f"one forward pass under inference_mode, {len(names)} operators, none of them "
        "*_backward: no backward pass runs, and inference_mode records nothing for one"
    )


def check_bf16_effect(
    bf16_effect: Callable[[nn.Module, torch.Tensor], Any], net: nn.Module, X: torch.Tensor
) -> None:
    """Check ``bf16_effect(net, X)``: predictions and logits in float32 against bfloat16 autocast.

    The reader's function must return ``(changed, largest)``: how many of the
    predicted classes (argmax of the logits) differ between float32 and
    bfloat16 autocast, and the largest absolute difference between the two
    sets of logits. The check computes both itself, the same way, and
    compares.

    Args:
        bf16_effect: The reader's function.
        net: The trained float32 CNN.
        X: The validation images.

    Raises:
        TypeError: When ``net`` is not a module or ``X`` not a tensor.
        CheckFailed: When the function is missing, does not return two
            numbers, or its numbers differ from the check's.
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be an nn.Module, got {type(net).__name__}")
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a tensor, got {type(X).__name__}")
    bf16_effect = check_callable("bf16_effect", bf16_effect)
    result = given("bf16_effect(net, X_val)", call("bf16_effect(net, X_val)", bf16_effect, net, X))
    check(
        isinstance(result, tuple | list) and len(result) == 2,
        f"bf16_effect should return two numbers (changed, largest), got {result!r:.80}",
        "return changed, largest",
    )
    changed = number("changed", result[0], "count the predictions with .sum().item()")
    largest = number("largest", result[1], "take .abs().max().item() of the difference")
    was_training = net.training
    net.eval()
    try:
        with torch.inference_mode():
            logits_32 = net(X).float()
            with torch.autocast(X.device.type, dtype=torch.bfloat16):
                logits_16 = net(X).float()
    finally:
        net.train(was_training)
    expected_changed = int((logits_32.argmax(1) != logits_16.argmax(1)).sum())
    expected_largest = float((logits_32 - logits_16).abs().max())
    check(
        largest > 0,
        "largest is 0: the two predictions are identical, so both ran in float32",
        "run the second prediction inside "
        "`with torch.autocast(device.type, dtype=torch.bfloat16):`",
    )
    check(
        math.isclose(largest, expected_largest, rel_tol=0.05, abs_tol=1e-3),
        f"largest: expected about {expected_largest:.3f}, got {largest:.3g}",
        "the largest ABSOLUTE difference between the logits: "
        "(logits_32 - logits_16).abs().max(), with net.eval() first",
    )
    check(
        changed == expected_changed,
        f"changed: expected {expected_changed} differing predictions, got {changed:g}",
        "compare the predicted classes, logits.argmax(1), and count where they differ",
    )
    passed(
        f"{expected_changed} of {len(X)} predictions change; the logits move by at most "
        f"{expected_largest:.3f}"
    )


def check_measure_twice(measure_twice: Callable[..., Any]) -> None:
    """Check ``measure_twice(fn, *args, repeat=...)``: two separate calls of ``measure``.

    The check times a counting function of its own that does no work, so it
    reads no clock: ``measure`` calls it once to warm up and ``repeat`` times
    after, so two measurements with ``repeat=3`` make 8 calls, always with
    the arguments given. It returns two separate ``Timing`` objects with 3
    times each.

    Args:
        measure_twice: The reader's function.

    Raises:
        CheckFailed: When the function is missing, does not call ``measure``
            twice with ``repeat`` repeats, or does not return two timings.
    """
    measure_twice = check_callable("measure_twice", measure_twice)
    calls: list[tuple[Any, ...]] = []

    def counted(*args: Any) -> None:
        calls.append(args)

    result = call(
        "measure_twice(fn, 'a', 'b', repeat=3)",
        lambda: measure_twice(counted, "a", "b", repeat=3),
        hint="def measure_twice(fn, *args, repeat): and pass repeat=repeat on to measure",
    )
    given("measure_twice(fn, 'a', 'b', repeat=3)", result)
    check(
        isinstance(result, tuple | list) and len(result) == 2,
        f"measure_twice should return two timings (first, second), got {result!r:.80}",
        "return first, second",
    )
    first, second = result
    check(
        isinstance(first, Timing) and isinstance(second, Timing),
        f"measure_twice should return two Timing objects, got {type(first).__name__} "
        f"and {type(second).__name__}",
        "each is what measure(fn, *args, repeat=repeat) returns",
    )
    check(
        first is not second,
        "measure_twice returned the same Timing twice",
        "call measure twice: two runs are the point",
    )
    check(
        all(args == ("a", "b") for args in calls),
        "fn was not called with the arguments given",
        "pass them on: measure(fn, *args, repeat=repeat)",
    )
    check(
        len(first.times) == 3 and len(second.times) == 3,
        f"with repeat=3, each timing should hold 3 times, got {len(first.times)} and "
        f"{len(second.times)}",
        "pass repeat=repeat on to measure",
    )
    check(
        len(calls) == 8,
        f"fn was called {len(calls)} times; two measurements with repeat=3 call it 8 times "
        "(1 warm-up and 3 repeats each)",
        "call measure(fn, *args, repeat=repeat) twice, with no other calls of fn",
    )
    passed("two separate measurements, each a warm-up and `repeat` timed calls")


def check_slow_dataset(slow_dataset: type, pauses_alone: Any) -> None:
    """Check ``SlowAugmentedDigits`` (a 3 ms pause per item) and the pauses' sum over 128 items.

    The check builds the class on 4 blank images and reads two items with
    ``time.sleep`` replaced by a recorder, so nothing waits and no clock is
    read: each item must pause once for 0.003 s and still return the parent's
    ``(1, 8, 8)`` image and its label. ``pauses_alone`` must be the seconds
    the pauses of one epoch of 128 items add up to.

    Args:
        slow_dataset: The reader's class, ``SlowAugmentedDigits``.
        pauses_alone: The reader's number of seconds.

    Raises:
        CheckFailed: When the class is missing, is not a dataset, does not
            pause 3 ms once per item, returns other items, or when
            ``pauses_alone`` is wrong.
    """
    given("SlowAugmentedDigits", slow_dataset)
    seconds = number("pauses_alone", pauses_alone, "a number of seconds")
    check(
        isinstance(slow_dataset, type) and issubclass(slow_dataset, torch.utils.data.Dataset),
        f"SlowAugmentedDigits should be a Dataset class, got {type(slow_dataset).__name__}",
        "class SlowAugmentedDigits(AugmentedDigits): ...",
    )
    X, y = torch.zeros(4, 1, 8, 8), torch.arange(4)
    dataset = call("SlowAugmentedDigits(X, y)", slow_dataset, X, y)
    pauses: list[float] = []
    real_sleep = time.sleep
    time.sleep = lambda seconds: pauses.append(seconds)  # records, waits for nothing
    try:
        items = [call(f"dataset[{i}]", dataset.__getitem__, i) for i in (1, 2)]
    finally:
        time.sleep = real_sleep
    check(
        len(pauses) == 2,
        f"reading 2 items paused {len(pauses)} times, expected once per item",
        "call time.sleep(0.003) once in __getitem__, then return super().__getitem__(index)",
    )
    check(
        all(math.isclose(seconds, 0.003) for seconds in pauses),
        f"each pause should be 0.003 s (3 ms), got {pauses}",
        "time.sleep takes seconds: 3 ms is 0.003",
    )
    for i, item in zip((1, 2), items, strict=True):
        ok = (
            isinstance(item, tuple | list)
            and len(item) == 2
            and tuple(getattr(item[0], "shape", ())) == (1, 8, 8)
            and int(item[1]) == i
        )
        check(
            ok,
            f"dataset[{i}] should be an image of shape (1, 8, 8) and its label {i}",
            "return super().__getitem__(index) after the pause",
        )
    check(
        math.isclose(seconds, 128 * 0.003, rel_tol=1e-6),
        f"pauses_alone: expected {128 * 0.003:.3f} s for 128 items, got {seconds:g}",
        "one 0.003 s pause per item, 128 items per epoch",
    )
    passed("one 3 ms pause per item, the parent's items, 0.384 s of pauses per epoch")
