"""Network diagrams drawn from the model itself, so a picture cannot disagree with the code.

Introduced in chapter 5, "Mini-batches and training loops".

The layer sizes are read from the model's ``nn.Linear`` layers, in the order a
forward pass actually calls them (recorded with forward hooks on one dummy
input), together with the activation modules each layer's output goes through.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from torch import nn

from practical_dl import _checks as check
from practical_dl.device import model_device

__all__ = ["LayerInfo", "describe_layers", "layer_sizes", "plot_network"]


@dataclass(frozen=True)
class LayerInfo:
    """One column of a network diagram.

    Introduced in chapter 6, "Going non-linear".

    Attributes:
        size: Number of nodes (features) in this column.
        role: ``"input"``, ``"hidden"`` or ``"output"``.
        activations: Names of the modules applied to this column after the
            linear layer that produced it, for example ``("ReLU",)``.
    """

    size: int
    role: str
    activations: tuple[str, ...] = ()


def describe_layers(model: nn.Module, input_size: int | None = None) -> list[LayerInfo]:
    """List a fully connected network's columns by running one forward pass.

    Introduced in chapter 6, "Going non-linear".

    Activations written as modules (``nn.ReLU()``) are recorded; activations
    called as functions inside ``forward`` (``torch.relu(x)``) leave no trace a
    hook can see, so they do not appear.

    Args:
        model: A network whose ``nn.Linear`` layers are applied one after the other.
        input_size: Number of input features; ``None`` uses the ``in_features`` of
            the model's first registered ``nn.Linear``.

    Returns:
        One ``LayerInfo`` for the input and one for each linear layer, in call order.

    Raises:
        TypeError: If ``input_size`` is not an int.
        ValueError: If the model has no ``nn.Linear`` layer, is spread over
            several devices, cannot run on an input of ``input_size`` features,
            or applies a layer whose ``in_features`` does not match the previous
            layer's output.
    """
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise check.bad(
            "model", "have nn.Linear layers to draw", got=f"a {type(model).__name__} with none"
        )
    if input_size is None:
        input_size = linears[0].in_features
    input_size = check.positive_int("input_size", input_size)

    calls: list[nn.Module] = []
    leaves = [m for m in model.modules() if next(m.children(), None) is None]
    handles = [m.register_forward_hook(lambda mod, _in, _out: calls.append(mod)) for m in leaves]
    device = model_device(model)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(2, input_size, device=device))
    except RuntimeError as error:
        raise check.bad(
            "input_size",
            "be the number of features the model takes",
            got=f"{input_size}, and the model cannot run on it ({error})",
        ) from error
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)

    columns: list[tuple[int, list[str]]] = [(input_size, [])]
    for module in calls:
        if isinstance(module, nn.Linear):
            if module.in_features != columns[-1][0]:
                raise check.bad(
                    "model",
                    "be a plain stack of Linear layers to be drawn",
                    got=f"a {type(model).__name__} where a Linear layer expecting "
                    f"{module.in_features} inputs follows a column of {columns[-1][0]}",
                )
            columns.append((module.out_features, []))
        elif len(columns) > 1:  # a module applied to a linear layer's output
            columns[-1][1].append(type(module).__name__)
    if len(columns) == 1:
        raise check.bad(
            "model",
            "call its nn.Linear layers in forward()",
            got=f"a {type(model).__name__} whose forward() never did",
        )
    last = len(columns) - 1
    roles = ["input"] + ["hidden"] * (last - 1) + ["output"]
    return [
        LayerInfo(size=size, role=role, activations=tuple(names))
        for (size, names), role in zip(columns, roles, strict=True)
    ]


def layer_sizes(model: nn.Module, input_size: int | None = None) -> list[int]:
    """Return the number of nodes per column, input first, for example ``[1, 3, 1]``.

    Introduced in chapter 5, "Mini-batches and training loops".

    Args:
        model: A network whose ``nn.Linear`` layers are applied one after the other.
        input_size: Number of input features; ``None`` reads it from the first layer.

    Returns:
        The sizes of the input, every hidden layer and the output.

    Raises:
        ValueError: As ``describe_layers``.
    """
    return [layer.size for layer in describe_layers(model, input_size)]


def _node_positions(size: int, max_nodes: int) -> tuple[np.ndarray, float | None]:
    """Vertical positions of the nodes drawn for a column, and where the gap is, if any."""
    if size <= max_nodes:
        spread = min(1.0, (size - 1) / 6)
        return np.linspace(spread, -spread, size), None
    ys = np.linspace(1.0, -1.0, max_nodes + 1)
    gap = max_nodes // 2  # one slot in the middle is left for the dots
    return np.delete(ys, gap), float(ys[gap])


def plot_network(
    model: nn.Module,
    ax: Axes | None = None,
    title: str | None = None,
    input_size: int | None = None,
    max_nodes: int = 8,
) -> Axes:
    """Draw a fully connected network as columns of nodes joined by weights.

    Introduced in chapter 5, "Mini-batches and training loops".

    Each column is labelled with its role, its size and the activation applied
    to it; the title gives the sizes and the total parameter count, both read
    from ``model``.

    Args:
        model: A network whose ``nn.Linear`` layers are applied one after the other.
        ax: Axes to draw on; a new figure is made when ``None``.
        title: Title; ``None`` writes the sizes and the parameter count.
        input_size: Number of input features; ``None`` reads it from the first layer.
        max_nodes: Columns larger than this show this many nodes and a gap.

    Returns:
        The axes drawn on.

    Raises:
        TypeError: If ``max_nodes`` is not an int, or as ``describe_layers``.
        ValueError: If ``max_nodes`` is below 2, or as ``describe_layers``.
    """
    max_nodes = check.int_in_range("max_nodes", max_nodes, 2, expected="an int >= 2")
    layers = describe_layers(model, input_size)
    n_params = sum(p.numel() for p in model.parameters())
    sizes = " → ".join(str(layer.size) for layer in layers)
    if title is None:
        title = f"{sizes}  ({n_params} parameters)"
    if ax is None:
        width = 1.2 + 1.6 * len(layers)
        _, ax = plt.subplots(
            figsize=(width, 3.2),
            label=f"Network diagram of {type(model).__name__}: {sizes}, {n_params} parameters",
        )
    colours = {"input": "#56B4E9", "hidden": "#E69F00", "output": "#009E73"}
    positions = [_node_positions(layer.size, max_nodes) for layer in layers]
    for i in range(len(layers) - 1):
        for y0 in positions[i][0]:
            for y1 in positions[i + 1][0]:
                ax.plot([i, i + 1], [y0, y1], color="0.6", linewidth=0.6, alpha=0.6, zorder=1)
    hidden_index = 0
    for i, (layer, (ys, gap)) in enumerate(zip(layers, positions, strict=True)):
        ax.scatter(
            np.full(len(ys), i),
            ys,
            s=150,
            color=colours[layer.role],
            edgecolor="black",
            linewidth=0.8,
            zorder=2,
        )
        if gap is not None:
            ax.text(i, gap, "⋮", ha="center", va="center", fontsize=14, zorder=3)
        if layer.role == "hidden":
            hidden_index += 1
            name = f"hidden {hidden_index}"
        else:
            name = layer.role
        label = f"{name}\n{layer.size}"
        if layer.activations:
            label += "\n" + ", ".join(layer.activations)
        ax.text(i, -1.3, label, ha="center", va="top", fontsize=9)
    ax.set_xlim(-0.5, len(layers) - 0.5)
    ax.set_ylim(-2.1, 1.3)
    ax.set_title(title, fontsize=10)
    ax.axis("off")
    return ax
