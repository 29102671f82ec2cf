"""Checks for the exercises of the breast-cancer project: slices, floors, a stray sigmoid, spreads.

Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

Each check takes what you wrote (a function or a value) and tests it; it
prints what it confirmed, or raises :class:`~practical_dl.exercises.CheckFailed`
saying what is wrong and where to look.
"""

from __future__ import annotations

import contextlib
import io
import math
from typing import Any

import torch
from torch import nn

from practical_dl.device import model_device
from practical_dl.exercises import (
    call,
    check,
    check_callable,
    check_module,
    check_shape,
    given,
    number,
    passed,
)

__all__ = [
    "check_always_benign",
    "check_double_sigmoid",
    "check_first_ten",
    "check_full_batch",
    "check_raw_val_accuracy",
    "check_val_and_test_accuracy",
]

#: The lowest BCEWithLogitsLoss a benign patient can cost once a sigmoid output is squashed again.
BEST_BENIGN_LOSS = math.log(1 + math.exp(-1))


def _accuracy(name: str, value: Any, hint: str) -> float:
    accuracy = number(name, value, hint)
    check(
        0.0 <= accuracy <= 1.0,
        f"{name} should be an accuracy between 0 and 1, got {accuracy:.4g}",
        hint,
    )
    return accuracy


def check_first_ten(first_ten: Any, dataset: Any) -> None:
    """Check ``first_ten(dataset)``: the first ten samples of a dataset, taken with one slice.

    Args:
        first_ten: The reader's function of a dataset.
        dataset: A dataset such as the chapter's ``train_set`` (features and targets as tensors).

    Raises:
        CheckFailed: When the function fails, or does not return ten rows of features and
            ten targets.
    """
    check_callable("first_ten", first_ten)
    hint = "index the dataset with a slice, dataset[:10]; __getitem__ passes it on to the tensors"
    result = given(
        "first_ten(train_set)", call("first_ten(train_set)", first_ten, dataset, hint=hint)
    )
    check(
        isinstance(result, (tuple, list)) and len(result) == 2,
        "first_ten(train_set) should return a pair (features, targets), "
        f"got {type(result).__name__}",
        hint,
    )
    features, targets = result
    n_features = dataset[0][0].shape[0]
    check_shape("the features of first_ten(train_set)", features, (10, n_features), hint)
    check_shape("the targets of first_ten(train_set)", targets, (10,), hint)
    expected_features = torch.stack([dataset[i][0] for i in range(10)])
    expected_targets = torch.stack([dataset[i][1] for i in range(10)])
    check(
        torch.equal(torch.as_tensor(features), expected_features)
        and torch.equal(torch.as_tensor(targets), expected_targets),
        "first_ten(train_set) has the right shapes but not the first ten samples",
        "take rows 0 to 9, in order, without shuffling",
    )
    passed(
        f"a slice returns ({tuple(features.shape)}, {tuple(targets.shape)}) tensors, "
        "ten samples at once"
    )


def check_always_benign(
    always_benign_logits: Any, floor_accuracy: Any, targets: torch.Tensor
) -> None:
    """Check the "always benign" model: its logits and the accuracy it scores.

    Args:
        always_benign_logits: The reader's function of ``n``, returning ``n`` logits.
        floor_accuracy: The reader's validation accuracy of that model.
        targets: The validation targets, 0 (malignant) or 1 (benign), shape ``(n,)``.

    Raises:
        CheckFailed: When the logits do not say "benign" for everyone, or the accuracy is off.
    """
    check_callable("always_benign_logits", always_benign_logits)
    n = len(targets)
    hint = "return torch.full((n,), 5.0): one large logit per patient"
    logits = given(
        f"always_benign_logits({n})",
        call(f"always_benign_logits({n})", always_benign_logits, n, hint=hint),
    )
    check_shape(f"always_benign_logits({n})", logits, (n,), hint)
    check(
        bool((torch.as_tensor(logits) > 0).all()),
        f"always_benign_logits({n}) has logits at or below 0: those patients are called malignant",
        "benign is label 1 here, and a logit above 0 means a probability above 0.5 for label 1",
    )
    benign_share = float(torch.as_tensor(targets, dtype=torch.float32).mean())
    accuracy = _accuracy(
        "floor_accuracy",
        floor_accuracy,
        "score the always-benign logits with binary_metrics(...)['accuracy']",
    )
    check(
        math.isclose(accuracy, benign_share, abs_tol=1e-6),
        f"floor_accuracy is {accuracy:.3f}, but answering benign for everyone is right for "
        f"{benign_share:.3f} of the validation patients",
        "it is right exactly for the benign patients: their share of the validation targets",
    )
    passed(
        f"answering benign for everyone scores {accuracy:.3f}, the benign share: "
        "the floor for accuracy"
    )


