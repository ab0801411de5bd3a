"""Gradient bookkeeping around the backward loop: accumulation across passes, owned arrays.

Gradients accumulate across ``backward`` calls, as in PyTorch. The loop in
:mod:`microgradnn.engine` is easiest to read when every node starts the pass with no
gradient (None), so :func:`set_aside_grads` empties the ``.grad`` slots first and
:func:`add_earlier_grads` adds what earlier passes left once the pass is done. Every array
leaf's gradient then gets memory of its own: writable, and shared with no other node's
gradient nor with the caller's seed (so ``w.grad -= ...`` cannot change anything else).

>>> from microgradnn import Value
>>> x = Value(3.0); (x * x).backward(); (x * x).backward()
>>> x.grad                      # 6 + 6: the second pass added to the first
12.0
"""

from __future__ import annotations

import itertools
import operator

import numpy as np


def set_aside_grads(order: list):
    """Empty every .grad (None = nothing received yet) and return what they held, so the
    pass sends each node only this pass's gradient. None when every slot was empty already
    (a training step after ``zero_grad``): then there is nothing to set aside or add back."""
    if order[-1].tracks_versions:  # first, before anything changes: nothing is lost
        type(order[-1]).check_versions(order)
    earlier = list(map(_grad_of, order))  # [node.grad for node in order], looped in C
    if not any(map(operator.is_not, earlier, itertools.repeat(None))):  # all None? (in C,
        return None  # stopping at the first gradient: a Value graph's 0.0 ends it at once)
    for node in order:
        node.grad = None
    return earlier


def restore_grads(order: list, earlier) -> None:
    for node, old in zip(order, earlier or [None] * len(order)):
        node.grad = old


def add_earlier_grads(order: list, earlier) -> None:
    """Gradients accumulate: add what earlier passes left, then own every array."""
    if earlier is None:  # nothing to add: the new gradients are the answer
        own(order)
        return
    arrays = []
    for node, old in zip(order, earlier):
        new = node.grad
        if new is None:
            node.grad = old
            continue
        if type(new) is float:  # a Value's gradient: an immutable number, nothing to own
            if old:  # (None and 0.0 add nothing)
                node.grad = old + new
            continue
        if old is not None and not (type(old) is float and old == 0.0):
            new = old + new
        node.grad = new
        arrays.append(node)
    own(arrays)


def own(nodes: list) -> None:
    """Give every leaf (weights, inputs) a writable gradient array of its own.

    ``a + b`` hands both parents the very same array and ``reshape`` hands back a view, so
    a gradient may share memory with another node's. A leaf's shared or read-only gradient
    is copied. An intermediate node's shared gradient (kept for pictures) is made read-only
    instead of copied, which for a convolution would mean copying big window arrays:
    changing it in place raises instead of changing another node's gradient.
    """
    grads = list(map(_grad_of, nodes))
    if set(map(type, grads)) != {np.ndarray}:  # floats, numpy scalars or nodes among them
        nodes = [node for node in nodes if _is_array_grad(node)]
        grads = list(map(_grad_of, nodes))
    if not _all_separate_and_writeable(grads):
        _own_shared(nodes)


def _all_separate_and_writeable(grads: list) -> bool:
    """True when every gradient array is writable and shares memory with no other one: no
    array is listed twice, none is the base of a view in the list, no two views share a
    base (all the ids below differ). The usual case; the loops run in C (map)."""
    bases = [base for base in map(_base_of, grads) if base is not None]
    ids = list(map(id, grads)) + list(map(id, bases))
    return len(set(ids)) == len(ids) and all(map(_writeable, grads))


_grad_of, _base_of = operator.attrgetter("grad"), operator.attrgetter("base")
_writeable = operator.attrgetter("flags.writeable")


def _own_shared(nodes: list) -> None:
    """The careful pass: find exactly which gradients share memory, then copy (leaves) or
    lock (intermediate nodes) those."""
    seen, shared = set(), set()  # ids of the gradient arrays; those held twice
    for node in nodes:
        key = id(node.grad)
        if key in seen:
            shared.add(key)
        seen.add(key)
    for node in nodes:  # views into another node's gradient share it, and so does the base
        base = node.grad.base
        if base is not None and id(base) in seen:
            shared.update((id(node.grad), id(base)))
    for node in nodes:
        g = node.grad
        if node.parents:
            if id(g) in shared:
                g.flags.writeable = False
        elif id(g) in shared or not g.flags.writeable:
            node.grad = g.copy()


def _is_array_grad(node) -> bool:
    """True for an array gradient (numpy's 0-d scalar results are made arrays again)."""
    if type(node.grad) is np.ndarray:  # (the usual case, tested first)
        return True
    if isinstance(node.grad, np.generic):
        node.grad = np.array(node.grad)
    return isinstance(node.grad, np.ndarray)


def seed(root, grad, create_graph: bool) -> None:
    """Put d(root)/d(root) = grad (1 for a scalar) on the root to start the pass."""
    if create_graph and isinstance(grad, type(root)):
        seed = grad
    else:
        seed = root._seed_gradient(grad.data if isinstance(grad, type(root)) else grad)
        if create_graph:
            seed = type(root)(seed, requires_grad=False)
    root.grad = seed if root.grad is None else root.grad + seed


def as_list(items) -> list:
    """One node (or gradient) becomes a list of one; a list or tuple is copied."""
    return list(items) if isinstance(items, (list, tuple)) else [items]


def one_per_output(grad_outputs, outputs: list) -> list:
    """The upstream gradients of ``grad()``: one per output (None: 1 for a scalar).

    >>> one_per_output(None, ["y1", "y2"])
    [None, None]
    """
    grad_outputs = [None] * len(outputs) if grad_outputs is None else as_list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad_outputs has {len(grad_outputs)} entries for {len(outputs)} outputs: "
            "give one upstream gradient per output (None for a scalar output)"
        )
    return grad_outputs


def zeros_where_missing(grads: list, inputs: list, as_node: bool) -> list:
    """``grad()``'s answer: an input the outputs do not depend on gets zeros, not None.

    >>> from microgradnn import Value
    >>> zeros_where_missing([None, 2.0], [Value(1.0), Value(5.0)], as_node=False)
    [0.0, 2.0]
    """
    return [zeros_like(node, as_node) if g is None else g for node, g in zip(inputs, grads)]


def zeros_like(node, as_node: bool):
    zero = node.initial_grad if node.initial_grad is not None else np.zeros_like(node.data)
    return type(node)(zero, requires_grad=False) if as_node else zero
