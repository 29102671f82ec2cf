import math

import pandas as pd
import pytest
import torch
from torch import nn

from practical_dl.diagnostics import (
    GradientNormRecorder,
    LayerStatsRecorder,
    expected_initial_loss,
    gradient_norms,
    init_linear_layers,
)


def _mlp() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))


# expected_initial_loss


def test_expected_initial_loss_is_log_of_the_number_of_classes():
    assert expected_initial_loss(10) == pytest.approx(math.log(10))
    assert expected_initial_loss(2) == pytest.approx(math.log(2))


def test_expected_initial_loss_matches_cross_entropy_of_uniform_logits():
    logits = torch.zeros(5, 7)
    loss = nn.functional.cross_entropy(logits, torch.tensor([0, 1, 2, 3, 6]))
    assert loss.item() == pytest.approx(expected_initial_loss(7))


@pytest.mark.parametrize(("value", "error"), [(1, ValueError), (2.0, TypeError), (True, TypeError)])
def test_expected_initial_loss_rejects_bad_class_counts(value, error):
    with pytest.raises(error, match="num_classes must be an int >= 2"):
        expected_initial_loss(value)


# init_linear_layers


def test_default_scheme_matches_a_fresh_linear_layer():
    torch.manual_seed(1)
    fresh = nn.Linear(16, 4)
    layer = nn.Linear(16, 4)
    torch.manual_seed(1)
    init_linear_layers(layer, "default")
    assert torch.equal(layer.weight, fresh.weight) and torch.equal(layer.bias, fresh.bias)


def test_default_init_is_uniform_within_one_over_sqrt_fan_in():
    torch.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    assert layer.weight.abs().max() <= bound and layer.bias.abs().max() <= bound
    assert layer.weight.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.02)


@pytest.mark.parametrize(
    ("scheme", "kwargs", "expected_std"),
    [
        ("normal", {"std": 0.5}, 0.5),
        ("xavier", {}, math.sqrt(2 / (400 + 200))),
        ("kaiming", {}, math.sqrt(2 / 400)),
        ("kaiming", {"nonlinearity": "tanh"}, (5 / 3) / math.sqrt(400)),
    ],
)
def test_schemes_give_the_documented_weight_std_and_zero_biases(scheme, kwargs, expected_std):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(400, 200), nn.ReLU())
    returned = init_linear_layers(model, scheme, **kwargs)
    assert returned is model
    assert model[0].weight.std().item() == pytest.approx(expected_std, rel=0.02)
    assert torch.count_nonzero(model[0].bias) == 0


def test_init_leaves_other_layers_alone():
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    with torch.no_grad():
        model[1].weight.fill_(2.0)
    init_linear_layers(model, "normal", std=0.1)
    assert torch.equal(model[1].weight, torch.full((3,), 2.0))


def test_init_rejects_bad_arguments():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        init_linear_layers("net", "default")
    with pytest.raises(ValueError, match="scheme must be one of"):
        init_linear_layers(_mlp(), "he")
    with pytest.raises(ValueError, match='std must be given with scheme="normal"'):
        init_linear_layers(_mlp(), "normal")
    with pytest.raises(ValueError, match='std must be None unless scheme="normal"'):
        init_linear_layers(_mlp(), "xavier", std=0.1)
    with pytest.raises(ValueError, match="std must be a positive, finite number"):
        init_linear_layers(_mlp(), "normal", std=-1.0)
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        init_linear_layers(_mlp(), "kaiming", nonlinearity="swish")
    with pytest.raises(ValueError, match="model must contain at least one nn.Linear layer"):
        init_linear_layers(nn.Sequential(nn.ReLU()), "default")


# LayerStatsRecorder


def test_layer_stats_match_statistics_computed_by_hand():
    model = _mlp()
    X = torch.randn(32, 4, generator=torch.Generator().manual_seed(0))
    with LayerStatsRecorder(model, (nn.Tanh, nn.ReLU)) as recorder:
        loss = model(X).pow(2).mean()
        loss.backward()
    frame = recorder.to_frame()
    assert list(frame.index) == ["1", "3"] and list(frame["layer"]) == ["Tanh", "ReLU"]

    hidden = model[1](model[0](X)).detach().requires_grad_()
    out = model[2:](hidden).pow(2).mean()
    (grad,) = torch.autograd.grad(out, hidden)
    row = frame.loc["1"]
    assert row["mean"] == pytest.approx(hidden.mean().item(), abs=1e-6)
    assert row["std"] == pytest.approx(hidden.std(correction=0).item(), rel=1e-5)
    assert row["sample_std"] == pytest.approx(
        hidden.std(dim=0, correction=0).mean().item(), rel=1e-5
    )
    assert row["grad_std"] == pytest.approx(grad.std(correction=0).item(), rel=1e-4)
    assert row["grad_mean"] == pytest.approx(grad.mean().item(), abs=1e-9)


