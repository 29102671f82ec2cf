"""Scoring a binary classifier from its logits: labels, accuracy, ROC-AUC, confusion matrix.

Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

A binary model in this tutorial ends in one ``nn.Linear`` output, a *logit*
``z``, and trains with ``nn.BCEWithLogitsLoss``. The probability of class 1 is
``sigmoid(z)``, so a probability threshold ``t`` is the same as the logit
threshold ``log(t / (1 - t))`` (``0`` for ``t = 0.5``). The helpers compare in
logit space, which stays exact where ``sigmoid`` rounds to 0 or 1 in float32.
Every helper accepts logits and targets of shape ``(n,)`` or ``(n, 1)``, as
tensors on any device or as NumPy arrays.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.metrics import confusion_matrix, roc_auc_score
from torch.nn import functional as F

from practical_dl import _checks as check
from practical_dl._arrays import to_numpy

__all__ = [
    "accuracy_from_logits",
    "binary_metrics",
    "confusion_matrix_from_logits",
    "predict_labels",
    "roc_auc_from_logits",
]


def _as_flat_tensor(name: str, values: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Return ``values`` as a 1-D float tensor, accepting shapes ``(n,)`` and ``(n, 1)``."""
    if not isinstance(values, torch.Tensor | np.ndarray):
        raise check.bad(name, "be a torch.Tensor or a NumPy array", values, error=TypeError)
    return check.column(name, torch.as_tensor(values).detach()).float()


def _check_pair(
    logits: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray
) -> tuple[torch.Tensor, torch.Tensor]:
    """Check logits and 0/1 targets, and return both flat, on the logits' device."""
    z = _as_flat_tensor("logits", logits)
    y = _as_flat_tensor("targets", targets).to(z.device)
    if y.shape[0] != z.shape[0]:
        raise check.bad(
            "logits and targets",
            "have the same length",
            got=f"{z.shape[0]} logits and {y.shape[0]} targets",
        )
    if z.device.type != "meta" and not bool(((y == 0) | (y == 1)).all()):
        others = sorted(set(y[(y != 0) & (y != 1)].tolist()))[:5]
        raise check.bad("targets", "hold only 0 and 1", got=f"also {others}")
    return z, y


def _logit_threshold(threshold: float) -> float:
    """Turn a probability threshold in (0, 1) into the equivalent logit threshold."""
    threshold = check.probability("threshold", threshold, include_zero=False, include_one=False)
    return math.log(threshold / (1.0 - threshold))


def predict_labels(logits: torch.Tensor | np.ndarray, threshold: float = 0.5) -> torch.Tensor:
    """Turn logits into class labels 0 and 1.

    A sample gets label 1 when its probability ``sigmoid(logit)`` is above
    ``threshold``. With one logit per sample this replaces ``argmax``, which on
    an ``(n, 1)`` output always returns 0.

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

    Args:
        logits: Raw model outputs, shape ``(n,)`` or ``(n, 1)``.
        threshold: Probability above which a sample is labelled 1.

    Returns:
        An ``int64`` tensor of shape ``(n,)`` on the logits' device.

    Raises:
        TypeError: If ``logits`` is not a tensor or array, or ``threshold`` not a number.
        ValueError: If ``logits`` has the wrong shape or ``threshold`` is outside (0, 1).
    """
    z = _as_flat_tensor("logits", logits)
    return (z > _logit_threshold(threshold)).long()


def accuracy_from_logits(
    logits: torch.Tensor | np.ndarray,
    targets: torch.Tensor | np.ndarray,
    threshold: float = 0.5,
) -> float:
    """Fraction of samples whose thresholded prediction equals the target.

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

    Args:
        logits: Raw model outputs, shape ``(n,)`` or ``(n, 1)``.
        targets: True labels 0 or 1 (any numeric dtype), same length as ``logits``.
        threshold: Probability above which a sample is labelled 1.

    Returns:
        The accuracy, a float in ``[0, 1]``.

    Raises:
        TypeError: If an input is not a tensor or array, or ``threshold`` not a number.
        ValueError: If shapes or lengths differ, targets are not 0/1, or the
            threshold is outside (0, 1).
    """
    z, y = _check_pair(logits, targets)
    labels = z > _logit_threshold(threshold)
    return (labels == y.bool()).float().mean().item()


