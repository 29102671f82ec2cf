"""Checks for the exercises on optimisers: Nesterov, Adam's bias correction, schedules, clipping.

Introduced in chapter 13, "Optimisers and learning-rate schedules".

Each check takes what the reader wrote (a class, a function, a value) and
tries it on a small problem of its own, built from a local random generator,
so it never depends on, or changes, the page's variables or random state.
The optimiser classes are compared step by step with ``torch.optim``; the
functions are compared with PyTorch's own schedulers and clipping functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from practical_dl import _checks
from practical_dl.exercises import CheckFailed, check, check_callable, given, passed

__all__ = [
    "check_adam_uncorrected",
    "check_clipped_direction",
    "check_nesterov",
    "check_warmup_cosine",
]

_NO_GRAD_HINT = (
    "decorate step() with @torch.no_grad(), as Momentum.step is: changing a weight "
    "must not be recorded in the graph"
)


def _initial_parameters() -> list[torch.Tensor]:
    """A 5-8-3 network's weights and a batch of 32 rows, from a generator of its own."""
    generator = torch.Generator().manual_seed(0)
    return [
        torch.randn(5, 8, generator=generator) * 0.5,
        torch.zeros(8),
        torch.randn(8, 3, generator=generator) * 0.5,
        torch.zeros(3),
    ]


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    return torch.randn(32, 5, generator=generator), torch.randint(0, 3, (32,), generator=generator)


