import copy
import json
from types import SimpleNamespace

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn
from torch.export import Dim

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import saving_exporting as exercises
from practical_dl.models import make_classifier


def _failure(check, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as failure:
        check(*args, **kwargs)
    return str(failure.value)


# A stand-in for the chapter's uninterrupted run: a model and its batch losses.

torch.manual_seed(0)
REFERENCE = SimpleNamespace(model=nn.Linear(3, 1))
REFERENCE_LOSSES = [0.7, 0.6, 0.5, 0.45, 0.4, 0.3]


def _resumed(losses=REFERENCE_LOSSES, nudge=0.0):
    model = copy.deepcopy(REFERENCE.model)
    with torch.no_grad():
        model.bias += nudge
    return SimpleNamespace(model=model), list(losses)


# Exercise 1: stop anywhere


def test_interrupted_run_passes_when_every_stop_repeats_the_run(capsys):
    exercises.check_interrupted_run(lambda stop: _resumed(), REFERENCE, REFERENCE_LOSSES)
    assert "stopped after epoch 1, 2, 4, 5 and resumed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda stop: None, "interrupted_run(1) is None: the exercise is not done yet"),
        (lambda stop: REFERENCE_LOSSES, "should return (run, losses)"),
        (lambda stop: ("run", REFERENCE_LOSSES), "the first value interrupted_run(1) returns"),
        (
            lambda stop: _resumed(REFERENCE_LOSSES[:4]),
            "4 batch losses, the uninterrupted run has 6",
        ),
        (
            lambda stop: _resumed(REFERENCE_LOSSES if stop < 4 else [0.7, 0.6, 0.5, 0.45, 0, 0]),
            "stopping after epoch 4: the batch losses differ",
        ),
        (lambda stop: _resumed(nudge=0.1), "every batch loss is right but the final weights"),
        ("interrupted_run", "interrupted_run should be a function, got str"),
    ],
)
def test_interrupted_run_fails_with_a_message(answer, words):
    assert words in _failure(exercises.check_interrupted_run, answer, REFERENCE, REFERENCE_LOSSES)


def test_interrupted_run_needs_a_reference_run():
    with pytest.raises(TypeError, match="reference must be a Run with a .model"):
        exercises.check_interrupted_run(lambda stop: _resumed(), REFERENCE_LOSSES, REFERENCE_LOSSES)


# Exercise 2: only the shuffling order

DEPARTED = REFERENCE_LOSSES[:3] + [0.5, 0.42, 0.33]


def test_resume_without_loader_rng_passes_on_the_first_batch_after_resuming(capsys):
    exercises.check_resume_without_loader_rng(
        lambda: _resumed(DEPARTED), 3, REFERENCE_LOSSES, num_saved=3
    )
    assert "the losses part from batch 3, the first one after resuming" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "first", "words"),
    [
        (lambda: None, ..., "resume_without_loader_rng() is None: the exercise is not done yet"),
        (lambda: _resumed(DEPARTED), ..., "first_different_batch is ...: the exercise is not done"),
        (lambda: _resumed(DEPARTED), 4, "first_different_batch: expected 3, got 4\nHint: count"),
        (lambda: _resumed(), 3, "something still restores the shuffling order"),
        (lambda: _resumed([9.0] + DEPARTED[1:]), 0, "the first 3 losses come from the checkpoint"),
        (lambda: _resumed(DEPARTED[:5]), 3, "5 batch losses, the uninterrupted run has 6"),
    ],
)
def test_resume_without_loader_rng_fails_with_a_message(answer, first, words):
    check = exercises.check_resume_without_loader_rng
    assert words in _failure(check, answer, first, REFERENCE_LOSSES, num_saved=3)


def test_resume_without_loader_rng_rejects_a_negative_count():
    with pytest.raises(ValueError, match="num_saved"):
        exercises.check_resume_without_loader_rng(lambda: _resumed(), 3, REFERENCE_LOSSES, -1)


# Exercise 3: weights that describe themselves

X = torch.randn(10, 30, generator=torch.Generator().manual_seed(0))


def save_described(model, path, hidden_sizes, dropout):
    metadata = {"hidden_sizes": json.dumps(list(hidden_sizes)), "dropout": str(dropout)}
    save_file(model.state_dict(), path, metadata=metadata)


def load_described(path):
    with safe_open(path, framework="pt") as file:
        settings = file.metadata()
    model = make_classifier(
        30, tuple(json.loads(settings["hidden_sizes"])), dropout=float(settings["dropout"])
    )
    model.load_state_dict(load_file(path))
    return model.eval()


def test_described_passes_on_the_solution(capsys):
    exercises.check_described(save_described, load_described, X)
    assert "rebuilt from its safetensors file alone" in capsys.readouterr().out


def _load_fixed_sizes(path):
    model = make_classifier(30, (30, 15), dropout=0.2)
    model.load_state_dict(load_file(path))
    return model.eval()


