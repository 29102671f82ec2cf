"""Regularisation: an L2 penalty, early stopping, random shifts and rotations, seed summaries.

Introduced in chapter 12, "Overfitting and regularisation".

The helpers are the reusable versions of what that chapter writes by hand:
the L2 penalty that SGD's ``weight_decay`` adds for you, an early-stopping
rule with a patience and a best checkpoint kept in memory, a data
augmentation for small images made of tensor operations only, and the mean
and spread of a score over several seeds.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from practical_dl import _checks as check
from practical_dl._arrays import to_numpy

__all__ = ["EarlyStopping", "format_mean_std", "l2_penalty", "mean_std", "random_affine"]


def _non_negative_number(name: str, value: Any) -> float:
    """Check that ``value`` is a finite real number of at least 0 and return it as a float."""
    expected = "be a finite number >= 0"
    if not isinstance(value, numbers.Real) or isinstance(value, bool | np.bool_):
        raise check.bad(name, expected, value, error=TypeError)
    if not (math.isfinite(value) and value >= 0):
        raise check.bad(name, expected, value)
    return float(value)


def l2_penalty(parameters: Iterable[torch.Tensor]) -> torch.Tensor:
    """Sum of the squares of every value in ``parameters``.

    Adding ``weight_decay / 2 * l2_penalty(model.parameters())`` to a loss adds
    ``weight_decay * p`` to the gradient of every parameter ``p``, which is
    exactly what ``torch.optim.SGD(..., weight_decay=weight_decay)`` does.

    Introduced in chapter 12, "Overfitting and regularisation".

    Args:
        parameters: Tensors, for example ``model.parameters()``.

    Returns:
        A 0-d tensor on the parameters' device, differentiable with respect to them.

    Raises:
        TypeError: If an item of ``parameters`` is not a tensor.
        ValueError: If ``parameters`` is empty.
    """
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]  # one tensor, not an iterable of its rows
    squares = [
        check.is_tensor(f"parameters[{i}]", parameter).pow(2).sum()
        for i, parameter in enumerate(parameters)
    ]
    if not squares:
        raise check.bad("parameters", "hold at least one tensor", got="none")
    return torch.stack(squares).sum()


class EarlyStopping:
    """Stop training when the validation loss has not improved for ``patience`` epochs.

    Call `step` once per epoch with the validation loss. Every time the loss
    improves on the best so far by more than ``min_delta``, a deep copy of the
    model's ``state_dict`` is kept in memory as the best checkpoint; `restore`
    loads it back when training ends.

    Introduced in chapter 12, "Overfitting and regularisation".

    Args:
        patience: How many epochs in a row without improvement to accept
            before `step` answers that training should stop.
        min_delta: How much lower than the best loss a new loss must be to
            count as an improvement.

    Attributes:
        best_loss: The lowest validation loss seen so far (``inf`` before the first step).
        best_epoch: The epoch (counted from 1) that reached ``best_loss``; 0 before the first step.
        best_state: A deep copy of the model's ``state_dict`` at ``best_epoch``.
        epoch: How many times `step` has been called.
        bad_epochs: Epochs in a row without improvement.

    Raises:
        TypeError: If ``patience`` is not an integer.
        ValueError: If ``patience`` is below 1 or ``min_delta`` is negative.
    """

    def __init__(self, patience: int, min_delta: float = 0.0) -> None:
        self.patience = check.positive_int("patience", patience)
        self.min_delta = _non_negative_number("min_delta", min_delta)
        self.best_loss = math.inf
        self.best_epoch = 0
        self.best_state: dict[str, torch.Tensor] | None = None
        self.epoch = 0
        self.bad_epochs = 0

    def step(self, val_loss: float, model: nn.Module) -> bool:
        """Record one epoch's validation loss; return ``True`` when training should stop.

        Args:
            val_loss: This epoch's validation loss (a float or a 0-d tensor).
                A NaN never counts as an improvement.
            model: The model being trained; copied when the loss improves.

        Returns:
            ``True`` once ``patience`` epochs in a row have not improved.

        Raises:
            TypeError: If ``model`` is not an ``nn.Module``.
        """
        if not isinstance(model, nn.Module):
            raise check.bad("model", "be an nn.Module", model, error=TypeError)
        loss = float(val_loss)
        self.epoch += 1
        if loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = loss, self.epoch, 0
            # state_dict() holds references to the live parameters: copy, or it keeps changing.
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience

    def restore(self, model: nn.Module) -> nn.Module:
        """Load the best checkpoint into ``model`` and return it.

        Args:
            model: A model with the same architecture as the one passed to `step`.

        Returns:
            ``model``, now holding the best weights.

        Raises:
            RuntimeError: If no checkpoint was kept yet (no finite loss was recorded).
        """
        if self.best_state is None:
            raise RuntimeError(
                "EarlyStopping.restore: no checkpoint yet; call step() with a finite "
                "validation loss first"
            )
        model.load_state_dict(self.best_state)
        return model


def random_affine(
    images: torch.Tensor,
    max_degrees: float = 10.0,
    max_shift: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Rotate and shift every image by its own small random amount.

    Each image is rotated about its centre by an angle drawn uniformly from
    ``[-max_degrees, max_degrees]`` and shifted by a distance drawn uniformly
    from ``[-max_shift, max_shift]`` pixels along each axis, with
    ``F.affine_grid`` and ``F.grid_sample`` (bilinear, zeros outside the
    image). The result keeps the shape, dtype and device of ``images``.

    Introduced in chapter 12, "Overfitting and regularisation".

    Args:
        images: A batch of images, shape ``(N, C, H, W)``, floating point.
        max_degrees: Largest rotation, in degrees.
        max_shift: Largest shift along each axis, in pixels.
        generator: Random generator on the images' device; ``None`` uses the global one.

    Returns:
        The transformed images, a new tensor.

    Raises:
        TypeError: If ``images`` is not a floating-point tensor.
        ValueError: If ``images`` is not 4-D or a maximum is negative.
    """
    check.is_tensor("images", images)
    if not images.is_floating_point():
        raise check.bad("images", "be a floating-point tensor", images, error=TypeError)
    if images.ndim != 4:
        raise check.bad("images", "have shape (N, C, H, W)", images)
    max_degrees = _non_negative_number("max_degrees", max_degrees)
    max_shift = _non_negative_number("max_shift", max_shift)
    n, _, height, width = images.shape
    options = {"generator": generator, "device": images.device, "dtype": images.dtype}
    angle = (torch.rand(n, **options) * 2 - 1) * math.radians(max_degrees)
    shift = (torch.rand(n, 2, **options) * 2 - 1) * max_shift
    # affine_grid works in coordinates from -1 to 1, so one pixel is 2 / size.
    tx, ty = shift[:, 0] * 2 / width, shift[:, 1] * 2 / height
    cos, sin = angle.cos(), angle.sin()
    theta = torch.stack(
        [torch.stack([cos, -sin, tx], dim=1), torch.stack([sin, cos, ty], dim=1)], dim=1
    )  # (N, 2, 3): where each output pixel reads from in the input
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def mean_std(values: Sequence[float] | np.ndarray | torch.Tensor) -> tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``) of one score over several runs.

    Introduced in chapter 12, "Overfitting and regularisation".

    Args:
        values: One score per run, for example one validation accuracy per seed.

    Returns:
        ``(mean, std)``.

    Raises:
        TypeError: If ``values`` does not hold numbers.
        ValueError: If there are fewer than two values (no spread) or one is not finite.
    """
    try:
        array = to_numpy(values, dtype=float, name="values").ravel()
    except (TypeError, ValueError) as err:
        raise check.bad("values", "hold numbers", values, error=TypeError) from err
    if array.size < 2:
        raise check.bad("values", "hold at least 2 numbers for a spread", got=f"{array.size}")
    if not np.isfinite(array).all():
        raise check.bad("values", "hold only finite numbers", got=str(array.tolist()))
    return float(array.mean()), float(array.std(ddof=1))


def format_mean_std(values: Sequence[float] | np.ndarray | torch.Tensor, digits: int = 3) -> str:
    """Write the mean and spread of several runs as ``"0.873 ± 0.023"``.

    Introduced in chapter 12, "Overfitting and regularisation".

    Args:
        values: One score per run.
        digits: Decimal places for both numbers.

    Returns:
        The mean, ``±``, and the sample standard deviation.

    Raises:
        TypeError: As for `mean_std`, or if ``digits`` is not an integer.
        ValueError: As for `mean_std`, or if ``digits`` is negative.
    """
    digits = check.non_negative_int("digits", digits)
    mean, std = mean_std(values)
    return f"{mean:.{digits}f} ± {std:.{digits}f}"
