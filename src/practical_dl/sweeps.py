"""Run a Weights & Biases sweep configuration offline, with W&B's own sweep engine.

``wandb.sweep`` and ``wandb.agent`` need an account and a server: the server
holds the sweep and hands each agent its next configuration. The logic that
picks those configurations is open source, in the ``sweeps`` package
(``sweeps.next_run(config, runs)``). This module drives it in a plain loop, so
the same sweep configuration runs on a laptop with no account and no network.

Introduced in chapter 11, "Experiment tracking and sweeps with Weights & Biases".
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from practical_dl import _checks as check

with warnings.catch_warnings():
    # sweeps 0.2 declares its pydantic models in the pydantic-1 style; pydantic 2
    # warns about that once, at import. Nothing we call depends on it.
    warnings.simplefilter("ignore")
    import sweeps
    from sweeps import RunState, SweepRun

__all__ = ["best_config", "run_sweep", "sample_configs"]

TrainFn = Callable[[dict[str, Any]], Mapping[str, float]]
_GOALS = ("minimize", "maximize")


class _EngineRandom:
    """A private copy of the global RNG states that the sweep engine samples from.

    ``sweeps`` draws from Python's ``random`` (random and bayes search) and
    NumPy's global generator (bayes search). Swapping this state in around each
    proposal makes the proposals depend on ``seed`` only: a training function
    that seeds the global RNGs (as it should) can no longer make every proposal
    identical.
    """

    def __init__(self, seed: int) -> None:
        self.py_state = random.Random(seed).getstate()
        self.np_state = np.random.RandomState(seed).get_state()

    @contextmanager
    def active(self) -> Iterator[None]:
        saved_py, saved_np = random.getstate(), np.random.get_state()
        random.setstate(self.py_state)
        np.random.set_state(self.np_state)
        try:
            yield
        finally:
            self.py_state, self.np_state = random.getstate(), np.random.get_state()
            random.setstate(saved_py)
            np.random.set_state(saved_np)


def _plain(value: Any) -> Any:
    """Turn NumPy scalars from the engine into plain Python numbers."""
    return value.item() if isinstance(value, np.generic) else value


def _check_config(sweep_config: Mapping[str, Any], sections: tuple[str, ...]) -> None:
    if not isinstance(sweep_config, Mapping):
        raise check.bad("sweep_config", "be a dict", sweep_config, error=TypeError)
    missing = [key for key in sections if key not in sweep_config]
    if missing:
        keys = ", ".join(repr(k) for k in missing)
        raise check.bad(
            "sweep_config",
            f"have the sections {', '.join(repr(k) for k in sections)}",
            got=f"a dict missing {keys}",
        )


def _metric_and_goal(sweep_config: Mapping[str, Any]) -> tuple[str, str]:
    _check_config(sweep_config, ("method", "metric", "parameters"))
    metric = sweep_config["metric"]
    if not isinstance(metric, Mapping) or "name" not in metric:
        raise check.bad("sweep_config['metric']", "be a dict with a 'name'", metric)
    goal = check.one_of("sweep_config['metric']['goal']", metric.get("goal", "minimize"), _GOALS)
    return metric["name"], goal


def run_sweep(
    sweep_config: Mapping[str, Any],
    train: TrainFn,
    count: int = 20,
    seed: int = 0,
    verbose: bool = False,
) -> pd.DataFrame:
    """Run a W&B sweep configuration offline: propose, train, record, repeat.

    Each round asks ``sweeps.next_run`` for the next configuration given every
    finished run so far (so ``"bayes"`` learns from earlier results, ``"grid"``
    walks its grid and stops when it is exhausted), calls ``train`` with the
    sampled values, and records the metrics it returns as the run's summary.

    Introduced in chapter 11, "Experiment tracking and sweeps with Weights & Biases".

    Args:
        sweep_config: A W&B sweep configuration with ``method``, ``metric``
            (``name`` and ``goal``) and ``parameters``, exactly as passed to
            ``wandb.sweep``.
        train: Called with a plain dict of the sampled values, such as
            ``{"hidden_layers": 1, "learning_rate": 0.003}``; returns a mapping of
            metric names to numbers that includes the sweep's metric.
        count: Maximum number of runs, like ``wandb.agent(..., count=...)``.
        seed: Seed for the engine's proposals only; ``train`` may seed the
            global random number generators without changing them.
        verbose: Print one line per finished run.

    Returns:
        One row per run: ``run`` (0, 1, ...), the sampled parameters, then the
        returned metrics, in the order the runs happened.

    Raises:
        TypeError: If ``sweep_config`` is not a mapping or ``count`` not an int.
        ValueError: If the configuration lacks a section or its goal is unknown,
            ``count`` is below 1, or ``train`` does not return the sweep's metric.
    """
    metric, _goal = _metric_and_goal(sweep_config)
    count = check.positive_int("count", count)
    config = dict(sweep_config)
    engine_random = _EngineRandom(seed)
    runs: list[SweepRun] = []
    rows: list[dict[str, Any]] = []
    for index in range(count):
        with engine_random.active(), warnings.catch_warnings():
            # Bayes search fits a Gaussian process that often warns about its
            # kernel bounds on a few runs; the proposals are still valid.
            warnings.simplefilter("ignore", ConvergenceWarning)
            proposal = sweeps.next_run(config, runs)
        if proposal is None:  # a grid search has tried every combination
            break
        params = {name: _plain(entry["value"]) for name, entry in proposal.config.items()}
        metrics = {name: _plain(value) for name, value in dict(train(dict(params))).items()}
        if metric not in metrics:
            raise check.bad(
                "train",
                f"return the sweep's metric {metric!r}",
                got=f"a function that returned the keys {sorted(metrics)}",
            )
        # summaryMetrics=, the field's alias: sweeps 0.2 silently drops summary_metrics=.
        runs.append(
            SweepRun(
                name=f"run-{index}",
                config=proposal.config,
                state=RunState.finished,
                summaryMetrics=metrics,
            )
        )
        rows.append({"run": index, **params, **metrics})
        if verbose:
            shown = {**params, metric: metrics[metric]}
            text = ", ".join(
                f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items()
            )
            print(f"run {index:2d}: {text}")
    return pd.DataFrame(rows)


def best_config(results: pd.DataFrame, sweep_config: Mapping[str, Any]) -> dict[str, Any]:
    """Return the parameters of the best run of a sweep.

    Introduced in chapter 11, "Experiment tracking and sweeps with Weights & Biases".

    Args:
        results: The table returned by :func:`run_sweep`.
        sweep_config: The sweep configuration, for its metric, goal and parameter names.

    Returns:
        The best run's values for each parameter of the sweep, as plain Python numbers.

    Raises:
        TypeError: If ``sweep_config`` is not a mapping.
        ValueError: If ``results`` is empty or lacks the metric or a parameter
            column, or the configuration lacks a section.
    """
    metric, goal = _metric_and_goal(sweep_config)
    names = list(sweep_config["parameters"])
    missing = [c for c in [metric, *names] if c not in results.columns]
    if results.empty or missing:
        raise check.bad(
            "results",
            f"be a non-empty table with the columns {[metric, *names]}",
            got=f"{len(results)} rows, missing {missing}",
        )
    scores = results[metric]
    best = scores.idxmin() if goal == "minimize" else scores.idxmax()
    # Column by column, so integer columns stay integers (a row would upcast them).
    return {name: _plain(results[name].loc[best]) for name in names}


def sample_configs(sweep_config: Mapping[str, Any], n: int = 500, seed: int = 0) -> pd.DataFrame:
    """Draw configurations from a random sweep without training anything.

    Useful to see what a distribution such as ``log_uniform_values`` samples.

    Introduced in chapter 11, "Experiment tracking and sweeps with Weights & Biases".

    Args:
        sweep_config: A sweep configuration; its ``method`` is treated as ``"random"``.
        n: Number of configurations to draw.
        seed: Seed for the draws.

    Returns:
        One row per draw, one column per parameter.

    Raises:
        TypeError: If ``n`` is not an int or ``sweep_config`` not a mapping.
        ValueError: If ``n`` is below 1 or the configuration has no ``parameters``.
    """
    n = check.positive_int("n", n)
    _check_config(sweep_config, ("parameters",))
    config = {**dict(sweep_config), "method": "random"}
    with _EngineRandom(seed).active():
        proposals = sweeps.next_runs(config, [], n=n)
    return pd.DataFrame([{k: _plain(v["value"]) for k, v in p.config.items()} for p in proposals])
