import pytest
import torch
from torch import nn

from practical_dl.plotting.activations import activation_name, derivative, plot_activations

X = torch.linspace(-4, 4, 81)


def test_sigmoid_derivative_matches_the_formula():
    y, dy = derivative(nn.Sigmoid(), X)
    torch.testing.assert_close(dy, y * (1 - y))
    assert dy.max().item() == pytest.approx(0.25)


def test_tanh_derivative_matches_the_formula():
    y, dy = derivative(torch.tanh, X)
    torch.testing.assert_close(dy, 1 - y**2)


def test_relu_derivative_is_a_step_with_zero_at_zero():
    _, dy = derivative(nn.ReLU(), torch.tensor([-1.0, 0.0, 2.0]))
    assert dy.tolist() == [0.0, 0.0, 1.0]


def test_softplus_derivative_is_the_sigmoid():
    _, dy = derivative(nn.Softplus(), X)
    torch.testing.assert_close(dy, torch.sigmoid(X))


def test_derivative_does_not_touch_the_input():
    x = torch.linspace(-1, 1, 5)
    derivative(nn.Tanh(), x)
    assert not x.requires_grad and x.grad is None


def test_names():
    assert activation_name(nn.LeakyReLU()) == "LeakyReLU"
    assert activation_name(torch.tanh) == "tanh"


def test_gallery_has_one_visible_panel_per_activation():
    acts = [nn.Sigmoid(), nn.Tanh(), nn.Softplus(), nn.ReLU(), nn.GELU()]
    fig = plot_activations(acts, ncols=3)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["Sigmoid", "Tanh", "Softplus", "ReLU", "GELU"]
    assert all(len(ax.lines) == 4 for ax in visible)  # two axes lines, f and f'
    assert "ReLU" in fig.get_label()


@pytest.mark.parametrize(
    ("x", "error", "message"),
    [
        (
            torch.zeros(3, 2),
            ValueError,
            r"x must be a 1-D floating-point tensor, got a tensor of shape \(3, 2\)",
        ),
        (torch.arange(5), ValueError, r"floating-point tensor, got .*torch.int64"),
        ([0.0, 1.0], TypeError, r"got \[0.0, 1.0\] \(list\)"),
    ],
)
def test_bad_points_raise(x, error, message):
    with pytest.raises(error, match=message):
        derivative(nn.ReLU(), x)


def test_class_instead_of_instance_is_explained():
    with pytest.raises(TypeError, match=r"activation must be an instance, for example ReLU\(\)"):
        plot_activations([nn.ReLU])


def test_non_elementwise_function_is_rejected():
    with pytest.raises(ValueError, match="element-wise"):
        derivative(torch.sum, X)


def test_empty_gallery_is_rejected():
    with pytest.raises(ValueError, match=r"activations must hold at least one"):
        plot_activations([])
    with pytest.raises(TypeError, match=r"ncols must be a positive int, got 2.5"):
        plot_activations([nn.ReLU()], ncols=2.5)
