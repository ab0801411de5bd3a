"""Reductions: sum, mean and max over axes (Tensor only)."""

from __future__ import annotations

import math as _math

import numpy as np

from microgradnn.ops.arrays import reduced_shape as _reduced_shape
from microgradnn.ops.base import Op


class Sum(Op):
    """Sum over ``axis`` (all axes when None). Each input element gets the upstream grad."""

    name, symbol = "sum", "Σ"
    engines = ("tensor",)

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, m, a):
        return a.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, m, g, out, xs, needs):
        shape = m.shape(xs[0])
        return (m.broadcast_to(m.keep_reduced_dims(g, shape, self.axis, self.keepdims), shape),)


class Mean(Sum):
    """Average over ``axis`` (all axes when None): sum / n.  Each input element gets g / n.

    The same numbers as a ``sum`` node followed by a multiplication by 1/n, in one node
    (every mean loss ends with it): forward and backward are Sum's, scaled by 1/n.
    """

    name, symbol = "mean", "mean"

    def forward(self, m, a):
        if a.size == 0:
            return a.mean(axis=self.axis, keepdims=self.keepdims)  # nan, as numpy says
        # sum / n; np.add.reduce is a.sum() without numpy's Python-level wrapper (faster)
        total = np.add.reduce(a, axis=self.axis, keepdims=self.keepdims)
        return total * (np.size(total) / a.size)

    def backward(self, m, g, out, xs, needs):
        (spread,) = super().backward(m, g, out, xs, needs)  # g copied to every element
        in_size, out_size = _math.prod(m.shape(xs[0])), _math.prod(m.shape(out))
        return (spread * (out_size / in_size if in_size else 0.0),)  # times 1/n


class Max(Op):
    """Max over ``axis``. The gradient goes to the maximal entries (shared equally on ties)."""

    name = "max"
    engines = ("tensor",)

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, m, a):
        return a.max(axis=self.axis, keepdims=self.keepdims)

    def backward(self, m, g, out, xs, needs):
        a = m.raw(xs[0])
        peak = m.raw(out)  # the forward's result: no second pass over a to find the max
        if not self.keepdims:
            peak = np.reshape(peak, _reduced_shape(a.shape, self.axis))
        winners = a == peak  # a boolean mask: g * mask keeps g's dtype
        g_full = m.keep_reduced_dims(g, a.shape, self.axis, self.keepdims)
        if np.count_nonzero(winners) != peak.size:  # ties (e.g. zeros after a ReLU), or NaN
            # split g equally between tied maxima: divide the (small) reduced g by the count
            ties = np.add.reduce(winners, axis=self.axis, keepdims=True, dtype=a.dtype)
            g_full = g_full / m.constant(np.maximum(ties, 1), xs[0])
        return (g_full * m.constant(winners, xs[0]),)
