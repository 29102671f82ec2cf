"""Checks for the Lightning chapter's exercises: Trainer defaults, depth, schedules, predictions.

Introduced in chapter 10, "PyTorch Lightning".

Each check takes what you wrote (a function, a class or a value) and tests it
without training anything; it prints what it confirmed, or raises
:class:`~practical_dl.exercises.CheckFailed` saying what is wrong and where to look.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import torch
from torch import nn

from practical_dl.device import model_device
from practical_dl.exercises import call, check, check_callable, check_shape, given, number, passed

__all__ = [
    "check_build_modules",
    "check_predictions",
    "check_scheduled_module",
    "check_trainer_defaults",
]

#: The Trainer arguments exercise 1 asks about.
TRAINER_ARGUMENTS = ("accelerator", "devices", "max_epochs", "precision")


def check_trainer_defaults(trainer_defaults: Any) -> None:
    """Check ``trainer_defaults()``: the defaults of four ``L.Trainer`` arguments.

    Args:
        trainer_defaults: The reader's function, returning a dict from argument
            name to its default value.

    Raises:
        CheckFailed: When it is missing, raises, or a name or default is wrong.
    """
    import lightning as L

    function = check_callable("trainer_defaults", trainer_defaults)
    hint = "read parameters[name].default from inspect.signature(L.Trainer).parameters"
    defaults = given("trainer_defaults()", call("trainer_defaults()", function, hint=hint))
    check(
        isinstance(defaults, dict),
        f"trainer_defaults() should return a dict, got {type(defaults).__name__}",
        hint,
    )
    check(
        set(defaults) == set(TRAINER_ARGUMENTS),
        f"trainer_defaults() should have the keys {sorted(TRAINER_ARGUMENTS)}, "
        f"got {sorted(map(str, defaults))}",
        "one entry per argument the exercise names, nothing else",
    )
    parameters = inspect.signature(L.Trainer).parameters
    for name in TRAINER_ARGUMENTS:
        expected = parameters[name].default
        check(
            defaults[name] == expected,
            f"the default of {name} is {expected!r}, got {defaults[name]!r}",
            hint,
        )
    shown = ", ".join(f"{name}={defaults[name]!r}" for name in TRAINER_ARGUMENTS)
    passed(f"the Trainer's defaults: {shown}")


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def check_build_modules(build_modules: Any) -> None:
    """Check ``build_modules()``: a 30-1 and a 30-30-15-1 ``BreastCancerModule``.

    Args:
        build_modules: The reader's function, returning ``(linear, deep)``, two
            untrained modules with learning rate 1e-2.

    Raises:
        CheckFailed: When it is missing, raises, or a module has the wrong
            architecture or learning rate.
    """
    from practical_dl.lightning import BreastCancerModule

    function = check_callable("build_modules", build_modules)
    hint = "return BreastCancerModule(hidden_sizes=..., learning_rate=1e-2) twice, as a pair"
    modules = given("build_modules()", call("build_modules()", function, hint=hint))
    check(
        isinstance(modules, tuple | list) and len(modules) == 2,
        f"build_modules() should return two modules (linear, deep), got {type(modules).__name__}",
        hint,
    )
    expected = {"linear": ([], 31, "30-1"), "deep": ([30, 15], 1411, "30-30-15-1")}
    for module, (name, (hidden, count, label)) in zip(modules, expected.items(), strict=True):
        check(
            isinstance(module, BreastCancerModule),
            f"{name} should be a BreastCancerModule, got {type(module).__name__}",
            hint,
        )
        check(
            list(module.hparams.hidden_sizes) == hidden,
            f"{name} should be {label}, hidden_sizes={tuple(hidden)}, "
            f"got hidden_sizes={tuple(module.hparams.hidden_sizes)}",
            "logistic regression has no hidden layer: hidden_sizes=()",
        )
        got = _count(module)
        check(
            got == count,
            f"{name} ({label}) should have {count} parameters, got {got}",
            "keep the default n_features=30 and dropout=0.0",
        )
        check(
            math.isclose(module.hparams.learning_rate, 1e-2),
            f"{name} should have learning_rate=1e-2, got {module.hparams.learning_rate!r}",
            "five epochs at the default 1e-3 are too few: pass learning_rate=1e-2",
        )
    passed("30-1 with 31 parameters and 30-30-15-1 with 1411, both at learning rate 1e-2")


def _optimizer_and_scheduler(result: Any, hint: str) -> tuple[Any, Any, str]:
    """Read an optimiser, a scheduler and its interval from configure_optimizers()'s result."""
    interval = "epoch"
    if isinstance(result, dict):
        optimizer, scheduler = result.get("optimizer"), result.get("lr_scheduler")
        if isinstance(scheduler, dict):
            interval = scheduler.get("interval", "epoch")
            scheduler = scheduler.get("scheduler")
    elif isinstance(result, tuple | list) and len(result) == 2:
        optimizers, schedulers = result
        optimizer = optimizers[0] if isinstance(optimizers, tuple | list) else optimizers
        scheduler = schedulers[0] if isinstance(schedulers, tuple | list) else schedulers
    else:
        optimizer, scheduler = result, None
    check(
        isinstance(optimizer, torch.optim.Optimizer),
        f"configure_optimizers() returned no optimiser, got {type(optimizer).__name__}",
        hint,
    )
    check(
        scheduler is not None,
        "configure_optimizers() returned an optimiser but no scheduler",
        hint,
    )
    return optimizer, scheduler, interval


