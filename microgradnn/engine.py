"""The graph core shared by :class:`~microgradnn.Value` and :class:`~microgradnn.Tensor`.

A computation is a directed acyclic graph of :class:`Node` objects. Each node remembers

* ``data``          -- its value (a float for ``Value``, a numpy array for ``Tensor``),
* ``grad``          -- d(output)/d(this node), filled in by :func:`backward`,
* ``parents``       -- the nodes it came from, in order (``a * a`` lists ``a`` twice),
* ``op``            -- the operation that made it (:mod:`microgradnn.ops`); None for a leaf,
* ``requires_grad`` -- whether backward computes a gradient for it,
* ``label``         -- an optional name used in pictures.

Backpropagation (:func:`backward`) lists the nodes in topological order (parents before
children) and walks that list backwards, applying the chain rule at every node:

    parent.grad += d(node)/d(parent) * node.grad

Each op writes its local derivative once, in the op table, with a "math backend" (floats,
arrays, or nodes under ``create_graph=True``): broadcasting is undone here, in one place.
"""

from __future__ import annotations

import functools
import operator

from microgradnn import accumulate, anomaly, errors

_grad_enabled = True  # the one global switch: does an operation record a graph?
_data_of, _requires_grad_of = operator.attrgetter("data"), operator.attrgetter("_requires_grad")


class _GradMode:
    """Context manager and decorator (with or without parentheses) that sets grad mode."""

    enabled = True

    def __init__(self, function=None):
        self._function = function
        if function is not None:
            functools.update_wrapper(self, function)

    def __enter__(self):
        global _grad_enabled
        self._previous, _grad_enabled = _grad_enabled, self.enabled
        return self

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous
        return False

    def __call__(self, *args, **kwargs):
        if self._function is None:  # @no_grad() on a function: wrap it
            return type(self)(args[0])
        with type(self)():
            return self._function(*args, **kwargs)

    def __get__(self, instance, owner=None):  # @no_grad on a method binds like a function
        return self if instance is None else functools.partial(self, instance)


