"""Checks for the W&B chapter's exercises: a sweep that ignores its config, bayes, logging, depth.

Introduced in chapter 11, "Experiment tracking and sweeps with Weights & Biases".

Each check takes what you wrote (a function, a configuration or a table) and
tests it; it prints what it confirmed, or raises
:class:`~practical_dl.exercises.CheckFailed` saying what is wrong and where to look.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from practical_dl.exercises import CheckFailed, call, check, check_callable, given, number, passed

__all__ = [
    "DEFAULTS",
    "check_bayes_sweep",
    "check_logged_sweep",
    "check_mean_loss_by_layers",
    "check_train_defaults",
]

#: The hyper-parameters that exercise 1's buggy function always trains.
DEFAULTS = {"hidden_layers": 1, "hidden_neurons": 10, "learning_rate": 1e-3}

#: Two configurations a sweep could propose, as different as the chapter's sweep allows.
TWO_CONFIGS = (
    {"hidden_layers": 0, "hidden_neurons": 2, "learning_rate": 1e-2},
    {"hidden_layers": 2, "hidden_neurons": 32, "learning_rate": 1e-4},
)


def _val_loss(name: str, metrics: Any, hint: str) -> float:
    given(name, metrics)
    check(
        isinstance(metrics, Mapping) and "val_loss" in metrics,
        f"{name} should return the validation metrics as a dict with a 'val_loss' key, got "
        f"{sorted(metrics) if isinstance(metrics, Mapping) else type(metrics).__name__}",
        hint,
    )
    return number(f'{name}["val_loss"]', metrics["val_loss"], hint)


def check_train_defaults(train_defaults: Any, train_model: Callable) -> None:
    """Check ``train_defaults(config)``: a training function that ignores its configuration.

    Calls the reader's function with two very different configurations, then
    trains the defaults once with ``train_model`` to compare (three short runs).

    Args:
        train_defaults: The reader's function of a config dict, returning validation metrics.
        train_model: The chapter's training function of a config dict.

    Raises:
        CheckFailed: When the function fails, reads its configuration, or trains
            something else than ``hidden_layers=1, hidden_neurons=10, learning_rate=0.001``.
    """
    check_callable("train_defaults", train_defaults)
    hint = (
        "ignore config and return train_model({'hidden_layers': 1, 'hidden_neurons': 10, "
        "'learning_rate': 1e-3})"
    )
    name = "train_defaults(config)"
    losses = [
        _val_loss(name, call(name, train_defaults, dict(config), hint=hint), hint)
        for config in TWO_CONFIGS
    ]
    check(
        math.isclose(losses[0], losses[1], rel_tol=1e-6, abs_tol=1e-9),
        f"train_defaults gave val_loss {losses[0]:.4f} for {TWO_CONFIGS[0]} and "
        f"{losses[1]:.4f} for {TWO_CONFIGS[1]}: it trains the configuration it is given",
        "that is the right training function; this exercise builds the bug, "
        f"a function that ignores config and always trains {DEFAULTS}",
    )
    expected = _val_loss("train_model(defaults)", train_model(dict(DEFAULTS)), "")
    check(
        math.isclose(losses[0], expected, rel_tol=1e-6, abs_tol=1e-9),
        f"train_defaults ignores its config (val_loss {losses[0]:.4f} every time), but training "
        f"{DEFAULTS} gives {expected:.4f}",
        f"the defaults to train are {DEFAULTS}",
    )
    passed(
        f"two different configurations, one model: val_loss {expected:.4f} both times, "
        "so a sweep of this function compares nothing"
    )


def check_bayes_sweep(
    bayes_config: Any, bayes_results: Any, sweep_config: Mapping[str, Any]
) -> None:
    """Check the Bayesian sweep: its configuration and the table of its four runs.

    Args:
        bayes_config: The reader's sweep configuration with the ``"bayes"`` method.
        bayes_results: The reader's table from ``run_sweep(bayes_config, ..., count=4)``.
        sweep_config: The chapter's random sweep configuration.

    Raises:
        CheckFailed: When the configuration is not the chapter's with ``method="bayes"``,
            or the table is not four runs of it.
    """
    given("bayes_config", bayes_config)
    hint = 'copy the chapter\'s configuration and change one key: {**sweep_config, "method": ...}'
    check(
        isinstance(bayes_config, Mapping),
        f"bayes_config should be a dict, got {type(bayes_config).__name__}",
        hint,
    )
    check(
        bayes_config.get("method") == "bayes",
        f"bayes_config's method is {bayes_config.get('method')!r}, expected 'bayes'",
        hint,
    )
    for key in ("metric", "parameters"):
        check(
            bayes_config.get(key) == sweep_config[key],
            f"bayes_config's {key!r} differs from sweep_config's: the comparison is fair only "
            "when both searches have the same goal and the same space",
            hint,
        )
    given("bayes_results", bayes_results)
    hint = "bayes_results = run_sweep(bayes_config, train_model, count=4, seed=0)"
    _check_runs("bayes_results", bayes_results, 4, hint, "pass count=4 to run_sweep")
    columns = [*sweep_config["parameters"], sweep_config["metric"]["name"]]
    missing = [column for column in columns if column not in bayes_results.columns]
    check(
        not missing,
        f"bayes_results lacks the columns {missing}",
        hint,
    )
    allowed = sweep_config["parameters"]["hidden_layers"]["values"]
    check(
        bayes_results["hidden_layers"].isin(allowed).all(),
        f"bayes_results has hidden_layers outside {allowed}: these runs are not from the sweep",
        hint,
    )
    best = float(bayes_results[sweep_config["metric"]["name"]].min())
    passed(f"four runs proposed by the bayes method, best val_loss {best:.4f}")


def _check_runs(name: str, table: Any, runs: int, hint: str, count_hint: str) -> None:
    """Check that ``table`` is a results table of ``runs`` rows, as ``run_sweep`` returns."""
    check(
        isinstance(table, pd.DataFrame),
        f"{name} should be the table run_sweep returns, got {type(table).__name__}",
        hint,
    )
    check(len(table) == runs, f"{name} lists {len(table)} runs, expected {runs}", count_hint)


def _run_roots(wandb_dir: Path) -> set[Path]:
    """The folders offline runs land in: ``wandb_dir``, and W&B's own if it differs.

    W&B reads ``WANDB_DIR`` once per Python process, at its first run; a process
    that ran W&B before (a second run of the page, say) keeps writing there.
    """
    roots = {wandb_dir.resolve()}
    with contextlib.suppress(Exception):  # W&B's internals moved: wandb_dir is the place
        from wandb.sdk import wandb_setup

        # Only read the process's W&B setup, never create it: made here, it would
        # freeze this moment's settings (no WANDB_MODE yet, say) for every later run.
        existing = wandb_setup._singleton
        if existing is not None:
            roots.add(Path(existing.settings.root_dir).resolve())
    return roots


def _run_folders(roots: set[Path]) -> set[Path]:
    return {folder for root in roots for folder in (root / "wandb").glob("offline-run-*")}


def check_logged_sweep(logged_sweep: Any, wandb_dir: str | Path) -> None:
    """Check ``logged_sweep(count)``: an offline sweep whose every run is an offline W&B run.

    Calls the reader's function with ``count=2`` (two short runs) and counts the
    run folders it adds.

    Args:
        logged_sweep: The reader's function of a run count, returning ``run_sweep``'s table.
        wandb_dir: The folder ``WANDB_DIR`` points at.

    Raises:
        CheckFailed: When the function fails, returns no table of two runs, or adds
            another number of offline run folders than runs.
    """
    check_callable("logged_sweep", logged_sweep)
    wandb_dir = Path(wandb_dir)
    hint = "return run_sweep(sweep_config, <a training function that opens a W&B run>, count=count)"
    roots = _run_roots(wandb_dir)
    before = _run_folders(roots)
    logged = given("logged_sweep(2)", call("logged_sweep(2)", logged_sweep, 2, hint=hint))
    new_runs = _run_folders(roots) - before
    _check_runs("logged_sweep(2)", logged, 2, hint, "pass count=count on to run_sweep")
    check(
        len(new_runs) > 0,
        f"logged_sweep(2) ran 2 runs but added no run folder under {wandb_dir / 'wandb'}: "
        "its runs were not W&B runs",
        "train_model trains without W&B; section 6 has a training function that opens a run",
    )
    check(
        len(new_runs) == 2,
        f"logged_sweep(2) added {len(new_runs)} offline run folders for 2 runs, expected one each",
        "open one W&B run per training run, as train_with_wandb does",
    )
    passed("2 runs of the sweep, 2 new offline run folders for wandb sync to upload")


def _means(name: str, value: Any, hint: str) -> dict[int, float]:
    given(name, value)
    if isinstance(value, pd.DataFrame):
        check(
            value.shape[1] == 1,
            f"{name} returned a table with the columns {list(value.columns)}; expected one mean "
            "per number of hidden layers",
            "return a Series: results.groupby('hidden_layers')['val_loss'].mean() on the kept runs",
        )
        value = value.iloc[:, 0]
    check(
        isinstance(value, (pd.Series, Mapping)),
        f"{name} should return a Series (or dict) from hidden_layers to mean val_loss, got "
        f"{type(value).__name__}",
        hint,
    )
    try:
        return {int(key): float(mean) for key, mean in dict(value).items()}
    except (TypeError, ValueError):
        raise CheckFailed(
            f"{name} should map numbers of hidden layers to mean losses", hint
        ) from None


def _shown(means: Mapping[int, float]) -> str:
    return ", ".join(f"{layers}: {mean:.4f}" for layers, mean in sorted(means.items()))


def check_mean_loss_by_layers(mean_loss_by_layers: Any, results: pd.DataFrame) -> None:
    """Check ``mean_loss_by_layers(results)``: mean validation loss by depth, fast runs only.

    Args:
        mean_loss_by_layers: The reader's function of the sweep's table.
        results: The chapter's sweep results, one row per run.

    Raises:
        CheckFailed: When the function fails, keeps the wrong runs, or averages
            another column.
    """
    check_callable("mean_loss_by_layers", mean_loss_by_layers)
    name = "mean_loss_by_layers(results)"
    hint = "keep results['learning_rate'] > 1e-3, then group by 'hidden_layers' and average"
    got = _means(name, call(name, mean_loss_by_layers, results.copy(), hint=hint), hint)
    fast = results[results["learning_rate"] > 1e-3]
    expected = {
        int(k): float(v) for k, v in fast.groupby("hidden_layers")["val_loss"].mean().items()
    }
    everyone = {
        int(k): float(v) for k, v in results.groupby("hidden_layers")["val_loss"].mean().items()
    }

    def same(a: Mapping[int, float], b: Mapping[int, float]) -> bool:
        return set(a) == set(b) and all(math.isclose(a[k], b[k], rel_tol=1e-6) for k in a)

    check(
        not same(got, everyone) or same(everyone, expected),
        f"{name} gives {_shown(got)}: the means of all {len(results)} runs",
        "keep only the runs with a learning rate above 0.001 first: the slow runs end "
        "far from converged, whatever their depth",
    )
    check(
        set(got) == set(expected),
        f"{name} has the keys {sorted(got)}, expected the numbers of hidden layers "
        f"{sorted(expected)}",
        hint,
    )
    check(
        same(got, expected),
        f"{name} gives {_shown(got)}, expected {_shown(expected)}",
        "average the 'val_loss' column of the runs with learning_rate > 1e-3",
    )
    passed(f"mean val_loss by hidden layers, learning rate above 0.001: {_shown(expected)}")
