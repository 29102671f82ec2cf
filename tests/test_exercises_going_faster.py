"""Tests for the chapter 16 exercise checks: each fails on a wrong answer and passes a right one."""

import time

import pytest
import torch
from torch import nn
from torch.profiler import ProfilerActivity, profile

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import going_faster as exercises
from practical_dl.timing import measure


def _failure(check, *args) -> str:
    with pytest.raises(CheckFailed) as failure:
        check(*args)
    return str(failure.value)


def _cnn() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 8 * 8, 10)
    )


X = torch.randn(32, 1, 8, 8, generator=torch.Generator().manual_seed(0))


# Exercise 1: profile evaluation.


def _right_profile(model, X):
    model.eval()
    with profile(activities=[ProfilerActivity.CPU]) as prof, torch.inference_mode():
        model(X)
    return prof


def _no_grad_profile(model, X):
    model.eval()
    with profile(activities=[ProfilerActivity.CPU]) as prof, torch.no_grad():
        model(X)
    return prof


def _training_profile(model, X):
    model.train()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        model(X).sum().backward()
    return prof


def test_eval_profile_passes(capsys):
    exercises.check_eval_profile(_right_profile, _cnn(), X)
    assert "none of them *_backward" in capsys.readouterr().out


def test_eval_profile_fails_without_inference_mode():
    assert "inference_mode" in _failure(exercises.check_eval_profile, _no_grad_profile, _cnn(), X)


def test_eval_profile_fails_in_training_mode():
    message = _failure(exercises.check_eval_profile, _training_profile, _cnn(), X)
    assert "inference_mode" in message or "training mode" in message


def test_eval_profile_fails_on_the_starter():
    assert "not done yet" in _failure(exercises.check_eval_profile, lambda m, x: ..., _cnn(), X)


def test_eval_profile_rejects_a_non_model():
    with pytest.raises(TypeError, match="model"):
        exercises.check_eval_profile(_right_profile, "model", X)


# Exercise 2: bfloat16 for inference only.


def _bf16_effect(net, X, autocast=True, absolute=True):
    net.eval()
    with torch.inference_mode():
        logits_32 = net(X)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            logits_16 = net(X).float()
    difference = logits_32 - logits_16
    changed = (logits_32.argmax(1) != logits_16.argmax(1)).sum().item()
    return changed, (difference.abs() if absolute else difference).max().item()


def test_bf16_effect_passes(capsys):
    exercises.check_bf16_effect(_bf16_effect, _cnn(), X)
    assert "predictions change" in capsys.readouterr().out


def test_bf16_effect_fails_without_autocast():
    message = _failure(
        exercises.check_bf16_effect, lambda n, x: _bf16_effect(n, x, autocast=False), _cnn(), X
    )
    assert "both ran in float32" in message


def test_bf16_effect_fails_on_a_wrong_count():
    message = _failure(
        exercises.check_bf16_effect,
        lambda n, x: (_bf16_effect(n, x)[0] + 5, _bf16_effect(n, x)[1]),
        _cnn(),
        X,
    )
    assert "differing predictions" in message


def test_bf16_effect_fails_on_one_value():
    message = _failure(exercises.check_bf16_effect, lambda n, x: 3, _cnn(), X)
    assert "two numbers" in message


# Exercise 3: how much do repeats matter?


def _measure_twice(fn, *args, repeat):
    return measure(fn, *args, repeat=repeat), measure(fn, *args, repeat=repeat)


def test_measure_twice_passes(capsys):
    exercises.check_measure_twice(_measure_twice)
    assert "two separate measurements" in capsys.readouterr().out


def test_measure_twice_fails_when_measuring_once():
    def once(fn, *args, repeat):
        timing = measure(fn, *args, repeat=repeat)
        return timing, timing

    assert "same Timing twice" in _failure(exercises.check_measure_twice, once)


def test_measure_twice_fails_when_repeat_is_ignored():
    def default_repeat(fn, *args, repeat):
        return measure(fn, *args), measure(fn, *args)

    assert "3 times" in _failure(exercises.check_measure_twice, default_repeat)


def test_measure_twice_fails_on_the_starter():
    assert "not done yet" in _failure(exercises.check_measure_twice, lambda fn, *a, repeat: None)


# Exercise 4: workers for waiting.


class Digits(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, index):
        return self.X[index], self.y[index]


class Slow(Digits):
    def __getitem__(self, index):
        time.sleep(0.003)
        return super().__getitem__(index)


class TooSlow(Digits):
    def __getitem__(self, index):
        time.sleep(3)  # 3 seconds, not 3 ms (never waits: the check records it)
        return super().__getitem__(index)


def test_slow_dataset_passes(capsys):
    exercises.check_slow_dataset(Slow, 128 * 0.003)
    assert "0.384 s" in capsys.readouterr().out


def test_slow_dataset_fails_without_a_pause():
    assert "paused 0 times" in _failure(exercises.check_slow_dataset, Digits, 0.384)


def test_slow_dataset_fails_on_seconds_not_milliseconds():
    assert "0.003 s" in _failure(exercises.check_slow_dataset, TooSlow, 0.384)


def test_slow_dataset_fails_on_a_wrong_sum():
    assert "expected 0.384" in _failure(exercises.check_slow_dataset, Slow, 128 * 3)


def test_slow_dataset_fails_on_the_starter():
    assert "not done yet" in _failure(exercises.check_slow_dataset, Slow, ...)


def test_slow_dataset_restores_time_sleep():
    real_sleep = time.sleep
    _failure(exercises.check_slow_dataset, Digits, 0.384)
    assert time.sleep is real_sleep
