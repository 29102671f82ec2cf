import math

import numpy as np
import pytest
import torch
from sklearn.metrics import confusion_matrix, roc_auc_score
from torch import nn

from practical_dl.metrics import (
    accuracy_from_logits,
    binary_metrics,
    confusion_matrix_from_logits,
    predict_labels,
    roc_auc_from_logits,
)

LOGITS = torch.tensor([-3.0, -0.5, 0.2, 2.0, 0.7, -1.5])
TARGETS = torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0, 0.0])


def test_predict_labels_thresholds_at_probability_one_half():
    assert predict_labels(LOGITS).tolist() == [0, 0, 1, 1, 1, 0]
    assert predict_labels(LOGITS).dtype == torch.int64


def test_predict_labels_threshold_matches_sigmoid():
    for threshold in (0.1, 0.5, 0.6, 0.9):
        expected = (torch.sigmoid(LOGITS) > threshold).long()
        assert torch.equal(predict_labels(LOGITS, threshold), expected)


def test_predict_labels_is_exact_where_sigmoid_saturates():
    # sigmoid(20) rounds to 1.0 in float32, but the logit is still below this threshold
    logits = torch.tensor([20.0])
    threshold = 1 - 1e-10
    assert predict_labels(logits, threshold).item() == 0


def test_accuracy_counts_matches():
    # predictions 0 0 1 1 1 0 against 0 1 0 1 1 0: four of six right
    assert accuracy_from_logits(LOGITS, TARGETS) == pytest.approx(4 / 6)


def test_accuracy_accepts_column_logits_int_targets_and_numpy():
    column = LOGITS.unsqueeze(1)
    assert accuracy_from_logits(column, TARGETS.long()) == pytest.approx(4 / 6)
    assert accuracy_from_logits(column.numpy(), TARGETS.numpy()) == pytest.approx(4 / 6)


def test_argmax_on_one_logit_is_always_zero_but_predict_labels_is_not():
    # the pitfall the helpers avoid: argmax over a single column picks column 0
    column = LOGITS.unsqueeze(1)
    assert column.argmax(dim=1).tolist() == [0] * 6
    assert predict_labels(column).sum().item() == 3


def test_roc_auc_matches_sklearn_and_ignores_monotone_transforms():
    expected = roc_auc_score(TARGETS.numpy(), LOGITS.numpy())
    assert roc_auc_from_logits(LOGITS, TARGETS) == pytest.approx(expected)
    assert roc_auc_from_logits(torch.sigmoid(LOGITS), TARGETS) == pytest.approx(expected)


def test_roc_auc_of_flipped_labels_and_negated_scores_is_unchanged():
    assert roc_auc_from_logits(-LOGITS, 1 - TARGETS) == pytest.approx(
        roc_auc_from_logits(LOGITS, TARGETS)
    )


def test_roc_auc_of_perfect_ranking_is_one():
    assert roc_auc_from_logits(torch.tensor([-1.0, 0.0, 5.0]), torch.tensor([0, 0, 1])) == 1.0


def test_roc_auc_needs_both_classes():
    with pytest.raises(ValueError, match=r"targets must hold both classes, 0 and 1, got only 1s"):
        roc_auc_from_logits(torch.tensor([0.1, 0.2]), torch.tensor([1.0, 1.0]))


def test_confusion_matrix_layout_matches_sklearn():
    matrix = confusion_matrix_from_logits(LOGITS, TARGETS)
    expected = confusion_matrix(TARGETS.numpy(), predict_labels(LOGITS).numpy())
    assert np.array_equal(matrix, expected)
    # true 0 predicted 0: samples 0 and 5; true 0 predicted 1: sample 2
    assert matrix.tolist() == [[2, 1], [1, 2]]


def test_confusion_matrix_keeps_both_classes_when_one_is_missing():
    matrix = confusion_matrix_from_logits(torch.tensor([3.0, 4.0]), torch.tensor([1.0, 1.0]))
    assert matrix.tolist() == [[0, 0], [0, 2]]


def test_binary_metrics_loss_is_bce_with_logits():
    metrics = binary_metrics(LOGITS, TARGETS)
    expected = nn.BCEWithLogitsLoss()(LOGITS, TARGETS).item()
    assert metrics["loss"] == pytest.approx(expected)
    assert metrics["accuracy"] == pytest.approx(4 / 6)
    assert set(metrics) == {"loss", "accuracy", "roc_auc"}


def test_binary_metrics_of_a_coin_flip_is_ln_2():
    metrics = binary_metrics(torch.zeros(4), torch.tensor([0.0, 1.0, 1.0, 0.0]))
    assert metrics["loss"] == pytest.approx(math.log(2))
    assert metrics["roc_auc"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: accuracy_from_logits(torch.zeros(3, 2), torch.zeros(3)),
            r"logits must have shape \(n,\) or \(n, 1\) with n >= 1, got shape \(3, 2\)",
        ),
        (
            lambda: accuracy_from_logits(torch.zeros(3), torch.zeros(4)),
            "logits and targets must have the same length, got 3 logits and 4",
        ),
        (
            lambda: accuracy_from_logits(torch.zeros(2), torch.tensor([0.0, 2.0])),
            r"targets must hold only 0 and 1, got also \[2.0\]",
        ),
        (
            lambda: accuracy_from_logits(torch.zeros(0), torch.zeros(0)),
            r"logits must have shape .*, got shape \(0,\)",
        ),
        (
            lambda: predict_labels(torch.zeros(2), threshold=1.0),
            r"threshold must be a number in \(0, 1\), got 1.0 \(float\)",
        ),
        (lambda: confusion_matrix_from_logits(torch.zeros(2), torch.zeros(2), 0.0), "threshold"),
    ],
)
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_non_array_input_is_a_type_error():
    with pytest.raises(
        TypeError, match=r"logits must be a torch.Tensor or a NumPy array, got \[0.1"
    ):
        predict_labels([0.1, 0.2])
    with pytest.raises(TypeError, match="threshold"):
        predict_labels(torch.zeros(2), threshold="0.5")


@pytest.mark.gpu_path
def test_predict_labels_stays_on_the_logits_device():
    # On the meta device there are no values, but shapes, dtypes and devices still flow.
    logits = torch.zeros(5, 1, device="meta")
    labels = predict_labels(logits)
    assert labels.device.type == "meta"
    assert labels.shape == (5,)
    assert labels.dtype == torch.int64


def test_bfloat16_logits_from_mixed_precision_are_scored():
    logits = LOGITS.to(torch.bfloat16)
    assert roc_auc_from_logits(logits, TARGETS) == pytest.approx(
        roc_auc_from_logits(LOGITS, TARGETS)
    )
    assert confusion_matrix_from_logits(logits, TARGETS).sum() == len(TARGETS)