def check_double_sigmoid(make_double_sigmoid: Any, best_benign_loss: Any) -> None:
    """Check the model with a stray final sigmoid, and the loss floor it cannot go below.

    Args:
        make_double_sigmoid: The reader's function that builds a 30-30-15-1 network
            ending with ``nn.Sigmoid()``.
        best_benign_loss: The reader's lowest ``BCEWithLogitsLoss`` for one benign
            patient with that model.

    Raises:
        CheckFailed: When the network is not 30-...-1 with a final sigmoid, or the floor is off.
    """
    check_callable("make_double_sigmoid", make_double_sigmoid)
    hint = (
        "nn.Sequential(nn.Linear(30, 30), nn.ReLU(), nn.Linear(30, 15), nn.ReLU(), "
        "nn.Linear(15, 1), nn.Sigmoid())"
    )
    model = check_module(
        "make_double_sigmoid()", call("make_double_sigmoid()", make_double_sigmoid, hint=hint), hint
    )
    leaves = [module for module in model.modules() if not list(module.children())]
    check(
        bool(leaves) and isinstance(leaves[-1], nn.Sigmoid),
        f"make_double_sigmoid() should end with nn.Sigmoid(), but its last layer is "
        f"{type(leaves[-1]).__name__ if leaves else 'missing'}",
        "the exercise is about the version that (wrongly) ends with a sigmoid",
    )
    linears = [module for module in leaves if isinstance(module, nn.Linear)]
    widths = [linears[0].in_features, *(layer.out_features for layer in linears)] if linears else []
    check(
        widths == [30, 30, 15, 1],
        "make_double_sigmoid() should be 30-30-15-1, "
        f"got {'-'.join(map(str, widths)) or 'no linear layers'}",
        "the same layers as DeepClassifier of section 12, plus the final sigmoid",
    )
    model.eval()
    with torch.no_grad():
        outputs = model(
            torch.randn(8, 30, generator=torch.Generator().manual_seed(0)).to(model_device(model))
        )
    check_shape("make_double_sigmoid()(X) for 8 patients", outputs, (8, 1), hint)
    floor = number(
        "best_benign_loss",
        best_benign_loss,
        "a number: the loss of the best possible benign answer",
    )
    check(
        not math.isclose(floor, 0.0, abs_tol=1e-3),
        "best_benign_loss is 0, but this model can never reach 0",
        "the loss applies its own sigmoid to the model's output, which is at most 1: "
        "what is -ln(sigmoid(1))?",
    )
    check(
        not math.isclose(floor, math.log(2), abs_tol=1e-3),
        "best_benign_loss is ln 2, the cost of an output of 0: the floor for a malignant patient",
        "a benign patient (target 1) is best served by the largest output, 1: "
        "what is -ln(sigmoid(1))?",
    )
    check(
        math.isclose(floor, BEST_BENIGN_LOSS, abs_tol=0.005),
        f"best_benign_loss is {floor:.4f}, expected about {BEST_BENIGN_LOSS:.4f}",
        "the model outputs at most 1, the loss squashes that to sigmoid(1) = 0.73: "
        "the cost is -ln(0.73)",
    )
    passed(
        "the stray sigmoid keeps a benign patient's loss at or above "
        f"-ln(sigmoid(1)) = {BEST_BENIGN_LOSS:.2f}, never 0"
    )


def check_val_and_test_accuracy(val_and_test_accuracy: Any, split_seed: int = 0) -> None:
    """Check ``val_and_test_accuracy(split_seed)``: the deep model retrained on another split.

    Runs the reader's function once, on ``split_seed``.

    Args:
        val_and_test_accuracy: The reader's function of a split seed.
        split_seed: The split to try it on.

    Raises:
        CheckFailed: When the function fails, returns something else than two accuracies, or one
            that is not a count of the split's patients or too low for a trained model.
    """
    from practical_dl.data import breast_cancer_splits

    check_callable("val_and_test_accuracy", val_and_test_accuracy)
    name = f"val_and_test_accuracy({split_seed})"
    hint = 'return {"validation": accuracy on s.X_val, "test": accuracy on s.X_test}'
    result = given(name, call(name, val_and_test_accuracy, split_seed, hint=hint))
    check(
        isinstance(result, dict) and set(result) == {"validation", "test"},
        f'{name} should return a dictionary with the keys "validation" and "test", got '
        f"{sorted(result) if isinstance(result, dict) else type(result).__name__}",
        hint,
    )
    splits = breast_cancer_splits(seed=split_seed)
    sizes = {"validation": len(splits.y_val), "test": len(splits.y_test)}
    for part, size in sizes.items():
        accuracy = _accuracy(f'{name}["{part}"]', result[part], hint)
        check(
            math.isclose(accuracy * size, round(accuracy * size), abs_tol=1e-4),
            f'{name}["{part}"] is {accuracy:.4f}, which is no count of right answers '
            f"out of the {size} "
            f"{part} patients of breast_cancer_splits(seed={split_seed})",
            f"score the {part} part of the split breast_cancer_splits(seed=split_seed), all of it",
        )
        check(
            accuracy > 0.85,
            f'{name}["{part}"] is {accuracy:.3f}: that is not a trained model',
            "train DeepClassifier with Adam at lr for num_epochs epochs "
            "on the split's training part",
        )
    passed(
        f"on split {split_seed}: validation {float(result['validation']):.3f}, "
        f"test {float(result['test']):.3f}, from the same recipe"
    )


