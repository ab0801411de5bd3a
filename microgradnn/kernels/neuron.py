"""A scalar neuron's weighted sum as one node."""

from __future__ import annotations

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
        total = xs[2 * n] if self.has_bias else 0.0
        for w, x in zip(xs[:n], xs[n : 2 * n]):
            total = total + w * x
        return total

    def backward(self, m, g, out, xs, needs):
        n = self.n
        grads = [g * x for x in xs[n : 2 * n]] + [g * w for w in xs[:n]]
        if self.has_bias:
            grads.append(g)
        return grads

    def reference(self, *inputs):
        """n multiplications and n additions (``nn.MLP(..., fused=False)`` draws these)."""
        n = self.n
        total = inputs[2 * n] if self.has_bias else None
        for w, x in zip(inputs[:n], inputs[n : 2 * n]):
            total = w * x if total is None else total + w * x
        return total
