"""Regression networks with sigmoid hidden units, written layer by layer and with nn.Sequential.

Used in the chapter "Going non-linear", with helpers that measure how the
gradient shrinks from layer to layer. Run on its own, it checks that both
versions hold 10 parameters and compute the same function, and that the
gradient vanishes through 10 sigmoid layers.
"""

# --8<-- [start:explicit]
import torch
from torch import nn


class SigmoidRegressor(nn.Module):
    """input -> Linear -> sigmoid -> Linear -> output, each layer named."""

    def __init__(self, n_inputs, n_hidden, n_outputs):
        super().__init__()
        self.hidden = nn.Linear(n_inputs, n_hidden)
        self.activation = nn.Sigmoid()
        self.output = nn.Linear(n_hidden, n_outputs)

    def forward(self, x):  # x: (n, n_inputs)
        h = self.activation(self.hidden(x))  # (n, n_hidden), each value in (0, 1)
        return self.output(h)  # (n, n_outputs), no activation: any real number


# --8<-- [end:explicit]


# --8<-- [start:sequential]
class SigmoidRegressorSeq(nn.Module):
    """The same network, its layers chained by nn.Sequential."""

    def __init__(self, n_inputs, n_hidden, n_outputs):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_inputs, n_hidden),
            nn.Sigmoid(),
            nn.Linear(n_hidden, n_outputs),
        )

    def forward(self, x):
        return self.layers(x)


# --8<-- [end:sequential]


# --8<-- [start:deep]
class DeepRegressor(nn.Module):
    """A stack of Linear layers with an activation after every hidden one.

    sizes=[1, 5, 3, 1] means 1 input, hidden layers of 5 and 3 units, 1 output.
    """

    def __init__(self, sizes, activation=nn.Sigmoid):
        super().__init__()
        layers = []
        n_layers = len(sizes) - 1
        for i in range(n_layers):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < n_layers - 1:  # no activation after the output layer
                layers.append(activation())
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


# --8<-- [end:deep]


# --8<-- [start:gradients]
def scale_weights(model, factor):
    """Multiply the weights of every Linear layer by `factor`, in place."""
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, nn.Linear):
                layer.weight.mul_(factor)


def weight_grad_norms(model, X, y, criterion):
    """One backward pass; the gradient norm of each Linear layer's weight, input side first."""
    model.zero_grad()
    criterion(model(X).squeeze(1), y).backward()
    return [
        layer.weight.grad.norm().item() for layer in model.modules() if isinstance(layer, nn.Linear)
    ]


@torch.no_grad()
def sigmoid_slopes(layers, X):
    """The mean slope sigmoid'(z) = s(1 - s) of each sigmoid layer of an nn.Sequential on X."""
    slopes, h = [], X
    for layer in layers:
        h = layer(h)
        if isinstance(layer, nn.Sigmoid):
            slopes.append((h * (1 - h)).mean().item())
    return slopes


# --8<-- [end:gradients]


if __name__ == "__main__":
    explicit, chained = SigmoidRegressor(1, 3, 1), SigmoidRegressorSeq(1, 3, 1)
    assert sum(p.numel() for p in explicit.parameters()) == 10
    with torch.no_grad():
        chained.layers[0].weight.copy_(explicit.hidden.weight)
        chained.layers[0].bias.copy_(explicit.hidden.bias)
        chained.layers[2].weight.copy_(explicit.output.weight)
        chained.layers[2].bias.copy_(explicit.output.bias)
    x = torch.linspace(-3, 3, 7).unsqueeze(1)
    torch.testing.assert_close(explicit(x), chained(x))
    deep = DeepRegressor([1, 5, 3, 1])
    assert sum(p.numel() for p in deep.parameters()) == (1 * 5 + 5) + (5 * 3 + 3) + (3 * 1 + 1)
    print("both versions agree; DeepRegressor([1, 5, 3, 1]) has 32 parameters")
    torch.manual_seed(0)
    tall = DeepRegressor([1] + [32] * 10 + [1])  # 10 sigmoid hidden layers
    norms = weight_grad_norms(tall, x, x.squeeze(1) ** 2, nn.MSELoss())
    assert len(norms) == 11 and norms[0] < 0.25**10 * norms[-1]  # vanished
    assert len(sigmoid_slopes(tall.layers, x)) == 10
    print(f"10 sigmoid layers: gradient norm, first layer / last = {norms[0] / norms[-1]:.1e}")
