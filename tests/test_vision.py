import pytest
import torch
from torch import nn

from practical_dl.training import train_step
from practical_dl.vision import (
    SmallCNN,
    count_parameters,
    flatten_size,
    freeze,
    layer_shapes,
    load_digit_images,
    predict,
    sample_per_class,
    select_classes,
)


@pytest.fixture(scope="module")
def digits():
    return load_digit_images(test_size=0.25, seed=0)


def test_digit_images_are_scaled_nchw_tensors_with_a_stratified_split(digits):
    assert digits.X_train.shape == (1347, 1, 8, 8)
    assert digits.X_test.shape == (450, 1, 8, 8)
    assert digits.X_train.dtype == torch.float32 and digits.y_train.dtype == torch.int64
    assert digits.X_train.min() == 0.0 and digits.X_train.max() == 1.0
    # Stratified: each digit keeps a quarter of its images for the test, give or take one.
    totals = torch.bincount(torch.cat([digits.y_train, digits.y_test]), minlength=10)
    counts = torch.bincount(digits.y_test, minlength=10)
    assert ((counts - totals / 4).abs() <= 1).all()


def test_digit_split_depends_on_the_seed_only(digits):
    again = load_digit_images(test_size=0.25, seed=0)
    other = load_digit_images(test_size=0.25, seed=1)
    assert torch.equal(again.X_train, digits.X_train)
    assert not torch.equal(other.X_train, digits.X_train)


@pytest.mark.parametrize("test_size", [0, 1, -0.2, 1.5])
def test_load_digit_images_rejects_bad_fraction(test_size):
    with pytest.raises(ValueError, match=r"test_size must be a number in \(0, 1\), got "):
        load_digit_images(test_size=test_size)


def test_select_classes_keeps_and_renumbers_in_the_given_order():
    X = torch.arange(6.0).reshape(6, 1)
    y = torch.tensor([5, 7, 1, 7, 5, 9])
    X_sub, y_sub = select_classes(X, y, classes=[7, 5])
    assert X_sub.flatten().tolist() == [0.0, 1.0, 3.0, 4.0]
    assert y_sub.tolist() == [1, 0, 0, 1]
    assert y_sub.dtype == torch.int64


def test_select_classes_errors_name_the_argument():
    X, y = torch.zeros(3, 2), torch.tensor([0, 1, 1])
    with pytest.raises(ValueError, match=r"classes must be .* distinct .*, got \[0, 0\] \(list\)"):
        select_classes(X, y, classes=[0, 0])
    with pytest.raises(ValueError, match=r"classes must name labels present in y.*label 4"):
        select_classes(X, y, classes=[0, 4])
    with pytest.raises(ValueError, match=r"X and y must have the same length, got 3 inputs and 2"):
        select_classes(X, y[:2], classes=[0])
    with pytest.raises(ValueError, match=r"classes must be a non-empty sequence"):
        select_classes(X, y, classes=[])
    with pytest.raises(TypeError, match=r"classes must be .*, got \[0, 1.5\] \(list\)"):
        select_classes(X, y, classes=[0, 1.5])
    assert select_classes(X, y, classes=range(2))[1].tolist() == [0, 1, 1]


def test_sample_per_class_draws_n_of_each_label_reproducibly():
    y = torch.tensor([0] * 10 + [1] * 10 + [2] * 10)
    chosen = sample_per_class(y, 3, seed=0)
    assert torch.bincount(y[chosen]).tolist() == [3, 3, 3]
    assert len(set(chosen.tolist())) == 9
    assert torch.equal(chosen, sample_per_class(y, 3, seed=0))
    assert not torch.equal(chosen, sample_per_class(y, 3, seed=1))


def test_sample_per_class_rejects_impossible_requests():
    y = torch.tensor([0, 0, 1])
    with pytest.raises(ValueError, match=r"n_per_class must be .*, got 2, but class 1 has only 1"):
        sample_per_class(y, 2)
    with pytest.raises(ValueError, match=r"n_per_class must be a positive int, got 0 \(int\)"):
        sample_per_class(y, 0)
    for value in (True, 2.5):
        with pytest.raises(TypeError, match=r"n_per_class must be a positive int"):
            sample_per_class(y, value)


def test_flatten_size_matches_hand_arithmetic_for_known_layers():
    features = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    assert flatten_size(features, (3, 64, 64)) == 32 * 32 * 32  # pooling halves each side
    no_padding = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2))
    assert flatten_size(no_padding, (1, 8, 8)) == 4 * 3 * 3  # 8 -> 6 -> 3


def test_flatten_size_explains_an_image_too_small():
    features = nn.Sequential(nn.MaxPool2d(2), nn.MaxPool2d(2))
    with pytest.raises(ValueError, match=r"in_shape must be an input shape .*, got \(1, 2, 2\): "):
        flatten_size(features, (1, 2, 2))
    with pytest.raises(ValueError, match=r"in_shape must be \(channels, height, width\)"):
        flatten_size(features, (8, 8))
    with pytest.raises(TypeError, match=r"in_shape must be .*, got \(1, 8.0, 8\) \(tuple\)"):
        flatten_size(features, (1, 8.0, 8))


