"""Toy data sets to learn on: 2-D classification sets and 1-D regression curves.

Every generator takes a ``seed`` and returns numpy arrays ``x`` (samples first) and ``y``
(integer class labels, or targets for regression), so the same call always gives the same data.

>>> x, y = make_moons(200, noise=0.1, seed=0)
>>> x.shape, y.shape, sorted(set(y.tolist()))
((200, 2), (200,), [0, 1])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from microgradnn.data.checks import check_count, even_sizes
from microgradnn.errors import unknown_name
from microgradnn.seeding import as_rng

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
]


def _shuffled(x: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    # Generators build class by class; shuffling mixes the classes so that any slice of the
    # data (a batch, a split) contains all of them.
    order = rng.permutation(len(x))
    return x[order], y[order]


# --- toy classification sets ----------------------------------------------------------------
def make_moons(n: int = 200, noise: float = 0.1, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles ("two moons"), a classic non-linear binary problem.

    Class 0 is the upper arc centred at (0, 0), class 1 the lower arc centred at (1, 0.5).
    ``noise`` is the standard deviation of Gaussian jitter added to each point.

    >>> x, y = make_moons(100, noise=0.0, seed=1)
    >>> x.shape, int(y.sum())
    ((100, 2), 50)
    """
    n = check_count(n, 2)
    rng = as_rng(seed)
    n_upper, n_lower = even_sizes(n, 2)
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
    n = check_count(n, 2)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor (inner radius / outer radius) must be in (0, 1), got {factor}")
    rng = as_rng(seed)
    n_outer, n_inner = even_sizes(n, 2)
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
    n = check_count(n, 2)
    classes = check_count(classes, 2, "classes")
    rng = as_rng(seed)
    sizes = even_sizes(n, classes)
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
    n = check_count(n, 1)
    rng = as_rng(seed)
    if isinstance(centers, (int, np.integer)):
        count = check_count(centers, 1, "centers")
        centre_array = rng.uniform(box[0], box[1], (count, check_count(n_features, 1)))
    else:
        centre_array = np.asarray(centers, dtype=np.float64)
        if centre_array.ndim != 2:
            raise ValueError(
                f"centers must be a count or a 2-D list, got shape {centre_array.shape}"
            )
    sizes = even_sizes(n, len(centre_array))
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
    n = check_count(n, 1)
    if name == "spiral":
        return make_spirals(n, classes=2, noise=noise, turns=1.0, seed=seed)
    rules = _classic_rules()
    if name not in rules:
        raise ValueError(unknown_name("classic data set", name, CLASSIC_SETS))
    label_rule, distance = rules[name]
    rng = as_rng(seed)
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
    n = check_count(n, 1)
    if callable(curve):
        function, default_range = curve, (-1.0, 1.0)
    elif curve in REGRESSION_CURVES:
        function, default_range = REGRESSION_CURVES[curve]
    else:
        raise ValueError(unknown_name("curve", curve, REGRESSION_CURVES))
    low, high = x_range if x_range is not None else default_range
    rng = as_rng(seed)
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
