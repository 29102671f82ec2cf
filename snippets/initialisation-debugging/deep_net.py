"""A deep network on the 8x8 digits: the data, the model and a short training run.

The data are scikit-learn's 1797 handwritten digits, split into training,
validation and test sets and standardised with training statistics; the model
is a stack of equal-width fully-connected layers, 64-64-...-64-10.
"""

# --8<-- [start:data]
from dataclasses import dataclass

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@dataclass
class DigitSplits:
    """Standardised digit features (N, 64) and integer labels (N,) for three splits."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_val: torch.Tensor
    y_val: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor

    def to(self, device):
        return DigitSplits(*(tensor.to(device) for tensor in vars(self).values()))


def digit_splits(seed=0):
    """Split 60/20/20 (stratified, seeded) and standardise with training statistics."""
    digits = load_digits()
    X, y = digits.data.astype("float32"), digits.target
    X_rest, X_test, y_rest, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=seed
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=0.25, stratify=y_rest, random_state=seed
    )
    X_train = torch.from_numpy(X_train)
    mean, std = X_train.mean(dim=0), X_train.std(dim=0)  # (64,) each, training rows only
    std[std == 0] = 1.0  # a few border pixels are blank in every training image: avoid 0 / 0
    parts = []
    for X_part, y_part in [(X_train, y_train), (X_val, y_val), (X_test, y_test)]:
        parts += [(torch.as_tensor(X_part) - mean) / std, torch.as_tensor(y_part).long()]
    return DigitSplits(*parts)


# --8<-- [end:data]


# --8<-- [start:model]
from torch import nn


def deep_mlp(activation=nn.Tanh, depth=10, width=64, batch_norm=False):
    """64 inputs, ``depth`` hidden layers of ``width`` units, 10 logits out."""
    layers, width_in = [], 64
    for _ in range(depth):
        layers.append(nn.Linear(width_in, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))  # normalise, then the non-linearity
        layers.append(activation())
        width_in = width
    layers.append(nn.Linear(width_in, 10))  # logits: no activation
    return nn.Sequential(*layers)


# --8<-- [end:model]


# --8<-- [start:train]
import pandas as pd


def train_digits(model, data, num_epochs=5, lr=0.01, batch_size=64, seed=0):
    """Mini-batch SGD with momentum; the losses and validation accuracy after each epoch."""
    generator = torch.Generator().manual_seed(seed)  # the order of the batches
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    rows = []
    for epoch in range(1, num_epochs + 1):
        model.train()
        order = torch.randperm(len(data.y_train), generator=generator).to(data.y_train.device)
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = criterion(model(data.X_train[batch]), data.y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        model.eval()
        with torch.no_grad():
            val_logits = model(data.X_val)
        rows.append(
            {
                "epoch": epoch,
                "train_loss": total / len(order),
                "val_loss": criterion(val_logits, data.y_val).item(),
                "val_accuracy": (val_logits.argmax(dim=1) == data.y_val).float().mean().item(),
            }
        )
    return pd.DataFrame(rows).set_index("epoch")


# --8<-- [end:train]


# --8<-- [start:plot]
import matplotlib.pyplot as plt


def plot_layer_stats(stats, inits, label):
    """Std of the activations (top) and of their gradients (bottom), layer by layer."""
    fig, axes = plt.subplots(2, 2, figsize=(9, 5.5), sharex=True)
    for col, activation in enumerate(["tanh", "relu"]):
        for init in inits:
            frame = stats[activation, init]
            layers = range(1, len(frame) + 1)
            axes[0, col].plot(layers, frame["std"], marker="o", label=init)
            axes[1, col].plot(layers, frame["grad_std"], marker="o", label=init)
        axes[0, col].set_title(f"{activation}: std of the activations")
        axes[1, col].set_title(f"{activation}: std of their gradients")
        axes[1, col].set_xlabel("hidden layer")
    for ax in axes.flat:
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(title="initialisation")
    fig.set_label(label)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    # Run on its own: the 10-layer tanh network trains for a few epochs.
    from practical_dl.diagnostics import init_linear_layers

    data = digit_splits()
    assert data.X_train.shape == (1077, 64) and data.X_val.shape == (360, 64)
    torch.manual_seed(0)
    model = init_linear_layers(deep_mlp(nn.Tanh), "xavier")
    history = train_digits(model, data, num_epochs=3)
    print(history.round(3))
    assert history["val_accuracy"].iloc[-1] > 0.8
