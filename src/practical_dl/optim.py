"""Looking inside optimisers: paths on a 2-D surface, an LR range test, schedules, gradient norms.

Introduced in chapter 13, "Optimisers and learning-rate schedules".

Each helper works with the real ``torch.optim`` objects (or anything with the
same ``zero_grad()``/``step()`` methods), so what it shows is what training
does:

- :func:`optimiser_path` records where an optimiser takes two parameters on a
  2-D loss surface.
- :func:`lr_range_test` and :func:`suggest_lr` are an "LR finder": train for a
  few steps with a learning rate that grows exponentially, record the loss,
  and read a learning rate off the curve.
- :func:`lr_schedule` records the learning rate a real scheduler sets at every
  step, from its ``get_last_lr()``, for plotting.
- :func:`gradient_norm` is the total gradient norm that
  ``torch.nn.utils.clip_grad_norm_`` compares with its ``max_norm``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from practical_dl import _checks as check

__all__ = [
    "LRRangeTest",
    "gradient_norm",
    "lr_range_test",
    "lr_schedule",
    "optimiser_path",
    "suggest_lr",
]


def optimiser_path(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    start: Iterable[float],
    make_optimizer: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    num_steps: int,
) -> torch.Tensor:
    """Record the points an optimiser visits on a 2-D loss surface.

    Introduced in chapter 13, "Optimisers and learning-rate schedules".

    Args:
        loss_fn: Maps a point, a tensor of shape ``(2,)``, to a scalar loss.
        start: The starting point, two numbers.
        make_optimizer: Builds the optimiser from a list holding the one
            parameter tensor, for example
            ``lambda params: torch.optim.SGD(params, lr=0.1)``.
        num_steps: How many optimisation steps to take; a positive int.

    Returns:
        The visited points, shape ``(num_steps + 1, 2)``, the start first.

    Raises:
        TypeError: If ``num_steps`` is not an int, or ``loss_fn`` does not return
            a tensor.
        ValueError: If ``start`` is not two finite numbers, ``num_steps`` is below
            1, or ``loss_fn`` does not return a single number.
    """
    num_steps = check.positive_int("num_steps", num_steps)
    values = list(start) if isinstance(start, Iterable) else [start]
    try:
        point = torch.tensor([float(v) for v in values], dtype=torch.float32)
    except (TypeError, ValueError):
        raise check.bad("start", "be two finite numbers", start, error=TypeError) from None
    if point.shape != (2,) or not bool(torch.isfinite(point).all()):
        raise check.bad("start", "be two finite numbers", got=f"{values}")
    point.requires_grad_(True)
    optimizer = make_optimizer([point])
    path = [point.detach().clone()]
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss = loss_fn(point)
        if not isinstance(loss, torch.Tensor):
            raise check.bad("loss_fn", "return a tensor", loss, error=TypeError)
        if loss.numel() != 1:
            raise check.bad("loss_fn", "return a single number", got=f"shape {tuple(loss.shape)}")
        loss.backward()
        optimizer.step()
        path.append(point.detach().clone())
    return torch.stack(path)


@dataclass(frozen=True)
class LRRangeTest:
    """The curve an LR range test records.

    Attributes:
        lrs: The learning rate of every step taken, growing exponentially.
        losses: The smoothed training loss after each step (same length).
        raw_losses: The loss of each step's batch, before smoothing.
    """

    lrs: list[float]
    losses: list[float]
    raw_losses: list[float]

    def suggestion(self, method: str = "steepest") -> float:
        """Read a learning rate off the curve; see :func:`suggest_lr`.

        Args:
            method: ``"steepest"`` or ``"minimum"``.

        Returns:
            The suggested learning rate.
        """
        return suggest_lr(self.lrs, self.losses, method=method)


def lr_range_test(
    model: nn.Module,
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    start_lr: float = 1e-4,
    end_lr: float = 10.0,
    num_steps: int = 100,
    batch_size: int | None = None,
    smoothing: float = 0.9,
    stop_factor: float = 4.0,
    generator: torch.Generator | None = None,
) -> LRRangeTest:
    """Run an LR range test (an "LR finder") and restore the model afterwards.

    Introduced in chapter 13, "Optimisers and learning-rate schedules".

    Step ``i`` of ``num_steps`` trains on one batch with the learning rate
    ``start_lr * (end_lr / start_lr) ** (i / (num_steps - 1))``. The losses are
    smoothed with an exponential moving average (bias-corrected, as Adam does),
    and the test stops early once the smoothed loss exceeds ``stop_factor``
    times its best value, or stops being finite. The model's weights and the
    optimizer's state (learning rates included) are put back at the end, so
    training can start from the same weights.

    Args:
        model: The network; its parameters must be on the device of ``X``.
        criterion: The loss, for example ``nn.CrossEntropyLoss()``.
        optimizer: An optimizer built on ``model.parameters()``.
        X: Training inputs, shape ``(n, ...)``.
        y: Training targets, ``n`` of them.
        start_lr: The first learning rate; positive.
        end_lr: The last learning rate; above ``start_lr``.
        num_steps: Steps from ``start_lr`` to ``end_lr``; at least 2.
        batch_size: Rows drawn at random (with replacement) for each step;
            ``None`` uses all rows at every step.
        smoothing: Weight of the past in the moving average, in ``[0, 1)``.
        stop_factor: Stop when the smoothed loss exceeds this times its best; above 1.
        generator: Draws the batches; ``None`` uses PyTorch's global generator.

    Returns:
        The learning rates and (smoothed and raw) losses of the steps taken.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If an argument is out of range, or ``X`` and ``y`` hold
            different numbers of rows.
    """
    check.is_tensor("X", X)
    check.is_tensor("y", y)
    if X.shape[0] != y.shape[0] or X.shape[0] == 0:
        raise check.bad(
            "X and y",
            "hold the same, non-zero number of rows",
            got=f"{X.shape[0]} in X and {y.shape[0]} in y",
        )
    start_lr = check.positive_float("start_lr", start_lr)
    end_lr = check.positive_float("end_lr", end_lr)
    if end_lr <= start_lr:
        raise check.bad("end_lr", f"be above start_lr={start_lr}", end_lr)
    num_steps = check.int_in_range("num_steps", num_steps, 2, expected="an int >= 2")
    if batch_size is not None:
        batch_size = check.positive_int("batch_size", batch_size)
    smoothing = check.probability("smoothing", smoothing, include_one=False)
    stop_factor = check.positive_float("stop_factor", stop_factor)
    if stop_factor <= 1:
        raise check.bad("stop_factor", "be above 1", stop_factor)

    saved_model = copy.deepcopy(model.state_dict())
    saved_optimizer = copy.deepcopy(optimizer.state_dict())
    factor = (end_lr / start_lr) ** (1 / (num_steps - 1))
    lrs: list[float] = []
    losses: list[float] = []
    raw: list[float] = []
    average, best = 0.0, math.inf
    was_training = model.training
    model.train()
    try:
        for step in range(num_steps):
            lr = start_lr * factor**step
            for group in optimizer.param_groups:
                group["lr"] = lr
            if batch_size is None:
                X_batch, y_batch = X, y
            else:
                rows = torch.randint(len(y), (batch_size,), generator=generator)
                X_batch, y_batch = X[rows.to(X.device)], y[rows.to(y.device)]
            optimizer.zero_grad()
            loss = criterion(model(X_batch), y_batch)
            loss.backward()
            optimizer.step()
            value = loss.item()
            average = smoothing * average + (1 - smoothing) * value
            smoothed = average / (1 - smoothing ** (step + 1))
            lrs.append(lr)
            losses.append(smoothed)
            raw.append(value)
            best = min(best, smoothed)
            if not math.isfinite(smoothed) or smoothed > stop_factor * best:
                break
    finally:
        model.load_state_dict(saved_model)
        optimizer.load_state_dict(saved_optimizer)
        model.train(was_training)
    return LRRangeTest(lrs=lrs, losses=losses, raw_losses=raw)


def suggest_lr(lrs: Iterable[float], losses: Iterable[float], method: str = "steepest") -> float:
    """Suggest a learning rate from an LR range test's curve.

    Introduced in chapter 13, "Optimisers and learning-rate schedules".

    Two common rules of thumb:

    - ``"steepest"``: the learning rate where the smoothed loss falls fastest
      per decade of learning rate, looking only before the curve's minimum.
    - ``"minimum"``: a tenth of the learning rate at the curve's minimum, one
      decade back from where training starts to break down.

    Args:
        lrs: The learning rates, increasing.
        losses: The smoothed loss at each learning rate; non-finite values
            (a diverged last step) are ignored.
        method: ``"steepest"`` or ``"minimum"``.

    Returns:
        The suggested learning rate.

    Raises:
        ValueError: If the two sequences differ in length, hold fewer than 3
            finite points, or ``method`` is unknown.
    """
    method = check.one_of("method", method, ("steepest", "minimum"))
    lr_values = np.asarray(list(lrs), dtype=float)
    loss_values = np.asarray(list(losses), dtype=float)
    if lr_values.shape != loss_values.shape or lr_values.ndim != 1:
        raise check.bad(
            "lrs and losses",
            "have the same length",
            got=f"{lr_values.size} learning rates and {loss_values.size} losses",
        )
    finite = np.isfinite(loss_values)
    lr_values, loss_values = lr_values[finite], loss_values[finite]
    if lr_values.size < 3:
        raise check.bad("losses", "hold at least 3 finite points", got=f"{lr_values.size}")
    lowest = int(np.argmin(loss_values))
    if method == "minimum":
        return float(lr_values[lowest] / 10)
    slopes = np.gradient(loss_values, np.log10(lr_values))  # loss change per decade
    return float(lr_values[int(np.argmin(slopes[: lowest + 1]))])


def lr_schedule(
    make_scheduler: Callable[[torch.optim.Optimizer], torch.optim.lr_scheduler.LRScheduler],
    num_steps: int,
    lr: float = 0.1,
    momentum: float = 0.9,
) -> list[float]:
    """Record the learning rate a real scheduler sets, step by step.

    Introduced in chapter 13, "Optimisers and learning-rate schedules".

    The scheduler is built on a throwaway ``SGD`` optimiser over one parameter,
    then stepped in the right order (``optimizer.step()`` first, then
    ``scheduler.step()``), reading ``scheduler.get_last_lr()`` before each step.

    Args:
        make_scheduler: Builds the scheduler from the optimiser, for example
            ``lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=5)``.
        num_steps: How many scheduler steps to record; a positive int.
        lr: The optimiser's learning rate (the schedule's base value).
        momentum: The optimiser's momentum (``OneCycleLR`` cycles it).

    Returns:
        ``num_steps`` learning rates: the one in force at each step.

    Raises:
        TypeError: If ``num_steps`` is not an int, or ``make_scheduler`` does not
            return a scheduler.
        ValueError: If ``num_steps`` or ``lr`` is not positive.
    """
    num_steps = check.positive_int("num_steps", num_steps)
    lr = check.positive_float("lr", lr)
    parameter = nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=lr, momentum=momentum)
    scheduler = make_scheduler(optimizer)
    if not isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler):
        raise check.bad(
            "make_scheduler",
            "return a torch.optim.lr_scheduler scheduler",
            scheduler,
            error=TypeError,
        )
    lrs = []
    for _ in range(num_steps):
        lrs.append(float(scheduler.get_last_lr()[0]))
        optimizer.step()  # no gradients: moves nothing, but keeps the order PyTorch expects
        scheduler.step()
    return lrs


def gradient_norm(parameters: Iterable[torch.Tensor] | torch.Tensor) -> float:
    """Return the total 2-norm of the gradients, as ``clip_grad_norm_`` computes it.

    Introduced in chapter 13, "Optimisers and learning-rate schedules".

    It is the norm of all gradients joined into one long vector:
    ``sqrt(sum(g.pow(2).sum() for g in grads))``. Parameters without a gradient
    are skipped.

    Args:
        parameters: ``model.parameters()``, a list of tensors, or one tensor.

    Returns:
        The norm, 0.0 when no parameter has a gradient.
    """
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    squares = [p.grad.detach().double().pow(2).sum() for p in parameters if p.grad is not None]
    if not squares:
        return 0.0
    return float(torch.stack([s.cpu() for s in squares]).sum().sqrt())
