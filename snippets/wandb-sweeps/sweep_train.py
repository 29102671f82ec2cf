"""Training functions for a hyper-parameter sweep: one plain, one that logs to W&B.

`fit_config` trains the breast-cancer classifier from a dict of hyper-parameters
(`hidden_layers`, `hidden_neurons`, `learning_rate`). `train_model` returns its
validation metrics, which is what the offline sweep runner needs.
`train_with_wandb` is the function to hand to `wandb.agent`: it reads the
sampled values from `wandb.config`, so every run trains what the sweep chose.
"""

# --8<-- [start:fit]
import lightning as L

from practical_dl import seed_everything
from practical_dl.data import breast_cancer_splits
from practical_dl.lightning import BreastCancerModule, breast_cancer_loaders
from practical_dl.models import hidden_sizes_for

SPLITS = breast_cancer_splits(seed=11)  # this chapter's own split; its test part waits for the end


def fit_config(config, max_epochs=10, logger=False):
    """Train one model from a config dict; return the trainer and the trained module."""
    seed_everything(42)  # same initial weights and batch order for every configuration
    train_loader, val_loader, _ = breast_cancer_loaders(batch_size=32, splits=SPLITS)
    module = BreastCancerModule(
        hidden_sizes=hidden_sizes_for(config["hidden_layers"], config["hidden_neurons"]),
        learning_rate=config["learning_rate"],
    )
    trainer = L.Trainer(
        max_epochs=max_epochs,
        accelerator="auto",
        logger=logger,
        log_every_n_steps=1,
        enable_checkpointing=logger is not False,  # W&B's log_model needs a checkpoint
        num_sanity_val_steps=0,  # the module is tested; skip the pre-training validation check
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(module, train_loader, val_loader)
    return trainer, module


def train_model(config):
    """Train from a config dict and return the final validation metrics as floats."""
    trainer, _ = fit_config(config)
    return {
        name: trainer.callback_metrics[name].item() for name in ("val_loss", "val_acc", "val_auroc")
    }


# --8<-- [end:fit]

# --8<-- [start:wandb]
import wandb
from lightning.pytorch.loggers import WandbLogger

PROJECT = "breast-cancer-classification"


def train_with_wandb(config=None):
    """One W&B run. Under wandb.agent, config is None and wandb.init fills run.config."""
    with wandb.init(project=PROJECT, config=config) as run:
        logger = WandbLogger(
            experiment=run, project=PROJECT, save_dir=run.settings.root_dir, log_model=True
        )
        trainer, _ = fit_config(dict(run.config), logger=logger)  # the sampled values
        return {name: trainer.callback_metrics[name].item() for name in ("val_loss", "val_acc")}


# --8<-- [end:wandb]


if __name__ == "__main__":
    import logging
    import os
    from pathlib import Path

    logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)
    os.environ.setdefault("WANDB_MODE", "offline")  # no account or network needed
    os.environ.setdefault("WANDB_SILENT", "true")
    os.environ.setdefault("WANDB_DIR", str(Path("wandb-files").resolve()))
    Path(os.environ["WANDB_DIR"]).mkdir(exist_ok=True)
    example = {"hidden_layers": 1, "hidden_neurons": 16, "learning_rate": 3e-3}
    print("plain:", train_model(example))
    print("with W&B (offline):", train_with_wandb(example))
