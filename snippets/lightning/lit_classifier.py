"""A first LightningModule: the breast-cancer classifier with its loss, steps and optimiser.

The network (the 30-30-15-1 model of the breast-cancer chapter), the loss and
the optimiser are the same as in that chapter's hand-written loop; the loop
itself is gone, because the Trainer runs it.
"""

# --8<-- [start:module]
import lightning as L
import torch
from torch import nn

from practical_dl.models import make_classifier


class LitClassifier(L.LightningModule):
    def __init__(self, hidden_sizes=(30, 15), learning_rate=1e-3):
        super().__init__()
        self.save_hyperparameters()  # stores the arguments in self.hparams and in checkpoints
        self.model = make_classifier(30, hidden_sizes)  # 30-30-15-1: chapter 8's deeper model
        self.criterion = nn.BCEWithLogitsLoss()

    def forward(self, x):
        return self.model(x).squeeze(-1)  # (B, 1) -> (B,), even when B == 1

    def training_step(self, batch, batch_idx):  # once per training batch
        x, y = batch
        loss = self.criterion(self(x), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)  # one value per epoch
        return loss  # Lightning calls backward() and the optimiser step on it

    def validation_step(self, batch, batch_idx):  # once per validation batch
        x, y = batch  # Lightning has already called eval() and turned off gradients
        logits = self(x)
        self.log("val_loss", self.criterion(logits, y))
        self.log("val_acc", ((logits > 0).float() == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.learning_rate)


# --8<-- [end:module]


if __name__ == "__main__":
    from practical_dl.lightning import breast_cancer_loaders

    train_loader, val_loader, _ = breast_cancer_loaders()
    trainer = L.Trainer(
        max_epochs=5,
        accelerator="auto",
        enable_progress_bar=False,
        enable_model_summary=False,
        logger=False,
        enable_checkpointing=False,
    )
    trainer.fit(LitClassifier(), train_loader, val_loader)
    print({name: round(value.item(), 3) for name, value in trainer.callback_metrics.items()})
