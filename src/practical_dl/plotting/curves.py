"""Learning curves, ROC curves and confusion matrices for a trained classifier.

Introduced in chapter 8, "Project: a breast-cancer classifier end to end".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from matplotlib.axes import Axes
from sklearn.metrics import roc_auc_score, roc_curve

from practical_dl import _checks as check
from practical_dl._arrays import to_numpy

__all__ = ["plot_confusion_matrix", "plot_learning_curves", "plot_roc_curve"]


def _as_flat_numpy(name: str, values: np.ndarray | torch.Tensor) -> np.ndarray:
    """Return ``values`` as a 1-D NumPy array, accepting shapes ``(n,)`` and ``(n, 1)``."""
    return check.column(name, to_numpy(values, name=name))


def plot_learning_curves(
    history: Mapping[str, Sequence[float]] | pd.DataFrame,
    ax: Axes | None = None,
    title: str = "Learning curves",
    ylabel: str = "Loss",
) -> Axes:
    """Plot one line per recorded quantity against the epoch number (from 1).

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

    Args:
        history: Per-epoch values, such as ``{"train_loss": [...], "val_loss": [...]}``
            or a ``pandas.DataFrame`` with one column per quantity. All series
            must have the same length.
        ax: Axes to draw on; a new figure is made when ``None``.
        title: Axes title, also the figure's alt text for a new figure.
        ylabel: Label of the vertical axis.

    Returns:
        The axes drawn on.

    Raises:
        ValueError: If ``history`` is empty or its series differ in length.
    """
    if isinstance(history, pd.DataFrame):
        frame = history.reset_index(drop=True)
    else:
        lengths = {name: len(values) for name, values in history.items()}
        if len(set(lengths.values())) > 1:
            raise check.bad("history", "hold series of one length", got=f"lengths {lengths}")
        frame = pd.DataFrame({name: list(values) for name, values in history.items()})
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise check.bad("history", "hold at least one value", got="nothing to plot")
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="Epoch")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5), label=title)
    frame.plot(ax=ax, marker="." if len(frame) <= 30 else None)
    ax.set_title(title)
    ax.set_xlabel("Epoch")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return ax


def plot_roc_curve(
    targets: np.ndarray | torch.Tensor,
    scores: np.ndarray | torch.Tensor,
    ax: Axes | None = None,
    label: str = "model",
) -> Axes:
    """Draw the ROC curve of one set of scores, with its AUC in the legend.

    Call it again with the same ``ax`` to compare several models on one plot.
    The dashed diagonal is a classifier that guesses (AUC 0.5).

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

    Args:
        targets: True labels 0 or 1, shape ``(n,)`` or ``(n, 1)``.
        scores: Logits or probabilities of class 1, same length as ``targets``.
        ax: Axes to draw on; a new figure is made when ``None``.
        label: Name of the curve in the legend.

    Returns:
        The axes drawn on.

    Raises:
        ValueError: If the inputs have the wrong shapes or lengths, targets are
            not 0/1, or only one class is present.
    """
    y = _as_flat_numpy("targets", targets)
    s = _as_flat_numpy("scores", scores)
    if y.shape != s.shape:
        raise check.bad(
            "targets and scores",
            "have the same length",
            got=f"{y.size} targets and {s.size} scores",
        )
    if not np.isin(y, (0, 1)).all():
        raise check.bad("targets", "hold only 0 and 1", y)
    if np.unique(y).size < 2:
        raise check.bad("targets", "hold both classes, 0 and 1", got=f"only {y[0]:g}s")
    fpr, tpr, _ = roc_curve(y, s)
    auc = roc_auc_score(y, s)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5), label="ROC curve")
    if not any(line.get_gid() == "chance" for line in ax.get_lines()):
        ax.plot(
            [0, 1], [0, 1], linestyle="--", color="grey", label="chance (AUC 0.5)", gid="chance"
        )
    ax.plot(fpr, tpr, drawstyle="steps-post", label=f"{label} (AUC {auc:.3f})")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate")
    ax.set_title("ROC curve")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_confusion_matrix(
    matrix: np.ndarray | Sequence[Sequence[int]],
    class_names: Sequence[str],
    ax: Axes | None = None,
    title: str = "Confusion matrix",
) -> Axes:
    """Draw a confusion matrix as a grid of counts, true class down, predicted across.

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

    Args:
        matrix: Square matrix of counts, ``matrix[i, j]`` = samples of true class
            ``i`` predicted as class ``j`` (``sklearn.metrics.confusion_matrix``'s layout).
        class_names: One name per class, in index order.
        ax: Axes to draw on; a new figure is made when ``None``.
        title: Axes title, also the figure's alt text for a new figure.

    Returns:
        The axes drawn on.

    Raises:
        ValueError: If ``matrix`` is not square, holds negative counts, or
            ``class_names`` does not give one name per row.
    """
    counts = to_numpy(matrix, name="matrix")
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] == 0:
        raise check.bad("matrix", "be a square matrix of counts", counts)
    if (counts < 0).any():
        raise check.bad("matrix", "hold counts, which cannot be negative", counts)
    if len(class_names) != counts.shape[0]:
        raise check.bad(
            "class_names",
            f"give one name per class, {counts.shape[0]}",
            got=f"{len(class_names)} names",
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.5), label=title)
    image = ax.imshow(counts, cmap="Blues", vmin=0)
    threshold = counts.max() / 2 if counts.max() > 0 else 0.5
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            colour = "white" if counts[i, j] > threshold else "black"
            ax.text(j, i, f"{counts[i, j]}", ha="center", va="center", color=colour, fontsize=12)
    ticks = np.arange(counts.shape[0])
    ax.set_xticks(ticks, labels=list(class_names))
    ax.set_yticks(ticks, labels=list(class_names))
    ax.set_xlabel("Predicted class")
    ax.set_ylabel("True class")
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="Samples")
    return ax
