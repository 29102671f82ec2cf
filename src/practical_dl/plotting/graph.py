"""Drawing the computation graph that autograd recorded for a tensor.

The drawing is made by walking ``grad_fn.next_functions`` from a real tensor,
the same links ``.backward()`` follows, so it cannot disagree with the code.

Introduced in chapter 3, "Autograd".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch

from practical_dl import _checks as check

__all__ = ["GraphNode", "graph_nodes", "plot_graph"]

_COLOURS = {"leaf": "#cfe8ff", "op": "#f2f2f2", "output": "#d9f2d0"}


@dataclass(frozen=True)
class GraphNode:
    """One box of a computation-graph drawing.

    Introduced in chapter 3, "Autograd".

    Attributes:
        label: Text in the box: the backward function's class name
            (``"MulBackward0"``), or for a leaf tensor its name and shape.
        kind: ``"leaf"`` for a tensor you created with ``requires_grad=True``
            (autograd's ``AccumulateGrad`` node), ``"op"`` for an operation,
            ``"output"`` for the tensor the graph was drawn from.
        row: Row of the drawing, counted from the top: an operation sits one row
            below its deepest input, a leaf just above the first operation using it.
    """

    label: str
    kind: str
    row: int


def _shape(t: torch.Tensor) -> str:
    return "(" + ", ".join(str(d) for d in t.shape) + ("," if t.dim() == 1 else "") + ")"


def graph_nodes(
    output: torch.Tensor,
    names: Mapping[str, torch.Tensor] | None = None,
    output_name: str = "output",
) -> tuple[list[GraphNode], list[tuple[int, int]]]:
    """Walk the graph autograd recorded for ``output``, from the output back to the leaves.

    Every ``grad_fn`` reachable through ``next_functions`` becomes one node, visited
    once even when several operations use it. Inputs that do not require grad
    (``None`` in ``next_functions``) are left out, as autograd leaves them out.

    Introduced in chapter 3, "Autograd".

    Args:
        output: A tensor computed from tensors with ``requires_grad=True``.
        names: Optional names for leaf tensors, e.g. ``{"w": w, "b": b}``; a leaf
            not named here is labelled by its shape only.
        output_name: Label for the output tensor's box.

    Returns:
        The nodes (the output tensor is node 0) and the edges as
        ``(input_index, consumer_index)`` pairs, in the direction data flows
        in the forward pass.

    Raises:
        TypeError: If ``output`` is not a tensor or a value in ``names`` is not one.
        ValueError: If ``output`` has no recorded graph.
    """
    check.is_tensor("output", output)
    if output.grad_fn is None:
        expected = "be a tensor computed from tensors with requires_grad=True"
        if output.requires_grad:
            raise check.bad(
                "output",
                expected,
                got="a leaf tensor (you created it, so no operation produced it and there "
                "is no graph to draw); pass a tensor computed from it",
            )
        raise check.bad(
            "output",
            expected,
            got="a tensor that does not require grad, so autograd recorded no graph; create "
            "its inputs with requires_grad=True (and not under torch.no_grad())",
        )
    leaf_names: dict[int, str] = {}
    for name, tensor in (names or {}).items():
        check.is_tensor(f"names[{name!r}]", tensor)
        leaf_names[id(tensor)] = name

    # Depth-first walk from the output's grad_fn; index 0 is the output tensor itself.
    functions: list[object] = []
    index: dict[int, int] = {}
    edges: list[tuple[int, int]] = []
    inputs_of: dict[int, list[int]] = {0: []}

    def visit(fn: object) -> int:
        key = id(fn)
        if key in index:
            return index[key]
        functions.append(fn)
        index[key] = len(functions)  # +1: the output tensor is node 0
        me = index[key]
        inputs_of[me] = []
        for next_fn, _ in fn.next_functions:  # type: ignore[attr-defined]
            if next_fn is None:  # an input that needs no gradient
                continue
            child = visit(next_fn)
            edges.append((child, me))
            inputs_of[me].append(child)
        return me

    root = visit(output.grad_fn)
    edges.append((root, 0))
    inputs_of[0].append(root)

    # Operations sit one row below their deepest input; a leaf sits just above
    # the first operation that uses it, so its arrow stays short.
    consumers: dict[int, list[int]] = {i: [] for i in inputs_of}
    for src, dst in edges:
        consumers[src].append(dst)
    rows: dict[int, int] = {}

    def op_row(i: int) -> int:
        if i not in rows:
            rows[i] = 1 + max((op_row(c) for c in inputs_of[i] if inputs_of[c]), default=0)
        return rows[i]

    for i in inputs_of:
        if inputs_of[i]:
            op_row(i)
    for i in inputs_of:
        if not inputs_of[i]:
            rows[i] = min(rows[c] for c in consumers[i]) - 1

    def row_of(i: int) -> int:
        return rows[i]

    nodes = [GraphNode(f"{output_name}\n{_shape(output)}", "output", row_of(0))]
    for i, fn in enumerate(functions, start=1):
        variable = getattr(fn, "variable", None)
        if isinstance(variable, torch.Tensor):
            name = leaf_names.get(id(variable), "leaf")
            nodes.append(GraphNode(f"{name}\n{_shape(variable)}", "leaf", row_of(i)))
        else:
            nodes.append(GraphNode(type(fn).__name__, "op", row_of(i)))
    return nodes, edges


def plot_graph(
    output: torch.Tensor,
    names: Mapping[str, torch.Tensor] | None = None,
    *,
    output_name: str = "output",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the computation graph behind ``output``: leaves at the top, the output at the bottom.

    Blue boxes are the leaf tensors autograd will fill ``.grad`` for, grey boxes
    the recorded operations (their backward functions), green the output.
    Arrows point the way data flows in the forward pass; ``.backward()`` walks
    them in reverse.

    Introduced in chapter 3, "Autograd".

    Args:
        output: A tensor computed from tensors with ``requires_grad=True``.
        names: Optional names for leaf tensors, e.g. ``{"w": w}``.
        output_name: Label for the output tensor's box.
        ax: Axes to draw on; a new figure is made when ``None``.
        title: Axes title; also the figure's label (its alt text on the site)
            when a new figure is made.

    Returns:
        The axes holding the drawing.

    Raises:
        TypeError: If ``output`` is not a tensor or a value in ``names`` is not one.
        ValueError: If ``output`` has no recorded graph.
    """
    nodes, edges = graph_nodes(output, names, output_name)
    n_rows = max(node.row for node in nodes) + 1

    by_row: dict[int, list[int]] = {}
    for i, node in enumerate(nodes):
        by_row.setdefault(node.row, []).append(i)
    inputs_of: dict[int, list[int]] = {i: [] for i in range(len(nodes))}
    consumers: dict[int, list[int]] = {i: [] for i in range(len(nodes))}
    for src, dst in edges:
        inputs_of[dst].append(src)
        consumers[src].append(dst)
    width = max(len(members) for members in by_row.values())

    def place() -> dict[int, float]:
        return {
            i: (k + 0.5) * width / len(members)
            for members in by_row.values()
            for k, i in enumerate(members)
        }

    # A few sweeps down and up, each ordering a row by the mean position of its
    # neighbours (the barycentre heuristic), so that arrows cross less.
    x = place()
    for _ in range(4):
        for order, neighbours in (
            (range(n_rows), inputs_of),
            (range(n_rows - 1, -1, -1), consumers),
        ):
            for row in order:
                members = by_row.get(row, [])
                members.sort(
                    key=lambda i, nb=neighbours: (
                        sum(x[j] for j in nb[i]) / len(nb[i]) if nb[i] else x[i]
                    )
                )
                x.update(place())
    positions = {i: (x[i], float(n_rows - 1 - nodes[i].row)) for i in range(len(nodes))}

    made_figure = ax is None
    if ax is None:
        fig = plt.figure(
            figsize=(max(4.0, 2.0 * width), max(2.0, 0.65 * n_rows + 0.6)),
            label=title or f"Computation graph of {output_name}",
        )
        ax = fig.add_subplot()
    texts = {}
    for i, node in enumerate(nodes):
        x, y = positions[i]
        texts[i] = ax.text(
            x,
            y,
            node.label,
            ha="center",
            va="center",
            fontsize=9,
            family="monospace",
            bbox={"boxstyle": "round,pad=0.4", "fc": _COLOURS[node.kind], "ec": "#555555"},
            zorder=2,  # drawn before the arrows, which are clipped to these boxes
        )
    for src, dst in edges:
        ax.add_patch(
            FancyArrowPatch(
                positions[src],
                positions[dst],
                arrowstyle="-|>",
                mutation_scale=12,
                color="#555555",
                patchA=texts[src].get_bbox_patch(),
                patchB=texts[dst].get_bbox_patch(),
                zorder=3,
            )
        )
    ax.set_xlim(0, width)
    ax.set_ylim(-0.6, n_rows - 0.4)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    if made_figure:
        ax.figure.tight_layout()
    return ax
