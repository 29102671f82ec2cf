"""Overfitting on purpose: 100 digit images, a 64-128-128-10 network, and its remedies.

Full-batch training on tensors, each setting repeated over three seeds.
"""

# --8<-- [start:data]
import numpy as np
import torch
from sklearn import model_selection

from practical_dl import get_device
from practical_dl.vision import load_digit_images

device = get_device()
digits = load_digit_images(test_size=0.2, seed=0)  # images (N, 1, 8, 8) in [0, 1]
X_test, y_test = digits.X_test.to(device), digits.y_test.to(device)  # aside until the end
pool_idx, val_idx = model_selection.train_test_split(
    np.arange(len(digits.y_train)), test_size=360, stratify=digits.y_train, random_state=0
)
X_pool, y_pool = digits.X_train[pool_idx].to(device), digits.y_train[pool_idx].to(device)
X_val, y_val = digits.X_train[val_idx].to(device), digits.y_train[val_idx].to(device)
# --8<-- [end:data]


# --8<-- [start:model]
from torch import nn


def make_mlp(dropout=0.0):
    """A 64-128-128-10 network; with dropout > 0, a dropout layer after each ReLU."""
    layers = [nn.Flatten()]  # (B, 1, 8, 8) -> (B, 64)
    for n_in, n_out in [(64, 128), (128, 128)]:
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(p=dropout))
    layers.append(nn.Linear(128, 10))  # one logit per digit
    return nn.Sequential(*layers)


# --8<-- [end:model]


# --8<-- [start:fit]
import pandas as pd

NUM_EPOCHS, LR = 100, 3e-3
criterion = nn.CrossEntropyLoss()


def evaluate(model, X, y):
    """Return the loss and the accuracy of ``model`` on ``X``, in evaluation mode."""
    model.eval()  # dropout off
    with torch.no_grad():
        logits = model(X)
    return criterion(logits, y).item(), (logits.argmax(dim=1) == y).float().mean().item()


def fit(model, X, y, num_epochs=NUM_EPOCHS, lr=LR, weight_decay=0.0, augment=None, record=False):
    """Train on the whole training set at once (full batch), one step per epoch.

    With ``record=True``, return the training and validation loss and accuracy
    after every epoch as a DataFrame.
    """
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = []
    for epoch in range(1, num_epochs + 1):
        model.train()
        X_batch = X if augment is None else augment(X)  # new random copies every epoch
        optimizer.zero_grad()
        loss = criterion(model(X_batch), y)
        loss.backward()
        optimizer.step()
        if record:
            history.append((epoch, *evaluate(model, X, y), *evaluate(model, X_val, y_val)))
    columns = ["epoch", "train_loss", "train_acc", "val_loss", "val_acc"]
    return pd.DataFrame(history, columns=columns).set_index("epoch")


# --8<-- [end:fit]


# --8<-- [start:early_stopping]
import copy


def fit_early_stopping(model, X, y, patience, max_epochs=NUM_EPOCHS, lr=LR):
    """Train full batch, stop after ``patience`` epochs without a better validation loss.

    Returns the model holding its best weights, the best epoch and the last epoch run.
    """
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    best_loss, best_epoch, best_state, bad_epochs = float("inf"), 0, None, 0
    for epoch in range(1, max_epochs + 1):
        model.train()
        optimizer.zero_grad()
        criterion(model(X), y).backward()
        optimizer.step()
        val_loss, _ = evaluate(model, X_val, y_val)
        if val_loss < best_loss:  # a new best: keep a copy of the weights in memory
            best_loss, best_epoch, bad_epochs = val_loss, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break
    model.load_state_dict(best_state)  # back to the best epoch
    return model, best_epoch, epoch


# --8<-- [end:early_stopping]


# --8<-- [start:seeds]
from practical_dl import seed_everything
from practical_dl.regularisation import format_mean_std
from practical_dl.vision import sample_per_class

SEEDS = (0, 1, 2)


def run(seed, n_per_class=10, dropout=0.0, patience=None, **fit_settings):
    """Draw a training set and initial weights with ``seed``, train, score; return both."""
    idx = sample_per_class(y_pool.cpu(), n_per_class, seed=seed).to(device)
    X_train, y_train = X_pool[idx], y_pool[idx]
    seed_everything(seed)  # the same initial weights (and dropout masks) for every setting
    model = make_mlp(dropout).to(device)
    if patience is None:
        fit(model, X_train, y_train, **fit_settings)
    else:
        fit_early_stopping(model, X_train, y_train, patience, **fit_settings)
    train_loss, train_acc = evaluate(model, X_train, y_train)
    val_loss, val_acc = evaluate(model, X_val, y_val)
    scores = {
        "seed": seed,
        "train_acc": train_acc,
        "val_acc": val_acc,
        "gap": train_acc - val_acc,
        "val_loss": val_loss,
    }
    return scores, model


def over_seeds(name, seeds=SEEDS, **settings):
    """Run one setting once per seed, print mean ± spread, return the scores and models."""
    runs = [run(seed, **settings) for seed in seeds]
    scores = pd.DataFrame([s for s, _ in runs]).assign(setting=name)
    print(
        f"{name:>18}: val accuracy {format_mean_std(scores['val_acc'])}, "
        f"gap {format_mean_std(scores['gap'])}, "
        f"val loss {format_mean_std(scores['val_loss'])}"
    )
    return scores, [model for _, model in runs]


# --8<-- [end:seeds]


if __name__ == "__main__":
    # Run on its own: the baseline and dropout, three seeds each (a few seconds).
    baseline, _ = over_seeds("baseline")
    dropped, _ = over_seeds("dropout 0.5", dropout=0.5)
    assert (baseline["train_acc"] == 1.0).all() and (baseline["gap"] > 0.05).all()
