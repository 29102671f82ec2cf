import math

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from practical_dl.data import breast_cancer_splits
from practical_dl.exercises import CheckFailed
from practical_dl.exercises import breast_cancer as exercises


@pytest.fixture(scope="module")
def splits():
    return breast_cancer_splits(seed=42)


@pytest.fixture
def dataset():
    generator = torch.Generator().manual_seed(0)
    return TensorDataset(torch.randn(20, 30, generator=generator), (torch.arange(20) % 2).float())


def test_first_ten_fails_on_the_starter(dataset):
    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_first_ten(..., dataset)


def test_first_ten_wants_the_first_ten(dataset):
    with pytest.raises(CheckFailed, match="not the first ten samples"):
        exercises.check_first_ten(lambda d: d[1:11], dataset)


def test_first_ten_passes(dataset, capsys):
    exercises.check_first_ten(lambda d: d[:10], dataset)
    assert "Check passed" in capsys.readouterr().out


def test_always_benign_wants_positive_logits():
    targets = torch.tensor([1.0, 1.0, 0.0, 1.0])
    with pytest.raises(CheckFailed, match="called malignant"):
        exercises.check_always_benign(lambda n: torch.full((n,), -5.0), 0.75, targets)


def test_always_benign_wants_the_benign_share():
    targets = torch.tensor([1.0, 1.0, 0.0, 1.0])
    with pytest.raises(CheckFailed, match="floor_accuracy is 0.250"):
        exercises.check_always_benign(lambda n: torch.full((n,), 5.0), 0.25, targets)
    exercises.check_always_benign(lambda n: torch.full((n,), 5.0), 0.75, targets)


def _double_sigmoid():
    return nn.Sequential(
        nn.Linear(30, 30), nn.ReLU(), nn.Linear(30, 15), nn.ReLU(), nn.Linear(15, 1), nn.Sigmoid()
    )


def test_double_sigmoid_wants_the_sigmoid():
    def plain():
        return nn.Sequential(
            nn.Linear(30, 30), nn.ReLU(), nn.Linear(30, 15), nn.ReLU(), nn.Linear(15, 1)
        )

    with pytest.raises(CheckFailed, match="should end with nn.Sigmoid"):
        exercises.check_double_sigmoid(plain, 0.3133)


def test_double_sigmoid_wants_the_floor():
    with pytest.raises(CheckFailed, match="can never reach 0"):
        exercises.check_double_sigmoid(_double_sigmoid, 0.0)
    with pytest.raises(CheckFailed, match="malignant"):
        exercises.check_double_sigmoid(_double_sigmoid, math.log(2))
    exercises.check_double_sigmoid(
        _double_sigmoid, -math.log(torch.sigmoid(torch.tensor(1.0)).item())
    )


def test_val_and_test_accuracy_wants_both_keys():
    with pytest.raises(CheckFailed, match='keys "validation" and "test"'):
        exercises.check_val_and_test_accuracy(lambda seed: {"validation": 1.0})


def test_val_and_test_accuracy_wants_counts_of_patients():
    with pytest.raises(CheckFailed, match="no count of right answers"):
        exercises.check_val_and_test_accuracy(lambda seed: {"validation": 0.95, "test": 0.95})
    exercises.check_val_and_test_accuracy(lambda seed: {"validation": 84 / 86, "test": 80 / 86})


def test_raw_val_accuracy_wants_a_spread():
    with pytest.raises(CheckFailed, match="nearly the same each time"):
        exercises.check_raw_val_accuracy(lambda seed: 0.8, 0.95)
    with pytest.raises(CheckFailed, match="as good as standardised"):
        exercises.check_raw_val_accuracy(lambda seed: 0.9 + seed / 30, 0.95)
    exercises.check_raw_val_accuracy(lambda seed: [0.5, 0.7, 0.9][seed], 0.95)


def _zero_model(*args):
    model = nn.Linear(30, 1)
    nn.init.zeros_(model.weight)
    nn.init.constant_(model.bias, -1.0)  # malignant for everyone
    return model


def test_full_batch_wants_a_trained_model(splits):
    torch.manual_seed(0)
    with pytest.raises(CheckFailed, match="expected above 0.9"):
        exercises.check_full_batch(_zero_model, splits)


def test_full_batch_passes(splits):
    def train(X_train, y_train, X_val, y_val):
        torch.manual_seed(0)
        model = nn.Linear(30, 1)
        sgd = torch.optim.SGD(model.parameters(), lr=0.01)
        for _ in range(100):
            sgd.zero_grad()
            nn.functional.binary_cross_entropy_with_logits(
                model(X_train).squeeze(1), y_train
            ).backward()
            sgd.step()
        return model

    with pytest.raises(CheckFailed, match="31"):
        exercises.check_full_batch(lambda *args: nn.Linear(30, 2), splits)
    exercises.check_full_batch(train, splits)
