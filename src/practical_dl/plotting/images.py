"""Showing small images, such as the 8x8 digits, as a labelled grid.

Introduced in chapter 9, "Convolutional networks and transfer learning".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from practical_dl import _checks as check
from practical_dl._arrays import to_numpy

__all__ = ["plot_image_grid"]


def plot_image_grid(
    images: torch.Tensor | np.ndarray,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 8,
    cmap: str = "gray_r",
    size: float = 1.1,
    label: str | None = None,
) -> Figure:
    """Draw grayscale images in a grid, each with an optional title.

    Introduced in chapter 9, "Convolutional networks and transfer learning".

    Args:
        images: Images of shape ``(n, height, width)`` or ``(n, 1, height, width)``,
            as a tensor (on any device) or a NumPy array.
        titles: One title per image, or ``None`` for no titles.
        ncols: Images per row (fewer if there are fewer images).
        cmap: Matplotlib colour map; ``"gray_r"`` draws ink dark on white.
        size: Width and height of each image, in inches.
        label: The figure's label, used as its alt text on the site.

    Returns:
        The new figure.

    Raises:
        TypeError: If ``ncols`` is not an int.
        ValueError: If ``images`` has the wrong shape or is empty, ``titles`` has
            the wrong length, or ``ncols`` is below 1.
    """
    array = to_numpy(images, name="images")
    if array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]  # drop the single channel axis
    if array.ndim != 3 or len(array) == 0:
        raise check.bad(
            "images",
            "have shape (n, height, width) or (n, 1, height, width) with n >= 1",
            got=f"shape {array.shape}",
        )
    if titles is not None and len(titles) != len(array):
        raise check.bad(
            "titles",
            f"give one title per image, {len(array)}",
            got=f"{len(titles)} titles",
        )
    ncols = check.positive_int("ncols", ncols)
    images = array
    ncols = min(ncols, len(images))
    nrows = math.ceil(len(images) / ncols)
    extra = 0.3 if titles is not None else 0.0  # room for a title above each row
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, (size + extra) * nrows), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < len(images):
            ax.imshow(images[i], cmap=cmap)
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    if label is not None:
        fig.set_label(label)
    fig.tight_layout()
    return fig
