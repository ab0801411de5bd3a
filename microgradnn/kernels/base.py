"""What every fused kernel shares: a ``reference`` composite and, for some, a saved value."""

from __future__ import annotations

from microgradnn.ops.base import Op


class Kernel(Op):
    """A fused op: several primitives computed as one node, for speed, never for new math.

    Every kernel names its ``reference(*inputs)``: the same computation built from
    primitive ops on the given graph nodes. A test checks each kernel against its reference
    (value, gradient and second derivative), and pictures can draw a kernel node as its
    reference composite (``viz.draw(root, expand=True)``).
    """

    def reference(self, *inputs):
        """The composite of primitives this kernel must equal, applied to ``inputs``."""
        raise NotImplementedError(f"kernel {self.name!r} does not define its reference")


class SavesForBackward:
    """For ops whose forward pass computes something their backward pass needs again (what
    PyTorch calls saving a tensor for backward), e.g. the softmax inside a cross-entropy.

    The value is kept with the output it was computed for and handed back only to the
    backward pass of that very output. An op object used for a second node, or a backward
    pass recorded as a graph (``create_graph=True``, where ``out`` is a node, so that the
    value must be built from nodes), gets None and computes the value afresh.

    >>> import numpy as np
    >>> from microgradnn.backends import ArrayMath
    >>> from microgradnn.kernels import LstmOutput
    >>> op = LstmOutput()                    # h' = o * tanh(c') keeps tanh(c')
    >>> h = op.forward(ArrayMath, np.full((1, 4), 0.5), np.zeros((1, 1)))
    >>> op.saved_for(h), op.saved_for(h.copy())
    (array([[0.]]), None)
    """

    saved = (None, None)  # (output, value) of the last forward pass

    def save_for_backward(self, out, value):
        """Keep ``value`` for the backward pass of ``out``; returns ``out``."""
        self.saved = (out, value)
        return out

    def saved_for(self, out):
        """The value saved with ``out`` by the forward pass, or None."""
        saved_out, value = self.saved
        return value if out is saved_out else None
