"""Compare the outputs and figures of two built sites, page by page.

Usage: ``python benchmarks/compare_builds.py SITE_A SITE_B``. For every page
under ``chapters/`` it lists the output blocks, HTML values and figures the
engine inserted, and prints which differ. Used to show that a refactor of the
engine leaves the built site unchanged. Lines that differ between any two runs
(timings, temporary paths, W&B run ids) are reported apart, not hidden.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

OUTPUT = re.compile(r'<div class="[^"]*pagerun-output[^"]*">.*?<code>(.*?)</code></pre>', re.S)
FIGURE = re.compile(r'<img class="pagerun-figure" alt="([^"]*)" src="data:image/png;base64,([^"]+)')
VALUE = re.compile(r'<div class="pagerun-html">(.*?)</div>', re.S)
TAG = re.compile(r"<[^>]+>")
VOLATILE = re.compile(
    r"\d+(\.\d+)? ?(s|ms)\b|\d{8}_\d{6}|/tmp/\S+|run-\w+|pagerun-\w+|\b[0-9a-z]{8}\b"
)


def _stable(text: str) -> str:
    return VOLATILE.sub("", text)


def blocks(page: Path) -> dict[str, list[str]]:
    """The engine's insertions on a built page."""
    text = page.read_text(encoding="utf-8")
    outputs = [html.unescape(TAG.sub("", block)) for block in OUTPUT.findall(text)]
    return {
        "outputs": outputs,
        "figures": [f"{alt}|{png}" for alt, png in FIGURE.findall(text)],
        "values": VALUE.findall(text),
    }


def main(first: str, second: str) -> int:
    """Print a line per page: the same, or what differs."""
    a_root, b_root = Path(first), Path(second)
    status = 0
    for page in sorted((a_root / "chapters").glob("*/index.html")):
        other = b_root / page.relative_to(a_root)
        if not other.exists():
            print(f"{page.parent.name}: missing in {second}")
            status = 1
            continue
        a, b = blocks(page), blocks(other)
        report = []
        for kind in ("outputs", "figures", "values"):
            if len(a[kind]) != len(b[kind]):
                report.append(f"{kind}: {len(a[kind])} vs {len(b[kind])}")
                continue
            pairs = list(zip(a[kind], b[kind], strict=True))
            differ = [i for i, (x, y) in enumerate(pairs) if x != y]
            real = [i for i in differ if _stable(pairs[i][0]) != _stable(pairs[i][1])]
            if real:
                report.append(f"{kind}: {len(real)} of {len(a[kind])} differ")
            elif differ:
                report.append(f"{kind}: {len(differ)} differ only in timings/paths/ids")
        counts = ", ".join(f"{len(a[k])} {k}" for k in a)
        print(f"{page.parent.name}: {'; '.join(report) or 'identical'} ({counts})")
        real_change = any(" vs " in r or ("differ" in r and "only" not in r) for r in report)
        status = status or int(real_change)
    return status


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
