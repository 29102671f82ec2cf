"""Checks for the exercises on dropout, weight decay and early stopping.

Introduced in chapter 12, "Overfitting and regularisation".

Each check takes what you wrote (a function or the results of your runs) and
tests it without training anything itself, so it runs in a moment; it prints
what it confirmed, or raises :class:`~practical_dl.exercises.CheckFailed`
saying what is wrong and where to look.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from practical_dl.exercises import call, check, check_callable, given, passed

__all__ = ["check_decay_groups", "check_my_dropout", "check_patience"]


_MASK_HINT = "draw the mask with torch.empty_like(x).bernoulli_(1 - p): 1 keeps a value"


def check_my_dropout(my_dropout: Any) -> None:
    """Check ``my_dropout(x, p)`` against ``F.dropout(x, p, training=True)``, seeded alike.

    After ``torch.manual_seed(1)`` both must give the same numbers, bit for
    bit, for ``p = 0.3`` and ``p = 0.5``. The random number generators are put
    back as they were afterwards.

    Args:
        my_dropout: The reader's function.

    Raises:
        CheckFailed: When it returns another shape, keeps or scales the wrong
            values, or draws its mask another way.
    """
    check_callable("my_dropout", my_dropout)
    with torch.random.fork_rng(devices=[]):  # the page's random numbers stay as they were
        x = torch.randn(4, 6, generator=torch.Generator().manual_seed(0))
        for p in (0.3, 0.5):
            called = f"my_dropout(x, {p})"
            torch.manual_seed(1)
            mine = given(called, call(called, my_dropout, x.clone(), p))
            torch.manual_seed(1)
            theirs = F.dropout(x, p, training=True)
            check(
                isinstance(mine, torch.Tensor) and mine.shape == x.shape,
                f"{called} should return a tensor shaped like x {tuple(x.shape)}",
                "multiply x by a mask of the same shape",
            )
            kept = mine != 0
            check(
                torch.allclose(mine[kept], x[kept] / (1 - p), atol=1e-6),
                f"{called} does not scale the values it keeps by 1 / (1 - p) = {1 / (1 - p):.3f}",
                "divide the kept values by 1 - p, so the expected value stays x",
            )
            check(
                torch.equal(kept, theirs != 0),
                f"{called} zeroes other values than F.dropout seeded the same way",
                _MASK_HINT,
            )
            check(
                torch.equal(mine, theirs),
                f"{called} keeps the same values as F.dropout, but differs from it in the last bit",
                "PyTorch scales the mask first: x * (mask / (1 - p)), not x * mask / (1 - p)",
            )
    passed("my_dropout matches F.dropout bit for bit for p = 0.3 and p = 0.5")


def _small_mlp() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(12)
        model = nn.Sequential(
            nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 6), nn.ReLU(), nn.Linear(6, 3)
        )
        X, y = torch.randn(10, 8), torch.randint(0, 3, (10,))
    return model, X, y


def check_decay_groups(decay_groups: Any) -> None:
    """Check ``decay_groups(model, weight_decay)``: weight matrices decayed, biases not.

    The groups it returns go to ``torch.optim.SGD``; one step must equal a
    plain SGD step on the loss plus ``weight_decay / 2`` times the sum of
    the squared *weight matrices* only. The check builds its own small
    network, so it trains nothing of yours.

    Args:
        decay_groups: The reader's function.

    Raises:
        CheckFailed: When a parameter is missing or in two groups, a bias is
            decayed, or the step differs from the hand-written penalty.
    """
    check_callable("decay_groups", decay_groups)
    by_hand, X, y = _small_mlp()
    model = copy.deepcopy(by_hand)
    called = "decay_groups(model, 0.01)"
    groups = given(called, call(called, decay_groups, model, 0.01))
    check(
        isinstance(groups, list | tuple)
        and all(isinstance(g, dict) and "params" in g for g in groups),
        f"{called} should return a list of dicts, each with 'params' and 'weight_decay'",
        "[{'params': [...weights...], 'weight_decay': weight_decay}, "
        "{'params': [...biases...], 'weight_decay': 0.0}]",
    )
    names = {id(p): name for name, p in model.named_parameters()}
    seen: dict[int, float] = {}
    for group in groups:
        params = list(group["params"])
        check(
            all(id(p) in names for p in params),
            f"{called} holds tensors that are not the model's parameters",
            "take them from model.named_parameters() of the model you are given",
        )
        for p in params:
            check(
                id(p) not in seen,
                f"{names[id(p)]} is in two groups",
                "each parameter belongs to exactly one group",
            )
            seen[id(p)] = group.get("weight_decay", 0.0)
    missing = [name for key, name in names.items() if key not in seen]
    check(
        not missing,
        f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} in no group",
        "an optimiser only updates the parameters it is given: put every weight and bias in one",
    )
    decayed_biases = [names[k] for k, wd in seen.items() if names[k].endswith("bias") and wd]
    check(
        not decayed_biases,
        f"the biases are decayed too ({', '.join(decayed_biases)})",
        "put the parameters whose name ends with 'bias' in a group with 'weight_decay': 0.0",
    )
    undecayed = [names[k] for k, wd in seen.items() if names[k].endswith("weight") and wd != 0.01]
    check(
        not undecayed,
        f"the weight matrices {', '.join(undecayed)} are not decayed by weight_decay=0.01",
        "give the weights' group 'weight_decay': weight_decay, the function's argument",
    )
    criterion = nn.CrossEntropyLoss()
    weights = [p for name, p in by_hand.named_parameters() if name.endswith("weight")]
    loss = criterion(by_hand(X), y) + 0.01 / 2 * sum((w**2).sum() for w in weights)
    loss.backward()
    torch.optim.SGD(by_hand.parameters(), lr=0.1).step()
    optimizer = call("torch.optim.SGD(groups, lr=0.1)", torch.optim.SGD, groups, 0.1)
    criterion(model(X), y).backward()
    optimizer.step()
    for (name, a), b in zip(by_hand.named_parameters(), model.parameters(), strict=True):
        check(
            torch.allclose(a, b, atol=1e-6),
            f"after one step, {name} differs from SGD on the loss plus the penalty by hand",
            "two groups: the weight matrices with weight_decay, the biases with 0.0",
        )
    passed(
        f"{len(weights)} weight matrices decayed, {len(seen) - len(weights)} bias vectors left "
        "alone: the same step as the penalty written by hand"
    )


def _per_patience(name: str, value: Any, n_seeds: int) -> dict[int, list[int]]:
    given(name, value)
    check(
        isinstance(value, dict) and {2, 30} <= set(value),
        f"{name} should be a dict with the keys 2 and 30 (the patiences), got {value!r:.80}",
        f"{name}[patience] = [one epoch per seed in SEEDS]",
    )
    for patience in (2, 30):
        epochs = value[patience]
        check(
            isinstance(epochs, list | tuple) and len(epochs) == n_seeds,
            f"{name}[{patience}] should hold {n_seeds} epochs, one per seed, got {epochs!r:.80}",
            "append one epoch for each seed in SEEDS",
        )
    return {p: [int(e) for e in value[p]] for p in (2, 30)}


def check_patience(restored: Any, stopped_at: Any, history: Any, n_seeds: int = 3) -> None:
    """Check early stopping with a patience of 2 and of 30, from its results alone.

    ``restored[patience]`` lists the epoch each seed's run restored and
    ``stopped_at[patience]`` the last epoch it ran. For seed 0 the restored
    epoch must be the lowest point of the validation loss that section 3
    recorded (the same training images and initial weights), and each run
    must stop ``patience`` epochs after its best one, unless it reached the
    last epoch first.

    Args:
        restored: The reader's ``{patience: [restored epoch per seed]}``.
        stopped_at: The reader's ``{patience: [last epoch run per seed]}``.
        history: The seed-0 baseline's record (a DataFrame indexed by epoch,
            with a ``val_loss`` column).
        n_seeds: How many seeds each list holds.

    Raises:
        CheckFailed: When an epoch does not fit the rule or section 3's curve.
    """
    best = _per_patience("restored", restored, n_seeds)
    last = _per_patience("stopped_at", stopped_at, n_seeds)
    lowest, max_epochs = int(history["val_loss"].idxmin()), len(history)
    same_run = (
        "for each seed, draw the training images with sample_per_class(y_pool.cpu(), 10, "
        "seed=seed) and call seed_everything(seed) right before make_mlp()"
    )
    for patience in (2, 30):
        check(
            best[patience][0] == lowest,
            f"with patience {patience}, seed 0 restored epoch {best[patience][0]}, but the "
            f"lowest validation loss of section 3's run with seed 0 is at epoch {lowest}",
            same_run,
        )
        for seed, (kept, ran) in enumerate(zip(best[patience], last[patience], strict=True)):
            check(
                ran - kept == patience or (ran == max_epochs and ran - kept < patience),
                f"with patience {patience}, run {seed} restored epoch {kept} and stopped at "
                f"epoch {ran}: it should stop {patience} epochs after its best one",
                "record the best epoch and the last epoch fit_early_stopping returns: "
                "net, best_epoch, last_epoch = fit_early_stopping(...)",
            )
    check(
        best[2] == best[30],
        f"patience 2 restored {best[2]} and patience 30 restored {best[30]}",
        same_run,
    )
    extra = [b - a for a, b in zip(last[2], last[30], strict=True)]
    passed(
        f"both patiences restore epochs {best[2]}; patience 30 runs {extra} more epochs "
        "per seed for nothing"
    )
