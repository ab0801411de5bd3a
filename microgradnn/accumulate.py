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

from collections import Counter

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
    """Give every leaf (weights, inputs) a writable gradient array of its own.

    ``a + b`` hands both parents the very same array and ``reshape`` hands back a view, so
    a gradient may share memory with another node's. A leaf's shared or read-only gradient
    is copied. An intermediate node's shared gradient (kept for pictures) is made read-only
    instead of copied, which for a convolution would mean copying big window arrays:
    changing it in place raises instead of changing another node's gradient.
    """
    holders = Counter(id(node.grad) for node in nodes)
    known = set(holders)
    shared = {i for i, count in holders.items() if count > 1}
    for node in nodes:  # views into another node's gradient share it, and so does the base
        base = node.grad.base
        if base is not None and id(base) in known:
            shared.update((id(node.grad), id(base)))
    for node in nodes:
        g = node.grad
        if node.parents:
            if id(g) in shared:
                g.flags.writeable = False
        elif id(g) in shared or not g.flags.writeable:
            node.grad = g.copy()


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
