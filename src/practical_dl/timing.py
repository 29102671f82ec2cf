"""Timing code honestly: medians of repeats, the machine that ran them, threads set and restored.

Introduced in chapter 16, "Going faster, measured".

A single timing on a shared machine is mostly noise: another process takes the
core for a few milliseconds and the call looks twice as slow. `measure` runs a
function a few times first (*warm-up*: first calls pay one-off costs such as
allocating memory or choosing kernels), then times several *repeats* and keeps
them all, so the median (typical) and the minimum (least disturbed) can both be
read. On a GPU the clock is read only after the device has finished
(`synchronize`), because CUDA calls return before their work is done.
`machine_info` records what the numbers were measured on; a timing without it
cannot be compared with anything.
"""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import torch

from practical_dl import _checks as check

__all__ = [
    "Timing",
    "cpu_name",
    "format_seconds",
    "machine_info",
    "machine_line",
    "measure",
    "speedup",
    "synchronize",
    "torch_threads",
]


_CPUINFO = "/proc/cpuinfo"  # Linux's description of the processor


@dataclass(frozen=True)
class Timing:
    """Seconds per call of a measured function, over several repeats.

    Introduced in chapter 16, "Going faster, measured".

    Attributes:
        median: Median over the repeats of the seconds per call: the typical time.
        min: The fastest repeat's seconds per call: the least disturbed one.
        times: Every repeat's seconds per call, in the order they ran.
        number: Calls per repeat (each repeat's time is divided by it).
    """

    median: float
    min: float
    times: tuple[float, ...]
    number: int = 1

    @classmethod
    def from_times(cls, times: Any, number: int = 1) -> Timing:
        """Summarise seconds measured some other way, such as one per epoch.

        Args:
            times: Seconds per call, one per repeat (at least one).
            number: Calls each time stands for.

        Returns:
            The timing, with the median and minimum of ``times``.

        Raises:
            TypeError: If ``times`` does not hold numbers or ``number`` is not an int.
            ValueError: If ``times`` is empty or holds a negative number, or
                ``number`` is below 1.
        """
        number = check.positive_int("number", number)
        if isinstance(times, str | bytes) or not isinstance(times, Iterable):
            raise check.bad("times", "be a sequence of seconds", times, error=TypeError)
        values = tuple(times)
        if any(isinstance(t, bool) or not isinstance(t, int | float) for t in values):
            raise check.bad("times", "hold numbers of seconds", times, error=TypeError)
        if not values or min(values) < 0:
            raise check.bad("times", "hold at least one number of seconds >= 0", times)
        return cls(
            median=statistics.median(values),
            min=min(values),
            times=tuple(float(t) for t in values),
            number=number,
        )

    def per_second(self, items: float) -> float:
        """Throughput: ``items`` handled per call, divided by the median seconds per call.

        Args:
            items: How many things (samples, images) one call handles.

        Returns:
            Items per second at the median time.

        Raises:
            ValueError: If ``items`` is not a positive number.
        """
        items = check.positive_float("items", items)
        return items / self.median

    def to_dict(self) -> dict[str, Any]:
        """Return the timing as plain JSON-ready data.

        Returns:
            ``{"median": ..., "min": ..., "times": [...], "number": ...}``.
        """
        return {
            "median": self.median,
            "min": self.min,
            "times": list(self.times),
            "number": self.number,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timing:
        """Rebuild a timing written by `to_dict`.

        Args:
            data: A mapping with ``median``, ``min``, ``times`` and ``number``.

        Returns:
            The timing.

        Raises:
            TypeError: If ``data`` is not a mapping.
            ValueError: If a key is missing.
        """
        if not isinstance(data, dict):
            raise check.bad("data", "be a dict from Timing.to_dict()", data, error=TypeError)
        missing = [key for key in ("median", "min", "times", "number") if key not in data]
        if missing:
            raise check.bad("data", "hold median, min, times and number", got=f"no {missing}")
        return cls(
            median=float(data["median"]),
            min=float(data["min"]),
            times=tuple(float(t) for t in data["times"]),
            number=int(data["number"]),
        )

    def __str__(self) -> str:
        """Show the median and the minimum, for example ``"1.23 ms (median of 5, min 1.10 ms)"``."""
        return (
            f"{format_seconds(self.median)} "
            f"(median of {len(self.times)}, min {format_seconds(self.min)})"
        )


def format_seconds(seconds: float) -> str:
    """Write a duration with a unit that keeps three significant figures.

    Introduced in chapter 16, "Going faster, measured".

    Args:
        seconds: A duration in seconds, zero or more.

    Returns:
        For example ``"2.35 s"``, ``"12.3 ms"`` or ``"456 µs"``.

    Raises:
        TypeError: If ``seconds`` is not a number.
        ValueError: If ``seconds`` is negative or not finite.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise check.bad("seconds", "be a number", seconds, error=TypeError)
    if not (seconds >= 0 and seconds != float("inf")):
        raise check.bad("seconds", "be a finite number >= 0", seconds)
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _as_device(name: str, device: Any) -> torch.device | None:
    if device is None:
        return None
    if isinstance(device, torch.device):
        return device
    if isinstance(device, str):
        try:
            return torch.device(device)
        except RuntimeError as err:
            raise check.bad(name, "name a torch device such as 'cpu' or 'cuda'", device) from err
    raise check.bad(name, "be a torch.device, a device name or None", device, error=TypeError)


def synchronize(device: torch.device | str | None = None) -> None:
    """Wait until ``device`` has finished the work queued on it (nothing to wait for on a CPU).

    CUDA and MPS calls return as soon as the work is queued; reading the clock
    then would time the queueing, not the work.

    Introduced in chapter 16, "Going faster, measured".

    Args:
        device: The device timed; ``None`` or a CPU device does nothing.

    Raises:
        TypeError: If ``device`` is not a device, a device name or ``None``.
        ValueError: If ``device`` is a string that names no device.
    """
    device = _as_device("device", device)
    if device is None:
        return
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def measure(
    fn: Callable[..., Any],
    *args: Any,
    repeat: int = 5,
    warmup: int = 1,
    number: int = 1,
    device: torch.device | str | None = None,
) -> Timing:
    """Time ``fn(*args)``: ``warmup`` untimed calls, then ``repeat`` timed runs of ``number`` calls.

    Each repeat times ``number`` calls in a row with ``time.perf_counter`` and
    divides by ``number`` (several calls per repeat keep very short functions
    above the clock's resolution). ``fn`` is called ``warmup + repeat * number``
    times in all, always with the same ``args``. Nothing here decides whether a
    time is good: the caller prints it.

    Introduced in chapter 16, "Going faster, measured".

    Args:
        fn: The function to time, for example a training step.
        *args: Arguments passed to every call of ``fn``.
        repeat: Timed repeats, at least 1 (the median needs several: 5 or more).
        warmup: Untimed calls before the first repeat, 0 or more.
        number: Calls per repeat, at least 1.
        device: The device ``fn`` runs on; on CUDA or MPS it is synchronised
            before the clock is read, so queued work is counted.

    Returns:
        The median and minimum seconds per call, and every repeat's time.

    Raises:
        TypeError: If ``fn`` is not callable, a count is not an int, or
            ``device`` is not a device.
        ValueError: If ``repeat`` or ``number`` is below 1 or ``warmup`` below 0.
    """
    if not callable(fn):
        raise check.bad("fn", "be callable", fn, error=TypeError)
    repeat = check.positive_int("repeat", repeat)
    warmup = check.non_negative_int("warmup", warmup)
    number = check.positive_int("number", number)
    device = _as_device("device", device)
    for _ in range(warmup):
        fn(*args)
    times = []
    for _ in range(repeat):
        synchronize(device)
        start = time.perf_counter()
        for _ in range(number):
            fn(*args)
        synchronize(device)
        times.append((time.perf_counter() - start) / number)
    return Timing.from_times(times, number=number)


def speedup(baseline: Timing, variant: Timing) -> tuple[float, float]:
    """How many times faster ``variant`` is than ``baseline``, by medians and by minimums.

    Above 1, the variant is faster. The two ratios agree on a quiet machine;
    when they disagree, other processes decided at least one of them.

    Introduced in chapter 16, "Going faster, measured".

    Args:
        baseline: The timing to compare against.
        variant: The timing of the change being tried.

    Returns:
        ``(baseline.median / variant.median, baseline.min / variant.min)``.

    Raises:
        TypeError: If either is not a `Timing`.
        ValueError: If a time of ``variant`` is 0.
    """
    for name, value in (("baseline", baseline), ("variant", variant)):
        if not isinstance(value, Timing):
            raise check.bad(name, "be a Timing", value, error=TypeError)
    if variant.median <= 0 or variant.min <= 0:
        raise check.bad("variant", "have times above 0", got=str(variant))
    return baseline.median / variant.median, baseline.min / variant.min


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[int]:
    """Set the number of threads torch uses on the CPU for a ``with`` block, then restore it.

    Introduced in chapter 16, "Going faster, measured".

    Args:
        n: Threads for torch's CPU operations inside the block, at least 1.

    Yields:
        ``n``.

    Raises:
        TypeError: If ``n`` is not an int.
        ValueError: If ``n`` is below 1.
    """
    n = check.positive_int("n", n)
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(before)


def cpu_name() -> str:
    """Name the processor: ``model name`` from ``/proc/cpuinfo`` (Linux), else what Python knows.

    Introduced in chapter 16, "Going faster, measured".

    Returns:
        For example ``"AMD EPYC 9R14"``; ``"unknown"`` when nothing names it.
    """
    try:
        with open(_CPUINFO, encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _usable_cores() -> int | None:
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is None:
        return os.cpu_count()
    return len(affinity(0))


def _bf16_instructions() -> bool | None:
    # x86: avx512_bf16 or amx_bf16; Arm: bf16 in the features line. None where nothing says.
    try:
        with open(_CPUINFO, encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() in ("flags", "Features"):
                    flags = set(value.split())
                    return bool(flags & {"avx512_bf16", "amx_bf16", "bf16"})
    except OSError:
        pass
    return None


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def machine_info(device: torch.device | str | None = None) -> dict[str, Any]:
    """Describe the machine a measurement ran on: processor, cores, torch threads, versions.

    Introduced in chapter 16, "Going faster, measured".

    Args:
        device: The device measured; ``None`` or a CPU device describes the CPU only.
            For CUDA the GPU's name and CUDA version are added.

    Returns:
        A JSON-ready dict with the keys ``cpu`` (processor name), ``cores``
        (logical cores), ``usable_cores`` (cores this process may run on),
        ``torch_threads`` (``torch.get_num_threads()``), ``load_average``
        (processes wanting a core over the last minute; ``None`` where the
        system does not say), ``cpu_capability`` (the widest vector
        instructions torch uses), ``bf16_instructions`` (whether the processor
        has bfloat16 arithmetic; ``None`` where ``/proc/cpuinfo`` does not
        say), ``torch``, ``python``, ``platform``,
        ``device``, ``device_name`` and ``cuda`` (``None`` without CUDA).

    Raises:
        TypeError: If ``device`` is not a device, a device name or ``None``.
        ValueError: If ``device`` is a string that names no device.
    """
    device = _as_device("device", device) or torch.device("cpu")
    cpu = cpu_name()
    device_name = cpu
    if device.type == "cuda":
        device_name = torch.cuda.get_device_name(device)
    elif device.type == "mps":
        device_name = "Apple MPS"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": _usable_cores(),
        "torch_threads": torch.get_num_threads(),
        "load_average": _load_average(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "bf16_instructions": _bf16_instructions(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "platform": f"{sys.platform}-{platform.machine()}",
        "device": str(device),
        "device_name": device_name,
        "cuda": torch.version.cuda if device.type == "cuda" else None,
    }


def machine_line(info: dict[str, Any] | None = None) -> str:
    """Summarise `machine_info` in one line, to print beside a timing.

    Introduced in chapter 16, "Going faster, measured".

    Args:
        info: A dict from `machine_info`; ``None`` describes this machine now.

    Returns:
        For example ``"cpu: AMD EPYC, 2 cores, 1 torch thread, load 7.9, torch 2.13.0+cpu"``.

    Raises:
        TypeError: If ``info`` is not a dict.
    """
    if info is None:
        info = machine_info()
    if not isinstance(info, dict):
        raise check.bad("info", "be a dict from machine_info()", info, error=TypeError)
    threads = info.get("torch_threads")
    parts = [
        f"{info.get('device', 'cpu')}: {info.get('device_name', info.get('cpu', 'unknown'))}",
        f"{info.get('cores')} cores",
        f"{threads} torch thread{'' if threads == 1 else 's'}",
    ]
    if info.get("load_average") is not None:
        parts.append(f"load {info['load_average']}")
    if info.get("cuda"):
        parts.append(f"CUDA {info['cuda']}")
    parts.append(f"torch {info.get('torch')}")
    return ", ".join(parts)
