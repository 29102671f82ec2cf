"""Turning what a fence produced into something a page or notebook can show."""

from __future__ import annotations

import base64
import io
import sys
from typing import Any

from pagerun.model import Figure, Value

#: Resolution of figure images; 100 dpi keeps a 6x4 in figure near 40 KB.
FIGURE_DPI = 100


def new_figures() -> list[Figure]:
    """Save every open matplotlib figure as PNG, then close them all.

    Returns:
        One figure (base64 PNG and alt text) per open figure, in creation order.
    """
    if "matplotlib.pyplot" not in sys.modules:
        return []
    import matplotlib.pyplot as plt

    figures = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
        figures.append(
            Figure(base64.b64encode(buffer.getvalue()).decode("ascii"), alt_text(figure))
        )
    plt.close("all")
    return figures


def alt_text(figure: Any) -> str:
    """Describe a figure for screen readers: its label, else its titles and axis labels.

    Args:
        figure: A matplotlib figure.

    Returns:
        A short description, never empty.
    """
    label = figure.get_label()
    if label:
        return label
    parts = []
    if figure._suptitle is not None and figure._suptitle.get_text():
        parts.append(figure._suptitle.get_text())
    for axes in figure.get_axes():
        title = axes.get_title()
        axis_labels = " against ".join(t for t in (axes.get_ylabel(), axes.get_xlabel()) if t)
        described = ": ".join(t for t in (title, axis_labels) if t)
        if described:
            parts.append(described)
    return "; ".join(dict.fromkeys(parts)) or "Figure drawn by the code above"


def shown_value(value: Any) -> Value | None:
    """Represent a fence's last expression as a notebook would.

    Args:
        value: The value of the last expression.

    Returns:
        The value's ``repr`` (and HTML for pandas objects), or ``None`` when nothing is shown
        (``None`` itself, and matplotlib objects, which appear as figures).
    """
    if value is None or _is_matplotlib(value):
        return None
    html = getattr(value, "_repr_html_", None)
    rendered = None
    if callable(html) and type(value).__module__.startswith("pandas"):
        rendered = html() or None
    return Value(repr(value), rendered)


def _is_matplotlib(value: Any) -> bool:
    if isinstance(value, (list, tuple)) and value:
        return all(_is_matplotlib(item) for item in value)
    module = type(value).__module__ or ""
    return module.startswith(("matplotlib", "seaborn"))
