"""The graph core shared by :class:`~microgradnn.Value` and :class:`~microgradnn.Tensor`.

A computation is a directed acyclic graph of :class:`Node` objects. Each node remembers

* ``data``     -- its value (a float for ``Value``, a numpy array for ``Tensor``),
* ``grad``     -- d(output)/d(this node), filled in by :func:`backward`,
* ``parents``  -- the nodes it was computed from (an ordered tuple; ``a * a`` lists ``a`` twice),
* ``op``       -- the operation that produced it, see :mod:`microgradnn.ops`; a node nobody
  computed has ``None`` (a leaf that wants a gradient: a weight, an input variable) or
  :data:`CONSTANT` (data, or a result computed under :class:`no_grad`: no gradient needed),
* ``label``    -- an optional name used in pictures.

``requires_grad`` is read off ``op`` instead of being stored: a node with an op (or a
leaf with ``op=None``) needs a gradient, a ``CONSTANT`` does not. One slot less per node
keeps a scalar graph node at 144-152 bytes (see ``benchmarks/README.md``).

Backpropagation walks the graph once in reverse topological order and applies the chain
rule at every node: ``parent.grad += local_derivative * node.grad``. Every operation writes its
local derivative exactly once, in :mod:`microgradnn.ops`, using a small "math backend" object:

* with plain floats / numpy arrays for the usual fast backward pass, or
* with graph nodes themselves when ``create_graph=True``, so the backward pass is itself a
  differentiable graph and second derivatives come for free.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from microgradnn import ops

_grad_enabled = True
_anomaly_mode = False


def is_grad_enabled() -> bool:
    """Return True when operations record a graph (the default).

    >>> is_grad_enabled()
    True
    """
    return _grad_enabled


class _GradMode:
    """Context manager and decorator that switches graph recording on or off."""

    enabled = True

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.enabled
        return self

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with type(self)():
                return function(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Build no graph inside this block (for evaluation and parameter updates).

    >>> from microgradnn import Value
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * 2
    >>> y.requires_grad, y.parents
    (False, ())
    """

    enabled = False


class enable_grad(_GradMode):
    """Record a graph again inside a :class:`no_grad` block.

    >>> from microgradnn import Value
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = Value(2.0) * 3
    >>> y.requires_grad
    True
    """

    enabled = True


class detect_anomaly:
    """Stop at the first NaN: name the operation that produced it (forward or backward).

    Checking every result costs time, so this is off unless you ask for it.

    >>> from microgradnn import Value
    >>> with detect_anomaly():
    ...     Value(0.0) / 0.0
    Traceback (most recent call last):
    ...
    FloatingPointError: forward of op 'div' produced NaN (inputs: 0.0, 0.0)
    """

    def __enter__(self):
        global _anomaly_mode
        self._previous = _anomaly_mode
        _anomaly_mode = True
        return self

    def __exit__(self, *exc_info):
        global _anomaly_mode
        _anomaly_mode = self._previous
        return False


def _has_nan(x) -> bool:
    import numpy as np

    data = x.data if isinstance(x, Node) else x
    return bool(np.any(np.isnan(data)))


def _describe(values) -> str:
    import numpy as np

    parts = []
    for v in values:
        v = v.data if isinstance(v, Node) else v
        parts.append(repr(float(v)) if np.ndim(v) == 0 else f"array{np.shape(v)}")
    return ", ".join(parts)


def _check_forward(op, data, parents) -> None:
    if _has_nan(data) and not any(_has_nan(p.data) for p in parents):
        raise FloatingPointError(
            f"forward of op {op.name!r} produced NaN (inputs: {_describe(parents)})"
        )


def _check_backward(node, shares) -> None:
    for share in shares:
        if share is not None and _has_nan(share):
            raise FloatingPointError(
                f"backward of op {node.op.name!r} produced a NaN gradient for one of its "
                f"inputs (inputs: {_describe(node.parents)}, output: {_describe([node.data])})"
            )


class _Constant:
    """The marker in ``Node.op`` for nodes that need no gradient (see the module docstring)."""

    name = "constant"

    def __repr__(self) -> str:
        return "CONSTANT"


CONSTANT = _Constant()


