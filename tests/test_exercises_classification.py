import math

import pytest
import torch
from torch import nn

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import classification as exercises

FLOOR = (math.log(1 + math.exp(-1)) + math.log(2)) / 2


@pytest.fixture
def halves():
    """Two classes split by the sign of the first feature, 50 points each."""
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(100, 2, generator=generator)
    X[:50, 0] = X[:50, 0].abs() + 0.5
    X[50:, 0] = -X[50:, 0].abs() - 0.5
    y = torch.cat([torch.ones(50), torch.zeros(50)])
    return X, y


def _train(model, X, y, criterion, num_steps=200, lr=0.1):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(num_steps):
        optimizer.zero_grad()
        criterion(model(X).squeeze(1), y).backward()
        optimizer.step()
    return model


def test_double_sigmoid_fails_on_the_starter(halves):
    with pytest.raises(CheckFailed, match="doubled is ...: the exercise is not done yet"):
        exercises.check_double_sigmoid(..., ..., *halves)


def test_double_sigmoid_wants_the_sigmoid_at_the_end(halves):
    torch.manual_seed(0)
    plain = _train(nn.Linear(2, 1), *halves, nn.BCEWithLogitsLoss())
    with pytest.raises(CheckFailed, match="stays between 0 and 1"):
        exercises.check_double_sigmoid(plain, FLOOR, *halves)


def test_double_sigmoid_explains_the_floor(halves):
    torch.manual_seed(0)
    doubled = _train(nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()), *halves, nn.BCEWithLogitsLoss())
    with pytest.raises(CheckFailed, match="floor is 0.693, expected about 0.503") as error:
        exercises.check_double_sigmoid(doubled, math.log(2), *halves)
    assert "σ(1)" in error.value.hint


def test_double_sigmoid_passes(halves, capsys):
    torch.manual_seed(0)
    doubled = _train(nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()), *halves, nn.BCEWithLogitsLoss())
    exercises.check_double_sigmoid(doubled, FLOOR, *halves)
    assert "above the floor of 0.503" in capsys.readouterr().out


@pytest.fixture
def blobs():
    generator = torch.Generator().manual_seed(0)
    centres = torch.tensor([[2.0, 2.0], [-2.0, 2.0], [-2.0, -2.0], [2.0, -2.0]])
    y = torch.arange(4).repeat_interleave(25)
    return centres[y] + 0.2 * torch.randn(100, 2, generator=generator), y


def _softmax_regression(X, y):
    torch.manual_seed(0)
    model = nn.Linear(2, 4)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.2)
    for _ in range(50):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(X), y).backward()
        optimizer.step()
    return model


def test_softmax_regression_fails_on_the_starter(blobs):
    with pytest.raises(CheckFailed, match="softmax_regression is ...: the exercise is not done"):
        exercises.check_softmax_regression(..., *blobs)


def test_softmax_regression_refuses_a_hidden_layer(blobs):
    model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 4))
    with pytest.raises(CheckFailed, match=r"widths \[2, 5, 4\], expected \[2, 4\]"):
        exercises.check_softmax_regression(model, *blobs)


def test_softmax_regression_must_be_trained(blobs):
    torch.manual_seed(1)
    with pytest.raises(CheckFailed, match="training accuracy is") as error:
        exercises.check_softmax_regression(nn.Linear(2, 4), *blobs)
    assert "epochs=10" in error.value.hint


def test_softmax_regression_passes(blobs, capsys):
    exercises.check_softmax_regression(_softmax_regression(*blobs), *blobs)
    assert "no hidden layer, training accuracy 1.000" in capsys.readouterr().out


def test_stable_softmax_fails_on_the_starter():
    def stable_softmax(z): ...

    with pytest.raises(CheckFailed, match="the exercise is not done yet"):
        exercises.check_stable_softmax(stable_softmax)


def test_stable_softmax_says_why_the_naive_one_gives_nan():
    with pytest.raises(CheckFailed, match="returned NaN") as error:
        exercises.check_stable_softmax(lambda z: torch.exp(z) / torch.exp(z).sum())
    assert "subtract the largest logit" in error.value.hint


def test_stable_softmax_refuses_torch_softmax():
    with pytest.raises(CheckFailed, match="calls PyTorch's softmax"):
        exercises.check_stable_softmax(lambda z: torch.softmax(z, dim=0))


def test_stable_softmax_passes(capsys):
    def stable_softmax(z):
        shifted = torch.exp(z - z.max())
        return shifted / shifted.sum()

    exercises.check_stable_softmax(stable_softmax)
    assert "same as torch.softmax" in capsys.readouterr().out


def _threshold_report(model, X, y, threshold):
    with torch.no_grad():
        probs = torch.sigmoid(model(X)).squeeze(1)
    predicted = (probs > threshold).float()
    return int(predicted.sum()), (predicted == y).float().mean().item()


@pytest.fixture
def classifier(halves):
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.5, 0.0]]))
        model.bias.fill_(-0.5)
    return model


def test_threshold_report_fails_on_the_starter(classifier, halves):
    def threshold_report(model, X, y, threshold): ...

    with pytest.raises(CheckFailed, match="the exercise is not done yet"):
        exercises.check_threshold_report(threshold_report, classifier, *halves)


def test_threshold_report_says_when_logits_are_thresholded(classifier, halves):
    def threshold_report(model, X, y, threshold):
        with torch.no_grad():
            predicted = (model(X).squeeze(1) > threshold).float()
        return int(predicted.sum()), (predicted == y).float().mean().item()

    with pytest.raises(CheckFailed, match="points as class 1, expected") as error:
        exercises.check_threshold_report(threshold_report, classifier, *halves)
    assert "torch.sigmoid" in error.value.hint


def test_threshold_report_passes(classifier, halves, capsys):
    exercises.check_threshold_report(_threshold_report, classifier, *halves)
    assert "threshold 0.9:" in capsys.readouterr().out
