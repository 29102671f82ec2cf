"""Pictures of tensors: the bits of each float format, broadcasting, and memory layout.

Every picture is drawn from a real object (``torch.finfo`` for the float
formats, ``torch.broadcast_tensors`` for broadcasting, a tensor's storage and
strides for its memory layout), so it cannot disagree with what PyTorch does.

Introduced in chapter 2, "Tensors".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from practical_dl import _checks as check

__all__ = [
    "FloatLayout",
    "float_layout",
    "plot_broadcast",
    "plot_float_formats",
    "plot_memory_layout",
    "storage_offsets",
]

_SIGN, _EXPONENT, _FRACTION = "#bdbdbd", "#56B4E9", "#E69F00"
_MAX_SIDE = 8  # cells per dimension that still read as a picture
_MAX_STORAGE = 32  # storage cells drawn in one strip
_OPS = {"+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div}


@dataclass(frozen=True)
class FloatLayout:
    """How a floating-point format spends its bits.

    Introduced in chapter 2, "Tensors".

    Attributes:
        name: The dtype's name without ``torch.``, such as ``"bfloat16"``.
        bits: Bits per element (8 times ``element_size()``).
        sign: Bits for the sign, always 1.
        exponent: Bits for the exponent, which set the range (the largest value).
        fraction: Bits stored for the fraction (mantissa), which set the precision.
    """

    name: str
    bits: int
    sign: int
    exponent: int
    fraction: int


def float_layout(dtype: torch.dtype) -> FloatLayout:
    """Read how many bits a float dtype gives to its sign, exponent and fraction.

    The counts come from ``torch.finfo``: the fraction has ``-log2(eps)`` bits
    (epsilon is the gap between 1 and the next number, one unit in the last
    fraction bit), and the exponent has what is left after the sign.

    Introduced in chapter 2, "Tensors".

    Args:
        dtype: A floating-point dtype, such as ``torch.float16``.

    Returns:
        The layout, for example ``FloatLayout("float16", 16, 1, 5, 10)``.

    Raises:
        TypeError: If ``dtype`` is not a floating-point ``torch.dtype``.
    """
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise check.bad("dtype", "be a floating-point torch.dtype", dtype, error=TypeError)
    info = torch.finfo(dtype)
    fraction = round(-math.log2(info.eps))
    return FloatLayout(
        name=str(dtype).removeprefix("torch."),
        bits=info.bits,
        sign=1,
        exponent=info.bits - 1 - fraction,
        fraction=fraction,
    )


def plot_float_formats(
    dtypes: Sequence[torch.dtype] = (torch.float32, torch.float16, torch.bfloat16),
    ax: Axes | None = None,
) -> Axes:
    """Draw one row of bits per float format: sign, exponent (range) and fraction (precision).

    Introduced in chapter 2, "Tensors".

    Args:
        dtypes: Floating-point dtypes, drawn top to bottom.
        ax: Axes to draw on; a new figure is made when ``None``.

    Returns:
        The axes drawn on.

    Raises:
        ValueError: If ``dtypes`` is empty.
        TypeError: If an entry is not a floating-point ``torch.dtype``.
    """
    if len(dtypes) == 0:
        raise check.bad("dtypes", "hold at least one floating-point dtype", got="nothing")
    layouts = [float_layout(dtype) for dtype in dtypes]
    widest = max(layout.bits for layout in layouts)
    if ax is None:
        _, ax = plt.subplots(
            figsize=(max(6.0, widest * 0.16), 0.8 + 0.7 * len(layouts)),
            label="Bits of each float format: "
            + ", ".join(
                f"{lay.name} {lay.exponent} exponent and {lay.fraction} fraction bits"
                for lay in layouts
            ),
        )
    for row, layout in enumerate(layouts):
        y = len(layouts) - 1 - row
        start = 0
        for width, colour in [
            (layout.sign, _SIGN),
            (layout.exponent, _EXPONENT),
            (layout.fraction, _FRACTION),
        ]:
            for bit in range(start, start + width):
                ax.add_patch(Rectangle((bit, y), 1, 0.8, facecolor=colour, edgecolor="white"))
            ax.text(
                start + width / 2, y + 0.4, str(width), ha="center", va="center", fontsize="small"
            )
            start += width
        ax.text(
            -0.5,
            y + 0.4,
            f"{layout.name}\n{layout.bits // 8} bytes",
            ha="right",
            va="center",
            fontsize="small",
        )
    ax.set_xlim(-0.5, widest + 0.5)
    ax.set_ylim(-0.2, len(layouts))
    ax.set_yticks([])
    ax.set_xlabel("bit")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.legend(
        handles=[
            Rectangle((0, 0), 1, 1, facecolor=_SIGN, label="sign"),
            Rectangle((0, 0), 1, 1, facecolor=_EXPONENT, label="exponent: range"),
            Rectangle((0, 0), 1, 1, facecolor=_FRACTION, label="fraction: precision"),
        ],
        loc="lower right",
        fontsize="small",
        frameon=False,
    )
    ax.set_title("Bits per element: sign, exponent and fraction")
    return ax


def _as_grid(t: torch.Tensor) -> torch.Tensor:
    """A 0-, 1- or 2-D tensor as 2-D, for drawing: a 1-D tensor is one row."""
    return t.reshape(1, -1) if t.dim() < 2 else t


def _shape_text(shape: Sequence[int]) -> str:
    inner = ", ".join(str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _value_text(value: float) -> str:
    return f"{value:.3g}"


def _draw_cells(
    ax: Axes,
    values: torch.Tensor,
    copied: torch.Tensor | None = None,
    colours: Sequence[Sequence[str]] | None = None,
    top: float = 0.0,
    left: float = 0.0,
) -> None:
    """Draw a 2-D tensor as a grid of labelled cells, row 0 at the top."""
    rows, cols = values.shape
    for i in range(rows):
        for j in range(cols):
            is_copy = bool(copied[i, j]) if copied is not None else False
            face = colours[i][j] if colours is not None else ("#f7f7f7" if is_copy else "#cfe8ff")
            ax.add_patch(
                Rectangle(
                    (left + j, top - i - 1),
                    1,
                    1,
                    facecolor=face,
                    edgecolor="0.55" if is_copy else "0.2",
                    linestyle="--" if is_copy else "-",
                )
            )
            ax.text(
                left + j + 0.5,
                top - i - 0.5,
                _value_text(float(values[i, j])),
                ha="center",
                va="center",
                fontsize="small",
                color="0.55" if is_copy else _text_colour(face),
            )


def _finish(ax: Axes, width: float, height: float, title: str) -> None:
    ax.set_xlim(-0.1, width + 0.1)
    ax.set_ylim(-height - 0.1, 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize="small")


def plot_broadcast(
    a: torch.Tensor,
    b: torch.Tensor,
    op: str = "+",
    names: tuple[str, str] = ("a", "b"),
) -> Figure:
    """Draw two tensors, their broadcast versions and the result of ``a op b``.

    The broadcast versions come from ``torch.broadcast_tensors``: cells that
    broadcasting repeats (along a dimension of stride 0, so nothing is copied
    in memory) are drawn pale with dashed edges.

    Introduced in chapter 2, "Tensors".

    Args:
        a: The left operand, with at most 2 dimensions.
        b: The right operand, with at most 2 dimensions.
        op: One of ``"+"``, ``"-"``, ``"*"``, ``"/"``.
        names: What to call ``a`` and ``b`` in the titles.

    Returns:
        The figure, labelled for alt text with the shapes involved.

    Raises:
        TypeError: If ``a`` or ``b`` is not a tensor.
        ValueError: If ``op`` is unknown, a tensor has more than 2 dimensions,
            the shapes cannot be broadcast together, or the result has more
            than 8 cells along a side.
    """
    check.is_tensor("a", a)
    check.is_tensor("b", b)
    check.one_of("op", op, list(_OPS))
    for name, t in (("a", a), ("b", b)):
        if t.dim() > 2:
            raise check.bad(name, "have at most 2 dimensions", got=f"shape {_shape_text(t.shape)}")
    try:
        big_a, big_b = torch.broadcast_tensors(a, b)
    except RuntimeError:
        raise check.bad(
            "a and b",
            "have shapes that broadcast together",
            got=f"shapes {_shape_text(a.shape)} and {_shape_text(b.shape)}",
        ) from None
    if any(side > _MAX_SIDE for side in big_a.shape):
        raise check.bad(
            "a and b",
            f"broadcast to at most {_MAX_SIDE} cells per side",
            got=f"shape {_shape_text(big_a.shape)}",
        )
    result = _OPS[op](big_a, big_b)
    name_a, name_b = names
    panels = [
        (_as_grid(a), None, f"{name_a}\n{_shape_text(a.shape)}"),
        (_as_grid(b), None, f"{name_b}\n{_shape_text(b.shape)}"),
    ]
    for name, big in ((name_a, big_a), (name_b, big_b)):
        grid = _as_grid(big)
        strides = _as_grid(big).stride()
        rows, cols = grid.shape
        i = torch.arange(rows).unsqueeze(1).expand(rows, cols)
        j = torch.arange(cols).unsqueeze(0).expand(rows, cols)
        copied = ((strides[0] == 0) & (i > 0)) | ((strides[1] == 0) & (j > 0))
        panels.append(
            (grid, copied, f"{name} broadcast to {_shape_text(big.shape)}\nstride {big.stride()}")
        )
    panels.append((_as_grid(result), None, f"{name_a} {op} {name_b}\n{_shape_text(result.shape)}"))
    widths = [grid.shape[1] for grid, _, _ in panels]
    height = max(grid.shape[0] for grid, _, _ in panels)
    fig, axes = plt.subplots(
        1,
        len(panels),
        figsize=(1.2 + 0.62 * sum(widths) + 0.3 * len(panels), 1.2 + 0.55 * height),
        gridspec_kw={"width_ratios": widths},
        label=(
            f"Broadcasting {name_a} {_shape_text(a.shape)} {op} {name_b} {_shape_text(b.shape)}"
            f" to {_shape_text(result.shape)}; repeated cells drawn pale"
        ),
    )
    for ax, (grid, copied, title) in zip(axes, panels, strict=True):
        _draw_cells(ax, grid.detach().cpu(), copied)
        _finish(ax, grid.shape[1], height, title)
    return fig


def storage_offsets(t: torch.Tensor) -> torch.Tensor:
    """Return, for every element of ``t``, its position in the underlying storage.

    Element ``(i, j)`` of a 2-D tensor sits at
    ``storage_offset() + i * stride(0) + j * stride(1)``: that is all a view
    changes, which is why it never copies.

    Introduced in chapter 2, "Tensors".

    Args:
        t: A tensor.

    Returns:
        An ``int64`` tensor shaped like ``t``.

    Raises:
        TypeError: If ``t`` is not a tensor.
    """
    check.is_tensor("t", t)
    offsets = torch.full(t.shape, t.storage_offset(), dtype=torch.int64)
    for dim, (size, stride) in enumerate(zip(t.shape, t.stride(), strict=True)):
        shape = [1] * t.dim()
        shape[dim] = size
        offsets = offsets + (torch.arange(size) * stride).view(shape)
    return offsets


def plot_memory_layout(tensors: Mapping[str, torch.Tensor]) -> Figure:
    """Draw each tensor's storage as a strip of memory cells, and the tensor as a grid on it.

    Each cell of the grid has the colour of the memory cell it reads, so a
    contiguous tensor is coloured in memory order row by row, while a transpose
    (a view with swapped strides) jumps through memory. The title gives the
    shape, the strides and ``is_contiguous()``; the line under the grid lists the
    memory positions that reading the tensor row by row visits.

    Introduced in chapter 2, "Tensors".

    Args:
        tensors: Names (used as titles) and tensors, each with 1 or 2
            dimensions, at most 8 elements per side and a storage of at most 32
            elements.

    Returns:
        The figure, labelled for alt text with each tensor's shape and strides.

    Raises:
        ValueError: If ``tensors`` is empty, or a tensor is too large or has
            the wrong number of dimensions.
        TypeError: If a value is not a tensor.
    """
    if len(tensors) == 0:
        raise check.bad("tensors", "hold at least one named tensor", got="nothing")
    prepared = []
    for name, t in tensors.items():
        check.is_tensor(f"tensors[{name!r}]", t)
        if t.dim() not in (1, 2) or max(t.shape) > _MAX_SIDE or t.numel() == 0:
            raise check.bad(
                f"tensors[{name!r}]",
                f"have 1 or 2 dimensions of 1 to {_MAX_SIDE} elements",
                got=f"shape {_shape_text(t.shape)}",
            )
        n_storage = t.untyped_storage().nbytes() // t.element_size()
        if n_storage > _MAX_STORAGE:
            raise check.bad(
                f"tensors[{name!r}]",
                f"live in a storage of at most {_MAX_STORAGE} elements",
                got=f"{n_storage}",
            )
        t = t.detach().cpu()
        memory = torch.as_strided(t, (n_storage,), (1,), 0)  # the whole storage, in order
        prepared.append((name, t, memory, storage_offsets(t)))
    cmap = plt.get_cmap("viridis")
    width = max(max(len(memory), _as_grid(t).shape[1]) for _, t, memory, _ in prepared)
    fig, axes = plt.subplots(
        len(prepared),
        1,
        figsize=(
            max(5.0, 0.5 * width),
            sum(3.2 + 0.5 * _as_grid(t).shape[0] for _, t, _, _ in prepared) / 1.6,
        ),
        squeeze=False,
        label="Memory layout: "
        + "; ".join(
            f"{name} shape {_shape_text(t.shape)} stride {t.stride()}" for name, t, _, _ in prepared
        ),
    )
    for ax, (name, t, memory, offsets) in zip(axes[:, 0], prepared, strict=True):
        n = len(memory)
        colour_of = [cmap(0.15 + 0.8 * k / max(n - 1, 1)) for k in range(n)]
        hexes = [[_hex(c) for c in colour_of]]
        _draw_cells(ax, memory.view(1, -1), colours=hexes, top=0.0)
        for k in range(n):
            ax.text(
                k + 0.5, -1.3, str(k), ha="center", va="center", fontsize="x-small", color="0.4"
            )
        ax.text(-0.2, -0.5, "memory", ha="right", va="center", fontsize="small")
        grid = _as_grid(t)
        grid_offsets = _as_grid(offsets)
        rows, cols = grid.shape
        left = (width - cols) / 2
        colours = [[hexes[0][int(grid_offsets[i, j])] for j in range(cols)] for i in range(rows)]
        _draw_cells(ax, grid, colours=colours, top=-2.0, left=left)
        ax.text(left - 0.2, -2.0 - rows / 2, name, ha="right", va="center", fontsize="small")
        visits = ", ".join(str(int(v)) for v in offsets.flatten())
        ax.text(
            width / 2,
            -2.6 - rows,
            f"row by row, {name} reads memory cells {visits}",
            ha="center",
            va="center",
            fontsize="x-small",
        )
        contiguous = "contiguous" if t.is_contiguous() else "not contiguous"
        _finish(
            ax,
            width,
            3.0 + rows,
            f"{name}: shape {_shape_text(t.shape)}, stride {t.stride()}, {contiguous}",
        )
        ax.set_xlim(-2.5, width + 0.1)
    fig.tight_layout()
    return fig


def _text_colour(face: str) -> str:
    """Black on light cells, white on dark ones."""
    r, g, b = (
        (int(face[k : k + 2], 16) / 255 for k in (1, 3, 5)) if face.startswith("#") else (1, 1, 1)
    )
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _hex(rgba: tuple[float, float, float, float]) -> str:
    r, g, b, _ = rgba
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
