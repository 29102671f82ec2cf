"""Checks for the exercises on hidden layers, parameter counts and activation functions.

Introduced in chapter 6, "Going non-linear".

Each check takes what you wrote (a function, a model or a value) and tests
it; it prints what it confirmed, or raises
:class:`~practical_dl.exercises.CheckFailed` saying what is wrong and where to look.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import torch
from torch import nn

from practical_dl.device import model_device
from practical_dl.exercises import call, check, check_callable, given, number, passed

__all__ = [
    "check_collapse",
    "check_count_parameters",
    "check_relu_network",
    "check_slopes",
]


def _widths(model: nn.Module) -> list[int]:
    """Layer widths, input included, read from the model's nn.Linear layers in order."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return [linears[0].in_features] + [m.out_features for m in linears] if linears else []


def check_relu_network(relu_net: Any, X: torch.Tensor, y: torch.Tensor, sigmoid_mse: float) -> None:
    """Check a trained 1-20-20-1 ReLU network: its layers, and an error below the sigmoid's.

    Args:
        relu_net: The reader's trained network.
        X: The inputs, shape ``(n, 1)``.
        y: The targets, shape ``(n,)``.
        sigmoid_mse: The error of the sigmoid 1-20-20-1 network after the same budget.

    Raises:
        CheckFailed: When the network has other layers or activations, or has
            not beaten the sigmoid network.
    """
    given("relu_net", relu_net)
    check(
        isinstance(relu_net, nn.Module),
        f"relu_net should be a network (an nn.Module), got {type(relu_net).__name__}",
        "relu_net = DeepRegressor([1, 20, 20, 1], activation=nn.ReLU).to(device)",
    )
    widths = _widths(relu_net)
    check(
        widths == [1, 20, 20, 1],
        f"relu_net has layer widths {widths}, expected [1, 20, 20, 1]",
        "DeepRegressor([1, 20, 20, 1], activation=nn.ReLU)",
    )
    kinds = {type(m).__name__ for m in relu_net.modules() if not list(m.children())}
    check(
        "ReLU" in kinds and "Sigmoid" not in kinds,
        f"relu_net's activations are not ReLU (its layers: {sorted(kinds)})",
        "pass the class, activation=nn.ReLU, and DeepRegressor puts one after each hidden layer",
    )
    device = model_device(relu_net)
    with torch.no_grad():
        mse = ((relu_net(X.to(device)).squeeze(1) - y.to(device)) ** 2).mean().item()
    check(
        mse < sigmoid_mse,
        f"relu_net's MSE is {mse:.2f}, not below the sigmoid network's {sigmoid_mse:.2f}",
        "train it with the same budget: seed_everything(0), then fit(...) for 100 epochs of "
        "the same loader, with Adam at lr=0.03",
    )
    passed(f"1-20-20-1 with ReLU: MSE {mse:.2f}, below the sigmoid version's {sigmoid_mse:.2f}")


_SIZES = ([1, 3, 1], [1, 5, 3, 1], [30, 15, 1], [2, 20, 20, 4])


def check_count_parameters(count_parameters: Any) -> None:
    """Check ``count_parameters(sizes)`` against real fully connected networks.

    Args:
        count_parameters: The reader's function of a list of layer widths.

    Raises:
        CheckFailed: When a count differs from the number of weights and
            biases of the matching stack of ``nn.Linear`` layers.
    """
    check_callable("count_parameters", count_parameters)
    for sizes in _SIZES:
        with torch.random.fork_rng(devices=[]):  # the page's random numbers stay as they were
            layers = [nn.Linear(n_in, n_out) for n_in, n_out in pairwise(sizes)]
        expected = sum(p.numel() for layer in layers for p in layer.parameters())
        called = f"count_parameters({sizes})"
        got = given(called, call(called, count_parameters, list(sizes)))
        weights_only = sum(n_in * n_out for n_in, n_out in pairwise(sizes))
        hint = (
            "did you count each layer's biases? A layer of n_out units on n_in inputs has "
            "(n_in + 1) * n_out parameters"
            if got == weights_only
            else "add (n_in + 1) * n_out for each pair of neighbouring widths, as in "
            "zip(sizes[:-1], sizes[1:])"
        )
        check(got == expected, f"{called} returned {got}, expected {expected}", hint)
    passed(f"the counts match nn.Linear stacks for {', '.join(str(s) for s in _SIZES)}")


