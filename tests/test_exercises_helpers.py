"""The shared helpers the chapters' exercise checks are built from."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from practical_dl.exercises import CheckFailed, check_module
from practical_dl.exercises._calls import TorchCalls


def test_check_module_returns_a_network_and_names_anything_else():
    net = nn.Linear(2, 1)
    assert check_module("net", net) is net
    with pytest.raises(CheckFailed, match=r"net should be a network \(an nn.Module\), got int"):
        check_module("net", 3, "build it with nn.Sequential")
    with pytest.raises(CheckFailed, match="not done yet"):
        check_module("net", ...)


def test_torch_calls_records_each_function_and_method_called():
    with TorchCalls() as calls:
        torch.zeros(2).add(1)
    assert "zeros" in calls.names and "add" in calls.names
