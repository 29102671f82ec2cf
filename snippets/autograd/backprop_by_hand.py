"""Back-propagation by hand: the chain rule on a 1-2-1 network, checked against autograd.

One input, two sigmoid hidden units, one linear output, a squared-error loss.
The gradients of all seven parameters are worked out with the chain rule and
compared with what `loss.backward()` puts in `.grad`.
"""

# --8<-- [start:forward]
import torch

x = torch.tensor(1.5)  # one input
y = torch.tensor(1.0)  # its target
start = {"w1": 0.5, "b1": 0.1, "w2": -0.3, "b2": 0.2, "w3": 0.8, "w4": -0.6, "b3": 0.05}
p = {name: torch.tensor(value, requires_grad=True) for name, value in start.items()}

z1 = p["w1"] * x + p["b1"]  # hidden unit 1
h1 = torch.sigmoid(z1)
z2 = p["w2"] * x + p["b2"]  # hidden unit 2
h2 = torch.sigmoid(z2)
y_hat = p["w3"] * h1 + p["w4"] * h2 + p["b3"]  # output: no activation
loss = (y_hat - y) ** 2
print(f"y_hat = {y_hat.item():.4f}, loss = {loss.item():.4f}")
# --8<-- [end:forward]

# --8<-- [start:by_hand]
with torch.no_grad():  # plain arithmetic: nothing here needs recording
    dL_dyhat = 2 * (y_hat - y)
    dL_dh1 = dL_dyhat * p["w3"]  # y_hat depends on h1 through w3
    dL_dh2 = dL_dyhat * p["w4"]
    dL_dz1 = dL_dh1 * h1 * (1 - h1)  # sigmoid'(z) = sigmoid(z) * (1 - sigmoid(z))
    dL_dz2 = dL_dh2 * h2 * (1 - h2)
    by_hand = {
        "w1": dL_dz1 * x,
        "b1": dL_dz1,
        "w2": dL_dz2 * x,
        "b2": dL_dz2,
        "w3": dL_dyhat * h1,
        "w4": dL_dyhat * h2,
        "b3": dL_dyhat,
    }
# --8<-- [end:by_hand]

# --8<-- [start:check]
import pandas as pd

loss.backward()  # autograd's turn: fills p[name].grad for every parameter
comparison = pd.DataFrame(
    {
        "by hand": {name: g.item() for name, g in by_hand.items()},
        "autograd": {name: p[name].grad.item() for name in by_hand},
    }
).round(6)
for name, grad in by_hand.items():
    assert torch.allclose(grad, p[name].grad), name
# --8<-- [end:check]

if __name__ == "__main__":
    print(comparison)
