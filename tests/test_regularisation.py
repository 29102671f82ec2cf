import copy
import math

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from practical_dl.regularisation import (
    EarlyStopping,
    format_mean_std,
    l2_penalty,
    mean_std,
    random_affine,
)


def small_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))


# l2_penalty


def test_l2_penalty_is_the_sum_of_squares():
    a, b = torch.tensor([1.0, -2.0]), torch.tensor([[3.0]])
    assert l2_penalty([a, b]).item() == 14.0
    assert l2_penalty(a).item() == 5.0  # one tensor, not its rows


def test_l2_penalty_by_hand_equals_sgd_weight_decay():
    X, y = torch.randn(8, 4), torch.randint(0, 2, (8,))
    by_hand, built_in = small_model(), small_model()
    criterion = nn.CrossEntropyLoss()
    sgd = torch.optim.SGD(by_hand.parameters(), lr=0.1)
    (criterion(by_hand(X), y) + 0.05 / 2 * l2_penalty(by_hand.parameters())).backward()
    sgd.step()
    sgd_wd = torch.optim.SGD(built_in.parameters(), lr=0.1, weight_decay=0.05)
    criterion(built_in(X), y).backward()
    sgd_wd.step()
    for a, b in zip(by_hand.parameters(), built_in.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-7)


def test_l2_penalty_refuses_bad_input():
    with pytest.raises(ValueError, match="parameters must hold at least one tensor"):
        l2_penalty([])
    with pytest.raises(TypeError, match=r"parameters\[1\] must be a torch.Tensor"):
        l2_penalty([torch.ones(2), [1.0, 2.0]])


# EarlyStopping


def test_early_stopping_stops_after_patience_epochs_without_improvement():
    model = small_model()
    stopper = EarlyStopping(patience=2)
    answers = [stopper.step(loss, model) for loss in [1.0, 0.5, 0.6, 0.7]]
    assert answers == [False, False, False, True]
    assert (stopper.best_loss, stopper.best_epoch, stopper.epoch) == (0.5, 2, 4)


def test_early_stopping_resets_the_count_on_improvement():
    model = small_model()
    stopper = EarlyStopping(patience=2)
    for loss in [1.0, 1.1, 0.9, 1.0]:
        assert not stopper.step(loss, model)
    assert stopper.best_epoch == 3 and stopper.bad_epochs == 1


def test_early_stopping_min_delta_ignores_tiny_improvements():
    model = small_model()
    stopper = EarlyStopping(patience=1, min_delta=0.1)
    stopper.step(1.0, model)
    assert stopper.step(0.95, model)  # better, but not by more than 0.1
    assert stopper.best_loss == 1.0


def test_early_stopping_keeps_a_deep_copy_and_restores_it():
    model = small_model()
    stopper = EarlyStopping(patience=3)
    stopper.step(0.5, model)
    kept = copy.deepcopy(model.state_dict())
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)  # training goes on: the live weights change
    stopper.step(0.9, model)  # worse: no new checkpoint
    for name, tensor in stopper.best_state.items():
        assert torch.equal(tensor, kept[name])
    stopper.restore(model)
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, kept[name])


def test_early_stopping_accepts_a_tensor_loss_and_never_improves_on_nan():
    model = small_model()
    stopper = EarlyStopping(patience=1)
    assert not stopper.step(torch.tensor(0.3), model)
    assert stopper.step(math.nan, model)
    assert stopper.best_loss == pytest.approx(0.3)


def test_early_stopping_refuses_bad_input():
    with pytest.raises(ValueError, match="patience must be a positive int, got 0"):
        EarlyStopping(patience=0)
    with pytest.raises(TypeError, match="patience"):
        EarlyStopping(patience=2.5)
    with pytest.raises(TypeError, match="patience"):
        EarlyStopping(patience=True)
    with pytest.raises(ValueError, match="min_delta must be a finite number >= 0"):
        EarlyStopping(patience=1, min_delta=-0.1)
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        EarlyStopping(patience=1).step(0.1, {"weight": torch.ones(1)})
    with pytest.raises(RuntimeError, match="no checkpoint yet"):
        EarlyStopping(patience=1).restore(small_model())


