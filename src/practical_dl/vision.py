"""Small images and small convolutional networks that train on a laptop CPU.

Introduced in chapter 9, "Convolutional networks and transfer learning".
Everything here works offline: the images are scikit-learn's bundled 8x8
handwritten digits, and the networks are small enough to train in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from sklearn import model_selection
from sklearn.datasets import load_digits
from torch import nn

from practical_dl import _checks as check
from practical_dl.device import model_device

__all__ = [
    "DigitImages",
    "SmallCNN",
    "count_parameters",
    "flatten_size",
    "freeze",
    "layer_shapes",
    "load_digit_images",
    "predict",
    "sample_per_class",
    "select_classes",
]


@dataclass(frozen=True)
class DigitImages:
    """Digit images split into a training and a test set.

    Attributes:
        X_train: Training images, float32 in ``[0, 1]``, shape ``(n_train, 1, 8, 8)``.
        y_train: Training labels, int64 digits 0-9, shape ``(n_train,)``.
        X_test: Test images, shape ``(n_test, 1, 8, 8)``.
        y_test: Test labels, shape ``(n_test,)``.
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor


def load_digit_images(test_size: float = 0.25, seed: int = 0) -> DigitImages:
    """Load scikit-learn's 8x8 digits as image tensors, with a seeded, stratified split.

    The pixel values (0 to 16 in the raw data) are scaled to ``[0, 1]`` and a
    channel axis is added, so each batch has the ``(N, C, H, W)`` layout that
    ``nn.Conv2d`` expects.

    Introduced in chapter 9, "Convolutional networks and transfer learning".

    Args:
        test_size: Fraction of the 1797 images kept for the test set.
        seed: Seed of the shuffled, stratified split.

    Returns:
        The training and test images and labels.

    Raises:
        TypeError: If ``test_size`` is not a number.
        ValueError: If ``test_size`` is not strictly between 0 and 1.
    """
    check.probability("test_size", test_size, include_zero=False, include_one=False)
    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0  # (1797, 8, 8), now in [0, 1]
    X_train, X_test, y_train, y_test = model_selection.train_test_split(
        images, digits.target, test_size=test_size, random_state=seed, stratify=digits.target
    )
    return DigitImages(
        X_train=torch.from_numpy(X_train).unsqueeze(1),  # (N, 1, 8, 8)
        y_train=torch.from_numpy(y_train).long(),
        X_test=torch.from_numpy(X_test).unsqueeze(1),
        y_test=torch.from_numpy(y_test).long(),
    )


