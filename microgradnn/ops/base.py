"""The base class of every primitive, and the table they register in."""

from __future__ import annotations

from microgradnn import engine

#: Every primitive (and every fused kernel), by name. Tests iterate over this table, so an
#: op added without a gradient test makes the test suite fail.
OP_TABLE: dict[str, type[Op]] = {}


class Op:
    """Base class of all primitives. ``name`` is used in errors and pictures.

    Each op is one line of a calculus table; for example the local derivatives of a * b at
    a = 3, b = 4 (upstream gradient 1) are (b, a):

    >>> from microgradnn.backends import ScalarMath
    >>> from microgradnn.ops import Mul
    >>> Mul().backward(ScalarMath, 1.0, 12.0, (3.0, 4.0), (True, True))
    (4.0, 3.0)
    """

    name = "op"
    symbol = None  # short form for pictures, e.g. "+" or "*"
    #: engines that provide this op: "value" (scalar), "tensor" (numpy) or both
    engines: tuple[str, ...] = ("value", "tensor")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:  # an abstract helper class (e.g. Kernel): no op
            return
        if cls.name in OP_TABLE:
            raise ValueError(f"op name {cls.name!r} is defined twice")
        OP_TABLE[cls.name] = cls

    def apply(self, *inputs):
        """Run this op on graph nodes (``Value`` or ``Tensor``) and return the result node.

        >>> from microgradnn import Value, ops
        >>> ops.ADD.apply(Value(1.0), Value(2.0)).data
        3.0
        """
        return engine.apply(self, inputs)

    def forward(self, m, *xs):
        raise NotImplementedError

    def backward(self, m, g, out, xs, needs):
        raise NotImplementedError

    @property
    def display(self) -> str:
        """Text shown for this op in a graph picture."""
        return self.symbol or self.name

    def __repr__(self) -> str:
        return f"<op {self.display}>"
