"""Checks for the exercises on datasets, loaders and the training loop.

Introduced in chapter 5, "Mini-batches and training loops".

Each check takes what you wrote (a class, a function or values) and tests it;
it prints what it confirmed, or raises :class:`~practical_dl.exercises.CheckFailed`
saying what is wrong and where to look.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

from practical_dl.exercises import call, check, check_equal, given, number, passed

__all__ = [
    "check_batch_sizes",
    "check_last_batch_shares",
    "check_sharded_stream",
    "check_train_val_split",
]

_SHARD_HINT = (
    "info = get_worker_info() tells a worker its number (info.id) and how many there are "
    "(info.num_workers): keep row i only when i % info.num_workers == info.id"
)


def _targets_in_file(path: str | Path, target: str = "y") -> torch.Tensor:
    with open(path, newline="") as file:
        return torch.tensor([float(row[target]) for row in csv.DictReader(file)])


def _streamed_targets(dataset: IterableDataset, num_workers: int) -> torch.Tensor:
    loader = DataLoader(dataset, batch_size=100, num_workers=num_workers)
    return torch.cat([torch.as_tensor(batch[1]).reshape(-1) for batch in loader])


def check_sharded_stream(stream_class: Any, path: str | Path) -> None:
    """Check a stream that splits its rows between the ``DataLoader``'s workers.

    Read in the main process (``num_workers=0``), it must yield every row of
    the file once; read by two workers, the workers together must yield each
    row exactly once, not once per worker.

    Args:
        stream_class: The reader's ``IterableDataset`` class, built as
            ``stream_class(path)``.
        path: The CSV file it reads, with a ``y`` column.

    Raises:
        CheckFailed: When ``__iter__`` yields nothing, fails, or yields rows
            twice or not at all.
    """
    name = getattr(stream_class, "__name__", "the class")
    given(name, stream_class)
    check(
        isinstance(stream_class, type) and issubclass(stream_class, IterableDataset),
        f"{name} should be a class derived from CsvStream (an IterableDataset)",
        "write class ShardedCsvStream(CsvStream): with its own __iter__",
    )
    stream = call(f"{name}(path)", stream_class, path)
    iterator = call(f"{name}.__iter__", type(stream).__iter__, stream)
    check(
        iterator is not None and iterator is not ...,
        f"{name}.__iter__() returned {'...' if iterator is ... else 'None'}: "
        "the exercise is not done yet",
        "replace the ... with a loop over super().__iter__() that yields the rows this worker "
        "keeps (a function that yields returns a generator)",
    )
    expected = _targets_in_file(path).sort().values
    n_rows = len(expected)
    alone = call(
        f"reading {name} without workers",
        _streamed_targets,
        stream,
        0,
        hint="with num_workers=0 there is no worker: get_worker_info() returns None, and the "
        "main process must then keep every row",
    )
    check(
        len(alone) == n_rows,
        f"without workers, {name} yielded {len(alone)} rows, expected all {n_rows}",
        "with num_workers=0 get_worker_info() returns None: then keep every row",
    )
    together = call(
        f"reading {name} with num_workers=2", _streamed_targets, stream, 2, hint=_SHARD_HINT
    )
    check(
        len(together) != 2 * n_rows,
        f"with num_workers=2 the loader yielded {len(together)} rows, every row twice: "
        "each worker still runs the whole file",
        _SHARD_HINT,
    )
    check(
        len(together) == n_rows,
        f"with num_workers=2 the loader yielded {len(together)} rows, expected {n_rows}",
        _SHARD_HINT,
    )
    check(
        torch.allclose(together.sort().values, expected),
        f"with num_workers=2 the loader yielded {n_rows} rows, but not each row once",
        "the workers' shares must not overlap: worker k keeps rows k, k + n, k + 2n, ...",
    )
    passed(f"two workers together yield each of the {n_rows} rows exactly once")


def _best_mse(X: torch.Tensor, y: torch.Tensor) -> float:
    """The least-squares error of the best line, in float64."""
    design = np.column_stack([np.ones(len(X)), X.detach().cpu().double().numpy()])
    target = y.detach().cpu().double().numpy()
    coef = np.linalg.lstsq(design, target, rcond=None)[0]
    return float(((design @ coef - target) ** 2).mean())


def _full_batch_mse(X: torch.Tensor, y: torch.Tensor, lr: float, num_epochs: int) -> float:
    """MSE after ``num_epochs`` full-batch SGD steps from seed 0's nn.Linear(1, 1)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)  # what seed_everything(0) does to torch
        model = nn.Linear(X.shape[1], 1)
    X, y = X.detach().cpu().float(), y.detach().cpu().float()
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(num_epochs):
        optimizer.zero_grad()
        criterion(model(X).squeeze(1), y).backward()
        optimizer.step()
    with torch.no_grad():
        return criterion(model(X).squeeze(1), y).item()


