"""How long an author waits, in ``mkdocs serve``, between saving a page and seeing it.

Usage: ``python benchmarks/serve_loop.py [PAGE] [--dirty]``. Starts
``mkdocs serve`` on a free port (as ``make serve`` does), waits for the first
build, then (1) appends a sentence to the page's prose and (2) changes the
text one of its fences prints, and times each until the served page shows the
change. The page is restored afterwards. Prints the figures; asserts nothing.
The code edit includes that page's run; the prose edit reuses its record.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, text: str, timeout: float = 600) -> float:
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
                if text in response.read().decode("utf-8", "replace"):
                    return time.perf_counter() - began
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} never showed {text!r}")


def main() -> int:
    """Measure a prose edit and a code edit; print both."""
    parser = argparse.ArgumentParser()
    parser.add_argument("page", nargs="?", default="docs/chapters/getting-started.md")
    parser.add_argument("--dirty", action="store_true", help="serve with --dirty (make serve)")
    args = parser.parse_args()
    page = ROOT / args.page
    slug = page.relative_to(ROOT / "docs").with_suffix("").as_posix()
    port = _free_port()
    url = f"http://127.0.0.1:{port}/practical-deep-learning/{slug}/"
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]
    command += ["--dirty"] if args.dirty else []
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OMP_NUM_THREADS": "1"}
    original = page.read_text(encoding="utf-8")
    server = subprocess.Popen(  # noqa: S603 - our own mkdocs
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        first = _wait_for(url, "pagerun-stamp")
        print(f"first build served after {first:6.1f} s ({'dirty' if args.dirty else 'full'})")
        marker = f"Served at {time.time():.0f}."
        time.sleep(1.5)  # a distinct modification time
        page.write_text(original.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
        print(f"prose edit visible after   {_wait_for(url, marker):6.1f} s")
        prints = re.search(r'print\((["\'])([^"\']+)\1\)', original)
        if prints:
            changed = prints.group(0).replace(prints.group(2), prints.group(2) + " (edited)")
            page.write_text(original.replace(prints.group(0), changed, 1), encoding="utf-8")
            seconds = _wait_for(url, prints.group(2) + " (edited)")
            print(f"code edit visible after    {seconds:6.1f} s (the page runs again)")
    finally:
        page.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
