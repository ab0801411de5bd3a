"""Batches: which samples each optimizer step sees (full batch, stochastic, mini-batch).

>>> [b.tolist() for b in batch_indices(5, 2, shuffle=False)]
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from microgradnn.data.checks import check_xy
from microgradnn.seeding import as_rng

__all__ = ["batch_indices", "DataLoader", "check_batch_size"]


def check_batch_size(batch_size, n: int) -> int:
    if batch_size is None:
        return n
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be a positive integer or None, got {batch_size!r}")
    if batch_size <= 0:
        raise ValueError(
            f"batch_size must be >= 1 (1 = stochastic, n = mini-batch, None = full batch), "
            f"got {batch_size}"
        )
    return int(batch_size)


def batch_indices(
    n: int, batch_size: int | None = 32, shuffle: bool = True, drop_last: bool = False, seed=None
) -> list[np.ndarray]:
    """The sample indices of each batch of one epoch.

    ``batch_size=None`` is full-batch gradient descent (one batch of all samples), 1 is
    stochastic gradient descent, anything else is mini-batch. ``drop_last`` drops a final
    batch smaller than ``batch_size``.

    >>> [b.tolist() for b in batch_indices(5, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    >>> [b.tolist() for b in batch_indices(5, 2, shuffle=False, drop_last=True)]
    [[0, 1], [2, 3]]
    """
    if n == 0:
        raise ValueError("cannot make batches of an empty data set (0 samples)")
    size = check_batch_size(batch_size, n)
    order = as_rng(seed).permutation(n) if shuffle else np.arange(n)
    stop = n - n % size if drop_last else n
    return [order[start : start + size] for start in range(0, stop, size)]


class DataLoader:
    """Iterate over ``(x_batch, y_batch)`` pairs, reshuffled at every pass when ``shuffle``.

    Args:
        x, y: arrays with samples first (``y`` may be None: then batches are ``x`` only).
        batch_size: samples per batch; None for one full batch.
        shuffle: new random order at each ``for`` loop (seeded by ``seed``).
        drop_last: skip a last batch that is smaller than ``batch_size``.

    >>> loader = DataLoader(np.arange(10).reshape(5, 2), np.arange(5), batch_size=2)
    >>> len(loader), [yb.tolist() for _, yb in loader]
    (3, [[0, 1], [2, 3], [4]])
    """

    def __init__(
        self, x, y=None, batch_size: int | None = 32, shuffle=False, drop_last=False, seed=None
    ):
        self.x, self.y = check_xy(x, y)
        self.batch_size = check_batch_size(batch_size, len(self.x))
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._rng = as_rng(seed)
        if drop_last and self.batch_size > len(self.x):
            raise ValueError(
                f"drop_last=True with batch_size {self.batch_size} > {len(self.x)} samples "
                "would give no batch at all"
            )

    def __len__(self) -> int:
        full, rest = divmod(len(self.x), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self) -> Iterator:
        batches = batch_indices(
            len(self.x), self.batch_size, self.shuffle, self.drop_last, seed=self._rng
        )
        for index in batches:
            yield self.x[index] if self.y is None else (self.x[index], self.y[index])
