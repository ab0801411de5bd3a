"""A grid of images with their labels and predictions (wrong ones in red).

>>> import numpy as np
>>> fig = image_grid(np.zeros((3, 8, 8)), labels=[0, 1, 2], show=False)
>>> len(fig.axes) >= 3
True
"""

from __future__ import annotations

import os

import numpy as np

from microgradnn.metrics import to_numpy
from microgradnn.plots.figures import finish, new_figure

__all__ = ["image_grid"]


def image_grid(
    images,
    labels=None,
    predictions=None,
    columns: int = 10,
    path: str | os.PathLike | None = None,
    show: bool | None = None,
    title: str | None = None,
):
    """Show small grey images (e.g. digits) in a grid, with labels and predictions.

    Flat rows of a square number of pixels (64 for digits, 784 for MNIST) are reshaped.
    Wrong predictions are titled in red.

    >>> fig = image_grid(np.zeros((4, 64)), labels=[0, 1, 2, 3], show=False)
    >>> len(fig.axes)
    4
    """
    images = to_numpy(images)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(f"cannot reshape rows of {images.shape[1]} pixels into squares")
        images = images.reshape(len(images), side, side)
    count = len(images)
    columns = min(columns, count)
    rows = int(np.ceil(count / columns))
    figure, axes = new_figure(path, show, (1.2 * columns, 1.35 * rows), rows, columns)
    for index, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if index >= count:
            continue
        ax.imshow(images[index], cmap="gray_r")
        caption, color = "", "black"
        if labels is not None:
            caption = str(int(labels[index]))
        if predictions is not None:
            guess = int(predictions[index])
            caption = f"{caption}→{guess}" if caption else str(guess)
            if labels is not None and guess != int(labels[index]):
                color = "red"
        ax.set_title(caption, fontsize=9, color=color)
    if title is None and labels is not None and predictions is not None:
        title = "true label → prediction (mistakes in red)"
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return finish(figure, path, show)
