import numpy as np
import pytest
import torch

from practical_dl._arrays import to_numpy


@pytest.mark.parametrize(
    "values, dtype",
    [
        (torch.zeros(3), np.float32),
        (torch.zeros(3, dtype=torch.float64), np.float64),
        (torch.zeros(3, dtype=torch.float16), np.float16),
        (torch.zeros(3, dtype=torch.int64), np.int64),
        (torch.zeros(3, dtype=torch.bool), np.bool_),
        (np.zeros(3, dtype=np.float32), np.float32),
        ([1.0, 2.0], np.float64),
        ([1, 2], np.int64),
    ],
)
def test_the_dtype_is_kept(values, dtype):
    assert to_numpy(values).dtype == dtype


def test_bfloat16_becomes_float32_exactly():
    values = torch.tensor([0.1, 3.0, -2.5], dtype=torch.bfloat16)
    array = to_numpy(values)
    assert array.dtype == np.float32
    assert np.array_equal(array, values.float().numpy())


def test_a_dtype_can_be_asked_for():
    assert to_numpy([1, 2], dtype=float).dtype == np.float64
    assert to_numpy(torch.ones(2, dtype=torch.bfloat16), dtype=np.float64).dtype == np.float64


def test_tensors_that_require_grad_and_lists_of_tensors():
    w = torch.ones(3, requires_grad=True)
    assert to_numpy(w * 2).tolist() == [2.0, 2.0, 2.0]
    losses = [(w * k).sum() for k in (1.0, 2.0)]  # appended without .item()
    array = to_numpy(losses)
    assert array.shape == (2,) and array.dtype == np.float32
    assert array.tolist() == [3.0, 6.0]


def test_meta_tensors_hold_no_values():
    with pytest.raises(ValueError, match="scores must hold values.*meta device"):
        to_numpy(torch.zeros(2, device="meta"), name="scores")
