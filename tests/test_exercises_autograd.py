import pytest
import torch

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import autograd as exercises


def test_grad_f_fails_on_the_starter():
    def grad_f(x): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_grad_f(grad_f)


def test_grad_f_says_when_the_mean_is_forgotten():
    def grad_f(x):
        return 3 * x**2 + 2

    with pytest.raises(CheckFailed, match="autograd says") as error:
        exercises.check_grad_f(grad_f)
    assert "N = 3 times too large" in error.value.hint


def test_grad_f_refuses_autograd_inside():
    def grad_f(x):
        x = x.clone().requires_grad_()
        (x**3 + 2 * x).mean().backward()
        return x.grad

    with pytest.raises(CheckFailed, match="raised RuntimeError") as error:
        exercises.check_grad_f(grad_f)
    assert "formula" in error.value.hint


def test_grad_f_passes(capsys):
    def grad_f(x):
        return (3 * x**2 + 2) / len(x)

    exercises.check_grad_f(grad_f)
    assert "Check passed" in capsys.readouterr().out


def test_partials_fail_on_the_starter():
    def df_da(a, b): ...

    def df_db(a, b): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_partials(df_da, df_db)


def test_partials_say_when_sin_is_forgotten():
    with pytest.raises(CheckFailed, match="df_da at a = 0.5, b = -2.0 is -2.0000") as error:
        exercises.check_partials(lambda a, b: b, lambda a, b: a)
    assert "cos(a)" in error.value.hint


def test_partials_refuse_a_wrong_df_db():
    with pytest.raises(CheckFailed, match="df_db at a = 0.5"):
        exercises.check_partials(lambda a, b: b + torch.cos(a), lambda a, b: b)


def test_partials_pass(capsys):
    exercises.check_partials(lambda a, b: b + torch.cos(a), lambda a, b: a)
    assert "Check passed" in capsys.readouterr().out


def _halves(X, targets, w0, clone=True, zero=False, mean=False):
    w = torch.tensor([w0], requires_grad=True)
    reduce = torch.mean if mean else torch.sum
    reduce((X[:2] * w - targets[:2]) ** 2).backward()
    after_first = w.grad.clone() if clone else w.grad
    if zero:
        w.grad.zero_()
    reduce((X[2:] * w - targets[2:]) ** 2).backward()
    return after_first, w.grad


def test_accumulate_halves_fails_on_the_starter():
    def accumulate_halves(X, targets, w0): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_accumulate_halves(accumulate_halves)


def test_accumulate_halves_says_when_the_first_gradient_was_not_copied():
    with pytest.raises(CheckFailed, match="the gradient of all the data") as error:
        exercises.check_accumulate_halves(lambda X, t, w0: _halves(X, t, w0, clone=False))
    assert "w.grad.clone()" in error.value.hint


def test_accumulate_halves_says_when_the_gradient_was_zeroed():
    with pytest.raises(CheckFailed, match="after_both is") as error:
        exercises.check_accumulate_halves(lambda X, t, w0: _halves(X, t, w0, zero=True))
    assert "do not zero w.grad" in error.value.hint


def test_accumulate_halves_refuses_means():
    with pytest.raises(CheckFailed, match="after_first is"):
        exercises.check_accumulate_halves(lambda X, t, w0: _halves(X, t, w0, mean=True))


def test_accumulate_halves_passes(capsys):
    exercises.check_accumulate_halves(_halves)
    assert "add up" in capsys.readouterr().out


def _tanh_dw1(p, x, y, local=lambda h: 1 - h**2, with_x=True):
    h1 = torch.tanh(p["w1"] * x + p["b1"])
    h2 = torch.sigmoid(p["w2"] * x + p["b2"])
    y_hat = p["w3"] * h1 + p["w4"] * h2 + p["b3"]
    return 2 * (y_hat - y) * p["w3"] * local(h1) * (x if with_x else 1)


def test_tanh_dw1_fails_on_the_starter():
    def tanh_dw1(p, x, y): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_tanh_dw1(tanh_dw1)


def test_tanh_dw1_says_when_the_sigmoid_derivative_is_used():
    with pytest.raises(CheckFailed, match="autograd says") as error:
        exercises.check_tanh_dw1(lambda p, x, y: _tanh_dw1(p, x, y, local=lambda h: h * (1 - h)))
    assert "1 - tanh(z)**2" in error.value.hint


def test_tanh_dw1_says_when_x_is_missing():
    with pytest.raises(CheckFailed, match="autograd says") as error:
        exercises.check_tanh_dw1(lambda p, x, y: _tanh_dw1(p, x, y, with_x=False))
    assert "∂z1/∂w1 = x" in error.value.hint


def test_tanh_dw1_passes(capsys):
    exercises.check_tanh_dw1(_tanh_dw1)
    assert "Check passed" in capsys.readouterr().out
