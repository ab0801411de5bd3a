"""A dense layer's ``x @ W + b`` as one node."""

from __future__ import annotations

from microgradnn import ops
from microgradnn.kernels.base import Kernel


class Affine(Kernel):
    """x @ W + b: what a dense layer computes, as one node.

    d/dx = g @ W^T,   d/dW = x^T @ g,   d/db = g summed over the batch.

    The same numbers as a ``matmul`` node followed by an ``add`` node, one node fewer per
    layer (the engine sums the bias gradient over the batch, as for any broadcast ``+``).
    Parents are ``(x, W)`` or ``(x, W, b)``; x has at least two axes (a batch of rows).
    """

    name, symbol = "affine", "xW+b"
    engines = ("tensor",)

    def forward(self, m, x, w, b=None):
        z = m.matmul(x, w)
        if b is not None:
            z += b  # in place: z is a fresh array, so this saves one allocation
        return z

    def backward(self, m, g, out, xs, needs):
        dx, dw = ops.MATMUL.backward(m, g, out, xs[:2], needs[:2])  # the matmul rule for x @ W
        return (dx, dw, g)[: len(xs)]  # and b gets g (the engine sums it over the batch)

    def reference(self, x, w, b=None):
        """A ``matmul`` node, then an ``add`` node for the bias."""
        z = x @ w
        return z if b is None else z + b
