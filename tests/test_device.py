import pytest
import torch
from torch import nn

from practical_dl import get_device
from practical_dl.device import available_devices, model_device


def test_available_devices_always_has_the_cpu():
    usable = available_devices()
    assert set(usable) == {"cuda", "mps", "cpu"} and usable["cpu"] is True


def test_get_device_picks_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert get_device() == torch.device("mps")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert get_device() == torch.device("cpu")


def test_get_device_prefer():
    assert get_device(prefer="cpu") == torch.device("cpu")
    assert get_device(prefer="meta") == torch.device("meta")
    with pytest.raises(
        ValueError, match=r"prefer must be one of 'cuda', 'mps', 'cpu', 'meta', got"
    ):
        get_device(prefer="gpu")


def test_get_device_prefer_a_missing_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match=r"prefer must name a device .* got 'cuda' \(str\)"):
        get_device(prefer="cuda")


def test_model_device_of_a_model_without_tensors_is_the_cpu():
    assert model_device(nn.ReLU()) == torch.device("cpu")


@pytest.mark.gpu_path
def test_model_device_looks_at_parameters_and_buffers():
    assert model_device(nn.Linear(2, 1).to("meta")).type == "meta"
    # A module with buffers only (its state, no weights) still has a device.
    norm = nn.BatchNorm1d(3, affine=False).to("meta")
    assert not list(norm.parameters())
    assert model_device(norm).type == "meta"


@pytest.mark.gpu_path
def test_model_device_refuses_a_model_spread_over_devices():
    model = nn.Linear(2, 1).to("meta")
    model.register_buffer("scale", torch.ones(1))  # added after .to(): left on the CPU
    with pytest.raises(ValueError) as error:
        model_device(model)
    message = str(error.value)
    assert message.startswith("model must have all its parameters and buffers on one device")
    assert "weight on meta" in message and "scale on cpu" in message


def test_model_device_rejects_a_non_module():
    with pytest.raises(TypeError, match=r"model must be an nn.Module, got"):
        model_device(torch.zeros(2))
