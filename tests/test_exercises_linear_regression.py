import numpy as np
import pytest
import torch
from torch import nn

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import linear_regression as exercises


def _error_factor(x, lr):
    return 1 - lr * 2 * np.mean(x**2)


def test_error_factor_fails_on_the_starter():
    def error_factor(x, lr): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_error_factor(error_factor, ...)


def test_error_factor_says_when_the_squares_are_summed():
    with pytest.raises(CheckFailed, match=r"is -10, expected -1.2") as error:
        exercises.check_error_factor(lambda x, lr: 1 - lr * 2 * np.sum(x**2), 1 / 11)
    assert "mean" in error.value.hint


def test_max_stable_lr_is_checked():
    with pytest.raises(CheckFailed, match="max_stable_lr is 0.05, but the error still shrinks"):
        exercises.check_error_factor(_error_factor, 0.05)


def test_error_factor_passes(capsys):
    exercises.check_error_factor(_error_factor, 0.09)
    assert "multiplies the error by -1.2" in capsys.readouterr().out


def _intercept_gradient(x, y, w, b):
    return (2 * (w * x + b - y)).mean()


def _fit(x, y, lr, num_epochs, simultaneous=True):
    w, b = 0.0, 0.0
    for _ in range(num_epochs):
        error = w * x + b - y
        dw = (2 * x * error).mean()
        if not simultaneous:
            w = w - lr * dw
            error = w * x + b - y
        db = (2 * error).mean()
        if simultaneous:
            w = w - lr * dw
        b = b - lr * db
    return w, b


def test_intercept_fit_fails_on_the_starter():
    def intercept_gradient(x, y, w, b): ...

    def fit_with_intercept(x, y, lr, num_epochs): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_intercept_fit(intercept_gradient, fit_with_intercept)


def test_intercept_gradient_says_when_it_sums():
    with pytest.raises(CheckFailed, match="intercept_gradient") as error:
        exercises.check_intercept_fit(lambda x, y, w, b: (2 * (w * x + b - y)).sum(), _fit)
    assert "N times too large" in error.value.hint


def test_intercept_fit_refuses_a_fit_that_ignores_num_epochs():
    with pytest.raises(CheckFailed, match="gives w = "):
        exercises.check_intercept_fit(_intercept_gradient, lambda x, y, lr, n: _fit(x, y, lr, 100))


def test_intercept_fit_passes(capsys):
    exercises.check_intercept_fit(_intercept_gradient, _fit)
    assert "Check passed" in capsys.readouterr().out


def test_adam_fails_on_the_starter():
    def make_optimizer(parameters): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_adam(make_optimizer)


def test_adam_refuses_sgd():
    with pytest.raises(CheckFailed, match="is a SGD, not torch.optim.Adam"):
        exercises.check_adam(lambda parameters: torch.optim.SGD(parameters, lr=0.5))


def test_adam_refuses_another_learning_rate():
    with pytest.raises(CheckFailed, match="the learning rate is 0.01, expected 0.5"):
        exercises.check_adam(lambda parameters: torch.optim.Adam(parameters, lr=0.01))


def test_adam_passes_and_leaves_torch_rng_alone(capsys):
    state = torch.get_rng_state()
    exercises.check_adam(lambda parameters: torch.optim.Adam(parameters, lr=0.5))
    assert torch.equal(torch.get_rng_state(), state)
    assert "Adam with lr=0.5 reaches" in capsys.readouterr().out


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(1, 1))


def test_copy_model_fails_on_the_starter():
    def copy_model(model): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_copy_model(copy_model, _model())


def test_copy_model_refuses_the_model_itself():
    with pytest.raises(CheckFailed, match="is model itself, not a copy") as error:
        exercises.check_copy_model(lambda model: model, _model())
    assert "load_state_dict" in error.value.hint


def test_copy_model_refuses_shared_tensors():
    def copy_model(model):
        fresh = nn.Sequential(nn.Linear(1, 1))
        fresh[0].weight, fresh[0].bias = model[0].weight, model[0].bias
        return fresh

    with pytest.raises(CheckFailed, match="is the model's own tensor"):
        exercises.check_copy_model(copy_model, _model())


def test_copy_model_refuses_a_fresh_model_without_the_numbers():
    with pytest.raises(CheckFailed, match="differs from the model's"):
        exercises.check_copy_model(lambda model: nn.Sequential(nn.Linear(1, 1)), _model())


def test_copy_model_refuses_a_model_that_is_not_a_module():
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        exercises.check_copy_model(lambda model: model, "model")


def test_copy_model_passes(capsys):
    def copy_model(model):
        fresh = nn.Sequential(nn.Linear(1, 1))
        fresh.load_state_dict(model.state_dict())
        return fresh

    exercises.check_copy_model(copy_model, _model())
    assert "Check passed" in capsys.readouterr().out
