import pandas as pd
import pytest
import torch

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import overfitting as exercises


def _my_dropout(x, p):
    mask = torch.empty_like(x).bernoulli_(1 - p)
    return x * (mask / (1 - p))


def test_my_dropout_fails_on_the_starter():
    def my_dropout(x, p): ...

    with pytest.raises(CheckFailed, match=r"my_dropout\(x, 0.3\) is None"):
        exercises.check_my_dropout(my_dropout)


def test_my_dropout_wants_the_survivors_scaled():
    with pytest.raises(CheckFailed, match="does not scale the values it keeps by 1 / \\(1 - p\\)"):
        exercises.check_my_dropout(lambda x, p: x * torch.empty_like(x).bernoulli_(1 - p))


def test_my_dropout_says_when_the_mask_is_drawn_another_way():
    def my_dropout(x, p):
        return x * (torch.rand_like(x) > p) / (1 - p)

    with pytest.raises(CheckFailed, match="zeroes other values than F.dropout") as error:
        exercises.check_my_dropout(my_dropout)
    assert "bernoulli_(1 - p)" in error.value.hint


def test_my_dropout_leaves_the_random_numbers_alone(capsys):
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    exercises.check_my_dropout(_my_dropout)
    assert torch.equal(torch.rand(1), expected)
    assert "bit for bit" in capsys.readouterr().out


def _decay_groups(model, weight_decay):
    named = list(model.named_parameters())
    return [
        {"params": [p for n, p in named if n.endswith("weight")], "weight_decay": weight_decay},
        {"params": [p for n, p in named if n.endswith("bias")], "weight_decay": 0.0},
    ]


def test_decay_groups_fails_on_the_starter():
    def decay_groups(model, weight_decay): ...

    with pytest.raises(CheckFailed, match=r"decay_groups\(model, 0.01\) is None"):
        exercises.check_decay_groups(decay_groups)


def test_decay_groups_refuses_decayed_biases():
    def decay_groups(model, weight_decay):
        return [{"params": list(model.parameters()), "weight_decay": weight_decay}]

    with pytest.raises(CheckFailed, match="the biases are decayed too") as error:
        exercises.check_decay_groups(decay_groups)
    assert "'weight_decay': 0.0" in error.value.hint


def test_decay_groups_refuses_missing_biases():
    def decay_groups(model, weight_decay):
        return _decay_groups(model, weight_decay)[:1]

    with pytest.raises(CheckFailed, match="0.bias, 2.bias, 4.bias are in no group"):
        exercises.check_decay_groups(decay_groups)


def test_decay_groups_passes(capsys):
    exercises.check_decay_groups(_decay_groups)
    assert "3 weight matrices decayed, 3 bias vectors left alone" in capsys.readouterr().out


@pytest.fixture
def history():
    val_loss = [1.0 - 0.02 * e for e in range(1, 33)] + [0.36 + 0.01 * e for e in range(1, 69)]
    return pd.DataFrame({"val_loss": val_loss}, index=pd.RangeIndex(1, 101, name="epoch"))


def test_patience_fails_on_the_starter(history):
    with pytest.raises(CheckFailed, match="restored is ...: the exercise is not done yet"):
        exercises.check_patience(..., ..., history)


def test_patience_compares_seed_0_with_the_recorded_curve(history):
    restored = {2: [30, 28, 33], 30: [30, 28, 33]}
    stopped_at = {2: [32, 30, 35], 30: [60, 58, 63]}
    with pytest.raises(CheckFailed, match="lowest validation loss .* is at epoch 32") as error:
        exercises.check_patience(restored, stopped_at, history)
    assert "seed_everything(seed)" in error.value.hint


def test_patience_checks_when_each_run_stops(history):
    restored = {2: [32, 28, 33], 30: [32, 28, 33]}
    stopped_at = {2: [34, 30, 35], 30: [62, 58, 60]}
    with pytest.raises(CheckFailed, match="run 2 restored epoch 33 and stopped at epoch 60"):
        exercises.check_patience(restored, stopped_at, history)


def test_patience_accepts_a_run_cut_short_by_the_last_epoch(history, capsys):
    restored = {2: [32, 28, 80], 30: [32, 28, 80]}
    stopped_at = {2: [34, 30, 82], 30: [62, 58, 100]}
    exercises.check_patience(restored, stopped_at, history)
    assert "restore epochs [32, 28, 80]" in capsys.readouterr().out


def test_patience_passes(history, capsys):
    restored = {2: [32, 28, 33], 30: [32, 28, 33]}
    stopped_at = {2: [34, 30, 35], 30: [62, 58, 63]}
    exercises.check_patience(restored, stopped_at, history)
    assert "[28, 28, 28] more epochs" in capsys.readouterr().out
