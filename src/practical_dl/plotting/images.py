"""Showing small images, such as the 8x8 digits, as a labelled grid.

Introduced in the chapter "Convolutional networks and transfer learning".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

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

    Introduced in the chapter "Convolutional networks and transfer learning".

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
        ValueError: If ``images`` has the wrong shape or is empty, ``titles`` has
            the wrong length, or ``ncols`` is below 1.
    """
    if isinstance(images, torch.Tensor):
        images = images.detach().cpu().numpy()
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]  # drop the single channel axis
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(
            f"plot_image_grid(images=...): expected shape (n, height, width) or "
            f"(n, 1, height, width) with n >= 1, got {images.shape}"
        )
    if titles is not None and len(titles) != len(images):
        raise ValueError(
            f"plot_image_grid(titles=...): {len(titles)} titles for {len(images)} images"
        )
    if ncols < 1:
        raise ValueError(f"plot_image_grid(ncols={ncols}): expected at least 1")
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
