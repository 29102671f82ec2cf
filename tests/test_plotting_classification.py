import numpy as np
import pytest
import torch
from torch import nn

from practical_dl.plotting.classification import (
    plot_data_2d,
    plot_decision_boundary,
    predict_grid,
)


def _points(n: int = 20) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] > 0).astype(int)
    return X, y


class _LeftRight(nn.Module):
    """Logit = 10 * x1: class 1 on the right of the vertical axis."""

    def forward(self, x):
        return 10 * x[:, :1]


class _Quadrants(nn.Module):
    """Four logits picking the quadrant: 0 top-right, 1 top-left, 2 bottom-left, 3 bottom-right."""

    def forward(self, x):
        a, b = x[:, 0], x[:, 1]
        return 10 * torch.stack([a + b, -a + b, -a - b, a - b], dim=1)


def test_scatter_draws_one_collection_per_class():
    X, y = _points()
    ax = plot_data_2d(torch.tensor(X), torch.tensor(y), title="points")
    assert len(ax.collections) == 2
    assert ax.get_title() == "points"
    assert sum(len(c.get_offsets()) for c in ax.collections) == len(X)


def test_binary_grid_probabilities_follow_the_model():
    X, _ = _points()
    xx, yy, p = predict_grid(_LeftRight(), X, resolution=21)
    assert xx.shape == yy.shape == p.shape == (21, 21)
    assert np.all(p[xx > 0.2] > 0.8)
    assert np.all(p[xx < -0.2] < 0.2)


def test_multiclass_grid_sums_to_one_and_finds_quadrants():
    X, _ = _points()
    xx, yy, p = predict_grid(_Quadrants(), X, resolution=31)
    assert p.shape == (31, 31, 4)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-5)
    classes = p.argmax(axis=-1)
    assert np.all(classes[(xx > 0.5) & (yy > 0.5)] == 0)
    assert np.all(classes[(xx < -0.5) & (yy < -0.5)] == 2)


@pytest.mark.parametrize("model", [_LeftRight(), _Quadrants()])
def test_decision_boundary_draws_and_keeps_model_mode(model):
    X, y = _points()
    model.train()
    ax = plot_decision_boundary(model, X, y, title="boundary", resolution=30)
    assert ax.get_title() == "boundary"
    assert model.training
    assert len(ax.collections) >= 2  # shading or contour, plus the data


def test_model_on_meta_grid_runs_on_its_device():
    model = nn.Linear(2, 1).to("meta")
    with pytest.raises(NotImplementedError):
        # The grid is sent to the model's device; meta has no values to plot.
        predict_grid(model, np.zeros((3, 2)), resolution=4)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (
            np.zeros((5, 3)),
            np.zeros(5),
            r"X must have shape \(n, 2\), got shape \(5, 3\)",
        ),
        (np.zeros(5), np.zeros(5), r"X must have shape \(n, 2\), got shape \(5,\)"),
        (
            np.zeros((5, 2)),
            np.zeros(4),
            r"y must have shape \(5,\), got shape \(4,\)",
        ),
        (np.zeros((5, 2)), np.zeros((5, 1)), r"y must have shape \(5,\), got shape \(5, 1\)"),
        (
            np.zeros((5, 2)),
            np.full(5, 0.5),
            r"y must hold class indices 0, 1, 2, ..., got an array",
        ),
    ],
)
def test_wrong_shapes_raise_clear_errors(X, y, message):
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(_LeftRight(), X, y)


def test_wrong_model_output_is_reported():
    class Flat(nn.Module):
        def forward(self, x):
            return x[:, 0]

    with pytest.raises(ValueError, match=r"model must return logits of shape \(m, 1\) or \(m, C\)"):
        predict_grid(Flat(), np.zeros((4, 2)), resolution=3)


def test_scatter_rejects_three_features():
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        plot_data_2d(np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"X must hold at least one point"):
        plot_data_2d(np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(TypeError, match=r"resolution must be an int >= 2, got 2.5"):
        predict_grid(nn.Linear(2, 1), np.zeros((4, 2)), resolution=2.5)
