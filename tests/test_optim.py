import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler

from practical_dl.optim import (
    LRRangeTest,
    gradient_norm,
    lr_range_test,
    lr_schedule,
    optimiser_path,
    suggest_lr,
)


def _bowl(w: torch.Tensor) -> torch.Tensor:
    return 0.5 * (w[0] ** 2 + 10 * w[1] ** 2)


def _blobs(n: int = 200) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    y = torch.randint(0, 3, (n,), generator=generator)
    X = torch.randn(n, 4, generator=generator) + 2.0 * nn.functional.one_hot(y, 4).float()
    return X, y


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


# optimiser_path


def test_optimiser_path_matches_sgd_by_hand():
    path = optimiser_path(_bowl, (2.0, 1.0), lambda p: torch.optim.SGD(p, lr=0.1), 3)
    expected = [torch.tensor([2.0, 1.0])]
    for _ in range(3):
        w = expected[-1]
        gradient = torch.tensor([w[0].item(), 10 * w[1].item()])
        expected.append(w - 0.1 * gradient)
    assert path.shape == (4, 2)
    assert torch.allclose(path, torch.stack(expected), atol=1e-6)


def test_optimiser_path_starts_at_start_and_descends():
    path = optimiser_path(_bowl, [-3, 0.5], lambda p: torch.optim.Adam(p, lr=0.1), 50)
    assert torch.equal(path[0], torch.tensor([-3.0, 0.5]))
    assert _bowl(path[-1]) < _bowl(path[0]) / 10


@pytest.mark.parametrize("start", [(1.0,), (1.0, 2.0, 3.0), (float("nan"), 0.0)])
def test_optimiser_path_rejects_bad_start(start):
    with pytest.raises(ValueError, match="start must be two finite numbers"):
        optimiser_path(_bowl, start, lambda p: torch.optim.SGD(p, lr=0.1), 5)


def test_optimiser_path_rejects_non_numbers():
    with pytest.raises(TypeError, match="start must be two finite numbers"):
        optimiser_path(_bowl, ("a", "b"), lambda p: torch.optim.SGD(p, lr=0.1), 5)


def test_optimiser_path_rejects_bad_num_steps():
    with pytest.raises(ValueError, match="num_steps must be a positive int, got 0"):
        optimiser_path(_bowl, (1.0, 1.0), lambda p: torch.optim.SGD(p, lr=0.1), 0)
    with pytest.raises(TypeError, match="num_steps must be a positive int"):
        optimiser_path(_bowl, (1.0, 1.0), lambda p: torch.optim.SGD(p, lr=0.1), 2.5)


def test_optimiser_path_rejects_a_loss_that_is_not_a_scalar():
    with pytest.raises(ValueError, match="loss_fn must return a single number"):
        optimiser_path(lambda w: w * 2, (1.0, 1.0), lambda p: torch.optim.SGD(p, lr=0.1), 2)
    with pytest.raises(TypeError, match="loss_fn must return a tensor"):
        optimiser_path(lambda w: 1.0, (1.0, 1.0), lambda p: torch.optim.SGD(p, lr=0.1), 2)


# lr_range_test


def test_lr_range_test_grows_the_lr_exponentially_and_restores_everything():
    X, y = _blobs()
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    result = lr_range_test(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        X,
        y,
        start_lr=1e-3,
        end_lr=1.0,
        num_steps=31,
        stop_factor=1e9,
    )
    assert isinstance(result, LRRangeTest)
    assert len(result.lrs) == len(result.losses) == len(result.raw_losses) == 31
    assert result.lrs[0] == pytest.approx(1e-3) and result.lrs[-1] == pytest.approx(1.0)
    ratios = np.array(result.lrs[1:]) / np.array(result.lrs[:-1])
    assert np.allclose(ratios, ratios[0])
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key])
    assert optimizer.param_groups[0]["lr"] == 0.05
    assert not optimizer.state  # no momentum buffers left behind


def test_lr_range_test_smooths_with_a_bias_corrected_average():
    X, y = _blobs()
    result = lr_range_test(
        _model(),
        nn.CrossEntropyLoss(),
        torch.optim.SGD(_model().parameters(), lr=0.1),
        X,
        y,
        num_steps=10,
        smoothing=0.5,
        stop_factor=1e9,
    )
    assert result.losses[0] == pytest.approx(result.raw_losses[0])  # bias-corrected start
    average = 0.0
    for step, raw in enumerate(result.raw_losses):
        average = 0.5 * average + 0.5 * raw
        assert result.losses[step] == pytest.approx(average / (1 - 0.5 ** (step + 1)))


def test_lr_range_test_stops_when_the_loss_blows_up():
    X, y = _blobs()
    model = _model()
    result = lr_range_test(
        model,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        X,
        y,
        start_lr=1e-3,
        end_lr=1e4,
        num_steps=100,
    )
    assert len(result.lrs) < 100
    last = result.losses[-1]
    assert not math.isfinite(last) or last > 4 * min(result.losses)


def test_lr_range_test_is_reproducible_with_a_generator():
    X, y = _blobs()

    def once():
        model = _model()
        return lr_range_test(
            model,
            nn.CrossEntropyLoss(),
            torch.optim.SGD(model.parameters(), lr=0.1),
            X,
            y,
            num_steps=20,
            batch_size=16,
            generator=torch.Generator().manual_seed(3),
        )

    assert once() == once()


