"""``Value``: a scalar (one float) that remembers how it was computed.

>>> from microgradnn import Value
>>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
>>> f = (x + y) * z
>>> f.backward()
>>> f.data, x.grad, y.grad, z.grad
(-12.0, -4.0, -4.0, 3.0)
"""

from __future__ import annotations

import functools
import numbers
import warnings

from microgradnn import kernels, ops
from microgradnn.backends import GraphMath, ScalarMath
from microgradnn.engine import Node, apply
from microgradnn.operators import Operators


def _check_number(data, what: str = "Value") -> float:
    if type(data) is float:  # the common case, checked first because it is cheap
        return data
    if isinstance(data, Node):
        raise TypeError(
            f"cannot make a {what} from a {type(data).__name__}; "
            "use it directly (or .detach() / .item() to get a plain number)"
        )
    if isinstance(data, bool) or not isinstance(data, numbers.Real):
        raise TypeError(
            f"{what} needs a real number (int or float), got {type(data).__name__} {data!r}"
        )
    return float(data)


class Value(Operators, Node):
    """A scalar node of the computation graph.

    Args:
        data: the number (int or float).
        label: a name shown in graph pictures, e.g. ``"x"``.
        requires_grad: whether backward should compute d(output)/d(this). True by default
            for values you create; constants mixed into expressions get False.

    >>> a = Value(3.0, label="a")
    >>> b = a * a + 1          # a graph of two operations
    >>> b.backward(); a.grad   # d(a^2 + 1)/da = 2a
    6.0
    """

    __slots__ = ()
    math = ScalarMath
    graph_math = GraphMath
    initial_grad = 0.0

    def __init__(self, data, label: str | None = None, requires_grad: bool = True):
        self._init_leaf(_check_number(data), label, requires_grad)

    def _seed_gradient(self, grad):
        return 1.0 if grad is None else _check_number(grad, "gradient")

    # --- operators ------------------------------------------------------------------------
    def _binary(self, op, other, reflected=False):
        other = as_value(other)
        parents = (other, self) if reflected else (self, other)
        return apply(op, parents)

    def __pow__(self, other):
        if isinstance(other, Value):
            return self._binary(ops.POW, other)
        return apply(_power_op(_check_number(other, "exponent")), (self,))

    def __rpow__(self, other):
        return self._binary(ops.POW, other, reflected=True)

    # --- comparisons look at the numbers only and build no graph -------------------------
    def __lt__(self, other):
        return self.data < _number(other)

    def __le__(self, other):
        return self.data <= _number(other)

    def __gt__(self, other):
        return self.data > _number(other)

    def __ge__(self, other):
        return self.data >= _number(other)

    # Equality: a Value is a graph NODE, so two Values are equal only if they are the same
    # node (``a == b`` is ``a is b``). Hashes are by identity too, so lists (``remove``,
    # ``in``), sets and dicts of Values behave even when two nodes hold the same number.
    # Compared with a plain number, ``==`` looks at the number (``v == 0.0``), like ``<``.
    def __eq__(self, other):
        if isinstance(other, Value):
            return self is other
        if isinstance(other, numbers.Real):
            return self.data == other
        return NotImplemented

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = Node.__hash__  # identity: two equal numbers are still two graph nodes

    def __float__(self):
        # math.exp(v), math.tanh(v), float(v) all land here and return a plain number with
        # no graph behind it: whatever is computed from it gets no gradient. Say so once.
        if self._requires_grad:
            warnings.warn(
                "float(v) turned a Value that needs a gradient into a plain number, so "
                "backward cannot reach it (math.exp(v), math.tanh(v), ... call float(v)). "
                "Use the Value methods, e.g. v.exp(), v.tanh(), v.log(), v.sin(); for the "
                "plain number use v.item() or v.data",
                UserWarning,
                stacklevel=2,
            )
        return self.data

    def item(self) -> float:
        """The plain Python float. ``Value(2.5).item()`` -> ``2.5``."""
        return self.data

    # --- functions ------------------------------------------------------------------------
    def _unary(self, op):
        return apply(op, (self,))

    def __repr__(self) -> str:
        parts = [f"data={self.data:.6g}", f"grad={_short(self.grad)}"]
        if self.label:
            parts.append(f"label={self.label!r}")
        if not self.is_leaf:
            parts.append(f"op={self.op.display!r}")
        return f"Value({', '.join(parts)})"


def dot(weights, inputs, bias=None) -> Value:
    """The weighted sum w . x + b as one graph node (see :class:`microgradnn.kernels.Dot`).

    Same value and gradients as ``sum(w * x for w, x in zip(weights, inputs)) + bias`` but
    2n times fewer nodes: this is what a neuron computes before its activation.

    >>> w = [Value(2.0), Value(-1.0)]
    >>> s = dot(w, [3.0, 4.0], Value(0.5))   # 2*3 - 1*4 + 0.5
    >>> s.data
    2.5
    >>> s.backward(); [wi.grad for wi in w]
    [3.0, 4.0]
    """
    weights = [as_value(w) for w in weights]
    inputs = [as_value(x) for x in inputs]
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot needs as many weights as inputs, got {len(weights)} and {len(inputs)}"
        )
    parents = weights + inputs
    if bias is not None:
        parents.append(as_value(bias))
    return apply(kernels.dot_op(len(weights), bias is not None), tuple(parents))


@functools.lru_cache(maxsize=256)
def _power_op(exponent: float) -> ops.PowConst:
    return ops.PowConst(exponent)


def _short(grad) -> str:
    return f"{grad:.6g}" if isinstance(grad, float) else repr(grad)


def _number(other) -> float:
    return other.data if isinstance(other, Value) else other


def as_value(other) -> Value:
    """A Value as it is; a plain number as a constant Value (no gradient).

    >>> as_value(2).requires_grad, as_value(2).data
    (False, 2.0)
    """
    if isinstance(other, Value):
        return other
    if type(other) is float or type(other) is int:  # a plain constant: skip the checks
        return Value(other, requires_grad=False)
    if isinstance(other, Node):
        raise TypeError(
            f"cannot mix Value and {type(other).__name__} in one expression; "
            "use Tensor for arrays (Tensor(value.data)) or Value for single numbers"
        )
    return Value(_check_number(other, "operand"), requires_grad=False)
