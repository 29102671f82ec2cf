"""Choosing where tensors live: CUDA, then Apple's MPS, then the CPU.

Introduced in the chapter "Getting started".
"""

from __future__ import annotations

import torch

__all__ = ["available_devices", "get_device"]


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

    Introduced in the chapter "Getting started".

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
    if prefer == "meta":
        # The meta device has shapes but no data: useful to check device handling on a CPU.
        return torch.device("meta")
    usable = available_devices()
    if prefer not in usable:
        known = ", ".join([*usable, "meta"])
        raise ValueError(f"get_device(prefer={prefer!r}): unknown device; expected one of {known}")
    if not usable[prefer]:
        raise RuntimeError(
            f"get_device(prefer={prefer!r}): this PyTorch build or machine has no {prefer} "
            "device; call get_device() to fall back automatically"
        )
    return torch.device(prefer)
