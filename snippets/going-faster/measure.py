"""Chapter 16's measurements on a GPU: write the data file the page's GPU tab reads.

Run from a checkout of the site, on a machine with a CUDA GPU::

    python snippets/going-faster/measure.py

It runs the functions of ``speed.py`` in the order and with the settings the
page uses, on the GPU, and writes ``docs/data/going-faster-gpu.json``: a stamp
(device name, CUDA, torch and Python versions, date, cores, torch threads)
and every timing (median, minimum and each repeat), plus the validation
accuracies of the bfloat16 comparison. Then run the page's tests again
(``pytest docs/chapters/going-faster.md``) so the site shows the new numbers.

Without a CUDA GPU it makes a quick dry run instead (fewer repeats, no
``torch.compile``), prints the file it would write and writes nothing, so CPU
numbers can never end up in the GPU file. ``--out PATH`` writes anyway, to PATH.
"""

import argparse
import datetime
import importlib.util
import json
import statistics
import sys
import warnings
from pathlib import Path

import torch

from practical_dl import get_device
from practical_dl.timing import machine_info, machine_line

HERE = Path(__file__).resolve().parent
GPU_FILE = HERE.parents[1] / "docs" / "data" / "going-faster-gpu.json"


def load_speed():
    """Import speed.py, the page's own measurement functions, from beside this file."""
    spec = importlib.util.spec_from_file_location("going_faster_speed", HERE / "speed.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # DataLoader workers find AugmentedDigits by this name
    spec.loader.exec_module(module)
    return module


def run_all(device, quick=False):
    """Every measurement of the page, in its order: timings and bf16 accuracies."""
    speed = load_speed()
    fewer = {"repeat": 2} if quick else {}  # otherwise each function's default, as on the page
    X_train, y_train, X_val, y_val = (t.to(device) for t in speed.digit_splits())
    X_batch, y_batch = X_train[:64], y_train[:64]
    X_256, y_256 = X_train[:256], y_train[:256]

    batch_sizes = speed.BATCH_SIZES[::3] if quick else speed.BATCH_SIZES
    timings = {
        "per_sample": speed.per_sample(speed.step_times(X_train, y_train, batch_sizes, **fewer))
    }
    print("batch sizes done", flush=True)

    n_items, epochs = (128, 2) if quick else (512, 3)
    dataset = speed.AugmentedDigits(X_train[:n_items].cpu(), y_train[:n_items].cpu())
    workers = {n: speed.loader_times(dataset, device, epochs, num_workers=n) for n in [0, 1, 2]}
    timings["workers"] = {str(n): times["epoch"] for n, times in workers.items()}
    timings["worker_start"] = {str(n): times["first_batch"] for n, times in workers.items()}
    timings["persistent"] = {
        ("yes" if keep else "no"): speed.loader_times(
            dataset, device, epochs, num_workers=1, persistent_workers=keep
        )["later_epochs"]
        for keep in [False, True]
    }
    with warnings.catch_warnings():  # on a machine without a GPU, pinning warns
        warnings.simplefilter("ignore", UserWarning)
        timings["pin_memory"] = {
            ("yes" if pin else "no"): speed.loader_times(dataset, device, epochs, pin_memory=pin)[
                "epoch"
            ]
            for pin in [False, True]
        }
    print("data loading done", flush=True)

    model, optimizer = speed.make_cnn(device)
    model.eval()
    timings["forward"] = speed.forward_times(model, X_val[:1], **fewer)
    model.train()
    timings["threads"] = speed.thread_times(model, optimizer, X_256, y_256, **fewer)
    timings["precision"] = speed.precision_times(model, optimizer, X_256, y_256, **fewer)
    seeds, num_epochs = ([0, 1], 1) if quick else ([0, 1, 2], 8)
    accuracy = {
        name: [
            speed.train_and_validate(X_train, y_train, X_val, y_val, seed, bf16, num_epochs)[0]
            for seed in seeds
        ]
        for name, bf16 in [("fp32", False), ("bf16", True)]
    }
    timings["memory_format"] = speed.memory_format_times(model, X_256, y_256, **fewer)
    print("forward, threads, precision and memory format done", flush=True)

    compile_seconds = None
    if not quick:
        mlp, mlp_optimizer = speed.make_mlp(device)
        compiled, compile_seconds = speed.compile_first_call(mlp, mlp_optimizer, X_batch, y_batch)
        difference = (mlp(X_batch) - compiled(X_batch)).abs().max().item()
        print(f"compiled against eager: largest difference {difference:.2e}", flush=True)
        if difference > 1e-4:  # rounding differs between kernels; a wrong graph is far off
            raise RuntimeError(f"compiled and eager MLP outputs differ by {difference:.2e}")
        timings["compile"] = speed.compiled_times(mlp, compiled, mlp_optimizer, X_batch, y_batch)
        print(f"compile done (first call {compile_seconds:.1f} s)", flush=True)
    return {
        "timings": speed.timings_to_json(timings),
        "accuracy": accuracy,
        "compile_first_call_seconds": compile_seconds,
    }, speed


def main(argv=None):
    """Measure on the best device; write the GPU file only from a CUDA machine (or to --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write here, whatever the device")
    parser.add_argument("--quick", action="store_true", help="a short dry run")
    parser.add_argument("--threads", type=int, default=1, help="torch threads, as on the page")
    args, ignored = parser.parse_known_args(argv)
    if ignored:  # such as pytest's own arguments, when the tests run this file
        print("ignored arguments:", " ".join(ignored))

    device = get_device()
    on_gpu = device.type == "cuda"
    quick = args.quick or not on_gpu
    torch.set_num_threads(args.threads)
    print(machine_line(machine_info(device)), "| quick" if quick else "", flush=True)
    measured, speed = run_all(device, quick=quick)
    stamp = {**machine_info(device), "date": datetime.date.today().isoformat(), "quick": quick}
    data = {"stamp": stamp, **measured}
    rows = speed.speedups(speed.timings_from_json(data["timings"]))
    for name, (by_median, by_min) in rows.items():
        print(f"{name:>36}: {by_median:6.2f}x (medians) {by_min:6.2f}x (minimums)")
    for name, values in data["accuracy"].items():
        print(f"{name} validation accuracy: {statistics.mean(values):.3f} over {len(values)} seeds")

    out = args.out or (GPU_FILE if on_gpu and not quick else None)
    if out is None:
        print("no CUDA GPU here: a quick dry run, nothing written (--out PATH writes anyway)")
        return data
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return data


if __name__ == "__main__":
    main()
