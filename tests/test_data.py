import pytest
import torch

from practical_dl.data import breast_cancer_splits


def test_splits_are_stratified_standardised_float32():
    s = breast_cancer_splits(seed=42)
    sizes = (len(s.y_train), len(s.y_val), len(s.y_test))
    assert sum(sizes) == 569 and sizes[1] == sizes[2] == 86
    assert s.X_train.dtype == s.y_train.dtype == torch.float32
    assert torch.allclose(s.X_train.mean(dim=0), torch.zeros(30), atol=1e-5)
    assert torch.allclose(s.X_train.std(dim=0), torch.ones(30), atol=1e-4)
    assert len(s.feature_names) == 30
    assert torch.equal(breast_cancer_splits(seed=42).X_val, s.X_val)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"val_size": 0}, ValueError, r"val_size must be a number in \(0, 1\), got 0 \(int\)"),
        ({"test_size": 1.5}, ValueError, r"test_size must be a number in \(0, 1\)"),
        ({"val_size": 0.5, "test_size": 0.5}, ValueError, r"val_size \+ test_size must be below"),
        ({"val_size": "0.1"}, TypeError, r"val_size must be a number"),
    ],
)
def test_bad_fractions_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        breast_cancer_splits(**kwargs)
