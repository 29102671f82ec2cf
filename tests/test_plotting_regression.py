import numpy as np
import pytest
import torch

from practical_dl.plotting.regression import plot_loss_curve, plot_regression


def test_data_only_draws_points_and_no_legend():
    X = np.arange(5.0)[:, None]
    ax = plot_regression(X, 2 * X[:, 0], title="data")
    assert len(ax.collections) == 1
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 1], [0, 2, 4, 6, 8])
    assert ax.get_legend() is None
    assert ax.figure.get_label() == "data"


def test_fitted_line_is_sorted_by_x_and_accepts_tensors():
    X = torch.tensor([[3.0], [1.0], [2.0]])
    y = torch.tensor([6.0, 2.0, 4.0])
    y_hat = (X * 2).requires_grad_()  # a tensor that needs grad must still plot
    ax = plot_regression(X, y, y_hat)
    (line,) = ax.lines
    np.testing.assert_allclose(line.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(line.get_ydata(), [2, 4, 6])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["data", "fit"]


def test_several_fits_get_one_labelled_line_each():
    X = np.linspace(0, 1, 10)
    ax = plot_regression(X, X, {"scikit-learn": X, "PyTorch": X + 0.1})
    assert [line.get_label() for line in ax.lines] == ["scikit-learn", "PyTorch"]


def test_plot_regression_rejects_bad_shapes():
    expected = r"X must have shape \(n,\) or \(n, 1\) with n >= 1, got shape \(5, 3\)"
    with pytest.raises(ValueError, match=expected):
        plot_regression(np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match=r"y must hold 5 values, one per point, got 4"):
        plot_regression(np.zeros(5), np.zeros(4))
    with pytest.raises(ValueError, match=r"y_pred must have shape"):
        plot_regression(np.zeros(5), np.zeros(5), np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"y_pred\['a'\] must hold 5 values, one per point, got 6"):
        plot_regression(np.zeros(5), np.zeros(5), {"a": np.zeros(6)})


def test_loss_curve_plots_every_value():
    ax = plot_loss_curve([4.0, 2.0, 1.0], title="loss")
    (line,) = ax.lines
    np.testing.assert_allclose(line.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(line.get_ydata(), [4, 2, 1])
    assert ax.get_yscale() == "linear"
    assert ax.figure.get_label() == "loss"


def test_loss_curve_log_scale():
    ax = plot_loss_curve(torch.tensor([1.0, 0.1, 0.01]), log_scale=True)
    assert ax.get_yscale() == "log"


def test_loss_curve_rejects_bad_input():
    with pytest.raises(
        ValueError, match=r"losses must be a non-empty 1-D sequence, got shape \(0,\)"
    ):
        plot_loss_curve([])
    with pytest.raises(ValueError, match="got shape \\(2, 2\\)"):
        plot_loss_curve(np.ones((2, 2)))
    with pytest.raises(ValueError, match="value 1 is inf; the training diverged"):
        plot_loss_curve([1.0, float("inf")])
    with pytest.raises(
        ValueError, match=r"losses must be positive with log_scale=True, got a minimum of 0"
    ):
        plot_loss_curve([1.0, 0.0], log_scale=True)
