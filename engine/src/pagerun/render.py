"""Writing a page's real outputs into its Markdown, under each fence."""

from __future__ import annotations

import html
import re

from pagerun.page import Page
from pagerun.session import CellResult, PageRun

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def render_markdown(page: Page, run: PageRun, header: str = "", footer: str = "") -> str:
    """Return the expanded page with each fence's output, value and figures under it.

    Args:
        page: The loaded page (expanded lines and fences).
        run: Its run; every fence must have succeeded or been skipped.
        header: Markdown put after the page's first H1 (e.g. notebook buttons).
        footer: Markdown put at the end of the page (e.g. the version stamp).

    Returns:
        Markdown for MkDocs, with no snippet includes left.
    """
    after: dict[int, list[str]] = {}
    before: dict[int, list[str]] = {}
    hidden: set[int] = set()
    for fence, cell in zip(page.fences, run.cells, strict=True):
        pad = " " * fence.indent
        if cell.status == "skipped":
            before.setdefault(fence.start, []).extend(_indent(_skip_note(cell), pad))
        else:
            after.setdefault(fence.end, []).extend(_indent(_outputs(cell), pad))
        if fence.expected_fence is not None:
            # The expected-output block was checked; the real output is shown instead.
            start, end, _, _ = page.all_fences[fence.expected_fence]
            hidden.update(range(start, end + 1))
    lines: list[str] = []
    header_done = not header
    in_front_matter = bool(page.lines) and page.lines[0].strip() == "---"
    for number, line in enumerate(page.lines):
        if in_front_matter:
            # MkDocs has already read the front matter into page.meta.
            in_front_matter = number == 0 or line.strip() != "---"
            continue
        if not header_done and not in_front_matter and line.startswith("# "):
            lines.extend([line, "", header, ""])
            header_done = True
            continue
        if number in hidden or _is_expected_marker(line):
            continue
        lines.extend(before.get(number, []))
        lines.append(str(line))
        lines.extend(after.get(number, []))
    if footer:
        lines.extend(["", footer, ""])
    return "\n".join(lines)


def _is_expected_marker(line: str) -> bool:
    return line.strip().startswith("<!--") and "expected-output" in line


def _indent(block: list[str], pad: str) -> list[str]:
    return [pad + line if line else "" for line in block]


def _outputs(cell: CellResult) -> list[str]:
    block: list[str] = []
    text = _ANSI.sub("", cell.output)
    if cell.value is not None and "html" not in cell.value:
        text += cell.value["text"] + "\n"
    if text.strip():
        ticks = "`" * max(3, _longest_backtick_run(text) + 1)
        block += ["", f'{ticks} {{ .text .pagerun-output title="Output" }}']
        block += text.rstrip("\n").split("\n")
        block += [ticks]
    if cell.value is not None and "html" in cell.value:
        flat = " ".join(cell.value["html"].split())
        block += ["", f'<div class="pagerun-html" markdown="0">{flat}</div>']
    for figure in cell.figures:
        # An inline <img> (wrapped in <p> by Markdown) is valid HTML at any depth;
        # a block element such as <figure> inside an admonition would not be.
        alt = html.escape(figure["alt"], quote=True)
        block += [
            "",
            f'<img class="pagerun-figure" alt="{alt}" src="data:image/png;base64,{figure["png"]}">',
        ]
    return [*block, ""] if block else []


def _skip_note(cell: CellResult) -> list[str]:
    reason = cell.reason.replace("\n", " ")
    return ['!!! warning "Not run when this page was built"', f"    {reason}", ""]


def _longest_backtick_run(text: str) -> int:
    runs = re.findall(r"`+", text)
    return max((len(run) for run in runs), default=0)


def version_stamp(run: PageRun) -> str:
    """Say which versions and date a page's outputs came from.

    Args:
        run: The run that produced the outputs.

    Returns:
        An HTML paragraph for the end of the page.
    """
    names = {"python": "Python", "torch": "PyTorch", "lightning": "Lightning", "wandb": "W&B"}
    parts = [f"{label} {run.versions[key]}" for key, label in names.items() if key in run.versions]
    day = run.date.split("T")[0]
    fences = sum(cell.status == "ok" for cell in run.cells)
    return (
        '<p class="pagerun-stamp">Outputs on this page come from running its code on '
        f"{day} with {html.escape(', '.join(parts))}: {fences} code blocks in "
        f"{run.seconds:.1f} s on a CPU.</p>"
    )
