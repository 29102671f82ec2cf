"""A training script with four bugs, and the same script fixed.

The broken version trains a small batch-normalised network on the digits and
prints a loss of nan; chapter 14 finds its bugs one at a time.
"""

# --8<-- [start:broken]
import torch
from torch import nn


def make_model():
    model = nn.Sequential(
        nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 10),
    )  # fmt: skip
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=1.0)  # "larger weights learn faster"
    return model


def cross_entropy(logits, y):
    probs = torch.softmax(logits, dim=1)
    return -torch.log(probs[torch.arange(len(y), device=y.device), y]).mean()


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean().item()


def train(model, data, num_epochs=10, lr=10.0, batch_size=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    model.train()
    history = []
    for epoch in range(1, num_epochs + 1):
        order = torch.randperm(len(data.y_train), generator=generator)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = cross_entropy(model(data.X_train[batch]), data.y_train[batch])
            loss.backward()
            optimizer.step()
        history.append((epoch, loss.item(), accuracy(model, data.X_val, data.y_val)))
    return history


# --8<-- [end:broken]


def _digits():
    """The chapter's digit splits, from deep_net.py beside this file."""
    import runpy
    from pathlib import Path

    return runpy.run_path(str(Path(__file__).with_name("deep_net.py")))["digit_splits"]()


if __name__ == "__main__":
    # Run on its own: the broken script, before the fixes below replace its functions.
    data = _digits()
    torch.manual_seed(0)
    model = make_model()
    with torch.no_grad():
        print("loss at step 0:", cross_entropy(model(data.X_train), data.y_train).item())
    broken_history = train(model, data, num_epochs=2)
    print("broken:", broken_history)
    assert all(loss != loss for _, loss, _ in broken_history)  # nan is the only value != itself


# --8<-- [start:fixed]
from torch.nn import functional as F


def make_model():
    model = nn.Sequential(
        nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 10),
    )  # fmt: skip
    return model  # fix 1: PyTorch's default initialisation; first loss near ln 10


def cross_entropy(logits, y):
    return F.cross_entropy(logits, y)  # fix 2: log-softmax inside, no log(0)


def train(model, data, num_epochs=10, lr=0.1, batch_size=64, seed=0):  # fix 3: lr 0.1
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    history = []
    for epoch in range(1, num_epochs + 1):
        model.train()  # fix 4: back to training mode after every evaluation
        order = torch.randperm(len(data.y_train), generator=generator)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = cross_entropy(model(data.X_train[batch]), data.y_train[batch])
            loss.backward()
            optimizer.step()
        history.append((epoch, loss.item(), accuracy(model, data.X_val, data.y_val)))
    return history


# --8<-- [end:fixed]


if __name__ == "__main__":
    # ... and the fixed one.
    torch.manual_seed(0)
    fixed_history = train(make_model(), data, num_epochs=3)
    print("fixed:", fixed_history)
    assert fixed_history[-1][2] > 0.9
