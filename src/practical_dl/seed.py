"""Making results reproducible: one call seeds every random number generator.

Introduced in chapter 1, "Getting started".

Seeding makes a run repeat itself on the same machine and library versions.
Some GPU operations still vary from run to run unless PyTorch is asked for
deterministic algorithms, which is a process-wide switch: `deterministic` turns
it on and gives back a handle that puts the previous settings back, at the end
of a ``with`` block or when you call its ``restore()``.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from types import TracebackType

import numpy as np
import torch

from practical_dl import _checks as check

__all__ = ["DeterministicMode", "deterministic", "seed_everything"]

# What cuBLAS needs to be deterministic on CUDA 10.2 and later; PyTorch refuses
# some matrix products in deterministic mode while it is unset.
_CUBLAS_CONFIG = ":4096:8"


@dataclass
class DeterministicMode:
    """The settings before a call to :func:`deterministic`, ready to be put back.

    Use it as a context manager (the settings come back at the end of the
    ``with`` block) or call :meth:`restore`. Restoring twice does nothing more.

    Attributes:
        enabled: Whether the call switched deterministic algorithms on or off.
        warn_only: Whether an operation with no deterministic version warns
            (``True``) or raises (``False``).
    """

    enabled: bool
    warn_only: bool
    _previous: dict[str, object] = field(repr=False)
    _restored: bool = field(default=False, repr=False)

    def restore(self) -> None:
        """Put back the settings that were in force before :func:`deterministic`."""
        if self._restored:
            return
        previous = self._previous
        torch.use_deterministic_algorithms(
            bool(previous["enabled"]), warn_only=bool(previous["warn_only"])
        )
        torch.backends.cudnn.benchmark = bool(previous["cudnn_benchmark"])
        if previous["cublas_config"] is None:
            os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
        else:
            os.environ["CUBLAS_WORKSPACE_CONFIG"] = str(previous["cublas_config"])
        self._restored = True

    def __enter__(self) -> DeterministicMode:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.restore()


def deterministic(enabled: bool = True, *, warn_only: bool = False) -> DeterministicMode:
    """Switch PyTorch's deterministic algorithms on (or off), and keep a way back.

    Deterministic algorithms give bit-identical results run after run on a
    GPU, at some cost in speed; on a CPU most operations already are. The
    switch is global to the process, so this function returns a handle that
    restores the previous settings::

        with deterministic():
            train(model)            # deterministic here
        # the previous settings are back

    or ``mode = deterministic()`` ... ``mode.restore()``.

    When switching on, it also turns off cuDNN's benchmark mode (which picks
    the fastest algorithm by timing, so it can pick differently each run) and
    sets the environment variable ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` if it is
    unset, which CUDA's matrix products need to be deterministic. cuBLAS reads
    that variable when PyTorch first uses it, so it is safest to set it in the
    shell before Python starts.

    Args:
        enabled: ``True`` to ask for deterministic algorithms, ``False`` to
            allow the faster, non-deterministic ones again.
        warn_only: If ``True``, an operation that has no deterministic version
            warns instead of raising ``RuntimeError``.

    Returns:
        A handle that restores the previous settings.

    Raises:
        TypeError: If ``enabled`` or ``warn_only`` is not a ``bool``.
    """
    for name, value in (("enabled", enabled), ("warn_only", warn_only)):
        if not isinstance(value, bool):
            raise check.bad(name, "be True or False", value, error=TypeError)
    return _switch(enabled, warn_only)


def _switch(enabled: bool, warn_only: bool) -> DeterministicMode:
    previous = {
        "enabled": torch.are_deterministic_algorithms_enabled(),
        "warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
        "cudnn_benchmark": torch.backends.cudnn.benchmark,
        "cublas_config": os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
    }
    torch.use_deterministic_algorithms(enabled, warn_only=warn_only)
    if enabled:
        torch.backends.cudnn.benchmark = False
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", _CUBLAS_CONFIG)
    return DeterministicMode(enabled=enabled, warn_only=warn_only, _previous=previous)


def seed_everything(seed: int = 42, *, deterministic: bool | None = None) -> int:
    """Seed Python's, NumPy's and PyTorch's random number generators.

    Introduced in chapter 1, "Getting started".

    It also sets the environment variable ``PYTHONHASHSEED``. Python reads that
    variable only when an interpreter starts, so this does **not** change how
    the running process hashes strings (the order of a ``set`` of strings, for
    example); it reaches only Python processes started afterwards, such as
    ``DataLoader`` workers under the ``"spawn"`` start method (the default on
    macOS and Windows). To fix the running process's hashing too, start it with
    the variable set: ``PYTHONHASHSEED=0 python train.py``.

    Args:
        seed: The seed, an int in ``[0, 2**32)``.
        deterministic: ``True`` switches PyTorch's deterministic algorithms on
            for the rest of the process, ``False`` switches them off, ``None``
            (the default) leaves the setting as it is. To switch them on only
            for a block of code, use ``with deterministic():`` instead, which
            restores the previous setting.

    Returns:
        The seed, so it can be logged.

    Raises:
        TypeError: If ``seed`` is not an int, or ``deterministic`` is not
            ``None``, ``True`` or ``False``.
        ValueError: If ``seed`` is outside ``[0, 2**32)``.
    """
    seed = check.int_in_range("seed", seed, 0, 2**32, expected="an int in [0, 2**32)")
    if deterministic is not None and not isinstance(deterministic, bool):
        raise check.bad("deterministic", "be None, True or False", deterministic, error=TypeError)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    # Only for Python processes started from now on; see the docstring.
    os.environ["PYTHONHASHSEED"] = str(seed)
    if deterministic is not None:
        _switch(deterministic, warn_only=False)  # for good: the handle is not kept
    return seed
