import math

import pandas as pd
import pytest
import torch
from torch import nn

from practical_dl.diagnostics import GradientNormRecorder, gradient_norms
from practical_dl.exercises import CheckFailed
from practical_dl.exercises import initialisation_debugging as exercises


def _failure(check, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as failure:
        check(*args, **kwargs)
    return str(failure.value)


# Exercise 1: thirty layers. A stand-in for the chapter's measurements.

AT_10 = {
    ("tanh", "default"): 3e-3,
    ("tanh", "Xavier"): 0.21,
    ("tanh", "Kaiming"): 0.65,
    ("relu", "default"): 4e-5,
    ("relu", "Xavier"): 6.5e-3,
    ("relu", "Kaiming"): 0.21,
}
AT_30 = {
    ("tanh", "default"): 4e-8,
    ("tanh", "Xavier"): 0.12,
    ("tanh", "Kaiming"): 0.64,
    ("relu", "default"): 1e-9,
    ("relu", "Xavier"): 8e-6,
    ("relu", "Kaiming"): 0.27,
}
STATS = {pair: pd.DataFrame({"sample_std": [0.5, value]}) for pair, value in AT_10.items()}
RIGHT_SET = {("tanh", "Xavier"), ("tanh", "Kaiming"), ("relu", "Kaiming")}


def _measured(act, init, depth):
    return (AT_10 if depth == 10 else AT_30)[act, init]


def test_thirty_layers_passes_on_the_right_set(capsys):
    exercises.check_thirty_layers(_measured, RIGHT_SET, STATS)
    assert "only relu with Kaiming, tanh with Kaiming, tanh with Xavier" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("function", "answer", "words"),
    [
        (lambda act, init, depth: None, RIGHT_SET, "is None: the exercise is not done yet"),
        (lambda act, init, depth: 0.3, RIGHT_SET, "but section 3 measured 0.65"),
        (lambda act, init, depth: AT_10[act, init], RIGHT_SET, "the depth argument is not used"),
        (_measured, ..., "above_0_1 is ...: the exercise is not done yet"),
        (_measured, {("tanh", "Kaiming"), ("relu", "Kaiming")}, "misses ('tanh', 'Xavier')"),
        (_measured, RIGHT_SET | {("relu", "Xavier")}, "holds ('relu', 'Xavier'), but your"),
        (_measured, {"tanh"}, "which is not an (activation, init) pair"),
        (_measured, "tanh", "should be a set of (activation, init) pairs"),
    ],
)
def test_thirty_layers_fails_with_a_message(function, answer, words):
    assert words in _failure(exercises.check_thirty_layers, function, answer, STATS)


def test_thirty_layers_needs_the_chapter_stats():
    with pytest.raises(TypeError, match="stats must be the chapter's dict"):
        exercises.check_thirty_layers(_measured, RIGHT_SET, [1, 2])


# Exercise 2: the step-0 loss of a binary model


def _step_0(seed):
    return math.log(2) + 0.01 * (seed - 1), 4.0 + seed


def test_binary_step_0_passes_near_ln_2(capsys):
    exercises.check_binary_step_0(_step_0)
    assert "near ln 2 = 0.693" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("function", "words"),
    [
        (lambda seed: None, "binary_step_0_losses(0) is None: the exercise is not done yet"),
        (lambda seed: 0.69, "should return two numbers (fresh, large), got float"),
        (lambda seed: (1.5, 5.0), "more than 0.1 from ln 2 = 0.693"),
        (lambda seed: (5.0, 0.69), "more than 0.1 from ln 2"),
        (lambda seed: (0.69, 0.6), "is below the fresh one"),
        (lambda seed: (0.69, 1.2), "not several times ln 2"),
        (lambda seed: (0.69, 5.0), "the same fresh loss, 0.6900, for seeds 0, 1 and 2"),
        (lambda seed: 1 / 0, "binary_step_0_losses(0) raised ZeroDivisionError"),
    ],
)
def test_binary_step_0_fails_with_a_message(function, words):
    assert words in _failure(exercises.check_binary_step_0, function)


# Exercise 3: batch normalisation and small batches


def _spread(feature, size):
    return feature[: size * 100].reshape(100, size).mean(dim=1).std().item()


def test_small_batches_passes(capsys):
    exercises.check_small_batches(True, False, _spread)
    assert "raises in training mode and works in evaluation mode" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("in_train", "in_eval", "function", "words"),
    [
        (..., False, _spread, "raises_in_training_mode is ...: the exercise is not done yet"),
        (False, False, _spread, "on a batch of one sample raises a ValueError"),
        (True, True, _spread, "nn.BatchNorm1d(3).eval() on a batch of one sample returns"),
        (True, "no", _spread, "should be True or False, got 'no'"),
        (True, False, lambda feature, size: None, "batch_mean_spread(feature, 4) is None"),
        (True, False, lambda feature, size: feature[:size].std().item(), "expected 0.5"),
    ],
)
def test_small_batches_fails_with_a_message(in_train, in_eval, function, words):
    assert words in _failure(exercises.check_small_batches, in_train, in_eval, function)


# Exercise 4: a forgotten zero_grad()

torch.manual_seed(0)
X, Y = torch.randn(32, 64), torch.randint(0, 10, (32,))


def _norms(zero_grad=False, lr=0.0):
    def norms_without_zero_grad(model, X, y):
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        in_grad = []
        with GradientNormRecorder(model) as recorder:
            for _ in range(5):
                if zero_grad:
                    optimizer.zero_grad()
                nn.functional.cross_entropy(model(X), y).backward()
                optimizer.step()
                in_grad.append(gradient_norms(model)["0.weight"])
        return list(recorder.to_frame()["0.weight"]), in_grad

    return norms_without_zero_grad


def test_no_zero_grad_passes_on_accumulated_gradients(capsys):
    exercises.check_no_zero_grad(_norms(), X, Y)
    assert "without zero_grad() .grad holds their sum" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("function", "words"),
    [
        (lambda model, X, y: None, "is None: the exercise is not done yet"),
        (lambda model, X, y: [1.0] * 5, "should return two lists (per_pass, in_grad)"),
        (lambda model, X, y: ([1.0] * 4, [1.0] * 4), "per_pass has 4 values, expected 5"),
        (_norms(zero_grad=True), "the gradients did not accumulate"),
        (lambda model, X, y: (_norms()(model, X, y)[1],) * 2, "should be each backward pass"),
        (_norms(lr=0.5), "the weights must not move"),
    ],
)
def test_no_zero_grad_fails_with_a_message(function, words):
    assert words in _failure(exercises.check_no_zero_grad, function, X, Y)


def test_no_zero_grad_needs_tensors():
    with pytest.raises(TypeError, match="X and y must be tensors"):
        exercises.check_no_zero_grad(_norms(), X.tolist(), Y)
