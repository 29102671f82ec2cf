"""Plots for regression: the data with fitted lines, and a loss curve.

Both helpers accept NumPy arrays, lists or tensors (tensors are detached and
copied to the CPU first), and say which argument has the wrong shape.

Introduced in chapter 4, "Linear regression, from NumPy to `nn.Module`".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes

from practical_dl import _checks as check
from practical_dl._arrays import to_numpy

__all__ = ["plot_loss_curve", "plot_regression"]


def _column(arg: str, value: Any, n: int | None = None) -> np.ndarray:
    """Return ``value`` as a 1-D float array, accepting shape ``(n,)`` or ``(n, 1)``."""
    array = check.column(arg, to_numpy(value, dtype=float, name=arg))
    if n is not None and array.shape[0] != n:
        raise check.bad(arg, f"hold {n} values, one per point", got=f"{array.shape[0]}")
    return array


def plot_regression(
    X: Any,
    y: Any,
    y_pred: Any | Mapping[str, Any] | None = None,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str = "x",
    ylabel: str = "y",
) -> Axes:
    """Scatter one-feature regression data and draw the fitted line(s) over it.

    Introduced in chapter 4, "Linear regression, from NumPy to `nn.Module`".

    Args:
        X: The single input feature, shape ``(n,)`` or ``(n, 1)``.
        y: The targets, shape ``(n,)`` or ``(n, 1)``.
        y_pred: Predictions for the same ``n`` points, drawn as a line; or a
            mapping from a legend label to predictions, to compare several fits;
            or ``None`` to draw the data only.
        ax: Axes to draw on; a new figure is made when ``None``.
        title: Axes title; also the figure's label (its alt text on the site)
            when a new figure is made.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.

    Returns:
        The axes holding the plot.

    Raises:
        ValueError: If ``X`` has more than one feature, or an array has the
            wrong shape or length.
    """
    x = _column("X", X)
    targets = _column("y", y, len(x))
    if y_pred is None:
        fits: dict[str, np.ndarray] = {}
    elif isinstance(y_pred, Mapping):
        fits = {str(label): _column(f"y_pred[{label!r}]", p, len(x)) for label, p in y_pred.items()}
    else:
        fits = {"fit": _column("y_pred", y_pred, len(x))}

    if ax is None:
        fig = plt.figure(
            figsize=(6, 4), label=title or "Regression data and fitted line", layout="constrained"
        )
        ax = fig.add_subplot()
    ax.scatter(x, targets, s=16, alpha=0.6, color="tab:red", label="data")
    order = np.argsort(x)
    for (label, prediction), style in zip(fits.items(), ["-", "--", ":", "-."] * 3, strict=False):
        ax.plot(x[order], prediction[order], style, linewidth=2, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if fits:
        ax.legend()
    return ax


def plot_loss_curve(
    losses: Sequence[float] | np.ndarray | torch.Tensor,
    *,
    ax: Axes | None = None,
    title: str = "Training loss",
    xlabel: str = "Epoch",
    log_scale: bool = False,
) -> Axes:
    """Plot one loss value per epoch (or per step).

    Introduced in chapter 4, "Linear regression, from NumPy to `nn.Module`".

    Args:
        losses: The loss values in order, a 1-D sequence of numbers.
        ax: Axes to draw on; a new figure is made when ``None``.
        title: Axes title, and the new figure's label (its alt text on the site).
        xlabel: Label of the x axis.
        log_scale: Use a logarithmic y axis, which shows a loss that falls by
            orders of magnitude; every value must then be positive.

    Returns:
        The axes holding the plot.

    Raises:
        ValueError: If ``losses`` is empty, not 1-D, holds a NaN or infinity,
            or holds a value that is not positive while ``log_scale`` is set.
    """
    values = to_numpy(losses, dtype=float, name="losses")
    if values.ndim != 1 or values.size == 0:
        raise check.bad("losses", "be a non-empty 1-D sequence", got=f"shape {tuple(values.shape)}")
    if not np.all(np.isfinite(values)):
        first = int(np.flatnonzero(~np.isfinite(values))[0])
        raise check.bad(
            "losses",
            "be finite",
            got=f"value {first} is {values[first]}; the training diverged "
            "(try a smaller learning rate)",
        )
    if log_scale and np.any(values <= 0):
        raise check.bad(
            "losses", "be positive with log_scale=True", got=f"a minimum of {values.min():g}"
        )
    if ax is None:
        fig = plt.figure(figsize=(6, 3.5), label=title, layout="constrained")
        ax = fig.add_subplot()
    ax.plot(np.arange(1, len(values) + 1), values, marker="." if len(values) <= 50 else None)
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Loss")
    ax.set_title(title)
    return ax