def check_batch_sizes(
    updates: Any, errors: Any, keep: Any, X: torch.Tensor, y: torch.Tensor
) -> None:
    """Check the batch-size experiment: updates per run, final errors, and the full batch's factor.

    Each run trains a fresh ``nn.Linear(1, 1)`` (after ``seed_everything(0)``)
    for 30 epochs with SGD at a learning rate of 0.02. ``updates`` and
    ``errors`` map the batch sizes 10, 50 and 500 to the number of weight
    updates and to the final mean squared error over all rows; ``keep`` is
    the fraction of the slope's distance to the best slope that one
    full-batch update leaves, ``1 - lr * 2 * mean(x ** 2)`` when the mean
    ``x`` is close to 0.

    Args:
        updates: The reader's ``{batch_size: number of updates}``.
        errors: The reader's ``{batch_size: MSE over all rows}``.
        keep: The reader's factor.
        X: The inputs, shape ``(n, 1)``.
        y: The targets, shape ``(n,)``.

    Raises:
        CheckFailed: When a count, an error or the factor is wrong.
    """
    lr, num_epochs, sizes = 0.02, 30, (10, 50, 500)
    for name, value in (("updates", updates), ("errors", errors)):
        given(name, value)
        check(
            isinstance(value, dict) and set(value) == set(sizes),
            f"{name} should be a dict with the keys 10, 50 and 500, got {value!r:.80}",
            "one entry per batch size: {10: ..., 50: ..., 500: ...}",
        )
    n_rows = len(y)
    for batch_size in sizes:
        check_equal(
            f"updates[{batch_size}]",
            updates[batch_size],
            num_epochs * math.ceil(n_rows / batch_size),
            f"an epoch makes one update per batch: ceil({n_rows} / {batch_size}) of them, "
            f"and there are {num_epochs} epochs",
        )
    best = _best_mse(X, y)
    got = {size: number(f"errors[{size}]", errors[size]) for size in sizes}
    for size, value in got.items():
        check(
            value >= best * (1 - 1e-4),
            f"errors[{size}] is {value:.2f}, below {best:.2f}, the least-squares error that no "
            "line can beat",
            "measure each model's MSE over all 500 rows, e.g. with mse_all(m, X_t, y_t)",
        )
    full = _full_batch_mse(X, y, lr, num_epochs)
    check(
        math.isclose(got[500], full, rel_tol=1e-3),
        f"errors[500] is {got[500]:.2f}, but {num_epochs} full-batch updates at lr={lr} from "
        f"seed 0's initial weights end at {full:.2f}",
        "call seed_everything(0) before each fresh nn.Linear(1, 1), with a new SGD optimiser "
        f"(lr={lr}) and {num_epochs} epochs",
    )
    check(
        got[500] == max(got.values()),
        f"errors[500] ({got[500]:.2f}) should be the largest, got {got}",
        "the smaller batches make many more updates in 30 epochs: train each from a fresh model",
    )
    x = X.detach().cpu().double().reshape(-1)
    factor = 1 - lr * 2 * float((x**2).mean())
    value = number("keep", keep)
    check(
        math.isclose(value, factor, rel_tol=1e-3),
        f"keep is {value:.4f}, expected {factor:.4f}",
        "the slope's gradient is 2 * mean(x * (w x + b - y)); with mean(x) close to 0, one "
        "update multiplies w - w_best by 1 - lr * 2 * mean(x ** 2)",
    )
    passed(
        f"{updates[10]}, {updates[50]} and {updates[500]} updates; the full batch keeps "
        f"{factor:.3f} of the slope's distance per update, {factor**num_epochs:.2f} after "
        f"{num_epochs}, so it ends furthest from {best:.2f}"
    )


