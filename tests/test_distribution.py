"""The learner's install: `practical-dl` ships only the helper package, never the docs engine.

A learner (or the notebooks' Colab cell) installs `practical-dl`; that must not
register the engine's pytest plugin, whose imports (pytest-codeblocks, MkDocs)
are contributors' tools. The test builds the wheel, installs it into a fresh
virtual environment beside pytest, and runs an unrelated test there. It needs
the package index (for pytest and the build backend), as `make setup` does.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout + done.stderr


def test_practical_dl_wheel_installs_alone_and_leaves_pytest_alone(tmp_path):
    pip = [sys.executable, "-m", "pip"]
    _run(*pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", tmp_path / "dist", ROOT)
    (wheel,) = (tmp_path / "dist").glob("practical_dl-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith("pagerun/")], "the engine leaked into the wheel"
    entry_points = [n for n in names if n.endswith("entry_points.txt")]
    for name in entry_points:
        assert "pytest11" not in zipfile.ZipFile(wheel).read(name).decode()

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(*pip, "--python", python, "install", "--quiet", "pytest")
    # --no-deps: torch and friends are not what this test is about, and are gigabytes.
    _run(*pip, "--python", python, "install", "--quiet", "--no-deps", wheel)
    assert "practical-dl" in _run(*pip, "--python", python, "list")

    project = tmp_path / "unrelated"
    project.mkdir()
    (project / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    out = _run(
        python, "-m", "pytest", "-q", "--trace-config", "-p", "no:cacheprovider", cwd=project
    )
    assert "1 passed" in out
    assert "pagerun" not in out and "pytest_codeblocks" not in out
