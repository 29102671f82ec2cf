"""Look inside a network while it runs: per-layer statistics, gradient norms, a first loss.

Introduced in chapter 14, "Initialisation, normalisation and debugging a run".

A *hook* is a function PyTorch calls for you at a fixed moment: a forward hook
on a module runs right after that module's ``forward`` and sees its output; a
hook on a tensor runs when the gradient with respect to that tensor has just
been computed during ``backward()``. The recorders here attach such hooks,
store a few numbers per layer (never whole tensors), and detach them again when
their ``with`` block ends or ``remove()`` is called, so the model is left
exactly as it was.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from practical_dl import _checks as check

__all__ = [
    "GradientNormRecorder",
    "LayerStatsRecorder",
    "expected_initial_loss",
    "gradient_norms",
    "init_linear_layers",
]

_SCHEMES = ("default", "normal", "xavier", "kaiming")
_NONLINEARITIES = ("relu", "leaky_relu", "tanh", "sigmoid", "selu", "linear")


def _check_model(func: str, model: Any) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise check.bad("model", f"be a torch.nn.Module in {func}", model, error=TypeError)
    return model


def expected_initial_loss(num_classes: int) -> float:
    """The cross-entropy loss of a model that knows nothing yet: ``ln(num_classes)``.

    A freshly initialised classifier whose logits are small gives every class
    about the same probability, ``1 / C``, so its cross-entropy is
    ``-ln(1 / C) = ln C`` on every sample. A first loss far above this value
    means the initial logits are too large (or the loss is wrong); it is the
    first check of a new training run.

    Introduced in chapter 14, "Initialisation, normalisation and debugging a run".

    Args:
        num_classes: The number of classes ``C``, at least 2. For a binary
            model with one logit and ``BCEWithLogitsLoss``, pass 2.

    Returns:
        ``math.log(num_classes)``, for example about 2.303 for 10 classes.

    Raises:
        TypeError: If ``num_classes`` is not an int.
        ValueError: If ``num_classes`` is below 2.
    """
    num_classes = check.int_in_range("num_classes", num_classes, 2, expected="an int >= 2")
    return math.log(num_classes)


def init_linear_layers(
    model: nn.Module,
    scheme: str,
    *,
    std: float | None = None,
    nonlinearity: str = "relu",
) -> nn.Module:
    """Re-initialise every ``nn.Linear`` layer of ``model`` in place.

    The schemes, with ``fan_in`` the number of inputs of a layer and
    ``fan_out`` its number of outputs:

    - ``"default"``: what ``nn.Linear`` does when it is built
      (``kaiming_uniform_`` with ``a=sqrt(5)``, that is weights and biases
      uniform in ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``).
    - ``"normal"``: weights from ``N(0, std**2)``; ``std`` is required.
    - ``"xavier"``: Glorot's normal initialisation, weight variance
      ``2 / (fan_in + fan_out)``, suited to tanh.
    - ``"kaiming"``: He's normal initialisation, weight variance
      ``gain**2 / fan_in`` for ``nonlinearity`` (``2 / fan_in`` for ReLU).

    Every scheme except ``"default"`` sets the biases to zero. Other layers
    (batch norm, for example) are left alone.

    Introduced in chapter 14, "Initialisation, normalisation and debugging a run".

    Args:
        model: The network; changed in place.
        scheme: One of ``"default"``, ``"normal"``, ``"xavier"``, ``"kaiming"``.
        std: Standard deviation of the weights, for ``"normal"`` only.
        nonlinearity: The activation that follows the layers, for ``"kaiming"``
            (``"relu"``, ``"tanh"``, ... as ``nn.init.calculate_gain`` knows them).

    Returns:
        The same ``model``, so that the call can be chained.

    Raises:
        TypeError: If ``model`` is not an ``nn.Module``.
        ValueError: If ``scheme`` is unknown, ``std`` is missing or given for the
            wrong scheme, or ``model`` holds no ``nn.Linear`` layer.
    """
    model = _check_model("init_linear_layers", model)
    scheme = check.one_of("scheme", scheme, _SCHEMES)
    nonlinearity = check.one_of("nonlinearity", nonlinearity, _NONLINEARITIES)
    if scheme == "normal":
        if std is None:
            raise check.bad("std", 'be given with scheme="normal"', got="None")
        std = check.positive_float("std", std)
    elif std is not None:
        raise check.bad("std", 'be None unless scheme="normal"', std)
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not layers:
        raise check.bad("model", "contain at least one nn.Linear layer", got="none")
    for layer in layers:
        if scheme == "default":
            layer.reset_parameters()
            continue
        if scheme == "normal":
            nn.init.normal_(layer.weight, mean=0.0, std=std)
        elif scheme == "xavier":
            nn.init.xavier_normal_(layer.weight)
        else:
            nn.init.kaiming_normal_(layer.weight, nonlinearity=nonlinearity)
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
    return model


class _Recorder:
    """Shared plumbing: keep hook handles, remove them once, work as a context manager."""

    def __init__(self) -> None:
        self._handles: list[RemovableHandle] = []

    def remove(self) -> None:
        """Detach every hook this recorder attached; what it recorded is kept."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    @property
    def attached(self) -> bool:
        """Whether the hooks are still attached."""
        return bool(self._handles)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