def _indices(name: str, subset: Any) -> list[int] | None:
    given(name, subset)
    check(
        hasattr(subset, "__len__") and hasattr(subset, "__getitem__"),
        f"{name} should be a dataset, got {type(subset).__name__}",
        "random_split returns two datasets: train_set, val_set = random_split(...)",
    )
    indices = getattr(subset, "indices", None)
    return None if indices is None else [int(i) for i in indices]


def check_train_val_split(train_set: Any, val_set: Any, curves: Any, order_matters: Any) -> None:
    """Check a 400/100 split, its 20-epoch training and validation curves, and one answer.

    Args:
        train_set: The reader's 400 training rows.
        val_set: The reader's 100 validation rows.
        curves: What ``fit(..., epochs=20, val_loader=...)`` returned.
        order_matters: ``True`` or ``False``: would shuffling the validation
            rows change the validation loss?

    Raises:
        CheckFailed: When the split, the curves or the answer is wrong.
    """
    split_hint = "random_split(dataset, [400, 100], generator=torch.Generator().manual_seed(0))"
    train_idx, val_idx = _indices("train_set", train_set), _indices("val_set", val_set)
    check_equal("len(train_set)", len(train_set), 400, split_hint)
    check_equal("len(val_set)", len(val_set), 100, split_hint)
    if train_idx is not None and val_idx is not None:
        shared = set(train_idx) & set(val_idx)
        check(
            not shared,
            f"{len(shared)} rows are in both train_set and val_set",
            "split once with random_split, so every row lands in exactly one part",
        )
    given("curves", curves)
    check(
        isinstance(curves, dict) and "val_loss" in curves and "train_loss" in curves,
        "curves should be the dict fit returns, with 'train_loss' and 'val_loss'",
        "pass val_loader=DataLoader(val_set, batch_size=50) to fit",
    )
    check(
        len(curves["train_loss"]) == len(curves["val_loss"]) == 20,
        f"curves holds {len(curves['train_loss'])} training and {len(curves['val_loss'])} "
        "validation losses, expected 20 of each",
        "train a fresh model with fit(..., epochs=20, val_loader=...)",
    )
    check(
        curves["val_loss"][-1] < curves["val_loss"][0],
        "the validation loss did not fall over the 20 epochs",
        "a fresh nn.Linear(1, 1) with SGD at lr=0.02 should learn: check the optimiser "
        "holds that model's parameters",
    )
    given("order_matters", order_matters)
    check_equal(
        "order_matters",
        order_matters,
        False,
        "the validation loss is a mean over all validation rows, and the model does not learn "
        "from them: does the order of the terms of a mean change it?",
    )
    passed(
        f"400/100 split; validation loss {curves['val_loss'][0]:.1f} -> "
        f"{curves['val_loss'][-1]:.1f} over 20 epochs; the validation order changes nothing"
    )


def check_last_batch_shares(plain_last: Any, weighted_last: Any) -> None:
    """Check the share of class 1 in the last batch, without shuffling and with the sampler.

    The imbalanced data hold 450 rows of class 0 followed by 50 of class 1.

    Args:
        plain_last: The share in the last batch of ``DataLoader(imbalanced, batch_size=50)``.
        weighted_last: The share in the last batch of the weighted sampler's loader.

    Raises:
        CheckFailed: When either share is off.
    """
    plain = number("plain_last", plain_last)
    check(
        plain == 1.0,
        f"plain_last is {plain:.2f}, expected 1.00",
        "without shuffling the batches follow the row order: which 50 rows come last?",
    )
    weighted = number("weighted_last", weighted_last)
    check(
        0.2 <= weighted <= 0.8,
        f"weighted_last is {weighted:.2f}; with the weighted sampler every batch should be "
        "about half class 1",
        "take the last batch of balanced_loader, whose sampler draws both classes equally often",
    )
    passed(f"last batch: {plain:.2f} class 1 in row order, {weighted:.2f} with the sampler")
