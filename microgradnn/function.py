"""``Function``: the public way to define an op of your own, in PyTorch's shape.

Write the forward computation and its derivative as two static methods; ``apply`` puts
the op into the graph of ``Value`` or ``Tensor`` nodes like any built-in op:

>>> from microgradnn import Function, Value
>>> class Cube(Function):
...     '''x³.  d(x³)/dx = 3x²'''
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, grad_output):
...         (x,) = ctx.saved_tensors
...         return 3 * x ** 2 * grad_output
>>> x = Value(2.0)
>>> y = Cube.apply(x); y.backward()
>>> y.data, x.grad, y.op.name
(8.0, 12.0, 'Cube')

``forward`` receives the inputs' numbers (a float for ``Value``, a numpy array for
``Tensor``) and returns the output's numbers. ``backward`` receives d(loss)/d(output) and
returns d(loss)/d(input) for each input (a tuple when there are several; None means no
gradient). The engine undoes broadcasting, so a gradient may have the output's shape.

Second derivatives: with ``backward(create_graph=True)``, ``grad_output`` and
``ctx.saved_tensors`` are graph nodes, so a ``backward`` written with operators
(``+ - * / **``) and node methods (``.exp()``, ``.tanh()``) builds a graph that can be
differentiated again. numpy functions (``np.cos``) give first derivatives only.
Check a new op with :func:`microgradnn.testing.check_function`.
"""

from __future__ import annotations

import numbers

import numpy as np

from microgradnn.engine import Node, apply
from microgradnn.ops.base import Op


class Context:
    """What ``forward`` leaves for ``backward`` (PyTorch calls it ``ctx``).

    >>> ctx = Context(); ctx.save_for_backward(2.0, 3.0); ctx.saved_tensors
    (2.0, 3.0)
    """

    def __init__(self):
        self._saved: tuple = ()
        self._as_nodes = None  # set during a create_graph=True backward: data -> node
        #: one flag per input: does it need a gradient? (skip work for those that do not)
        self.needs_input_grad: tuple = ()

    def save_for_backward(self, *values) -> None:
        """Keep inputs, the output or any intermediate numbers for ``backward``."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple:
        """What ``save_for_backward`` kept (as graph nodes when the backward is recorded)."""
        if self._as_nodes is None:
            return self._saved
        return tuple(self._as_nodes(value) for value in self._saved)


class Function:
    """Base class of user-defined ops: subclass it, write ``forward`` and ``backward``
    as static methods, and call ``MyOp.apply(*nodes)`` (see the module docstring).
    """

    @staticmethod
    def forward(ctx: Context, *inputs):
        """Compute the output's numbers from the inputs' numbers."""
        raise NotImplementedError("a Function needs a static forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Context, grad_output):
        """Return d(loss)/d(input) for each input, given d(loss)/d(output)."""
        raise NotImplementedError("a Function needs a static backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *inputs):
        """Run the op on ``Value`` or ``Tensor`` nodes (numbers become constants).

        >>> from microgradnn import Function, Tensor
        >>> class Double(Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         return 2 * x
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         return 2 * g
        >>> Double.apply(Tensor([1.0, 2.0])).data
        array([2., 4.])
        """
        return apply(FunctionOp(cls), _as_nodes(cls, inputs))


class FunctionOp(Op):
    """The graph op behind one application of a :class:`Function` (one per node: it keeps
    that node's ``ctx``). Pictures show the Function's class name."""

    def __init__(self, function: type[Function]):
        self.function, self.name, self.ctx = function, function.__name__, Context()

    def forward(self, m, *xs):
        self._inputs = xs
        out = self.function.forward(self.ctx, *xs)
        self._output = out = _as_data(out, xs, f"{self.name}.forward")
        return out

    def backward(self, m, g, out, xs, needs):
        ctx = self.ctx
        ctx.needs_input_grad = tuple(needs)
        recording = isinstance(out, Node)  # create_graph=True: formulas on nodes
        ctx._as_nodes = self._node_for(xs, out) if recording else None
        try:
            grads = self.function.backward(ctx, g)
        finally:
            ctx._as_nodes = None
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) != len(xs):
            raise TypeError(
                f"{self.name}.backward returned {len(grads)} gradient(s) for {len(xs)} "
                "input(s): return one per input of forward (None for no gradient)"
            )
        return tuple(
            _gradient(d, x, need, self.name, i)
            for i, (d, x, need) in enumerate(zip(grads, xs, needs))
        )

    def _node_for(self, parents, out):
        """Map a saved number back to its node: an input, the output, or a constant."""
        known = [(data, node) for data, node in zip(self._inputs, parents)]
        known.append((self._output, out))

        def as_node(value):
            for data, node in known:
                if value is data:
                    return node
            return type(out)(value, requires_grad=False)

        return as_node


def _as_nodes(function, inputs) -> tuple:
    kinds = [type(x) for x in inputs if isinstance(x, Node)]
    if not kinds:
        raise TypeError(
            f"{function.__name__}.apply needs at least one Value or Tensor input, "
            f"got {[type(x).__name__ for x in inputs]}"
        )
    kind = kinds[0]
    return tuple(x if isinstance(x, Node) else kind(x, requires_grad=False) for x in inputs)


def _as_data(out, xs, where: str):
    """The output as the front end's data type: a float, or an array of the inputs' dtype."""
    if isinstance(out, Node):
        raise TypeError(
            f"{where} returned a {type(out).__name__}; it works on numbers: return "
            "plain floats or numpy arrays (use .data of a node)"
        )
    if isinstance(xs[0], float):
        if not isinstance(out, numbers.Real) and np.size(out) != 1:
            raise TypeError(f"{where} must return one number for Value inputs, got {out!r}")
        return float(out)
    return np.asarray(out, dtype=np.result_type(*[np.asarray(x).dtype for x in xs]))


def _gradient(d, x, need: bool, name: str, position: int):
    """One input's gradient, checked; None becomes zeros when the input needs one."""
    if not need:
        return None
    if d is None:
        data = getattr(x, "data", x)
        return 0.0 if isinstance(data, float) else np.zeros_like(data)
    if isinstance(x, Node) or isinstance(d, Node):
        return d  # recorded backward: the engine checks shapes as it unbroadcasts
    if isinstance(x, float):
        return float(d)
    d = np.asarray(d, dtype=x.dtype)
    if np.broadcast_shapes(d.shape, x.shape) != d.shape:
        raise ValueError(
            f"{name}.backward: the gradient for input {position} has shape {d.shape}, "
            f"which does not match the input's shape {x.shape}"
        )
    return d
