"""Data for learning: toy 2-D sets, a bundled digits set, MNIST on request, splits and batches.

Every generator takes a ``seed`` and returns numpy arrays ``x`` (samples first) and ``y``
(integer class labels, or targets for regression), so the same call always gives the same data.

>>> from microgradnn import data
>>> x, y = data.make_moons(200, noise=0.1, seed=0)
>>> x.shape, y.shape, sorted(set(y.tolist()))
((200, 2), (200,), [0, 1])
>>> (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = data.train_val_test_split(x, y, seed=0)
>>> len(x_tr), len(x_va), len(x_te)
(160, 20, 20)

Nothing here touches the network unless you call :func:`load_mnist` or
:func:`load_fashion_mnist`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "make_xor",
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_blobs",
    "make_regression_curve",
    "make_sine",
    "make_classic",
    "CLASSIC_SETS",
    "REGRESSION_CURVES",
    "train_val_test_split",
    "train_test_split",
    "kfold_indices",
    "batch_indices",
    "DataLoader",
    "one_hot",
    "Standardizer",
    "load_digits",
    "load_mnist",
    "load_fashion_mnist",
    "read_idx",
    "data_home",
    "DownloadError",
]


def _rng(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _check_count(n: int, minimum: int = 1, what: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{what} must be an integer >= {minimum}, got {n!r}")
    return int(n)


def _shuffled(x: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    # Generators build class by class; shuffling mixes the classes so that any slice of the
    # data (a batch, a split) contains all of them.
    order = rng.permutation(len(x))
    return x[order], y[order]


def _class_sizes(n: int, classes: int) -> list[int]:
    """Split n samples into `classes` nearly equal groups (the first groups get the extras)."""
    base, extra = divmod(n, classes)
    return [base + (1 if c < extra else 0) for c in range(classes)]


# --- toy classification sets ----------------------------------------------------------------
def make_moons(n: int = 200, noise: float = 0.1, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles ("two moons"), a classic non-linear binary problem.

    Class 0 is the upper arc centred at (0, 0), class 1 the lower arc centred at (1, 0.5).
    ``noise`` is the standard deviation of Gaussian jitter added to each point.

    >>> x, y = make_moons(100, noise=0.0, seed=1)
    >>> x.shape, int(y.sum())
    ((100, 2), 50)
    """
    n = _check_count(n, 2)
    rng = _rng(seed)
    n_upper, n_lower = _class_sizes(n, 2)
    t_upper = rng.uniform(0.0, np.pi, n_upper)
    t_lower = rng.uniform(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    x = np.concatenate([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    y = np.repeat([0, 1], [n_upper, n_lower])
    return _shuffled(x, y, rng)


def make_circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5, seed=None
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 on the unit circle, class 1 on radius ``factor``.

    >>> x, y = make_circles(10, noise=0.0, seed=0)
    >>> bool(abs(np.hypot(*x[y == 1].T) - 0.5).max() < 1e-12)
    True
    """
    n = _check_count(n, 2)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor (inner radius / outer radius) must be in (0, 1), got {factor}")
    rng = _rng(seed)
    n_outer, n_inner = _class_sizes(n, 2)
    angles = rng.uniform(0.0, 2.0 * np.pi, n)
    radius = np.repeat([1.0, factor], [n_outer, n_inner])
    x = radius[:, None] * np.column_stack([np.cos(angles), np.sin(angles)])
    x = x + rng.normal(0.0, noise, (n, 2))
    y = np.repeat([0, 1], [n_outer, n_inner])
    return _shuffled(x, y, rng)


def make_spirals(
    n: int = 300, classes: int = 2, noise: float = 0.1, turns: float = 1.0, seed=None
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` interleaved spiral arms starting at the origin (a hard non-linear problem).

    Each arm makes ``turns`` full turns while its radius grows from 0 to 1; arm ``c`` is
    rotated by ``2*pi*c/classes``. ``noise`` is Gaussian jitter (in units of the radius).

    >>> x, y = make_spirals(300, classes=3, seed=0)
    >>> x.shape, np.bincount(y).tolist()
    ((300, 2), [100, 100, 100])
    """
    n = _check_count(n, 2)
    classes = _check_count(classes, 2, "classes")
    rng = _rng(seed)
    sizes = _class_sizes(n, classes)
    y = np.repeat(np.arange(classes), sizes)
    t = rng.uniform(0.0, 1.0, n)
    radius = t
    angle = 2.0 * np.pi * (turns * t + y / classes)
    x = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    x = x + rng.normal(0.0, noise, (n, 2)) * np.sqrt(radius)[:, None]
    return _shuffled(x, y, rng)


def make_xor(n: int = 200, noise: float = 0.0, margin: float = 0.05, seed=None):
    """Points in the square [-1, 1]^2, class 1 where x0 and x1 have different signs (XOR).

    ``margin`` keeps points away from the axes so the classes do not touch; ``noise`` adds
    Gaussian jitter afterwards. The four-point truth table of the lecture is simply
    ``x = [[0, 0], [0, 1], [1, 0], [1, 1]]``, ``y = [0, 1, 1, 0]``.

    >>> x, y = make_xor(8, seed=0)
    >>> bool(np.all((x[:, 0] * x[:, 1] < 0) == (y == 1)))
    True
    """
    return make_classic("xor", n, noise=noise, margin=margin, seed=seed)


def make_blobs(
    n: int = 200,
    centers: int | Sequence[Sequence[float]] = 2,
    std: float = 0.5,
    n_features: int = 2,
    box: tuple[float, float] = (-4.0, 4.0),
    seed=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs, one class per centre (linearly separable when the blobs are apart).

    ``centers`` is a number of blobs (centres drawn uniformly in ``box``) or explicit centres.

    >>> x, y = make_blobs(60, centers=[[0, 0], [5, 5], [0, 5]], std=0.1, seed=0)
    >>> np.round(x[y == 1].mean(axis=0)).tolist()
    [5.0, 5.0]
    """
    n = _check_count(n, 1)
    rng = _rng(seed)
    if isinstance(centers, (int, np.integer)):
        count = _check_count(centers, 1, "centers")
        centre_array = rng.uniform(box[0], box[1], (count, _check_count(n_features, 1)))
    else:
        centre_array = np.asarray(centers, dtype=np.float64)
        if centre_array.ndim != 2:
            raise ValueError(
                f"centers must be a count or a 2-D list, got shape {centre_array.shape}"
            )
    sizes = _class_sizes(n, len(centre_array))
    y = np.repeat(np.arange(len(centre_array)), sizes)
    x = centre_array[y] + rng.normal(0.0, std, (n, centre_array.shape[1]))
    return _shuffled(x, y, rng)


# --- the six classic 2-D teaching sets ------------------------------------------------------
def _classic_rules() -> dict[str, tuple[Callable, Callable]]:
    """name -> (label rule, distance to the true boundary) for points in [-1, 1]^2."""
    band = 0.35  # half-width of the middle band of "split"
    radius = 0.6  # radius of the inner disc of "circle"
    return {
        "simple": (lambda p: p[:, 0] > 0, lambda p: np.abs(p[:, 0])),
        "diagonal": (lambda p: p[:, 1] > p[:, 0], lambda p: np.abs(p[:, 1] - p[:, 0]) / np.sqrt(2)),
        "split": (
            lambda p: np.abs(p[:, 0]) < band,
            lambda p: np.abs(np.abs(p[:, 0]) - band),
        ),
        "xor": (
            lambda p: p[:, 0] * p[:, 1] < 0,
            lambda p: np.minimum(np.abs(p[:, 0]), np.abs(p[:, 1])),
        ),
        "circle": (
            lambda p: np.hypot(p[:, 0], p[:, 1]) < radius,
            lambda p: np.abs(np.hypot(p[:, 0], p[:, 1]) - radius),
        ),
    }


CLASSIC_SETS = ("simple", "diagonal", "split", "xor", "circle", "spiral")
"""The six 2-D teaching sets, from easiest to hardest (see :func:`make_classic`)."""


def make_classic(
    name: str, n: int = 200, noise: float = 0.0, margin: float = 0.05, seed=None
) -> tuple[np.ndarray, np.ndarray]:
    """One of the six classic 2-D teaching sets, from easiest to hardest.

    * ``simple``: the left and right halves of the square (one vertical line separates them);
    * ``diagonal``: above/below the diagonal x1 = x0 (one slanted line; needs both weights);
    * ``split``: a middle band against both sides (two lines: needs a hidden layer);
    * ``xor``: opposite quadrants (two lines, the classic XOR);
    * ``circle``: a disc inside the square (a closed curve);
    * ``spiral``: two interleaved spirals (hard; a deeper or wider network helps).

    Points are uniform in [-1, 1]^2, at least ``margin`` away from the true boundary, then
    jittered by Gaussian ``noise``. Labels are 0/1.

    >>> x, y = make_classic("circle", 100, seed=0)
    >>> x.shape, set(y.tolist()) == {0, 1}
    ((100, 2), True)
    """
    n = _check_count(n, 1)
    if name == "spiral":
        return make_spirals(n, classes=2, noise=noise, turns=1.0, seed=seed)
    rules = _classic_rules()
    if name not in rules:
        raise ValueError(_unknown_name("classic data set", name, CLASSIC_SETS))
    label_rule, distance = rules[name]
    rng = _rng(seed)
    points = np.empty((0, 2))
    while len(points) < n:  # rejection sampling: keep points outside the margin
        candidates = rng.uniform(-1.0, 1.0, (2 * n, 2))
        points = np.concatenate([points, candidates[distance(candidates) >= margin]])
    points = points[:n]
    y = label_rule(points).astype(np.int64)
    return points + rng.normal(0.0, noise, points.shape), y


# --- regression curves ----------------------------------------------------------------------
REGRESSION_CURVES: dict[str, tuple[Callable[[np.ndarray], np.ndarray], tuple[float, float]]] = {
    "sine": (np.sin, (-np.pi, np.pi)),
    "cubic": (lambda x: x**3 - x, (-1.5, 1.5)),
    "quadratic": (lambda x: x**2, (-1.0, 1.0)),
    "abs": (np.abs, (-1.0, 1.0)),
    "gaussian": (lambda x: np.exp(-(x**2)), (-3.0, 3.0)),
    "step": (lambda x: (x > 0).astype(np.float64), (-1.0, 1.0)),
}
"""name -> (function, default x range) for :func:`make_regression_curve`."""


def make_regression_curve(
    n: int = 100,
    curve: str | Callable = "sine",
    noise: float = 0.1,
    x_range: tuple[float, float] | None = None,
    seed=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of a 1-D function, for regression: ``x`` and ``y`` of shape (n, 1).

    ``curve`` is a name from :data:`REGRESSION_CURVES` (sine, cubic, quadratic, abs, gaussian,
    step) or any numpy function; ``x`` is uniform in ``x_range``.

    >>> x, y = make_regression_curve(50, "quadratic", noise=0.0, seed=0)
    >>> bool(np.allclose(y, x**2))
    True
    """
    n = _check_count(n, 1)
    if callable(curve):
        function, default_range = curve, (-1.0, 1.0)
    elif curve in REGRESSION_CURVES:
        function, default_range = REGRESSION_CURVES[curve]
    else:
        raise ValueError(_unknown_name("curve", curve, REGRESSION_CURVES))
    low, high = x_range if x_range is not None else default_range
    rng = _rng(seed)
    x = rng.uniform(low, high, (n, 1))
    y = np.asarray(function(x), dtype=np.float64) + rng.normal(0.0, noise, (n, 1))
    return x, y


def make_sine(n: int = 100, noise: float = 0.1, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of sin(x) on [-pi, pi], shapes (n, 1). Short for the "sine" curve.

    >>> x, y = make_sine(20, noise=0.0, seed=0)
    >>> bool(np.allclose(y, np.sin(x)))
    True
    """
    return make_regression_curve(n, "sine", noise=noise, seed=seed)


# --- splits ---------------------------------------------------------------------------------
def _check_xy(x, y) -> tuple[np.ndarray, np.ndarray | None]:
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
    x, y = _check_xy(x, y)
    fractions = _check_fractions(sizes)
    if stratify is True:
        stratify = y
    positions = _split_positions(len(x), fractions, stratify, _rng(seed))
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
    n = _check_count(n, 2)
    k = _check_count(k, 2, "k")
    if k > n:
        raise ValueError(f"k = {k} folds need at least {k} samples, got {n}")
    rng = _rng(seed)
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
        fold_of[order] = np.repeat(np.arange(k), _class_sizes(n, k))
    everything = np.arange(n)
    return [(everything[fold_of != f], everything[fold_of == f]) for f in range(k)]


# --- batches --------------------------------------------------------------------------------
def _check_batch_size(batch_size, n: int) -> int:
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
    size = _check_batch_size(batch_size, n)
    order = _rng(seed).permutation(n) if shuffle else np.arange(n)
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
        self.x, self.y = _check_xy(x, y)
        self.batch_size = _check_batch_size(batch_size, len(self.x))
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._rng = _rng(seed)
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


# --- encoding and scaling -------------------------------------------------------------------
def one_hot(labels, num_classes: int | None = None, dtype="float64") -> np.ndarray:
    """Integer class labels -> one-hot rows (``num_classes`` defaults to max label + 1).

    >>> one_hot([0, 2, 1]).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    labels = np.asarray(labels)
    if labels.size and labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            raise ValueError("one_hot needs integer class labels, got fractional numbers")
        labels = labels.astype(np.int64)
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
        x, _ = _check_xy(x, None)
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


# --- bundled digits -------------------------------------------------------------------------
_DIGITS_PATH = Path(__file__).with_name("datasets") / "digits.npz"


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


# --- MNIST and Fashion-MNIST, downloaded on request ------------------------------------------
class DownloadError(OSError):
    """A data file could not be downloaded or failed its checksum."""


_IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
_IDX_FILES += ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

REMOTE_DATASETS: dict[str, dict] = {
    "mnist": {
        "title": "MNIST (LeCun, Cortes and Burges; CC BY-SA 3.0)",
        "mirrors": (
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
        "sha256": dict(
            zip(
                _IDX_FILES,
                (
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                ),
            )
        ),
    },
    "fashion_mnist": {
        "title": "Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; MIT license)",
        "mirrors": (
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        ),
        "sha256": dict(
            zip(
                _IDX_FILES,
                (
                    "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                    "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                    "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                    "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                ),
            )
        ),
    },
}
"""Where MNIST-like sets come from and the SHA-256 each downloaded file must have."""

# The function used to open URLs; tests replace it so they never touch the network.
_urlopen = urllib.request.urlopen
_DOWNLOAD_TIMEOUT = 60


def data_home(cache_dir: str | os.PathLike | None = None) -> Path:
    """The folder for downloaded data: ``cache_dir``, else $MICROGRADNN_DATA, else
    ``~/.cache/microgradnn``.

    >>> data_home("/tmp/somewhere")
    PosixPath('/tmp/somewhere')
    """
    if cache_dir is not None:
        return Path(cache_dir)
    if os.environ.get("MICROGRADNN_DATA"):
        return Path(os.environ["MICROGRADNN_DATA"])
    return Path.home() / ".cache" / "microgradnn"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download_verified(url: str, target: Path, expected_sha256: str) -> None:
    """Download url into target via a temporary file; rename only after the checksum matches.

    So an interrupted or corrupted download never leaves a file that looks complete.
    """
    descriptor, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=target.name + ".", suffix=".part"
    )
    try:
        digest = hashlib.sha256()
        with (
            os.fdopen(descriptor, "wb") as out,
            _urlopen(url, timeout=_DOWNLOAD_TIMEOUT) as response,
        ):
            for block in iter(lambda: response.read(1 << 16), b""):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != expected_sha256:
            raise DownloadError(
                f"{url} has SHA-256 {digest.hexdigest()}, expected {expected_sha256} "
                "(corrupted or changed file; nothing was saved)"
            )
        os.replace(temp_name, target)
    finally:
        if os.path.exists(temp_name):
            os.remove(temp_name)


def _fetch(dataset: str, filename: str, cache_dir, download: bool) -> Path:
    source = REMOTE_DATASETS[dataset]
    expected = source["sha256"][filename]
    folder = data_home(cache_dir) / dataset
    target = folder / filename
    if target.exists():
        if _sha256(target) == expected:
            return target
        target.unlink()  # a damaged cached file: fetch it again
    if not download:
        raise FileNotFoundError(
            f"{target} is missing; call with download=True or put the file there by hand"
        )
    folder.mkdir(parents=True, exist_ok=True)
    errors = []
    for mirror in source["mirrors"]:
        try:
            print(f"Downloading {mirror}{filename} ...", flush=True)
            _download_verified(mirror + filename, target, expected)
            return target
        except (urllib.error.URLError, OSError) as error:  # includes DownloadError, timeouts
            errors.append(f"{mirror}: {error}")
    raise DownloadError(
        f"could not download {filename} of {source['title']}.\n  "
        + "\n  ".join(errors)
        + f"\nAre you offline? Download the file by hand into {folder} (or set MICROGRADNN_DATA"
        " to a folder that has it) and try again; the bundled load_digits() needs no network."
    )


_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzip-compressed or not, into a numpy array.

    The header is two zero bytes, a type code (0x08 = unsigned byte), the number of
    dimensions, then each dimension as a big-endian 32-bit integer; the data follows.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "tiny-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]))  # 3 labels: 7, 8, 9
    >>> read_idx(path).tolist()
    [7, 8, 9]
    """
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad header {raw[:4]!r})")
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header_size != expected:
        raise ValueError(
            f"{path} is truncated or damaged: header says shape {shape} ({expected} bytes), "
            f"found {len(raw) - header_size} bytes"
        )
    return (
        np.frombuffer(raw, dtype=dtype, offset=header_size)
        .reshape(shape)
        .astype(dtype.newbyteorder("="))
    )


def _load_idx_dataset(dataset: str, cache_dir, download: bool):
    paths = [_fetch(dataset, name, cache_dir, download) for name in _IDX_FILES]
    x_train, y_train, x_test, y_test = (read_idx(path) for path in paths)
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64))


def load_mnist(cache_dir: str | os.PathLike | None = None, download: bool = True):
    """MNIST handwritten digits, downloaded on first use (about 11 MB) and cached.

    Returns ``(x_train, y_train), (x_test, y_test)`` like Keras: images (60000, 28, 28) and
    (10000, 28, 28) as uint8 0..255 (divide by 255.0 before training), labels int64 0..9.
    Files are checked against their SHA-256 and saved in ``data_home(cache_dir)/mnist``.
    Offline, this raises :class:`DownloadError` with what to do.

    >>> (x_train, y_train), (x_test, y_test) = load_mnist()  # doctest: +SKIP
    """
    return _load_idx_dataset("mnist", cache_dir, download)


def load_fashion_mnist(cache_dir: str | os.PathLike | None = None, download: bool = True):
    """Fashion-MNIST (Zalando clothing images, 10 classes), same shapes and rules as MNIST.

    Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
    7 Sneaker, 8 Bag, 9 Ankle boot.

    >>> (x_train, y_train), (x_test, y_test) = load_fashion_mnist()  # doctest: +SKIP
    """
    return _load_idx_dataset("fashion_mnist", cache_dir, download)


# --- helpers --------------------------------------------------------------------------------
def _unknown_name(kind: str, name, known) -> str:
    from microgradnn.errors import unknown_name

    return unknown_name(kind, name, known)
