"""Encoding and scaling: one-hot label rows, and standardized features.

>>> one_hot([0, 2]).tolist()
[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

import numpy as np

from microgradnn.data.checks import check_xy
from microgradnn.functional import one_hot

__all__ = ["one_hot", "Standardizer"]


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