def _loss(params: list[torch.Tensor], X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    w1, b1, w2, b2 = params
    return nn.functional.cross_entropy(torch.relu(X @ w1 + b1) @ w2 + b2, y)


def _trajectory(
    make_optimizer: Callable[[list[torch.Tensor]], Any], num_steps: int, name: str
) -> list[list[torch.Tensor]]:
    """Train the small network with an optimiser; return the weights after every step."""
    X, y = _data()
    params = [p.clone().requires_grad_() for p in _initial_parameters()]
    optimizer = make_optimizer(params)
    history = []
    for _ in range(num_steps):
        optimizer.zero_grad()
        _loss(params, X, y).backward()
        try:
            optimizer.step()
        except RuntimeError as error:
            if "leaf Variable" in str(error):
                raise CheckFailed(
                    f"{name}.step() changed a weight while autograd was recording", _NO_GRAD_HINT
                ) from None
            raise
        history.append([p.detach().clone() for p in params])
    return history


def _gap(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
    return max((x - y).abs().max().item() for x, y in zip(a, b, strict=True))


def _close(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.allclose(x, y, rtol=1e-5, atol=1e-6) for x, y in zip(a, b, strict=True))


def _optimizer_class(name: str, value: Any) -> type:
    given(name, value)
    check(
        isinstance(value, type),
        f"{name} should be a class, got {type(value).__name__}",
        f"define it with `class {name}(...):`, as in the starter",
    )
    return value


def check_nesterov(nesterov_class: Any) -> None:
    """Check a ``Nesterov`` optimiser against ``torch.optim.SGD(..., nesterov=True)``.

    The class is built as ``nesterov_class(params, lr=0.05, momentum=0.9)`` and
    trains a small 5-8-3 network for 20 full-batch steps next to PyTorch's
    optimiser; the weights must be ``allclose`` after every step.

    Args:
        nesterov_class: The reader's optimiser class (a subclass of the
            chapter's ``Momentum``).

    Raises:
        CheckFailed: When it is not a class, leaves the weights unchanged,
            takes plain momentum steps, or departs from PyTorch at some step.
    """
    nesterov_class = _optimizer_class("Nesterov", nesterov_class)
    num_steps, lr, mu = 20, 0.05, 0.9
    mine = _trajectory(lambda ps: nesterov_class(ps, lr=lr, momentum=mu), num_steps, "Nesterov")
    theirs = _trajectory(
        lambda ps: torch.optim.SGD(ps, lr=lr, momentum=mu, nesterov=True), num_steps, "SGD"
    )
    plain = _trajectory(lambda ps: torch.optim.SGD(ps, lr=lr, momentum=mu), num_steps, "SGD")
    check(
        _gap(mine[0], _initial_parameters()) > 0,
        "Nesterov.step() left every weight unchanged: the exercise is not done yet",
        "replace the ... in step() with the update of v and of each parameter",
    )
    check(
        not _close(mine[0], plain[0]),
        "your first step equals plain momentum's (p <- p - lr * v), not Nesterov's",
        "after updating v as Momentum does, step along g + mu * v: "
        "p -= self.lr * (p.grad + self.mu * v)",
    )
    for step, (a, b) in enumerate(zip(mine, theirs, strict=True), start=1):
        check(
            _close(a, b),
            f"after step {step} your weights differ from torch.optim.SGD(lr={lr}, "
            f"momentum={mu}, nesterov=True) by up to {_gap(a, b):.2g}",
            "update the velocity in place first (v.mul_(self.mu).add_(p.grad)), then "
            "step with the new v: p -= self.lr * (p.grad + self.mu * v)",
        )
    largest = max(_gap(a, b) for a, b in zip(mine, theirs, strict=True))
    passed(
        f"{num_steps} steps of Nesterov equal torch.optim.SGD(..., nesterov=True) "
        f"(largest difference {largest:.1e})"
    )


def _bowl(w: torch.Tensor) -> torch.Tensor:
    return 0.5 * (w[0] ** 2 + 50 * w[1] ** 2)


def _uncorrected_adam_path(start: torch.Tensor, lr: float, num_steps: int) -> list[torch.Tensor]:
    """Adam with no bias correction on the bowl, written out here as the reference."""
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    w = start.clone().requires_grad_()
    m, v = torch.zeros_like(w), torch.zeros_like(w)
    path = []
    for _ in range(num_steps):
        w.grad = None
        _bowl(w).backward()
        with torch.no_grad():
            m = beta1 * m + (1 - beta1) * w.grad
            v = beta2 * v + (1 - beta2) * w.grad**2
            w -= lr * m / (v.sqrt() + eps)
        path.append(w.detach().clone())
    return path


def check_adam_uncorrected(adam_uncorrected_class: Any, first_step_ratio: Any) -> None:
    """Check Adam without bias correction, and the size of its first step.

    The class is built as ``adam_uncorrected_class([w], lr=0.1)`` on the bowl
    ``(w1**2 + 50 * w2**2) / 2`` from ``(-4, 1)``. Its first step must be
    ``lr * (1 - beta1) / sqrt(1 - beta2)`` in each coordinate, and its next
    steps must follow the same formulas without the divisions by
    ``1 - beta**t``.

    Args:
        adam_uncorrected_class: The reader's optimiser class (a subclass of the
            chapter's ``Adam``).
        first_step_ratio: The reader's number: the first step without
            correction divided by the first step with it.

    Raises:
        CheckFailed: When the class still corrects (or half corrects) the
            averages, or the ratio is not about 3.16.
    """
    adam_uncorrected_class = _optimizer_class("AdamUncorrected", adam_uncorrected_class)
    lr, num_steps = 0.1, 10
    start = torch.tensor([-4.0, 1.0])
    expected_ratio = (1 - 0.9) / math.sqrt(1 - 0.999)

    def _follow(make):
        w = start.clone().requires_grad_()
        optimizer = make([w])
        path = []
        for _ in range(num_steps):
            optimizer.zero_grad()
            _bowl(w).backward()
            try:
                optimizer.step()
            except RuntimeError as error:
                if "leaf Variable" in str(error):
                    raise CheckFailed(
                        "AdamUncorrected.step() changed a weight while autograd was recording",
                        _NO_GRAD_HINT,
                    ) from None
                raise
            path.append(w.detach().clone())
        return path

    path = _follow(lambda params: adam_uncorrected_class(params, lr=lr))
    first = (path[0] - start).abs()
    check(
        bool((first > 0).any()),
        "AdamUncorrected.step() left the weights unchanged: the exercise is not done yet",
        "replace the ... in step() with Adam's update, minus the two divisions by 1 - beta**t",
    )
    sizes = ", ".join(f"{size:.4g}" for size in first.tolist())
    for wrong, what in [
        (lr, "with both corrections: that is Adam itself, whose first step is exactly lr"),
        (lr * (1 - 0.9), "with v corrected and m not"),
        (lr / math.sqrt(1 - 0.999), "with m corrected and v not"),
    ]:
        check(
            not torch.allclose(first, torch.full_like(first, wrong), rtol=1e-3),
            f"your first step is {sizes} in each coordinate, the size {what}",
            "remove both divisions: p -= self.lr * m / (v.sqrt() + self.eps)",
        )
    reference = _uncorrected_adam_path(start, lr, num_steps)
    for step, (a, b) in enumerate(zip(path, reference, strict=True), start=1):
        check(
            torch.allclose(a, b, rtol=1e-5, atol=1e-6),
            f"after step {step} your weights are {a.numpy().round(4)}, expected "
            f"{b.numpy().round(4)}",
            "keep Adam's moving averages as they are (m.mul_(beta1).add_((1 - beta1) * g), "
            "the same for v with g**2); only the divisions by 1 - beta**t go",
        )
    given("first_step_ratio", first_step_ratio)
    try:
        ratio = float(first_step_ratio)
    except (TypeError, ValueError):
        raise CheckFailed(
            f"first_step_ratio should be a number, got {type(first_step_ratio).__name__}"
        ) from None
    check(
        not math.isclose(ratio, 1 / expected_ratio, rel_tol=1e-3),
        f"first_step_ratio is {ratio:.4g}: that is corrected / uncorrected",
        "divide the uncorrected first step by the corrected one, which is lr",
    )
    check(
        math.isclose(ratio, expected_ratio, rel_tol=1e-3),
        f"first_step_ratio: expected about {expected_ratio:.4f}, got {ratio:.4g}",
        "after one step m = (1 - beta1) * g and v = (1 - beta2) * g**2; without the "
        "correction the step is lr * m / sqrt(v); with it, exactly lr",
    )
    passed(
        f"without bias correction the first step is {first[0].item():.4f} = "
        f"{expected_ratio:.2f} x lr, and {num_steps} steps follow the uncorrected formulas"
    )


def check_warmup_cosine(warmup_cosine: Any, warmup_steps: int, total_steps: int) -> None:
    """Check a ``LambdaLR`` factor against ``SequentialLR(LinearLR, CosineAnnealingLR)``.

    The reference is the chapter's schedule: ``LinearLR(start_factor=0.1,
    total_iters=warmup_steps)`` then ``CosineAnnealingLR(T_max=total_steps -
    warmup_steps)``, chained at ``warmup_steps``, with its rates recorded from
    the real schedulers by :func:`practical_dl.optim.lr_schedule`.

    Args:
        warmup_cosine: The reader's function of the step number (0, 1, ...)
            returning the factor that multiplies the peak rate.
        warmup_steps: Steps of linear warm-up (``batches_per_epoch`` on the page).
        total_steps: Steps of the whole schedule.

    Raises:
        CheckFailed: When the function returns nothing, not a number, or a
            factor that differs from the schedulers' at some step.
        TypeError: If ``warmup_steps`` or ``total_steps`` is not an int.
        ValueError: If they are not positive, or warm-up is not shorter than the run.
    """
    warmup_steps = _checks.positive_int("warmup_steps", warmup_steps)
    total_steps = _checks.positive_int("total_steps", total_steps)
    if warmup_steps >= total_steps:
        raise _checks.bad("warmup_steps", f"be less than total_steps ({total_steps})", warmup_steps)
    from torch.optim import lr_scheduler

    from practical_dl.optim import lr_schedule

    warmup_cosine = check_callable("warmup_cosine", warmup_cosine)
    reference = lr_schedule(
        lambda opt: lr_scheduler.SequentialLR(
            opt,
            [
                lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=warmup_steps),
                lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps - warmup_steps),
            ],
            milestones=[warmup_steps],
        ),
        total_steps,
        lr=1.0,
    )
    for step, expected in enumerate(reference):
        value = given(f"warmup_cosine({step})", warmup_cosine(step))
        try:
            factor = float(value)
        except (TypeError, ValueError):
            raise CheckFailed(
                f"warmup_cosine({step}) should return a number, got {type(value).__name__}"
            ) from None
        if step < warmup_steps:
            hint = (
                f"during warm-up (steps 0 to {warmup_steps - 1}) the factor grows linearly "
                f"from 0.1 at step 0 towards 1 at step {warmup_steps}: "
                f"0.1 + 0.9 * step / {warmup_steps}"
            )
        else:
            hint = (
                f"after warm-up, progress = (step - {warmup_steps}) / "
                f"{total_steps - warmup_steps} goes from 0 to 1, and the factor is "
                "0.5 * (1 + cos(pi * progress))"
            )
        check(
            math.isclose(factor, expected, rel_tol=1e-6, abs_tol=1e-9),
            f"warmup_cosine({step}) is {factor:.6g}, the SequentialLR schedule gives "
            f"{expected:.6g}",
            hint,
        )
    passed(
        f"LambdaLR with warmup_cosine sets the same rate as SequentialLR at all {total_steps} steps"
    )


