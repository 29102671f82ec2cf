"""Checks for the exercises on saving: resuming anywhere, RNG states, safetensors, export.

Introduced in chapter 15, "Saving, resuming and sharing a model".

The checks call the reader's functions and compare what comes back with the
chapter's uninterrupted run (every batch loss and every weight, exactly), or
with models the check builds itself, from a seed of its own and without
changing the page's random state. Files are written in a temporary folder
that is removed afterwards.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from practical_dl import _checks
from practical_dl.exercises import (
    CheckFailed,
    check,
    check_callable,
    check_equal,
    given,
    passed,
)

__all__ = [
    "check_described",
    "check_export_fixed",
    "check_interrupted_run",
    "check_resume_without_loader_rng",
    "check_strict_false",
]

_RESUME_HINT = (
    "resume as section 5 does: make_run(...) with another seed, then load_checkpoint(path, "
    "model, optimizer, scheduler, loader_generator=..., scaler=...); start the losses from "
    "checkpoint['losses'] and train from checkpoint['epoch'] up to num_epochs"
)


def _run_and_losses(name: str, result: Any) -> tuple[Any, list[float]]:
    """Unpack ``(run, losses)`` as the chapter's ``resume`` returns them."""
    given(name, result)
    check(
        isinstance(result, tuple) and len(result) == 2,
        f"{name} should return (run, losses), got {_checks.describe(result)}",
        "end with `return run, losses`, as resume() does",
    )
    run, losses = result
    check(
        isinstance(getattr(run, "model", None), nn.Module),
        f"the first value {name} returns should be a Run, with the trained model as .model; "
        f"got {type(run).__name__}",
        "return the Run that make_run built and you trained",
    )
    check(
        isinstance(losses, Sequence) and not isinstance(losses, str),
        f"the second value {name} returns should be the list of batch losses, "
        f"got {type(losses).__name__}",
    )
    return run, list(losses)


def _first_difference(a: Sequence[float], b: Sequence[float]) -> int | None:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)


def _same_weights(model_a: nn.Module, model_b: nn.Module) -> bool:
    a, b = model_a.state_dict(), model_b.state_dict()
    return a.keys() == b.keys() and all(torch.equal(a[k].cpu(), b[k].cpu()) for k in a)


def check_interrupted_run(
    interrupted_run: Any,
    reference: Any,
    reference_losses: Sequence[float],
    stops: Sequence[int] = (1, 2, 4, 5),
) -> None:
    """Check that a run stopped after any epoch and resumed equals the uninterrupted one.

    ``interrupted_run(stop)`` is called for each stop; it must return
    ``(run, losses)`` whose batch losses equal ``reference_losses`` exactly and
    whose weights equal ``reference.model``'s with ``torch.equal``.

    Args:
        interrupted_run: The reader's function of the epoch to stop after.
        reference: The uninterrupted run (the chapter's ``full``), with ``.model``.
        reference_losses: Its batch losses (``full_losses``).
        stops: The epochs to stop after.

    Raises:
        CheckFailed: When the function returns nothing or a run that differs
            from the uninterrupted one in any loss or weight.
        TypeError: If ``reference`` has no ``.model``.
    """
    if not isinstance(getattr(reference, "model", None), nn.Module):
        raise _checks.bad("reference", "be a Run with a .model", reference, error=TypeError)
    interrupted_run = check_callable("interrupted_run", interrupted_run)
    for stop in stops:
        run, losses = _run_and_losses(f"interrupted_run({stop})", interrupted_run(stop))
        check(
            len(losses) == len(reference_losses),
            f"stopping after epoch {stop}: {len(losses)} batch losses, the uninterrupted run "
            f"has {len(reference_losses)}",
            _RESUME_HINT,
        )
        first = _first_difference(losses, reference_losses)
        check(
            first is None,
            f"stopping after epoch {stop}: the batch losses differ from the uninterrupted "
            f"run's from batch {first} on",
            _RESUME_HINT,
        )
        check(
            _same_weights(run.model, reference.model),
            f"stopping after epoch {stop}: every batch loss is right but the final weights "
            "differ from the uninterrupted run's",
            "return the run you resumed and trained to the end, not the one you saved",
        )
    shown = ", ".join(str(stop) for stop in stops)
    passed(
        f"stopped after epoch {shown} and resumed, every run repeats the uninterrupted one: "
        f"all {len(reference_losses)} batch losses and every weight, bit for bit"
    )


