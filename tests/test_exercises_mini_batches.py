import csv

import pytest
import torch
from torch import nn
from torch.utils.data import (
    DataLoader,
    IterableDataset,
    TensorDataset,
    get_worker_info,
    random_split,
)

from practical_dl import seed_everything
from practical_dl.exercises import CheckFailed
from practical_dl.exercises import mini_batches as exercises
from practical_dl.training import fit


class CsvStream(IterableDataset):
    def __init__(self, path):
        self.path = path

    def __iter__(self):
        with open(self.path, newline="") as file:
            for row in csv.DictReader(file):
                y = float(row.pop("y"))
                yield torch.tensor([float(v) for v in row.values()]), torch.tensor(y)


class ShardedCsvStream(CsvStream):
    def __iter__(self):
        info = get_worker_info()
        worker, n_workers = (0, 1) if info is None else (info.id, info.num_workers)
        for i, sample in enumerate(super().__iter__()):
            if i % n_workers == worker:
                yield sample


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "table.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["x1", "y"])
        writer.writerows([[i / 10, i] for i in range(40)])
    return path


def test_sharded_stream_fails_on_the_starter(table):
    class Starter(CsvStream):
        def __iter__(self): ...

    with pytest.raises(CheckFailed, match="returned None: the exercise is not done yet"):
        exercises.check_sharded_stream(Starter, table)


def test_sharded_stream_says_when_every_worker_reads_every_row(table):
    with pytest.raises(CheckFailed, match="every row twice") as error:
        exercises.check_sharded_stream(CsvStream, table)
    assert "get_worker_info()" in error.value.hint


def test_sharded_stream_says_when_no_worker_is_assumed(table):
    class NoneWorker(CsvStream):
        def __iter__(self):
            info = get_worker_info()
            for i, sample in enumerate(super().__iter__()):
                if i % info.num_workers == info.id:
                    yield sample

    with pytest.raises(CheckFailed, match="without workers.*AttributeError") as error:
        exercises.check_sharded_stream(NoneWorker, table)
    assert "returns None" in error.value.hint


def test_sharded_stream_passes(table, capsys):
    exercises.check_sharded_stream(ShardedCsvStream, table)
    assert "each of the 40 rows exactly once" in capsys.readouterr().out


@pytest.fixture
def one_feature():
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(500, 1, generator=generator)
    y = 45 * X.squeeze(1) + 10 * torch.randn(500, generator=generator)
    return X, y


def _full_batch_error(X, y):
    seed_everything(0)
    model = nn.Linear(1, 1)
    criterion = nn.MSELoss()
    loader = DataLoader(TensorDataset(X, y), batch_size=500, shuffle=True)
    fit(model, loader, criterion, torch.optim.SGD(model.parameters(), lr=0.02), epochs=30)
    with torch.no_grad():
        return criterion(model(X).squeeze(1), y).item()


def _right_answers(X, y):
    design = torch.cat([torch.ones(len(X), 1), X], dim=1).double()
    coef = torch.linalg.lstsq(design, y.double()[:, None]).solution
    best = ((design @ coef).squeeze(1) - y.double()).pow(2).mean().item()
    updates = {10: 1500, 50: 300, 500: 30}
    errors = {10: 1.002 * best, 50: 1.001 * best, 500: _full_batch_error(X, y)}
    keep = 1 - 0.02 * 2 * (X**2).mean().item()
    return updates, errors, keep


def test_batch_sizes_fails_on_the_starter(one_feature):
    with pytest.raises(CheckFailed, match="updates is ...: the exercise is not done yet"):
        exercises.check_batch_sizes(..., ..., ..., *one_feature)


def test_batch_sizes_says_how_to_count_updates(one_feature):
    updates, errors, keep = _right_answers(*one_feature)
    updates[10] = 50
    with pytest.raises(CheckFailed, match=r"updates\[10\]: expected 1500, got 50") as error:
        exercises.check_batch_sizes(updates, errors, keep, *one_feature)
    assert "one update per batch" in error.value.hint


def test_batch_sizes_refuses_an_error_below_least_squares(one_feature):
    updates, errors, keep = _right_answers(*one_feature)
    errors[50] = 1.0
    with pytest.raises(CheckFailed, match="the least-squares error that no line can beat"):
        exercises.check_batch_sizes(updates, errors, keep, *one_feature)


def test_batch_sizes_says_when_the_full_batch_run_differs(one_feature):
    updates, errors, keep = _right_answers(*one_feature)
    errors[500] *= 1.5
    with pytest.raises(CheckFailed, match="full-batch updates at lr=0.02") as error:
        exercises.check_batch_sizes(updates, errors, keep, *one_feature)
    assert "seed_everything(0)" in error.value.hint


def test_batch_sizes_checks_the_factor(one_feature):
    updates, errors, keep = _right_answers(*one_feature)
    with pytest.raises(CheckFailed, match="keep is"):
        exercises.check_batch_sizes(
            updates, errors, 1 - 0.02 * (one_feature[0] ** 2).mean(), *one_feature
        )
    exercises.check_batch_sizes(updates, errors, keep, *one_feature)


def test_batch_sizes_passes(one_feature, capsys):
    exercises.check_batch_sizes(*_right_answers(*one_feature), *one_feature)
    assert "1500, 300 and 30 updates" in capsys.readouterr().out


@pytest.fixture
def split_and_curves(one_feature):
    dataset = TensorDataset(*one_feature)
    train_set, val_set = random_split(
        dataset, [400, 100], generator=torch.Generator().manual_seed(0)
    )
    curves = {
        "train_loss": [100.0 - i for i in range(20)],
        "val_loss": [110.0 - i for i in range(20)],
    }
    return dataset, train_set, val_set, curves


def test_train_val_split_fails_on_the_starter(split_and_curves):
    with pytest.raises(CheckFailed, match="train_set is ...: the exercise is not done yet"):
        exercises.check_train_val_split(..., ..., ..., ...)


def test_train_val_split_refuses_the_wrong_sizes(split_and_curves):
    dataset, _, _, curves = split_and_curves
    train_set, val_set = random_split(dataset, [0.5, 0.5])
    with pytest.raises(CheckFailed, match=r"len\(train_set\): expected 400, got 250"):
        exercises.check_train_val_split(train_set, val_set, curves, False)


def test_train_val_split_explains_the_order_question(split_and_curves):
    _, train_set, val_set, curves = split_and_curves
    with pytest.raises(CheckFailed, match="order_matters: expected False, got True") as error:
        exercises.check_train_val_split(train_set, val_set, curves, True)
    assert "mean" in error.value.hint


def test_train_val_split_passes(split_and_curves, capsys):
    _, train_set, val_set, curves = split_and_curves
    exercises.check_train_val_split(train_set, val_set, curves, False)
    assert "400/100 split" in capsys.readouterr().out


def test_last_batch_shares_fails_on_the_starter():
    with pytest.raises(CheckFailed, match="plain_last is ...: the exercise is not done yet"):
        exercises.check_last_batch_shares(..., ...)


def test_last_batch_shares_asks_about_the_row_order():
    with pytest.raises(CheckFailed, match="plain_last is 0.10, expected 1.00") as error:
        exercises.check_last_batch_shares(0.1, 0.5)
    assert "row order" in error.value.hint


def test_last_batch_shares_passes(capsys):
    exercises.check_last_batch_shares(1.0, 0.46)
    assert "1.00 class 1 in row order, 0.46 with the sampler" in capsys.readouterr().out
