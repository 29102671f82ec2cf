import pytest
import torch
from torch import nn

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import non_linear as exercises


def _net(activation, widths=(1, 20, 20, 1)):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(widths) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


@pytest.fixture
def curve():
    X = torch.linspace(-2, 2, 100).unsqueeze(1)
    return X, X.squeeze(1) ** 2


def _trained(net, X, y, num_steps=300):
    optimizer = torch.optim.Adam(net.parameters(), lr=0.03)
    for _ in range(num_steps):
        optimizer.zero_grad()
        ((net(X).squeeze(1) - y) ** 2).mean().backward()
        optimizer.step()
    return net


def test_relu_network_fails_on_the_starter(curve):
    with pytest.raises(CheckFailed, match="relu_net is ...: the exercise is not done yet"):
        exercises.check_relu_network(..., *curve, 1.0)


def test_relu_network_refuses_sigmoids(curve):
    torch.manual_seed(0)
    with pytest.raises(CheckFailed, match="activations are not ReLU") as error:
        exercises.check_relu_network(_net(nn.Sigmoid), *curve, 1.0)
    assert "activation=nn.ReLU" in error.value.hint


def test_relu_network_refuses_other_widths(curve):
    with pytest.raises(CheckFailed, match=r"layer widths \[1, 20, 1\], expected \[1, 20, 20, 1\]"):
        exercises.check_relu_network(_net(nn.ReLU, (1, 20, 1)), *curve, 1.0)


def test_relu_network_must_beat_the_sigmoid_network(curve):
    torch.manual_seed(0)
    with pytest.raises(CheckFailed, match="not below the sigmoid network's 0.00") as error:
        exercises.check_relu_network(_net(nn.ReLU), *curve, 0.0)
    assert "lr=0.03" in error.value.hint


def test_relu_network_passes(curve, capsys):
    torch.manual_seed(0)
    net = _trained(_net(nn.ReLU), *curve)
    exercises.check_relu_network(net, *curve, 0.5)
    assert "1-20-20-1 with ReLU" in capsys.readouterr().out


def test_count_parameters_fails_on_the_starter():
    def count_parameters(sizes): ...

    with pytest.raises(CheckFailed, match=r"count_parameters\(\[1, 3, 1\]\) is None"):
        exercises.check_count_parameters(count_parameters)


def test_count_parameters_asks_about_the_biases():
    def count_parameters(sizes):
        return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))

    with pytest.raises(CheckFailed, match="returned 6, expected 10") as error:
        exercises.check_count_parameters(count_parameters)
    assert "biases" in error.value.hint


def test_count_parameters_leaves_the_random_numbers_alone(capsys):
    def count_parameters(sizes):
        return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))

    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    exercises.check_count_parameters(count_parameters)
    assert torch.equal(torch.rand(1), expected)
    assert "the counts match" in capsys.readouterr().out


def _collapse(stack):
    A, a = stack[0].weight.detach(), stack[0].bias.detach()
    B, b = stack[1].weight.detach(), stack[1].bias.detach()
    return B @ A, B @ a + b


def test_collapse_fails_on_the_starter(curve):
    def collapse(stack): ...

    with pytest.raises(CheckFailed, match="the exercise is not done yet"):
        exercises.check_collapse(collapse, curve[0])


def test_collapse_says_when_the_first_bias_is_forgotten(curve):
    def collapse(stack):
        W, _ = _collapse(stack)
        return W, stack[1].bias.detach()

    with pytest.raises(CheckFailed, match="W is right but b is not") as error:
        exercises.check_collapse(collapse, curve[0])
    assert "B @ a + b2" in error.value.hint


def test_collapse_says_when_the_product_is_reversed(curve):
    def collapse(stack):
        _, b = _collapse(stack)
        return (stack[0].weight.T @ stack[1].weight.T).detach(), b

    with pytest.raises(CheckFailed, match="W has shape"):
        exercises.check_collapse(collapse, curve[0])


def test_collapse_passes(curve, capsys):
    exercises.check_collapse(_collapse, curve[0])
    assert "W = B A" in capsys.readouterr().out


def _sigmoid_slope(z):
    s = torch.sigmoid(z)
    return s * (1 - s)


def _tanh_slope(z):
    return 1 - torch.tanh(z) ** 2


def test_slopes_fail_on_the_starter():
    def sigmoid_slope(z): ...

    def tanh_slope(z): ...

    with pytest.raises(CheckFailed, match=r"sigmoid_slope\(z\) is None"):
        exercises.check_slopes(sigmoid_slope, tanh_slope, ...)


def test_slopes_say_where_a_derivative_is_wrong():
    with pytest.raises(CheckFailed, match=r"tanh_slope\(z\) differs from autograd's") as error:
        exercises.check_slopes(_sigmoid_slope, lambda z: 1 - torch.tanh(z), 4.6)
    assert "1 - tanh(z) ** 2" in error.value.hint


def test_slopes_check_the_threshold():
    with pytest.raises(CheckFailed, match="flat_from is 2.00, expected about 4.60"):
        exercises.check_slopes(_sigmoid_slope, _tanh_slope, 2.0)


def test_slopes_pass(capsys):
    exercises.check_slopes(_sigmoid_slope, _tanh_slope, 4.6)
    assert "|z| > 4.60" in capsys.readouterr().out
