import math

import numpy as np
import pytest
import torch

from practical_dl import _checks as check


@pytest.mark.parametrize(
    "value, text",
    [
        (2.5, "2.5 (float)"),
        (True, "True (bool)"),
        ("gpu", "'gpu' (str)"),
        (torch.zeros(5, 8, 8), "a tensor of shape (5, 8, 8) (torch.float32)"),
        (np.zeros((2, 3), dtype=np.int64), "an array of shape (2, 3) (int64)"),
        ("x" * 100, "'" + "x" * 56 + "... (str)"),
    ],
)
def test_describe_shows_value_and_type(value, text):
    assert check.describe(value) == text


def test_one_message_style():
    with pytest.raises(TypeError) as error:
        check.positive_int("num_epochs", 2.5)
    assert str(error.value) == "num_epochs must be a positive int, got 2.5 (float)"
    err = check.bad("X", "have 2 columns", got="shape (3, 4)")
    assert isinstance(err, ValueError) and str(err) == "X must have 2 columns, got shape (3, 4)"


@pytest.mark.parametrize("value", [True, False, 2.5, 2.0, "3", None, np.bool_(True)])
def test_positive_int_rejects_other_types(value):
    with pytest.raises(TypeError, match="n must be a positive int"):
        check.positive_int("n", value)


@pytest.mark.parametrize("value", [0, -1])
def test_positive_int_rejects_values_below_one(value):
    with pytest.raises(ValueError, match=rf"n must be a positive int, got {value} \(int\)"):
        check.positive_int("n", value)


def test_ints_accept_numpy_integers_and_return_plain_ints():
    value = check.positive_int("n", np.int64(3))
    assert value == 3 and type(value) is int
    assert check.non_negative_int("n", 0) == 0
    with pytest.raises(ValueError, match="n must be a non-negative int, got -1"):
        check.non_negative_int("n", -1)


def test_int_in_range():
    assert check.int_in_range("seed", 2**32 - 1, 0, 2**32) == 2**32 - 1
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 4294967296\), got -1"):
        check.int_in_range("seed", -1, 0, 2**32)
    with pytest.raises(ValueError, match=r"must be an int in \[0, 2\*\*32\)"):
        check.int_in_range("seed", 2**32, 0, 2**32, expected="an int in [0, 2**32)")


def test_positive_ints():
    assert check.positive_ints("hidden_sizes", [20, np.int32(10)]) == (20, 10)
    assert check.positive_ints("hidden_sizes", ()) == ()
    with pytest.raises(ValueError, match=r"hidden_sizes must be a sequence of positive ints"):
        check.positive_ints("hidden_sizes", (4, 0))
    with pytest.raises(TypeError, match=r"got \(4, 2.5\) \(tuple\)"):
        check.positive_ints("hidden_sizes", (4, 2.5))
    with pytest.raises(TypeError):
        check.positive_ints("hidden_sizes", 4)
    with pytest.raises(ValueError, match="a sequence of 3 positive ints"):
        check.positive_ints("in_shape", (1, 8), length=3)


def test_positive_float():
    assert check.positive_float("lr", 1) == 1.0
    for value in (0, -0.1, math.inf, math.nan):
        with pytest.raises(ValueError, match="lr must be a positive, finite number"):
            check.positive_float("lr", value)
    with pytest.raises(TypeError):
        check.positive_float("lr", True)
    with pytest.raises(TypeError):
        check.positive_float("lr", "0.1")


def test_probability_intervals():
    assert check.probability("p", 0) == 0.0 and check.probability("p", 1) == 1.0
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\), got 1.0"):
        check.probability("dropout", 1.0, include_one=False)
    with pytest.raises(ValueError, match=r"threshold must be a number in \(0, 1\)"):
        check.probability("threshold", 0.0, include_zero=False, include_one=False)
    with pytest.raises(ValueError):
        check.probability("p", math.nan)
    with pytest.raises(TypeError):
        check.probability("p", True)


def test_one_of():
    assert check.one_of("prefer", "cpu", ("cuda", "cpu")) == "cpu"
    with pytest.raises(ValueError, match=r"prefer must be one of 'cuda', 'cpu', got 'gpu' \(str\)"):
        check.one_of("prefer", "gpu", ("cuda", "cpu"))
    with pytest.raises(ValueError):
        check.one_of("prefer", ["cpu"], {"cpu"})


def test_tensor_and_shape():
    x = torch.zeros(5, 1, 8, 8)
    assert check.is_tensor("x", x) is x
    with pytest.raises(TypeError, match=r"x must be a torch.Tensor, got \[1, 2\] \(list\)"):
        check.is_tensor("x", [1, 2])
    assert check.shape("x", x, ("N", 1, 8, 8)) is x
    expected = r"x must have shape \(N, 1, 8, 8\), got shape \(5, 8, 8\)"
    with pytest.raises(ValueError, match=expected):
        check.shape("x", torch.zeros(5, 8, 8), ("N", 1, 8, 8))
    with pytest.raises(ValueError, match=r"got shape \(5, 3, 8, 8\)"):
        check.shape("x", torch.zeros(5, 3, 8, 8), ("N", 1, 8, 8))
    with pytest.raises(ValueError, match=r"have shape \(3,\)"):
        check.shape("v", np.zeros(2), (3,))


def test_column_accepts_n_and_n_by_1():
    assert check.column("y", torch.zeros(4, 1)).shape == (4,)
    assert check.column("y", np.zeros(4)).shape == (4,)
    with pytest.raises(ValueError, match=r"y must have shape \(n,\) or \(n, 1\).*shape \(2, 2\)"):
        check.column("y", np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"shape \(0, 1\)"):
        check.column("y", np.zeros((0, 1)))
    with pytest.raises(TypeError):
        check.column("y", [1, 2])
