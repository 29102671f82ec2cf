"""Checks for the exercises on initialisation, normalisation and debugging a run.

Introduced in chapter 14, "Initialisation, normalisation and debugging a run".

Each check calls what the reader wrote (a function, a few answers) and tests
it against PyTorch itself or against numbers the chapter already measured
(the per-layer statistics of section 3). Where a check needs a model or data
of its own, it builds them from a local random generator, so it never
depends on, or changes, the page's variables or random state.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from practical_dl.exercises import (
    CheckFailed,
    call,
    check,
    check_callable,
    given,
    number,
    passed,
)

__all__ = [
    "check_binary_step_0",
    "check_no_zero_grad",
    "check_small_batches",
    "check_thirty_layers",
]

_ACTIVATIONS = ("tanh", "relu")
_INITS = ("default", "Xavier", "Kaiming")


def _close(a: float, b: float, rel: float = 1e-3) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def check_thirty_layers(
    last_sample_std: Callable[[str, str, int], Any], above_0_1: Any, stats: Mapping
) -> None:
    """Check ``last_sample_std(act, init, depth)`` and the set of setups that stay above 0.1.

    The function must rebuild the chapter's network from seed 0 and return the
    ``sample_std`` of its last hidden layer. At depth 10 it must reproduce
    the chapter's own ``stats``; at depth 30 it is called for the six
    (activation, initialisation) pairs, and ``above_0_1`` must hold exactly
    those whose value is above 0.1.

    Args:
        last_sample_std: The reader's function.
        above_0_1: The reader's set of ``(activation, init)`` pairs, e.g.
            ``{("tanh", "Kaiming")}``.
        stats: The chapter's per-layer statistics of the 10-layer networks,
            keyed by ``(activation, init)``, each a frame with a
            ``sample_std`` column.

    Raises:
        TypeError: When ``stats`` is not the chapter's mapping of frames.
        CheckFailed: When the function is missing, disagrees with the
            chapter at depth 10, ignores ``depth``, or when ``above_0_1`` is
            not the right set.
    """
    if not isinstance(stats, Mapping) or ("tanh", "Kaiming") not in stats:
        raise TypeError("stats must be the chapter's dict of frames keyed by (activation, init)")
    last_sample_std = check_callable("last_sample_std", last_sample_std)
    build_hint = (
        "inside the function: seed_everything(0), deep_mlp(activations[act], depth=depth), "
        "init_linear_layers(net, nonlinearity=act, **inits[init]), one forward pass over "
        "data.X_train inside LayerStatsRecorder(net, activations[act]); return the last "
        '"sample_std"'
    )
    for act, init in [("tanh", "Kaiming"), ("relu", "Xavier")]:
        name = f'last_sample_std("{act}", "{init}", 10)'
        got = number(name, call(name, last_sample_std, act, init, 10, hint=build_hint), build_hint)
        expected = float(stats[act, init]["sample_std"].iloc[-1])
        check(
            _close(got, expected),
            f"{name} gave {got:.4g}, but section 3 measured {expected:.4g} for this network",
            build_hint,
        )
    at_30 = {}
    for act in _ACTIVATIONS:
        for init in _INITS:
            name = f'last_sample_std("{act}", "{init}", 30)'
            at_30[act, init] = number(name, call(name, last_sample_std, act, init, 30), build_hint)
    at_10 = float(stats["relu", "Xavier"]["sample_std"].iloc[-1])
    check(
        not _close(at_30["relu", "Xavier"], at_10),
        'last_sample_std("relu", "Xavier", 30) equals the 10-layer value: the depth argument '
        "is not used",
        "pass depth=depth to deep_mlp",
    )
    given("above_0_1", above_0_1)
    check(
        isinstance(above_0_1, set | frozenset | list | tuple),
        f"above_0_1 should be a set of (activation, init) pairs, got {type(above_0_1).__name__}",
        'write it as {("tanh", "Kaiming"), ...}',
    )
    chosen = set()
    for pair in above_0_1:
        check(
            isinstance(pair, tuple) and len(pair) == 2 and tuple(pair) in at_30,
            f"above_0_1 holds {pair!r}, which is not an (activation, init) pair",
            f'activations are {_ACTIVATIONS}, initialisations {_INITS}, e.g. ("relu", "Kaiming")',
        )
        chosen.add(tuple(pair))
    right = {pair for pair, value in at_30.items() if value > 0.1}
    missing, extra = sorted(right - chosen), sorted(chosen - right)
    if missing:
        pair = missing[0]
        raise CheckFailed(
            f"above_0_1 misses {pair}: your function gives {at_30[pair]:.2g} for it at 30 layers",
            "print last_sample_std(act, init, 30) for all six pairs and keep those above 0.1",
        )
    if extra:
        pair = extra[0]
        raise CheckFailed(
            f"above_0_1 holds {pair}, but your function gives {at_30[pair]:.2g} for it "
            "at 30 layers, not above 0.1",
            "print last_sample_std(act, init, 30) for all six pairs and keep those above 0.1",
        )
    listed = ", ".join(f"{act} with {init}" for act, init in sorted(right))
    passed(
        f"the 10-layer values match section 3, and at 30 layers only {listed} keep the "
        "variation across images above 0.1"
    )


def check_binary_step_0(binary_step_0_losses: Callable[[int], Any]) -> None:
    """Check ``binary_step_0_losses(seed)``: the first BCE loss, fresh and with a large last layer.

    The function is called for seeds 0, 1 and 2 and must return two numbers:
    the loss of a fresh 30-15-1 network, which should lie within 0.1 of
    ``ln 2``, and the loss after its last layer's weights are multiplied by
    100, which should be more than four times ``ln 2``.

    Args:
        binary_step_0_losses: The reader's function.

    Raises:
        CheckFailed: When it returns something else than two numbers, a fresh
            loss far from ``ln 2``, a large-weight loss that is not large, or
            the same numbers for every seed.
    """
    binary_step_0_losses = check_callable("binary_step_0_losses", binary_step_0_losses)
    ln_2 = math.log(2)
    fresh_losses = []
    for seed in range(3):
        name = f"binary_step_0_losses({seed})"
        result = given(name, call(name, binary_step_0_losses, seed))
        check(
            isinstance(result, tuple | list) and len(result) == 2,
            f"{name} should return two numbers (fresh, large), got {type(result).__name__}",
            "end the function with `return fresh, large`",
        )
        fresh = number(f"the first number {name} returns", result[0])
        large = number(f"the second number {name} returns", result[1])
        check(
            abs(fresh - ln_2) < 0.1,
            f"{name}: a fresh 30-15-1 network gave a first loss of {fresh:.3f}, "
            f"more than 0.1 from ln 2 = {ln_2:.3f}",
            "build the network after seed_everything(seed) with PyTorch's default "
            "initialisation, and compute bce(model(X).squeeze(1), y) on cancer.X_train, "
            "before any training step",
        )
        if large < fresh:
            raise CheckFailed(
                f"{name}: the loss with the large last layer ({large:.3f}) is below the fresh "
                f"one ({fresh:.3f})",
                "return (fresh, large) in this order, and multiply the weights of binary[-1] "
                "by 100 in place: binary[-1].weight.mul_(100) inside torch.no_grad()",
            )
        check(
            large > 4 * ln_2,
            f"{name}: with the last layer's weights times 100 the loss is {large:.3f}, "
            f"not several times ln 2 = {ln_2:.3f}",
            "multiply the weights of the last nn.Linear by 100, then compute the loss again "
            "on the same model",
        )
        fresh_losses.append(fresh)
    check(
        len(set(fresh_losses)) > 1,
        f"binary_step_0_losses gave the same fresh loss, {fresh_losses[0]:.4f}, for seeds 0, 1 "
        "and 2",
        "seed with seed_everything(seed) and build a new network inside the function",
    )
    spread = ", ".join(f"{value:.3f}" for value in fresh_losses)
    passed(
        f"for seeds 0, 1 and 2 the fresh network starts at {spread}, near ln 2 = {ln_2:.3f}, "
        "and a last layer 100 times larger starts several times higher"
    )


def _raises(module: nn.Module, batch: torch.Tensor) -> bool:
    try:
        module(batch)
    except ValueError:
        return True
    return False


def check_small_batches(
    raises_in_training_mode: Any,
    raises_in_eval_mode: Any,
    batch_mean_spread: Callable[[torch.Tensor, int], Any],
) -> None:
    """Check what batch norm does with one sample, and ``batch_mean_spread(feature, size)``.

    The two answers are compared with what ``nn.BatchNorm1d`` really does with
    a batch of one sample in each mode. The function must return the standard
    deviation of the means of 100 consecutive batches of ``size`` values of a
    one-dimensional ``feature``; it is tried on 10,000 values from a
    generator of the check's own, for batches of 4 and 64.

    Args:
        raises_in_training_mode: The reader's ``True`` or ``False``.
        raises_in_eval_mode: The reader's ``True`` or ``False``.
        batch_mean_spread: The reader's function.

    Raises:
        CheckFailed: When an answer is not a bool or is wrong, or when the
            function's spread differs from the batch means' standard deviation.
    """
    sample = torch.randn(1, 3, generator=torch.Generator().manual_seed(0))
    truth = {
        "raises_in_training_mode": _raises(nn.BatchNorm1d(3), sample),
        "raises_in_eval_mode": _raises(nn.BatchNorm1d(3).eval(), sample),
    }
    answers = {
        "raises_in_training_mode": raises_in_training_mode,
        "raises_in_eval_mode": raises_in_eval_mode,
    }
    for name, answer in answers.items():
        given(name, answer)
        check(
            isinstance(answer, bool),
            f"{name} should be True or False, got {answer!r}",
            "answer with a bool",
        )
        mode = "nn.BatchNorm1d(3)" + ("" if name == "raises_in_training_mode" else ".eval()")
        check(
            answer == truth[name],
            f"{name} is {answer}, but {mode} on a batch of one sample "
            f"{'raises a ValueError' if truth[name] else 'returns an output'}",
            f"try it: {mode}(x[:1]); a single sample has no spread of its own",
        )
    batch_mean_spread = check_callable("batch_mean_spread", batch_mean_spread)
    feature = torch.randn(10_000, generator=torch.Generator().manual_seed(1))
    spreads = {}
    for size in (4, 64):
        name = f"batch_mean_spread(feature, {size})"
        got = number(name, call(name, batch_mean_spread, feature, size))
        expected = feature[: size * 100].reshape(100, size).mean(dim=1).std().item()
        check(
            _close(got, expected, rel=1e-4),
            f"{name} gave {got:.4g}, expected {expected:.4g} (the standard deviation of the "
            f"means of 100 batches of {size})",
            "take the first size * 100 values, reshape to (100, size), average each row "
            "(mean(dim=1)) and return the std of those 100 means",
        )
        spreads[size] = got
    passed(
        "a batch of one sample raises in training mode and works in evaluation mode; "
        f"the batch mean wanders {spreads[4] / spreads[64]:.1f} times more for batches of 4 "
        "than of 64 (1/sqrt(4) against 1/sqrt(64): 4 times)"
    )


def check_no_zero_grad(
    norms_without_zero_grad: Callable[[nn.Module, torch.Tensor, torch.Tensor], Any],
    X: torch.Tensor,
    y: torch.Tensor,
) -> None:
    """Check ``norms_without_zero_grad(model, X, y)``: each pass's gradient against ``.grad``.

    The function is given a small 64-16-10 network of the check's own and must
    run five training steps without ``optimizer.zero_grad()`` and with a
    learning rate of 0, returning two lists of five numbers for the first
    layer's weight (``"0.weight"``): the gradient norm of each backward pass
    alone (``GradientNormRecorder``) and the norm of what is in ``.grad``
    after each step (``gradient_norms``).

    Args:
        norms_without_zero_grad: The reader's function.
        X: A batch of digit images, shape ``(N, 64)``.
        y: Their labels, shape ``(N,)``.

    Raises:
        TypeError: When ``X`` or ``y`` is not a tensor.
        CheckFailed: When the function does not return two lists of five
            norms, or when they are not ``g, g, ...`` and ``g, 2g, ..., 5g``.
    """
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError("X and y must be tensors: a batch of images and its labels")
    norms_without_zero_grad = check_callable("norms_without_zero_grad", norms_without_zero_grad)
    generator = torch.Generator().manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.2)
    model = model.to(X.device)
    reference = copy.deepcopy(model)
    F.cross_entropy(reference(X), y).backward()
    g = reference[0].weight.grad.norm().item()

    name = "norms_without_zero_grad(model, X, y)"
    result = given(name, call(name, norms_without_zero_grad, model, X, y))
    check(
        isinstance(result, tuple | list) and len(result) == 2,
        f"{name} should return two lists (per_pass, in_grad), got {type(result).__name__}",
        "end the function with `return per_pass, in_grad`",
    )
    lists = {}
    for label, values in zip(("per_pass", "in_grad"), result, strict=True):
        values = list(given(label, values))
        check(
            len(values) == 5,
            f"{label} has {len(values)} values, expected 5 (one per step)",
            "run exactly five steps",
        )
        lists[label] = [number(f"{label}[{i}]", value) for i, value in enumerate(values)]
    per_pass, in_grad = lists["per_pass"], lists["in_grad"]
    if all(_close(value, g, rel=1e-3) for value in in_grad):
        raise CheckFailed(
            "in_grad stays at one pass's gradient norm: the gradients did not accumulate",
            "leave out optimizer.zero_grad(): that is the bug to reproduce",
        )
    if all(_close(value, (k + 1) * g, rel=1e-3) for k, value in enumerate(per_pass)):
        raise CheckFailed(
            "per_pass grows like the accumulated gradient: it should be each backward pass alone",
            'read per_pass from GradientNormRecorder(model).to_frame()["0.weight"], '
            "whose hooks see each backward pass's gradient",
        )
    for k, value in enumerate(per_pass):
        check(
            _close(value, g, rel=1e-3),
            f"per_pass[{k}] is {value:.4g}, but one backward pass of cross-entropy on this "
            f"model and batch gives {g:.4g} for 0.weight",
            "use the cross-entropy loss, model.eval(), an optimiser with lr=0.0 (the weights "
            'must not move), and the "0.weight" column',
        )
    for k, value in enumerate(in_grad):
        check(
            _close(value, (k + 1) * g, rel=1e-3),
            f"in_grad[{k}] is {value:.4g}, expected {(k + 1) * g:.4g}: {k + 1} times one "
            "pass's gradient",
            'read gradient_norms(model)["0.weight"] after each optimizer.step()',
        )
    passed(
        f"on a 64-16-10 network of the check's own, every backward pass gives the same "
        f"gradient (norm {g:.3f}), and without zero_grad() .grad holds their sum: "
        f"{in_grad[-1]:.3f} = 5 × {g:.3f} after five steps"
    )
