"""The breast-cancer classifier as a PyTorch Lightning module, plus its data loaders.

Introduced in chapter 10, "PyTorch Lightning". Chapter 11, "Experiment tracking
and sweeps with Weights & Biases", reuses it for every run of a sweep.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from lightning.pytorch import LightningModule
from torch import nn
from torch.utils.data import DataLoader
from torchmetrics.classification import BinaryAccuracy, BinaryAUROC

from practical_dl import _checks as check
from practical_dl.data import Splits, breast_cancer_splits
from practical_dl.models import make_classifier

__all__ = ["BreastCancerModule", "breast_cancer_loaders", "pick_precision"]


def _use_torch_leaf_spec() -> None:
    """Stop Lightning 2.6 from warning on every fit under torch 2.10 and later.

    Lightning's data-loader helper builds tree specs with torch's ``LeafSpec()``,
    which torch now deprecates with a ``FutureWarning`` each time. torch's own
    replacement, ``treespec_leaf()``, returns the same kind of object, so use it.
    """
    from lightning.pytorch.utilities import _pytree as lightning_pytree
    from torch.utils import _pytree as torch_pytree

    treespec_leaf = getattr(torch_pytree, "treespec_leaf", None)
    if treespec_leaf is not None and getattr(lightning_pytree, "LeafSpec", None) is not None:
        lightning_pytree.LeafSpec = treespec_leaf


_use_torch_leaf_spec()


class BreastCancerModule(LightningModule):
    """A fully-connected breast-cancer classifier that Lightning can train.

    The network is :func:`practical_dl.models.make_classifier`; the loss is
    ``nn.BCEWithLogitsLoss`` on one logit per sample; the optimiser is Adam.
    Once per epoch it logs ``train_loss`` and ``train_acc``; ``val_loss``,
    ``val_acc`` and ``val_auroc``; and, in ``trainer.test``, the same three
    with a ``test_`` prefix. Losses are sample-weighted means over the epoch,
    logged with ``sync_dist=True``; accuracy and ROC-AUC are torchmetrics
    metrics. Both cover all the data on one device or on several processes.

    Introduced in chapter 10, "PyTorch Lightning".

    Args:
        n_features: Number of input features.
        hidden_sizes: Width of each hidden layer; ``()`` is logistic regression.
        learning_rate: Adam's learning rate.
        dropout: Dropout probability after each hidden layer.

    Raises:
        TypeError: If ``learning_rate`` is not a number, or (from
            ``make_classifier``) a size is not an int.
        ValueError: If ``learning_rate`` is not positive, or (from
            ``make_classifier``) a size or ``dropout`` is out of range.
    """

    def __init__(
        self,
        n_features: int = 30,
        hidden_sizes: Sequence[int] = (20, 10),
        learning_rate: float = 1e-3,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        learning_rate = check.positive_float("learning_rate", learning_rate)
        hidden_sizes = check.positive_ints("hidden_sizes", hidden_sizes)
        # Stored in self.hparams and in every checkpoint, so load_from_checkpoint
        # can rebuild the same architecture.
        self.save_hyperparameters(
            {
                "n_features": n_features,
                "hidden_sizes": list(hidden_sizes),
                "learning_rate": learning_rate,
                "dropout": dropout,
            }
        )
        self.model = make_classifier(n_features, hidden_sizes, dropout=dropout)
        self.criterion = nn.BCEWithLogitsLoss()
        self.train_acc = BinaryAccuracy()
        self.val_acc, self.val_auroc = BinaryAccuracy(), BinaryAUROC()
        self.test_acc, self.test_auroc = BinaryAccuracy(), BinaryAUROC()
        self._loss_sums: dict[str, torch.Tensor] = {}
        self._counts: dict[str, int] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return one logit per sample.

        Args:
            x: Features, shape ``(batch, n_features)``.

        Returns:
            Logits, shape ``(batch,)``. ``squeeze(-1)`` rather than ``squeeze()``
            keeps a batch of one sample one-dimensional.
        """
        return self.model(x).squeeze(-1)

    def step(self, batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """Compute the loss and the logits for one batch, without logging.

        Args:
            batch: ``(features, targets)`` with targets as float 0/1.

        Returns:
            The mean loss and the logits.
        """
        x, y = batch
        logits = self(x)
        return self.criterion(logits, y), logits

    def training_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int
    ) -> torch.Tensor:
        """Lightning calls this for every training batch; it returns the loss to minimise.

        Args:
            batch: ``(features, targets)``.
            batch_idx: Index of the batch in the epoch (unused).

        Returns:
            The loss; Lightning runs ``backward`` and the optimiser step on it.
        """
        loss, logits = self.step(batch)
        self._accumulate("train", loss, logits, batch[1])
        return loss

    def _accumulate(
        self, stage: str, loss: torch.Tensor, logits: torch.Tensor, y: torch.Tensor
    ) -> None:
        # Sum the loss over the epoch and update the metrics; everything is logged
        # once per epoch (a self.log call per batch costs more than this model's step).
        self._loss_sums[stage] = self._loss_sums.get(stage, 0.0) + loss.detach() * len(y)
        self._counts[stage] = self._counts.get(stage, 0) + len(y)
        probs = torch.sigmoid(logits.detach())
        for metric in self._metrics(stage):
            metric.update(probs, y.int())

    def _metrics(self, stage: str) -> list:
        if stage == "train":
            return [self.train_acc]
        return [getattr(self, f"{stage}_acc"), getattr(self, f"{stage}_auroc")]

    def _log_epoch(self, stage: str) -> None:
        if stage not in self._counts:
            return
        mean_loss = self._loss_sums.pop(stage) / self._counts.pop(stage)
        # sync_dist=True: with several processes, average the per-process means.
        self.log(f"{stage}_loss", mean_loss, sync_dist=True)
        names = ["acc"] if stage == "train" else ["acc", "auroc"]
        for name, metric in zip(names, self._metrics(stage), strict=True):
            # A torchmetrics object gathers its state from every process itself;
            # Lightning computes it now and resets it for the next epoch.
            self.log(f"{stage}_{name}", metric)

    def on_train_epoch_end(self) -> None:
        """Log the epoch's mean training loss and accuracy."""
        self._log_epoch("train")

    def on_validation_epoch_end(self) -> None:
        """Log the epoch's validation loss, accuracy and ROC-AUC."""
        self._log_epoch("val")

    def on_test_epoch_end(self) -> None:
        """Log the test loss, accuracy and ROC-AUC."""
        self._log_epoch("test")

    def _evaluate(self, batch: tuple[torch.Tensor, torch.Tensor], stage: str) -> torch.Tensor:
        loss, logits = self.step(batch)
        self._accumulate(stage, loss, logits, batch[1])
        return loss

    def validation_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int
    ) -> torch.Tensor:
        """Lightning calls this for every validation batch, in eval mode with no gradients.

        Args:
            batch: ``(features, targets)``.
            batch_idx: Index of the batch (unused).

        Returns:
            The batch's loss.
        """
        return self._evaluate(batch, "val")

    def test_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        """Lightning calls this for every batch passed to ``trainer.test``.

        Args:
            batch: ``(features, targets)``.
            batch_idx: Index of the batch (unused).

        Returns:
            The batch's loss.
        """
        return self._evaluate(batch, "test")

    def predict_step(self, batch: tuple[torch.Tensor, ...], batch_idx: int) -> torch.Tensor:
        """Return the probability of the positive class (benign) for each sample.

        Args:
            batch: ``(features,)`` or ``(features, targets)``; targets are ignored.
            batch_idx: Index of the batch (unused).

        Returns:
            Probabilities, shape ``(batch,)``.
        """
        return torch.sigmoid(self(batch[0]))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        """Create the optimiser Lightning will step.

        Returns:
            Adam over all parameters, with the module's learning rate.
        """
        return torch.optim.Adam(self.parameters(), lr=self.hparams.learning_rate)


