"""CHANGELOG.md cannot fall behind: every feat, fix and perf commit is listed in it.

The file is generated from the conventional commits by git-changelog
(``make changelog``). A commit cannot list its own hash, so the newest commit
is exempt: regenerate and commit the changelog before pushing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LISTED = re.compile(r"^(feat|fix|perf)(\([^)]*\))?!?:")


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(),
    reason="needs the project's git history (a clone, not an unpacked archive)",
)
def test_every_feat_fix_and_perf_commit_is_in_the_changelog():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    missing = []
    for line in _git("log", "--format=%H %s", "HEAD~1").splitlines():
        sha, _, subject = line.partition(" ")
        if LISTED.match(subject) and f"`{sha[:7]}`" not in changelog:
            missing.append(f"{sha[:7]} {subject}")
    assert not missing, (
        "CHANGELOG.md lacks these commits; run `make changelog` and commit it:\n"
        + "\n".join(missing)
    )
