import matplotlib.pyplot as plt
import pytest
import torch

from practical_dl.plotting.graph import graph_nodes, plot_graph


def test_pow_sum_graph_matches_autograd():
    t = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = t.pow(2).sum()
    nodes, edges = graph_nodes(out, {"t": t}, output_name="out")
    assert [n.label for n in nodes] == ["out\n()", "SumBackward0", "PowBackward0", "t\n(3,)"]
    assert [n.kind for n in nodes] == ["output", "op", "op", "leaf"]
    # Forward direction: leaf -> pow -> sum -> output.
    assert edges == [(3, 2), (2, 1), (1, 0)]
    assert [n.row for n in nodes] == [3, 2, 1, 0]


def test_inputs_without_grad_are_left_out():
    x = torch.tensor([1.0, 2.0])  # no requires_grad: autograd stores None for it
    w = torch.tensor([0.5], requires_grad=True)
    loss = (x * w).sum()
    nodes, _ = graph_nodes(loss, {"w": w})
    leaves = [n.label for n in nodes if n.kind == "leaf"]
    assert leaves == ["w\n(1,)"]


def test_shared_node_is_visited_once():
    a = torch.tensor(2.0, requires_grad=True)
    b = a * 3
    c = b + b  # both inputs of AddBackward0 are the same MulBackward0
    nodes, edges = graph_nodes(c, {"a": a})
    assert sum(n.label == "MulBackward0" for n in nodes) == 1
    assert sum(n.kind == "leaf" for n in nodes) == 1
    add = next(i for i, n in enumerate(nodes) if n.label == "AddBackward0")
    assert len([e for e in edges if e[1] == add]) == 2


def test_unnamed_leaf_gets_a_generic_label():
    w = torch.zeros(2, 3, requires_grad=True)
    nodes, _ = graph_nodes((w * 2).sum())
    assert nodes[-1].label == "leaf\n(2, 3)"


def test_plot_graph_draws_one_box_per_node_and_one_arrow_per_edge():
    w = torch.tensor([1.0], requires_grad=True)
    b = torch.tensor([0.0], requires_grad=True)
    loss = ((w * 3 + b - 1) ** 2).sum()
    ax = plot_graph(loss, {"w": w, "b": b}, output_name="loss", title="tiny")
    nodes, edges = graph_nodes(loss, {"w": w, "b": b}, output_name="loss")
    labels = [t.get_text() for t in ax.texts]
    assert sorted(labels) == sorted(n.label for n in nodes)
    assert len(ax.patches) == len(edges)
    assert ax.get_title() == "tiny"
    assert ax.figure.get_label() == "tiny"
    ax.figure.canvas.draw()  # the arrows clip to the boxes at draw time: must not fail


def test_plot_graph_uses_given_axes():
    t = torch.ones(2, requires_grad=True)
    fig, ax = plt.subplots()
    assert plot_graph(t.exp().sum(), ax=ax) is ax


def test_rows_put_operations_below_their_inputs():
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0])
    out = torch.sigmoid(w * x).sum()
    nodes, edges = graph_nodes(out, {"w": w})
    for src, dst in edges:
        assert nodes[src].row < nodes[dst].row


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(
        TypeError, match=r"output must be a torch.Tensor, got \[1.0, 2.0\] \(list\)"
    ):
        graph_nodes([1.0, 2.0])
    with pytest.raises(ValueError, match="does not require grad"):
        graph_nodes(torch.ones(3).sum())
    leaf = torch.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="got a leaf tensor"):
        graph_nodes(leaf)
    with pytest.raises(TypeError, match=r"names\['w'\] must be a torch.Tensor, got 3.0 \(float\)"):
        graph_nodes(leaf.sum(), {"w": 3.0})
    with torch.no_grad():
        untracked = leaf * 2
    with pytest.raises(ValueError, match="no_grad"):
        plot_graph(untracked)
