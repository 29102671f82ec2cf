"""Checks for the exercises on linear regression: learning rates, intercepts, Adam, state dicts.

Introduced in chapter 4, "Linear regression, from NumPy to `nn.Module`".

Each check takes what you wrote (a function or a value) and tries it on data
of its own; it prints what it confirmed, or raises
:class:`~practical_dl.exercises.CheckFailed` saying what is wrong and where to
look.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from practical_dl.device import model_device
from practical_dl.exercises import call, check, check_callable, given, number, passed

__all__ = [
    "check_adam",
    "check_copy_model",
    "check_error_factor",
    "check_intercept_fit",
]


def check_error_factor(
    error_factor: Callable[[np.ndarray, float], Any], max_stable_lr: Any
) -> None:
    """Check ``error_factor(x, lr)`` and ``max_stable_lr`` for the model ``y_hat = w x``.

    One gradient-descent update on the mean squared error multiplies the error
    ``w - w_best`` by ``1 - lr * 2 / N * sum(x_i ** 2)``: ``error_factor`` must
    return that factor, and ``max_stable_lr`` is the largest learning rate for
    which the error still shrinks on ``x = 1, ..., 5``.

    Args:
        error_factor: The reader's function.
        max_stable_lr: The reader's number.

    Raises:
        CheckFailed: When the factor or the rate is wrong.
    """
    check_callable("error_factor", error_factor)
    for x, lr in (
        (np.arange(1.0, 6.0), 0.1),
        (np.arange(1.0, 6.0), 0.01),
        (np.array([1.0, 2.0]), 0.1),
    ):
        called = f"error_factor(np.array({x.tolist()}), {lr})"
        got = number(called, call(called, error_factor, x.copy(), lr))
        expected = 1 - lr * 2 * np.mean(x**2)
        hint = (
            "one update is w - lr * dL/dw with dL/dw = 2/N * sum(x_i * (w x_i - y_i)); "
            "write w = w_best + error and collect the terms in error"
        )
        if math.isclose(got, 1 - lr * 2 * np.sum(x**2)):
            hint = (
                "that sums x_i**2; the loss is a mean, so the gradient averages over the N points"
            )
        elif math.isclose(got, 1 - lr * np.mean(x**2)):
            hint = "the 2 from the derivative of the square is missing"
        check(
            math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9),
            f"{called} is {got:g}, expected {expected:g}",
            hint,
        )
    x = np.arange(1.0, 6.0)
    largest = 2 / (2 * np.mean(x**2))
    rate = number("max_stable_lr", max_stable_lr)
    check(
        math.isclose(rate, largest, rel_tol=0.02),
        f"max_stable_lr is {rate:g}, but the error "
        + ("still shrinks at a larger rate" if rate < largest else f"grows at {rate:g}"),
        "the error shrinks while the factor lies between -1 and 1: solve "
        "error_factor(x, lr) = -1 for lr",
    )
    passed(
        f"at lr = 0.1 every update multiplies the error by {1 - 0.1 * 2 * np.mean(x**2):.1f}, "
        f"and rates above {largest:.4f} diverge"
    )


def check_intercept_fit(
    intercept_gradient: Callable[[np.ndarray, np.ndarray, float, float], Any],
    fit_with_intercept: Callable[..., Any],
) -> None:
    """Check ``intercept_gradient(x, y, w, b)`` and ``fit_with_intercept(x, y, lr, num_epochs)``.

    ``intercept_gradient`` is ∂L/∂b for ``y_hat = w x + b`` and the mean squared
    error; ``fit_with_intercept`` runs gradient descent from ``w = b = 0`` and
    returns ``(w, b)``. The check fits ``y = 2x + 1`` and ``y = 3 - x`` on
    ``x = 1, ..., 5`` with ``lr=0.01`` and ``num_epochs=5000``.

    Args:
        intercept_gradient: The reader's ∂L/∂b.
        fit_with_intercept: The reader's fitting function.

    Raises:
        CheckFailed: When the gradient or a fitted line is wrong.
    """
    check_callable("intercept_gradient", intercept_gradient)
    check_callable("fit_with_intercept", fit_with_intercept)
    x = np.arange(1.0, 6.0)
    for w, b in ((0.0, 0.0), (1.5, -0.5)):
        y = 2 * x + 1
        called = f"intercept_gradient(x, y, w={w}, b={b})"
        got = number(called, call(called, intercept_gradient, x.copy(), y.copy(), w, b))
        error = w * x + b - y
        expected = np.mean(2 * error)
        hint = (
            "differentiate (w x_i + b - y_i)**2 with respect to b, then average over the N points"
        )
        if math.isclose(got, np.sum(2 * error)):
            hint = "that is N times too large: the loss is a mean, so average instead of summing"
        elif math.isclose(got, -expected):
            hint = "the sign is flipped: the derivative of (w x + b - y)**2 in b is 2 (w x + b - y)"
        check(
            math.isclose(got, expected, rel_tol=1e-6),
            f"{called} is {got:g}, expected {expected:g}",
            hint,
        )
    for w_true, b_true in ((2.0, 1.0), (-1.0, 3.0)):
        y = w_true * x + b_true
        called = f"fit_with_intercept(x, {w_true:g} * x + {b_true:g}, lr=0.01, num_epochs=5000)"
        fitted = call(called, fit_with_intercept, x.copy(), y.copy(), 0.01, 5000)
        given(called, fitted)
        check(
            isinstance(fitted, tuple | list) and len(fitted) == 2,
            f"{called} should return (w, b), got {type(fitted).__name__}",
            "end the function with: return w, b",
        )
        w_fit, b_fit = (number(called, value) for value in fitted)
        check(
            abs(w_fit - w_true) < 1e-3 and abs(b_fit - b_true) < 1e-3,
            f"{called} gives w = {w_fit:.4f}, b = {b_fit:.4f}, expected {w_true:g} and {b_true:g}",
            "start from w = b = 0, and in each epoch compute both gradients at the current "
            "(w, b) before updating either; use the lr and num_epochs arguments",
        )
    passed("dL/db = 2/N * sum(w x_i + b - y_i), and 5000 epochs find both lines to within 0.001")


def _twenty_points() -> tuple[torch.Tensor, torch.Tensor]:
    """The 20 noisy points of chapter 4's last section, as float32 columns."""
    from sklearn.datasets import make_regression

    X, y = make_regression(n_samples=20, n_features=1, noise=20, random_state=1)
    return torch.from_numpy(X.astype(np.float32)), torch.from_numpy(y.astype(np.float32)).view(
        -1, 1
    )


