"""Checks for the exercises on logits, losses, softmax and thresholds.

Introduced in chapter 7, "Classification".

Each check takes what you wrote (a model, a function or a value) and tests
it; it prints what it confirmed, or raises
:class:`~practical_dl.exercises.CheckFailed` saying what is wrong and where to look.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from practical_dl.device import model_device
from practical_dl.exercises import call, check, check_callable, check_module, given, number, passed
from practical_dl.exercises._calls import TorchCalls

__all__ = [
    "check_double_sigmoid",
    "check_softmax_regression",
    "check_stable_softmax",
    "check_threshold_report",
]


@torch.no_grad()
def _outputs(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    device = model_device(model)
    return model(X.to(device)).cpu()


def check_double_sigmoid(doubled: Any, floor: Any, X: torch.Tensor, y: torch.Tensor) -> None:
    """Check the double-sigmoid bug: a model ending with a sigmoid, trained with BCEWithLogitsLoss.

    ``doubled`` is that model, trained; ``floor`` is the lowest mean loss
    ``BCEWithLogitsLoss`` can report for such a model on balanced classes,
    whatever its weights.

    Args:
        doubled: The reader's trained model.
        floor: The reader's lower bound on its loss.
        X: The inputs, shape ``(n, 2)``.
        y: The float 0/1 targets, shape ``(n,)``, half of each class.

    Raises:
        CheckFailed: When the model does not end with a sigmoid, or the floor is off.
    """
    model = check_module(
        "doubled",
        doubled,
        "doubled = nn.Sequential(Classifier(2, 5, 1), nn.Sigmoid()).to(device)",
    )
    outputs = _outputs(model, X).squeeze(1)
    check(
        bool(((outputs >= 0) & (outputs <= 1)).all()),
        f"doubled's outputs range from {outputs.min():.2f} to {outputs.max():.2f}: a model "
        "ending with nn.Sigmoid() stays between 0 and 1",
        "put nn.Sigmoid() after the classifier: nn.Sequential(Classifier(2, 5, 1), nn.Sigmoid())",
    )
    best = (math.log(1 + math.exp(-1)) + math.log(2)) / 2
    value = number("floor", floor)
    check(
        math.isclose(value, best, rel_tol=1e-3),
        f"floor is {value:.3f}, expected about {best:.3f}",
        "the loss applies its own sigmoid to outputs between 0 and 1: a target-1 row costs at "
        "least -log σ(1) = log(1 + e^-1), a target-0 row at least -log(1 - σ(0)) = log 2; "
        "average the two, since half the rows are of each class",
    )
    loss = nn.functional.binary_cross_entropy_with_logits(outputs, y.cpu().float()).item()
    check(
        loss < best + 0.1,
        f"doubled's loss is {loss:.3f}, far above the floor of {best:.3f}: was it trained?",
        "train it for 20 epochs with fit(doubled, loader, criterion, Adam(..., lr=LEARNING_RATE))",
    )
    passed(f"loss {loss:.3f}, above the floor of {best:.3f} that no weights can break through")


def check_softmax_regression(softmax_regression: Any, X: torch.Tensor, y: torch.Tensor) -> None:
    """Check a network with no hidden layer, ``nn.Linear(2, 4)``, trained on the four blobs.

    Args:
        softmax_regression: The reader's trained model.
        X: The blobs' inputs, shape ``(n, 2)``.
        y: Their class indices, shape ``(n,)``.

    Raises:
        CheckFailed: When the model has a hidden layer or does not separate the blobs.
    """
    model = check_module(
        "softmax_regression",
        softmax_regression,
        "softmax_regression = nn.Linear(2, 4).to(device)",
    )
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    widths = [linears[0].in_features] + [m.out_features for m in linears] if linears else []
    check(
        widths == [2, 4],
        f"softmax_regression has layer widths {widths}, expected [2, 4]: no hidden layer",
        "a single nn.Linear(2, 4): 2 inputs, 4 logits",
    )
    predicted = _outputs(model, X).argmax(dim=1)
    accuracy = (predicted == y.cpu()).float().mean().item()
    check(
        accuracy > 0.95,
        f"softmax_regression's training accuracy is {accuracy:.3f}, expected above 0.95",
        "train it like the 2-5-4 network: fit(..., blob_loader, multi_criterion, "
        "Adam(..., lr=0.2), epochs=10)",
    )
    passed(f"no hidden layer, training accuracy {accuracy:.3f}: straight boundaries suffice here")


def check_stable_softmax(stable_softmax: Any) -> None:
    """Check ``stable_softmax(z)``, a softmax of a 1-D tensor written with ``torch.exp``.

    It must not overflow on large logits (``[1000, 0]``) nor divide 0 by 0
    on very negative ones, and must not call PyTorch's own softmax.

    Args:
        stable_softmax: The reader's function.

    Raises:
        CheckFailed: When it returns NaN, differs from ``torch.softmax``, or calls it.
    """
    check_callable("stable_softmax", stable_softmax)
    cases = {
        "[1000.0, 0.0]": torch.tensor([1000.0, 0.0]),
        "[-1000.0, -1001.0, -1002.0]": torch.tensor([-1000.0, -1001.0, -1002.0]),
        "[2.0, 0.5, -1.0, 0.0]": torch.tensor([2.0, 0.5, -1.0, 0.0]),
    }
    for shown, z in cases.items():
        called = f"stable_softmax(torch.tensor({shown}))"
        with TorchCalls() as calls:
            got = given(called, call(called, stable_softmax, z.clone()))
        check(
            "softmax" not in calls.names and "log_softmax" not in calls.names,
            "stable_softmax calls PyTorch's softmax: write it with torch.exp and a sum",
            "exp(z - z.max()) / exp(z - z.max()).sum()",
        )
        check(
            isinstance(got, torch.Tensor) and got.shape == z.shape,
            f"{called} should return a tensor of shape {tuple(z.shape)}",
            "one probability per logit",
        )
        check(
            not torch.isnan(got).any(),
            f"{called} returned NaN: {got.tolist()}",
            "e^1000 overflows float32 to inf, and inf / inf is NaN (and e^-1000 is 0, so 0 / 0): "
            "subtract the largest logit before exponentiating",
        )
        check(
            torch.allclose(got, torch.softmax(z, dim=0), atol=1e-6),
            f"{called} is {[round(v, 4) for v in got.tolist()]}, expected "
            f"{[round(v, 4) for v in torch.softmax(z, dim=0).tolist()]}",
            "divide by the sum of the same shifted exponentials: exp(z - m) / exp(z - m).sum()",
        )
    passed("no overflow on [1000, 0], no 0 / 0 on [-1000, -1001, -1002], same as torch.softmax")


def check_threshold_report(
    threshold_report: Any, model: nn.Module, X: torch.Tensor, y: torch.Tensor
) -> None:
    """Check ``threshold_report(model, X, y, threshold)``: class-1 count and accuracy.

    It must return ``(number of points predicted class 1, accuracy)`` when a
    point is called class 1 if its *probability* of class 1 is above
    ``threshold``.

    Args:
        threshold_report: The reader's function.
        model: A binary classifier that returns logits, shape ``(n, 1)``.
        X: The inputs.
        y: The float 0/1 targets, shape ``(n,)``.

    Raises:
        CheckFailed: When a count or an accuracy is off.
    """
    check_callable("threshold_report", threshold_report)
    logits = _outputs(model, X).squeeze(1)
    probs = torch.sigmoid(logits)
    target = y.cpu().float()
    seen = {}
    for threshold in (0.5, 0.9, 0.2):
        called = f"threshold_report(model, X_t, y_t, {threshold})"
        report = given(called, call(called, threshold_report, model, X, y, threshold))
        check(
            isinstance(report, tuple | list) and len(report) == 2,
            f"{called} should return two numbers (count, accuracy), got {report!r:.60}",
            "end the function with: return n_class_1, accuracy",
        )
        count, accuracy = number(f"{called}[0]", report[0]), number(f"{called}[1]", report[1])
        predicted = (probs > threshold).float()
        expected_count = int(predicted.sum())
        on_logits = int((logits > threshold).sum())
        check(
            count == expected_count,
            f"{called} counted {count:g} points as class 1, expected {expected_count}",
            "the model returns logits: turn them into probabilities with torch.sigmoid before "
            "comparing with the threshold"
            if count == on_logits and on_logits != expected_count
            else "count the points whose probability of class 1 is above the threshold",
        )
        expected_accuracy = (predicted == target).float().mean().item()
        check(
            math.isclose(accuracy, expected_accuracy, abs_tol=1e-6),
            f"{called} gave an accuracy of {accuracy:.3f}, expected {expected_accuracy:.3f}",
            "accuracy is the share of points whose predicted class equals y",
        )
        seen[threshold] = (expected_count, expected_accuracy)
    (n_5, acc_5), (n_9, acc_9) = seen[0.5], seen[0.9]
    passed(
        f"threshold 0.5: {n_5} points called class 1, accuracy {acc_5:.3f}; "
        f"threshold 0.9: {n_9}, accuracy {acc_9:.3f}"
    )
