"""Choosing where tensors live: CUDA, then Apple's MPS, then the CPU.

Introduced in chapter 1, "Getting started".
"""

from __future__ import annotations

import torch
from torch import nn

from practical_dl import _checks as check

__all__ = ["available_devices", "get_device", "model_device"]

_BACKENDS = ("cuda", "mps", "cpu", "meta")


def available_devices() -> dict[str, bool]:
    """Report which accelerator back-ends this PyTorch build can use.

    Returns:
        A mapping from back-end name (``"cuda"``, ``"mps"``, ``"cpu"``) to whether
        it is usable right now. ``"cpu"`` is always ``True``.
    """
    mps = getattr(torch.backends, "mps", None)
    return {
        "cuda": torch.cuda.is_available(),
        "mps": bool(mps is not None and mps.is_available()),
        "cpu": True,
    }


def get_device(prefer: str | None = None) -> torch.device:
    """Pick the fastest device available: CUDA, then MPS, then the CPU.

    Introduced in chapter 1, "Getting started".

    Args:
        prefer: Force a back-end by name (``"cuda"``, ``"mps"``, ``"cpu"`` or
            ``"meta"``). ``None`` picks the best one available.

    Returns:
        The chosen device.

    Raises:
        ValueError: If ``prefer`` names an unknown back-end.
        RuntimeError: If ``prefer`` names a back-end this machine cannot use.
    """
    if prefer is None:
        usable = available_devices()
        return torch.device(next(name for name in ("cuda", "mps", "cpu") if usable[name]))
    check.one_of("prefer", prefer, _BACKENDS)
    if prefer == "meta":
        # The meta device has shapes but no data: useful to check device handling on a CPU.
        return torch.device("meta")
    if not available_devices()[prefer]:
        raise check.bad(
            "prefer",
            "name a device this PyTorch build and machine have (get_device() falls back "
            "automatically)",
            prefer,
            error=RuntimeError,
        )
    return torch.device(prefer)


def model_device(model: nn.Module) -> torch.device:
    """Return the one device that holds all of a model's parameters and buffers.

    Buffers count as much as parameters: a batch-norm layer's running
    statistics are buffers, and a forward pass fails if they sit on another
    device than its input. A model with neither (``nn.ReLU()``) runs anywhere;
    it is reported as the CPU.

    Args:
        model: Any module.

    Returns:
        The device, for example ``device(type='cuda', index=0)``.

    Raises:
        TypeError: If ``model`` is not an ``nn.Module``.
        ValueError: If its tensors are spread over several devices; the message
            names one tensor on each.
    """
    if not isinstance(model, nn.Module):
        raise check.bad("model", "be an nn.Module", model, error=TypeError)
    first_on: dict[torch.device, str] = {}
    for name, tensor in (*model.named_parameters(), *model.named_buffers()):
        first_on.setdefault(tensor.device, name)
    if not first_on:
        return torch.device("cpu")
    if len(first_on) > 1:
        where = ", ".join(f"{name} on {device}" for device, name in first_on.items())
        raise check.bad(
            "model",
            "have all its parameters and buffers on one device (move it with model.to(device))",
            got=where,
        )
    return next(iter(first_on))
