import logging

import lightning as L
import pytest
import torch
from lightning.pytorch.callbacks import ModelCheckpoint

from practical_dl.lightning import BreastCancerModule, breast_cancer_loaders, pick_precision


@pytest.fixture(autouse=True)
def quiet_lightning():
    log = logging.getLogger("lightning.pytorch")
    level = log.level
    log.setLevel(logging.WARNING)
    yield
    log.setLevel(level)


def make_trainer(tmp_path, **kwargs):
    options = dict(
        accelerator="cpu",
        max_epochs=3,
        enable_progress_bar=False,
        enable_model_summary=False,
        log_every_n_steps=1,
        default_root_dir=tmp_path,
        logger=False,
    )
    options.update(kwargs)
    return L.Trainer(**options)


def test_loaders_shapes_and_reproducible_shuffle():
    train, val, test = breast_cancer_loaders(batch_size=32)
    x, y = next(iter(train))
    assert x.shape == (32, 30) and y.shape == (32,) and x.dtype == torch.float32
    assert len(train.dataset) + len(val.dataset) + len(test.dataset) == 569
    again, _, _ = breast_cancer_loaders(batch_size=32)
    torch.manual_seed(999)  # the loaders shuffle with their own generator
    assert torch.equal(next(iter(again))[1], y)
    with pytest.raises(ValueError, match=r"batch_size must be a positive int, got 0"):
        breast_cancer_loaders(batch_size=0)
    with pytest.raises(TypeError, match=r"batch_size must be a positive int, got 32.0"):
        breast_cancer_loaders(batch_size=32.0)


def test_forward_keeps_a_batch_of_one_one_dimensional():
    module = BreastCancerModule()
    assert module(torch.zeros(1, 30)).shape == (1,)
    assert module(torch.zeros(7, 30)).shape == (7,)


def test_zero_hidden_layers_is_logistic_regression():
    module = BreastCancerModule(hidden_sizes=())
    assert len(module.model) == 1 and isinstance(module.model[0], torch.nn.Linear)


def test_bad_learning_rate():
    with pytest.raises(ValueError, match=r"learning_rate must be a positive, finite number, got 0"):
        BreastCancerModule(learning_rate=0)
    with pytest.raises(TypeError, match="learning_rate"):
        BreastCancerModule(learning_rate="0.01")


def test_hidden_sizes_must_be_ints():
    with pytest.raises(TypeError, match=r"hidden_sizes must be a sequence of positive ints"):
        BreastCancerModule(hidden_sizes=(20.5, 10))
    assert BreastCancerModule(hidden_sizes=[8]).hparams.hidden_sizes == [8]


def test_fit_learns_and_test_step_logs(tmp_path):
    L.seed_everything(0, verbose=False)
    train, val, test = breast_cancer_loaders()
    module = BreastCancerModule(learning_rate=1e-2)
    trainer = make_trainer(tmp_path, max_epochs=5)
    before = trainer.validate(module, val, verbose=False)[0]["val_loss"]
    trainer.fit(module, train, val)
    metrics = trainer.callback_metrics
    assert metrics["val_loss"] < before
    assert metrics["val_acc"] > 0.9 and metrics["val_auroc"] > 0.95
    assert {"train_loss", "train_acc"} <= set(metrics)
    result = trainer.test(module, test, verbose=False)[0]
    assert set(result) == {"test_loss", "test_acc", "test_auroc"}
    assert result["test_acc"] > 0.9
    probs = torch.cat(trainer.predict(module, test))
    assert probs.shape == (len(test.dataset),) and ((probs >= 0) & (probs <= 1)).all()


def test_best_checkpoint_reloads_with_its_score(tmp_path):
    L.seed_everything(0, verbose=False)
    train, val, _ = breast_cancer_loaders()
    checkpoint = ModelCheckpoint(dirpath=tmp_path, monitor="val_loss", mode="min")
    trainer = make_trainer(
        tmp_path, max_epochs=4, callbacks=[checkpoint], enable_checkpointing=True
    )
    trainer.fit(BreastCancerModule(hidden_sizes=(8,), learning_rate=3e-3), train, val)
    best = BreastCancerModule.load_from_checkpoint(checkpoint.best_model_path)
    assert best.hparams.hidden_sizes == [8] and best.hparams.learning_rate == 3e-3
    score = trainer.validate(best, val, verbose=False)[0]["val_loss"]
    assert score == pytest.approx(checkpoint.best_model_score.item(), rel=1e-6)


def test_bf16_mixed_precision_on_cpu(tmp_path):
    train, val, _ = breast_cancer_loaders()
    trainer = make_trainer(tmp_path, max_epochs=1, precision="bf16-mixed")
    trainer.fit(BreastCancerModule(), train, val)
    assert torch.isfinite(trainer.callback_metrics["val_loss"])


@pytest.mark.parametrize(
    "is_bf16_supported, expected",
    [
        (lambda including_emulation=True: True, "bf16-mixed"),  # Ampere or newer
        (lambda including_emulation=True: including_emulation, "16-mixed"),  # emulated only
        (lambda including_emulation=True: False, "16-mixed"),
        (lambda: True, "bf16-mixed"),  # an older torch without the argument
        (lambda: False, "16-mixed"),
    ],
)
def test_pick_precision_prefers_bf16_on_gpus_that_have_it(monkeypatch, is_bf16_supported, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", is_bf16_supported)
    assert pick_precision() == expected


def test_pick_precision_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert pick_precision() == "32-true"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert pick_precision() == "bf16-mixed"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_picked_precision_trains_on_this_gpu(tmp_path):
    precision = pick_precision()
    assert precision == ("bf16-mixed" if torch.cuda.is_bf16_supported(False) else "16-mixed")
    train, val, _ = breast_cancer_loaders()
    trainer = make_trainer(
        tmp_path, accelerator="gpu", devices=1, max_epochs=2, precision=precision
    )
    trainer.fit(BreastCancerModule(learning_rate=1e-2), train, val)
    assert trainer.precision == precision
    assert trainer.callback_metrics["val_acc"] > 0.8


def test_two_cpu_processes_with_ddp_notebook(tmp_path):
    if torch.cuda.is_initialized():  # an earlier test in this worker trained on the GPU
        pytest.skip("a fork of a process that has used CUDA cannot use CUDA (Lightning's does)")
    L.seed_everything(0, verbose=False)
    train, val, _ = breast_cancer_loaders()
    trainer = make_trainer(tmp_path, max_epochs=2, devices=2, strategy="ddp_notebook")
    trainer.fit(BreastCancerModule(learning_rate=1e-2), train, val)
    assert trainer.world_size == 2
    assert trainer.callback_metrics["val_acc"] > 0.8


@pytest.mark.gpu_path
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_step_runs_in_16_bits_on_the_meta_device(dtype):
    # No float32 constant hides in the module: its step runs with 16-bit weights and inputs.
    module = BreastCancerModule().to(device="meta", dtype=dtype)
    x = torch.zeros(4, 30, device="meta", dtype=dtype)
    y = torch.zeros(4, device="meta", dtype=dtype)
    loss, logits = module.step((x, y))
    assert loss.device.type == "meta" and loss.dtype == logits.dtype == dtype


@pytest.mark.gpu_path
def test_step_runs_on_the_meta_device():
    device = torch.device("meta")
    module = BreastCancerModule().to(device)
    x = torch.zeros(4, 30, device=device)
    y = torch.zeros(4, device=device)
    loss, logits = module.step((x, y))
    assert loss.device.type == "meta" and logits.shape == (4,)