def _std_mean(tensor: torch.Tensor) -> tuple[float, float]:
    """Population standard deviation and mean of every element, as Python floats."""
    std, mean = torch.std_mean(tensor.detach().float(), correction=0)
    return std.item(), mean.item()


def _sample_std(tensor: torch.Tensor) -> float:
    """Standard deviation across the samples (dimension 0), averaged over everything else."""
    if tensor.ndim == 0:
        return math.nan
    return tensor.detach().float().std(dim=0, correction=0).mean().item()


class LayerStatsRecorder(_Recorder):
    """Record the mean and standard deviation of chosen layers' outputs and of their gradients.

    A forward hook on each chosen layer stores the mean and standard deviation
    of the layer's output, over all its elements, and the standard deviation
    across the samples of the batch alone (how much the output changes from
    one input to the next). When that output is part of a graph (it requires a
    gradient), the forward hook also puts a hook on the output tensor, which
    stores the mean and standard deviation of the gradient of the loss with
    respect to that output when ``backward()`` runs. Only the last call of each
    layer is kept: run one forward pass (and, for gradients, one backward pass)
    and read the table with `to_frame`.

    Introduced in chapter 14, "Initialisation, normalisation and debugging a run".

    Example:
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
        >>> with LayerStatsRecorder(model, nn.Tanh) as recorder:
        ...     model(torch.randn(16, 4)).sum().backward()
        >>> list(recorder.to_frame().columns)
        ['layer', 'mean', 'std', 'sample_std', 'grad_mean', 'grad_std']

    Args:
        model: The network to watch.
        layer_types: The module class (or tuple of classes) whose outputs to
            record, for example ``nn.Tanh`` to see the activations after each
            non-linearity, or ``nn.Linear`` for the pre-activations.

    Raises:
        TypeError: If ``model`` is not an ``nn.Module`` or ``layer_types`` is
            not a module class or a tuple of them.
        ValueError: If ``model`` holds no layer of those types.
    """

    def __init__(
        self,
        model: nn.Module,
        layer_types: type[nn.Module] | tuple[type[nn.Module], ...] = nn.Linear,
    ) -> None:
        super().__init__()
        model = _check_model("LayerStatsRecorder", model)
        types = layer_types if isinstance(layer_types, tuple) else (layer_types,)
        if not types or not all(isinstance(t, type) and issubclass(t, nn.Module) for t in types):
            raise check.bad(
                "layer_types",
                "be an nn.Module class or a tuple of them",
                layer_types,
                error=TypeError,
            )
        self._layers = [(name, m) for name, m in model.named_modules() if isinstance(m, types)]
        if not self._layers:
            names = ", ".join(t.__name__ for t in types)
            raise check.bad("model", f"contain a layer of type {names}", got="none")
        self._outputs: dict[str, tuple[float, float, float]] = {}
        self._grads: dict[str, tuple[float, float]] = {}
        for name, module in self._layers:
            self._handles.append(module.register_forward_hook(self._forward_hook(name)))

    def _forward_hook(self, name: str) -> Callable[..., None]:
        def hook(module: nn.Module, inputs: Any, output: Any) -> None:
            if not isinstance(output, torch.Tensor):
                return
            self._outputs[name] = (*_std_mean(output), _sample_std(output))
            self._grads.pop(name, None)  # a new forward pass: an old gradient no longer belongs
            if output.requires_grad:

                def grad_hook(grad: torch.Tensor) -> None:
                    self._grads[name] = _std_mean(grad)

                output.register_hook(grad_hook)

        return hook

    def to_frame(self) -> pd.DataFrame:
        """Return one row per chosen layer, in the model's order.

        Returns:
            A DataFrame indexed by the layer's name in ``model.named_modules()``
            with the columns ``layer`` (its class name); ``mean`` and ``std``
            of its last output over all elements; ``sample_std``, the standard
            deviation across the samples (dimension 0) averaged over the
            other dimensions, which is near 0 when every input gives almost the
            same output; and ``grad_mean`` and ``grad_std`` of the gradient with
            respect to that output (NaN where no backward pass reached it, or
            the layer did not run).
        """
        nan = math.nan
        rows = []
        for name, module in self._layers:
            std, mean, sample_std = self._outputs.get(name, (nan, nan, nan))
            grad_std, grad_mean = self._grads.get(name, (nan, nan))
            rows.append(
                {
                    "name": name,
                    "layer": type(module).__name__,
                    "mean": mean,
                    "std": std,
                    "sample_std": sample_std,
                    "grad_mean": grad_mean,
                    "grad_std": grad_std,
                }
            )
        return pd.DataFrame(rows).set_index("name")


