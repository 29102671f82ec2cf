"""Regression networks with sigmoid hidden units, written layer by layer and with nn.Sequential.

Used in the chapter "Going non-linear". Run on its own, it checks that both
versions hold 10 parameters and compute the same function.
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
