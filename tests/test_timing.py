"""Tests for practical_dl.timing: shapes, keys and call counts, never how long anything took."""

import json
import math

import pytest
import torch

from practical_dl import timing
from practical_dl.timing import (
    Timing,
    cpu_name,
    format_seconds,
    machine_info,
    machine_line,
    measure,
    speedup,
    synchronize,
    torch_threads,
)


class Counter:
    """A function that counts its calls and remembers their arguments."""

    def __init__(self):
        self.calls = []

    def __call__(self, *args):
        self.calls.append(args)
        return len(self.calls)


# measure


@pytest.mark.parametrize(("repeat", "warmup", "number"), [(1, 0, 1), (5, 1, 1), (3, 2, 4)])
def test_measure_calls_fn_warmup_plus_repeat_times_number(repeat, warmup, number):
    fn = Counter()
    result = measure(fn, repeat=repeat, warmup=warmup, number=number)
    assert len(fn.calls) == warmup + repeat * number
    assert len(result.times) == repeat
    assert result.number == number


def test_measure_passes_the_same_arguments_to_every_call():
    fn = Counter()
    x = torch.ones(2)
    measure(fn, x, "b", repeat=2, warmup=1)
    assert len(fn.calls) == 3
    assert all(args[0] is x and args[1] == "b" for args in fn.calls)


def test_measure_returns_median_and_min_of_its_repeats():
    result = measure(Counter(), repeat=5)
    assert isinstance(result, Timing)
    assert result.min == min(result.times)
    assert sorted(result.times)[2] == result.median
    assert all(t >= 0 for t in result.times)


def test_measure_accepts_a_cpu_device():
    fn = Counter()
    measure(fn, repeat=2, device="cpu")
    measure(fn, repeat=2, device=torch.device("cpu"))
    assert len(fn.calls) == 6


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"repeat": 0}, ValueError, "repeat must be a positive int"),
        ({"repeat": 2.5}, TypeError, "repeat must be a positive int"),
        ({"number": 0}, ValueError, "number must be a positive int"),
        ({"warmup": -1}, ValueError, "warmup must be a non-negative int"),
        ({"warmup": True}, TypeError, "warmup must be a non-negative int"),
        ({"device": 3}, TypeError, "device must be a torch.device"),
        ({"device": "gpu"}, ValueError, "device must name a torch device"),
    ],
)
def test_measure_rejects_bad_arguments_before_calling(kwargs, error, message):
    fn = Counter()
    with pytest.raises(error, match=message):
        measure(fn, **kwargs)
    assert fn.calls == []


def test_measure_rejects_something_not_callable():
    with pytest.raises(TypeError, match="fn must be callable, got 3 \\(int\\)"):
        measure(3)


# synchronize


def test_synchronize_does_nothing_on_a_cpu():
    assert synchronize(None) is None
    assert synchronize("cpu") is None


def test_synchronize_rejects_a_non_device():
    with pytest.raises(TypeError, match="device must be"):
        synchronize(1.5)


# Timing


def test_timing_from_times_summarises():
    result = Timing.from_times([3.0, 1.0, 2.0], number=4)
    assert (result.median, result.min, result.times, result.number) == (
        2.0,
        1.0,
        (3.0, 1.0, 2.0),
        4,
    )


@pytest.mark.parametrize(
    ("times", "error"), [([], ValueError), ([-1.0], ValueError), (["a"], TypeError), (3, TypeError)]
)
def test_timing_from_times_rejects_bad_times(times, error):
    with pytest.raises(error, match="times must"):
        Timing.from_times(times)


def test_timing_round_trips_through_json():
    result = Timing.from_times([0.002, 0.001, 0.003], number=2)
    again = Timing.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result


def test_timing_from_dict_names_what_is_missing():
    with pytest.raises(ValueError, match="data must hold median, min, times and number"):
        Timing.from_dict({"median": 1.0})
    with pytest.raises(TypeError, match="data must be a dict"):
        Timing.from_dict([1.0])


def test_timing_per_second_uses_the_median():
    result = Timing.from_times([0.5, 0.25, 1.0])
    assert result.per_second(100) == pytest.approx(200.0)
    with pytest.raises(ValueError, match="items must be"):
        result.per_second(0)


def test_timing_str_shows_median_count_and_min():
    text = str(Timing.from_times([0.002, 0.001, 0.003]))
    assert text == "2 ms (median of 3, min 1 ms)"


# speedup


