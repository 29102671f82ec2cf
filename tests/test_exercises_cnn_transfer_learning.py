import copy

import pytest
import torch
from torch import nn

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import cnn_transfer_learning as exercises


class TinyCNN(nn.Module):
    """The chapter's DigitCNN layout: a features backbone and a linear head."""

    def __init__(self, num_classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )  # fmt: skip
        self.num_features = 128
        self.head = nn.Linear(self.num_features, num_classes)

    def forward(self, x):
        return self.head(self.features(x).flatten(start_dim=1))


@pytest.fixture
def pretrained():
    torch.manual_seed(0)
    return TinyCNN()


def _unpadded():
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3), nn.ReLU(),
    )  # fmt: skip


def test_unpadded_fails_on_the_starter():
    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_unpadded_backbone(..., ...)


def test_unpadded_wants_no_padding():
    def padded():
        return nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(),
        )  # fmt: skip

    with pytest.raises(CheckFailed, match="still pads"):
        exercises.check_unpadded_backbone(padded, 32)


def test_unpadded_wants_the_flatten_size():
    with pytest.raises(CheckFailed, match="unpadded_flatten is 128"):
        exercises.check_unpadded_backbone(_unpadded, 128)
    exercises.check_unpadded_backbone(_unpadded, 32)


def test_feature_maps_want_the_relu(pretrained):
    images = torch.rand(3, 1, 8, 8)
    with pytest.raises(CheckFailed, match="before the ReLU"):
        exercises.check_first_feature_maps(
            lambda m, x: m.features[0](x).detach(), pretrained, images
        )
    with pytest.raises(CheckFailed, match="has shape"):
        exercises.check_first_feature_maps(
            lambda m, x: m.features[:3](x).detach(), pretrained, images
        )
    exercises.check_first_feature_maps(lambda m, x: m.features[:2](x).detach(), pretrained, images)


def test_finetuned_wants_the_pretrained_weights(pretrained):
    with pytest.raises(CheckFailed, match="does not hold the pretrained weights"):
        exercises.check_finetuned_model(TinyCNN, pretrained)


def test_finetuned_wants_nothing_frozen(pretrained):
    def frozen():
        net = copy.deepcopy(pretrained)
        net.features.requires_grad_(False)
        net.head = nn.Linear(net.num_features, 5)
        return net

    with pytest.raises(CheckFailed, match="frozen parameters"):
        exercises.check_finetuned_model(frozen, pretrained)


def test_finetuned_wants_a_copy_and_a_new_head(pretrained):
    with pytest.raises(CheckFailed, match="the pretrained network itself"):
        exercises.check_finetuned_model(lambda: pretrained, pretrained)

    def right():
        net = copy.deepcopy(pretrained)
        net.head = nn.Linear(net.num_features, 5)
        return net

    exercises.check_finetuned_model(right, pretrained)


def test_precision_recall_catches_a_swap():
    def swapped(cm, d):
        return cm[d, d] / cm[d, :].sum(), cm[d, d] / cm[:, d].sum()

    with pytest.raises(CheckFailed, match="swapped"):
        exercises.check_precision_recall(swapped)


def test_precision_recall_passes():
    def right(cm, d):
        return cm[d, d] / cm[:, d].sum(), cm[d, d] / cm[d, :].sum()

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_precision_recall(lambda cm, d: None)
    exercises.check_precision_recall(right)
