import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from practical_dl.plotting.images import plot_image_grid  # noqa: E402


def test_grid_shape_titles_and_label():
    images = torch.rand(10, 1, 8, 8)
    fig = plot_image_grid(images, [f"d{i}" for i in range(10)], ncols=4, label="ten digits")
    axes = fig.get_axes()
    assert len(axes) == 12  # 3 rows of 4, the last two left blank
    shown = [ax for ax in axes if ax.images]
    assert len(shown) == 10
    assert [ax.get_title() for ax in shown] == [f"d{i}" for i in range(10)]
    assert fig.get_label() == "ten digits"
    np.testing.assert_allclose(shown[3].images[0].get_array(), images[3, 0].numpy())


def test_grid_accepts_arrays_without_channel_axis_and_few_images():
    fig = plot_image_grid(np.zeros((3, 5, 5)), ncols=8)
    assert len(fig.get_axes()) == 3  # never more columns than images
    assert all(ax.get_title() == "" for ax in fig.get_axes())


@pytest.mark.parametrize("shape", [(8, 8), (2, 3, 8, 8), (0, 8, 8)])
def test_grid_rejects_wrong_shapes(shape):
    with pytest.raises(
        ValueError, match=r"images must have shape \(n, height, width\) or \(n, 1, height, width\)"
    ):
        plot_image_grid(np.zeros(shape))


def test_grid_rejects_wrong_title_count_and_columns():
    with pytest.raises(ValueError, match=r"titles must give one title per image, 3, got 2 titles"):
        plot_image_grid(np.zeros((3, 8, 8)), ["a", "b"])
    with pytest.raises(ValueError, match=r"ncols must be a positive int, got 0 \(int\)"):
        plot_image_grid(np.zeros((3, 8, 8)), ncols=0)