class GradientNormRecorder(_Recorder):
    """Record the norm of each weight's gradient at every backward pass.

    A hook on each parameter tensor runs whenever ``backward()`` computes that
    parameter's gradient, and stores its L2 norm (the square root of the sum of
    its squared entries). One row per backward pass, one column per parameter,
    shows at a glance a layer whose gradient vanishes, explodes, is missing, or
    turns into ``nan`` at a given step. The hook sees the gradient of this
    backward pass alone, before it is added to ``.grad``.

    Introduced in chapter 14, "Initialisation, normalisation and debugging a run".

    Args:
        model: The network to watch.
        weights_only: Record only weight matrices (parameters with two or more
            dimensions); ``False`` also records biases and normalisation scales.

    Raises:
        TypeError: If ``model`` is not an ``nn.Module``.
        ValueError: If ``model`` has no trainable parameter to record.
    """

    def __init__(self, model: nn.Module, *, weights_only: bool = True) -> None:
        super().__init__()
        model = _check_model("GradientNormRecorder", model)
        params = [
            (name, p)
            for name, p in model.named_parameters()
            if p.requires_grad and (p.ndim >= 2 or not weights_only)
        ]
        if not params:
            raise check.bad("model", "have a trainable parameter to record", got="none")
        self._norms: dict[str, list[torch.Tensor]] = {name: [] for name, _ in params}
        for name, p in params:
            self._handles.append(p.register_hook(self._hook(name)))

    def _hook(self, name: str) -> Callable[[torch.Tensor], None]:
        def hook(grad: torch.Tensor) -> None:
            # Keep a tensor: calling .item() here would wait for the GPU at every layer.
            self._norms[name].append(torch.linalg.vector_norm(grad.detach().float()))

        return hook

    def to_frame(self) -> pd.DataFrame:
        """Return the recorded norms, one row per backward pass.

        Returns:
            A DataFrame indexed by ``step`` (0 for the first backward pass) with
            one column per recorded parameter, named as in
            ``model.named_parameters()``. A parameter that a backward pass did
            not reach has NaN in that row.
        """
        columns = {
            name: pd.Series([norm.item() for norm in norms], dtype=float)
            for name, norms in self._norms.items()
        }
        frame = pd.DataFrame(columns)
        frame.index.name = "step"
        return frame


def gradient_norms(model: nn.Module) -> pd.Series:
    """The L2 norm of every parameter's ``.grad``, read after a backward pass.

    Introduced in chapter 14, "Initialisation, normalisation and debugging a run".

    Args:
        model: The network, after ``loss.backward()``.

    Returns:
        A Series indexed by parameter name; NaN for a parameter whose ``.grad``
        is ``None`` (it received no gradient, or it is frozen).

    Raises:
        TypeError: If ``model`` is not an ``nn.Module``.
        ValueError: If ``model`` has no parameters.
    """
    model = _check_model("gradient_norms", model)
    norms = {
        name: math.nan if p.grad is None else torch.linalg.vector_norm(p.grad.float()).item()
        for name, p in model.named_parameters()
    }
    if not norms:
        raise check.bad("model", "have parameters", got="none")
    return pd.Series(norms, name="grad_norm", dtype=float)
