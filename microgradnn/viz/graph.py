"""Walking a computation graph, and the calculus numbers the pictures print on its edges.

* :func:`collect_nodes` -- every node a result depends on, parents first (iterative);
* :func:`local_derivatives` -- d(node)/d(parent) from the op's own backward formula;
* :func:`gradient_shares` -- what the chain rule sends to each parent;
* :func:`formula` -- the textbook form of a local derivative (``∂f/∂q = z``).

>>> from microgradnn import Value
>>> a, b = Value(3.0), Value(4.0)
>>> local_derivatives(a * b)
[4.0, 3.0]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

import numpy as np

from microgradnn.engine import Node
from microgradnn.viz.text import fmt, is_tensor


def collect_nodes(root: Node) -> list[Node]:
    """Every node ``root`` depends on, constants included, parents before children.

    Iterative (no recursion limit) and deterministic: parents are visited in their order,
    so ``(x + y) * z`` lists x, y, x+y, z, the product.

    >>> from microgradnn import Value
    >>> x, y = Value(1.0, label="x"), Value(2.0, label="y")
    >>> [n.label for n in collect_nodes(x * y)]
    ['x', 'y', None]
    """
    if not isinstance(root, Node):
        raise TypeError(
            f"expected a Value or Tensor (the result of a computation), got {type(root).__name__}"
        )
    order: list[Node] = []
    visited: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in reversed(node.parents):
            if id(parent) not in visited:
                stack.append((parent, False))
    return order


def nearest_to_root(root: Node, limit: int) -> set[int]:
    """Ids of the ``limit`` nodes closest to ``root`` (breadth first through parents)."""
    kept = {id(root)}
    queue = deque([root])
    while queue and len(kept) < limit:
        node = queue.popleft()
        for parent in node.parents:
            if id(parent) not in kept:
                kept.add(id(parent))
                queue.append(parent)
                if len(kept) >= limit:
                    break
    return kept


def consumers_count(nodes: Iterable[Node], substitute: dict | None = None) -> dict[int, int]:
    """How many edges leave each node (``a * a`` counts twice).

    ``substitute`` maps a node's id to the node drawn in its place (an expanded kernel).

    >>> from microgradnn import Value
    >>> a = Value(2.0)
    >>> consumers_count(collect_nodes(a * a))[id(a)]
    2
    """
    substitute = substitute or {}
    count: dict[int, int] = {}
    for node in nodes:
        for parent in node.parents:
            key = id(substitute.get(id(parent), parent))
            count[key] = count.get(key, 0) + 1
    return count


# =========================================================================================
# Local derivatives (numbers from the op table, formula text for teaching)
# =========================================================================================
def local_derivatives(node: Node) -> list:
    """d(node)/d(parent) for every parent of a scalar ``node``, at the current values.

    The numbers come from the op's own backward formula with an upstream gradient of 1, the
    same single definition the engine uses. Returns ``None`` entries where it fails.

    >>> from microgradnn import Value
    >>> a, b = Value(3.0), Value(4.0)
    >>> local_derivatives(a * b)
    [4.0, 3.0]
    """
    if node.is_leaf:
        return []
    xs = [p.data for p in node.parents]
    needs = (True,) * len(xs)
    math_backend = type(node).math
    tensor = is_tensor(node)
    try:
        if not tensor:  # scalar maths is IEEE-safe on its own (and numpy's errstate is slow)
            return [_as_float(s) for s in node.op.backward(math_backend, 1.0, node.data, xs, needs)]
        with np.errstate(all="ignore"):
            return list(
                node.op.backward(math_backend, np.ones_like(node.data), node.data, xs, needs)
            )
    except (ArithmeticError, ValueError):
        return [None] * len(xs)


def gradient_shares(node: Node, upstream) -> list:
    """What the chain rule sends to each parent of ``node`` given its gradient ``upstream``.

    ``upstream * local derivative``, summed back to the parent's shape (tensors).

    >>> from microgradnn import Value
    >>> a, b = Value(3.0), Value(4.0)
    >>> gradient_shares(a * b, 2.0)
    [8.0, 6.0]
    """
    if node.is_leaf:
        return []
    xs = [p.data for p in node.parents]
    needs = tuple(True for _ in xs)
    math_backend = type(node).math
    unbroadcast = getattr(math_backend, "unbroadcast", None)  # None: scalars never broadcast
    try:
        with np.errstate(all="ignore"):
            shares = node.op.backward(math_backend, upstream, node.data, xs, needs)
    except (ArithmeticError, ValueError):
        return [None] * len(xs)
    if unbroadcast is None:
        return list(shares)
    return [None if s is None else unbroadcast(s, p.data) for s, p in zip(shares, node.parents)]


def _as_float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def formula(node: Node, position: int, names: list[str], out: str) -> str | None:
    """The textbook derivative of ``node`` with respect to parent ``position``, or None."""
    op = node.op
    builder = _FORMULAS.get(op.name)
    if builder is None:
        return None
    try:
        return builder(op, names, out)[position]
    except (IndexError, TypeError, AttributeError):
        return None


def _power_rule(op, n, out):
    c = op.exponent
    if c == 2:
        return [f"2·{n[0]}"]
    return [f"{fmt(c)}·{n[0]}^{fmt(c - 1)}"]


_FORMULAS: dict[str, Callable] = {
    "add": lambda op, n, out: ["1", "1"],
    "sub": lambda op, n, out: ["1", "-1"],
    "mul": lambda op, n, out: [n[1], n[0]],
    "div": lambda op, n, out: [f"1/{n[1]}", f"-{n[0]}/{n[1]}²"],
    "neg": lambda op, n, out: ["-1"],
    "pow_const": _power_rule,
    "pow": lambda op, n, out: [f"{n[1]}·{n[0]}^({n[1]}-1)", f"{n[0]}^{n[1]}·ln {n[0]}"],
    "exp": lambda op, n, out: [f"exp({n[0]})"],
    "log": lambda op, n, out: [f"1/{n[0]}"],
    "sqrt": lambda op, n, out: [f"1/(2√{n[0]})"],
    "tanh": lambda op, n, out: [f"1 - {out}²"],
    "sigmoid": lambda op, n, out: [f"{out}·(1 - {out})"],
    "relu": lambda op, n, out: [f"[{n[0]} > 0]"],
    "abs": lambda op, n, out: [f"sign({n[0]})"],
    "sin": lambda op, n, out: [f"cos({n[0]})"],
    "cos": lambda op, n, out: [f"-sin({n[0]})"],
    # a neuron's fused weighted sum w·x + b: d/dw_i = x_i, d/dx_i = w_i, d/db = 1
    "dot": lambda op, n, out: [*n[op.n : 2 * op.n], *n[: op.n], *(["1"] if op.has_bias else [])],
}