def check_resume_without_loader_rng(
    resume_without_loader_rng: Any,
    first_different_batch: Any,
    reference_losses: Sequence[float],
    num_saved: int,
) -> None:
    """Check a resume that leaves out the loader's generator, and where it departs.

    Args:
        resume_without_loader_rng: The reader's function: resumes from the
            chapter's checkpoint without ``loader_generator`` and returns
            ``(run, losses)``.
        first_different_batch: The reader's answer: the index of the first
            batch loss that differs from the uninterrupted run's.
        reference_losses: The uninterrupted run's batch losses (``full_losses``).
        num_saved: How many of them the checkpoint holds (``n_saved``).

    Raises:
        CheckFailed: When the resumed run is identical to the uninterrupted
            one, its saved losses changed, or the answer is not the first batch
            that differs.
        TypeError: If ``num_saved`` is not an int.
        ValueError: If ``num_saved`` is negative.
    """
    num_saved = _checks.non_negative_int("num_saved", num_saved)
    resume_without_loader_rng = check_callable(
        "resume_without_loader_rng", resume_without_loader_rng
    )
    _, losses = _run_and_losses("resume_without_loader_rng()", resume_without_loader_rng())
    check(
        len(losses) == len(reference_losses),
        f"{len(losses)} batch losses, the uninterrupted run has {len(reference_losses)}",
        _RESUME_HINT,
    )
    first = _first_difference(losses, reference_losses)
    check(
        first is not None,
        "your resumed run equals the uninterrupted one: something still restores the "
        "shuffling order",
        "call load_checkpoint without loader_generator=..., so the loader keeps the "
        "generator make_run seeded",
    )
    check(
        first >= num_saved,
        f"batch loss {first} differs, but the first {num_saved} losses come from the "
        "checkpoint and should be the uninterrupted run's",
        "start the losses from checkpoint['losses']",
    )
    check_equal(
        "first_different_batch",
        first_different_batch,
        first,
        f"count from 0: the checkpoint holds batch losses 0 to {num_saved - 1}; which is the "
        "first batch trained after resuming?",
    )
    passed(
        f"without the loader's generator the losses part from batch {first}, the first one "
        "after resuming: the shuffling order is no longer the saved one"
    )


def _saved_and_rebuilt(
    save_described: Any, load_described: Any, model: nn.Module, hidden: tuple, dropout: float
) -> nn.Module:
    from safetensors import safe_open

    architecture = f"hidden sizes {hidden}, dropout {dropout}"
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "described.safetensors")
        save_described(model, path, hidden, dropout)
        check(
            Path(path).exists(),
            f"save_described(model, path, {hidden}, {dropout}) wrote no file: "
            "the exercise is not done yet",
            "use safetensors.torch.save_file(model.state_dict(), path, metadata={...})",
        )
        with safe_open(path, framework="pt") as file:
            metadata = file.metadata() or {}
        check(
            bool(metadata),
            "the file holds no metadata, so nothing in it says how to rebuild the model",
            "pass metadata={'hidden_sizes': json.dumps(...), 'dropout': str(...)} to "
            "save_file: keys and values must be strings",
        )
        try:
            rebuilt = load_described(path)
        except RuntimeError as error:
            raise CheckFailed(
                f"load_described failed on a file saved with {architecture}: "
                f"{str(error).splitlines()[0]}",
                "build the model from the file's metadata (safe_open(...).metadata()), "
                "not from fixed sizes",
            ) from None
    given("load_described(path)", rebuilt)
    check(
        isinstance(rebuilt, nn.Module),
        f"load_described should return a model, got {type(rebuilt).__name__}",
    )
    check(
        not rebuilt.training,
        "load_described returned a model in training mode: its dropout would zero units at random",
        "call .eval() on the model before returning it",
    )
    return rebuilt


