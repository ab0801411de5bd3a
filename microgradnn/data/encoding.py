"""Encoding and scaling: one-hot label rows, and standardized features.

>>> one_hot([0, 2]).tolist()
[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

import numpy as np

from microgradnn.data.checks import check_xy
from microgradnn.engine import Node

__all__ = ["one_hot", "Standardizer"]


def one_hot(labels, num_classes: int | None = None, dtype="float64") -> np.ndarray:
    """Integer class labels -> one-hot rows (a numpy array, not a graph node).

    Args:
        labels: integers in [0, num_classes), any shape (a list, an array, or a Tensor).
        num_classes: number of classes; defaults to max(labels) + 1.
        dtype: the dtype of the rows.

    >>> one_hot([0, 2, 1]).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    >>> one_hot([0, 2], num_classes=4).shape
    (2, 4)
    """
    labels = np.asarray(labels.data if isinstance(labels, Node) else labels)
    if labels.size and labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            raise ValueError("one_hot needs integer class labels, got fractional numbers")
    elif labels.size and labels.dtype.kind not in "iub":
        raise TypeError(f"one_hot needs integer class labels, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(f"class labels must be >= 0, got {labels.min()}")
    needed = int(labels.max()) + 1 if labels.size else 0
    num_classes = needed if num_classes is None else num_classes
    if needed > num_classes:
        raise ValueError(f"label {needed - 1} does not fit in num_classes={num_classes}")
    return np.eye(num_classes, dtype=dtype)[labels]


class Standardizer:
    """Rescale each feature to mean 0 and standard deviation 1, using TRAINING data only.

    Fit on the training part, then apply the same shift and scale to validation and test
    data: computing them on all the data would leak test information into training.
    Constant features (standard deviation 0) are only shifted.

    >>> scaler = Standardizer().fit(np.array([[1.0], [3.0]]))
    >>> scaler.transform(np.array([[1.0], [5.0]])).tolist()
    [[-1.0], [3.0]]
    """

    def __init__(self):
        self.mean_: np.ndarray | None = None
        self.std_: np.ndarray | None = None

    def fit(self, x) -> Standardizer:
        """Learn the per-feature mean and standard deviation of ``x`` (samples first)."""
        x, _ = check_xy(x, None)
        self.mean_ = x.mean(axis=0)
        std = x.std(axis=0)
        self.std_ = np.where(std > 0, std, 1.0).astype(self.mean_.dtype)
        return self

    def _check_fitted(self, x) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError("Standardizer is not fitted yet: call fit(x_train) first")
        x = np.asarray(x)
        if x.shape[1:] != self.mean_.shape:
            raise ValueError(
                f"Standardizer was fitted on samples of shape {self.mean_.shape}, "
                f"got samples of shape {x.shape[1:]}"
            )
        return x

    def transform(self, x) -> np.ndarray:
        """``(x - mean) / std`` with the statistics learnt by :meth:`fit`."""
        x = self._check_fitted(x)
        return ((x - self.mean_) / self.std_).astype(np.result_type(x.dtype, np.float32))

    def fit_transform(self, x) -> np.ndarray:
        """``fit(x)`` then ``transform(x)``."""
        return self.fit(x).transform(x)

    def inverse_transform(self, x) -> np.ndarray:
        """Undo :meth:`transform`: ``x * std + mean``."""
        x = self._check_fitted(x)
        return x * self.std_ + self.mean_
