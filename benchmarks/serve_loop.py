"""How long an author waits, in ``mkdocs serve``, between saving a page and seeing it.

Usage: ``python benchmarks/serve_loop.py [PAGE] [--full]``. Starts
``mkdocs serve --dirty`` on a free port (what ``make serve`` runs; ``--full``
drops ``--dirty`` to compare), waits for the first build, then times three
saves until the served page shows them:

1. a sentence appended to the page's prose (the page's record is reused);
2. a change to the text one of its fences prints (the page runs again: the
   wait is that run, read from the server's log, plus the rebuild);
3. the prose edit again, after the code edit (the new record is reused).

The page is restored afterwards. Prints the figures and the budgets from
issue 14 (prose edit 3 s; code edit 3 s plus the page's run); asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 3.0
RAN = re.compile(r"pagerun: ran (\S+) in ([\d.]+) s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, text: str, timeout: float = 900) -> float:
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
                if text in response.read().decode("utf-8", "replace"):
                    return time.perf_counter() - began
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} never showed {text!r}")


def _last_run(log: Path, page: str) -> float:
    """The page's latest run time, from the server's log (0 when it did not run)."""
    runs = [float(s) for name, s in RAN.findall(log.read_text(errors="replace")) if name == page]
    return runs[-1] if runs else 0.0


def _verdict(seconds: float, budget: float) -> str:
    return "within" if seconds <= budget else "OVER"


def main() -> int:
    """Measure a prose edit and a code edit; print both."""
    parser = argparse.ArgumentParser()
    parser.add_argument("page", nargs="?", default="docs/chapters/getting-started.md")
    parser.add_argument("--full", action="store_true", help="serve without --dirty")
    args = parser.parse_args()
    page = ROOT / args.page
    name = page.relative_to(ROOT).as_posix()
    slug = page.relative_to(ROOT / "docs").with_suffix("").as_posix()
    port = _free_port()
    url = f"http://127.0.0.1:{port}/practical-deep-learning/{slug}/"
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]
    command += [] if args.full else ["--dirty"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OMP_NUM_THREADS": "1"}
    pristine = original = page.read_text(encoding="utf-8")
    prints = re.search(r'print\((["\'])([^"\']+)\1', original)
    log = Path(tempfile.mkstemp(prefix="serve-loop-", suffix=".log")[1])
    mode = "full rebuilds" if args.full else "--dirty, as make serve"
    with log.open("w") as sink:
        server = subprocess.Popen(  # noqa: S603 - our own mkdocs
            command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        first = _wait_for(url, "pagerun-stamp")
        print(f"serve-loop benchmark: {name}, mkdocs serve ({mode}), {os.cpu_count()} CPUs")
        print(f"  first build served after          {first:6.1f} s (every page; runs stale ones)")
        time.sleep(1.5)  # let the watcher settle after the first build

        def prose_edit(label: str) -> None:
            marker = f"Saved at {time.time_ns()}."
            page.write_text(original.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
            took = _wait_for(url, marker)
            print(
                f"  {label:<33} {took:6.1f} s ({_verdict(took, BUDGET)} the {BUDGET:.0f} s budget)"
            )
            time.sleep(1.5)

        prose_edit("prose edit visible after")
        if prints:
            edited = prints.group(2) + " (edited)"
            code = original.replace(
                prints.group(0), prints.group(0).replace(prints.group(2), edited), 1
            )
            page.write_text(code, encoding="utf-8")
            took = _wait_for(url, edited)
            ran = _last_run(log, name)
            print(
                f"  {'code edit visible after':<33} {took:6.1f} s: the page's run {ran:.1f} s"
                f" + {took - ran:.1f} s ({_verdict(took - ran, BUDGET)} run + {BUDGET:.0f} s)"
            )
            original = code  # the next edit keeps the new record
            time.sleep(1.5)
            prose_edit("prose edit after it")
    finally:
        page.write_text(pristine, encoding="utf-8")
        server.terminate()
        server.wait(timeout=30)
    print(f"  server log: {log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
