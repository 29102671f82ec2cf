"""Configurable fully-connected classifiers, from a linear model to a deep MLP.

Introduced in chapter 10, "PyTorch Lightning". Chapter 11, "Experiment tracking and
sweeps with Weights & Biases", makes the number and width of the hidden layers
hyper-parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from torch import nn

from practical_dl import _checks as check

__all__ = ["hidden_sizes_for", "make_classifier"]


def make_classifier(
    n_features: int,
    hidden_sizes: Sequence[int] = (),
    *,
    n_outputs: int = 1,
    activation: Callable[[], nn.Module] = nn.ReLU,
    dropout: float = 0.0,
) -> nn.Sequential:
    """Build a fully-connected classifier that outputs logits.

    Each hidden layer is ``Linear -> activation`` (then ``Dropout`` when
    ``dropout > 0``); the last layer is a plain ``Linear`` with no activation, so
    pair the model with ``nn.BCEWithLogitsLoss`` (one output) or
    ``nn.CrossEntropyLoss`` (several). With no hidden layers the model is exactly
    one ``nn.Linear(n_features, n_outputs)``: logistic regression.

    Introduced in chapter 10, "PyTorch Lightning".

    Args:
        n_features: Number of input features (30 for the breast-cancer data).
        hidden_sizes: Width of each hidden layer, in order. ``()`` gives a
            linear model; ``(20, 10)`` gives 30 -> 20 -> 10 -> 1.
        n_outputs: Number of logits per sample.
        activation: A callable returning a fresh activation module, such as
            ``nn.ReLU`` or ``nn.Tanh``.
        dropout: Dropout probability after each hidden activation, in ``[0, 1)``.

    Returns:
        An ``nn.Sequential`` mapping ``(batch, n_features)`` to ``(batch, n_outputs)``.

    Raises:
        TypeError: If a size is not an int (``True`` and ``2.5`` are refused) or
            ``dropout`` is not a number.
        ValueError: If a size is below 1 or ``dropout`` is outside ``[0, 1)``.
    """
    n_features = check.positive_int("n_features", n_features)
    n_outputs = check.positive_int("n_outputs", n_outputs)
    sizes = check.positive_ints("hidden_sizes", hidden_sizes)
    dropout = check.probability("dropout", dropout, include_one=False)

    layers: list[nn.Module] = []
    width_in = n_features
    for width in sizes:
        layers += [nn.Linear(width_in, width), activation()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width_in = width
    layers.append(nn.Linear(width_in, n_outputs))  # logits: no activation here
    return nn.Sequential(*layers)


def hidden_sizes_for(hidden_layers: int, hidden_neurons: int) -> tuple[int, ...]:
    """Turn a sweep's ``hidden_layers`` and ``hidden_neurons`` into layer widths.

    Introduced in chapter 11, "Experiment tracking and sweeps with Weights & Biases".

    Args:
        hidden_layers: Number of hidden layers; 0 means a linear model.
        hidden_neurons: Width of every hidden layer (ignored when there are none).

    Returns:
        A tuple of ``hidden_layers`` copies of ``hidden_neurons``.

    Raises:
        TypeError: If either argument is not an int.
        ValueError: If ``hidden_layers`` is negative or ``hidden_neurons`` is not positive.
    """
    hidden_layers = check.non_negative_int("hidden_layers", hidden_layers)
    hidden_neurons = check.positive_int("hidden_neurons", hidden_neurons)
    return (hidden_neurons,) * hidden_layers
