"""One GRU step in two nodes instead of ~15 (Tensor only). PyTorch's equations, gates r, z, n:

a = x W_ih + b_ih,   b = h W_hh + b_hh                       (both (N, 3H))
gates = [r, z, n] = [σ(a_r + b_r), σ(a_z + b_z), tanh(a_n + r * b_n)]   (GruGates)
h' = (1 - z) * n + z * h                                      (GruOutput)
"""

from __future__ import annotations

import numpy as np

from microgradnn import ops
from microgradnn.backends import GraphMath
from microgradnn.kernels.base import Kernel, SavesForBackward
from microgradnn.kernels.gates import (
    _block_width,
    _gate_blocks,
    _sigmoid_in_place,
    _units,
)


class GruGates(SavesForBackward, Kernel):
    """The three GRU gates of one time step, [r, z, n], from the inputs and weights, in one node.

    Inputs: x (N, F), W_ih (F, 3H), h (N, H), W_hh (H, 3H) and optionally b_ih, b_hh (3H,).

        a = x W_ih + b_ih,   b = h W_hh + b_hh
        r = σ(a_r + b_r),   z = σ(a_z + b_z),   n = tanh(a_n + r * b_n)

    The reset gate r scales the recurrent part b_n, bias included (as in PyTorch and Keras's
    ``reset_after=True``). Derivatives, from the upstream gradient [g_r, g_z, g_n]:

        dn = g_n (1 - n²)                       through the tanh
        dr = (g_r + dn * b_n) r (1 - r)         r also sits inside n, next to b_n
        dz = g_z z (1 - z)
        da = [dr, dz, dn],   db = [dr, dz, dn * r]

    and the matmul rule: dx = da W_ihᵀ, dW_ih = xᵀ da, db_ih = da; dh = db W_hhᵀ,
    dW_hh = hᵀ db, db_hh = db (the engine sums the bias gradients over the batch). The
    forward pass computes b_n anyway, so the op keeps it for the backward pass of the same
    output (one op object per node, as ``gru_cell`` does).

    >>> from microgradnn.backends import ArrayMath
    >>> x, w = np.zeros((1, 1)), np.ones((1, 3))        # one unit: gates r, z, n
    >>> GruGates().forward(ArrayMath, x, w, np.zeros((1, 1)), w)
    array([[0.5, 0.5, 0. ]])
    """

    name = "gru_gates"
    engines = ("tensor",)

    def forward(self, m, x, w_ih, h, w_hh, *biases):
        gates = m.matmul(x, w_ih)  # a: a new array, the gates are computed in place in it
        recurrent = m.matmul(h, w_hh)  # b
        if biases:
            gates += biases[0]
            recurrent += biases[1]
        units = _block_width(gates.shape[-1], 3, self.name)
        reset_update = gates[..., : 2 * units]
        reset_update += recurrent[..., : 2 * units]
        _sigmoid_in_place(reset_update)  # r, z
        b_n = recurrent[..., 2 * units :]
        candidate = gates[..., 2 * units :]
        candidate += gates[..., :units] * b_n
        np.tanh(candidate, out=candidate)  # n
        return self.save_for_backward(gates, b_n)

    def backward(self, m, grad, out, xs, needs):
        x, w_ih, h, w_hh = xs[:4]
        r, z, n = _gate_blocks(m, out, 3)
        g_r, g_z, g_n = _gate_blocks(m, grad, 3)
        b_n = self.saved_for(out)  # h W_hn + b_hn from the forward, or (graph nodes) anew
        if b_n is None:
            b_n = self._recurrent_candidate(m, xs)
        dn = g_n * (1 - n * n)
        dr = (g_r + dn * b_n) * (r * (1 - r))
        dz = g_z * (z * (1 - z))
        da = m.blocks([dr, dz, dn], dn)
        db = m.blocks([dr, dz, dn * r], dn)
        dx, dw_ih = ops.MATMUL.backward(m, da, None, (x, w_ih), needs[0:2])
        dh, dw_hh = ops.MATMUL.backward(m, db, None, (h, w_hh), needs[2:4])
        biases = (da if needs[4] else None, db if needs[5] else None) if len(xs) > 4 else ()
        return (dx, dw_ih, dh, dw_hh) + biases

    @staticmethod
    def _recurrent_candidate(m, xs):
        """b_n = h W_hn + b_hn, the n block of h W_hh + b_hh."""
        h, w_hh = xs[2], xs[3]
        units = m.shape(w_hh)[-1] // 3
        n_block = (..., slice(2 * units, 3 * units))
        b_n = m.getitem(m.matmul(h, w_hh), n_block)
        return b_n + m.getitem(xs[5], n_block) if len(xs) > 4 else b_n

    def reference(self, x, w_ih, h, w_hh, *biases):
        """Two matmuls, biases, gate slices, σ σ tanh, joined again."""
        a, b = x @ w_ih, h @ w_hh
        if biases:
            a, b = a + biases[0], b + biases[1]
        a_r, a_z, a_n = _gate_blocks(GraphMath, a, 3)
        b_r, b_z, b_n = _gate_blocks(GraphMath, b, 3)
        r = (a_r + b_r).sigmoid()
        return ops.Concatenate(-1).apply(r, (a_z + b_z).sigmoid(), (a_n + r * b_n).tanh())


class GruOutput(Kernel):
    """The new GRU hidden state from the gates [r, z, n] (N, 3H) and the old state h (N, H):

        h' = (1 - z) * n + z * h            (z = 1 keeps the old state)

    Derivatives:  dh'/dz = h - n,   dh'/dn = 1 - z,   dh'/dh = z,   dh'/dr = 0,
    so the gates receive the blocks [0, (h - n) * grad, (1 - z) * grad].

    >>> from microgradnn.backends import ArrayMath
    >>> gates = np.array([[0.5, 0.25, -0.5]])          # r, z, n of one unit
    >>> GruOutput().forward(ArrayMath, gates, np.array([[2.0]]))   # 0.75 * (-0.5) + 0.25 * 2
    array([[0.125]])
    """

    name = "gru_output"
    symbol = "(1-z)·n + z·h"
    engines = ("tensor",)

    def forward(self, m, gates, h):
        units = _units(self.name, gates, h, blocks=3, state_name="state")
        z, n = gates[..., units : 2 * units], gates[..., 2 * units :]
        return (1 - z) * n + z * h

    def backward(self, m, grad, out, xs, needs):
        gates, h = xs
        _, z, n = _gate_blocks(m, gates, 3)
        d_gates = m.blocks([None, grad * (h - n), grad * (1 - z)], h) if needs[0] else None
        return d_gates, (grad * z if needs[1] else None)

    def reference(self, gates, h):
        """Slices of the gates, then (1 - z) n + z h."""
        _, z, n = _gate_blocks(GraphMath, gates, 3)
        return (1 - z) * n + z * h
