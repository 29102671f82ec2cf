"""A resumable training run: the breast-cancer classifier with dropout, Adam and a schedule.

Everything random in the run (the initial weights, the dropout masks, the
shuffling order of the training loader) comes from a generator that a
checkpoint can save and restore.
"""

# --8<-- [start:run]
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from practical_dl.models import make_classifier


@dataclass
class Run:
    """The objects whose state a training checkpoint must hold."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler
    generator: torch.Generator  # the loader's own RNG: its shuffling order
    loader: DataLoader


# --8<-- [end:run]


# --8<-- [start:make_run]
def make_run(splits, device, seed=0):
    torch.manual_seed(seed)  # the initial weights; dropout draws from this RNG later
    model = make_classifier(30, (30, 15), dropout=0.2).to(device)  # 30-30-15-1
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    scaler = torch.amp.GradScaler(device.type, enabled=device.type == "cuda")  # fp16 on CUDA
    generator = torch.Generator().manual_seed(seed)
    train_set = TensorDataset(splits.X_train, splits.y_train)
    loader = DataLoader(train_set, batch_size=32, shuffle=True, generator=generator)
    return Run(model, optimizer, scheduler, scaler, generator, loader)


# --8<-- [end:make_run]


# --8<-- [start:epoch]
criterion = nn.BCEWithLogitsLoss()


def train_epoch(run, device):
    """Train for one epoch and step the schedule; return the loss of every batch."""
    run.model.train()  # dropout on
    losses = []
    for x, y in run.loader:
        x, y = x.to(device), y.to(device)
        run.optimizer.zero_grad()
        with torch.autocast(device.type, dtype=torch.float16, enabled=run.scaler.is_enabled()):
            loss = criterion(run.model(x).squeeze(1), y)
        run.scaler.scale(loss).backward()  # scale, backward, step, update: a no-op off CUDA
        run.scaler.step(run.optimizer)
        run.scaler.update()
        losses.append(loss.item())
    run.scheduler.step()  # once per epoch
    return losses


# --8<-- [end:epoch]


# --8<-- [start:compare]
def compare(run_a, losses_a, run_b, losses_b):
    """Print how far two runs are apart; return True when they are identical."""
    weights_a = {name: w.cpu() for name, w in run_a.model.state_dict().items()}
    weights_b = {name: w.cpu() for name, w in run_b.model.state_dict().items()}
    same_weights = all(torch.equal(weights_a[name], weights_b[name]) for name in weights_a)
    gap = max((weights_a[name] - weights_b[name]).abs().max().item() for name in weights_a)
    differ = [i for i, (a, b) in enumerate(zip(losses_a, losses_b, strict=True)) if a != b]
    first = f"first at batch {differ[0]}" if differ else "none"
    print(
        f"equal weights: {same_weights} (largest gap {gap:.2e}); "
        f"batch losses that differ: {len(differ)} of {len(losses_a)} ({first})"
    )
    return same_weights and not differ


# --8<-- [end:compare]


if __name__ == "__main__":
    # Run on its own: train 4 epochs straight, then 2 + 2 with a checkpoint between.
    import tempfile
    from pathlib import Path

    from practical_dl import get_device
    from practical_dl.checkpoint import load_checkpoint, save_checkpoint
    from practical_dl.data import breast_cancer_splits

    device = get_device()
    splits = breast_cancer_splits(seed=42)
    straight = make_run(splits, device)
    straight_losses = [loss for _ in range(4) for loss in train_epoch(straight, device)]

    first = make_run(splits, device)
    losses = [loss for _ in range(2) for loss in train_epoch(first, device)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.pt"
        save_checkpoint(
            path,
            first.model,
            first.optimizer,
            first.scheduler,
            epoch=2,
            loader_generator=first.generator,
            scaler=first.scaler,
            losses=losses,
        )
        second = make_run(splits, device, seed=1)  # different weights and RNG states
        checkpoint = load_checkpoint(
            path,
            second.model,
            second.optimizer,
            second.scheduler,
            loader_generator=second.generator,
            scaler=second.scaler,
        )
    losses = checkpoint["losses"]
    for _ in range(checkpoint["epoch"], 4):
        losses += train_epoch(second, device)
    assert compare(straight, straight_losses, second, losses)
