import random
from collections import OrderedDict

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from practical_dl.checkpoint import (
    get_rng_state,
    load_checkpoint,
    save_checkpoint,
    set_rng_state,
    strip_prefix,
)


def _parts(seed):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    generator = torch.Generator().manual_seed(seed)
    data = TensorDataset(torch.linspace(-1, 1, 40).reshape(10, 4), torch.arange(10.0) % 2)
    loader = DataLoader(data, batch_size=3, shuffle=True, generator=generator)
    return model, optimizer, scheduler, generator, loader


def _epoch(model, optimizer, scheduler, loader):
    model.train()
    losses = []
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(model(x).squeeze(1), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    scheduler.step()
    return losses


def _draws(generator=None):
    draws = [random.random(), float(np.random.rand()), torch.rand(1).item()]
    if generator is not None:
        draws.append(torch.rand(1, generator=generator).item())
    return draws


@pytest.fixture
def saved(tmp_path):
    model, optimizer, scheduler, generator, loader = _parts(0)
    losses = _epoch(model, optimizer, scheduler, loader)
    path = save_checkpoint(
        tmp_path / "run.pt",
        model,
        optimizer,
        scheduler,
        epoch=1,
        loader_generator=generator,
        losses=losses,
    )
    return path, (model, optimizer, scheduler, generator, loader)


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    model, optimizer, scheduler, _, loader = _parts(0)
    straight = [loss for _ in range(3) for loss in _epoch(model, optimizer, scheduler, loader)]

    first = _parts(0)
    losses = _epoch(*first[:3], first[4])
    save_checkpoint(
        tmp_path / "c.pt", *first[:3], epoch=1, loader_generator=first[3], losses=losses
    )
    second = _parts(7)  # other weights, other generator states
    checkpoint = load_checkpoint(tmp_path / "c.pt", *second[:3], loader_generator=second[3])
    losses = checkpoint["losses"]
    for _ in range(checkpoint["epoch"], 3):
        losses += _epoch(*second[:3], second[4])

    assert losses == straight
    for a, b in zip(model.parameters(), second[0].parameters(), strict=True):
        assert torch.equal(a, b)


def test_dropping_the_rng_state_changes_the_run(tmp_path):
    model, optimizer, scheduler, _, loader = _parts(0)
    straight = [loss for _ in range(2) for loss in _epoch(model, optimizer, scheduler, loader)]
    first = _parts(0)
    losses = _epoch(*first[:3], first[4])
    save_checkpoint(tmp_path / "c.pt", *first[:3], epoch=1, loader_generator=first[3])
    second = _parts(7)
    load_checkpoint(tmp_path / "c.pt", *second[:3], loader_generator=second[3], restore_rng=False)
    losses += _epoch(*second[:3], second[4])
    assert losses != straight


def test_rng_states_are_restored(saved):
    path, (model, optimizer, scheduler, generator, _) = saved
    expected = _draws(generator)
    random.seed(1)
    np.random.seed(1)
    torch.manual_seed(1)
    generator.manual_seed(1)
    load_checkpoint(path, model, optimizer, scheduler, loader_generator=generator)
    assert _draws(generator) == expected


def test_restore_rng_false_leaves_generators_alone(saved):
    path, (model, *_) = saved
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    load_checkpoint(path, model, restore_rng=False)
    assert torch.equal(torch.rand(3), expected)


def test_checkpoint_holds_every_part_and_loads_weights_only(saved):
    path, (model, optimizer, scheduler, _, _) = saved
    checkpoint = torch.load(path, weights_only=True)
    assert checkpoint["epoch"] == 1 and len(checkpoint["losses"]) == 4
    assert set(checkpoint["rng"]) >= {"python", "numpy", "torch", "loader"}
    assert checkpoint["scheduler"]["last_epoch"] == 1
    assert checkpoint["scaler"] is None
    assert not list(path.parent.glob("*.partial"))  # written atomically


def test_optimizer_and_scheduler_states_are_restored(saved):
    path, (model, optimizer, scheduler, _, _) = saved
    new_model, new_optimizer, new_scheduler, _, _ = _parts(3)
    load_checkpoint(path, new_model, new_optimizer, new_scheduler)
    assert new_optimizer.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"] == 5e-3
    assert new_scheduler.last_epoch == scheduler.last_epoch
    old_state, new_state = optimizer.state_dict()["state"], new_optimizer.state_dict()["state"]
    for index in old_state:
        assert torch.equal(old_state[index]["exp_avg"], new_state[index]["exp_avg"])


def test_grad_scaler_state_round_trips(tmp_path):
    model, optimizer, *_ = _parts(0)
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
    save_checkpoint(tmp_path / "s.pt", model, optimizer, epoch=0, scaler=scaler)
    restored = torch.amp.GradScaler("cpu")
    load_checkpoint(tmp_path / "s.pt", model, scaler=restored)
    assert restored.state_dict()["scale"] == 1024.0


def test_missing_file_names_the_path(tmp_path):
    model = nn.Linear(2, 1)
    with pytest.raises(FileNotFoundError, match="nowhere.pt"):
        load_checkpoint(tmp_path / "nowhere.pt", model)


def test_missing_part_is_named(tmp_path):
    model, optimizer, scheduler, generator, _ = _parts(0)
    save_checkpoint(tmp_path / "c.pt", model, optimizer, epoch=0)  # no scheduler, no generator
    with pytest.raises(ValueError, match="scheduler"):
        load_checkpoint(tmp_path / "c.pt", model, optimizer, scheduler)
    with pytest.raises(ValueError, match="loader"):
        load_checkpoint(tmp_path / "c.pt", model, loader_generator=generator)


def test_plain_state_dict_is_not_a_checkpoint(tmp_path):
    model = nn.Linear(2, 1)
    torch.save(model.state_dict(), tmp_path / "weights.pt")
    with pytest.raises(ValueError, match="not a checkpoint written by save_checkpoint"):
        load_checkpoint(tmp_path / "weights.pt", model)


def test_wrong_architecture_raises_torch_error(saved):
    path, _ = saved
    with pytest.raises(RuntimeError, match="state_dict"):
        load_checkpoint(path, nn.Linear(4, 1))


@pytest.mark.parametrize(
    "kwargs, error, word",
    [
        ({"epoch": -1}, ValueError, "epoch"),
        ({"epoch": True}, TypeError, "epoch"),
        ({"epoch": 1.5}, TypeError, "epoch"),
        ({"epoch": 0, "model": 3}, TypeError, "model"),
        ({"epoch": 0, "optimizer": None}, TypeError, "optimizer"),
        ({"epoch": 0, "scheduler": 3}, TypeError, "scheduler"),
        ({"epoch": 0, "loader_generator": 3}, TypeError, "loader_generator"),
        ({"epoch": 0, "rng": 1}, ValueError, "reserved"),
        ({"epoch": 0, "path": 3}, TypeError, "path"),
    ],
)
def test_save_rejects_bad_arguments(tmp_path, kwargs, error, word):
    model, optimizer, *_ = _parts(0)
    arguments = {"path": tmp_path / "c.pt", "model": model, "optimizer": optimizer, **kwargs}
    with pytest.raises(error, match=word):
        save_checkpoint(**arguments)


def test_load_rejects_bad_arguments(saved):
    path, (model, *_) = saved
    with pytest.raises(TypeError, match="optimizer"):
        load_checkpoint(path, model, optimizer="adam")
    with pytest.raises(TypeError, match="model"):
        load_checkpoint(path, model.state_dict())


def test_set_rng_state_checks_its_input():
    with pytest.raises(TypeError, match="state"):
        set_rng_state([1, 2])
    with pytest.raises(ValueError, match="'numpy'"):
        set_rng_state({"python": random.getstate(), "torch": torch.get_rng_state()})
    with pytest.raises(ValueError, match="'loader'"):
        set_rng_state(get_rng_state(), loader_generator=torch.Generator())


def test_get_rng_state_round_trip_without_a_file():
    state = get_rng_state()
    expected = _draws()
    set_rng_state(state)
    assert _draws() == expected


def test_strip_prefix_keeps_and_renames_matching_keys():
    weight, bias, buffer = torch.ones(2), torch.zeros(1), torch.tensor(3.0)
    state = OrderedDict([("model.0.weight", weight), ("model.0.bias", bias), ("metric.n", buffer)])
    stripped = strip_prefix(state, "model.")
    assert list(stripped) == ["0.weight", "0.bias"]
    assert stripped["0.weight"] is weight


def test_strip_prefix_loads_into_the_plain_network():
    wrapped = nn.Module()
    wrapped.model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    plain = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    plain.load_state_dict(strip_prefix(wrapped.state_dict(), "model."))
    x = torch.randn(5, 3)
    assert torch.equal(plain(x), wrapped.model(x))


def test_strip_prefix_errors():
    state = {"net.0.weight": torch.ones(1)}
    with pytest.raises(ValueError, match="'net.0.weight'"):
        strip_prefix(state, "model.")
    with pytest.raises(ValueError, match="non-empty"):
        strip_prefix(state, "")
    with pytest.raises(TypeError, match="prefix"):
        strip_prefix(state, 1)
    with pytest.raises(TypeError, match="state_dict"):
        strip_prefix([("a", 1)], "a")
