"""From tensor to scalar and back: a matmul or affine node as the graph of Values it stands for.

``x @ W + b`` on a (2, 3) batch and a (3, 2) weight is ONE tensor node; the scalar engine of
the first lessons would have built 4 sums of 3 products plus a bias each. :func:`to_scalars`
builds exactly that scalar graph from the tensor node's own numbers, so a student can check
that both engines compute the same thing -- values, and gradients too:

>>> import numpy as np
>>> from microgradnn import Tensor
>>> x = Tensor([[1.0, 2.0]], requires_grad=False, label="x")
>>> W = Tensor([[3.0], [4.0]], label="W")
>>> y = x @ W; y.label = "y"
>>> y.sum().backward()
>>> scalars = to_scalars(y)
>>> scalars.outputs[0, 0].label, scalars.outputs[0, 0].data       # 1*3 + 2*4
('y[1,1]', 11.0)
>>> scalars.inputs["W"][1, 0].grad, float(W.grad[1, 0])          # d/dW21 = x12 = 2
(2.0, 2.0)
>>> bool(np.array_equal(scalars.fold().data, y.data))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from microgradnn.engine import Node
from microgradnn.value import Value

#: Expanding more entries than this gives a picture nobody can read.
MAX_ENTRIES = 64
_EXPANDABLE = ("matmul", "affine")


@dataclass
class ScalarGraph:
    """The scalar graph of one tensor node (see :func:`to_scalars`).

    Attributes:
        node: the tensor node that was expanded.
        inputs: its parents as arrays of Values (``dtype=object``), keyed by label.
        outputs: the result as an array of Values with the node's shape.
    """

    node: Node
    inputs: dict
    outputs: np.ndarray

    def fold(self):
        """Back to one tensor: a Tensor holding the outputs' values (and their gradients).

        >>> from microgradnn import Tensor
        >>> y = Tensor([[1.0, 2.0]]) @ Tensor([[1.0], [1.0]])
        >>> to_scalars(y).fold().data.tolist()
        [[3.0]]
        """
        from microgradnn.tensor import Tensor

        data = np.vectorize(lambda v: v.data, otypes=[float])(self.outputs)
        return Tensor(data, requires_grad=False, label=self.node.label)

    def draw(self, **options):
        """A picture of the scalar graph (every output and what it was computed from)."""
        from microgradnn.viz import dot as dotlib
        from microgradnn.viz.graph import collect_nodes
        from microgradnn.viz.picture import GraphPicture

        nodes: list[Node] = []
        seen: set[int] = set()
        for out in self.outputs.ravel():
            for n in collect_nodes(out):
                if id(n) not in seen:
                    seen.add(id(n))
                    nodes.append(n)
        show = options.pop("show", ("data", "grad"))
        rankdir, show = dotlib.check_options(options.pop("rankdir", "auto"), show, 4, None)
        opts = dotlib.Options(rankdir, show, False, options.pop("precision", 4), None, set())
        root = self.outputs.ravel()[-1]
        dot = "".join(dotlib.DotBuilder(root, opts, nodes).lines())
        return GraphPicture.from_dot(dot)


def _grid(tensor: Node, name: str) -> np.ndarray:
    """Each entry of a (1-D or 2-D) tensor as a Value named ``name[i,j]`` (1-based)."""
    data = np.atleast_2d(np.asarray(tensor.data, dtype=float))
    grid = np.empty(data.shape, dtype=object)
    for (i, j), number in np.ndenumerate(data):
        label = f"{name}[{i + 1},{j + 1}]"
        grid[i, j] = Value(float(number), label=label, requires_grad=tensor.requires_grad)
    return grid


def to_scalars(node: Node, max_entries: int = MAX_ENTRIES) -> ScalarGraph:
    """Expand a small ``matmul`` (``x @ W``) or ``affine`` (``x @ W + b``) tensor node.

    Every entry of the parents becomes a Value named like the lecture (``x[1,2]``,
    ``W[2,1]``, ``b[1]``); every entry of the result the sum of products it is
    (``y[i,j] = Σₖ x[i,k] W[k,j] + b[j]``). If the tensor graph has been backpropagated
    (``node.grad`` is set), the scalar graph is backpropagated with the same upstream
    gradient, so the Values' ``grad`` can be compared with the tensors' (they agree when the
    node is the only consumer of its parents).

    >>> from microgradnn import Tensor
    >>> to_scalars(Tensor([[1.0]]) + 1)
    Traceback (most recent call last):
    ...
    ValueError: to_scalars expands matmul and affine nodes (x @ W, x @ W + b); this node is 'add'
    """
    parents = _product_parents(node)
    x, w = parents[0], parents[1]
    if np.ndim(x.data) > 2 or np.ndim(w.data) != 2:
        raise ValueError("to_scalars expands 2-D products only (a batch of rows times a matrix)")
    size = np.size(x.data) + np.size(w.data) + np.size(node.data)
    if size > max_entries:
        raise ValueError(
            f"this product has {size} numbers in all, more than max_entries={max_entries}: "
            "a picture of it would be unreadable; expand a smaller example (2 rows, 3 inputs)"
        )
    names = [p.label or default for p, default in zip(parents, ("x", "W", "b"))]
    xs, ws = _grid(x, names[0]), _grid(w, names[1])
    inputs = {names[0]: xs, names[1]: ws}
    bias = None
    if len(parents) > 2:
        b = parents[2]
        entries = np.ravel(b.data)
        bias = np.empty(len(entries), dtype=object)
        for k, v in enumerate(entries):
            bias[k] = Value(float(v), label=f"{names[2]}[{k + 1}]", requires_grad=b.requires_grad)
        inputs[names[2]] = bias
    out_name = node.label or "y"
    rows, cols = xs.shape[0], ws.shape[1]
    outputs = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            total = xs[i, 0] * ws[0, j]
            for k in range(1, ws.shape[0]):
                total = total + xs[i, k] * ws[k, j]
            if bias is not None:
                total = total + bias[j]
            total.label = f"{out_name}[{i + 1},{j + 1}]"
            outputs[i, j] = total
    if np.ndim(node.data) == 1:  # a single row (in,) @ (in, out) gives (out,)
        outputs = outputs[0]
    _backward_like(node, outputs)
    return ScalarGraph(node, inputs, outputs)


def _op_name(node: Node) -> str | None:
    return None if node.is_leaf else getattr(node.op, "name", None)


def _product_parents(node: Node) -> tuple:
    """(x, W) or (x, W, b) of ``x @ W``, ``affine(x, W, b)`` or ``x @ W + b`` (two nodes)."""
    name = _op_name(node)
    if name in _EXPANDABLE:
        return node.parents
    if (
        name == "add"
        and _op_name(node.parents[0]) == "matmul"
        and np.ndim(node.parents[1].data) == 1
    ):
        return (*node.parents[0].parents, node.parents[1])
    raise ValueError(
        "to_scalars expands matmul and affine nodes (x @ W, x @ W + b); "
        f"this node is {name or 'a leaf'!r}"
    )


def _backward_like(node: Node, outputs: np.ndarray) -> None:
    """Backpropagate the scalar graph with the tensor node's upstream gradient, if known."""
    upstream = node.grad
    if upstream is None or not any(v.requires_grad for v in outputs.ravel()):
        return
    upstream = np.broadcast_to(np.asarray(upstream, dtype=float), outputs.shape)
    for value, g in zip(outputs.ravel(), upstream.ravel()):
        if value.requires_grad:
            value.backward(float(g))


__all__ = ["MAX_ENTRIES", "ScalarGraph", "to_scalars"]
