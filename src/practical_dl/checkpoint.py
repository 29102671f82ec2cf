"""Training checkpoints that resume bit for bit, and renaming the keys of a state dict.

Introduced in chapter 15, "Saving, resuming and sharing a model".

A run that stops at the end of an epoch and resumes from a checkpoint repeats
the uninterrupted run exactly only if the checkpoint holds everything that
decides the next step: the weights, the optimiser's state (its learning rate,
step count and, for Adam, the running moments), the scheduler's position, the
grad scaler's scale where one is used, and the state of every random number
generator: PyTorch's (dropout, random initialisation), NumPy's and Python's (data
augmentation, sampling) and the ``torch.Generator`` that a ``DataLoader``
shuffles with. :func:`save_checkpoint` writes all of that in one file that
``torch.load(weights_only=True)`` reads (tensors and plain Python values only),
and :func:`load_checkpoint` puts every part back.
"""

from __future__ import annotations

import os
import random
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = [
    "get_rng_state",
    "load_checkpoint",
    "save_checkpoint",
    "set_rng_state",
    "strip_prefix",
]

FORMAT = "practical_dl.checkpoint/1"
_RESERVED = ("format", "epoch", "model", "optimizer", "scheduler", "scaler", "rng")


def _check_path(func: str, path: Any) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{func}(path={path!r}): expected a str or a path")
    return Path(path)


def _check_instance(func: str, name: str, value: Any, kind: type, optional: bool = True) -> None:
    if value is None and optional:
        return
    if not isinstance(value, kind):
        raise TypeError(
            f"{func}({name}=...): expected a {kind.__module__}.{kind.__qualname__}"
            f"{' or None' if optional else ''}, got {type(value).__name__}"
        )


def _check_state_owner(func: str, name: str, value: Any) -> None:
    """Schedulers and grad scalers come in many classes; all have the state-dict pair."""
    if value is None:
        return
    if not (
        callable(getattr(value, "state_dict", None))
        and callable(getattr(value, "load_state_dict", None))
    ):
        raise TypeError(
            f"{func}({name}=...): expected an object with state_dict() and load_state_dict(), "
            f"got {type(value).__name__}"
        )


def get_rng_state(loader_generator: torch.Generator | None = None) -> dict[str, Any]:
    """Capture the state of every random number generator a training run draws from.

    Introduced in chapter 15, "Saving, resuming and sharing a model".

    The states are stored as tensors and plain Python values, so a file holding
    them loads with ``torch.load(weights_only=True)``.

    Args:
        loader_generator: The ``torch.Generator`` passed to a ``DataLoader``
            (``generator=``), which decides its shuffling order. ``None`` when the
            loader has none.

    Returns:
        A dict with the keys ``"python"``, ``"numpy"``, ``"torch"``, and also
        ``"cuda"`` and ``"mps"`` when those devices are available, and
        ``"loader"`` when ``loader_generator`` is given.

    Raises:
        TypeError: If ``loader_generator`` is not a ``torch.Generator``.
    """
    _check_instance("get_rng_state", "loader_generator", loader_generator, torch.Generator)
    numpy_state = np.random.get_state(legacy=False)
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": {
            "bit_generator": numpy_state["bit_generator"],
            "key": torch.from_numpy(numpy_state["state"]["key"].astype(np.int64)),
            "pos": int(numpy_state["state"]["pos"]),
            "has_gauss": int(numpy_state["has_gauss"]),
            "gauss": float(numpy_state["gauss"]),
        },
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    if torch.backends.mps.is_available():
        state["mps"] = torch.mps.get_rng_state()
    if loader_generator is not None:
        state["loader"] = loader_generator.get_state()
    return state


