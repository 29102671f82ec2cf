import pytest
import torch

from practical_dl.plotting.tensors import (
    FloatLayout,
    float_layout,
    plot_broadcast,
    plot_float_formats,
    plot_memory_layout,
    storage_offsets,
)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (torch.float64, FloatLayout("float64", 64, 1, 11, 52)),
        (torch.float32, FloatLayout("float32", 32, 1, 8, 23)),
        (torch.float16, FloatLayout("float16", 16, 1, 5, 10)),
        (torch.bfloat16, FloatLayout("bfloat16", 16, 1, 8, 7)),
    ],
)
def test_float_layout_matches_the_ieee_and_bfloat16_formats(dtype, expected):
    layout = float_layout(dtype)
    assert layout == expected
    assert layout.sign + layout.exponent + layout.fraction == layout.bits
    assert layout.bits == 8 * torch.empty(0, dtype=dtype).element_size()


@pytest.mark.parametrize("dtype", [torch.int64, "float32", torch.bool])
def test_float_layout_refuses_what_is_not_a_float_dtype(dtype):
    with pytest.raises(TypeError, match="dtype must be a floating-point torch.dtype"):
        float_layout(dtype)


def test_float_formats_draw_one_row_per_dtype_with_every_bit():
    ax = plot_float_formats([torch.float32, torch.float16])
    assert len(ax.patches) == 32 + 16
    labels = [text.get_text() for text in ax.texts]
    assert "float32\n4 bytes" in labels and "float16\n2 bytes" in labels
    assert "float16 5 exponent and 10 fraction bits" in ax.figure.get_label()


def test_float_formats_need_at_least_one_dtype():
    with pytest.raises(ValueError, match="dtypes must hold at least one"):
        plot_float_formats([])


def _cell_texts(ax):
    return [text.get_text() for text in ax.texts]


def test_broadcast_draws_operands_their_broadcast_versions_and_the_result():
    a = torch.tensor([[0, 1, 2]])
    b = torch.tensor([[0], [10], [20]])
    fig = plot_broadcast(a, b)
    assert [ax.get_title() for ax in fig.axes] == [
        "a\n(1, 3)",
        "b\n(3, 1)",
        "a broadcast to (3, 3)\nstride (0, 1)",
        "b broadcast to (3, 3)\nstride (1, 0)",
        "a + b\n(3, 3)",
    ]
    assert _cell_texts(fig.axes[4]) == [str(v) for v in (a + b).flatten().tolist()]
    repeated = [p for ax in fig.axes for p in ax.patches if p.get_linestyle() == "--"]
    assert len(repeated) == 6 + 6  # two repeated rows of a, two repeated columns of b
    assert fig.get_label().startswith("Broadcasting a (1, 3) + b (3, 1) to (3, 3)")


def test_broadcast_of_a_one_dimensional_bias_and_other_ops():
    h = torch.ones(4, 3)
    bias = torch.tensor([1.0, 2.0, 3.0])
    fig = plot_broadcast(h, bias, op="*", names=("h", "bias"))
    assert fig.axes[1].get_title() == "bias\n(3,)"
    assert fig.axes[3].get_title() == "bias broadcast to (4, 3)\nstride (0, 1)"
    assert _cell_texts(fig.axes[4])[:3] == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "error", "message"),
    [
        (torch.ones(2, 3), torch.ones(3, 2), {}, ValueError, r"got shapes \(2, 3\) and \(3, 2\)"),
        (torch.ones(1, 2, 3), torch.ones(3), {}, ValueError, "a must have at most 2 dimensions"),
        (torch.ones(3), torch.ones(9, 1), {}, ValueError, "at most 8 cells per side"),
        (torch.ones(3), torch.ones(3), {"op": "@"}, ValueError, "op must be one of"),
        ([1, 2], torch.ones(2), {}, TypeError, "a must be a torch.Tensor"),
    ],
)
def test_broadcast_errors_name_the_argument(a, b, kwargs, error, message):
    with pytest.raises(error, match=message):
        plot_broadcast(a, b, **kwargs)


def test_storage_offsets_follow_the_strides():
    m = torch.arange(12).view(3, 4)
    assert torch.equal(storage_offsets(m), m)  # contiguous: offsets are 0, 1, 2, ...
    assert torch.equal(storage_offsets(m.t()), m.t())
    assert torch.equal(storage_offsets(m[1:, ::2]), m[1:, ::2])  # a slice starts at an offset
    with pytest.raises(TypeError, match="t must be a torch.Tensor"):
        storage_offsets([1, 2])


def test_memory_layout_titles_give_shape_strides_and_contiguity():
    m = torch.arange(12).view(3, 4)
    fig = plot_memory_layout({"m": m, "m.t()": m.t()})
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [
        "m: shape (3, 4), stride (4, 1), contiguous",
        "m.t(): shape (4, 3), stride (1, 4), not contiguous",
    ]
    walk = [t for t in _cell_texts(fig.axes[1]) if t.startswith("row by row")]
    assert walk == ["row by row, m.t() reads memory cells 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11"]
    assert "m.t() shape (4, 3) stride (1, 4)" in fig.get_label()


def test_memory_layout_colours_each_cell_like_the_memory_it_reads():
    m = torch.arange(6.0).view(2, 3)
    fig = plot_memory_layout({"m.t()": m.t()})
    patches = fig.axes[0].patches
    memory, grid = patches[:6], patches[6:]
    offsets = storage_offsets(m.t()).flatten().tolist()
    for cell, offset in zip(grid, offsets, strict=True):
        assert cell.get_facecolor() == memory[offset].get_facecolor()


@pytest.mark.parametrize(
    ("tensors", "message"),
    [
        ({}, "tensors must hold at least one named tensor"),
        ({"x": torch.ones(2, 2, 2)}, r"tensors\['x'\] must have 1 or 2 dimensions"),
        ({"x": torch.ones(9)}, r"tensors\['x'\] must have 1 or 2 dimensions"),
        ({"x": torch.arange(64).view(8, 8)[:2, :2]}, "storage of at most 32 elements, got 64"),
    ],
)
def test_memory_layout_errors(tensors, message):
    with pytest.raises(ValueError, match=message):
        plot_memory_layout(tensors)
