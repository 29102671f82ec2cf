"""A gallery of activation functions with their derivatives, computed by autograd.

Introduced in chapter 6, "Going non-linear".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from torch import nn

from practical_dl import _checks as check

__all__ = ["activation_name", "derivative", "plot_activations"]

Activation = nn.Module | Callable[[torch.Tensor], torch.Tensor]


def activation_name(activation: Activation) -> str:
    """Return a readable name: the class name of a module, else the function's name.

    Introduced in chapter 6, "Going non-linear".

    Args:
        activation: An activation module such as ``nn.ReLU()`` or a function
            such as ``torch.tanh``.

    Returns:
        For example ``"ReLU"`` or ``"tanh"``.
    """
    if isinstance(activation, nn.Module):
        return type(activation).__name__
    return getattr(activation, "__name__", type(activation).__name__)


def derivative(activation: Activation, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Evaluate an element-wise function and its derivative at every point of ``x``.

    Introduced in chapter 6, "Going non-linear".

    The derivative comes from autograd, not from a formula: ``f`` is applied to
    a copy of ``x`` that requires gradients, and since each output element
    depends only on its own input, the gradient of ``f(x).sum()`` holds
    ``f'(x_i)`` at position ``i``.

    Args:
        activation: An element-wise module or function, for example ``nn.Tanh()``.
        x: A 1-D floating-point tensor of points.

    Returns:
        ``(f(x), f'(x))``, two detached tensors shaped like ``x``.

    Raises:
        TypeError: If ``x`` is not a tensor, or ``activation`` is a class
            instead of an instance.
        ValueError: If ``x`` is not 1-D floating-point, or the function changes
            the shape of its input.
    """
    if isinstance(activation, type):
        raise check.bad(
            "activation",
            f"be an instance, for example {activation.__name__}()",
            got=f"the class {activation.__name__}",
            error=TypeError,
        )
    expected = "be a 1-D floating-point tensor"
    if not isinstance(x, torch.Tensor):
        raise check.bad("x", expected, x, error=TypeError)
    if x.ndim != 1 or not x.is_floating_point():
        raise check.bad("x", expected, x)
    x = x.detach().clone().requires_grad_(True)
    y = activation(x)
    if y.shape != x.shape:
        raise check.bad(
            "activation",
            "be an element-wise function",
            got=f"{activation_name(activation)}, which maps shape {tuple(x.shape)} "
            f"to {tuple(y.shape)}",
        )
    (grad,) = torch.autograd.grad(y.sum(), x)
    return y.detach(), grad.detach()


def plot_activations(
    activations: Sequence[Activation],
    x: torch.Tensor | None = None,
    ncols: int = 3,
) -> Figure:
    """Draw each activation function and its autograd derivative in its own panel.

    Introduced in chapter 6, "Going non-linear".

    Args:
        activations: Instances such as ``[nn.Sigmoid(), nn.ReLU()]`` or
            element-wise functions such as ``torch.tanh``.
        x: 1-D points to evaluate at; ``torch.linspace(-6, 6, 241)`` when ``None``.
        ncols: Panels per row.

    Returns:
        The figure, labelled for alt text.

    Raises:
        TypeError: If ``ncols`` is not an int, ``x`` is not a tensor, or an
            activation is a class instead of an instance.
        ValueError: If ``activations`` is empty, ``ncols`` is below 1, or ``x`` is
            not 1-D floating-point.
    """
    if len(activations) == 0:
        raise check.bad("activations", "hold at least one activation", activations)
    ncols = check.positive_int("ncols", ncols)
    if x is None:
        x = torch.linspace(-6, 6, 241)
    ncols = min(ncols, len(activations))
    nrows = math.ceil(len(activations) / ncols)
    names = [activation_name(a) for a in activations]
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(3.4 * ncols, 2.8 * nrows),
        squeeze=False,
        sharex=True,
        label="Activation functions and their derivatives: " + ", ".join(names),
    )
    for ax, activation, name in zip(axes.flat, activations, names, strict=False):
        y, dy = derivative(activation, x)
        ax.axhline(0, color="0.8", linewidth=0.8)
        ax.axvline(0, color="0.8", linewidth=0.8)
        ax.plot(x, y, color="#0072B2", linewidth=2, label="f(x)")
        ax.plot(x, dy, color="#D55E00", linewidth=1.5, linestyle="--", label="f'(x)")
        ax.set_title(name)
        ax.set_xlabel("x")
    for ax in axes.flat[len(activations) :]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    return fig
