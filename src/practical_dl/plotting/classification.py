"""Scatter plots of 2-D classification data and the decision boundaries of a model.

Introduced in chapter 7, "Classification".
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, to_rgb
from torch import nn

from practical_dl import _checks as check
from practical_dl._arrays import to_numpy
from practical_dl.device import model_device

__all__ = ["plot_data_2d", "plot_decision_boundary", "predict_grid"]

# Colour-blind-safe colours (Okabe and Ito), one per class.
CLASS_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]


def _points(X: np.ndarray | torch.Tensor) -> np.ndarray:
    """Return ``X`` as a NumPy array of shape ``(n, 2)`` with ``n >= 1``."""
    X_np = to_numpy(X, name="X")
    check.shape("X", X_np, ("n", 2))
    if X_np.shape[0] == 0:
        raise check.bad("X", "hold at least one point", got="shape (0, 2)")
    return X_np


def _check_xy(
    X: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``X`` and ``y`` as NumPy arrays after checking their shapes."""
    X_np, y_np = _points(X), to_numpy(y, name="y")
    check.shape("y", y_np, (X_np.shape[0],))
    if not np.all(np.equal(np.mod(y_np, 1), 0)) or y_np.min() < 0:
        raise check.bad("y", "hold class indices 0, 1, 2, ...", y_np)
    return X_np, y_np.astype(int)


def plot_data_2d(
    X: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Scatter 2-D points coloured by class.

    Introduced in chapter 7, "Classification".

    Args:
        X: Points, shape ``(n, 2)``.
        y: Class index of each point (0, 1, ...), shape ``(n,)``.
        ax: Axes to draw on; a new figure is made when ``None``.
        title: Axes title, also used as the figure's alt text for a new figure.

    Returns:
        The axes drawn on.

    Raises:
        ValueError: If ``X`` is not ``(n, 2)`` or ``y`` is not ``(n,)`` class indices.
    """
    X_np, y_np = _check_xy(X, y)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5), label=title or "Two-dimensional data by class")
    for label in np.unique(y_np):
        mask = y_np == label
        ax.scatter(
            X_np[mask, 0],
            X_np[mask, 1],
            s=18,
            color=CLASS_COLOURS[label % len(CLASS_COLOURS)],
            edgecolor="white",
            linewidth=0.4,
            label=f"class {label}",
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal", adjustable="box")
    ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    if title:
        ax.set_title(title)
    return ax


@torch.no_grad()
def predict_grid(
    model: nn.Module,
    X: np.ndarray | torch.Tensor,
    resolution: int = 200,
    padding: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate a 2-input classifier on a grid covering the data.

    Introduced in chapter 7, "Classification".

    Args:
        model: A network taking inputs of shape ``(m, 2)`` and returning logits of
            shape ``(m, 1)`` (binary) or ``(m, C)`` with ``C >= 2`` (multiclass).
        X: The data the grid must cover, shape ``(n, 2)``.
        resolution: Grid points along each axis (at least 2).
        padding: Margin added around the data on every side.

    Returns:
        ``(xx, yy, probabilities)``: the grid coordinates, each of shape
        ``(resolution, resolution)``, and the model's probabilities there, shape
        ``(resolution, resolution)`` for a binary model (probability of class 1,
        via a sigmoid) or ``(resolution, resolution, C)`` for a multiclass one
        (via a softmax).

    Raises:
        TypeError: If ``resolution`` is not an int.
        ValueError: If ``X`` is not ``(n, 2)``, ``resolution`` is below 2, the
            model's output does not have shape ``(m, 1)`` or ``(m, C)``, or the
            model is spread over several devices.
    """
    X_np = _points(X)
    resolution = check.int_in_range("resolution", resolution, 2, expected="an int >= 2")
    lo, hi = X_np.min(axis=0) - padding, X_np.max(axis=0) + padding
    xx, yy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    device = model_device(model)
    was_training = model.training
    model.eval()
    try:
        logits = model(torch.tensor(grid, dtype=torch.float32, device=device)).cpu()
    finally:
        model.train(was_training)
    if logits.ndim != 2 or logits.shape[0] != grid.shape[0]:
        raise check.bad(
            "model",
            "return logits of shape (m, 1) or (m, C) for m inputs",
            got=f"shape {tuple(logits.shape)} for {grid.shape[0]} inputs",
        )
    if logits.shape[1] == 1:
        probabilities = torch.sigmoid(logits).reshape(xx.shape)
    else:
        probabilities = torch.softmax(logits, dim=1).reshape(*xx.shape, logits.shape[1])
    return xx, yy, to_numpy(probabilities)


def plot_decision_boundary(
    model: nn.Module,
    X: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor,
    ax: Axes | None = None,
    title: str | None = None,
    resolution: int = 200,
) -> Axes:
    """Shade a classifier's predictions over the plane and overlay the data.

    Introduced in chapter 7, "Classification".

    A binary model (one logit) is drawn as the probability of class 1 with the
    0.5 contour, its decision boundary. A multiclass model (``C`` logits) is
    drawn as decision regions: each grid point is coloured by its most probable
    class, and lighter where that probability is lower.

    Args:
        model: A network mapping ``(m, 2)`` inputs to ``(m, 1)`` or ``(m, C)`` logits.
        X: Points, shape ``(n, 2)``.
        y: Class index of each point, shape ``(n,)``.
        ax: Axes to draw on; a new figure is made when ``None``.
        title: Axes title, also used as the figure's alt text for a new figure.
        resolution: Grid points along each axis.

    Returns:
        The axes drawn on.

    Raises:
        ValueError: If ``X`` or ``y`` have the wrong shape, or the model's output
            is not ``(m, 1)`` or ``(m, C)``.
    """
    X_np, y_np = _check_xy(X, y)
    xx, yy, probabilities = predict_grid(model, X_np, resolution=resolution)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5), label=title or "Decision boundary of a classifier")
    if probabilities.ndim == 2:  # binary: probability of class 1
        cmap = ListedColormap(plt.get_cmap("RdBu_r")(np.linspace(0.1, 0.9, 256)))
        filled = ax.contourf(xx, yy, probabilities, levels=np.linspace(0, 1, 11), cmap=cmap)
        ax.contour(xx, yy, probabilities, levels=[0.5], colors="black", linewidths=1.5)
        ax.figure.colorbar(filled, ax=ax, shrink=0.8, label="P(class 1)")
    else:  # multiclass: most probable class, fading with its probability
        classes = probabilities.argmax(axis=-1)
        confidence = probabilities.max(axis=-1)
        colours = np.array([to_rgb(c) for c in CLASS_COLOURS])
        rgb = colours[classes % len(CLASS_COLOURS)]
        alpha = 0.15 + 0.35 * (confidence - confidence.min()) / max(np.ptp(confidence), 1e-12)
        image = np.concatenate([rgb, alpha[..., None]], axis=-1)
        ax.imshow(
            image,
            origin="lower",
            extent=(xx.min(), xx.max(), yy.min(), yy.max()),
            aspect="auto",
            interpolation="nearest",
        )
    plot_data_2d(X_np, y_np, ax=ax, title=title)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    return ax