# random_affine


def test_random_affine_keeps_shape_dtype_and_device():
    images = torch.rand(5, 1, 8, 8)
    out = random_affine(images, generator=torch.Generator().manual_seed(0))
    assert out.shape == images.shape and out.dtype == images.dtype
    assert out.device == images.device
    assert not torch.equal(out, images)


def test_random_affine_with_no_rotation_or_shift_is_the_identity():
    images = torch.rand(3, 2, 8, 8)
    assert torch.allclose(random_affine(images, max_degrees=0, max_shift=0), images, atol=1e-6)


def test_random_affine_is_reproducible_with_a_generator():
    images = torch.rand(4, 1, 8, 8)
    a = random_affine(images, generator=torch.Generator().manual_seed(3))
    b = random_affine(images, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_one_pixel_grid_sample_shift_equals_a_zero_filled_roll():
    # The same sampling as random_affine, with a fixed shift of exactly one pixel.
    images = torch.rand(2, 1, 8, 8)
    theta = torch.tensor([[1.0, 0.0, 2 / 8], [0.0, 1.0, 0.0]]).expand(2, 2, 3)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    shifted = F.grid_sample(images, grid, align_corners=False)
    expected = torch.roll(images, shifts=-1, dims=3)
    expected[..., -1] = 0
    assert torch.allclose(shifted, expected, atol=1e-6)


def test_random_affine_stays_within_its_bounds():
    # An image with one bright pixel in the middle: after at most a one-pixel shift
    # and a small rotation, the ink stays within two pixels of where it was.
    image = torch.zeros(200, 1, 9, 9)
    image[:, :, 4, 4] = 1.0
    out = random_affine(image, max_degrees=10, max_shift=1.0)
    far = torch.ones(9, 9, dtype=torch.bool)
    far[2:7, 2:7] = False
    assert out[:, 0][:, far].abs().max() < 1e-6
    assert (out.sum(dim=(1, 2, 3)) > 0.9).all()  # the ink is moved, not lost


def test_random_affine_refuses_bad_input():
    with pytest.raises(TypeError, match="images must be a torch.Tensor"):
        random_affine(np.zeros((1, 1, 8, 8)))
    with pytest.raises(TypeError, match="images must be a floating-point tensor"):
        random_affine(torch.zeros(1, 1, 8, 8, dtype=torch.long))
    with pytest.raises(ValueError, match=r"images must have shape \(N, C, H, W\)"):
        random_affine(torch.zeros(8, 8))
    with pytest.raises(ValueError, match="max_degrees must be a finite number >= 0"):
        random_affine(torch.zeros(1, 1, 8, 8), max_degrees=-1)
    with pytest.raises(TypeError, match="max_shift"):
        random_affine(torch.zeros(1, 1, 8, 8), max_shift="1")


# mean_std and format_mean_std


def test_mean_std_uses_the_sample_standard_deviation():
    mean, std = mean_std([0.8, 0.9, 1.0])
    assert mean == pytest.approx(0.9) and std == pytest.approx(0.1)
    assert mean_std(torch.tensor([1.0, 3.0])) == pytest.approx((2.0, math.sqrt(2)))
    assert mean_std(pd.Series([1.0, 3.0])) == pytest.approx((2.0, math.sqrt(2)))


def test_format_mean_std_writes_mean_plus_minus_spread():
    assert format_mean_std([0.8, 0.9, 1.0]) == "0.900 ± 0.100"
    assert format_mean_std(np.array([1.0, 2.0]), digits=1) == "1.5 ± 0.7"


def test_mean_std_refuses_bad_input():
    with pytest.raises(ValueError, match="at least 2 numbers"):
        mean_std([0.9])
    with pytest.raises(ValueError, match="finite"):
        mean_std([0.9, math.nan])
    with pytest.raises(TypeError, match="values must hold numbers"):
        mean_std(["a", "b"])
    with pytest.raises(ValueError, match="digits must be"):
        format_mean_std([1.0, 2.0], digits=-1)
    with pytest.raises(TypeError, match="digits"):
        format_mean_std([1.0, 2.0], digits=1.5)
