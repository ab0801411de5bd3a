"""One LSTM step in three nodes instead of ~17 (Tensor only).

Built from primitives a step is two matmuls, adds, four gate slices, σ σ tanh σ and
products; for small float32 arrays their Python cost is most of the training time. These
kernels compute the same numbers:

    gates = [i, f, g, o] = [σ(z_i), σ(z_f), tanh(z_g), σ(z_o)]    z = x W_ih + h W_hh + b
    c'    = f * c + i * g                                          (LstmMemory)
    h'    = o * tanh(c')                                           (LstmOutput)

The gate blocks sit side by side on the last axis in PyTorch's order i, f, g, o.
"""

from __future__ import annotations

import numpy as np

from microgradnn import ops
from microgradnn.backends import GraphMath
from microgradnn.kernels.base import Kernel, SavesForBackward
from microgradnn.kernels.gates import (
    _gate_blocks,
    _lstm_gate_scales,
    _tanh_block,
    _units,
)


class LstmGates(Kernel):
    """All four LSTM gates of one time step, from the inputs and weights, in one node.

    Inputs: x (N, F), W_ih (F, 4H), h (N, H), W_hh (H, 4H) and optionally b (4H,).

        z     = x W_ih + h W_hh + b
        gates = [i, f, g, o] = [σ(z_i), σ(z_f), tanh(z_g), σ(z_o)]        shape (N, 4H)

    Derivatives. σ' = σ (1 - σ) and tanh' = (1 - tanh)(1 + tanh) are one formula of the
    output: (1 - gates) (gates + t) with t = 1 on the g block and t = 0 on the others. The
    rest is the matmul rule (as in :class:`MatMul`):

        dz    = grad * (1 - gates) * (gates + t)
        dx    = dz W_ihᵀ,   dW_ih = xᵀ dz,   dh = dz W_hhᵀ,   dW_hh = hᵀ dz,   db = dz

    (the engine sums db over the batch, as for any broadcast add).

    >>> from microgradnn.backends import ArrayMath
    >>> x, w = np.zeros((1, 1)), np.ones((1, 4))        # one unit: gates i, f, g, o
    >>> LstmGates().forward(ArrayMath, x, w, np.zeros((1, 1)), w)
    array([[0.5, 0.5, 0. , 0.5]])
    """

    name = "lstm_gates"
    engines = ("tensor",)

    def forward(self, m, x, w_ih, h, w_hh, *bias):
        z = m.matmul(x, w_ih)
        z += m.matmul(h, w_hh)  # z is a new array: adding in place saves a copy
        if bias:
            z += bias[0]
        # all four gates with one tanh, in place: σ(z) = tanh(z/2)/2 + 1/2 on the i, f, o
        # blocks and tanh(z) on the g block (four whole-array operations cost less than
        # one set per block); the scales check that z has four equal gate blocks
        scale, offset = _lstm_gate_scales(z.shape[-1], z.dtype)
        z *= scale
        np.tanh(z, out=z)
        z *= scale
        z += offset
        return z

    def backward(self, m, grad, out, xs, needs):
        x, w_ih, h, w_hh = xs[:4]  # xs[4] is b when there is one: its share is dz
        shift = _tanh_block(m.shape(out)[-1], m.raw(out).dtype)  # t: 1 on g, 0 elsewhere
        dz = 1 - out  # a new array (or node): the products below may go in place
        dz *= out + m.constant(shift, out)
        dz *= grad
        # z = x W_ih + h W_hh + b: the matmul rule for each product, and dz for b
        dx, dw_ih = ops.MATMUL.backward(m, dz, None, (x, w_ih), needs[0:2])
        dh, dw_hh = ops.MATMUL.backward(m, dz, None, (h, w_hh), needs[2:4])
        bias_share = (dz if needs[4] else None,) if len(needs) > 4 else ()
        return (dx, dw_ih, dh, dw_hh) + bias_share

    def reference(self, x, w_ih, h, w_hh, *bias):
        """Two matmuls, the bias, four gate slices, σ σ tanh σ, joined again."""
        z = x @ w_ih + h @ w_hh
        z = z + bias[0] if bias else z
        i, f, g, o = _gate_blocks(GraphMath, z)
        return ops.Concatenate(-1).apply(i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid())


