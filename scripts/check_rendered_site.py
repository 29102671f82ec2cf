"""Check that a site built from ``python -m pagerun render`` kept every output, figure and stamp.

Usage: ``python scripts/check_rendered_site.py RENDERED_DIR SITE_DIR``. For each
rendered page that carries outputs, the built HTML page must show the same
number of output blocks and figures, and the version stamp. A generator that
drops them silently (as an unsupported feature) fails here, by name.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _html_for(site: Path, src_uri: str) -> Path:
    path = Path(src_uri).with_suffix("")
    folder = path.parent if path.name == "index" else path
    return site / folder / "index.html"


def main(rendered: str, site: str) -> int:
    """Print one line per page that lost something; return 1 if any did."""
    docs = Path(rendered) / "docs"
    problems = []
    checked = 0
    for page in sorted(docs.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        if "pagerun-stamp" not in text:
            continue
        checked += 1
        src_uri = page.relative_to(docs).as_posix()
        built = _html_for(Path(site), src_uri)
        if not built.is_file():
            problems.append(f"{src_uri}: no built page at {built}")
            continue
        html = built.read_text(encoding="utf-8")
        want = {
            "outputs": text.count(".pagerun-output"),
            "figures": text.count('class="pagerun-figure"'),
            "stamp": 1,
        }
        got = {
            "outputs": html.count("pagerun-output"),
            "figures": html.count('class="pagerun-figure"'),
            "stamp": int("pagerun-stamp" in html),
        }
        lost = [f"{k}: {got[k]} of {want[k]}" for k in want if got[k] < want[k]]
        if lost:
            problems.append(f"{src_uri}: " + ", ".join(lost))
    print(f"{checked} pages with outputs checked in {site}")
    print("\n".join(problems) or "every output, figure and stamp is there")
    return 1 if problems or not checked else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