def test_layer_stats_sample_std_is_zero_when_every_input_is_the_same():
    model = _mlp()
    with LayerStatsRecorder(model) as recorder, torch.no_grad():
        model(torch.ones(6, 4))
    frame = recorder.to_frame()
    assert (frame["sample_std"] < 1e-6).all() and (frame["std"] > 0).all()


def test_layer_stats_without_backward_leave_gradients_nan():
    model = _mlp()
    with LayerStatsRecorder(model) as recorder, torch.no_grad():
        model(torch.randn(8, 4))
    frame = recorder.to_frame()
    assert list(frame["layer"]) == ["Linear", "Linear", "Linear"]
    assert frame["std"].notna().all() and frame["grad_std"].isna().all()


def test_layer_stats_removes_its_hooks():
    model = _mlp()
    recorder = LayerStatsRecorder(model, nn.Tanh)
    assert recorder.attached and len(model[1]._forward_hooks) == 1
    with recorder:
        pass
    assert not recorder.attached and len(model[1]._forward_hooks) == 0
    model(torch.randn(2, 4))
    assert recorder.to_frame()["std"].isna().all()  # nothing recorded after removal


def test_layer_stats_rejects_bad_arguments():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        LayerStatsRecorder(3)
    with pytest.raises(TypeError, match="layer_types must be an nn.Module class"):
        LayerStatsRecorder(_mlp(), "Tanh")
    with pytest.raises(ValueError, match="model must contain a layer of type Conv2d"):
        LayerStatsRecorder(_mlp(), nn.Conv2d)


# GradientNormRecorder and gradient_norms


def test_gradient_norm_recorder_records_one_row_per_backward_pass():
    model = _mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    X, y = torch.randn(16, 4), torch.randint(0, 3, (16,))
    with GradientNormRecorder(model) as recorder:
        for _ in range(3):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(X), y).backward()
            expected = {name: p.grad.norm().item() for name, p in model.named_parameters()}
            optimizer.step()
    frame = recorder.to_frame()
    assert list(frame.columns) == ["0.weight", "2.weight", "4.weight"]
    assert frame.index.name == "step" and len(frame) == 3
    for name in frame.columns:  # the last row is the last step's gradient
        assert frame[name].iloc[-1] == pytest.approx(expected[name], rel=1e-5)


def test_gradient_norm_recorder_sees_each_pass_while_grad_accumulates():
    model = _mlp()
    X = torch.randn(8, 4)
    with GradientNormRecorder(model, weights_only=False) as recorder:
        for _ in range(2):
            model(X).sum().backward()  # no zero_grad: .grad holds the sum
    frame = recorder.to_frame()
    assert "0.bias" in frame.columns
    assert frame["0.weight"].iloc[0] == pytest.approx(frame["0.weight"].iloc[1])
    assert gradient_norms(model)["0.weight"] == pytest.approx(2 * frame["0.weight"].iloc[1])


def test_gradient_norm_recorder_shows_nan_gradients():
    model = nn.Linear(2, 1)
    with GradientNormRecorder(model) as recorder:
        model(torch.tensor([[float("nan"), 1.0]])).sum().backward()
    assert math.isnan(recorder.to_frame()["weight"].iloc[0])


def test_gradient_norm_recorder_removes_its_hooks_and_rejects_bad_models():
    model = _mlp()
    recorder = GradientNormRecorder(model)
    recorder.remove()
    model(torch.randn(2, 4)).sum().backward()
    assert recorder.to_frame().empty
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        GradientNormRecorder([model])
    frozen = nn.Linear(2, 2).requires_grad_(False)
    with pytest.raises(ValueError, match="model must have a trainable parameter"):
        GradientNormRecorder(frozen)


def test_gradient_norms_reads_grad_and_marks_missing_ones():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    model[0].requires_grad_(False)
    model(torch.ones(3, 2)).sum().backward()
    norms = gradient_norms(model)
    assert isinstance(norms, pd.Series)
    assert math.isnan(norms["0.weight"]) and math.isnan(norms["0.bias"])
    assert norms["1.weight"] == pytest.approx(model[1].weight.grad.norm().item())
    with pytest.raises(ValueError, match="model must have parameters"):
        gradient_norms(nn.ReLU())