class LstmMemory(Kernel):
    """The new LSTM memory from the gates (N, 4H) and the old memory c (N, H):

        c' = f * c + i * g

    Derivatives, one product rule per term:

        dc'/di = g,   dc'/df = c,   dc'/dg = i,   dc'/do = 0,   dc'/dc = f

    so the gates receive the four blocks [g, c, i, 0] * grad, side by side:

    >>> from microgradnn.backends import ArrayMath
    >>> gates = np.array([[0.5, 0.25, -0.5, 0.75]])        # i, f, g, o of one unit
    >>> c = np.array([[4.0]])
    >>> LstmMemory().forward(ArrayMath, gates, c)           # 0.25 * 4 + 0.5 * (-0.5)
    array([[0.75]])
    >>> LstmMemory().backward(ArrayMath, np.ones((1, 1)), None, (gates, c), (True, True))
    (array([[-0.5,  4. ,  0.5,  0. ]]), array([[0.25]]))
    """

    name = "lstm_memory"
    symbol = "f·c + i·g"
    engines = ("tensor",)

    def forward(self, m, gates, c):
        units = _units(self.name, gates, c)
        i, f = gates[..., :units], gates[..., units : 2 * units]
        g = gates[..., 2 * units : 3 * units]
        return f * c + i * g

    def backward(self, m, grad, out, xs, needs):
        gates, c = xs
        i, f, g, _ = _gate_blocks(m, gates)
        d_gates = None
        if needs[0]:
            d_gates = m.blocks([grad * g, grad * c, grad * i, None], c)
        return d_gates, (grad * f if needs[1] else None)

    def reference(self, gates, c):
        """Slices of the gates, two products and a sum."""
        i, f, g, _ = _gate_blocks(GraphMath, gates)
        return f * c + i * g


class LstmOutput(SavesForBackward, Kernel):
    """The new LSTM hidden state from the gates (N, 4H) and the new memory c' (N, H):

        h' = o * tanh(c')

    Derivatives:

        dh'/do = tanh(c'),   dh'/dc' = o (1 - tanh(c')²),   dh'/di = dh'/df = dh'/dg = 0

    so the gates receive the blocks [0, 0, 0, tanh(c') * grad].

    The forward pass computes tanh(c') anyway, so the op keeps it for the backward pass of
    the same output (use one op object per node, as ``lstm_cell`` does, to reuse it).

    >>> from microgradnn.backends import ArrayMath
    >>> gates = np.array([[0.5, 0.25, -0.5, 0.75]])        # i, f, g, o of one unit
    >>> LstmOutput().forward(ArrayMath, gates, np.zeros((1, 1)))   # 0.75 * tanh(0)
    array([[0.]])
    """

    name = "lstm_output"
    symbol = "o·tanh(c)"
    engines = ("tensor",)

    def forward(self, m, gates, c):
        units = _units(self.name, gates, c)
        tanh_c = m.tanh(c)
        return self.save_for_backward(gates[..., 3 * units :] * tanh_c, tanh_c)

    def backward(self, m, grad, out, xs, needs):
        gates, c = xs
        units = m.shape(c)[-1]
        o = m.getitem(gates, (..., slice(3 * units, 4 * units)))
        tanh_c = self.saved_for(out)  # the forward's tanh(c'), or (graph nodes) a new one
        if tanh_c is None:
            tanh_c = m.tanh(c)
        d_gates = None
        if needs[0]:
            d_gates = m.blocks([None, None, None, grad * tanh_c], c)  # [0, 0, 0, do]
        return d_gates, (grad * (o * (1 - tanh_c * tanh_c)) if needs[1] else None)

    def reference(self, gates, c):
        """The o slice of the gates times tanh(c')."""
        return _gate_blocks(GraphMath, gates)[3] * c.tanh()
