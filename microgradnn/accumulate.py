"""Gradient bookkeeping around the backward loop: accumulation across passes, owned arrays.

Gradients accumulate across ``backward`` calls, as in PyTorch. The loop in
:mod:`microgradnn.engine` is easiest to read when every node starts the pass with no
gradient (None), so :func:`set_aside_grads` empties the ``.grad`` slots first and
:func:`add_earlier_grads` adds what earlier passes left once the pass is done. Every array
gradient then gets memory of its own: writable, and shared with no other node's gradient
and not with the caller's seed (so ``w.grad -= ...`` cannot change anything else).

>>> from microgradnn import Value
>>> x = Value(3.0); (x * x).backward(); (x * x).backward()
>>> x.grad                      # 6 + 6: the second pass added to the first
12.0
"""

from __future__ import annotations

import numpy as np


def set_aside_grads(order: list) -> list:
    """Empty every .grad (None = nothing received yet) and return what they held, so the
    pass sends each node only this pass's gradient."""
    if order[-1].tracks_versions:  # first, before anything changes: nothing is lost
        type(order[-1]).check_versions(order)
    earlier = [node.grad for node in order]
    for node in order:
        node.grad = None
    return earlier


def restore_grads(order: list, earlier: list) -> None:
    for node, old in zip(order, earlier):
        node.grad = old


def add_earlier_grads(order: list, earlier: list) -> None:
    """Gradients accumulate: add what earlier passes left, then own every array."""
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
        if isinstance(new, np.generic):  # numpy turns 0-d results into scalars: an array again
            new = np.array(new)
        node.grad = new
        if isinstance(new, np.ndarray):
            arrays.append(node)
    own(arrays)


def own(nodes: list) -> None:
    """Give every node a gradient array of its own: copy the ones that are read-only, the
    same object as another node's, or a view into another node's (``a + b`` hands both
    parents the very same array; ``transpose`` hands back a view). Fresh arrays, the usual
    case, are kept as they are: no copy."""
    ids = {id(node.grad) for node in nodes}
    taken: set[int] = set()
    for node in nodes:
        g = node.grad
        shared = id(g) in taken or (g.base is not None and id(g.base) in ids)
        if shared or not g.flags.writeable:
            node.grad = g = g.copy()
        taken.add(id(g))


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


def zeros_like(node, as_node: bool):
    zero = node.initial_grad if node.initial_grad is not None else np.zeros_like(node.data)
    return type(node)(zero, requires_grad=False) if as_node else zero
