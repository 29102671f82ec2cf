import os
import random
import subprocess
import sys

import numpy as np
import pytest
import torch

from practical_dl import deterministic, seed_everything
from practical_dl.seed import DeterministicMode


@pytest.fixture(autouse=True)
def _restore_global_settings(monkeypatch):
    """Every test leaves the process as it found it, whatever it switches."""
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)  # monkeypatch puts it back after
    enabled = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    benchmark = torch.backends.cudnn.benchmark
    yield
    torch.use_deterministic_algorithms(enabled, warn_only=warn_only)
    torch.backends.cudnn.benchmark = benchmark


def test_same_seed_same_draws():
    assert seed_everything(7) == 7
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    seed_everything(7)
    assert first == (random.random(), np.random.rand(), torch.rand(1).item())


@pytest.mark.parametrize(
    "seed, error",
    [(-1, ValueError), (2**32, ValueError), (True, TypeError), (1.5, TypeError), ("1", TypeError)],
)
def test_bad_seeds(seed, error):
    with pytest.raises(error, match=r"seed must be an int in \[0, 2\*\*32\), got "):
        seed_everything(seed)


def test_pythonhashseed_reaches_new_processes_only():
    before = hash("practical")
    seed_everything(3)
    assert os.environ["PYTHONHASHSEED"] == "3"
    assert hash("practical") == before  # this process hashes as it did
    code = "print(hash('practical'))"
    run = [sys.executable, "-c", code]
    child = [subprocess.run(run, capture_output=True, text=True, check=True).stdout for _ in "ab"]
    assert child[0] == child[1]  # a new interpreter reads the variable: the same hash each time


def test_deterministic_is_a_context_manager_that_restores():
    assert not torch.are_deterministic_algorithms_enabled()
    torch.backends.cudnn.benchmark = True
    with deterministic() as mode:
        assert isinstance(mode, DeterministicMode) and mode.enabled
        assert torch.are_deterministic_algorithms_enabled()
        assert not torch.backends.cudnn.benchmark
        assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
    assert not torch.are_deterministic_algorithms_enabled()
    assert torch.backends.cudnn.benchmark
    assert "CUBLAS_WORKSPACE_CONFIG" not in os.environ


def test_deterministic_restore_by_hand_and_nesting():
    outer = deterministic(warn_only=True)
    assert torch.is_deterministic_algorithms_warn_only_enabled()
    with deterministic(False):
        assert not torch.are_deterministic_algorithms_enabled()
    assert torch.are_deterministic_algorithms_enabled()  # the outer setting is back
    assert torch.is_deterministic_algorithms_warn_only_enabled()
    outer.restore()
    outer.restore()  # a second restore changes nothing
    assert not torch.are_deterministic_algorithms_enabled()


def test_deterministic_keeps_a_cublas_setting_of_your_own(monkeypatch):
    monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", ":16:8")
    with deterministic():
        assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":16:8"
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":16:8"


def test_cpu_training_ops_run_in_deterministic_mode():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    with deterministic():
        model(torch.randn(5, 3)).sum().backward()
        x = torch.zeros(4).index_add_(0, torch.tensor([0, 0, 1]), torch.ones(3))
    assert x.tolist() == [2.0, 1.0, 0.0, 0.0]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_runs_repeat_bit_for_bit_in_deterministic_mode():
    def run():
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 1)
        ).cuda()
        x = torch.randn(512, 64, device="cuda")
        index = torch.randint(0, 8, (512,), device="cuda")
        model(x).sum().backward()
        scattered = torch.zeros(8, 64, device="cuda").index_add_(0, index, x)
        return model[0].weight.grad.cpu(), scattered.cpu()

    with deterministic():
        first, second = run(), run()
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))


def test_seed_everything_deterministic_switch_on_and_off():
    seed_everything(0, deterministic=True)
    assert torch.are_deterministic_algorithms_enabled()
    seed_everything(0)  # None: leaves the setting as it is
    assert torch.are_deterministic_algorithms_enabled()
    seed_everything(0, deterministic=False)
    assert not torch.are_deterministic_algorithms_enabled()
    with pytest.raises(TypeError, match=r"deterministic must be None, True or False, got 1"):
        seed_everything(0, deterministic=1)
    with pytest.raises(TypeError, match=r"enabled must be True or False, got 'yes' \(str\)"):
        deterministic("yes")