def select_classes(
    X: torch.Tensor, y: torch.Tensor, classes: Sequence[int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Keep only some classes and renumber them 0, 1, 2, ... in the order given.

    Introduced in chapter 9, "Convolutional networks and transfer learning".

    Args:
        X: Inputs, first axis the samples.
        y: Integer labels, shape ``(n,)``.
        classes: The labels to keep; ``classes[i]`` becomes label ``i``.

    Returns:
        The kept inputs and their new labels (int64).

    Raises:
        TypeError: If ``classes`` is not a sequence of ints.
        ValueError: If ``X`` and ``y`` differ in length, ``classes`` is empty,
            repeats a label or holds a negative one, or a class has no samples.
    """
    if len(X) != len(y):
        raise check.bad(
            "X and y", "have the same length", got=f"{len(X)} inputs and {len(y)} labels"
        )
    expected = "a non-empty sequence of distinct int labels >= 0"
    classes = list(check.ints("classes", classes, minimum=0, expected=expected))
    if not classes or len(set(classes)) != len(classes):
        raise check.bad("classes", f"be {expected}", classes)
    new_y = torch.full_like(y, -1)
    for new_label, old_label in enumerate(classes):
        hits = y == old_label
        if not hits.any():
            raise check.bad(
                "classes",
                "name labels present in y",
                got=f"{classes}: no sample has label {old_label}",
            )
        new_y[hits] = new_label
    keep = new_y >= 0
    return X[keep], new_y[keep].long()


def sample_per_class(y: torch.Tensor, n_per_class: int, seed: int = 0) -> torch.Tensor:
    """Pick ``n_per_class`` random sample indices from every class: a few-label subset.

    Introduced in chapter 9, "Convolutional networks and transfer learning".

    Args:
        y: Integer labels, shape ``(n,)``.
        n_per_class: How many samples to draw from each class.
        seed: Seed of the draw, so the same labels are picked every run.

    Returns:
        The chosen indices (int64), grouped by class in ascending label order.

    Raises:
        TypeError: If ``n_per_class`` is not an int.
        ValueError: If ``n_per_class`` is below 1 or a class has fewer samples.
    """
    n_per_class = check.positive_int("n_per_class", n_per_class)
    generator = torch.Generator().manual_seed(seed)
    chosen = []
    for label in torch.unique(y).tolist():
        members = torch.nonzero(y == label).flatten()
        if len(members) < n_per_class:
            raise check.bad(
                "n_per_class",
                "be at most the size of the smallest class",
                got=f"{n_per_class}, but class {label} has only {len(members)} samples",
            )
        chosen.append(members[torch.randperm(len(members), generator=generator)[:n_per_class]])
    return torch.cat(chosen)


def _image_shape(in_shape: Sequence[int]) -> tuple[int, int, int]:
    """Validate a ``(channels, height, width)`` shape and return it as a tuple."""
    return check.positive_ints(
        "in_shape", in_shape, length=3, expected="(channels, height, width), three positive ints"
    )


def flatten_size(features: nn.Module, in_shape: Sequence[int]) -> int:
    """Count the numbers one image becomes after ``features``, by running a dummy image.

    This is the ``in_features`` that the first ``nn.Linear`` after the
    convolutional layers needs. Computing it beats working it out by hand:
    every padding, stride and pooling choice changes it.

    Introduced in chapter 9, "Convolutional networks and transfer learning".

    Args:
        features: The convolutional part of a network.
        in_shape: The shape of one input image, ``(channels, height, width)``.

    Returns:
        The number of values per image after ``features``, flattened.

    Raises:
        TypeError: If ``in_shape`` is not a sequence of ints.
        ValueError: If ``in_shape`` is malformed or ``features`` cannot process it
            (for example an image too small for the pooling layers), or
            ``features`` is spread over several devices.
    """
    shape = _image_shape(in_shape)
    dummy = torch.zeros(1, *shape, device=model_device(features))
    try:
        with torch.no_grad():
            out = features(dummy)
    except RuntimeError as err:
        raise check.bad(
            "in_shape", "be an input shape the layers can process", got=f"{shape}: {err}"
        ) from err
    return out[0].numel()


def layer_shapes(model: nn.Module, in_shape: Sequence[int]) -> list[tuple[str, str, tuple]]:
    """Run one dummy image through ``model`` and record the output shape of every layer.

    Only leaf modules (layers with no sub-layers) are reported, in the order they
    ran. The batch axis (size 1) is included in each shape.

    Introduced in chapter 9, "Convolutional networks and transfer learning".

    Args:
        model: The network to trace.
        in_shape: The shape of one input image, ``(channels, height, width)``.

    Returns:
        ``(name, layer type, output shape)`` rows, the first one being the input.

    Raises:
        TypeError: If ``in_shape`` is not a sequence of ints.
        ValueError: If ``in_shape`` is malformed or the model rejects it, or the
            model is spread over several devices.
    """
    shape = _image_shape(in_shape)
    rows: list[tuple[str, str, tuple]] = [("input", "", (1, *shape))]
    handles = []
    for name, module in model.named_modules():
        if next(module.children(), None) is None and name:

            def record(mod, args, output, name=name):
                rows.append((name, type(mod).__name__, tuple(output.shape)))

            handles.append(module.register_forward_hook(record))
    try:
        with torch.no_grad():
            model(torch.zeros(1, *shape, device=model_device(model)))
    except RuntimeError as err:
        raise check.bad(
            "in_shape", "be an input shape the model can process", got=f"{shape}: {err}"
        ) from err
    finally:
        for handle in handles:
            handle.remove()
    return rows


class SmallCNN(nn.Module):
    """A small convolutional classifier: conv blocks (the backbone), then a linear head.

    Each block is ``Conv2d`` (3x3, padding 1, keeps height and width) then
    ``ReLU`` then ``MaxPool2d(2)`` (halves height and width). The head's input
    size comes from a dummy forward pass (`flatten_size`), never from
    arithmetic done by hand.

    Introduced in chapter 9, "Convolutional networks and transfer learning".

    Args:
        num_classes: Number of output logits.
        in_shape: Shape of one input image, ``(channels, height, width)``.
        channels: Output channels of each convolutional block; one block per entry.

    Attributes:
        features: The backbone, an ``nn.Sequential`` of conv blocks.
        flatten: ``nn.Flatten()``, turning ``(N, C, H, W)`` into ``(N, C*H*W)``.
        head: The final ``nn.Linear`` layer.
        num_features: Input size of ``head``, computed by a dummy forward pass.

    Raises:
        TypeError: If ``num_classes``, ``in_shape`` or ``channels`` holds
            something other than ints (``True`` and ``2.5`` are refused).
        ValueError: If ``num_classes`` or a channel count is not positive,
            ``channels`` is empty, or the image is too small for the number of
            pooling layers.
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_shape: Sequence[int] = (1, 8, 8),
        channels: Sequence[int] = (16, 32),
    ) -> None:
        super().__init__()
        num_classes = check.positive_int("num_classes", num_classes)
        channels = check.positive_ints(
            "channels", channels, expected="a non-empty sequence of positive ints"
        )
        if not channels:
            raise check.bad("channels", "be a non-empty sequence of positive ints", channels)
        self.in_shape = _image_shape(in_shape)
        layers: list[nn.Module] = []
        previous = self.in_shape[0]
        for out_channels in channels:
            layers += [
                nn.Conv2d(previous, out_channels, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(kernel_size=2),
            ]
            previous = out_channels
        self.features = nn.Sequential(*layers)
        self.flatten = nn.Flatten()
        self.num_features = flatten_size(self.features, self.in_shape)
        self.head = nn.Linear(self.num_features, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map a batch of images to class logits.

        Args:
            x: Images of shape ``(N, *in_shape)``.

        Returns:
            Logits of shape ``(N, num_classes)``.

        Raises:
            TypeError: If ``x`` is not a tensor.
            ValueError: If ``x`` does not have shape ``(N, *in_shape)``.
        """
        check.shape("x", x, ("N", *self.in_shape))
        return self.head(self.flatten(self.features(x)))  # (N, C, H, W) -> (N, num_classes)


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """Count a model's trainable and total parameters.

    Introduced in chapter 9, "Convolutional networks and transfer learning".

    Args:
        model: Any module.

    Returns:
        ``(trainable, total)``: numbers of scalar parameters with and regardless
        of ``requires_grad``.
    """
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return trainable, total


def freeze(module: nn.Module) -> nn.Module:
    """Stop training a module: set ``requires_grad=False`` on all its parameters.

    Introduced in chapter 9, "Convolutional networks and transfer learning".

    Args:
        module: The layers to freeze, typically a pretrained backbone.

    Returns:
        The same module, frozen, so the call can be chained.
    """
    for parameter in module.parameters():
        parameter.requires_grad_(False)
    return module


def predict(
    model: nn.Module, X: torch.Tensor, *, device: torch.device | str = "cpu", batch_size: int = 512
) -> torch.Tensor:
    """Predict class labels: the index of the largest logit, in evaluation mode.

    Introduced in chapter 9, "Convolutional networks and transfer learning".

    Args:
        model: A trained classifier; it is moved to ``device``.
        X: Inputs.
        device: Where to run the model.
        batch_size: Samples per forward pass.

    Returns:
        Predicted labels (int64), on ``device``; call ``.cpu()`` before NumPy.

    Raises:
        TypeError: If ``batch_size`` is not an int.
        ValueError: If ``batch_size`` is below 1.
    """
    batch_size = check.positive_int("batch_size", batch_size)
    model.to(device)
    model.eval()
    with torch.no_grad():
        chunks = [
            model(X[start : start + batch_size].to(device)).argmax(dim=1)
            for start in range(0, len(X), batch_size)
        ]
    return torch.cat(chunks)