def check_raw_val_accuracy(raw_val_accuracy: Any, standardised_accuracy: float) -> None:
    """Check ``raw_val_accuracy(run_seed)``: the linear baseline trained on unstandardised features.

    Runs the reader's function for the seeds 0, 1 and 2.

    Args:
        raw_val_accuracy: The reader's function of a seed, returning a validation accuracy.
        standardised_accuracy: The baseline's validation accuracy after as many epochs on
            standardised features.

    Raises:
        CheckFailed: When the function fails, returns no accuracy, or gives results as steady
            as standardised features would.
    """
    check_callable("raw_val_accuracy", raw_val_accuracy)
    hint = (
        "seed, build LinearClassifier, train 20 epochs on raw X_train, return the last val_accuracy"
    )
    results = [
        _accuracy(
            f"raw_val_accuracy({seed})",
            call(f"raw_val_accuracy({seed})", raw_val_accuracy, seed, hint=hint),
            hint,
        )
        for seed in range(3)
    ]
    shown = ", ".join(f"{accuracy:.3f}" for accuracy in results)
    check(
        max(results) < standardised_accuracy,
        f"raw_val_accuracy gives {shown}, as good as standardised features "
        f"({standardised_accuracy:.3f})",
        "train on the raw arrays X_train and X_val of section 3, "
        "not on splits.X_train (standardised)",
    )
    check(
        max(results) - min(results) > 0.05,
        f"raw_val_accuracy gives {shown} for the seeds 0, 1, 2: nearly the same each time",
        "call seed_everything(run_seed) inside the function, before building the model",
    )
    passed(
        f"on raw features the same model scores {shown} by seed, "
        f"below {standardised_accuracy:.3f} standardised"
    )


def check_full_batch(train_full_batch: Any, splits: Any) -> None:
    """Check ``train_full_batch(X_train, y_train, X_val, y_val)``: one SGD step per epoch.

    Runs the reader's function once on the chapter's splits (its printing is not shown).

    Args:
        train_full_batch: The reader's function, returning the trained ``nn.Linear(30, 1)``.
        splits: The chapter's standardised splits, from ``breast_cancer_splits``.

    Raises:
        CheckFailed: When the function fails, returns something else than a 30-1 linear model,
            or one that scores 0.9 or less on validation.
    """
    check_callable("train_full_batch", train_full_batch)
    name = "train_full_batch(X_train, y_train, X_val, y_val)"
    hint = "return the nn.Linear(30, 1) you trained"
    with contextlib.redirect_stdout(io.StringIO()):
        model = call(
            name,
            train_full_batch,
            splits.X_train,
            splits.y_train,
            splits.X_val,
            splits.y_val,
            hint=hint,
        )
    model = check_module(name, model, hint)
    n_parameters = sum(p.numel() for p in model.parameters())
    check(
        n_parameters == 31,
        f"{name} returned a model with {n_parameters} parameters, expected 31 for 30-1",
        "logistic regression is one nn.Linear(30, 1): 30 weights and a bias",
    )
    model.eval()
    with torch.no_grad():
        logits = model(splits.X_val.to(model_device(model))).cpu().reshape(-1)
    accuracy = float(((logits > 0).float() == splits.y_val).float().mean())
    check(
        accuracy > 0.9,
        f"the returned model scores {accuracy:.3f} on validation, expected above 0.9",
        "each of the 100 epochs: zero_grad(), loss on the whole training set, backward(), step()",
    )
    passed(f"100 full-batch SGD steps reach validation accuracy {accuracy:.3f}")
