"""A scalar neuron's weighted sum as one node."""

from __future__ import annotations

import functools
import itertools
import operator

from microgradnn.kernels.base import Kernel


class Dot(Kernel):
    """w . x + b = w_1 x_1 + ... + w_n x_n + b: a neuron's weighted sum as ONE node.

    d/dw_i = x_i,  d/dx_i = w_i,  d/db = 1. The same math as n multiplications and n
    additions, but one graph node instead of 2n, which makes scalar networks much faster
    and their pictures much smaller. Parents are ``(w_1..w_n, x_1..x_n[, b])``.
    """

    name = "dot"
    symbol = "Σwx"
    engines = ("value",)

    def __init__(self, n: int, has_bias: bool):
        self.n, self.has_bias = n, has_bias

    @property
    def display(self) -> str:
        return "Σ wᵢxᵢ + b" if self.has_bias else "Σ wᵢxᵢ"

    def forward(self, m, *xs):
        n = self.n
        start = xs[2 * n] if self.has_bias else 0.0
        return sum(map(operator.mul, xs[:n], xs[n : 2 * n]), start)  # b + Σ w_i x_i, in C

    def backward(self, m, g, out, xs, needs):
        weights, inputs = xs[: self.n], xs[self.n : 2 * self.n]
        # d/dw_i = g x_i and d/dx_i = g w_i: map over an endless repeat of g, a loop in C
        grads = [*map(operator.mul, itertools.repeat(g), inputs)]
        grads += map(operator.mul, itertools.repeat(g), weights)
        if self.has_bias:
            grads.append(g)  # d/db = 1
        return grads

    def reference(self, *inputs):
        """n multiplications and n additions (``nn.MLP(..., fused=False)`` draws these)."""
        n = self.n
        total = inputs[2 * n] if self.has_bias else None
        for w, x in zip(inputs[:n], inputs[n : 2 * n]):
            total = w * x if total is None else total + w * x
        return total


@functools.cache
def dot_op(n: int, has_bias: bool) -> Dot:
    """The one ``Dot`` of this width that all such nodes share. An op holds no per-node
    state, and scalar graphs have tens of thousands of nodes: a fresh op object each would
    cost ~100 bytes more per node than the node itself.

    >>> dot_op(3, True) is dot_op(3, True), dot_op(3, True).display
    (True, 'Σ wᵢxᵢ + b')
    """
    return Dot(n, has_bias)
