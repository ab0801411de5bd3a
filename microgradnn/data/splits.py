"""Splitting data: training / validation / test parts, and k-fold cross-validation.

>>> x, y = np.arange(20).reshape(10, 2), np.arange(10) % 2
>>> (x_tr, y_tr), (x_te, y_te) = train_test_split(x, y, test_size=0.2, seed=0)
>>> len(x_tr), len(x_te)
(8, 2)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from microgradnn.data.checks import check_count, check_xy, even_sizes
from microgradnn.seeding import as_rng

__all__ = ["train_val_test_split", "train_test_split", "kfold_indices"]


def _split_counts(n: int, fractions: Sequence[float]) -> list[int]:
    """Integer sizes summing to n, proportional to fractions (largest remainders get extras)."""
    exact = np.asarray(fractions, dtype=np.float64) * n
    counts = np.floor(exact).astype(int)
    leftovers = np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]
    counts[leftovers] += 1
    return counts.tolist()


def _check_fractions(sizes: Sequence[float]) -> np.ndarray:
    fractions = np.asarray(sizes, dtype=np.float64)
    if fractions.ndim != 1 or len(fractions) not in (2, 3):
        raise ValueError(f"sizes must have 2 or 3 fractions, e.g. (0.8, 0.1, 0.1), got {sizes}")
    if np.any(fractions <= 0) or abs(fractions.sum() - 1.0) > 1e-6:
        raise ValueError(f"sizes must be positive fractions that sum to 1, got {tuple(sizes)}")
    return fractions


def _split_positions(n: int, fractions, stratify, rng) -> list[np.ndarray]:
    if stratify is None:
        groups = [rng.permutation(n)]
    else:
        labels = np.asarray(stratify)
        if len(labels) != n:
            raise ValueError(f"stratify has {len(labels)} labels for {n} samples")
        if labels.ndim == 2:  # one-hot labels
            labels = labels.argmax(axis=1)
        groups = [rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)]
    parts: list[list[np.ndarray]] = [[] for _ in fractions]
    for group in groups:
        bounds = np.cumsum([0, *_split_counts(len(group), fractions)])
        for part, start, stop in zip(parts, bounds[:-1], bounds[1:]):
            part.append(group[start:stop])
    # Shuffle inside each part so stratified parts are not sorted by class.
    return [rng.permutation(np.concatenate(part)) for part in parts]


def train_val_test_split(
    x, y, sizes: Sequence[float] = (0.8, 0.1, 0.1), stratify=None, seed=None
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Shuffle and split into training / validation / test parts (the lecture's 80/10/10).

    Args:
        x, y: samples and labels/targets (same length).
        sizes: fractions of the data for each part, summing to 1; two fractions give a plain
            train/test split, e.g. ``(0.8, 0.2)``.
        stratify: labels (usually ``y``) whose class proportions every part should keep, or
            ``True`` to use ``y``; useful for small or unbalanced data sets.
        seed: makes the split repeatable.

    Returns:
        ``((x_train, y_train), (x_val, y_val), (x_test, y_test))``, or two pairs for two sizes.

    >>> x, y = np.arange(20).reshape(10, 2), np.arange(10) % 2
    >>> (xa, ya), (xb, yb) = train_val_test_split(x, y, sizes=(0.6, 0.4), stratify=y, seed=0)
    >>> len(xa), len(xb), int(ya.sum()), int(yb.sum())
    (6, 4, 3, 2)
    """
    x, y = check_xy(x, y)
    fractions = _check_fractions(sizes)
    if stratify is True:
        stratify = y
    positions = _split_positions(len(x), fractions, stratify, as_rng(seed))
    names = ("training", "validation", "test") if len(fractions) == 3 else ("training", "test")
    for name, part, fraction in zip(names, positions, fractions):
        if len(part) == 0:
            raise ValueError(
                f"the {name} part would be empty: {len(x)} samples x {fraction:g}; "
                "use more data or larger sizes"
            )
    return tuple((x[part], y[part]) for part in positions)


def train_test_split(x, y, test_size: float = 0.2, stratify=None, seed=None):
    """Shuffle and split into training and test parts: ``(x_tr, y_tr), (x_te, y_te)``.

    >>> (x_tr, y_tr), (x_te, y_te) = train_test_split(np.zeros((10, 2)), np.zeros(10), 0.3)
    >>> len(x_tr), len(x_te)
    (7, 3)
    """
    return train_val_test_split(x, y, (1.0 - test_size, test_size), stratify=stratify, seed=seed)


def kfold_indices(
    n: int, k: int = 5, shuffle: bool = True, stratify=None, seed=None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Index pairs ``(train_idx, val_idx)`` for k-fold cross-validation.

    Every sample is in exactly one validation fold; fold sizes differ by at most one.
    With ``stratify`` (labels), each fold keeps the class proportions.

    >>> folds = kfold_indices(10, k=5, seed=0)
    >>> [len(val) for _, val in folds]
    [2, 2, 2, 2, 2]
    >>> sorted(np.concatenate([val for _, val in folds]).tolist()) == list(range(10))
    True
    """
    n = check_count(n, 2)
    k = check_count(k, 2, "k")
    if k > n:
        raise ValueError(f"k = {k} folds need at least {k} samples, got {n}")
    rng = as_rng(seed)
    if stratify is not None:
        labels = np.asarray(stratify)
        labels = labels.argmax(axis=1) if labels.ndim == 2 else labels
        # Deal the samples of each class out to the folds in turn, like cards.
        order = np.concatenate(
            [
                rng.permutation(np.flatnonzero(labels == c))
                if shuffle
                else np.flatnonzero(labels == c)
                for c in np.unique(labels)
            ]
        )
        fold_of = np.empty(n, dtype=int)
        fold_of[order] = np.arange(n) % k
    else:
        order = rng.permutation(n) if shuffle else np.arange(n)
        fold_of = np.empty(n, dtype=int)
        fold_of[order] = np.repeat(np.arange(k), even_sizes(n, k))
    everything = np.arange(n)
    return [(everything[fold_of != f], everything[fold_of == f]) for f in range(k)]
