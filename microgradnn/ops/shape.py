"""Ops that move numbers around without changing them: reshape, transpose, indexing,
broadcasting, casting, concatenation (Tensor only). Their gradients move the numbers back."""

from __future__ import annotations

import numpy as np

from microgradnn.ops.arrays import scatter_add, sum_to
from microgradnn.ops.base import Op


class Reshape(Op):
    """Same numbers, new shape. The gradient is reshaped back."""

    name = "reshape"
    engines = ("tensor",)

    def __init__(self, shape):
        self.shape = shape

    def forward(self, m, a):
        return a.reshape(self.shape)

    def backward(self, m, g, out, xs, needs):
        return (m.reshape(g, m.shape(xs[0])),)


class Transpose(Op):
    """Permute axes. The gradient is permuted back with the inverse permutation."""

    name = "transpose"
    engines = ("tensor",)

    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, m, a):
        return a.transpose(self.axes)

    def backward(self, m, g, out, xs, needs):
        ndim = len(m.shape(xs[0]))
        # axes may be negative ((0, 2, -2) is (0, 2, 1)): argsort only inverts 0..n-1
        axes = reversed(range(ndim)) if self.axes is None else (a % ndim for a in self.axes)
        return (m.transpose(g, tuple(np.argsort(tuple(axes)))),)


class GetItem(Op):
    """a[index]. The gradient is scattered back; repeated indices add up."""

    name, symbol = "getitem", "[]"
    engines = ("tensor",)

    def __init__(self, index):
        self.index = index

    @property
    def display(self) -> str:
        return f"[{_format_index(self.index)}]"

    def forward(self, m, a):
        return a[self.index]

    def backward(self, m, g, out, xs, needs):
        return (m.scatter_add(g, self.index, m.shape(xs[0])),)


class ScatterAdd(Op):
    """zeros(shape) with g added at ``index`` (the backward of indexing)."""

    name = "scatter_add"
    engines = ("tensor",)

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    def forward(self, m, g):
        return scatter_add(g, self.index, self.shape)

    def backward(self, m, g, out, xs, needs):
        return (m.getitem(g, self.index),)


class BroadcastTo(Op):
    """Repeat a along new or size-1 axes. The gradient sums the copies back."""

    name = "broadcast_to"
    engines = ("tensor",)

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, m, a):
        return np.broadcast_to(a, self.shape)

    def backward(self, m, g, out, xs, needs):
        return (m.sum_to(g, m.shape(xs[0])),)


class SumTo(Op):
    """Sum a down to ``shape`` (undoes broadcasting). The gradient is broadcast back."""

    name = "sum_to"
    engines = ("tensor",)

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, m, a):
        return sum_to(a, self.shape)

    def backward(self, m, g, out, xs, needs):
        return (m.broadcast_to(g, m.shape(xs[0])),)


class Cast(Op):
    """Change the float dtype. The gradient is cast back to the input's dtype."""

    name = "cast"
    engines = ("tensor",)

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def forward(self, m, a):
        return a.astype(self.dtype)

    def backward(self, m, g, out, xs, needs):
        return (m.astype(g, m.raw(xs[0]).dtype),)


class Concatenate(Op):
    """Join tensors along an existing axis. Each input gets its slice of the gradient."""

    name = "concatenate"
    engines = ("tensor",)

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, m, *xs):
        return np.concatenate(xs, axis=self.axis)

    def backward(self, m, g, out, xs, needs):
        ndim = len(m.shape(out))
        axis = self.axis % ndim
        grads, start = [], 0
        for x in xs:
            stop = start + m.shape(x)[axis]
            index = (slice(None),) * axis + (slice(start, stop),)
            grads.append(m.getitem(g, index))
            start = stop
        return tuple(grads)


class Stack(Op):
    """Stack tensors along a new axis. Each input gets its slice of the gradient."""

    name = "stack"
    engines = ("tensor",)

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, m, *xs):
        return np.stack(xs, axis=self.axis)

    def backward(self, m, g, out, xs, needs):
        axis = self.axis % len(m.shape(out))
        prefix = (slice(None),) * axis
        return tuple(m.getitem(g, prefix + (i,)) for i in range(len(xs)))


def _format_index(index) -> str:
    parts = index if isinstance(index, tuple) else (index,)

    def one(p):
        if isinstance(p, slice):
            text = ":".join("" if v is None else str(v) for v in (p.start, p.stop, p.step))
            return text.rstrip(":") or ":"
        if p is Ellipsis:
            return "..."
        if p is None:
            return "None"
        if isinstance(p, np.ndarray):
            return f"array{list(p.shape)}" if p.size > 4 else str(p.tolist())
        return str(p)

    return ", ".join(one(p) for p in parts)
