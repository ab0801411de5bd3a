"""The bundled 8x8 handwritten digits (no download needed).

>>> x, y = load_digits(flatten=False)
>>> x.shape
(1797, 8, 8)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["load_digits"]

_DIGITS_PATH = Path(__file__).parent.parent / "datasets" / "digits.npz"


def load_digits(flatten: bool = True, scale: bool = True, dtype="float64"):
    """The bundled 8x8 handwritten digits (1,797 images, 10 classes; no download).

    Args:
        flatten: images as rows of 64 pixels (for Dense layers); False keeps (8, 8).
        scale: pixel values in [0, 1] (divided by 16); False keeps the integers 0..16.
        dtype: float dtype of the images.

    Returns:
        ``(x, y)``: images of shape (1797, 64) or (1797, 8, 8), and int64 labels 0..9.

    Source: test set of the UCI "Optical Recognition of Handwritten Digits" data
    (Alpaydin and Kaynak, 1998), CC BY 4.0; see ``microgradnn/datasets/README.md``.

    >>> x, y = load_digits()
    >>> x.shape, y.shape, float(x.max())
    ((1797, 64), (1797,), 1.0)
    """
    with np.load(_DIGITS_PATH, allow_pickle=False) as archive:
        images, labels = archive["images"], archive["target"]
    x = images.astype(dtype)
    if scale:
        x /= 16.0
    if flatten:
        x = x.reshape(len(x), -1)
    return x, labels.astype(np.int64)