class Node:
    """One value in a computation graph. Use the front ends ``Value`` or ``Tensor``.

    >>> from microgradnn import Value
    >>> x = Value(3.0, label="x"); y = x * x
    >>> y.op.name, [p.label for p in y.parents], y.requires_grad
    ('mul', ['x', 'x'], True)
    """

    __slots__ = ("data", "grad", "parents", "op", "label")

    #: The math backend used for forward and raw backward (set by each front end).
    math = None
    #: What ``grad`` holds before any backward pass (0.0 for Value, None for Tensor).
    initial_grad = None

    # --- building nodes ------------------------------------------------------------------
    @classmethod
    def _from_op(cls, op, parents: tuple) -> Node:
        """Run ``op`` forward on the parents' data and record the edge when needed."""
        # "p.op is not CONSTANT" is p.requires_grad without the cost of a property call.
        n = len(parents)
        if n == 2:  # unrolled for one and two inputs: this runs once per operation
            a, b = parents
            data = op.forward(cls.math, a.data, b.data)
            tracked = a.op is not CONSTANT or b.op is not CONSTANT
        elif n == 1:
            data = op.forward(cls.math, parents[0].data)
            tracked = parents[0].op is not CONSTANT
        else:
            data = op.forward(cls.math, *[p.data for p in parents])
            tracked = any([p.op is not CONSTANT for p in parents])
        if _anomaly_mode:
            _check_forward(op, data, parents)
        node = cls.__new__(cls)
        node.data = data
        node.grad = cls.initial_grad
        node.label = None
        if tracked and _grad_enabled:
            node.parents = parents
            node.op = op
        else:  # constants in, constant out: nothing to differentiate
            node.parents = ()
            node.op = CONSTANT
        return node

    def _init_leaf(self, data, label, requires_grad: bool) -> None:
        """Fill the slots of a node made by the user (called by the front ends' __init__)."""
        self.data = data
        self.grad = self.initial_grad
        self.parents = ()
        self.op = None if requires_grad else CONSTANT
        self.label = label

    def _seed_gradient(self, grad):
        raise NotImplementedError

    # --- operations shared by Value and Tensor ----------------------------------------
    # Each front end says how to turn the other operand into a node (``_binary``) and how
    # to apply a one-input op (``_unary``); the derivatives live in the op table (ops.py).
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

    # --- gradients -----------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """True when backward computes a gradient for this node (see the module docstring)."""
        return self.op is not CONSTANT

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if not self.is_leaf:
            raise ValueError(
                "requires_grad can only be changed on a leaf (a node you created); "
                "use .detach() to cut a computed result off the graph"
            )
        self.op = None if flag else CONSTANT

    @property
    def is_leaf(self) -> bool:
        """True for nodes no recorded operation produced (weights, inputs, constants)."""
        return self.op is None or self.op is CONSTANT

    def zero_grad(self) -> None:
        """Reset this node's ``grad`` to zero (gradients accumulate across backward calls)."""
        self.grad = self.initial_grad

    def backward(self, grad=None, *, create_graph: bool = False, retain_graph: bool = True):
        """Backpropagate from this node: fill ``.grad`` of every node it depends on.

        Gradients *accumulate* (``+=``), as in PyTorch: calling ``backward`` twice doubles
        them. Call :meth:`zero_grad` (or an optimizer's ``zero_grad``) between steps.

        Args:
            grad: upstream gradient d(loss)/d(this node). Optional for a scalar (defaults to
                1); required for a non-scalar Tensor.
            create_graph: record the backward pass as a graph so the gradients can be
                differentiated again (second derivatives, gradient penalties).
            retain_graph: keep the graph after backward (default True, so you can draw it or
                call backward again). ``False`` cuts every edge to free memory at once.

        >>> from microgradnn import Value
        >>> x = Value(3.0); y = x * x
        >>> y.backward(); x.grad
        6.0
        """
        backward(self, grad, create_graph=create_graph, retain_graph=retain_graph)

    def detach(self):
        """Return a new leaf with the same data that is cut off from the graph.

        >>> from microgradnn import Value
        >>> Value(2.0).detach().requires_grad
        False
        """
        return type(self)(self.data, requires_grad=False)


