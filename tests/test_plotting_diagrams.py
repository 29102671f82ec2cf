import pytest
import torch
from torch import nn

from practical_dl.plotting.diagrams import LayerInfo, describe_layers, layer_sizes, plot_network


class Explicit(nn.Module):
    """Registers the activation last but calls it in the middle, as many tutorials do."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(1, 3)
        self.output = nn.Linear(3, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.output(self.sigmoid(self.hidden(x)))


def test_sizes_and_activations_follow_the_call_order():
    layers = describe_layers(Explicit())
    assert layers == [
        LayerInfo(1, "input"),
        LayerInfo(3, "hidden", ("Sigmoid",)),
        LayerInfo(1, "output"),
    ]


def test_sequential_deep_network():
    model = nn.Sequential(
        nn.Linear(2, 20), nn.ReLU(), nn.Linear(20, 20), nn.Tanh(), nn.Dropout(0.1), nn.Linear(20, 4)
    )
    layers = describe_layers(model)
    assert [layer.size for layer in layers] == [2, 20, 20, 4]
    assert layers[2].activations == ("Tanh", "Dropout")
    assert layer_sizes(model) == [2, 20, 20, 4]


def test_linear_model_has_no_hidden_layer():
    assert [layer.role for layer in describe_layers(nn.Linear(3, 1))] == ["input", "output"]


def test_plot_title_counts_parameters_and_elides_big_columns():
    model = nn.Sequential(nn.Linear(1, 20), nn.Sigmoid(), nn.Linear(20, 1))
    ax = plot_network(model, max_nodes=6)
    assert ax.get_title() == "1 → 20 → 1  (61 parameters)"
    texts = [t.get_text() for t in ax.texts]
    assert "⋮" in texts
    assert "hidden 1\n20\nSigmoid" in texts
    # 1 + 6 + 1 nodes drawn, edges only between drawn nodes
    assert sum(len(c.get_offsets()) for c in ax.collections) == 8
    assert len(ax.lines) == 6 + 6
    assert "61 parameters" in ax.figure.get_label()


def test_model_on_meta_can_be_drawn():
    model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 1)).to("meta")
    assert layer_sizes(model) == [2, 5, 1]


def test_no_linear_layer_is_an_error():
    with pytest.raises(
        ValueError, match=r"model must have nn.Linear layers to draw, got a ReLU with none"
    ):
        plot_network(nn.ReLU())


def test_wrong_input_size_is_an_error():
    with pytest.raises(
        ValueError, match=r"input_size must be the number of features the model takes, got 4"
    ):
        layer_sizes(nn.Linear(3, 1), input_size=4)


def test_branching_model_is_refused():
    class Branch(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 3)
            self.b = nn.Linear(2, 3)

        def forward(self, x):
            return self.a(x) + self.b(x)

    with pytest.raises(ValueError, match="model must be a plain stack of Linear layers"):
        layer_sizes(Branch())


def test_max_nodes_is_checked():
    with pytest.raises(ValueError, match=r"max_nodes must be an int >= 2, got 1 \(int\)"):
        plot_network(nn.Linear(2, 1), max_nodes=1)
    with pytest.raises(TypeError, match=r"input_size must be a positive int, got 2.0"):
        layer_sizes(nn.Linear(2, 1), input_size=2.0)


def test_training_mode_is_restored():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Linear(2, 1))
    model.train()
    layer_sizes(model)
    assert model.training
    assert torch.is_grad_enabled()