def _save_without_metadata(model, path, hidden_sizes, dropout):
    save_file(model.state_dict(), path)


def _load_in_training_mode(path):
    return load_described(path).train()


def _load_fresh_weights(path):
    with safe_open(path, framework="pt") as file:
        settings = file.metadata()
    hidden = tuple(json.loads(settings["hidden_sizes"]))
    return make_classifier(30, hidden, dropout=float(settings["dropout"])).eval()


@pytest.mark.parametrize(
    ("save", "load", "words"),
    [
        (lambda *args: None, load_described, "wrote no file: the exercise is not done yet"),
        (save_described, lambda path: None, "load_described(path) is None: the exercise is not"),
        (_save_without_metadata, load_described, "the file holds no metadata"),
        (save_described, _load_fixed_sizes, "load_described failed on a file saved with hidden"),
        (save_described, _load_in_training_mode, "returned a model in training mode"),
        (save_described, _load_fresh_weights, "30-30-15-1 classifier (dropout 0.2) predicts other"),
    ],
)
def test_described_fails_with_a_message(save, load, words):
    assert words in _failure(exercises.check_described, save, load, X)


def test_described_needs_a_2d_tensor():
    with pytest.raises(ValueError, match="X"):
        exercises.check_described(save_described, load_described, X[0])


# Exercise 4: the strict=False trap


class DeepClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(30, 4), nn.ReLU(), nn.Linear(4, 1))

    def forward(self, x):
        return self.layers(x)


LIGHTNING = {f"model.{name}": t for name, t in DeepClassifier().layers.state_dict().items()}


def test_strict_false_passes_on_the_solution(capsys):
    def load(model, state_dict):
        return model.load_state_dict(state_dict, strict=False)

    exercises.check_strict_false(load, False, DeepClassifier, LIGHTNING)
    assert "4 missing and 4 unexpected keys" in capsys.readouterr().out


def _strict(model, state_dict):
    return model.load_state_dict(state_dict)


def _stripped(model, state_dict):
    return model.layers.load_state_dict(
        {name.removeprefix("model."): t for name, t in state_dict.items()}, strict=False
    )


def _strict_false(model, state_dict):
    return model.load_state_dict(state_dict, strict=False)


@pytest.mark.parametrize(
    ("answer", "changed", "words"),
    [
        (lambda model, state_dict: None, ..., "is None: the exercise is not done yet"),
        (_strict, False, "load_state_dict raised: Error(s) in loading state_dict"),
        (lambda model, state_dict: model, False, "should return what load_state_dict returns"),
        (_stripped, False, "0 missing and 0 unexpected keys"),
        (_strict_false, ..., "weights_changed is ...: the exercise is not done yet"),
        (_strict_false, "no", "weights_changed should be True or False, got 'no' (str)"),
        (_strict_false, True, "weights_changed: expected False, got True\nHint: no name matched"),
    ],
)
def test_strict_false_fails_with_a_message(answer, changed, words):
    assert words in _failure(
        exercises.check_strict_false, answer, changed, DeepClassifier, LIGHTNING
    )


# Exercise 5: a fixed batch size

torch.manual_seed(0)
SMALL = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1)).eval()
EXAMPLE = torch.randn(4, 3, generator=torch.Generator().manual_seed(1))
OTHER = torch.randn(7, 3, generator=torch.Generator().manual_seed(2))


def export_fixed(model, example):
    return torch.export.export(model, (example,)).module()


def test_export_fixed_passes_on_the_solution(capsys):
    exercises.check_export_fixed(export_fixed, 4, SMALL, EXAMPLE, OTHER)
    assert "runs on 4 rows, the example's size, and refuses 7" in capsys.readouterr().out


def _export_dynamic(model, example):
    batch = Dim("batch")
    return torch.export.export(model, (example,), dynamic_shapes=({0: batch},)).module()


@pytest.mark.parametrize(
    ("answer", "size", "words"),
    [
        (lambda model, example: None, 4, "export_fixed(model, example) is None: the exercise is"),
        (lambda model, example: torch.export.export(model, (example,)), 4, "ExportedProgram"),
        (lambda model, example: nn.Linear(3, 1), 4, "does not predict like the model"),
        (_export_dynamic, 4, "your exported module ran on 7 rows"),
        (export_fixed, ..., "accepted_batch_size is ...: the exercise is not done yet"),
        (export_fixed, 7, "accepted_batch_size: expected 4, got 7"),
    ],
)
def test_export_fixed_fails_with_a_message(answer, size, words):
    assert words in _failure(exercises.check_export_fixed, answer, size, SMALL, EXAMPLE, OTHER)


def test_export_fixed_needs_another_batch_size():
    with pytest.raises(ValueError, match="X must have a number of rows other than"):
        exercises.check_export_fixed(export_fixed, 4, SMALL, EXAMPLE, EXAMPLE)
