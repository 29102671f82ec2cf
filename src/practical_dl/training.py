"""A small, device-aware training loop: one step, one epoch, a whole fit, evaluation.

Introduced in chapter 5, "Mini-batches and training loops".

Every function moves each batch to the device it is given (by default, the
device the model's parameters and buffers live on, from
:func:`practical_dl.device.model_device`), so the same call trains on a CPU, a
CUDA GPU or Apple's MPS. A training step never calls ``.item()``, so it also
runs on PyTorch's ``meta`` device, which is how the tests check that no tensor
was left behind on the CPU.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from practical_dl import _checks as check
from practical_dl.device import model_device

__all__ = ["evaluate", "fit", "train_epoch", "train_step"]


def _resolve_device(model: nn.Module, device: torch.device | str | None) -> torch.device:
    """Turn ``device`` into a ``torch.device``, defaulting to the model's own device."""
    return model_device(model) if device is None else torch.device(device)


def _match_shapes(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Drop a trailing size-1 output dimension so ``(n, 1)`` predictions meet ``(n,)`` targets.

    A model with one output returns shape ``(n, 1)``; targets are usually ``(n,)``.
    Passing both to ``nn.MSELoss`` would broadcast them to ``(n, n)`` and compute
    the wrong loss, so the extra dimension is removed. Class scores of shape
    ``(n, C)`` with ``C > 1`` are left alone, as ``nn.CrossEntropyLoss`` wants them.
    """
    if y_hat.ndim == y.ndim + 1 and y_hat.shape[-1] == 1:
        return y_hat.squeeze(-1)
    return y_hat


def train_step(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Run one optimisation step on one batch.

    Introduced in chapter 5, "Mini-batches and training loops".

    Args:
        model: The network to train; its parameters must already be on ``device``.
        X: A batch of inputs, shape ``(batch, ...)``.
        y: The matching targets, shape ``(batch,)`` or ``(batch, outputs)``.
        criterion: The loss, for example ``nn.MSELoss()``.
        optimizer: An optimizer built on ``model.parameters()``.
        device: Where to compute. ``None`` uses the device of the model's parameters
            and buffers (see :func:`practical_dl.device.model_device`).

    Returns:
        The batch loss as a detached 0-d tensor on ``device`` (call ``.item()``
        on it for a Python float; that is left to the caller so a step can run on
        the ``meta`` device, where ``.item()`` is impossible).

    Raises:
        ValueError: If ``X`` and ``y`` hold different numbers of samples, or
            ``device`` is ``None`` and the model is spread over several devices.
    """
    if X.shape[0] != y.shape[0]:
        raise check.bad(
            "X and y",
            "hold the same number of samples",
            got=f"{X.shape[0]} in X and {y.shape[0]} in y",
        )
    device = _resolve_device(model, device)
    X, y = X.to(device), y.to(device)
    optimizer.zero_grad()  # gradients add up across backward() calls unless cleared
    y_hat = _match_shapes(model(X), y)  # forward pass
    loss = criterion(y_hat, y)
    loss.backward()  # gradients of the loss with respect to every parameter
    optimizer.step()  # move the parameters against their gradients
    return loss.detach()


def train_epoch(
    model: nn.Module,
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    device: torch.device | str | None = None,
) -> float:
    """Train for one pass over ``loader`` and return the mean loss per sample.

    Introduced in chapter 5, "Mini-batches and training loops".

    The mean weights each batch by its size, so a short last batch counts for
    what it holds (a plain mean of batch losses would over-weight it).

    Args:
        model: The network to train; its parameters must already be on ``device``.
        loader: Yields ``(X, y)`` batches, for example a ``DataLoader``.
        criterion: A loss that averages over the batch (PyTorch's default).
        optimizer: An optimizer built on ``model.parameters()``.
        device: Where to compute. ``None`` uses the device of the model's parameters
            and buffers (see :func:`practical_dl.device.model_device`).

    Returns:
        The mean training loss over all samples seen in this epoch.

    Raises:
        ValueError: If ``loader`` yields no batches, or ``device`` is ``None``
            and the model is spread over several devices.
    """
    device = _resolve_device(model, device)
    model.train()
    total = torch.zeros((), device=device)
    count = 0
    for X, y in loader:
        loss = train_step(model, X, y, criterion, optimizer, device)
        total += loss * X.shape[0]
        count += X.shape[0]
    if count == 0:
        raise check.bad("loader", "yield at least one batch", got="no batches")
    return (total / count).item()


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    criterion: nn.Module,
    device: torch.device | str | None = None,
) -> float:
    """Compute the mean loss per sample over ``loader`` without training.

    Introduced in chapter 5, "Mini-batches and training loops".

    The model is put in evaluation mode (``model.eval()``) and no computation
    graph is recorded (``torch.no_grad()``); its previous mode is restored after.

    Args:
        model: The network to evaluate; its parameters must already be on ``device``.
        loader: Yields ``(X, y)`` batches.
        criterion: A loss that averages over the batch.
        device: Where to compute. ``None`` uses the device of the model's parameters
            and buffers (see :func:`practical_dl.device.model_device`).

    Returns:
        The mean loss over all samples in ``loader``.

    Raises:
        ValueError: If ``loader`` yields no batches, or ``device`` is ``None``
            and the model is spread over several devices.
    """
    device = _resolve_device(model, device)
    was_training = model.training
    model.eval()
    total = torch.zeros((), device=device)
    count = 0
    try:
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            loss = criterion(_match_shapes(model(X), y), y)
            total += loss * X.shape[0]
            count += X.shape[0]
    finally:
        model.train(was_training)
    if count == 0:
        raise check.bad("loader", "yield at least one batch", got="no batches")
    return (total / count).item()


