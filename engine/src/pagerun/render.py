"""Writing a page's real outputs into its Markdown, under each fence."""

from __future__ import annotations

import html
import re

from pagerun.model import CellResult, FenceKind, PageRun, Status
from pagerun.page import Page
from pagerun.walk import ItemKind, walk

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def render_markdown(
    page: Page, run: PageRun, header: str = "", footer: str = "", front_matter: bool = False
) -> str:
    """Return the expanded page with each fence's output, value and figures under it.

    Args:
        page: The loaded page (expanded lines and fences).
        run: Its run; every fence must have succeeded or been skipped.
        header: Markdown put after the page's first H1 (e.g. notebook buttons).
        footer: Markdown put at the end of the page (e.g. the version stamp).
        front_matter: Keep the page's front matter (for a file another site
            generator reads; MkDocs has already read it from the source).

    Returns:
        Markdown with no snippet includes left.
    """
    lines: list[str] = []
    header_done = not header
    for item in walk(page, run):
        if item.kind in _HIDDEN and not (front_matter and item.kind == ItemKind.FRONT_MATTER):
            continue
        text = [str(line) for line in item.lines(page)]
        if item.kind == ItemKind.CODE:
            pad = " " * item.fence.indent
            if item.cell.status == Status.SKIPPED:
                lines.extend(_indent(_skip_note(item.cell), pad))
                lines.extend(text)
            elif item.fence.guard:
                # Asserts that keep the prose honest: run, and folded away from the lesson.
                lines.extend([f'{pad}??? success "Checked when this page was built"', ""])
                lines.extend(_indent(text, "    "))
                lines.extend(_indent(_outputs(item.cell), pad + "    "))
            else:
                lines.extend(text)
                title = _OUTPUT_TITLES.get(item.fence.kind, "Output")
                wrap = item.fence.kind in _MESSAGES
                lines.extend(_indent(_outputs(item.cell, title, wrap), pad))
            continue
        lines.extend(text)
        if not header_done and item.kind == ItemKind.HEADING and text[0].startswith("# "):
            lines.extend(["", header, ""])
            header_done = True
    if footer:
        lines.extend(["", footer, ""])
    return "\n".join(lines)


#: What the site never shows: MkDocs has read the front matter; marks are for the engine;
#: a checked expected-output block gives way to the real output.
_HIDDEN = {ItemKind.FRONT_MATTER, ItemKind.MARKER, ItemKind.EXPECTED_OUTPUT}


def _indent(block: list[str], pad: str) -> list[str]:
    return [pad + line if line else "" for line in block]


#: Output blocks are titled by what the fence is for.
_OUTPUT_TITLES = {
    FenceKind.EXPECTED_ERROR: "The real error",
    FenceKind.EXERCISE_CHECK: "Output with the starter as given",
    FenceKind.EXERCISE_SOLUTION: "Output, then the check on this solution",
}


#: Outputs that are messages for the reader (an error, a check's verdict and hint), not
#: tables or arrays: their long lines wrap instead of scrolling sideways.
_MESSAGES = {FenceKind.EXPECTED_ERROR, FenceKind.EXERCISE_CHECK}


def _outputs(cell: CellResult, title: str = "Output", wrap: bool = False) -> list[str]:
    block: list[str] = []
    text = _ANSI.sub("", cell.output)
    if cell.value is not None and cell.value.html is None:
        text += cell.value.text + "\n"
    if text.strip():
        ticks = "`" * max(3, _longest_backtick_run(text) + 1)
        classes = ".text .pagerun-output" + (" .pagerun-message" if wrap else "")
        block += ["", f'{ticks} {{ {classes} title="{title}" }}']
        block += text.rstrip("\n").split("\n")
        block += [ticks]
    if cell.value is not None and cell.value.html is not None:
        flat = " ".join(cell.value.html.split())
        block += ["", f'<div class="pagerun-html" markdown="0">{flat}</div>']
    for figure in cell.figures:
        # An inline <img> (wrapped in <p> by Markdown) is valid HTML at any depth;
        # a block element such as <figure> inside an admonition would not be.
        alt = html.escape(figure.alt, quote=True)
        block += [
            "",
            f'<img class="pagerun-figure" alt="{alt}" src="data:image/png;base64,{figure.png}">',
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
    fences = sum(cell.status == Status.OK for cell in run.cells)
    return (
        '<p class="pagerun-stamp">Outputs on this page come from running its code on '
        f"{day} with {html.escape(', '.join(parts))}: {fences} code blocks in "
        f"{run.seconds:.1f} s on a CPU.</p>"
    )