def check_adam(make_optimizer: Callable[[Iterator[nn.Parameter]], torch.optim.Optimizer]) -> None:
    """Check ``make_optimizer(parameters)``: Adam with a learning rate of 0.5, and what it reaches.

    The check builds a fresh ``nn.Linear(1, 1)`` (seeded), hands its
    parameters to ``make_optimizer``, trains it for 1000 full-batch epochs on
    the 20 noisy points of chapter 4's last section, and compares the line
    with the least-squares answer.

    Args:
        make_optimizer: The reader's function.

    Raises:
        CheckFailed: When it returns another optimiser or learning rate, or
            the trained line misses the least-squares line by 0.05 or more.
    """
    check_callable("make_optimizer", make_optimizer)
    X, y = _twenty_points()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = nn.Linear(1, 1)
        called = "make_optimizer(model.parameters())"
        optimizer = call(called, make_optimizer, model.parameters())
        given(called, optimizer)
        check(
            isinstance(optimizer, torch.optim.Adam),
            f"{called} is a {type(optimizer).__name__}, not torch.optim.Adam",
            "return torch.optim.Adam(parameters, lr=0.5)",
        )
        lr = optimizer.param_groups[0]["lr"]
        check(lr == 0.5, f"the learning rate is {lr}, expected 0.5", "pass lr=0.5 to Adam")
        covered = {id(p) for group in optimizer.param_groups for p in group["params"]}
        check(
            covered == {id(p) for p in model.parameters()},
            "the optimiser does not update exactly the model's parameters",
            "hand Adam the parameters that make_optimizer receives",
        )
        criterion = nn.MSELoss()
        for _ in range(1000):
            optimizer.zero_grad()
            loss = criterion(model(X), y)
            loss.backward()
            optimizer.step()
    design = np.column_stack([np.ones(len(X)), X[:, 0].double().numpy()])
    (intercept, slope), *_ = np.linalg.lstsq(design, y[:, 0].double().numpy(), rcond=None)
    got_slope, got_intercept = model.weight.item(), model.bias.item()
    check(
        abs(got_slope - slope) < 0.05 and abs(got_intercept - intercept) < 0.05,
        f"after 1000 epochs the line has slope {got_slope:.3f} and intercept {got_intercept:.3f}; "
        f"least squares gives {slope:.3f} and {intercept:.3f}",
        "use torch.optim.Adam with lr=0.5, unchanged otherwise",
    )
    passed(
        f"Adam with lr=0.5 reaches slope {got_slope:.3f} and intercept {got_intercept:.3f}, "
        "within 0.05 of scikit-learn's"
    )


def check_copy_model(copy_model: Callable[[nn.Module], nn.Module], model: nn.Module) -> None:
    """Check ``copy_model(model)``: a new model with the same numbers in its own memory.

    Args:
        copy_model: The reader's function.
        model: The trained model to copy.

    Raises:
        CheckFailed: When the copy is the model itself, shares its tensors, or
            predicts something else.
    """
    check_callable("copy_model", copy_model)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    load = "make a fresh model of the same class and call fresh.load_state_dict(model.state_dict())"
    called = "copy_model(model)"
    fresh = call(called, copy_model, model, hint=load)
    given(called, fresh)
    check(
        isinstance(fresh, nn.Module),
        f"{called} should be a model, got {type(fresh).__name__}",
        load,
    )
    check(fresh is not model, f"{called} is model itself, not a copy", load)
    ours, theirs = model.state_dict(), fresh.state_dict()
    check(
        list(theirs) == list(ours),
        f"the copy has the tensors {list(theirs)}, the model {list(ours)}",
        "build the fresh model with the same class and sizes as the original",
    )
    for name, tensor in ours.items():
        check(
            torch.equal(theirs[name].to(tensor.device), tensor),
            f"the copy's {name} differs from the model's",
            load,
        )
        check(
            theirs[name].untyped_storage().data_ptr() != tensor.untyped_storage().data_ptr(),
            f"the copy's {name} is the model's own tensor: training one would change the other",
            "load_state_dict copies the numbers into the fresh model's own tensors",
        )
    device = model_device(model)
    inputs = torch.linspace(-2, 2, 5, device=device).view(-1, 1)
    with torch.no_grad():
        same = torch.equal(fresh.to(device)(inputs), model(inputs))
    check(same, "the copy predicts something else than the model", load)
    passed(
        "the copy is a new model with the same parameters, in its own memory, and predicts the same"
    )
