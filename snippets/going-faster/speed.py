"""Going faster, measured: the chapter's data, models and measurements.

Every measurement is a function of the data's device, so the page runs them on
the machine that builds it and ``measure.py`` runs the very same functions on a
GPU machine. Nothing here decides whether a time is good: each function returns
timings (`practical_dl.timing.Timing`) for the caller to print.
"""

# --8<-- [start:data]
import torch

from practical_dl.vision import load_digit_images


def digit_splits(seed=0):
    """8x8 digit images (N, 1, 8, 8): 1077 to train on, 360 to validate on.

    A fifth of the 1797 images is the test split, set aside and never used here.
    """
    images = load_digit_images(test_size=0.2, seed=seed)  # the test images stay unused
    order = torch.randperm(len(images.y_train), generator=torch.Generator().manual_seed(seed))
    val, train = order[:360], order[360:]
    return images.X_train[train], images.y_train[train], images.X_train[val], images.y_train[val]


# --8<-- [end:data]


# --8<-- [start:step]
from torch import nn

from practical_dl.vision import SmallCNN


def make_cnn(device, seed=0):
    """Chapter 9's CNN: conv 1-16-32 (3x3, ReLU, max-pool), then a linear 128-10 head."""
    torch.manual_seed(seed)
    model = SmallCNN(num_classes=10, in_shape=(1, 8, 8), channels=(16, 32)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return model, optimizer


criterion = nn.CrossEntropyLoss()


def train_step(model, optimizer, X, y):
    """One training step: forward, loss, backward, update."""
    optimizer.zero_grad()
    loss = criterion(model(X), y)
    loss.backward()
    optimizer.step()
    return loss


# --8<-- [end:step]


# --8<-- [start:batch_sizes]
from practical_dl.timing import Timing, measure

BATCH_SIZES = [8, 16, 32, 64, 128, 256, 512]


def step_times(X, y, batch_sizes=BATCH_SIZES, repeat=5):
    """Seconds per training step of a fresh CNN, for each batch size."""
    model, optimizer = make_cnn(X.device)
    return {
        b: measure(
            train_step, model, optimizer, X[:b], y[:b], repeat=repeat, number=2, device=X.device
        )
        for b in batch_sizes
    }


def per_sample(times):
    """Seconds per sample from seconds per step: each step's time over its batch size."""
    return {str(b): Timing.from_times([t / b for t in timing.times]) for b, timing in times.items()}


# --8<-- [end:batch_sizes]


# --8<-- [start:dataset]
from torch.utils.data import Dataset

from practical_dl.regularisation import random_affine


class AugmentedDigits(Dataset):
    """Digit images, each rotated and shifted at random when it is read (chapter 12)."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, index):
        image = random_affine(self.X[index : index + 1], max_degrees=10, max_shift=1.0)
        return image[0], self.y[index]  # (1, 8, 8) and a label


# --8<-- [end:dataset]


# --8<-- [start:epoch]
import time

from practical_dl.timing import synchronize


def time_epoch(loader, device):
    """Seconds to the first batch (start-up) and for the whole epoch, batches moved to device."""
    start = time.perf_counter()
    first = None
    for X_batch, _ in loader:
        X_batch = X_batch.to(device, non_blocking=True)  # what a training loop does next
        if first is None:
            synchronize(device)
            first = time.perf_counter() - start
    synchronize(device)
    return first, time.perf_counter() - start


# --8<-- [end:epoch]


# --8<-- [start:loader]
from torch.utils.data import DataLoader


def loader_times(dataset, device, epochs=3, batch_size=64, **loader_options):
    """Time the epochs of one DataLoader: to the first batch, and whole."""
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, **loader_options)
    runs = [time_epoch(loader, device) for _ in range(epochs)]
    del loader  # ends persistent workers now, not whenever the garbage collector runs
    epochs = [total for _, total in runs]
    return {
        "first_batch": Timing.from_times([first for first, _ in runs]),
        "epoch": Timing.from_times(epochs),
        "later_epochs": Timing.from_times(epochs[1:] or epochs),  # after the first
    }


# --8<-- [end:loader]


# --8<-- [start:forward_modes]
import contextlib


def forward_times(model, X, repeat=15, number=10):
    """Seconds per forward pass with autograd on, under no_grad and under inference_mode."""
    modes = {
        "autograd on": contextlib.nullcontext,
        "no_grad": torch.no_grad,
        "inference_mode": torch.inference_mode,
    }
    times = {}
    for name, mode in modes.items():
        with mode():
            times[name] = measure(model, X, repeat=repeat, number=number, device=X.device)
    return times


# --8<-- [end:forward_modes]


# --8<-- [start:threads]
from practical_dl.timing import torch_threads


def thread_times(model, optimizer, X, y, counts=(1, 2), repeat=5):
    """Seconds per training step with each number of torch threads; restored afterwards."""
    times = {}
    for n in counts:
        with torch_threads(n):
            times[str(n)] = measure(
                train_step, model, optimizer, X, y, repeat=repeat, device=X.device
            )
    return times


# --8<-- [end:threads]


# --8<-- [start:autocast]
def autocast_step(model, optimizer, X, y, bf16):
    """A training step whose forward pass (and loss) runs under bfloat16 autocast if bf16."""
    optimizer.zero_grad()
    with torch.autocast(X.device.type, dtype=torch.bfloat16, enabled=bf16):
        loss = criterion(model(X), y)
    loss.backward()  # outside autocast: the backward pass follows the forward's dtypes
    optimizer.step()
    return loss


def precision_times(model, optimizer, X, y, repeat=7):
    """Seconds per training step in float32 and with bfloat16 autocast."""
    return {
        name: measure(autocast_step, model, optimizer, X, y, bf16, repeat=repeat, device=X.device)
        for name, bf16 in [("fp32", False), ("bf16", True)]
    }


# --8<-- [end:autocast]


# --8<-- [start:train]
def train_and_validate(X_train, y_train, X_val, y_val, seed, bf16, num_epochs=8):
    """Train a fresh CNN (batches of 64, seeded); its validation accuracy and seconds."""
    device = X_train.device
    model, optimizer = make_cnn(device, seed=seed)
    generator = torch.Generator().manual_seed(seed)  # the order of the batches
    synchronize(device)
    start = time.perf_counter()
    for _ in range(num_epochs):
        for batch in torch.randperm(len(y_train), generator=generator).split(64):
            batch = batch.to(device)
            autocast_step(model, optimizer, X_train[batch], y_train[batch], bf16)
    synchronize(device)
    seconds = time.perf_counter() - start
    model.eval()
    with torch.inference_mode():  # evaluation in float32, for both
        accuracy = (model(X_val).argmax(dim=1) == y_val).float().mean().item()
    return accuracy, seconds


# --8<-- [end:train]


# --8<-- [start:channels_last]
import copy


def memory_format_times(model, X, y, repeat=7):
    """Seconds per training step of the same weights with NCHW and channels_last tensors."""
    model_last = copy.deepcopy(model).to(memory_format=torch.channels_last)
    X_last = X.contiguous(memory_format=torch.channels_last)
    # Same weights, another layout: the same outputs up to rounding. On CUDA, cuDNN runs
    # float32 convolutions in TF32 by default (a 10-bit mantissa), and each layout may get
    # another kernel, so there the outputs agree to about 1e-3 rather than float32's 1e-6.
    tolerance = 1e-2 if X.is_cuda else 1e-5
    with torch.no_grad():
        torch.testing.assert_close(model_last(X_last), model(X), rtol=tolerance, atol=tolerance)
    runs = {"contiguous": (model, X), "channels_last": (model_last, X_last)}
    times = {}
    for name, (net, inputs) in runs.items():
        optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        times[name] = measure(train_step, net, optimizer, inputs, y, repeat=repeat, device=X.device)
    return times


# --8<-- [end:channels_last]


# --8<-- [start:mlp]
def make_mlp(device, seed=0):
    """A tiny 64-32-10 MLP on the flattened 8x8 images, and its optimiser."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    model = model.to(device)
    return model, torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


# --8<-- [end:mlp]


# --8<-- [start:compile]
import warnings


def compile_first_call(model, optimizer, X, y):
    """Compile ``model``; its first training step (which compiles) and that step's seconds."""
    with warnings.catch_warnings():  # loading the compiler, torch warns about its own torch.jit
        warnings.simplefilter("ignore", DeprecationWarning)
        compiled = torch.compile(model)  # shares model's weights; nothing is compiled yet
    synchronize(X.device)
    start = time.perf_counter()
    train_step(compiled, optimizer, X, y)  # compiles the forward and the backward pass
    synchronize(X.device)
    return compiled, time.perf_counter() - start


def compiled_times(model, compiled, optimizer, X, y, repeat=15):
    """Seconds per training step, eager and compiled, at the shape already compiled."""
    return {
        name: measure(train_step, net, optimizer, X, y, repeat=repeat, number=3, device=X.device)
        for name, net in [("eager", model), ("compiled", compiled)]
    }


# --8<-- [end:compile]


# --8<-- [start:speedups]
from practical_dl.timing import speedup

COMPARISONS = {  # name: (group, baseline, variant)
    "batch 512 vs 8, per sample": ("per_sample", "8", "512"),
    "2 workers vs 0, epoch": ("workers", "0", "2"),
    "persistent workers, later epochs": ("persistent", "no", "yes"),
    "pin_memory, epoch": ("pin_memory", "no", "yes"),
    "no_grad vs autograd on": ("forward", "autograd on", "no_grad"),
    "inference_mode vs no_grad": ("forward", "no_grad", "inference_mode"),
    "2 threads vs 1, step": ("threads", "1", "2"),
    "bf16 autocast vs fp32, step": ("precision", "fp32", "bf16"),
    "channels_last vs contiguous, step": ("memory_format", "contiguous", "channels_last"),
    "torch.compile vs eager, MLP step": ("compile", "eager", "compiled"),
}


def speedups(timings):
    """Baseline time / variant time for each comparison, by medians and by minimums."""
    rows = {}
    for name, (group, baseline, variant) in COMPARISONS.items():
        measured = timings.get(group, {})
        if baseline in measured and variant in measured:
            rows[name] = speedup(measured[baseline], measured[variant])
    return rows


# --8<-- [end:speedups]


# --8<-- [start:json]
def timings_to_json(timings):
    """{group: {variant: Timing}} as plain JSON-ready data."""
    return {group: {k: t.to_dict() for k, t in ts.items()} for group, ts in timings.items()}


def timings_from_json(data):
    """The inverse of timings_to_json."""
    return {group: {k: Timing.from_dict(d) for k, d in ts.items()} for group, ts in data.items()}


# --8<-- [end:json]


if __name__ == "__main__":
    from practical_dl import get_device
    from practical_dl.timing import machine_line

    device = get_device()
    X_train, y_train, X_val, y_val = (t.to(device) for t in digit_splits())
    print(tuple(X_train.shape), tuple(X_val.shape))
    times = step_times(X_train, y_train, [16, 256], repeat=3)
    for batch_size, timing in times.items():
        print(f"batch {batch_size}: {timing}, {timing.per_second(batch_size):,.0f} samples/s")
    print(machine_line())
