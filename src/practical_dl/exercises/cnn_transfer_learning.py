"""Checks for the exercises on convolution shapes, feature maps, fine-tuning and precision.

Introduced in chapter 9, "Convolutional networks and transfer learning".

Each check takes what you wrote (a function or a value) and tests it; it
prints what it confirmed, or raises :class:`~practical_dl.exercises.CheckFailed`
saying what is wrong and where to look.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from practical_dl.device import model_device
from practical_dl.exercises import (
    call,
    check,
    check_callable,
    check_module,
    check_shape,
    given,
    number,
    passed,
)

__all__ = [
    "check_finetuned_model",
    "check_first_feature_maps",
    "check_precision_recall",
    "check_unpadded_backbone",
]


def check_unpadded_backbone(unpadded_backbone: Any, unpadded_flatten: Any) -> None:
    """Check the backbone of section 3 without padding, and its flatten size.

    Args:
        unpadded_backbone: The reader's function that builds the backbone.
        unpadded_flatten: The reader's flatten size for one 8x8 greyscale image.

    Raises:
        CheckFailed: When a convolution is padded, the layers differ, the network fails on
            an 8x8 image, or the flatten size is off.
    """
    check_callable("unpadded_backbone", unpadded_backbone)
    hint = "Conv2d(1, 16, 3), ReLU, MaxPool2d(2), Conv2d(16, 32, 3), ReLU: no second pooling"
    backbone = check_module(
        "unpadded_backbone()", call("unpadded_backbone()", unpadded_backbone, hint=hint), hint
    )
    convs = [layer for layer in backbone.modules() if isinstance(layer, nn.Conv2d)]
    check(
        [(conv.in_channels, conv.out_channels) for conv in convs] == [(1, 16), (16, 32)],
        "unpadded_backbone() has convolutions "
        f"{[(conv.in_channels, conv.out_channels) for conv in convs]}, "
        "expected [(1, 16), (16, 32)]",
        "keep the two convolutions of section 3, 1 -> 16 and 16 -> 32 channels",
    )
    padded = [tuple(conv.padding) for conv in convs if tuple(conv.padding) != (0, 0)]
    check(
        not padded,
        f"unpadded_backbone() still pads: padding {padded[0] if padded else ''}",
        "leave padding out (its default is 0), or write padding=0",
    )
    backbone.eval()
    dummy = torch.zeros(1, 1, 8, 8, device=model_device(backbone))
    with torch.no_grad():
        output = call("unpadded_backbone()(an 8x8 image)", backbone, dummy, hint=hint)
    check_shape("unpadded_backbone()(an 8x8 image)", output, (1, 32, 1, 1), hint)
    flat = number(
        "unpadded_flatten", unpadded_flatten, "flatten_size(unpadded, in_shape=(1, 8, 8))"
    )
    check(
        flat == 32,
        f"unpadded_flatten is {flat:g}, but the backbone turns one image into "
        "32 x 1 x 1 = 32 numbers",
        "8 -> 6 (conv), 6 -> 3 (pool), 3 -> 1 (conv): multiply channels, height and width",
    )
    passed("without padding the backbone goes 8 -> 6 -> 3 -> 1, and the head receives 32 numbers")


def check_first_feature_maps(
    first_feature_maps: Any, model: nn.Module, images: torch.Tensor
) -> None:
    """Check ``first_feature_maps(model, images)``: the outputs of the first convolution and ReLU.

    Args:
        first_feature_maps: The reader's function of a model and a batch of images.
        model: The chapter's trained ``DigitCNN``.
        images: A batch of images, shape ``(N, 1, 8, 8)``.

    Raises:
        CheckFailed: When the function fails, or its maps have another shape or other values.
    """
    check_callable("first_feature_maps", first_feature_maps)
    n = len(images)
    name = f"first_feature_maps(model, {n} images)"
    hint = "run model.features[:2] (the first Conv2d, then ReLU) under torch.no_grad()"
    maps = given(name, call(name, first_feature_maps, model, images, hint=hint))
    check_shape(name, maps, (n, 16, 8, 8), hint)
    maps = torch.as_tensor(maps).detach().cpu()
    with torch.no_grad():
        expected = model.features[:2](images.to(model_device(model))).cpu()
        before_relu = model.features[0](images.to(model_device(model))).cpu()
    check(
        not torch.allclose(maps, before_relu, atol=1e-5),
        f"{name} has negative values: those are the maps before the ReLU",
        "take model.features[:2], the convolution and the ReLU after it",
    )
    check(
        torch.allclose(maps, expected, atol=1e-5),
        f"{name} has the right shape but not the values of the first convolution and ReLU",
        "use the trained model's own layers, model.features[0] and model.features[1], on images",
    )
    passed("each image becomes 16 maps of 8x8 after the first convolution and ReLU, none below 0")


def check_finetuned_model(finetuned_model: Any, pretrained: nn.Module) -> None:
    """Check ``finetuned_model()``: a copy of the pretrained network, a new head, nothing frozen.

    Args:
        finetuned_model: The reader's function that builds the network.
        pretrained: The chapter's network trained on the digits 0 to 4.

    Raises:
        CheckFailed: When the network is not a trainable copy of ``pretrained`` with a fresh
            5-class head.
    """
    check_callable("finetuned_model", finetuned_model)
    hint = "net = copy.deepcopy(pretrained); net.head = nn.Linear(net.num_features, 5)"
    net = check_module(
        "finetuned_model()", call("finetuned_model()", finetuned_model, hint=hint), hint
    )
    check(
        net is not pretrained,
        "finetuned_model() returns the pretrained network itself",
        "copy it first (copy.deepcopy), or training would change the pretrained network too",
    )
    features = getattr(net, "features", None)
    head = getattr(net, "head", None)
    check(
        isinstance(features, nn.Module) and isinstance(head, nn.Linear),
        "finetuned_model() should keep the DigitCNN layout: a features backbone and a linear head",
        hint,
    )
    mine = list(features.parameters())
    theirs = list(pretrained.features.parameters())
    check(
        len(mine) == len(theirs)
        and all(
            a.shape == b.shape and torch.equal(a.detach().cpu(), b.detach().cpu())
            for a, b in zip(mine, theirs, strict=False)
        ),
        "finetuned_model()'s backbone does not hold the pretrained weights",
        "start from the pretrained network (copy.deepcopy(pretrained)), not from a new DigitCNN",
    )
    check(
        all(a is not b for a, b in zip(mine, theirs, strict=False)),
        "finetuned_model() shares its backbone weights with the pretrained network",
        "copy.deepcopy(pretrained) copies the weights; assigning pretrained.features shares them",
    )
    check(
        head.out_features == 5,
        f"finetuned_model()'s head has {head.out_features} outputs, expected 5 (the digits 5 to 9)",
        hint,
    )
    check(
        head.weight is not pretrained.head.weight,
        "finetuned_model() keeps the pretrained head",
        "replace the head with a fresh nn.Linear(net.num_features, 5)",
    )
    frozen = sum(p.numel() for p in net.parameters() if not p.requires_grad)
    check(
        frozen == 0,
        f"finetuned_model() has {frozen} frozen parameters, expected none",
        "do not call freeze(net.features): in this exercise everything trains",
    )
    total = sum(p.numel() for p in net.parameters())
    passed(f"a copy of the pretrained network, a fresh 5-class head, all {total} parameters train")


def check_precision_recall(precision_recall: Any) -> None:
    """Check ``precision_recall(cm, digit)`` on a small confusion matrix whose answers are known.

    Args:
        precision_recall: The reader's function of a confusion matrix and a class index,
            returning ``(precision, recall)``.

    Raises:
        CheckFailed: When the function fails, or swaps rows and columns, or gets a value wrong.
    """
    check_callable("precision_recall", precision_recall)
    cm = np.array([[5, 1, 0], [2, 6, 2], [0, 3, 9]])  # rows: true class, columns: predicted
    expected = {1: (6 / 10, 6 / 10), 2: (9 / 11, 9 / 12), 0: (5 / 7, 5 / 6)}
    hint = "precision = cm[d, d] / (column d).sum(); recall = cm[d, d] / (row d).sum()"
    for digit, (want_precision, want_recall) in expected.items():
        name = f"precision_recall(cm, {digit})"
        result = given(name, call(name, precision_recall, cm, digit, hint=hint))
        check(
            isinstance(result, (tuple, list)) and len(result) == 2,
            f"{name} should return a pair (precision, recall), got {type(result).__name__}",
            hint,
        )
        got_precision = number(f"the precision of {name}", result[0], hint)
        got_recall = number(f"the recall of {name}", result[1], hint)
        if math.isclose(got_precision, want_recall) and math.isclose(got_recall, want_precision):
            raise_swapped = not math.isclose(want_precision, want_recall)
            check(
                not raise_swapped,
                f"{name} gives precision {got_precision:.3f} and recall {got_recall:.3f}: "
                "they are swapped",
                "rows are the true classes, columns the predictions: precision divides by a column",
            )
        check(
            math.isclose(got_precision, want_precision, rel_tol=1e-9),
            f"{name} gives precision {got_precision:.3f}, expected {want_precision:.3f} "
            f"for the matrix {cm.tolist()}",
            hint,
        )
        check(
            math.isclose(got_recall, want_recall, rel_tol=1e-9),
            f"{name} gives recall {got_recall:.3f}, expected {want_recall:.3f} "
            f"for the matrix {cm.tolist()}",
            hint,
        )
    passed("precision divides the diagonal by its column, recall by its row")