def test_speedup_is_baseline_over_variant_by_median_and_by_min():
    slow, fast = Timing.from_times([4.0, 2.0, 6.0]), Timing.from_times([2.0, 1.0, 1.0])
    assert speedup(slow, fast) == (4.0, 2.0)
    assert speedup(fast, slow) == (0.25, 0.5)


def test_speedup_rejects_non_timings_and_zero_times():
    with pytest.raises(TypeError, match="variant must be a Timing"):
        speedup(Timing.from_times([1.0]), 1.0)
    with pytest.raises(ValueError, match="variant must have times above 0"):
        speedup(Timing.from_times([1.0]), Timing.from_times([0.0]))


# format_seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(2.345, "2.35 s"), (0.0123, "12.3 ms"), (4.56e-4, "456 µs"), (7e-8, "70 ns"), (0, "0 ns")],
)
def test_format_seconds_picks_a_unit(seconds, text):
    assert format_seconds(seconds) == text


@pytest.mark.parametrize(
    ("value", "error"),
    [(-1.0, ValueError), (math.inf, ValueError), ("1", TypeError), (True, TypeError)],
)
def test_format_seconds_rejects_bad_values(value, error):
    with pytest.raises(error, match="seconds must be"):
        format_seconds(value)


# torch_threads


def test_torch_threads_sets_and_restores():
    before = torch.get_num_threads()
    with torch_threads(1) as n:
        assert n == 1
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_torch_threads_restores_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError, match="inside"), torch_threads(1):
        raise RuntimeError("inside")
    assert torch.get_num_threads() == before


@pytest.mark.parametrize(("n", "error"), [(0, ValueError), (1.0, TypeError)])
def test_torch_threads_rejects_bad_counts(n, error):
    before = torch.get_num_threads()
    with pytest.raises(error, match="n must be a positive int"), torch_threads(n):
        pass
    assert torch.get_num_threads() == before


# machine_info, machine_line, cpu_name

KEYS = {
    "cpu",
    "cores",
    "usable_cores",
    "torch_threads",
    "load_average",
    "cpu_capability",
    "bf16_instructions",
    "torch",
    "python",
    "platform",
    "device",
    "device_name",
    "cuda",
}


def test_machine_info_has_every_key_and_is_json_ready():
    info = machine_info()
    assert set(info) == KEYS
    assert json.loads(json.dumps(info)) == info
    assert info["torch_threads"] == torch.get_num_threads()
    assert info["torch"] == torch.__version__
    assert info["device"] == "cpu" and info["cuda"] is None
    assert isinstance(info["cores"], int) and info["cores"] >= 1


def test_machine_info_follows_the_thread_count():
    with torch_threads(1):
        assert machine_info()["torch_threads"] == 1


def test_cpu_name_falls_back_without_proc_cpuinfo(monkeypatch, tmp_path):
    monkeypatch.setattr(timing, "_CPUINFO", str(tmp_path / "no-such-file"))
    monkeypatch.setattr(timing.platform, "processor", lambda: "")
    monkeypatch.setattr(timing.platform, "machine", lambda: "x86_64")
    assert cpu_name() == "x86_64"
    assert machine_info()["bf16_instructions"] is None


def test_cpu_name_and_bf16_are_read_from_cpuinfo(monkeypatch, tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t: fpu avx2 avx512_bf16\n"
    )
    monkeypatch.setattr(timing, "_CPUINFO", str(cpuinfo))
    assert cpu_name() == "Test CPU 9000"
    assert machine_info()["bf16_instructions"] is True
    cpuinfo.write_text("model name\t: Old CPU\nflags\t: fpu avx2\n")
    assert machine_info()["bf16_instructions"] is False


def test_machine_line_names_cores_threads_and_torch():
    info = dict(machine_info(), cores=2, torch_threads=1, load_average=3.5, cpu="Some CPU")
    info["device_name"] = "Some CPU"
    assert (
        machine_line(info)
        == f"cpu: Some CPU, 2 cores, 1 torch thread, load 3.5, torch {torch.__version__}"
    )
    info.update(torch_threads=2, load_average=None, device="cuda", device_name="A GPU", cuda="12.8")
    assert (
        machine_line(info)
        == f"cuda: A GPU, 2 cores, 2 torch threads, CUDA 12.8, torch {torch.__version__}"
    )


def test_machine_line_describes_this_machine_by_default():
    assert machine_line().startswith("cpu: ")
    with pytest.raises(TypeError, match="info must be a dict"):
        machine_line("cpu")