def check_scheduled_module(scheduled_module_class: Any) -> None:
    """Check ``ScheduledModule``: ``StepLR`` halving the learning rate every two epochs.

    The check builds the module, calls its ``configure_optimizers()`` and steps
    the scheduler six times as six epochs would, without training.

    Args:
        scheduled_module_class: The reader's ``BreastCancerModule`` subclass.

    Raises:
        CheckFailed: When it is not such a class, returns no scheduler, or the
            learning rate after six epochs is not 1e-2 * 0.5**3.
    """
    from practical_dl.lightning import BreastCancerModule

    given("ScheduledModule", scheduled_module_class)
    check(
        inspect.isclass(scheduled_module_class)
        and issubclass(scheduled_module_class, BreastCancerModule),
        f"ScheduledModule should be a subclass of BreastCancerModule, "
        f"got {type(scheduled_module_class).__name__}",
        "class ScheduledModule(BreastCancerModule): ...",
    )
    hint = (
        'return {"optimizer": optimizer, "lr_scheduler": scheduler} with '
        "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)"
    )
    module = call(
        "ScheduledModule(learning_rate=1e-2)",
        lambda: scheduled_module_class(learning_rate=1e-2),
        hint=hint,
    )
    result = call("configure_optimizers()", module.configure_optimizers, hint=hint)
    given("configure_optimizers()", result)
    optimizer, scheduler, interval = _optimizer_and_scheduler(result, hint)
    check(
        interval == "epoch",
        f"the scheduler should step every epoch, got interval={interval!r}",
        'leave out "interval" or set it to "epoch"',
    )
    start = optimizer.param_groups[0]["lr"]
    check(
        math.isclose(start, 1e-2),
        f"the optimiser should start at the module's learning rate 0.01, got {start:g}",
        "use lr=self.hparams.learning_rate",
    )
    rates = []
    for _ in range(6):  # six epochs: Lightning steps an epoch scheduler after each one
        optimizer.step()  # no gradients: changes nothing, keeps the step order right
        scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    expected = [1e-2, 5e-3, 5e-3, 2.5e-3, 2.5e-3, 1.25e-3]
    check(
        all(math.isclose(got, want) for got, want in zip(rates, expected, strict=True)),
        "after each of six epochs the learning rate should be "
        f"{', '.join(f'{r:g}' for r in expected)}; got {', '.join(f'{r:g}' for r in rates)}",
        "StepLR with step_size=2 (epochs) and gamma=0.5 (halve)",
    )
    passed("the learning rate halves every two epochs: 0.01 -> 0.00125 after six")


def check_predictions(
    probabilities: Any, predicted_benign: Any, module: nn.Module, loader: Any
) -> None:
    """Check the probabilities predicted for ``loader`` and the count above 0.5.

    Args:
        probabilities: The reader's predictions, one tensor for the whole loader.
        predicted_benign: How many of them are above 0.5.
        module: The model that predicted them (the best checkpoint).
        loader: The data loader predicted (the validation loader).

    Raises:
        CheckFailed: When a shape, a probability or the count is wrong.
    """
    hint = "torch.cat(trainer.predict(best, val_loader)) joins the batches' predictions"
    given("probabilities", probabilities)
    check(
        isinstance(probabilities, torch.Tensor),
        f"probabilities should be one tensor, got {type(probabilities).__name__}",
        hint,
    )
    targets = torch.cat([batch[1] for batch in loader])
    check_shape("probabilities", probabilities, targets.shape, hint)
    was_training = module.training
    module.eval()
    with torch.no_grad():
        device = model_device(module)
        expected = torch.cat([torch.sigmoid(module(batch[0].to(device))) for batch in loader])
    module.train(was_training)
    check(
        torch.allclose(probabilities.detach().float().cpu(), expected.float().cpu(), atol=1e-5),
        "probabilities are not the model's predicted probabilities for these samples",
        "use the best checkpoint and the validation loader; predict_step already applies sigmoid",
    )
    right = int((expected > 0.5).sum())
    count = number("predicted_benign", predicted_benign, "count the probabilities above 0.5")
    check(
        count == right,
        f"predicted_benign: expected {right}, got {count:g}",
        "int((probabilities > 0.5).sum()) counts the samples above 0.5",
    )
    passed(
        f"{right} of {len(targets)} validation samples predicted benign "
        f"({int(targets.sum())} truly benign)"
    )
