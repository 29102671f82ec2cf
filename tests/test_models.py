import pytest
import torch
from torch import nn

from practical_dl.models import hidden_sizes_for, make_classifier


def test_zero_hidden_layers_is_one_linear_layer():
    model = make_classifier(30, ())
    assert len(model) == 1
    assert isinstance(model[0], nn.Linear)
    assert (model[0].in_features, model[0].out_features) == (30, 1)
    assert sum(p.numel() for p in model.parameters()) == 31


def test_hidden_layers_widths_and_activations():
    model = make_classifier(30, (20, 10))
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(30, 20), (20, 10), (10, 1)]
    assert sum(isinstance(m, nn.ReLU) for m in model) == 2
    assert isinstance(model[-1], nn.Linear)  # logits: no activation at the end
    assert model(torch.zeros(5, 30)).shape == (5, 1)


def test_activation_dropout_and_outputs():
    model = make_classifier(4, (8,), n_outputs=3, activation=nn.Tanh, dropout=0.5)
    assert [type(m) for m in model] == [nn.Linear, nn.Tanh, nn.Dropout, nn.Linear]
    assert model(torch.zeros(2, 4)).shape == (2, 3)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"n_features": 0}, "n_features"),
        ({"n_features": 3, "hidden_sizes": (4, 0)}, "hidden_sizes"),
        ({"n_features": 3, "dropout": 1.0}, "dropout"),
        ({"n_features": 3, "n_outputs": 0}, "n_outputs"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, word):
    with pytest.raises(ValueError, match=word):
        make_classifier(**kwargs)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"n_features": True}, "n_features"),
        ({"n_features": 3.0}, "n_features"),
        ({"n_features": 3, "hidden_sizes": (4, 2.5)}, "hidden_sizes"),
        ({"n_features": 3, "n_outputs": True}, "n_outputs"),
        ({"n_features": 3, "dropout": "0.5"}, "dropout"),
    ],
)
def test_wrong_types_are_type_errors(kwargs, word):
    with pytest.raises(TypeError, match=rf"{word} must be "):
        make_classifier(**kwargs)


def test_hidden_sizes_for():
    assert hidden_sizes_for(0, 16) == ()
    assert hidden_sizes_for(2, 8) == (8, 8)
    with pytest.raises(ValueError, match="hidden_layers"):
        hidden_sizes_for(-1, 8)
    with pytest.raises(ValueError, match="hidden_neurons"):
        hidden_sizes_for(1, 0)
    with pytest.raises(TypeError, match=r"hidden_layers must be a non-negative int, got True"):
        hidden_sizes_for(True, 8)


@pytest.mark.gpu_path
def test_classifier_runs_on_the_meta_device():
    device = torch.device("meta")
    model = make_classifier(30, (20, 10)).to(device)
    out = model(torch.zeros(4, 30, device=device))
    assert out.device.type == "meta" and out.shape == (4, 1)
