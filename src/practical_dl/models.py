"""Configurable fully-connected classifiers, from a linear model to a deep MLP.

Introduced in the chapter "PyTorch Lightning"; the chapter "Experiment tracking and sweeps
with Weights & Biases" makes the number and width of the hidden layers hyper-parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from torch import nn

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

    Introduced in the chapter "PyTorch Lightning".

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
        ValueError: If a size is not a positive integer or ``dropout`` is out of range.
    """
    if isinstance(n_features, bool) or not isinstance(n_features, int) or n_features < 1:
        raise ValueError(f"make_classifier(n_features={n_features!r}): expected a positive integer")
    if isinstance(n_outputs, bool) or not isinstance(n_outputs, int) or n_outputs < 1:
        raise ValueError(f"make_classifier(n_outputs={n_outputs!r}): expected a positive integer")
    sizes = list(hidden_sizes)
    if any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(
            f"make_classifier(hidden_sizes={hidden_sizes!r}): expected positive integers"
        )
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"make_classifier(dropout={dropout!r}): expected a value in [0, 1)")

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

    Introduced in the chapter "Experiment tracking and sweeps with Weights & Biases".

    Args:
        hidden_layers: Number of hidden layers; 0 means a linear model.
        hidden_neurons: Width of every hidden layer (ignored when there are none).

    Returns:
        A tuple of ``hidden_layers`` copies of ``hidden_neurons``.

    Raises:
        ValueError: If ``hidden_layers`` is negative or ``hidden_neurons`` is not positive.
    """
    if isinstance(hidden_layers, bool) or not isinstance(hidden_layers, int) or hidden_layers < 0:
        raise ValueError(
            f"hidden_sizes_for(hidden_layers={hidden_layers!r}): expected an integer >= 0"
        )
    if (
        isinstance(hidden_neurons, bool)
        or not isinstance(hidden_neurons, int)
        or hidden_neurons < 1
    ):
        raise ValueError(
            f"hidden_sizes_for(hidden_neurons={hidden_neurons!r}): expected a positive integer"
        )
    return (hidden_neurons,) * hidden_layers
