import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch

from practical_dl.plotting.curves import (
    plot_confusion_matrix,
    plot_learning_curves,
    plot_roc_curve,
)


def test_learning_curves_draw_one_line_per_series_from_epoch_one():
    history = {"train_loss": [0.9, 0.5, 0.3], "val_loss": [1.0, 0.6, 0.4]}
    ax = plot_learning_curves(history, title="Losses")
    lines = ax.get_lines()
    assert len(lines) == 2
    assert list(lines[0].get_xdata()) == [1, 2, 3]
    assert list(lines[1].get_ydata()) == [1.0, 0.6, 0.4]
    assert ax.get_title() == "Losses"
    assert ax.get_xlabel() == "Epoch"
    assert ax.figure.get_label() == "Losses"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train_loss", "val_loss"]


def test_learning_curves_accept_a_dataframe_and_an_existing_axes():
    _, ax = plt.subplots()
    frame = pd.DataFrame({"val_accuracy": [0.8, 0.9]})
    assert plot_learning_curves(frame, ax=ax, ylabel="Accuracy") is ax
    assert ax.get_ylabel() == "Accuracy"
    assert list(ax.get_lines()[0].get_xdata()) == [1, 2]


def test_learning_curves_reject_ragged_or_empty_history():
    with pytest.raises(ValueError, match=r"history must hold series of one length, got lengths"):
        plot_learning_curves({"a": [1.0, 2.0], "b": [1.0]})
    with pytest.raises(
        ValueError, match=r"history must hold at least one value, got nothing to plot"
    ):
        plot_learning_curves({})


def test_roc_curve_of_a_perfect_ranking_reaches_the_top_left_corner():
    targets = torch.tensor([0.0, 0.0, 1.0, 1.0])
    ax = plot_roc_curve(targets, torch.tensor([-2.0, -1.0, 1.0, 2.0]), label="perfect")
    chance, curve = ax.get_lines()
    assert chance.get_gid() == "chance"
    points = set(zip(curve.get_xdata(), curve.get_ydata(), strict=True))
    assert (0.0, 1.0) in points
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "perfect (AUC 1.000)" in legend


def test_roc_curves_share_one_chance_line_on_the_same_axes():
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 2, size=50)
    ax = plot_roc_curve(targets, rng.normal(size=50), label="a")
    plot_roc_curve(targets, rng.normal(size=(50, 1)), ax=ax, label="b")
    assert len(ax.get_lines()) == 3
    assert sum(line.get_gid() == "chance" for line in ax.get_lines()) == 1


def test_roc_curve_rejects_bad_input():
    with pytest.raises(
        ValueError, match="targets and scores must have the same length, got 3 targets and 2"
    ):
        plot_roc_curve(np.array([0, 1, 1]), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match=r"targets must hold both classes, 0 and 1, got only 1s"):
        plot_roc_curve(np.array([1, 1]), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="targets must hold only 0 and 1"):
        plot_roc_curve(np.array([0, 2]), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match=r"scores must have shape \(n,\) or \(n, 1\)"):
        plot_roc_curve(np.array([0, 1]), np.zeros((2, 2)))


def test_confusion_matrix_writes_every_count():
    matrix = np.array([[30, 2], [1, 53]])
    ax = plot_confusion_matrix(matrix, ["malignant", "benign"])
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["1", "2", "30", "53"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["malignant", "benign"]
    assert ax.get_ylabel() == "True class"
    assert ax.figure.get_label() == "Confusion matrix"


def test_confusion_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.zeros((2, 3)), ["a", "b"])
    with pytest.raises(
        ValueError, match="class_names must give one name per class, 2, got 1 names"
    ):
        plot_confusion_matrix(np.zeros((2, 2)), ["a"])
    with pytest.raises(ValueError, match="negative"):
        plot_confusion_matrix(np.array([[1, -1], [0, 1]]), ["a", "b"])
