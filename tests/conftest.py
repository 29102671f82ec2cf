"""Shared fixtures for the helper package's tests."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")  # before any test imports pyplot: no windows, same rendering everywhere

import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test drew, so none leaks into the next test."""
    yield
    plt.close("all")
