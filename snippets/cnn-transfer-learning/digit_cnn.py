"""A small CNN for 8x8 digits, its training loop, and a few-label transfer experiment.

Everything runs offline on a CPU in seconds: the images are scikit-learn's
bundled digits, and the "pretrained" backbone is one we train ourselves on
digits 0-4 before reusing it for digits 5-9.
"""

# --8<-- [start:data]
import torch

from practical_dl import get_device, seed_everything
from practical_dl.vision import load_digit_images

seed_everything(0)
device = get_device()
data = load_digit_images(test_size=0.25, seed=0)  # stratified, seeded split
print(f"train {tuple(data.X_train.shape)} {data.X_train.dtype}, labels {data.y_train.dtype}")
print(f"test  {tuple(data.X_test.shape)}, pixel range [{data.X_train.min()}, {data.X_train.max()}]")
# --8<-- [end:data]

# --8<-- [start:model]
from torch import nn


class DigitCNN(nn.Module):
    """Two conv blocks (the backbone) and one linear layer (the head)."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1),  # (N, 16, 8, 8)
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),  # (N, 16, 4, 4)
            nn.Conv2d(16, 32, kernel_size=3, padding=1),  # (N, 32, 4, 4)
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),  # (N, 32, 2, 2)
        )
        with torch.no_grad():  # one blank image measures what the head receives
            self.num_features = self.features(torch.zeros(1, 1, 8, 8)).numel()
        self.head = nn.Linear(self.num_features, num_classes)

    def forward(self, x):
        x = self.features(x)  # (N, 32, 2, 2)
        x = x.flatten(start_dim=1)  # (N, 128): keep the batch axis, flatten the rest
        return self.head(x)  # (N, num_classes) logits


# --8<-- [end:model]

# --8<-- [start:train]
from torch.utils.data import DataLoader, TensorDataset  # batches from in-memory tensors

seed_everything(0)
train_loader = DataLoader(TensorDataset(data.X_train, data.y_train), batch_size=64, shuffle=True)
model = DigitCNN(num_classes=10).to(device)
criterion = nn.CrossEntropyLoss()  # takes raw logits and int64 class labels
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

num_epochs = 10
for epoch in range(1, num_epochs + 1):
    model.train()
    total = 0.0
    for X, y in train_loader:
        X, y = X.to(device), y.to(device)
        optimizer.zero_grad()  # forget the previous batch's gradients
        loss = criterion(model(X), y)  # forward pass, then the loss
        loss.backward()  # autograd writes d(loss)/d(parameter) into .grad
        optimizer.step()  # move every parameter against its gradient
        total += loss.item() * len(X)
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  mean training loss {total / len(data.X_train):.4f}")
# --8<-- [end:train]

# --8<-- [start:accuracy]
from practical_dl.vision import predict

y_pred = predict(model, data.X_test, device=device).cpu()  # argmax of the logits
accuracy = (y_pred == data.y_test).float().mean().item()
print(f"held-out accuracy: {accuracy:.3f} on {len(data.y_test)} digits")
# --8<-- [end:accuracy]
assert accuracy >= 0.95  # the page states "at least 95%"; its guard fence checks it too

# --8<-- [start:pretrain]
from practical_dl.training import fit
from practical_dl.vision import select_classes


def make_loader(X, y, seed, batch_size=64):
    """A shuffling loader whose order depends only on ``seed``."""
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, generator=generator)


X_old, y_old = select_classes(data.X_train, data.y_train, classes=range(5))  # digits 0-4
X_old_test, y_old_test = select_classes(data.X_test, data.y_test, classes=range(5))

seed_everything(1)
pretrained = DigitCNN(num_classes=5).to(device)
optimizer = torch.optim.Adam(pretrained.parameters(), lr=0.01)
fit(pretrained, make_loader(X_old, y_old, seed=1), criterion, optimizer, epochs=10, device=device)
old_pred = predict(pretrained, X_old_test, device=device).cpu()
old_accuracy = (old_pred == y_old_test).float().mean().item()
print(f"digits 0-4: {len(X_old)} training images, test accuracy {old_accuracy:.3f}")
# --8<-- [end:pretrain]

# --8<-- [start:freeze]
import copy

from practical_dl.vision import count_parameters, freeze


def transferred_model():
    """A copy of the pretrained network: frozen backbone, fresh 5-class head."""
    net = copy.deepcopy(pretrained)
    freeze(net.features)  # requires_grad=False on every convolution weight and bias
    net.head = nn.Linear(net.num_features, 5)  # new layers are trainable by default
    return net


def scratch_model():
    """A randomly initialised network: every layer is trained."""
    return DigitCNN(num_classes=5)


def random_frozen_model():
    """A control: a frozen backbone that was never trained, with a fresh head."""
    net = DigitCNN(num_classes=5)
    freeze(net.features)
    return net


for name, make in [("transferred", transferred_model), ("from scratch", scratch_model)]:
    trainable, total = count_parameters(make())
    print(f"{name:>12}: {trainable:5d} trainable of {total} parameters")
# --8<-- [end:freeze]

# --8<-- [start:few_labels]
import functools

from practical_dl.vision import sample_per_class

X_new, y_new = select_classes(data.X_train, data.y_train, classes=range(5, 10))  # 5 -> 0, ...
X_new_test, y_new_test = select_classes(data.X_test, data.y_test, classes=range(5, 10))


@functools.cache  # each (model kind, labels, seed) trains once, however often it is asked for
def few_label_accuracy(make_model, n_per_class, seed, epochs=50):
    """Train ``make_model()`` on ``n_per_class`` labelled images of each digit 5-9."""
    chosen = sample_per_class(y_new, n_per_class, seed=seed)
    seed_everything(seed)  # the same head initialisation for every kind of model
    net = make_model().to(device)
    trainable = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=0.01)
    loader = make_loader(X_new[chosen], y_new[chosen], seed=seed)
    fit(net, loader, nn.CrossEntropyLoss(), optimizer, epochs=epochs, device=device)
    new_pred = predict(net, X_new_test, device=device).cpu()
    return (new_pred == y_new_test).float().mean().item()


print(f"digits 5-9: {len(X_new)} training images available, {len(X_new_test)} test images")
for name, make in [("transferred", transferred_model), ("from scratch", scratch_model)]:
    print(f"{name:>12}, 5 labels per digit: accuracy {few_label_accuracy(make, 5, seed=0):.3f}")
# --8<-- [end:few_labels]

# --8<-- [start:compare]
import numpy as np

label_counts = [1, 2, 5, 10]
seeds = [0, 1, 2]
kinds = {
    "transferred (frozen backbone)": transferred_model,
    "from scratch": scratch_model,
    "untrained frozen backbone": random_frozen_model,
}
results = {
    kind: np.array([[few_label_accuracy(make, n, s) for s in seeds] for n in label_counts])
    for kind, make in kinds.items()
}  # each value: (len(label_counts), len(seeds)) test accuracies
for kind, acc in results.items():
    print(f"{kind:>30}: " + "  ".join(f"{m:.3f}" for m in acc.mean(axis=1)))
# --8<-- [end:compare]

# --8<-- [start:timing]
import statistics
import time


def synchronize():
    """Wait for queued GPU work, so that a timer measures it (a CPU has nothing queued)."""
    if device.type == "cuda":
        torch.cuda.synchronize()
    elif device.type == "mps":
        torch.mps.synchronize()


def time_calls(calls, rounds=11):
    """Median seconds per call of each function in ``calls``, taking turns so all share the load."""
    times = {name: [] for name in calls}
    for round_ in range(rounds + 2):
        for name, call in calls.items():
            synchronize()
            start = time.perf_counter()
            call()
            synchronize()
            if round_ >= 2:  # the first two rounds only warm up
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def training_step(net, X, y):
    """One Adam step on (X, y) as a function, and its optimiser (trainable parameters only)."""
    optimizer = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=0.01)
    criterion = nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = criterion(net(X), y)
        loss.backward()
        optimizer.step()

    return step, optimizer


# --8<-- [end:timing]