def test_lr_range_test_suggestion_is_a_learning_rate_it_tried():
    X, y = _blobs()
    model = _model()
    result = lr_range_test(
        model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), X, y
    )
    assert result.suggestion() in result.lrs
    assert result.suggestion("minimum") * 10 in result.lrs


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"start_lr": 0.0}, ValueError, "start_lr must be a positive, finite number"),
        ({"end_lr": 1e-5}, ValueError, "end_lr must be above start_lr"),
        ({"num_steps": 1}, ValueError, "num_steps must be an int >= 2"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive int"),
        ({"smoothing": 1.0}, ValueError, r"smoothing must be a number in \[0, 1\)"),
        ({"stop_factor": 1.0}, ValueError, "stop_factor must be above 1"),
        ({"start_lr": "1e-4"}, TypeError, "start_lr must be a positive, finite number"),
    ],
)
def test_lr_range_test_rejects_bad_arguments(kwargs, error, message):
    X, y = _blobs()
    model = _model()
    with pytest.raises(error, match=message):
        lr_range_test(
            model,
            nn.CrossEntropyLoss(),
            torch.optim.SGD(model.parameters(), lr=0.1),
            X,
            y,
            **kwargs,
        )


def test_lr_range_test_rejects_mismatched_rows():
    X, y = _blobs()
    model = _model()
    with pytest.raises(ValueError, match="X and y must hold the same, non-zero number of rows"):
        lr_range_test(
            model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), X, y[:-1]
        )
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        lr_range_test(
            model,
            nn.CrossEntropyLoss(),
            torch.optim.SGD(model.parameters(), lr=0.1),
            X.numpy(),
            y,
        )


# suggest_lr


def test_suggest_lr_steepest_and_minimum():
    lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]
    losses = [2.3, 2.2, 1.5, 0.9, 0.8, 5.0]
    assert suggest_lr(lrs, losses) == 1e-2  # the largest drop per decade: 2.2 -> 0.9
    assert suggest_lr(lrs, losses, method="minimum") == pytest.approx(0.1)


def test_suggest_lr_ignores_non_finite_losses():
    lrs = [1e-3, 1e-2, 1e-1, 1.0]
    losses = [2.0, 1.0, 0.5, float("nan")]
    assert suggest_lr(lrs, losses, method="minimum") == pytest.approx(0.01)


def test_suggest_lr_looks_only_before_the_minimum():
    lrs = [1e-3, 1e-2, 1e-1, 1.0, 10.0]
    losses = [2.0, 1.0, 0.5, 3.0, 0.6]  # the steepest drop of all, 3.0 -> 0.6, is after it
    assert suggest_lr(lrs, losses) == 1e-3


@pytest.mark.parametrize(
    ("lrs", "losses", "method", "message"),
    [
        ([1e-3, 1e-2, 1e-1], [1.0, 0.5], "steepest", "lrs and losses must have the same length"),
        ([1e-3, 1e-2], [1.0, 0.5], "steepest", "losses must hold at least 3 finite points"),
        ([1e-3, 1e-2, 1e-1], [1.0, 0.5, 0.2], "valley", "method must be one of"),
    ],
)
def test_suggest_lr_rejects_bad_input(lrs, losses, method, message):
    with pytest.raises(ValueError, match=message):
        suggest_lr(lrs, losses, method=method)


# lr_schedule


def test_lr_schedule_records_step_decay():
    lrs = lr_schedule(lambda opt: lr_scheduler.StepLR(opt, step_size=2, gamma=0.5), 6, lr=1.0)
    assert lrs == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.25, 0.25])


def test_lr_schedule_follows_one_cycle_without_warnings():
    lrs = lr_schedule(lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.4, total_steps=20), 20)
    assert lrs[0] == pytest.approx(0.4 / 25)
    assert max(lrs) == pytest.approx(0.4)
    assert lrs[-1] < lrs[0] / 1000


def test_lr_schedule_rejects_bad_arguments():
    with pytest.raises(ValueError, match="num_steps must be a positive int"):
        lr_schedule(lambda opt: lr_scheduler.StepLR(opt, step_size=1), 0)
    with pytest.raises(ValueError, match="lr must be a positive, finite number"):
        lr_schedule(lambda opt: lr_scheduler.StepLR(opt, step_size=1), 5, lr=-1.0)
    with pytest.raises(TypeError, match="make_scheduler must return a torch.optim.lr_scheduler"):
        lr_schedule(lambda opt: opt, 5)


# gradient_norm


def test_gradient_norm_matches_clip_grad_norm():
    X, y = _blobs()
    model = _model()
    nn.CrossEntropyLoss()(model(X), y).backward()
    expected = nn.utils.clip_grad_norm_(model.parameters(), max_norm=math.inf)
    assert gradient_norm(model.parameters()) == pytest.approx(expected.item(), rel=1e-6)


def test_gradient_norm_of_one_tensor_and_of_nothing():
    w = torch.zeros(2, requires_grad=True)
    (3 * w[0] + 4 * w[1]).backward()
    assert gradient_norm(w) == pytest.approx(5.0)
    assert gradient_norm([torch.zeros(3, requires_grad=True)]) == 0.0