def roc_auc_from_logits(
    logits: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray
) -> float:
    """Area under the ROC curve, computed by ``sklearn.metrics.roc_auc_score``.

    ROC-AUC only depends on how the samples are ranked, so logits and
    probabilities give the same value and no threshold is needed. It is the
    probability that a random sample of class 1 scores higher than a random
    sample of class 0: 0.5 is guessing, 1.0 a perfect ranking.

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

    Args:
        logits: Raw model outputs (or any scores), shape ``(n,)`` or ``(n, 1)``.
        targets: True labels 0 or 1, same length as ``logits``.

    Returns:
        The ROC-AUC, a float in ``[0, 1]``.

    Raises:
        TypeError: If an input is not a tensor or a NumPy array.
        ValueError: If shapes or lengths differ, targets are not 0/1, or only
            one class is present (the curve is then undefined).
    """
    z, y = _check_pair(logits, targets)
    y_np = to_numpy(y, name="targets")
    if np.unique(y_np).size < 2:
        raise check.bad("targets", "hold both classes, 0 and 1", got=f"only {int(y_np[0])}s")
    return float(roc_auc_score(y_np, to_numpy(z, name="logits")))


def confusion_matrix_from_logits(
    logits: torch.Tensor | np.ndarray,
    targets: torch.Tensor | np.ndarray,
    threshold: float = 0.5,
) -> np.ndarray:
    """Count correct and wrong predictions per class.

    Row ``i`` is the true class and column ``j`` the predicted one, as in
    ``sklearn.metrics.confusion_matrix``: ``[[TN, FP], [FN, TP]]`` when class 1
    is called positive. Both classes always get a row and a column.

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

    Args:
        logits: Raw model outputs, shape ``(n,)`` or ``(n, 1)``.
        targets: True labels 0 or 1, same length as ``logits``.
        threshold: Probability above which a sample is labelled 1.

    Returns:
        A ``2 x 2`` integer NumPy array.

    Raises:
        TypeError: If an input is not a tensor or array, or ``threshold`` not a number.
        ValueError: If shapes or lengths differ, targets are not 0/1, or the
            threshold is outside (0, 1).
    """
    z, y = _check_pair(logits, targets)
    labels = (z > _logit_threshold(threshold)).long()
    return confusion_matrix(to_numpy(y.long()), to_numpy(labels), labels=[0, 1])


def binary_metrics(
    logits: torch.Tensor | np.ndarray,
    targets: torch.Tensor | np.ndarray,
    threshold: float = 0.5,
) -> dict[str, float]:
    """Loss, accuracy and ROC-AUC of one set of predictions, ready for a table row.

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

    Args:
        logits: Raw model outputs, shape ``(n,)`` or ``(n, 1)``.
        targets: True labels 0 or 1, same length as ``logits``.
        threshold: Probability above which a sample is labelled 1 (for accuracy).

    Returns:
        ``{"loss": ..., "accuracy": ..., "roc_auc": ...}`` where ``loss`` is the
        mean binary cross-entropy, as ``nn.BCEWithLogitsLoss`` computes it.

    Raises:
        TypeError: If an input is not a tensor or array, or ``threshold`` not a number.
        ValueError: As for `accuracy_from_logits` and `roc_auc_from_logits`.
    """
    z, y = _check_pair(logits, targets)
    return {
        "loss": F.binary_cross_entropy_with_logits(z, y).item(),
        "accuracy": accuracy_from_logits(z, y, threshold),
        "roc_auc": roc_auc_from_logits(z, y),
    }
