"""Fixtures for the browser tests: the built site, a local server, headless Chromium.

Which site is tested, in this order:

1. ``$SITE_DIR`` when set: that folder, as it is (no build).
2. ``./site`` when it is newer than every input of the build (``mkdocs.yml``,
   ``docs/``, ``overrides/``, ``snippets/``, ``src/``): what ``make test``'s
   ``mkdocs build --strict`` wrote just before. It is copied to a temporary
   folder first, so a build started meanwhile cannot change it mid-run.
3. Otherwise a fresh ``mkdocs build --strict`` into a temporary folder, once
   per session.

Every page is visited once per session (``visits``); each test then checks one
thing over all of them and names every page that fails.

Screenshots of every page at both widths are taken on demand only:
``SCREENSHOTS=1`` (``make screenshots``, and the GitHub workflow, which uploads
them as an artefact). They cost about as much as every check together.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import siteaudit  # noqa: E402

ROOT = siteaudit.ROOT
SCREENSHOTS = siteaudit.SCREENSHOTS
WEIGHT_JSON = siteaudit.WEIGHT_JSON
BUILD_INPUTS = ("mkdocs.yml", "docs", "overrides", "snippets", "src", "engine/src", "includes")

_report: dict[str, object] = {}


def _newest_input() -> float:
    newest = 0.0
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for child in path.rglob("*"):
                # Building the wheel (tests/test_distribution.py) rewrites src/*.egg-info.
                skip = any(
                    part == "__pycache__" or part.endswith(".egg-info") for part in child.parts
                )
                if child.is_file() and not skip:
                    newest = max(newest, child.stat().st_mtime)
    return newest


def _fresh_site() -> Path | None:
    sitemap = ROOT / "site" / "sitemap.xml"
    if sitemap.is_file() and sitemap.stat().st_mtime >= _newest_input():
        return ROOT / "site"
    return None


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """The built site under test (see the module docstring for which one)."""
    if os.environ.get("SITE_DIR"):
        site = Path(os.environ["SITE_DIR"]).resolve()
        _report["site"] = f"{site} ($SITE_DIR)"
        return site
    target = tmp_path_factory.mktemp("browser") / "site"
    fresh = _fresh_site()
    began = time.perf_counter()
    if fresh is not None:
        shutil.copytree(fresh, target)
        _report["site"] = (
            f"./site, newer than its inputs (copied in {time.perf_counter() - began:.1f} s)"
        )
        return target
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(target)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    _report["site"] = f"built with mkdocs build --strict in {time.perf_counter() - began:.1f} s"
    return target


@pytest.fixture(scope="session")
def pages(site_dir) -> list[str]:
    """Every page of the site, as paths relative to its root (``""`` is the home page)."""
    return siteaudit.discover_pages(site_dir)


@pytest.fixture(scope="session")
def server(site_dir):
    """The site served over HTTP on 127.0.0.1 and a free port."""
    with siteaudit.SiteServer(site_dir) as running:
        yield running


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright (never a downloaded browser)."""
    with siteaudit.chromium_for_tests() as launched:
        yield launched


@pytest.fixture(scope="session")
def visits(server, pages) -> dict[str, siteaudit.Visit]:
    """One visit to every page: phone then desktop width, axe in both schemes, bytes.

    Pages are visited several at a time (``$BROWSER_WORKERS``, default: the CPU
    count up to 4), each worker with its own Chromium and one reused tab.
    Screenshots too when ``$SCREENSHOTS`` is 1.
    """
    shots = SCREENSHOTS if siteaudit.screenshots_wanted() else None
    if shots is not None and shots.exists():
        shutil.rmtree(shots)
    load = os.getloadavg()[0]
    cpu = _CpuMeter()
    began = time.perf_counter()
    records = siteaudit.visit_all(server, pages, axe=True, screenshots=shots)
    elapsed = time.perf_counter() - began
    _report["cpu"] = cpu.stop()
    _report["visits"] = list(records.values())
    _report["seconds"] = elapsed
    _report["load"] = (load, os.getloadavg()[0])
    _report["screenshots"] = shots is not None
    _report["workers"] = os.environ.get("BROWSER_WORKERS") or min(4, os.cpu_count() or 1)
    siteaudit.save_report(list(records.values()), WEIGHT_JSON)
    return records


class _CpuMeter:
    """CPU seconds used by this process and every process it starts (drivers, browsers).

    A thread reads ``/proc`` twice a second and keeps each process's latest
    total, so processes that end meanwhile still count (all but their last
    half second). The load average says how busy the machine was; this says
    what the suite itself costs, whatever else runs.
    """

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self.start = self._sample()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @staticmethod
    def _sample() -> dict[int, float]:
        tick = os.sysconf("SC_CLK_TCK")
        found: dict[int, float] = {}
        todo = [os.getpid()]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                found[pid] = (int(fields[11]) + int(fields[12])) / tick
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as children:
                        todo += [int(child) for child in children.read().split()]
            except (OSError, ValueError, IndexError):
                continue
        return found

    def _run(self) -> None:
        while not self.stopped.wait(0.5):
            self.seen.update(self._sample())

    def stop(self) -> float:
        """Stop measuring; return the CPU seconds used since the start."""
        self.stopped.set()
        self.thread.join()
        self.seen.update(self._sample())
        return sum(total - self.start.get(pid, 0.0) for pid, total in self.seen.items())


@pytest.fixture
def page(browser, server):
    """A fresh page (its own context) at desktop width, pointed at the local server."""
    context = browser.new_context(
        viewport=siteaudit.DESKTOP, base_url=server.base_url, service_workers="block"
    )
    opened = context.new_page()
    yield opened
    context.close()


def pytest_terminal_summary(terminalreporter):
    """Print the page-weight report (every run that visited the pages)."""
    records = _report.get("visits")
    if not records:
        return
    terminalreporter.section("page weight (first visit)")
    terminalreporter.write_line(f"site: {_report.get('site', '?')}")
    terminalreporter.write_line(siteaudit.weight_table(records))
    seconds = _report["seconds"]
    steps: dict[str, float] = {}
    for record in records:
        for step, took in record.timings.items():
            steps[step] = steps.get(step, 0.0) + took
    mean = ", ".join(f"{step} {took / len(records):.2f}" for step, took in steps.items())
    shots = (
        f"screenshots in {SCREENSHOTS.relative_to(ROOT)}/"
        if _report.get("screenshots")
        else "no screenshots (SCREENSHOTS=1 takes them)"
    )
    before, after = _report["load"]
    terminalreporter.write_line(
        f"visited {len(records)} pages in {seconds:.1f} s with {_report['workers']} browser(s):"
        f" {seconds / len(records):.2f} s of wall time per page (budget 1.5 s; load average"
        f" {before:.1f} before, {after:.1f} after, on {os.cpu_count()} CPUs);"
        f" {_report['cpu'] / len(records):.2f} CPU seconds per page (all its processes);"
        f" mean seconds per page and browser: {mean}; {shots}; weights in"
        f" {WEIGHT_JSON.relative_to(ROOT)}"
    )