def breast_cancer_loaders(
    batch_size: int = 32, seed: int = 42, splits: Splits | None = None
) -> tuple[DataLoader, DataLoader, DataLoader]:
    """Wrap the standardised breast-cancer splits in training, validation and test loaders.

    Only the training loader shuffles, with its own generator seeded by
    ``seed``, so the batch order is the same whatever else used the global RNG.

    Introduced in chapter 10, "PyTorch Lightning".

    Args:
        batch_size: Samples per batch.
        seed: Seed for the splits and for the training loader's shuffling.
        splits: Splits to wrap; ``None`` calls ``breast_cancer_splits(seed=seed)``.

    Returns:
        ``(train_loader, val_loader, test_loader)``.

    Raises:
        TypeError: If ``batch_size`` is not an int.
        ValueError: If ``batch_size`` is below 1.
    """
    batch_size = check.positive_int("batch_size", batch_size)
    s = splits if splits is not None else breast_cancer_splits(seed=seed)
    generator = torch.Generator().manual_seed(seed)
    train = DataLoader(
        torch.utils.data.TensorDataset(s.X_train, s.y_train),
        batch_size=batch_size,
        shuffle=True,
        generator=generator,
    )
    val = DataLoader(torch.utils.data.TensorDataset(s.X_val, s.y_val), batch_size=batch_size)
    test = DataLoader(torch.utils.data.TensorDataset(s.X_test, s.y_test), batch_size=batch_size)
    return train, val, test


def _cuda_has_native_bf16() -> bool:
    """Whether the current CUDA GPU computes in bfloat16 natively (Ampere, 2020, or newer)."""
    try:
        # Since torch 2.4 the default also counts GPUs that only emulate bfloat16, slowly.
        return bool(torch.cuda.is_bf16_supported(including_emulation=False))
    except TypeError:  # an older torch: no such argument, and no emulation counted
        return bool(torch.cuda.is_bf16_supported())


def pick_precision() -> str:
    """Choose a mixed-precision setting the current hardware supports.

    - A CUDA GPU with bfloat16 arithmetic (NVIDIA Ampere, such as the A100 or
      an RTX 30 card, and newer): ``"bf16-mixed"``. bfloat16 keeps float32's
      range, so it needs no loss scaling.
    - An older CUDA GPU (such as a T4 or a V100): ``"16-mixed"``, float16 with
      loss scaling, since these GPUs only emulate bfloat16, slowly.
    - Apple's MPS: plain ``"32-true"``.
    - The CPU: ``"bf16-mixed"``, bfloat16 autocast. It is faster than float32
      only on CPUs with bfloat16 instructions (AVX512-BF16 or AMX) and large
      matrix products; on a small model the casts cost more than they save.

    In every mixed mode the weights stay in float32 and only the operations
    autocast considers safe (matrix products, convolutions) run in 16 bits.

    Introduced in chapter 10, "PyTorch Lightning".

    Returns:
        A value for ``L.Trainer(precision=...)``.
    """
    if torch.cuda.is_available():
        return "bf16-mixed" if _cuda_has_native_bf16() else "16-mixed"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "32-true"
    return "bf16-mixed"
