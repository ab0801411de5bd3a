"""Broken-engine labs: tiny teaching engines, each with one classic autodiff bug to find.

The real engine is never touched: these are separate ~100-line scalar engines. Four
*mystery* engines ("A" to "D") each hide one bug from :data:`BUGS`; the student probes them
with :func:`check_function` (engine gradient vs central differences) and :func:`draw`
(the graph with values and gradients), then names the bug and writes a small example that
exposes it. The lab confirms the diagnosis.

>>> Scalar = reference_engine()
>>> x = Scalar(3.0)
>>> y = x * x
>>> y.backward(); x.grad
6.0
>>> check_function(Scalar, lambda a: a * a, 3.0)   # passes silently on a correct engine
>>> Broken = mystery_engine("B")
>>> try:
...     check_function(Broken, lambda a: a * a, 3.0)
... except AssertionError as error:
...     print(str(error).splitlines()[0])
gradient of input 0 is wrong: engine says 3, central differences say 6
"""

from __future__ import annotations

import math
from collections import deque

#: The classic bugs, by the name a student uses for the diagnosis.
BUGS = {
    "assigns-grad": "backward assigns parent.grad = ... instead of accumulating with +=",
    "no-topological-order": "backward visits nodes breadth-first, not in reverse topological "
    "order, so a node can pass its gradient on before all its consumers have added theirs",
    "parents-in-a-set": "parents are kept in a set, so a * a has one edge instead of two",
    "overflow": "sigmoid and softmax use exp naively and overflow for large inputs",
}

_MYSTERY = {"A": "assigns-grad", "B": "parents-in-a-set", "C": "no-topological-order",
            "D": "overflow"}  # fmt: skip


class _Scalar:
    """A scalar node of a teaching engine; the class attributes switch the bugs on."""

    BUG: str | None = None

    def __init__(self, data, parents=(), op="", locals_=()):
        self.data = float(data)
        self.grad = 0.0
        self.op = op
        pairs = list(zip(parents, locals_))
        if self.BUG == "parents-in-a-set":
            # the bug: a set (here a dict keyed by node) keeps each parent once
            pairs = list({id(p): (p, d) for p, d in pairs}.values())
        self.edges = pairs  # (parent, local derivative d self / d parent)

    @property
    def parents(self):
        return [p for p, _ in self.edges]

    def __repr__(self):
        return f"Scalar(data={self.data:.6g}, grad={self.grad:.6g})"

    # --- the calculus table --------------------------------------------------------------
    def _lift(self, other):
        return other if isinstance(other, _Scalar) else type(self)(other)

    def __add__(self, other):
        other = self._lift(other)
        return type(self)(self.data + other.data, (self, other), "+", (1.0, 1.0))

    def __mul__(self, other):
        other = self._lift(other)
        return type(self)(self.data * other.data, (self, other), "*", (other.data, self.data))

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self._lift(other))

    def __pow__(self, n: float):
        return type(self)(self.data**n, (self,), f"**{n:g}", (n * self.data ** (n - 1),))

    def __truediv__(self, other):
        return self * self._lift(other) ** -1.0

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def exp(self):
        out = math.exp(self.data)
        return type(self)(out, (self,), "exp", (out,))

    def log(self):
        return type(self)(math.log(self.data), (self,), "log", (1.0 / self.data,))

    def tanh(self):
        out = math.tanh(self.data)
        return type(self)(out, (self,), "tanh", (1.0 - out * out,))

    def sigmoid(self):
        if self.BUG == "overflow":
            out = 1.0 / (1.0 + math.exp(-self.data))  # the bug: exp(1000) overflows
        else:
            e = math.exp(-abs(self.data))
            out = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        return type(self)(out, (self,), "σ", (out * (1.0 - out),))

    # --- backward ------------------------------------------------------------------------
    def backward(self):
        order = _breadth_first(self) if self.BUG == "no-topological-order" else _topological(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in order:
            for parent, local in node.edges:
                if self.BUG == "assigns-grad":
                    parent.grad = node.grad * local  # the bug: = instead of +=
                else:
                    parent.grad += node.grad * local


def _topological(root) -> list:
    """Nodes from the output down, each after every node that uses it (iterative DFS)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents)
    return order[::-1]


def _breadth_first(root) -> list:
    order, seen, queue = [], {id(root)}, deque([root])
    while queue:
        node = queue.popleft()
        order.append(node)
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                queue.append(parent)
    return order


def softmax(scores: list) -> list:
    """Softmax of a list of Scalars (naive exp in the "overflow" engine)."""
    scores = list(scores)
    if scores and scores[0].BUG != "overflow":
        top = max(s.data for s in scores)
        scores = [s - top for s in scores]  # exp of numbers <= 0 never overflows
    exps = [s.exp() for s in scores]
    total = exps[0]
    for e in exps[1:]:
        total = total + e
    return [e / total for e in exps]


def reference_engine() -> type:
    """A correct teaching engine (the one the mystery engines should behave like)."""
    return type("Scalar", (_Scalar,), {"BUG": None})


def mystery_engine(name: str) -> type:
    """Engine ``"A"``..``"D"``: a Scalar class with one hidden classic bug."""
    key = str(name).upper()
    if key not in _MYSTERY:
        raise KeyError(f"no mystery engine {name!r}; choose one of {sorted(_MYSTERY)}")
    return type("Scalar", (_Scalar,), {"BUG": _MYSTERY[key]})


def bug_of(name: str) -> str:
    """The bug hidden in mystery engine ``name`` (the lab uses it to confirm a diagnosis)."""
    return _MYSTERY[str(name).upper()]


def check_function(Scalar, f, *inputs, eps: float = 1e-6, tol: float = 1e-5) -> None:
    """Compare ``Scalar``'s gradients of ``f(*inputs)`` with central differences.

    Raises ``AssertionError`` naming the input and both numbers when they disagree.
    """
    nodes = [Scalar(x) for x in inputs]
    out = f(*nodes)
    out.backward()
    for i, (node, x) in enumerate(zip(nodes, inputs)):
        shifted = [list(inputs), list(inputs)]
        shifted[0][i], shifted[1][i] = x + eps, x - eps
        up, down = (f(*[Scalar(v) for v in values]).data for values in shifted)
        numeric = (up - down) / (2 * eps)
        if not abs(node.grad - numeric) <= tol * (1 + abs(numeric)):
            raise AssertionError(
                f"gradient of input {i} is wrong: engine says {node.grad:.6g}, "
                f"central differences say {numeric:.6g}\n(inputs {list(inputs)}, "
                f"f = {out.data:.6g}; draw(...) the graph to see where it goes wrong)"
            )


def draw(root, path=None) -> str:
    """DOT text of a teaching engine's graph (values, gradients, one arrow per edge).

    With ``path``, also writes the picture (PNG with Graphviz, else the .dot file) and
    returns its path instead.
    """
    index, lines = (
        {},
        ["digraph lab {", "\trankdir=LR", '\tnode [shape=record fontname="Helvetica"]'],
    )
    for node in _topological(root)[::-1]:
        i = index.setdefault(id(node), len(index))
        label = f"{node.op or 'input'} | data {node.data:.4g} | grad {node.grad:.4g}"
        lines.append(f'\tn{i} [label="{label}"]')
        for parent, local in node.edges:
            lines.append(f'\tn{index[id(parent)]} -> n{i} [label="local {local:.4g}"]')
    dot = "\n".join(lines + ["}"]) + "\n"
    if path is None:
        return dot
    from pathlib import Path

    from microgradnn.exercises.graphs import write_picture

    return write_picture(dot, Path(path).with_suffix(""))
