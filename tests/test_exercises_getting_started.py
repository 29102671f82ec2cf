import pytest
import torch

from practical_dl import get_device, seed_everything
from practical_dl.exercises import CheckFailed
from practical_dl.exercises import getting_started as exercises


def test_zeros_on_fails_on_the_starter():
    def zeros_on(device): ...

    with pytest.raises(CheckFailed, match="not done yet"):
        exercises.check_zeros_on(zeros_on)


def test_zeros_on_refuses_a_copy_with_to():
    def zeros_on(device):
        return torch.zeros(2, 3).to(device)

    with pytest.raises(CheckFailed, match=r"copied it with \.to\(\)") as error:
        exercises.check_zeros_on(zeros_on)
    assert "device=device" in error.value.hint


def test_zeros_on_refuses_a_fixed_device():
    def zeros_on(device):
        return torch.zeros(2, 3, device=get_device())

    with pytest.raises(CheckFailed, match="not on 'meta'"):
        exercises.check_zeros_on(zeros_on)


def test_zeros_on_passes(capsys):
    def zeros_on(device):
        return torch.zeros(2, 3, device=device)

    exercises.check_zeros_on(zeros_on)
    assert capsys.readouterr().out.startswith("Check passed: zeros_on(device) makes a 2 × 3")


def test_three_draws_refuses_reseeding_between_a_and_b():
    def three_draws(seed):
        seed_everything(seed)
        a = torch.rand(2)
        seed_everything(seed)
        b = torch.rand(2)
        return a, b, a.clone()

    with pytest.raises(CheckFailed, match="a and b are equal"):
        exercises.check_three_draws(three_draws)


def test_three_draws_refuses_a_c_drawn_without_seeding():
    def three_draws(seed):
        seed_everything(seed)
        return torch.rand(2), torch.rand(2), torch.rand(2)

    with pytest.raises(CheckFailed, match="c differs from a") as error:
        exercises.check_three_draws(three_draws)
    assert "seed again" in error.value.hint


def test_three_draws_passes_and_leaves_torch_rng_alone(capsys):
    def three_draws(seed):
        seed_everything(seed)
        a, b = torch.rand(2), torch.rand(2)
        seed_everything(seed)
        return a, b, torch.rand(2)

    torch.manual_seed(123)
    state = torch.get_rng_state()
    exercises.check_three_draws(three_draws)
    assert torch.equal(torch.get_rng_state(), state)
    assert "Check passed" in capsys.readouterr().out


def test_device_or_fallback_refuses_an_unhandled_error():
    def device_or_fallback(prefer):
        return get_device(prefer=prefer)

    missing = "mps" if torch.cuda.is_available() else "cuda"
    with pytest.raises(
        CheckFailed, match=f"device_or_fallback\\('{missing}'\\) raised RuntimeError"
    ):
        exercises.check_device_or_fallback(device_or_fallback)


def test_device_or_fallback_refuses_ignoring_prefer():
    def device_or_fallback(prefer):
        return get_device()

    # The first case it gets wrong: 'cpu' on a machine with a GPU, else 'meta'.
    first_wrong = "meta" if get_device().type == "cpu" else "cpu"
    with pytest.raises(CheckFailed, match=f"device_or_fallback\\('{first_wrong}'\\) gave"):
        exercises.check_device_or_fallback(device_or_fallback)


def test_device_or_fallback_passes(capsys):
    def device_or_fallback(prefer):
        try:
            return get_device(prefer=prefer)
        except RuntimeError:
            return get_device()

    exercises.check_device_or_fallback(device_or_fallback)
    assert "Check passed: 'cpu' and 'meta' are kept" in capsys.readouterr().out