def test_small_cnn_computes_its_head_size_and_outputs_logits():
    model = SmallCNN(num_classes=10)
    assert model.num_features == 32 * 2 * 2
    assert model.head.in_features == model.num_features
    assert model(torch.zeros(5, 1, 8, 8)).shape == (5, 10)
    rgb = SmallCNN(num_classes=2, in_shape=(3, 64, 64), channels=(32,))
    assert rgb.num_features == 32 * 32 * 32
    assert rgb(torch.zeros(2, 3, 64, 64)).shape == (2, 2)


def test_small_cnn_rejects_wrong_input_shapes_clearly():
    model = SmallCNN()
    with pytest.raises(
        ValueError, match=r"x must have shape \(N, 1, 8, 8\), got shape \(5, 8, 8\)"
    ):
        model(torch.zeros(5, 8, 8))
    with pytest.raises(ValueError, match=r"got shape \(5, 3, 8, 8\)"):
        model(torch.zeros(5, 3, 8, 8))
    with pytest.raises(ValueError, match=r"num_classes must be a positive int, got 0 \(int\)"):
        SmallCNN(num_classes=0)
    with pytest.raises(ValueError, match=r"the layers can process"):
        SmallCNN(in_shape=(1, 2, 2), channels=(4, 4))
    with pytest.raises(ValueError, match=r"channels must be a non-empty sequence"):
        SmallCNN(channels=())


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"num_classes": True}, "num_classes"),
        ({"num_classes": 2.5}, "num_classes"),
        ({"channels": (16, True)}, "channels"),
        ({"channels": (16, 2.5)}, "channels"),
        ({"in_shape": (1, 8.5, 8)}, "in_shape"),
    ],
)
def test_small_cnn_refuses_bools_and_floats(kwargs, name):
    # Before the shared checks, True passed as 1 channel and 2.5 reached nn.Conv2d.
    with pytest.raises(TypeError, match=rf"{name} must be "):
        SmallCNN(**kwargs)


def test_layer_shapes_follows_every_layer_in_order():
    rows = layer_shapes(SmallCNN(), (1, 8, 8))
    names = [name for name, _, _ in rows]
    assert names == [
        "input",
        "features.0",
        "features.1",
        "features.2",
        "features.3",
        "features.4",
        "features.5",
        "flatten",
        "head",
    ]
    shapes = [shape for _, _, shape in rows]
    assert shapes[1] == (1, 16, 8, 8)  # padding 1 keeps 8x8
    assert shapes[3] == (1, 16, 4, 4)  # pooling halves it
    assert shapes[-2] == (1, 128) and shapes[-1] == (1, 10)
    assert rows[1][1] == "Conv2d"


def test_layer_shapes_removes_its_hooks_and_reports_bad_input():
    model = SmallCNN()
    layer_shapes(model, (1, 8, 8))
    assert all(not m._forward_hooks for m in model.modules())
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 8, 8\)"):
        layer_shapes(model, (3, 8, 8))
    plain = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(99, 2))
    with pytest.raises(ValueError, match=r"in_shape must be an input shape the model can process"):
        layer_shapes(plain, (1, 8, 8))


def test_freeze_and_count_parameters():
    model = SmallCNN(num_classes=5)
    trainable, total = count_parameters(model)
    assert trainable == total == (16 * 9 + 16) + (32 * 16 * 9 + 32) + (128 * 5 + 5)
    assert freeze(model.features) is model.features
    assert count_parameters(model) == (128 * 5 + 5, total)


def test_frozen_backbone_does_not_move_during_training():
    torch.manual_seed(0)
    model = SmallCNN(num_classes=3)
    freeze(model.features)
    before = [p.clone() for p in model.features.parameters()]
    head_before = model.head.weight.clone()
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.1)
    train_step(
        model, torch.rand(8, 1, 8, 8), torch.randint(0, 3, (8,)), nn.CrossEntropyLoss(), optimizer
    )
    assert all(torch.equal(a, b) for a, b in zip(before, model.features.parameters(), strict=True))
    assert not torch.equal(head_before, model.head.weight)


def test_predict_returns_argmax_labels_and_eval_mode():
    model = nn.Linear(2, 3)
    with torch.no_grad():
        model.weight.copy_(torch.eye(3, 2))
        model.bias.zero_()
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    assert predict(model, X, batch_size=2).tolist() == [0, 1, 2]
    assert not model.training
    with pytest.raises(ValueError, match=r"batch_size must be a positive int, got 0 \(int\)"):
        predict(model, X, batch_size=0)
    for value in (True, 2.5):
        with pytest.raises(TypeError, match=r"batch_size must be a positive int"):
            predict(model, X, batch_size=value)


@pytest.mark.gpu_path
def test_cnn_training_step_and_predict_follow_the_device():
    device = torch.device("meta")
    model = SmallCNN(num_classes=10).to(device)
    assert flatten_size(model.features, (1, 8, 8)) == 128  # dummy input made on the model's device
    assert [shape for *_, shape in layer_shapes(model, (1, 8, 8))][-1] == (1, 10)
    freeze(model.features)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.01)
    X, y = torch.rand(4, 1, 8, 8), torch.randint(0, 10, (4,))  # on the CPU, as from a loader
    loss = train_step(model, X, y, nn.CrossEntropyLoss(), optimizer, device)
    assert loss.device.type == "meta"
    labels = predict(model, X, device=device)
    assert labels.device.type == "meta" and labels.shape == (4,)