def set_rng_state(
    state: Mapping[str, Any], loader_generator: torch.Generator | None = None
) -> None:
    """Put back random number generator states captured by :func:`get_rng_state`.

    Introduced in chapter 15, "Saving, resuming and sharing a model".

    CUDA and MPS states are restored only where those devices are available, so
    a checkpoint written on a GPU machine still loads on a CPU-only one.

    Args:
        state: What :func:`get_rng_state` returned.
        loader_generator: The ``DataLoader``'s generator, to receive the saved
            ``"loader"`` state. ``None`` leaves any saved loader state unused.

    Raises:
        TypeError: If ``state`` is not a mapping or ``loader_generator`` is not a
            ``torch.Generator``.
        ValueError: If ``state`` lacks a key it needs.
    """
    if not isinstance(state, Mapping):
        raise TypeError(f"set_rng_state(state=...): expected a dict, got {type(state).__name__}")
    _check_instance("set_rng_state", "loader_generator", loader_generator, torch.Generator)
    needed = ["python", "numpy", "torch"] + (["loader"] if loader_generator is not None else [])
    missing = [key for key in needed if key not in state]
    if missing:
        raise ValueError(
            f"set_rng_state(state=...): no {', '.join(map(repr, missing))} state in it; "
            f"it holds {', '.join(map(repr, state)) or 'nothing'}"
        )
    python_state = state["python"]
    random.setstate((python_state[0], tuple(python_state[1]), python_state[2]))
    numpy_state = state["numpy"]
    np.random.set_state(
        {
            "bit_generator": numpy_state["bit_generator"],
            "state": {
                "key": numpy_state["key"].numpy().astype(np.uint32),
                "pos": numpy_state["pos"],
            },
            "has_gauss": numpy_state["has_gauss"],
            "gauss": numpy_state["gauss"],
        }
    )
    torch.set_rng_state(state["torch"].cpu())
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
    if "mps" in state and torch.backends.mps.is_available():
        torch.mps.set_rng_state(state["mps"].cpu())
    if loader_generator is not None:
        loader_generator.set_state(state["loader"].cpu())


def save_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any = None,
    *,
    epoch: int,
    loader_generator: torch.Generator | None = None,
    scaler: Any = None,
    **extra: Any,
) -> Path:
    """Write everything needed to resume training after ``epoch`` epochs.

    Introduced in chapter 15, "Saving, resuming and sharing a model".

    The file holds the state dicts of the model, optimiser, scheduler and grad
    scaler, the epoch, every random number generator's state (see
    :func:`get_rng_state`) and any ``extra`` values, such as the loss history.
    It is written to a temporary file first and then renamed, so a crash while
    saving never leaves a half-written checkpoint in place of the last good one.
    Save at the end of an epoch: the loader's shuffling order for the next epoch
    is drawn when that epoch starts.

    Args:
        path: Where to write, for example ``"checkpoint.pt"``.
        model: The model being trained.
        optimizer: Its optimiser.
        scheduler: Its learning-rate scheduler, if any.
        epoch: The number of epochs completed, a non-negative integer; training
            resumes with this epoch (counting from 0).
        loader_generator: The training ``DataLoader``'s ``generator``, if any.
        scaler: A ``torch.amp.GradScaler``, if mixed precision uses one.
        **extra: More values to store, such as ``losses=[...]``; keep them to
            tensors, numbers, strings, lists, tuples and dicts, which
            ``torch.load(weights_only=True)`` accepts.

    Returns:
        The path written.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``epoch`` is negative or an ``extra`` name is reserved.
    """
    func = "save_checkpoint"
    target = _check_path(func, path)
    _check_instance(func, "model", model, nn.Module, optional=False)
    _check_instance(func, "optimizer", optimizer, torch.optim.Optimizer, optional=False)
    _check_state_owner(func, "scheduler", scheduler)
    _check_state_owner(func, "scaler", scaler)
    if isinstance(epoch, bool) or not isinstance(epoch, int):
        raise TypeError(f"{func}(epoch={epoch!r}): expected a non-negative integer")
    if epoch < 0:
        raise ValueError(f"{func}(epoch={epoch!r}): expected a non-negative integer")
    clashes = [name for name in extra if name in _RESERVED]
    if clashes:
        raise ValueError(
            f"{func}({clashes[0]}=...): that name is reserved for the checkpoint's own "
            f"parts ({', '.join(_RESERVED)}); pick another"
        )
    checkpoint = {
        "format": FORMAT,
        "epoch": epoch,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "scaler": None if scaler is None else scaler.state_dict(),
        "rng": get_rng_state(loader_generator),
        **extra,
    }
    partial = target.with_name(target.name + ".partial")
    torch.save(checkpoint, partial)
    os.replace(partial, target)  # atomic: the old checkpoint stays until the new one is whole
    return target


