"""A one-hidden-layer ReLU classifier that returns logits, for two or more classes.

Used in the chapter "Classification". Run on its own, it trains on two circles
and prints the training accuracy.
"""

# --8<-- [start:classifier]
import torch
from torch import nn


class Classifier(nn.Module):
    """input -> Linear -> ReLU -> Linear -> logits (no sigmoid or softmax here).

    n_outputs=1 for two classes (pair it with nn.BCEWithLogitsLoss);
    n_outputs=C for C classes (pair it with nn.CrossEntropyLoss).
    """

    def __init__(self, n_inputs, n_hidden, n_outputs):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_inputs, n_hidden),
            nn.ReLU(),
            nn.Linear(n_hidden, n_outputs),
        )

    def forward(self, x):  # (n, n_inputs) -> (n, n_outputs) logits
        return self.layers(x)


# --8<-- [end:classifier]


# --8<-- [start:accuracy]
@torch.no_grad()
def accuracy(model, X, y):
    """Share of rows whose predicted class equals y (binary or multiclass)."""
    logits = model(X)
    if logits.shape[1] == 1:
        predicted = (logits.squeeze(1) > 0).long()  # logit > 0  <=>  probability > 0.5
    else:
        predicted = logits.argmax(dim=1)
    return (predicted == y.long()).float().mean().item()


# --8<-- [end:accuracy]


if __name__ == "__main__":
    from sklearn.datasets import make_circles

    torch.manual_seed(42)
    X, y = make_circles(n_samples=300, noise=0.1, factor=0.5, random_state=2020)
    X_t, y_t = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    model = Classifier(2, 16, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    criterion = nn.BCEWithLogitsLoss()
    for _ in range(300):  # full-batch steps: fine for 300 points
        optimizer.zero_grad()
        criterion(model(X_t).squeeze(1), y_t).backward()
        optimizer.step()
    acc = accuracy(model, X_t, y_t)
    print(f"training accuracy on the circles: {acc:.3f}")
    assert acc > 0.9