def topological_order(*roots: Node) -> list[Node]:
    """Nodes that the roots depend on (and that need gradients), parents before children.

    Iterative depth-first search, so a chain a million nodes deep does not hit Python's
    recursion limit. Several roots share one search (a node reached twice is listed once).

    >>> from microgradnn import Value
    >>> x = Value(1.0, label="x"); y = (x + 1) * x
    >>> [n.label or n.op.name for n in topological_order(y)]
    ['x', 'add', 'mul']
    """
    order: list[Node] = []
    # Nodes hash by identity, so a set of nodes is an identity set. The stack holds nodes to
    # visit; a node followed by the marker None means "its parents are done, emit it".
    visited: set[Node] = set()
    stack: list = list(reversed(roots))
    append, pop, push, mark = order.append, stack.pop, stack.append, visited.add
    while stack:
        node = pop()
        if node is None:
            append(pop())
            continue
        if node in visited:
            continue
        mark(node)
        push(node)
        push(None)
        for parent in node.parents:
            op = parent.op
            if op is CONSTANT or parent in visited:  # needs no gradient, or already seen
                continue
            if op is None:  # a leaf has no parents to wait for: list it right away
                mark(parent)
                append(parent)
            else:
                push(parent)
    return order


def _check_can_backward(root: Node) -> None:
    if not isinstance(root, Node):
        raise TypeError(f"backward() needs a Value or Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise ValueError(
            "this result does not depend on anything that needs a gradient: it was computed "
            "under no_grad(), from detached values, or from constants only "
            "(create inputs with requires_grad=True), or its graph was already freed by "
            "backward(retain_graph=False)"
        )


def _propagate(roots, seeds, *, create_graph: bool, accumulate: bool, wanted=None):
    """Run the chain rule from ``roots`` backwards. Returns grads of ``wanted`` nodes."""
    for root in roots:
        _check_can_backward(root)
    order = topological_order(*roots)
    # During the pass each node's .grad holds only what THIS pass sends it (None = nothing
    # yet). What earlier passes left there is set aside and added back at the end, so a
    # second backward() accumulates into every node without re-sending old gradients.
    earlier = [node.grad for node in order]
    nothing_earlier = all(g is None for g in earlier)  # the usual case for Tensor graphs
    if not nothing_earlier:  # (in a fresh Tensor graph every grad is already None)
        for node in order:
            node.grad = None
    for root, seed in zip(roots, seeds):
        root.grad = seed if root.grad is None else root.grad + seed
    wanted_ids = {id(n): i for i, n in enumerate(wanted)} if wanted is not None else None
    found = [None] * len(wanted) if wanted is not None else None
    math = ops.GraphMath if create_graph else type(roots[0]).math
    global _grad_enabled
    previous_mode = _grad_enabled
    _grad_enabled = create_graph  # the backward pass builds a graph only when asked to
    finished = False
    try:
        for node in reversed(order):
            g = node.grad
            if g is None:
                continue
            if wanted_ids is not None and id(node) in wanted_ids:
                found[wanted_ids[id(node)]] = g
            if node.parents:  # a leaf has no parents to send its gradient to
                _send_to_parents(node, g, math, create_graph)
        finished = True
    finally:
        _grad_enabled = previous_mode
        keep_new = accumulate and finished  # after an error, leave the old grads untouched
        if not (keep_new and nothing_earlier):  # (else the new grads are already in place)
            for node, old in zip(order, earlier):
                new = node.grad
                if not keep_new or new is None:
                    node.grad = old
                elif old is not None:
                    node.grad = _accumulated(old, new)
    return found, order


def _accumulated(old, new):
    """old + new, where None means "no gradient" and a plain 0.0 adds nothing."""
    if new is None:
        return old
    if old is None or (type(old) is float and old == 0.0):
        return new
    return old + new