def fit(
    model: nn.Module,
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    device: torch.device | str | None = None,
    val_loader: Iterable[tuple[torch.Tensor, torch.Tensor]] | None = None,
    print_every: int = 0,
) -> dict[str, list[float]]:
    """Train for several epochs and record the mean loss of each.

    Introduced in chapter 5, "Mini-batches and training loops".

    Training continues from the model's current weights and the optimizer's
    current state: calling ``fit`` twice trains for the sum of both ``epochs``.
    To start afresh, build a new model and a new optimizer.

    Args:
        model: The network to train; its parameters must already be on ``device``.
        loader: Yields training batches ``(X, y)``.
        criterion: A loss that averages over the batch.
        optimizer: An optimizer built on ``model.parameters()``.
        epochs: How many passes over ``loader``; a positive integer.
        device: Where to compute. ``None`` uses the device of the model's parameters
            and buffers (see :func:`practical_dl.device.model_device`).
        val_loader: Optional validation batches, evaluated after every epoch.
        print_every: Print the losses every this many epochs (and after the
            last one); ``0`` prints nothing.

    Returns:
        ``{"train_loss": [...]}`` with one mean loss per epoch, plus
        ``"val_loss"`` when ``val_loader`` is given. ``pandas.DataFrame(history)``
        turns it into a table ready to plot.

    Raises:
        TypeError: If ``epochs`` or ``print_every`` is not an int.
        ValueError: If ``epochs`` is below 1, ``print_every`` is negative, or
            (from ``model_device``) the model is spread over several devices.
    """
    epochs = check.positive_int("epochs", epochs)
    print_every = check.non_negative_int("print_every", print_every)
    device = _resolve_device(model, device)
    history: dict[str, list[float]] = {"train_loss": []}
    if val_loader is not None:
        history["val_loss"] = []
    for epoch in range(1, epochs + 1):
        history["train_loss"].append(train_epoch(model, loader, criterion, optimizer, device))
        line = f"epoch {epoch:>4}  train_loss {history['train_loss'][-1]:.4f}"
        if val_loader is not None:
            history["val_loss"].append(evaluate(model, val_loader, criterion, device))
            line += f"  val_loss {history['val_loss'][-1]:.4f}"
        if print_every and (epoch % print_every == 0 or epoch == epochs):
            print(line)
    return history