def check_described(save_described: Any, load_described: Any, X: torch.Tensor) -> None:
    """Check saving a classifier with its settings in safetensors metadata, and rebuilding it.

    Two classifiers built here, 30-30-15-1 with dropout 0.2 and 30-8-1 with
    dropout 0.5 (the first layer's width is ``X``'s number of columns), go
    through ``save_described(model, path, hidden_sizes, dropout)`` and
    ``load_described(path)``; the rebuilt model must be in ``eval()`` mode and
    predict the same logits, exactly.

    Args:
        save_described: The reader's function that writes the file.
        load_described: The reader's function that rebuilds the model from it.
        X: Rows to predict on, shape ``(n, features)``.

    Raises:
        CheckFailed: When no file is written, it has no metadata, the model
            cannot be rebuilt from it, or the rebuilt model predicts otherwise.
        TypeError: If ``X`` is not a tensor.
        ValueError: If ``X`` is not 2-D.
    """
    X = _checks.shape("X", _checks.is_tensor("X", X), ("n", "features")).detach().cpu()
    from practical_dl.models import make_classifier

    save_described = check_callable("save_described", save_described)
    load_described = check_callable("load_described", load_described)
    n_features = X.shape[1]
    for hidden, dropout in [((30, 15), 0.2), ((8,), 0.5)]:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(len(hidden))
            model = make_classifier(n_features, hidden, dropout=dropout).eval()
        rebuilt = _saved_and_rebuilt(save_described, load_described, model, hidden, dropout)
        with torch.no_grad():
            same = torch.equal(rebuilt.cpu()(X), model(X))
        widths = "-".join(str(width) for width in (n_features, *hidden, 1))
        check(
            same,
            f"the model rebuilt from the file of a {widths} classifier (dropout {dropout}) "
            "predicts other logits",
            "load the file's tensors into the model with load_state_dict(load_file(path))",
        )
    passed(
        f"a {n_features}-30-15-1 and a {n_features}-8-1 classifier, each rebuilt from its "
        "safetensors file alone, predict exactly the same logits"
    )


