from pathlib import Path

import pandas as pd
import pytest

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import wandb_sweeps as exercises

SWEEP_CONFIG = {
    "method": "random",
    "metric": {"name": "val_loss", "goal": "minimize"},
    "parameters": {
        "hidden_layers": {"values": [0, 1, 2]},
        "hidden_neurons": {"values": [2, 4, 8, 16, 32]},
        "learning_rate": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-2},
    },
}


def fake_train_model(config):
    """A stand-in for the chapter's train_model: a loss that depends on every value."""
    loss = 0.1 + config["hidden_layers"] / 10 + config["hidden_neurons"] / 1000
    return {"val_loss": loss + config["learning_rate"], "val_acc": 0.9}


def test_train_defaults_fails_on_the_starter():
    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_train_defaults(lambda config: None, fake_train_model)


def test_train_defaults_wants_the_config_ignored():
    with pytest.raises(CheckFailed, match="trains the configuration it is given"):
        exercises.check_train_defaults(fake_train_model, fake_train_model)


def test_train_defaults_wants_the_defaults():
    other = {"hidden_layers": 2, "hidden_neurons": 10, "learning_rate": 1e-3}
    with pytest.raises(CheckFailed, match="ignores its config"):
        exercises.check_train_defaults(lambda config: fake_train_model(other), fake_train_model)


def test_train_defaults_passes(capsys):
    exercises.check_train_defaults(
        lambda config: fake_train_model(exercises.DEFAULTS), fake_train_model
    )
    assert "one model" in capsys.readouterr().out


def _results(n, hidden_layers=(0, 1, 2, 1)):
    return pd.DataFrame(
        {
            "run": range(n),
            "hidden_layers": [hidden_layers[i % len(hidden_layers)] for i in range(n)],
            "hidden_neurons": [8] * n,
            "learning_rate": [1e-3] * n,
            "val_loss": [0.3 - i / 100 for i in range(n)],
        }
    )


def test_bayes_fails_on_the_starter():
    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_bayes_sweep(..., ..., SWEEP_CONFIG)


def test_bayes_wants_the_bayes_method():
    with pytest.raises(CheckFailed, match="expected 'bayes'"):
        exercises.check_bayes_sweep(SWEEP_CONFIG, _results(4), SWEEP_CONFIG)
    narrower = {**SWEEP_CONFIG, "method": "bayes", "parameters": {}}
    with pytest.raises(CheckFailed, match="'parameters' differs"):
        exercises.check_bayes_sweep(narrower, _results(4), SWEEP_CONFIG)


def test_bayes_wants_four_runs():
    config = {**SWEEP_CONFIG, "method": "bayes"}
    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_bayes_sweep(config, ..., SWEEP_CONFIG)
    with pytest.raises(CheckFailed, match="bayes_results lists 20 runs, expected 4"):
        exercises.check_bayes_sweep(config, _results(20), SWEEP_CONFIG)
    with pytest.raises(CheckFailed, match="lacks the columns"):
        exercises.check_bayes_sweep(config, _results(4).drop(columns="val_loss"), SWEEP_CONFIG)


def test_bayes_passes(capsys):
    exercises.check_bayes_sweep({**SWEEP_CONFIG, "method": "bayes"}, _results(4), SWEEP_CONFIG)
    assert "best val_loss 0.2700" in capsys.readouterr().out


def _sweep_making_folders(wandb_dir: Path, per_run: int):
    def logged_sweep(count):
        for run in range(count * per_run):
            (wandb_dir / "wandb" / f"offline-run-20260101_000000-{run:08d}").mkdir(parents=True)
        return _results(count)

    return logged_sweep


def test_logged_sweep_fails_on_the_starter(tmp_path):
    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_logged_sweep(lambda count: None, tmp_path)


def test_logged_sweep_wants_wandb_runs(tmp_path):
    with pytest.raises(CheckFailed, match="added no run folder"):
        exercises.check_logged_sweep(lambda count: _results(count), tmp_path)
    with pytest.raises(CheckFailed, match=r"logged_sweep\(2\) lists 3 runs, expected 2"):
        exercises.check_logged_sweep(lambda count: _results(3), tmp_path)


def test_logged_sweep_wants_one_folder_a_run(tmp_path):
    with pytest.raises(CheckFailed, match="added 4 offline run folders for 2 runs"):
        exercises.check_logged_sweep(_sweep_making_folders(tmp_path, per_run=2), tmp_path)


def test_logged_sweep_passes(tmp_path, capsys):
    exercises.check_logged_sweep(_sweep_making_folders(tmp_path, per_run=1), tmp_path)
    assert "2 new offline run folders" in capsys.readouterr().out


@pytest.fixture
def results():
    return pd.DataFrame(
        {
            "hidden_layers": [0, 0, 1, 1, 2, 2],
            "learning_rate": [1e-4, 5e-3, 1e-4, 5e-3, 1e-4, 5e-3],
            "val_loss": [0.5, 0.1, 0.6, 0.2, 0.7, 0.3],
        }
    )


def test_mean_loss_by_layers_fails_on_the_starter(results):
    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_mean_loss_by_layers(lambda results: None, results)


def test_mean_loss_by_layers_wants_the_fast_runs(results):
    with pytest.raises(CheckFailed, match="the means of all 6 runs"):
        exercises.check_mean_loss_by_layers(
            lambda r: r.groupby("hidden_layers")["val_loss"].mean(), results
        )


def test_mean_loss_by_layers_wants_the_mean_loss(results):
    with pytest.raises(CheckFailed, match="expected 0: 0.1000"):
        exercises.check_mean_loss_by_layers(
            lambda r: r[r["learning_rate"] > 1e-3].groupby("hidden_layers")["val_loss"].max() + 1,
            results,
        )


def test_mean_loss_by_layers_passes(results, capsys):
    def mean_loss_by_layers(r):
        return r[r["learning_rate"] > 1e-3].groupby("hidden_layers")["val_loss"].mean()

    exercises.check_mean_loss_by_layers(mean_loss_by_layers, results)
    assert "0: 0.1000, 1: 0.2000, 2: 0.3000" in capsys.readouterr().out