def _leave_alone(parameters: Any) -> None:
    """A 'clip' that changes nothing."""


def _reverse(parameters: Any) -> None:
    """A 'clip' that turns every gradient round."""
    for p in parameters:
        p.grad.neg_()


def _clip_by_norm(parameters: Any) -> None:
    nn.utils.clip_grad_norm_(parameters, max_norm=0.01)


def _clip_by_value(parameters: Any) -> None:
    nn.utils.clip_grad_value_(parameters, clip_value=0.001)


def check_clipped_direction(clipped_direction: Any, keeps_direction: Any) -> None:
    """Check a function that measures how clipping turns a gradient, and the conclusion.

    ``clipped_direction(clip)`` must return the cosine similarity between a
    network's gradient before and after ``clip(model.parameters())``. The
    check feeds it four "clips": one that does nothing (1 expected), one that
    reverses every gradient (-1), ``clip_grad_norm_(max_norm=0.01)`` (1: the
    direction is kept) and ``clip_grad_value_(clip_value=0.001)`` (well below 1).

    Args:
        clipped_direction: The reader's function.
        keeps_direction: The reader's answer, ``"norm"`` or ``"value"``: which
            kind of clipping keeps the gradient's direction.

    Raises:
        CheckFailed: When the function returns nothing, not a number, or the
            wrong similarity for one of the clips, or the answer is not "norm".
    """
    clipped_direction = check_callable("clipped_direction", clipped_direction)

    def _similarity(clip: Callable[[Any], None], what: str) -> float:
        value = given("clipped_direction(clip)", clipped_direction(clip))
        try:
            return float(value)
        except (TypeError, ValueError):
            raise CheckFailed(
                f"clipped_direction should return a number, got {type(value).__name__}",
                "return the cosine similarity as a Python float: .item()",
            ) from None

    unchanged = _similarity(_leave_alone, "a clip that changes nothing")
    check(
        math.isclose(unchanged, 1.0, abs_tol=1e-4),
        f"with a clip that changes nothing, clipped_direction returned {unchanged:.4g}, "
        "not 1 (a gradient points exactly the way it points)",
        "join every parameter's gradient into one vector with torch.cat, before and after "
        "clip(model.parameters()), and compare them with "
        "torch.nn.functional.cosine_similarity(before, after, dim=0)",
    )
    reversed_ = _similarity(_reverse, "a clip that reverses every gradient")
    check(
        math.isclose(reversed_, -1.0, abs_tol=1e-4),
        f"with a clip that reverses every gradient, clipped_direction returned "
        f"{reversed_:.4g}, not -1",
        "clip changes .grad in place: take the 'before' vector (torch.cat makes a copy) "
        "before calling clip, and the 'after' vector once it has run",
    )
    by_norm = _similarity(_clip_by_norm, "clip_grad_norm_")
    by_value = _similarity(_clip_by_value, "clip_grad_value_")
    check(
        by_norm > 0.9999,
        f"clipped_direction returned {by_norm:.4f} for clip_grad_norm_, expected 1",
        "clip_grad_norm_ multiplies every gradient by the same factor: pass "
        "model.parameters() to clip and compare all the gradients, joined into one vector",
    )
    check(
        by_value < 0.99,
        f"clipped_direction returned {by_value:.4f} for clip_grad_value_(clip_value=0.001), "
        "expected a similarity well below 1",
        "use the gradient of a real loss on your model's data, where some entries are "
        "larger than 0.001 and others are not",
    )
    given("keeps_direction", keeps_direction)
    answer = str(keeps_direction).strip().lower()
    check(
        answer in {"norm", "value"},
        f'keeps_direction should be "norm" or "value", got {keeps_direction!r}',
    )
    check(
        answer == "norm",
        f'keeps_direction is "{answer}", but clipping by value turned the gradient: '
        f"cosine similarity {by_value:.4f}",
        "clip_grad_value_ caps each entry on its own, flattening the large ones; "
        "clip_grad_norm_ scales them all by the same factor",
    )
    passed(
        f"cosine similarity {by_norm:.4f} after clipping by norm, {by_value:.4f} after "
        "clipping by value: only clipping by norm keeps the direction"
    )