def check_collapse(collapse: Any, X: torch.Tensor) -> None:
    """Check ``collapse(stack)``: the one linear layer that two stacked linear layers amount to.

    ``collapse`` receives an ``nn.Sequential`` of two ``nn.Linear`` layers and
    returns ``(W, b)``, shaped like a single layer's ``weight`` and ``bias``,
    such that ``stack(X)`` equals ``X @ W.T + b``.

    Args:
        collapse: The reader's function.
        X: Inputs with one feature, shape ``(n, 1)``, to compare the two on.

    Raises:
        CheckFailed: When ``W`` or ``b`` has the wrong shape or value.
    """
    check_callable("collapse", collapse)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(6)
        stacks = [
            nn.Sequential(nn.Linear(1, 20), nn.Linear(20, 1)),
            nn.Sequential(nn.Linear(3, 5), nn.Linear(5, 2)),
        ]
        inputs = [X.detach().cpu().float(), torch.randn(10, 3)]
    for stack, x in zip(stacks, inputs, strict=True):
        first, second = stack
        shape = f"nn.Linear({first.in_features}, {first.out_features}) then " + (
            f"nn.Linear({second.in_features}, {second.out_features})"
        )
        result = given(f"collapse({shape})", call("collapse(stack)", collapse, stack))
        check(
            isinstance(result, tuple | list) and len(result) == 2,
            f"collapse should return two tensors (W, b), got {type(result).__name__}",
            "end the function with: return W, b",
        )
        W, b = (torch.as_tensor(t).detach() for t in result)
        with torch.no_grad():
            W_true = second.weight @ first.weight
            b_true = second.weight @ first.bias + second.bias
            expected = stack(x)
        check(
            tuple(W.shape) == tuple(W_true.shape),
            f"for {shape}, W has shape {tuple(W.shape)}, expected {tuple(W_true.shape)}",
            "W = B @ A, with A and B the two layers' weights, (out, in) like any weight",
        )
        check(
            tuple(b.shape) == tuple(b_true.shape),
            f"for {shape}, b has shape {tuple(b.shape)}, expected {tuple(b_true.shape)}",
            "b is 1-D, one value per output, like any layer's bias",
        )
        check(
            torch.allclose(W, W_true, atol=1e-5),
            f"for {shape}, W is not the product of the two layers' weights",
            "B(Ax + a) + b = (BA)x + (Ba + b): W = B @ A (second layer's weight on the left)",
        )
        check(
            torch.allclose(b, b_true, atol=1e-5),
            f"for {shape}, W is right but b is not",
            "the first layer's bias goes through the second layer too: b = B @ a + b2",
        )
        check(
            torch.allclose(x @ W.T + b, expected, atol=1e-5),
            f"for {shape}, X @ W.T + b differs from stack(X)",
            "W = B @ A and b = B @ a + b2",
        )
    passed("two stacked linear layers are one linear layer: W = B A, b = B a + b2")


def _autograd_slope(activation: Callable[[torch.Tensor], torch.Tensor], z: torch.Tensor):
    z = z.clone().requires_grad_(True)
    (slope,) = torch.autograd.grad(activation(z).sum(), z)
    return slope


def check_slopes(sigmoid_slope: Any, tanh_slope: Any, flat_from: Any) -> None:
    """Check the sigmoid's and tanh's derivatives written from their own values, and a threshold.

    The two functions are compared with autograd's derivatives on
    ``torch.linspace(-6, 6, 241)``; ``flat_from`` is the smallest ``|z|`` on
    that grid where the sigmoid's slope is below 0.01.

    Args:
        sigmoid_slope: The reader's ``sigmoid_slope(z)``.
        tanh_slope: The reader's ``tanh_slope(z)``.
        flat_from: The reader's threshold.

    Raises:
        CheckFailed: When a derivative differs from autograd's, or the
            threshold is off by more than one grid step.
    """
    grid = torch.linspace(-6, 6, 241)
    cases = (
        ("sigmoid_slope", sigmoid_slope, torch.sigmoid, "σ'(z) = σ(z) (1 - σ(z))", 1e-7),
        ("tanh_slope", tanh_slope, torch.tanh, "tanh'(z) = 1 - tanh(z) ** 2", 1e-6),
    )
    for name, function, activation, identity, atol in cases:
        check_callable(name, function)
        got = given(f"{name}(z)", call(f"{name}(z)", function, grid.clone()))
        check(
            isinstance(got, torch.Tensor) and got.shape == grid.shape,
            f"{name}(z) should return a tensor shaped like z, got "
            f"{tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__}",
            f"compute it element-wise: {identity}",
        )
        expected = _autograd_slope(activation, grid)
        gap = (got.detach() - expected).abs()
        worst = int(gap.argmax())
        check(
            torch.allclose(got.detach(), expected, atol=atol),
            f"{name}(z) differs from autograd's derivative by {gap[worst]:.3g} at "
            f"z = {grid[worst]:.2f} ({got[worst]:.4g} instead of {expected[worst]:.4g})",
            f"{identity}: compute the activation first, then the slope from it",
        )
    slopes = _autograd_slope(torch.sigmoid, grid)
    expected_flat = grid[slopes < 0.01].abs().min().item()
    value = number("flat_from", flat_from)
    check(
        math.isclose(value, expected_flat, abs_tol=0.05 + 1e-6),
        f"flat_from is {value:.2f}, expected about {expected_flat:.2f}",
        "keep the grid points where the slope is below 0.01, grid[slope < 0.01], and take "
        "the smallest of their absolute values",
    )
    passed(
        "both identities match autograd on [-6, 6]; the sigmoid's slope is below 0.01 for "
        f"|z| > {expected_flat:.2f}"
    )