def _send_to_parents(node: Node, g, math, create_graph: bool) -> None:
    """Apply the chain rule at one node: hand each parent its share of ``g``.

    ``op.backward`` returns d(loss)/d(parent) for each parent; we add it to what the parent
    has received so far from its other children (a node used twice gets both shares).
    """
    parents = node.parents
    n = len(parents)  # one to three inputs are unrolled: this function is the hot path
    if n == 1:
        (a,) = parents
        needs = (a.op is not CONSTANT,)  # = (a.requires_grad,)
        xs = parents if create_graph else (a.data,)
    elif n == 2:
        a, b = parents
        needs = (a.op is not CONSTANT, b.op is not CONSTANT)
        xs = parents if create_graph else (a.data, b.data)
    elif n == 3:  # x, W, b of a dense layer
        a, b, c = parents
        needs = (a.op is not CONSTANT, b.op is not CONSTANT, c.op is not CONSTANT)
        xs = parents if create_graph else (a.data, b.data, c.data)
    else:
        needs = tuple([p.op is not CONSTANT for p in parents])
        xs = parents if create_graph else [p.data for p in parents]
    shares = node.op.backward(math, g, node if create_graph else node.data, xs, needs)
    if _anomaly_mode:
        _check_backward(node, shares)
    unbroadcast = math.unbroadcast
    for parent, share, need in zip(parents, shares, needs):
        if need:
            if unbroadcast is not None:
                share = unbroadcast(share, parent.data)
            pending = parent.grad
            parent.grad = share if pending is None else pending + share


def backward(root: Node, grad=None, *, create_graph: bool = False, retain_graph: bool = True):
    """Fill ``.grad`` of every node ``root`` depends on (see :meth:`Node.backward`).

    >>> from microgradnn import Value
    >>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    >>> f = (x + y) * z
    >>> backward(f); (x.grad, y.grad, z.grad)
    (-4.0, -4.0, 3.0)
    """
    _check_can_backward(root)
    seed = root._seed_gradient(grad)
    if create_graph:
        seed = type(root)(seed, requires_grad=False)
    _, order = _propagate([root], [seed], create_graph=create_graph, accumulate=True)
    if not retain_graph:
        free_graph(order)


def free_graph(nodes: Iterable[Node]) -> None:
    """Cut the edges of ``nodes`` so the intermediate results can be garbage collected.

    Intermediate results become constants (they can no longer pass gradients on, so a
    second backward through them is refused with a clear error); leaves are untouched.

    >>> from microgradnn import Value
    >>> y = Value(2.0) * 3
    >>> free_graph([y]); y.parents, y.requires_grad
    ((), False)
    """
    for node in nodes:
        if node.parents:  # only computed nodes have parents; leaves stay as they are
            node.parents = ()
            node.op = CONSTANT


def grad(outputs, inputs, grad_outputs=None, *, create_graph: bool = False):
    """Return d(outputs)/d(inputs) without touching any ``.grad`` attribute.

    With ``create_graph=True`` the returned gradients are themselves graph nodes, so they can
    be used inside a loss and differentiated again (second derivatives).

    Args:
        outputs: a node or a sequence of nodes.
        inputs: a node or a sequence of nodes.
        grad_outputs: upstream gradients for non-scalar outputs (same structure as outputs).

    Returns:
        A list with one gradient per input (zeros for inputs the outputs do not depend on).

    >>> from microgradnn import Value
    >>> x = Value(2.0)
    >>> (dx,) = grad(x ** 3, [x], create_graph=True)   # 3 x^2 = 12
    >>> (d2x,) = grad(dx, [x])                           # 6 x = 12
    >>> dx.data, d2x
    (12.0, 12.0)
    """
    outputs = [outputs] if isinstance(outputs, Node) else list(outputs)
    single_input = isinstance(inputs, Node)
    inputs = [inputs] if single_input else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Node) or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    seeds = []
    for out, g in zip(outputs, grad_outputs):
        _check_can_backward(out)
        if isinstance(g, Node) and create_graph:
            seeds.append(g)
            continue
        seed = out._seed_gradient(g.data if isinstance(g, Node) else g)
        seeds.append(type(out)(seed, requires_grad=False) if create_graph else seed)
    found, _ = _propagate(
        outputs, seeds, create_graph=create_graph, accumulate=False, wanted=inputs
    )
    result = []
    for node, g in zip(inputs, found):
        if g is None:
            g = node.initial_grad
            if g is None:  # Tensor grads start as None; a missing gradient is zero
                import numpy as np

                g = np.zeros_like(node.data)
            if create_graph:
                g = type(node)(g, requires_grad=False)
        result.append(g)
    return result
