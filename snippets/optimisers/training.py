"""A small test bed for optimisers: the 8x8 digits, a 64-64-10 network, a training loop.

The loop trains on tensors already in memory (no DataLoader), full-batch or in
shuffled mini-batches, with an optional learning-rate scheduler and gradient
clipping. ``lr_range_test`` is an LR finder written out by hand.
"""

# --8<-- [start:data]
import torch
from sklearn import datasets, model_selection

from practical_dl import get_device

device = get_device()
digits = datasets.load_digits()
X_all = torch.tensor(digits.data, dtype=torch.float32) / 16  # pixels 0..16 -> 0..1
y_all = torch.tensor(digits.target)  # class labels 0..9, int64
rows = torch.arange(len(y_all)).numpy()
train_rows, rest = model_selection.train_test_split(
    rows, test_size=0.4, stratify=digits.target, random_state=0
)
val_rows, test_rows = model_selection.train_test_split(
    rest, test_size=0.5, stratify=digits.target[rest], random_state=0
)
X_train, y_train = X_all[train_rows].to(device), y_all[train_rows].to(device)
X_val, y_val = X_all[val_rows].to(device), y_all[val_rows].to(device)
X_test, y_test = X_all[test_rows].to(device), y_all[test_rows].to(device)
# --8<-- [end:data]


# --8<-- [start:model]
from torch import nn

criterion = nn.CrossEntropyLoss()


def make_mlp(seed, widths=(64, 64, 10)):
    """A ReLU network with these layer widths (input first), seeded for a fair comparison."""
    torch.manual_seed(seed)
    layers = []
    for n_in, n_out in zip(widths[:-1], widths[1:], strict=True):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1]).to(device)  # no ReLU after the last layer: logits


@torch.no_grad()
def evaluate(model, X, y):
    """Return the loss and the accuracy of ``model`` on ``X``, ``y``."""
    model.eval()
    logits = model(X)
    accuracy = (logits.argmax(dim=1) == y).float().mean().item()
    return criterion(logits, y).item(), accuracy


# --8<-- [end:model]


# --8<-- [start:train]
def train(
    model,
    optimizer,
    num_epochs,
    batch_size=None,
    scheduler=None,
    per="batch",
    max_norm=None,
    seed=0,
):
    """Train on X_train, y_train; return the loss of every step.

    batch_size=None trains full-batch (one step per epoch). The scheduler is
    stepped after optimizer.step(), once per batch or once per epoch (``per``).
    max_norm clips the total gradient norm before each step.
    """
    generator = torch.Generator().manual_seed(seed)  # the same batches for every run
    batch_size = batch_size or len(y_train)
    losses = []
    model.train()
    for _ in range(num_epochs):
        order = torch.randperm(len(y_train), generator=generator).to(device)
        for start in range(0, len(y_train), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = criterion(model(X_train[batch]), y_train[batch])
            loss.backward()
            if max_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            optimizer.step()
            if scheduler is not None and per == "batch":
                scheduler.step()
            losses.append(loss.item())
        if scheduler is not None and per == "epoch":
            scheduler.step()
    return losses


# --8<-- [end:train]


# --8<-- [start:lr_finder]
import copy
import math


def lr_range_test(
    model,
    optimizer,
    start_lr=1e-4,
    end_lr=10.0,
    num_steps=100,
    batch_size=128,
    smoothing=0.9,
    stop_factor=4.0,
    seed=0,
):
    """Train with a learning rate growing exponentially; return the lrs and smoothed losses."""
    saved = copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict())
    generator = torch.Generator().manual_seed(seed)
    factor = (end_lr / start_lr) ** (1 / (num_steps - 1))  # the same ratio at every step
    lrs, losses, average, best = [], [], 0.0, math.inf
    model.train()
    for step in range(num_steps):
        lr = start_lr * factor**step
        for group in optimizer.param_groups:
            group["lr"] = lr
        batch = torch.randint(len(y_train), (batch_size,), generator=generator).to(device)
        optimizer.zero_grad()
        loss = criterion(model(X_train[batch]), y_train[batch])
        loss.backward()
        optimizer.step()
        average = smoothing * average + (1 - smoothing) * loss.item()
        smoothed = average / (1 - smoothing ** (step + 1))  # bias correction, as in Adam
        lrs.append(lr)
        losses.append(smoothed)
        best = min(best, smoothed)
        if not math.isfinite(smoothed) or smoothed > stop_factor * best:
            break  # the loss has blown up: larger learning rates teach nothing more
    model.load_state_dict(saved[0])  # undo the damage: training starts from these weights
    optimizer.load_state_dict(saved[1])
    return lrs, losses


# --8<-- [end:lr_finder]


if __name__ == "__main__":
    # Run on its own: a quick fit, and an LR range test on a fresh network.
    model = make_mlp(seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = train(model, optimizer, num_epochs=5, batch_size=128)
    val_loss, val_accuracy = evaluate(model, X_val, y_val)
    print(f"{len(losses)} steps, validation loss {val_loss:.3f}, accuracy {val_accuracy:.3f}")
    assert val_accuracy > 0.85
    model = make_mlp(seed=0)
    lrs, smoothed = lr_range_test(model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9))
    lowest = lrs[smoothed.index(min(smoothed))]
    print(f"LR range test: {len(lrs)} steps, lowest smoothed loss at lr {lowest:.3g}")