def load_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: Any = None,
    *,
    loader_generator: torch.Generator | None = None,
    scaler: Any = None,
    restore_rng: bool = True,
    map_location: str | torch.device | None = "cpu",
) -> dict[str, Any]:
    """Restore a checkpoint written by :func:`save_checkpoint` into live objects.

    Introduced in chapter 15, "Saving, resuming and sharing a model".

    Build the model, optimiser, scheduler, scaler and loader exactly as for a
    fresh run, then call this: each object given receives its saved state, and
    (with ``restore_rng=True``) every random number generator is set back to
    where it was when the checkpoint was written. An object passed as ``None``
    is left as it is. The file is read with ``torch.load(weights_only=True)``,
    which refuses anything but tensors and plain Python values.

    Args:
        path: The checkpoint file.
        model: A model of the same architecture, which receives the weights.
        optimizer: An optimiser over ``model``'s parameters, or ``None``.
        scheduler: The scheduler attached to ``optimizer``, or ``None``.
        loader_generator: The training ``DataLoader``'s generator, or ``None``.
        scaler: A ``torch.amp.GradScaler``, or ``None``.
        restore_rng: Set the random number generators back (the default).
        map_location: Where the saved tensors are first loaded. The default,
            ``"cpu"``, reads a checkpoint written on a GPU on any machine;
            ``load_state_dict`` then copies the weights to wherever ``model`` is.

    Returns:
        The whole checkpoint as a dict: ``checkpoint["epoch"]`` is the epoch to
        resume with, and any ``extra`` values saved are under their names.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        TypeError: If an argument has the wrong type.
        ValueError: If the file is not a checkpoint from :func:`save_checkpoint`,
            or lacks the state of an object passed in.
    """
    func = "load_checkpoint"
    source = _check_path(func, path)
    _check_instance(func, "model", model, nn.Module, optional=False)
    _check_instance(func, "optimizer", optimizer, torch.optim.Optimizer)
    _check_state_owner(func, "scheduler", scheduler)
    _check_state_owner(func, "scaler", scaler)
    _check_instance(func, "loader_generator", loader_generator, torch.Generator)
    if not source.is_file():
        raise FileNotFoundError(f"{func}(path={str(path)!r}): no such file")
    checkpoint = torch.load(source, map_location=map_location, weights_only=True)
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        held = ", ".join(map(repr, checkpoint)) if isinstance(checkpoint, dict) else "not a dict"
        raise ValueError(
            f"{func}(path={str(path)!r}): not a checkpoint written by save_checkpoint "
            f"(it holds {held}); a plain state dict loads with "
            "model.load_state_dict(torch.load(path))"
        )
    wanted = {"model": model, "optimizer": optimizer, "scheduler": scheduler, "scaler": scaler}
    missing = [
        name for name, obj in wanted.items() if obj is not None and checkpoint.get(name) is None
    ]
    if restore_rng and loader_generator is not None and "loader" not in checkpoint["rng"]:
        missing.append("rng['loader']")
    if missing:
        raise ValueError(
            f"{func}(path={str(path)!r}): the checkpoint has no {', '.join(missing)} state, "
            f"but one was passed in; it holds "
            f"{', '.join(name for name, value in checkpoint.items() if value is not None)}"
        )
    model.load_state_dict(checkpoint["model"])
    for name in ("optimizer", "scheduler", "scaler"):
        if wanted[name] is not None:
            wanted[name].load_state_dict(checkpoint[name])
    if restore_rng:
        set_rng_state(checkpoint["rng"], loader_generator)
    return checkpoint


def strip_prefix(state_dict: Mapping[str, Any], prefix: str) -> OrderedDict[str, Any]:
    """Keep the entries whose key starts with ``prefix``, with the prefix removed.

    Introduced in chapter 15, "Saving, resuming and sharing a model".

    A ``LightningModule`` that holds its network as ``self.model`` saves keys
    such as ``"model.0.weight"``; the plain network expects ``"0.weight"``.
    Entries without the prefix (a loss module's buffers, say) are left out.

    Args:
        state_dict: A state dict, such as ``torch.load(path)["state_dict"]``.
        prefix: The prefix to remove, usually ending with a dot, e.g. ``"model."``.

    Returns:
        A new ordered dict with the shortened keys and the same tensors.

    Raises:
        TypeError: If ``state_dict`` is not a mapping or ``prefix`` not a string.
        ValueError: If ``prefix`` is empty or no key starts with it.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            f"strip_prefix(state_dict=...): expected a dict, got {type(state_dict).__name__}"
        )
    if not isinstance(prefix, str):
        raise TypeError(f"strip_prefix(prefix={prefix!r}): expected a string such as 'model.'")
    if not prefix:
        raise ValueError("strip_prefix(prefix=''): expected a non-empty prefix such as 'model.'")
    stripped = OrderedDict(
        (key.removeprefix(prefix), value)
        for key, value in state_dict.items()
        if key.startswith(prefix)
    )
    if not stripped:
        shown = ", ".join(repr(key) for key in list(state_dict)[:4])
        raise ValueError(
            f"strip_prefix(prefix={prefix!r}): no key starts with it; the keys begin {shown}"
        )
    return stripped
