import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from practical_dl.training import evaluate, fit, train_epoch, train_step


def _line_data(n: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(n, 1, generator=generator)
    y = 3.0 * X.squeeze(1) - 1.0
    return X, y


def test_train_step_lowers_the_loss_on_one_batch():
    torch.manual_seed(0)
    X, y = _line_data()
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    first = train_step(model, X, y, nn.MSELoss(), optimizer)
    second = train_step(model, X, y, nn.MSELoss(), optimizer)
    assert first.requires_grad is False
    assert second.item() < first.item()


def test_single_output_is_matched_to_1d_targets_not_broadcast():
    # Without squeezing, MSELoss would broadcast (n, 1) against (n,) to (n, n).
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(3.0)
        model.bias.fill_(-1.0)
    X, y = _line_data()
    loader = DataLoader(TensorDataset(X, y), batch_size=16)
    assert evaluate(model, loader, nn.MSELoss()) == pytest.approx(0.0, abs=1e-10)


def test_train_step_rejects_mismatched_batch():
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(
        ValueError, match=r"X and y must hold the same number of samples, got 8 in X and 7 in y"
    ):
        train_step(model, torch.zeros(8, 1), torch.zeros(7), nn.MSELoss(), optimizer)


def test_train_epoch_weights_batches_by_size():
    # Batches of 3 and 1 samples with a constant model: the per-sample mean is exact.
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    X = torch.zeros(4, 1)
    y = torch.tensor([1.0, 1.0, 1.0, 3.0])
    loader = DataLoader(TensorDataset(X, y), batch_size=3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: nothing moves
    assert train_epoch(model, loader, nn.MSELoss(), optimizer) == pytest.approx(12 / 4)


def test_fit_converges_and_continues_from_current_weights():
    torch.manual_seed(0)
    X, y = _line_data()
    loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, loader, nn.MSELoss(), optimizer, epochs=30)
    assert len(history["train_loss"]) == 30
    assert history["train_loss"][-1] < 1e-3 < history["train_loss"][0]
    assert model.weight.item() == pytest.approx(3.0, abs=0.05)
    again = fit(model, loader, nn.MSELoss(), optimizer, epochs=2)
    assert again["train_loss"][0] < 1e-3  # no restart from random weights


def test_fit_records_validation_loss_and_prints(capsys):
    torch.manual_seed(0)
    X, y = _line_data()
    loader = DataLoader(TensorDataset(X, y), batch_size=16)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(
        model, loader, nn.MSELoss(), optimizer, epochs=4, val_loader=loader, print_every=2
    )
    assert set(history) == {"train_loss", "val_loss"}
    assert len(history["val_loss"]) == 4
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[1] for line in lines] == ["2", "4"]
    assert all(math.isfinite(v) for v in history["val_loss"])


def test_evaluate_restores_training_mode_and_records_no_graph():
    model = nn.Sequential(nn.Linear(1, 4), nn.Dropout(0.5), nn.Linear(4, 1))
    model.train()
    X, y = _line_data(8)
    evaluate(model, DataLoader(TensorDataset(X, y), batch_size=4), nn.MSELoss())
    assert model.training
    model.eval()
    evaluate(model, DataLoader(TensorDataset(X, y), batch_size=4), nn.MSELoss())
    assert not model.training


@pytest.mark.parametrize(
    ("epochs", "error"), [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)]
)
def test_fit_rejects_bad_epochs(epochs, error):
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(error, match=r"epochs must be a positive int, got "):
        fit(model, [], nn.MSELoss(), optimizer, epochs=epochs)


def test_fit_rejects_negative_print_every():
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"print_every must be a non-negative int, got -1"):
        fit(model, [], nn.MSELoss(), optimizer, epochs=1, print_every=-1)


def test_empty_loader_is_an_error():
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="no batches"):
        train_epoch(model, [], nn.MSELoss(), optimizer)
    with pytest.raises(ValueError, match="no batches"):
        evaluate(model, [], nn.MSELoss())


@pytest.mark.gpu_path
@pytest.mark.parametrize(
    ("criterion", "outputs", "target_dtype"),
    [
        (nn.MSELoss(), 1, torch.float32),
        (nn.BCEWithLogitsLoss(), 1, torch.float32),
        (nn.CrossEntropyLoss(), 4, torch.int64),
    ],
)
def test_train_step_runs_on_the_meta_device(criterion, outputs, target_dtype):
    # Batches start on the CPU, as a DataLoader yields them; the step must move them.
    device = torch.device("meta")
    model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, outputs)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    X = torch.randn(8, 2)
    y = torch.zeros(8, dtype=target_dtype)
    loss = train_step(model, X, y, criterion, optimizer, device)
    assert loss.device.type == "meta"
    assert loss.shape == ()
    # The default device is the model's own.
    assert train_step(model, X, y, criterion, optimizer).device.type == "meta"


@pytest.mark.gpu_path
def test_the_default_device_follows_buffers_too():
    # Parameters on meta, a batch-norm's running statistics (buffers) too: meta.
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1)).to("meta")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = train_step(model, torch.randn(4, 2), torch.zeros(4), nn.MSELoss(), optimizer)
    assert loss.device.type == "meta"
    # A buffer added after .to(device) stays on the CPU: refused before any computation.
    model.register_buffer("scale", torch.ones(1))
    with pytest.raises(ValueError, match=r"model must have all its parameters and buffers on one"):
        train_step(model, torch.randn(4, 2), torch.zeros(4), nn.MSELoss(), optimizer)


@pytest.mark.gpu_path
def test_a_model_left_on_the_cpu_is_caught_on_meta():
    model = nn.Linear(2, 1)  # forgotten .to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(RuntimeError, match="meta"):
        train_step(model, torch.randn(4, 2), torch.zeros(4), nn.MSELoss(), optimizer, "meta")
