"""Training and validation loop for the breast-cancer classifier.

One epoch of training, predictions without gradients, and a loop that records
the training loss and the validation metrics after every epoch.
"""

# --8<-- [start:epoch]
import torch


def train_one_epoch(model, loader, criterion, optimizer, device):
    """Train for one pass over ``loader``; return the mean loss per sample."""
    model.train()  # training mode (matters for dropout and batch norm layers)
    total_loss, n_seen = 0.0, 0
    for batch_x, batch_y in loader:
        batch_x, batch_y = batch_x.to(device), batch_y.to(device)
        optimizer.zero_grad()  # gradients from the previous batch would add up
        logits = model(batch_x).squeeze(1)  # (B, 1) -> (B,), the shape of batch_y
        loss = criterion(logits, batch_y)  # mean over the batch
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(batch_y)  # undo the mean: a short batch counts less
        n_seen += len(batch_y)
    return total_loss / n_seen


# --8<-- [end:epoch]


# --8<-- [start:predict]
def predict(model, loader, device):
    """Return the logits and targets of every sample in ``loader``, on the CPU."""
    model.eval()  # evaluation mode: no dropout, batch norm uses its running statistics
    all_logits, all_targets = [], []
    with torch.no_grad():  # no graph: less memory, less time, no accidental training
        for batch_x, batch_y in loader:
            logits = model(batch_x.to(device)).squeeze(1)
            all_logits.append(logits.cpu())
            all_targets.append(batch_y)
    return torch.cat(all_logits), torch.cat(all_targets)


# --8<-- [end:predict]


# --8<-- [start:loop]
import pandas as pd
from torch import nn

from practical_dl.metrics import binary_metrics


def train_and_validate(model, train_loader, val_loader, num_epochs, lr, device, print_every=10):
    """Train ``model`` with Adam and BCEWithLogitsLoss, validating after every epoch.

    Returns a DataFrame indexed by epoch with the columns train_loss, val_loss,
    val_accuracy and val_roc_auc.
    """
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    rows = []
    for epoch in range(1, num_epochs + 1):
        train_loss = train_one_epoch(model, train_loader, criterion, optimizer, device)
        val_logits, val_targets = predict(model, val_loader, device)
        val = binary_metrics(val_logits, val_targets)  # loss, accuracy, roc_auc
        row = {"epoch": epoch, "train_loss": train_loss}
        row.update({f"val_{name}": value for name, value in val.items()})
        rows.append(row)
        if print_every and (epoch % print_every == 0 or epoch == num_epochs):
            print(
                f"epoch {epoch:3d}  train loss {train_loss:.4f}  val loss {val['loss']:.4f}  "
                f"val accuracy {val['accuracy']:.3f}  val ROC-AUC {val['roc_auc']:.4f}"
            )
    return pd.DataFrame(rows).set_index("epoch")


# --8<-- [end:loop]


if __name__ == "__main__":
    # Run on its own: train a linear model on the standardised splits.
    from torch.utils import data

    from practical_dl import get_device, seed_everything
    from practical_dl.data import breast_cancer_splits

    device = get_device()
    splits = breast_cancer_splits(seed=42)
    seed_everything(42)
    train_set = data.TensorDataset(splits.X_train, splits.y_train)
    train_loader = data.DataLoader(train_set, batch_size=32, shuffle=True)
    val_loader = data.DataLoader(data.TensorDataset(splits.X_val, splits.y_val), batch_size=32)
    model = nn.Linear(30, 1).to(device)
    history = train_and_validate(model, train_loader, val_loader, 20, 1e-3, device)
    assert history["train_loss"].iloc[-1] < history["train_loss"].iloc[0]
    assert history["val_roc_auc"].iloc[-1] > 0.95
