"""``python -m pagerun bench``: what the engine costs, in figures.

Prints, per page: fences executed, the engine's seconds, and the harness
overhead against running the same code as one plain Python script in the same
warm process (imports already paid by a first, discarded run, so both sides do
the same work, figures rendered to PNG included, apart from what the engine
adds: expansion, per-fence capture and display, isolation). Then site build
times: cold (every page executed), with the records the tests leave, and with
no code run at all (the hook removed). Nothing here
asserts a time: it reports.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pagerun.capture import new_figures
from pagerun.config import find_root
from pagerun.isolation import PageEnvironment
from pagerun.page import Page, load_page
from pagerun.session import PageSession


def benchmark(pages: list[str], build: bool = True) -> int:
    """Measure the given pages (default: every chapter) and the site build.

    Args:
        pages: Page paths; empty means every page under ``docs/chapters``.
        build: Also time ``mkdocs build`` three ways.

    Returns:
        0, or 1 when a page failed.
    """
    root = find_root(Path.cwd())
    paths = [Path(p).resolve() for p in pages] or sorted((root / "docs" / "chapters").glob("*.md"))
    print(f"{'page':<44} {'fences':>6} {'engine s':>9} {'plain s':>8} {'overhead':>9}")
    total_engine = total_plain = 0.0
    total_fences = 0
    status = 0
    for path in paths:
        page = load_page(path, root)
        if not page.runnable:
            continue
        try:
            _plain_seconds(page)  # warm-up: pays the page's imports and first-use costs
            plain = _plain_seconds(page)
        except Exception as error:  # noqa: BLE001 - a page that only works once is reported
            print(f"{page.name}: cannot run twice as one plain script ({error!r}); skipped")
            continue
        began = time.perf_counter()
        with PageSession(load_page(path, root)) as session:
            run = session.run_all()
        engine = time.perf_counter() - began
        if not run.ok:
            print(f"{page.name}: failed\n{run.first_error.error}")
            status = 1
            continue
        fences = sum(cell.status == "ok" for cell in run.cells)
        total_engine += engine
        total_plain += plain
        total_fences += fences
        print(
            f"{page.name:<44} {fences:>6} {engine:>9.2f} {plain:>8.2f} "
            f"{(engine - plain) / plain:>8.1%}"
        )
    if total_plain:
        print(
            f"{'total':<44} {total_fences:>6} {total_engine:>9.2f} {total_plain:>8.2f} "
            f"{(total_engine - total_plain) / total_plain:>8.1%}"
        )
    if build:
        _build_timings(root)
    return status


def _plain_seconds(page: Page) -> float:
    """Run the page's fences as one script and time it.

    Like a script that shows its figures, it saves each one as a PNG (the same
    rendering the page needs), so the difference is the harness alone.
    """
    # Without the fences a plain script would not run: skipped or raising ones, and the
    # exercises' starters and checks (a check fails on its starter on purpose).
    code = "\n".join(
        fence.code
        for fence in page.fences
        if not fence.marks and fence.part not in {"starter", "check"}
    )
    compiled = compile(code, f"{page.name} as a script", "exec")
    with PageEnvironment(), contextlib.redirect_stdout(io.StringIO()):
        with contextlib.redirect_stderr(io.StringIO()):
            began = time.perf_counter()
            exec(compiled, {"__name__": "__main__"})  # noqa: S102 - the benchmark's baseline
            new_figures()
            return time.perf_counter() - began


def _timed(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess]:
    began = time.perf_counter()
    out = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - began, out


def _build_timings(root: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    records = root / ".cache" / "pagerun"
    saved = root / ".cache" / "pagerun-bench-saved"
    if records.exists():
        shutil.rmtree(saved, ignore_errors=True)
        shutil.copytree(records, saved)
        shutil.rmtree(records)
    with tempfile.TemporaryDirectory(prefix="pagerun-site-") as site:
        mkdocs = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", site]
        cold, out = _timed(mkdocs, root, env)
        warm, _ = _timed(mkdocs, root, env)
        # The plugin's own switch (mkdocs.yml: enabled: !ENV [PAGERUN_ENABLED, true]).
        no_code, _ = _timed(mkdocs, root, {**env, "PAGERUN_ENABLED": "false"})
    if saved.exists() and not records.exists():
        shutil.copytree(saved, records)
    shutil.rmtree(saved, ignore_errors=True)
    if out.returncode != 0:
        print(f"mkdocs build failed:\n{out.stderr[-2000:]}")
    print(f"build, cold (every page executed): {cold:7.2f} s")
    print(f"build, with recorded outputs:      {warm:7.2f} s")
    print(f"build, no code run (plugin off):  {no_code:7.2f} s")
    print(f"recorded outputs cost over no code: {warm - no_code:+.2f} s")