class no_grad(_GradMode):
    """Build no graph inside this block or function (evaluation, parameter updates).

    >>> from microgradnn import Value
    >>> with no_grad():
    ...     y = Value(3.0) * 2
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


def is_grad_enabled() -> bool:
    """True when operations record a graph (the default): ``is_grad_enabled()`` -> True."""
    return _grad_enabled


class Node:
    """One value in a computation graph. Use the front ends ``Value`` or ``Tensor``.

    >>> from microgradnn import Value
    >>> x = Value(3.0, label="x"); y = x * x
    >>> y.op.name, [p.label for p in y.parents], y.requires_grad
    ('mul', ['x', 'x'], True)
    """

    __slots__ = ("data", "grad", "parents", "op", "_requires_grad", "label")

    math = None  #: backend for the forward pass and the plain backward pass (set by front ends)
    graph_math = None  #: backend that builds nodes, for ``create_graph=True``
    initial_grad = None  #: what ``grad`` holds before any backward pass
    tracks_versions = False  #: Tensor: in-place changes after a graph saved the data are caught

    def _init_leaf(self, data, label, requires_grad: bool) -> None:
        """Fill the slots of a node made by the user (called by the front ends' __init__)."""
        self.data, self.grad, self.label = data, self.initial_grad, label
        self.parents, self.op, self._requires_grad = (), None, bool(requires_grad)

    @property
    def requires_grad(self) -> bool:
        """True when backward computes a gradient for this node."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if not self.is_leaf:
            raise ValueError(
                "requires_grad can only be changed on a leaf (a node you created); "
                "use .detach() to cut a computed result off the graph"
            )
        self._requires_grad = bool(flag)

    @property
    def is_leaf(self) -> bool:
        """True for nodes no recorded operation produced (weights, inputs, constants)."""
        return self.op is None

    def zero_grad(self) -> None:
        """Reset ``grad`` (gradients accumulate across backward calls)."""
        self.grad = self.initial_grad

    def backward(self, grad=None, *, create_graph: bool = False, retain_graph: bool = True):
        """Backpropagate from this node: fill ``.grad`` of every node it depends on.

        Gradients *accumulate* (``+=``), as in PyTorch: call ``zero_grad`` between steps.
        Args:
            grad: d(loss)/d(this node); optional for a scalar (1), required otherwise.
            create_graph: record the backward pass as a graph (second derivatives).
            retain_graph: keep the graph (default, so you can draw it or go again);
                ``False`` frees it, and a later backward through it raises.

        >>> from microgradnn import Value
        >>> x = Value(3.0); y = x * x
        >>> y.backward(); x.grad
        6.0
        """
        backward(self, grad, create_graph=create_graph, retain_graph=retain_graph)

    def detach(self):
        """A new leaf with the same data, cut off from the graph.

        >>> from microgradnn import Value
        >>> Value(2.0).detach().requires_grad
        False
        """
        return type(self)(self.data, requires_grad=False)


def apply(op, parents: tuple) -> Node:
    """Run ``op`` forward on the parents' data; record the edge when a gradient is needed.

    This is how every operation enters the graph (``op.apply(*nodes)`` calls it).

    >>> from microgradnn import Value, ops
    >>> apply(ops.MUL, (Value(3.0), Value(4.0))).data
    12.0
    """
    cls = type(parents[0])
    if len(parents) == 1:  # one and two inputs spelled out: nearly every node is one of these
        data, tracked = op.forward(cls.math, parents[0].data), parents[0]._requires_grad
    elif len(parents) == 2:
        a, b = parents
        data, tracked = op.forward(cls.math, a.data, b.data), a._requires_grad or b._requires_grad
    else:  # map(_data_of, parents) is [p.data for p in parents], looped in C
        data = op.forward(cls.math, *map(_data_of, parents))
        tracked = any(map(_requires_grad_of, parents))
    if anomaly.enabled:
        anomaly.check_forward(op, data, parents)
    node = cls.__new__(cls)
    node.data, node.grad, node.label = data, cls.initial_grad, None
    if tracked and _grad_enabled:
        node.parents, node.op, node._requires_grad = parents, op, True
    else:  # nothing to differentiate: the result is a constant leaf
        node.parents, node.op, node._requires_grad = (), None, False
    if cls.tracks_versions:
        node._record_versions()
    return node


def topological_order(*roots: Node) -> list[Node]:
    """Nodes the roots depend on that need gradients, parents before children.

    Iterative depth-first search, so a chain a million nodes deep does not hit Python's
    recursion limit. Several roots share one search (a node reached twice is listed once).

    >>> from microgradnn import Value
    >>> x = Value(1.0, label="x"); y = (x + 1) * x
    >>> [n.label or n.op.name for n in topological_order(y)]
    ['x', 'add', 'mul']
    """
    order, visited = [], set()  # (nodes hash by identity)
    # The stack holds nodes to visit; a node followed by the marker None means "its
    # parents are done: emit it". A leaf has no parents to wait for: it is emitted at once.
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        if node is None:
            order.append(stack.pop())
        elif node not in visited:
            visited.add(node)
            stack += (node, None)
            for parent in node.parents:
                if not parent._requires_grad or parent in visited:
                    continue
                if parent.parents:
                    stack.append(parent)
                else:  # a leaf: listed now
                    visited.add(parent)
                    order.append(parent)
    return order


def backward(root: Node, grad=None, *, create_graph: bool = False, retain_graph: bool = True):
    """Fill ``.grad`` of every node ``root`` depends on (see :meth:`Node.backward`).

    >>> from microgradnn import Value
    >>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    >>> f = (x + y) * z
    >>> backward(f); (x.grad, y.grad, z.grad)
    (-4.0, -4.0, 3.0)
    """
    _check_can_backward(root)
    order = topological_order(root)
    earlier = accumulate.set_aside_grads(order)
    try:
        accumulate.seed(root, grad, create_graph)
        _chain_rule(order, create_graph)
    except BaseException:
        accumulate.restore_grads(order, earlier)  # a failed pass leaves every gradient as it was
        raise
    accumulate.add_earlier_grads(order, earlier)
    if not retain_graph:
        free_graph(order)


def _chain_rule(order: list[Node], create_graph: bool) -> None:
    """The backward loop. Visit the nodes from the output back to the inputs; each node
    hands every parent its share of the gradient: d(node)/d(parent) * node.grad."""
    global _grad_enabled
    math = order[-1].graph_math if create_graph else order[-1].math
    previous, _grad_enabled = _grad_enabled, create_graph  # a graph only when asked for
    unbroadcast, check = math.unbroadcast, anomaly.enabled  # looked up once, not per node
    try:
        for node in reversed(order):
            g = node.grad
            if g is None:  # nothing flowed into this node
                continue
            parents = node.parents
            if not parents:  # a leaf: its gradient is the answer
                if node.op is not None:  # (or a node whose graph was freed)
                    _check_not_freed(node)
                continue
            if len(parents) == 1:  # one and two inputs spelled out (as in apply)
                needs, inputs = (parents[0]._requires_grad,), (parents[0].data,)
            elif len(parents) == 2:
                a, b = parents
                needs, inputs = (a._requires_grad, b._requires_grad), (a.data, b.data)
            else:
                needs, inputs = list(map(_requires_grad_of, parents)), list(map(_data_of, parents))
            # create_graph: derivatives of derivatives, so the formulas work on the nodes
            inputs, output = (parents, node) if create_graph else (inputs, node.data)
            shares = node.op.backward(math, g, output, inputs, needs)
            if check:
                anomaly.check_backward(node, shares)
            for parent, share, need in zip(parents, shares, needs):
                if need:
                    if unbroadcast is not None:  # broadcasting undone once, here
                        share = unbroadcast(share, parent.data)
                    parent.grad = share if parent.grad is None else parent.grad + share
    finally:
        _grad_enabled = previous


def grad(outputs, inputs, grad_outputs=None, *, create_graph: bool = False) -> list:
    """Return d(outputs)/d(inputs) without touching any ``.grad`` attribute.

    With ``create_graph=True`` the gradients are graph nodes that can be used in a loss
    and differentiated again. An input listed twice gets its gradient twice; inputs the
    outputs do not depend on get zeros.

    >>> from microgradnn import Value
    >>> x = Value(2.0)
    >>> (dx,) = grad(x ** 3, [x], create_graph=True)   # 3 x^2 = 12
    >>> (d2x,) = grad(dx, [x])                           # 6 x = 12
    >>> dx.data, d2x
    (12.0, 12.0)
    """
    outputs, inputs = accumulate.as_list(outputs), accumulate.as_list(inputs)
    grad_outputs = accumulate.one_per_output(grad_outputs, outputs)
    for out in outputs:
        _check_can_backward(out)
    order = topological_order(*outputs)
    in_graph = {id(node) for node in order}
    earlier = accumulate.set_aside_grads(order)
    try:
        for out, g in zip(outputs, grad_outputs):
            accumulate.seed(out, g, create_graph)
        _chain_rule(order, create_graph)
        found = [node.grad if id(node) in in_graph else None for node in inputs]
    finally:
        accumulate.restore_grads(order, earlier)
    return accumulate.zeros_where_missing(found, inputs, create_graph)  # (inputs not reached)


def free_graph(nodes) -> None:
    """Cut the edges of computed ``nodes`` so intermediate results can be freed.

    A freed node keeps its op, so a later backward through it raises (it never silently
    drops its path). Leaves are untouched.

    >>> from microgradnn import Value
    >>> y = Value(2.0) * 3
    >>> free_graph([y]); y.parents, y.is_leaf
    ((), False)
    """
    for node in nodes:
        if node.parents:
            node.parents = ()


def _check_can_backward(root) -> None:
    if not isinstance(root, Node):
        raise TypeError(f"backward() needs a Value or Tensor, got {type(root).__name__}")
    if not root._requires_grad:
        raise ValueError(errors.NOTHING_TO_DIFFERENTIATE)
    _check_not_freed(root)


def _check_not_freed(node: Node) -> None:
    if node.op is not None and not node.parents:
        raise RuntimeError(errors.graph_freed(node.label or node.op.name, node.op.name))
