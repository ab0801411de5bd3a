"""Random numbers: every random choice in microgradnn comes from :func:`as_rng`.

Layers (initial weights, dropout masks), data generators, splits and ``fit`` (validation split,
batch order) all take a ``seed``. With a seed the choice repeats; with ``seed=None`` it comes
from fresh entropy, unless :func:`set_seed` was called: then it comes from one global stream,
so a whole script (build the model, split the data, train) repeats run after run.

>>> set_seed(0)
>>> first = as_rng(None).integers(1000), as_rng(None).integers(1000)
>>> set_seed(0)
>>> second = as_rng(None).integers(1000), as_rng(None).integers(1000)
>>> first == second
True
>>> set_seed(None)   # back to fresh entropy for seed=None
"""

from __future__ import annotations

import random

import numpy as np

__all__ = ["set_seed", "as_rng"]

# The global stream behind seed=None after set_seed(n); None means fresh entropy each time.
_global_stream: np.random.Generator | None = None


def set_seed(seed: int | None) -> None:
    """Make every later random choice repeatable (like ``keras.utils.set_random_seed``).

    Seeds microgradnn's own stream (used wherever ``seed=None`` is passed: layer weights,
    dropout, data generators, splits, ``fit``'s shuffling), numpy's legacy global generator
    (``np.random.rand`` and friends) and Python's ``random``. ``set_seed(None)`` goes back to
    fresh entropy. An explicit ``seed=`` argument always wins over the global seed.

    >>> from microgradnn import nn
    >>> set_seed(1); a = nn.Dense(2, 2).weight.data
    >>> set_seed(1); b = nn.Dense(2, 2).weight.data
    >>> bool((a == b).all())
    True
    >>> set_seed(None)
    """
    global _global_stream
    if seed is None:
        _global_stream = None
        return
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"set_seed needs a non-negative integer (or None), got {seed!r}")
    _global_stream = np.random.default_rng(int(seed))
    np.random.seed(int(seed) % 2**32)
    random.seed(int(seed))


def as_rng(seed=None) -> np.random.Generator:
    """A numpy Generator from a seed (int), an existing Generator (returned as is), or None.

    ``None`` means fresh entropy, or, after :func:`set_seed`, the next generator drawn from
    the global stream (so each caller gets its own, repeatable, numbers).

    >>> bool(as_rng(0).integers(10) == as_rng(0).integers(10))
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None and _global_stream is not None:
        return np.random.default_rng(_global_stream.integers(2**63))
    return np.random.default_rng(seed)
