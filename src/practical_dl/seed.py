"""Making results reproducible: one call seeds every random number generator.

Introduced in the chapter "Getting started".
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

__all__ = ["seed_everything"]


def seed_everything(seed: int = 42, *, deterministic: bool = False) -> int:
    """Seed Python's, NumPy's and PyTorch's random number generators.

    Introduced in the chapter "Getting started".

    Args:
        seed: The seed, a non-negative integer below 2**32.
        deterministic: Also ask PyTorch to use deterministic algorithms, which
            are slower on a GPU but give bit-identical results run after run.

    Returns:
        The seed, so it can be logged.

    Raises:
        ValueError: If ``seed`` is not an integer in ``[0, 2**32)``.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"seed_everything(seed={seed!r}): expected an integer in [0, 2**32)")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses such as DataLoader workers
    if deterministic:
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False
    return seed
