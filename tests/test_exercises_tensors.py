import pytest
import torch

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import tensors as exercises


def test_integer_mean_fails_on_the_starter():
    def integer_mean(t): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_integer_mean(integer_mean)


def test_integer_mean_reports_the_real_error_with_a_hint():
    def integer_mean(t):
        return t.mean()

    with pytest.raises(CheckFailed, match="raised RuntimeError") as error:
        exercises.check_integer_mean(integer_mean)
    assert "t.to(torch.float32)" in error.value.hint


def test_integer_mean_refuses_a_rounded_mean():
    def integer_mean(t):
        return t.sum() // t.numel()

    with pytest.raises(CheckFailed, match="is 2, expected 2.5: a whole number"):
        exercises.check_integer_mean(integer_mean)


def test_integer_mean_passes(capsys):
    def integer_mean(t):
        return t.to(torch.float32).mean()

    exercises.check_integer_mean(integer_mean)
    assert "Check passed" in capsys.readouterr().out


def test_broadcast_shapes_fail_on_the_starter():
    with pytest.raises(CheckFailed, match="predicted_shape is ...: the exercise is not done yet"):
        exercises.check_broadcast_shapes(..., ...)


def test_broadcast_shapes_refuse_a_wrong_prediction():
    with pytest.raises(CheckFailed, match=r"predicted_shape \(4, 1, 3\) is not the shape") as error:
        exercises.check_broadcast_shapes((4, 1, 3), (2, 2))
    assert "align the shapes from the right" in error.value.hint


def test_broadcast_shapes_refuse_a_failing_shape_that_works():
    with pytest.raises(CheckFailed, match=r"torch.ones\(3,\) works, giving shape \(4, 1, 3\)"):
        exercises.check_broadcast_shapes((4, 2, 3), (3,))


def test_broadcast_shapes_refuse_a_non_shape():
    with pytest.raises(CheckFailed, match="should be a shape such as"):
        exercises.check_broadcast_shapes("4, 2, 3", (2, 2))


def test_broadcast_shapes_pass(capsys):
    exercises.check_broadcast_shapes(torch.Size([4, 2, 3]), [2, 2])
    assert "cannot broadcast" in capsys.readouterr().out


def test_weights_gb_fails_on_the_starter():
    def weights_gb(n_params, dtype): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_weights_gb(weights_gb)


def test_weights_gb_says_when_the_answer_is_in_bytes():
    def weights_gb(n_params, dtype):
        return n_params * torch.empty(0, dtype=dtype).element_size()

    with pytest.raises(CheckFailed, match="expected 28") as error:
        exercises.check_weights_gb(weights_gb)
    assert "that is in bytes" in error.value.hint


def test_weights_gb_says_when_the_answer_is_in_gibibytes():
    def weights_gb(n_params, dtype):
        return n_params * torch.empty(0, dtype=dtype).element_size() / 2**30

    with pytest.raises(CheckFailed, match="expected 28") as error:
        exercises.check_weights_gb(weights_gb)
    assert "gibibytes" in error.value.hint


def test_weights_gb_passes(capsys):
    def weights_gb(n_params, dtype):
        return n_params * torch.empty(0, dtype=dtype).element_size() / 1e9

    exercises.check_weights_gb(weights_gb)
    assert "28 GB in float32 and 14 GB in bfloat16" in capsys.readouterr().out


def test_flatten_fails_on_the_starter():
    def flatten(t): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_flatten(flatten, ...)


def test_flatten_reports_view_on_a_transpose():
    def flatten(t):
        return t.view(-1)

    with pytest.raises(CheckFailed, match="flatten\\(cols\\) raised RuntimeError") as error:
        exercises.check_flatten(flatten, False)
    assert ".contiguous()" in error.value.hint


def test_flatten_refuses_the_memory_order():
    def flatten(t):
        return t.t().contiguous().view(-1) if not t.is_contiguous() else t.view(-1)

    with pytest.raises(CheckFailed, match="not cols read row by row") as error:
        exercises.check_flatten(flatten, False)
    assert "memory before the transpose" in error.value.hint


def test_flatten_refuses_a_wrong_memory_answer():
    def flatten(t):
        return t.contiguous().view(-1)

    with pytest.raises(
        CheckFailed, match="shares_memory is True, but flatten\\(cols\\) lives in new"
    ):
        exercises.check_flatten(flatten, True)


def test_flatten_passes(capsys):
    def flatten(t):
        return t.contiguous().view(-1)

    exercises.check_flatten(flatten, False)
    assert "[0, 3, 1, 4, 2, 5]" in capsys.readouterr().out
