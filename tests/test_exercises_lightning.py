import inspect

import lightning as L
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import lightning as exercises
from practical_dl.lightning import BreastCancerModule

NAMES = ("accelerator", "devices", "max_epochs", "precision")


def _defaults():
    parameters = inspect.signature(L.Trainer).parameters
    return {name: parameters[name].default for name in NAMES}


def test_trainer_defaults_fails_on_the_starter():
    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_trainer_defaults(lambda: ...)


def test_trainer_defaults_wants_the_real_defaults():
    wrong = {**_defaults(), "devices": 1}
    with pytest.raises(CheckFailed, match="the default of devices"):
        exercises.check_trainer_defaults(lambda: wrong)
    with pytest.raises(CheckFailed, match="should have the keys"):
        exercises.check_trainer_defaults(lambda: {"accelerator": "auto"})


def test_trainer_defaults_passes(capsys):
    exercises.check_trainer_defaults(_defaults)
    assert "accelerator='auto'" in capsys.readouterr().out


def test_build_modules_fails_on_the_starter():
    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_build_modules(lambda: None)


def test_build_modules_wants_logistic_regression():
    def wrong():
        return (
            BreastCancerModule(hidden_sizes=(15,), learning_rate=1e-2),
            BreastCancerModule(hidden_sizes=(30, 15), learning_rate=1e-2),
        )

    with pytest.raises(CheckFailed, match="linear should be 30-1"):
        exercises.check_build_modules(wrong)


def test_build_modules_wants_the_learning_rate():
    def wrong():
        return BreastCancerModule(hidden_sizes=()), BreastCancerModule(hidden_sizes=(30, 15))

    with pytest.raises(CheckFailed, match="learning_rate=1e-2"):
        exercises.check_build_modules(wrong)


def test_build_modules_passes(capsys):
    def right():
        return (
            BreastCancerModule(hidden_sizes=(), learning_rate=1e-2),
            BreastCancerModule(hidden_sizes=(30, 15), learning_rate=1e-2),
        )

    exercises.check_build_modules(right)
    assert "1411" in capsys.readouterr().out


class Starter(BreastCancerModule):
    def configure_optimizers(self): ...


class NoScheduler(BreastCancerModule):
    pass


class WrongGamma(BreastCancerModule):
    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=self.hparams.learning_rate)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
        return [optimizer], [scheduler]


class Right(BreastCancerModule):
    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=self.hparams.learning_rate)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler}}


def test_scheduled_module_fails_on_the_starter():
    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_scheduled_module(Starter)


def test_scheduled_module_wants_a_scheduler():
    with pytest.raises(CheckFailed, match="no scheduler"):
        exercises.check_scheduled_module(NoScheduler)
    with pytest.raises(CheckFailed, match="subclass of BreastCancerModule"):
        exercises.check_scheduled_module(torch.nn.Linear)


def test_scheduled_module_wants_halving():
    with pytest.raises(CheckFailed, match="after each of six epochs"):
        exercises.check_scheduled_module(WrongGamma)


def test_scheduled_module_passes(capsys):
    exercises.check_scheduled_module(Right)
    assert "Check passed" in capsys.readouterr().out


@pytest.fixture
def setup():
    torch.manual_seed(0)
    module = BreastCancerModule(hidden_sizes=(4,))
    x = torch.randn(10, 30)
    y = (torch.arange(10) % 2).float()
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    with torch.no_grad():
        probabilities = torch.sigmoid(module(x))
    return module, loader, probabilities


def test_predictions_fail_on_the_starter(setup):
    module, loader, _ = setup
    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_predictions(..., ..., module, loader)


def test_predictions_want_probabilities(setup):
    module, loader, probabilities = setup
    logits = torch.logit(probabilities)
    with pytest.raises(CheckFailed, match="not the model's predicted probabilities"):
        exercises.check_predictions(logits, int((logits > 0).sum()), module, loader)
    with pytest.raises(CheckFailed, match="has shape"):
        exercises.check_predictions(probabilities[:4], 1, module, loader)


def test_predictions_want_the_count(setup):
    module, loader, probabilities = setup
    right = int((probabilities > 0.5).sum())
    with pytest.raises(CheckFailed, match=f"expected {right}"):
        exercises.check_predictions(probabilities, right + 1, module, loader)


def test_predictions_pass(setup, capsys):
    module, loader, probabilities = setup
    exercises.check_predictions(probabilities, int((probabilities > 0.5).sum()), module, loader)
    assert "predicted benign" in capsys.readouterr().out
