"""Operator sugar shared by ``Value`` and ``Tensor``: ``a + b`` calls the op table's ``ADD``.

Each front end says how to turn the other operand into a node (``_binary``) and how to apply
a one-input op (``_unary``); the derivatives live in the op table (:mod:`microgradnn.ops`).
"""

from __future__ import annotations

from microgradnn import ops


class Operators:
    """Arithmetic operators and elementwise functions, as methods of a graph node."""

    __slots__ = ()

    def __add__(self, other):
        return self._binary(ops.ADD, other)

    def __radd__(self, other):
        return self._binary(ops.ADD, other, reflected=True)

    def __sub__(self, other):
        return self._binary(ops.SUB, other)

    def __rsub__(self, other):
        return self._binary(ops.SUB, other, reflected=True)

    def __mul__(self, other):
        return self._binary(ops.MUL, other)

    def __rmul__(self, other):
        return self._binary(ops.MUL, other, reflected=True)

    def __truediv__(self, other):
        return self._binary(ops.DIV, other)

    def __rtruediv__(self, other):
        return self._binary(ops.DIV, other, reflected=True)

    def __neg__(self):
        return self._unary(ops.NEG)

    def __pos__(self):
        return self

    def exp(self):
        """e**x (inf on overflow, no warning); elementwise on a Tensor.

        >>> from microgradnn import Value
        >>> Value(0.0).exp().data
        1.0
        """
        return self._unary(ops.EXP)

    def log(self):
        """Natural log; log(0) = -inf; negative input raises ValueError.

        >>> from microgradnn import Value
        >>> Value(1.0).log().data
        0.0
        """
        return self._unary(ops.LOG)

    def sqrt(self):
        """Square root; negative input raises ValueError.

        >>> from microgradnn import Value
        >>> Value(9.0).sqrt().data
        3.0
        """
        return self._unary(ops.SQRT)

    def tanh(self):
        """Hyperbolic tangent.

        >>> from microgradnn import Value
        >>> Value(0.0).tanh().data
        0.0
        """
        return self._unary(ops.TANH)

    def sigmoid(self):
        """Logistic sigmoid 1/(1+e^-x), stable for large |x| (0 and 1 at -/+1000).

        >>> from microgradnn import Value
        >>> Value(0.0).sigmoid().data
        0.5
        """
        return self._unary(ops.SIGMOID)

    def relu(self):
        """max(0, x); its derivative at the kink x = 0 is taken as 0.

        >>> from microgradnn import Value
        >>> Value(-3.0).relu().data
        0.0
        """
        return self._unary(ops.RELU)

    def abs(self):
        """|x|; its derivative at x = 0 is taken as 0.

        >>> from microgradnn import Value
        >>> Value(-3.0).abs().data
        3.0
        """
        return self._unary(ops.ABS)

    def __abs__(self):
        return self.abs()

    def sin(self):
        """Sine (radians).

        >>> from microgradnn import Value
        >>> Value(0.0).sin().data
        0.0
        """
        return self._unary(ops.SIN)

    def cos(self):
        """Cosine (radians).

        >>> from microgradnn import Value
        >>> Value(0.0).cos().data
        1.0
        """
        return self._unary(ops.COS)