def check_strict_false(
    load_with_strict_false: Any, weights_changed: Any, make_model: Any, state_dict: Any
) -> None:
    """Check what ``load_state_dict(..., strict=False)`` does with names that do not match.

    A fresh model from ``make_model()`` (seeded here) is given to
    ``load_with_strict_false(model, state_dict)``, which must return what
    ``load_state_dict`` returns: its missing and unexpected keys.

    Args:
        load_with_strict_false: The reader's function.
        weights_changed: The reader's answer, ``True`` or ``False``: did the
            load change any of the model's weights?
        make_model: Builds a fresh model (the chapter's ``DeepClassifier``).
        state_dict: The Lightning checkpoint's ``"state_dict"``, names unstripped.

    Raises:
        CheckFailed: When the load raises, returns something else, loads
            anything, or the answer is wrong.
        TypeError: If ``make_model`` is not callable or ``state_dict`` not a mapping.
    """
    if not callable(make_model):
        raise _checks.bad("make_model", "be a class or function", make_model, error=TypeError)
    if not hasattr(state_dict, "keys"):
        raise _checks.bad("state_dict", "be a dict of tensors", state_dict, error=TypeError)
    load_with_strict_false = check_callable("load_with_strict_false", load_with_strict_false)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = make_model()
    before = [p.detach().clone() for p in model.parameters()]
    try:
        result = load_with_strict_false(model, state_dict)
    except RuntimeError as error:
        raise CheckFailed(
            f"load_state_dict raised: {str(error).splitlines()[0]}",
            "pass strict=False, as the forum answers do",
        ) from None
    given("load_with_strict_false(model, state_dict)", result)
    check(
        hasattr(result, "missing_keys") and hasattr(result, "unexpected_keys"),
        f"load_with_strict_false should return what load_state_dict returns, "
        f"got {type(result).__name__}",
        "return model.load_state_dict(state_dict, strict=False)",
    )
    missing, unexpected = len(result.missing_keys), len(result.unexpected_keys)
    check(
        bool(missing and unexpected),
        f"{missing} missing and {unexpected} unexpected keys: this exercise loads the "
        "Lightning names as they are",
        "do not strip the 'model.' prefix here",
    )
    changed = not all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    check(
        not changed,
        "the model's weights changed: load_with_strict_false should only call load_state_dict",
    )
    given("weights_changed", weights_changed)
    check(
        isinstance(weights_changed, bool),
        f"weights_changed should be True or False, got {_checks.describe(weights_changed)}",
    )
    check_equal(
        "weights_changed",
        weights_changed,
        False,
        f"no name matched ({missing} missing, {unexpected} unexpected), so nothing was "
        "copied; compare the parameters before and after with torch.equal",
    )
    passed(
        f"strict=False raised nothing and loaded nothing: {missing} missing and {unexpected} "
        "unexpected keys, and the model kept its random initial weights"
    )


def check_export_fixed(
    export_fixed: Any,
    accepted_batch_size: Any,
    model: nn.Module,
    example: torch.Tensor,
    X: torch.Tensor,
) -> None:
    """Check an export without ``dynamic_shapes``, and the one batch size it accepts.

    Args:
        export_fixed: The reader's function ``export_fixed(model, example)``,
            returning the exported program as a module (``.module()``).
        accepted_batch_size: The reader's answer: the only batch size the
            exported module runs on.
        model: The model to export, in ``eval()`` mode.
        example: The example input it is traced with.
        X: A batch of another size.

    Raises:
        CheckFailed: When nothing is returned, the module does not predict
            like the model on the example, accepts ``X``, or the answer is wrong.
        TypeError: If ``model`` is not a module or ``example``/``X`` not tensors.
        ValueError: If ``X`` has as many rows as ``example``.
    """
    if not isinstance(model, nn.Module):
        raise _checks.bad("model", "be an nn.Module", model, error=TypeError)
    example, X = _checks.is_tensor("example", example), _checks.is_tensor("X", X)
    if len(X) == len(example):
        raise _checks.bad("X", f"have a number of rows other than example's {len(example)}", X)
    export_fixed = check_callable("export_fixed", export_fixed)
    module = given("export_fixed(model, example)", export_fixed(model, example))
    check(
        not isinstance(module, torch.export.ExportedProgram),
        "export_fixed returned the ExportedProgram itself, which cannot be called",
        "return torch.export.export(...).module(), an nn.Module",
    )
    check(callable(module), f"export_fixed should return a module, got {type(module).__name__}")
    with torch.no_grad():
        same = torch.allclose(module(example), model(example))
    check(same, "the exported module does not predict like the model on the example")
    try:
        with torch.no_grad():
            module(X)
    except Exception:  # noqa: BLE001 - any refusal is the point; the type is torch's to choose
        refused = True
    else:
        refused = False
    check(
        refused,
        f"your exported module ran on {len(X)} rows: it was exported with a free batch size",
        "export without dynamic_shapes: torch.export.export(model, (example,))",
    )
    check_equal(
        "accepted_batch_size",
        accepted_batch_size,
        len(example),
        "the export records the example's shape and checks every input against it",
    )
    passed(
        f"exported without dynamic_shapes, the program runs on {len(example)} rows, the "
        f"example's size, and refuses {len(X)}"
    )
