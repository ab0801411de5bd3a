"""Small helpers shared by the data modules: argument checks with clear errors, even sizes.

>>> check_count(5, 2)
5
>>> check_xy([[1, 2], [3, 4]], [0, 1])[0].shape
(2, 2)
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_count", "check_xy", "even_sizes"]


def check_count(n: int, minimum: int = 1, what: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{what} must be an integer >= {minimum}, got {n!r}")
    return int(n)


def check_xy(x, y) -> tuple[np.ndarray, np.ndarray | None]:
    x = np.asarray(x)
    if x.ndim == 0:
        raise ValueError("x must be an array of samples (samples first), got a single number")
    if len(x) == 0:
        raise ValueError("the data set is empty: x has 0 samples")
    if y is None:
        return x, None
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != len(x):
        raise ValueError(
            f"x and y must have the same number of samples, got {len(x)} and "
            f"{'a single number' if y.ndim == 0 else len(y)}"
        )
    return x, y


def even_sizes(n: int, classes: int) -> list[int]:
    """Split n samples into `classes` nearly equal groups (the first groups get the extras).

    >>> even_sizes(7, 3)
    [3, 2, 2]
    """
    base, extra = divmod(n, classes)
    return [base + (1 if c < extra else 0) for c in range(classes)]
