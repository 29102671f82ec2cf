import random

import numpy as np
import pytest

from practical_dl.sweeps import best_config, run_sweep, sample_configs

CONFIG = {
    "method": "random",
    "metric": {"name": "val_loss", "goal": "minimize"},
    "parameters": {
        "hidden_layers": {"values": [0, 1, 2]},
        "learning_rate": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-2},
    },
}


def fake_train(config):
    # A stand-in for training: the loss is smallest at lr = 1e-3 with one layer.
    loss = abs(np.log10(config["learning_rate"]) + 3) + 0.1 * abs(config["hidden_layers"] - 1)
    return {"val_loss": loss, "val_acc": 1 - loss / 10}


def test_run_sweep_records_every_run_with_plain_values():
    results = run_sweep(CONFIG, fake_train, count=12, seed=1)
    assert list(results.columns) == ["run", "hidden_layers", "learning_rate", "val_loss", "val_acc"]
    assert list(results["run"]) == list(range(12))
    assert set(results["hidden_layers"]) <= {0, 1, 2}
    assert results["learning_rate"].between(1e-4, 1e-2).all()
    assert all(type(v) is float for v in results["learning_rate"].tolist())


def test_training_function_that_reseeds_does_not_freeze_the_proposals():
    def reseeding_train(config):
        random.seed(0)
        np.random.seed(0)
        return fake_train(config)

    results = run_sweep(CONFIG, reseeding_train, count=8, seed=3)
    assert results["learning_rate"].nunique() == 8


def test_same_seed_same_proposals_and_global_rng_untouched():
    random.seed(123)
    before = random.random()
    random.seed(123)
    a = run_sweep(CONFIG, fake_train, count=5, seed=7)
    assert random.random() == before  # the engine used its own copy of the RNG
    b = run_sweep(CONFIG, fake_train, count=5, seed=7)
    c = run_sweep(CONFIG, fake_train, count=5, seed=8)
    assert a.equals(b)
    assert not a.equals(c)


def test_bayes_uses_the_reported_metric():
    config = {**CONFIG, "method": "bayes"}
    results = run_sweep(config, fake_train, count=15, seed=0)
    assert len(results) == 15
    # Bayes search concentrates later proposals near the optimum.
    early, late = results["val_loss"][:5].mean(), results["val_loss"][-5:].mean()
    assert late < early


def test_grid_stops_when_exhausted():
    config = {**CONFIG, "method": "grid", "parameters": {"hidden_layers": {"values": [0, 1]}}}
    seen = []
    results = run_sweep(config, lambda c: seen.append(c) or {"val_loss": 1.0}, count=10)
    assert len(results) == 2 and seen == [{"hidden_layers": 0}, {"hidden_layers": 1}]


def test_best_config_follows_the_goal():
    results = run_sweep(CONFIG, fake_train, count=10, seed=2)
    best = best_config(results, CONFIG)
    assert best == {
        "hidden_layers": results.loc[results["val_loss"].idxmin(), "hidden_layers"],
        "learning_rate": results.loc[results["val_loss"].idxmin(), "learning_rate"],
    }
    assert type(best["hidden_layers"]) is int and type(best["learning_rate"]) is float
    maximise = {**CONFIG, "metric": {"name": "val_acc", "goal": "maximize"}}
    assert best_config(results, maximise)["learning_rate"] == best["learning_rate"]


def test_sample_configs_log_uniform():
    draws = sample_configs(CONFIG, n=400, seed=0)
    assert draws.shape == (400, 2)
    log_lr = np.log10(draws["learning_rate"])
    # Log-uniform: each decade gets about half the draws.
    assert 0.4 < (log_lr < -3).mean() < 0.6


@pytest.mark.parametrize(
    "config, count, match",
    [
        ({k: v for k, v in CONFIG.items() if k != "metric"}, 3, "metric"),
        ({**CONFIG, "metric": {"name": "val_loss", "goal": "lowest"}}, 3, "goal"),
        (CONFIG, 0, "count"),
    ],
)
def test_bad_input(config, count, match):
    with pytest.raises(ValueError, match=match):
        run_sweep(config, fake_train, count=count)


@pytest.mark.parametrize("count", [True, 2.5])
def test_count_must_be_an_int(count):
    with pytest.raises(TypeError, match=r"count must be a positive int"):
        run_sweep(CONFIG, fake_train, count=count)


def test_the_config_must_be_a_dict():
    with pytest.raises(TypeError, match=r"sweep_config must be a dict, got \[\] \(list\)"):
        run_sweep([], fake_train, count=1)
    with pytest.raises(ValueError, match=r"sweep_config must have the sections 'parameters'"):
        sample_configs({"method": "random"}, n=2)


def test_missing_metric_is_reported():
    with pytest.raises(ValueError, match="val_loss"):
        run_sweep(CONFIG, lambda c: {"loss": 1.0}, count=1)


def test_best_config_rejects_an_empty_table():
    with pytest.raises(ValueError, match="missing"):
        best_config(run_sweep(CONFIG, fake_train, count=1).iloc[0:0][["run"]], CONFIG)
