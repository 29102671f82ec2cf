"""A linear-regression module and a full-batch training function.

`LinearRegression` wraps one `nn.Linear` layer; `train_full_batch` runs the
training step on all the data at once for a number of epochs and returns the
loss of every epoch. Run this file to fit y = 2x.
"""

# --8<-- [start:model]
from torch import nn


class LinearRegression(nn.Module):
    """y_hat = x @ W.T + b, with `in_features` inputs and `out_features` outputs."""

    def __init__(self, in_features, out_features):
        super().__init__()  # sets up parameter tracking, .to(), state_dict(), ...
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x):  # x: (n, in_features) -> (n, out_features)
        return self.linear(x)


# --8<-- [end:model]


# --8<-- [start:train]
def train_full_batch(model, X, y, criterion, optimizer, epochs, log_every=0):
    """Train on all of (X, y) at every step; return the loss of each epoch."""
    losses = []
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()  # 1. clear the gradients of the last step
        y_hat = model(X)  # 2. forward pass
        loss = criterion(y_hat, y)  # 3. loss: (prediction, target)
        loss.backward()  # 4. gradients of the loss for every parameter
        optimizer.step()  # 5. move every parameter against its gradient
        losses.append(loss.item())
        if log_every and epoch % log_every == 0:
            print(f"epoch {epoch:4d}  loss {loss.item():.5f}")
    return losses


# --8<-- [end:train]

if __name__ == "__main__":
    import torch

    from practical_dl import get_device, seed_everything

    seed_everything(42)
    device = get_device()
    X = torch.arange(1.0, 6.0).view(-1, 1).to(device)  # (5, 1)
    y = 2 * X
    model = LinearRegression(1, 1).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)  # full-batch gradient descent
    losses = train_full_batch(model, X, y, nn.MSELoss(), optimizer, epochs=2000, log_every=500)
    prediction = model(torch.tensor([[6.0]], device=device)).item()
    print(f"prediction for x = 6: {prediction:.3f}")
    assert abs(prediction - 12) < 0.01
