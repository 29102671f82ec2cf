"""Data sets that need no download, split and standardised the right way.

Introduced in chapter 8, "Project: a breast-cancer classifier end to end".
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from sklearn import datasets, model_selection

from practical_dl import _checks as check

__all__ = ["Splits", "breast_cancer_splits"]


@dataclass(frozen=True)
class Splits:
    """Train, validation and test tensors, standardised with training statistics.

    Attributes:
        X_train: Training features, shape ``(n_train, n_features)``.
        y_train: Training targets as float32 0/1, shape ``(n_train,)``.
        X_val: Validation features.
        y_val: Validation targets.
        X_test: Test features.
        y_test: Test targets.
        mean: Per-feature mean of the training split.
        std: Per-feature standard deviation of the training split.
        feature_names: Names of the feature columns.
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_val: torch.Tensor
    y_val: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    mean: torch.Tensor
    std: torch.Tensor
    feature_names: list[str]


def breast_cancer_splits(seed: int = 42, val_size: float = 0.15, test_size: float = 0.15) -> Splits:
    """Load scikit-learn's breast-cancer data as stratified, standardised splits.

    The mean and standard deviation come from the training split only, so no
    information about the validation or test rows leaks into training.

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

    Args:
        seed: Seed for the shuffled, stratified splits.
        val_size: Fraction of all rows kept for validation.
        test_size: Fraction of all rows kept for the final test.

    Returns:
        The three splits as float32 tensors, with the statistics used.

    Raises:
        TypeError: If a fraction is not a number.
        ValueError: If a fraction is not in ``(0, 1)`` or both leave no training rows.
    """
    check.probability("val_size", val_size, include_zero=False, include_one=False)
    check.probability("test_size", test_size, include_zero=False, include_one=False)
    if val_size + test_size >= 1:
        raise check.bad(
            "val_size + test_size",
            "be below 1, to leave rows for training",
            got=f"{val_size} + {test_size}",
        )
    data = datasets.load_breast_cancer()
    X, y = data.data, data.target
    X_rest, X_test, y_rest, y_test = model_selection.train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    X_train, X_val, y_train, y_val = model_selection.train_test_split(
        X_rest, y_rest, test_size=val_size / (1 - test_size), random_state=seed, stratify=y_rest
    )

    def as_tensor(a):
        return torch.tensor(a, dtype=torch.float32)

    X_train_t = as_tensor(X_train)
    mean, std = X_train_t.mean(dim=0), X_train_t.std(dim=0)
    return Splits(
        X_train=(X_train_t - mean) / std,
        y_train=as_tensor(y_train),
        X_val=(as_tensor(X_val) - mean) / std,
        y_val=as_tensor(y_val),
        X_test=(as_tensor(X_test) - mean) / std,
        y_test=as_tensor(y_test),
        mean=mean,
        std=std,
        feature_names=list(data.feature_names),
    )
