"""The op table: every primitive operation, defined once (forward + local derivative).

Each op is a small class with two methods:

``forward(m, *xs)``
    computes the output from the inputs' data, using the math backend ``m``.

``backward(m, g, out, xs, needs)``
    applies the chain rule: given the upstream gradient ``g`` = d(loss)/d(out), returns one
    gradient per input, d(loss)/d(x_i) = g * d(out)/d(x_i). ``needs[i]`` says whether input i
    needs a gradient at all (so we can skip expensive work such as a matmul).

The backward formulas are written with ordinary operators (``+ - * / @ **``) and with the
functions of the math backend ``m`` (``m.exp``, ``m.reshape``, ...). The engine runs them with

* :class:`ScalarMath` (Python floats, ``math`` module) for ``Value``,
* :class:`ArrayMath` (numpy arrays) for ``Tensor``,
* :class:`GraphMath` (graph nodes themselves) when ``create_graph=True``: then every formula
  builds new nodes, and the gradient can be differentiated again.

So one formula serves first and higher derivatives. Broadcasting is undone once, by the
engine (``m.unbroadcast``), not in each op.

Read an op like a line of a calculus table, e.g. :class:`Mul`:
``d(a*b)/da = b`` and ``d(a*b)/db = a``, so ``backward`` returns ``(g * b, g * a)``.
"""

from __future__ import annotations

import functools
import math as _math

import numpy as np

#: Every primitive, by name. Tests iterate over this table, so an op added here without a
#: gradient test makes the test suite fail.
OP_TABLE: dict[str, type[Op]] = {}


class Op:
    """Base class of all primitives. ``name`` is used in errors and pictures.

    Each op is one line of a calculus table; for example the local derivatives of a * b at
    a = 3, b = 4 (upstream gradient 1) are (b, a):

    >>> Mul().backward(ScalarMath, 1.0, 12.0, (3.0, 4.0), (True, True))
    (4.0, 3.0)
    """

    name = "op"
    symbol = None  # short form for pictures, e.g. "+" or "*"
    #: engines that provide this op: "value" (scalar), "tensor" (numpy) or both
    engines: tuple[str, ...] = ("value", "tensor")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name in OP_TABLE:
            raise ValueError(f"op name {cls.name!r} is defined twice")
        OP_TABLE[cls.name] = cls

    def forward(self, m, *xs):
        raise NotImplementedError

    def backward(self, m, g, out, xs, needs):
        raise NotImplementedError

    @property
    def display(self) -> str:
        """Text shown for this op in a graph picture."""
        return self.symbol or self.name

    def __repr__(self) -> str:
        return f"<op {self.display}>"


class SavesForBackward:
    """For ops whose forward pass computes something their backward pass needs again (what
    PyTorch calls saving a tensor for backward), e.g. the softmax inside a cross-entropy.

    The value is kept with the output it was computed for and handed back only to the
    backward pass of that very output. An op object used for a second node, or a backward
    pass recorded as a graph (``create_graph=True``, where ``out`` is a node, so that the
    value must be built from nodes), gets None and computes the value afresh.

    >>> op = LstmOutput()                    # h' = o * tanh(c') keeps tanh(c')
    >>> h = op.forward(ArrayMath, np.full((1, 4), 0.5), np.zeros((1, 1)))
    >>> op.saved_for(h), op.saved_for(h.copy())
    (array([[0.]]), None)
    """

    saved = (None, None)  # (output, value) of the last forward pass

    def save_for_backward(self, out, value):
        """Keep ``value`` for the backward pass of ``out``; returns ``out``."""
        self.saved = (out, value)
        return out

    def saved_for(self, out):
        """The value saved with ``out`` by the forward pass, or None."""
        saved_out, value = self.saved
        return value if out is saved_out else None


# ----------------------------------------------------------------------------------------
# Arithmetic
# ----------------------------------------------------------------------------------------
class Add(Op):
    """a + b.  d/da = 1, d/db = 1."""

    name, symbol = "add", "+"

    def forward(self, m, a, b):
        return a + b

    def backward(self, m, g, out, xs, needs):
        return g, g


class Sub(Op):
    """a - b.  d/da = 1, d/db = -1."""

    name, symbol = "sub", "-"

    def forward(self, m, a, b):
        return a - b

    def backward(self, m, g, out, xs, needs):
        return g, -g


class Mul(Op):
    """a * b.  d/da = b, d/db = a."""

    name, symbol = "mul", "*"

    def forward(self, m, a, b):
        return a * b

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        return (g * b if needs[0] else None), (g * a if needs[1] else None)


class Div(Op):
    """a / b.  d/da = 1/b, d/db = -a/b^2 = -out/b."""

    name, symbol = "div", "/"

    def forward(self, m, a, b):
        return m.divide(a, b)

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        da = m.divide(g, b) if needs[0] else None
        db = -m.divide(g * out, b) if needs[1] else None
        return da, db


class Neg(Op):
    """-a.  d/da = -1."""

    name, symbol = "neg", "-"

    def forward(self, m, a):
        return -a

    def backward(self, m, g, out, xs, needs):
        return (-g,)


class PowConst(Op):
    """a ** c for a constant exponent c.  d/da = c * a^(c-1)  (the power rule)."""

    name = "pow_const"

    def __init__(self, exponent: float):
        self.exponent = exponent

    @property
    def display(self) -> str:
        return f"**{self.exponent:g}"

    def forward(self, m, a):
        return m.power(a, self.exponent)

    def backward(self, m, g, out, xs, needs):
        (a,) = xs
        c = self.exponent
        if c == 2:  # the common square: skip the general power for speed
            return (g * (2 * a),)
        return (g * (c * m.power(a, c - 1)),)


class Pow(Op):
    """a ** b with both sides variable.  d/da = b a^(b-1),  d/db = a^b ln(a)."""

    name, symbol = "pow", "**"

    def forward(self, m, a, b):
        return m.power(a, b)

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        da = g * (b * m.power(a, b - 1)) if needs[0] else None
        db = g * (out * m.log(a)) if needs[1] else None
        return da, db


# ----------------------------------------------------------------------------------------
# Elementwise functions
# ----------------------------------------------------------------------------------------
class Exp(Op):
    """exp(a).  d/da = exp(a) = out."""

    name = "exp"

    def forward(self, m, a):
        return m.exp(a)

    def backward(self, m, g, out, xs, needs):
        return (g * out,)


class Log(Op):
    """ln(a) for a >= 0.  d/da = 1/a."""

    name = "log"

    def forward(self, m, a):
        return m.log(a)

    def backward(self, m, g, out, xs, needs):
        return (m.divide(g, xs[0]),)


class Sqrt(Op):
    """sqrt(a) for a >= 0.  d/da = 1 / (2 sqrt(a)) = 0.5 / out."""

    name = "sqrt"

    def forward(self, m, a):
        return m.sqrt(a)

    def backward(self, m, g, out, xs, needs):
        return (m.divide(g * 0.5, out),)


class Tanh(Op):
    """tanh(a).  d/da = 1 - tanh(a)^2 = 1 - out^2."""

    name = "tanh"

    def forward(self, m, a):
        return m.tanh(a)

    def backward(self, m, g, out, xs, needs):
        return (g * (1 - out * out),)


class Sigmoid(Op):
    """sigma(a) = 1 / (1 + exp(-a)).  d/da = sigma(a) (1 - sigma(a)) = out (1 - out)."""

    name = "sigmoid"
    symbol = "σ"

    def forward(self, m, a):
        return m.sigmoid(a)

    def backward(self, m, g, out, xs, needs):
        return (g * (out * (1 - out)),)


class Relu(Op):
    """max(0, a).  d/da = 1 where a > 0, else 0 (we pick 0 at the kink a = 0)."""

    name = "relu"

    def forward(self, m, a):
        return m.relu(a)

    def backward(self, m, g, out, xs, needs):
        (a,) = xs
        return (g * m.constant(m.raw(a) > 0, a),)


class LeakyRelu(Op):
    """a for a > 0, alpha * a otherwise.  d/da = 1 for a > 0, alpha otherwise (also at 0,
    so the gradient is never zero: that is the point of the leak)."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01):
        self.alpha = alpha

    def forward(self, m, a):
        return m.leaky_relu(a, self.alpha)

    def backward(self, m, g, out, xs, needs):
        (a,) = xs
        return (g * m.constant(np.where(m.raw(a) > 0, 1.0, self.alpha), a),)


class Elu(Op):
    """a for a > 0, alpha (e^a - 1) otherwise.  d/da = 1 for a > 0, alpha e^a = out + alpha
    otherwise (alpha at 0, like PyTorch)."""

    name = "elu"

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def forward(self, m, a):
        return m.elu(a, self.alpha)

    def backward(self, m, g, out, xs, needs):
        (a,) = xs
        positive = m.constant(m.raw(a) > 0, a)
        return (g * (positive + (1 - positive) * (out + self.alpha)),)


class Abs(Op):
    """|a|.  d/da = sign(a) (0 at the kink a = 0)."""

    name = "abs"

    def forward(self, m, a):
        return abs(a)

    def backward(self, m, g, out, xs, needs):
        (a,) = xs
        return (g * m.constant(np.sign(m.raw(a)), a),)


class Sin(Op):
    """sin(a).  d/da = cos(a)."""

    name = "sin"

    def forward(self, m, a):
        return m.sin(a)

    def backward(self, m, g, out, xs, needs):
        return (g * m.cos(xs[0]),)


class Cos(Op):
    """cos(a).  d/da = -sin(a)."""

    name = "cos"

    def forward(self, m, a):
        return m.cos(a)

    def backward(self, m, g, out, xs, needs):
        return (-(g * m.sin(xs[0])),)


class Dot(Op):
    """w . x + b = w_1 x_1 + ... + w_n x_n + b: a neuron's weighted sum as ONE node.

    d/dw_i = x_i,  d/dx_i = w_i,  d/db = 1. The same math as n multiplications and n
    additions, but one graph node instead of 2n, which makes scalar networks much faster
    and their pictures much smaller. Parents are ``(w_1..w_n, x_1..x_n[, b])``.
    """

    name = "dot"
    symbol = "Σwx"
    engines = ("value",)

    def __init__(self, n: int, has_bias: bool):
        self.n, self.has_bias = n, has_bias

    @property
    def display(self) -> str:
        return "Σ wᵢxᵢ + b" if self.has_bias else "Σ wᵢxᵢ"

    def forward(self, m, *xs):
        n = self.n
        total = xs[2 * n] if self.has_bias else 0.0
        for w, x in zip(xs[:n], xs[n : 2 * n]):
            total = total + w * x
        return total

    def backward(self, m, g, out, xs, needs):
        n = self.n
        grads = [g * x for x in xs[n : 2 * n]] + [g * w for w in xs[:n]]
        if self.has_bias:
            grads.append(g)
        return grads


class Maximum(Op):
    """max(a, b) elementwise.  The gradient goes to the larger input (to a on ties)."""

    name = "maximum"
    engines = ("tensor",)

    def forward(self, m, a, b):
        return np.maximum(a, b)

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        a_wins = m.raw(a) >= m.raw(b)
        return g * m.constant(a_wins, out), g * m.constant(~a_wins, out)


class Minimum(Op):
    """min(a, b) elementwise.  The gradient goes to the smaller input (to a on ties)."""

    name = "minimum"
    engines = ("tensor",)

    def forward(self, m, a, b):
        return np.minimum(a, b)

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        a_wins = m.raw(a) <= m.raw(b)
        return g * m.constant(a_wins, out), g * m.constant(~a_wins, out)


class Where(Op):
    """where(condition, a, b): a where the (constant) condition holds, else b."""

    name = "where"
    engines = ("tensor",)

    def __init__(self, condition):
        self.condition = np.asarray(condition, dtype=bool)

    def forward(self, m, a, b):
        return np.where(self.condition, a, b)

    def backward(self, m, g, out, xs, needs):
        keep = self.condition
        return g * m.constant(keep, out), g * m.constant(~keep, out)


# ----------------------------------------------------------------------------------------
# Linear algebra, reductions and shapes (Tensor only)
# ----------------------------------------------------------------------------------------
class MatMul(Op):
    """a @ b (2-D or batched).  d/da = g @ b^T,  d/db = a^T @ g."""

    name, symbol = "matmul", "@"
    engines = ("tensor",)

    def forward(self, m, a, b):
        return m.matmul(a, b)

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        da = m.matmul(g, m.swap_last_axes(b)) if needs[0] else None
        db = m.matmul(m.swap_last_axes(a), g) if needs[1] else None
        return da, db


class Affine(Op):
    """x @ W + b: what a dense layer computes, as one node.

    d/dx = g @ W^T,   d/dW = x^T @ g,   d/db = g summed over the batch.

    The same numbers as a ``matmul`` node followed by an ``add`` node, one node fewer per
    layer (the engine sums the bias gradient over the batch, as for any broadcast ``+``).
    Parents are ``(x, W)`` or ``(x, W, b)``; x has at least two axes (a batch of rows).
    """

    name, symbol = "affine", "xW+b"
    engines = ("tensor",)

    def forward(self, m, x, w, b=None):
        z = m.matmul(x, w)
        if b is not None:
            z += b  # in place: z is a fresh array, so this saves one allocation
        return z

    def backward(self, m, g, out, xs, needs):
        dx, dw = MATMUL.backward(m, g, out, xs[:2], needs[:2])  # the matmul rule for x @ W
        return (dx, dw, g)[: len(xs)]  # and b gets g (the engine sums it over the batch)


class Sum(Op):
    """Sum over ``axis`` (all axes when None). Each input element gets the upstream grad."""

    name, symbol = "sum", "Σ"
    engines = ("tensor",)

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, m, a):
        return a.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, m, g, out, xs, needs):
        shape = m.shape(xs[0])
        return (m.broadcast_to(m.keep_reduced_dims(g, shape, self.axis, self.keepdims), shape),)


class Mean(Sum):
    """Average over ``axis`` (all axes when None): sum / n.  Each input element gets g / n.

    The same numbers as a ``sum`` node followed by a multiplication by 1/n, in one node
    (every mean loss ends with it): forward and backward are Sum's, scaled by 1/n.
    """

    name, symbol = "mean", "mean"

    def forward(self, m, a):
        if a.size == 0:
            return a.mean(axis=self.axis, keepdims=self.keepdims)  # nan, as numpy says
        # sum / n; np.add.reduce is a.sum() without numpy's Python-level wrapper (faster)
        total = np.add.reduce(a, axis=self.axis, keepdims=self.keepdims)
        return total * (np.size(total) / a.size)

    def backward(self, m, g, out, xs, needs):
        (spread,) = super().backward(m, g, out, xs, needs)  # g copied to every element
        in_size, out_size = _math.prod(m.shape(xs[0])), _math.prod(m.shape(out))
        return (spread * (out_size / in_size if in_size else 0.0),)  # times 1/n


class Max(Op):
    """Max over ``axis``. The gradient goes to the maximal entries (shared equally on ties)."""

    name = "max"
    engines = ("tensor",)

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, m, a):
        return a.max(axis=self.axis, keepdims=self.keepdims)

    def backward(self, m, g, out, xs, needs):
        a = m.raw(xs[0])
        peak = m.raw(out)  # the forward's result: no second pass over a to find the max
        if not self.keepdims:
            peak = np.reshape(peak, _reduced_shape(a.shape, self.axis))
        winners = a == peak  # a boolean mask: g * mask keeps g's dtype
        g_full = m.keep_reduced_dims(g, a.shape, self.axis, self.keepdims)
        if np.count_nonzero(winners) != peak.size:  # ties (e.g. zeros after a ReLU), or NaN
            # split g equally between tied maxima: divide the (small) reduced g by the count
            ties = np.add.reduce(winners, axis=self.axis, keepdims=True, dtype=a.dtype)
            g_full = g_full / m.constant(np.maximum(ties, 1), xs[0])
        return (g_full * m.constant(winners, xs[0]),)


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
        axes = self.axes if self.axes is not None else tuple(reversed(range(ndim)))
        return (m.transpose(g, tuple(np.argsort(axes))),)


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
        out = np.zeros(self.shape, dtype=g.dtype)
        if _is_basic_index(self.index):
            out[self.index] += g  # slices/ints never repeat a position: a plain add is exact
        else:
            np.add.at(out, self.index, g)  # integer arrays may repeat: accumulate each hit
        return out

    def backward(self, m, g, out, xs, needs):
        return (m.getitem(g, self.index),)


def _is_basic_index(index) -> bool:
    """True for indices built from ints, slices, None and ... only (numpy "basic" indexing)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer)) for p in parts)


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
        return ArrayMath.sum_to(a, self.shape)

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


# ----------------------------------------------------------------------------------------
# Sliding windows for convolution and pooling (Tensor only). im2col and col2im are a pair:
# each one is the other's backward (both are linear), so create_graph works through them.
# ----------------------------------------------------------------------------------------
class Im2Col(Op):
    """Cut every (kh, kw) window out of an (N, H, W, C) batch: -> (N, Ho, Wo, kh, kw, C).

    Windows start every ``stride`` pixels, their taps are ``dilation`` pixels apart, and the
    image is first padded with ``fill`` by ``padding = ((top, bottom), (left, right))``.
    Each input pixel is copied into every window that covers it, so the gradient of a pixel
    is the SUM of the gradients of its copies: that sum is :class:`Col2Im`.
    """

    name = "im2col"
    engines = ("tensor",)

    def __init__(
        self, kernel_size, stride=(1, 1), dilation=(1, 1), padding=((0, 0), (0, 0)), fill=0.0
    ):
        self.kernel_size, self.stride, self.dilation = (
            tuple(kernel_size),
            tuple(stride),
            tuple(dilation),
        )
        self.padding, self.fill = tuple(map(tuple, padding)), fill

    @property
    def display(self) -> str:
        return "im2col {}×{}".format(*self.kernel_size)

    def forward(self, m, x):
        (top, bottom), (left, right) = self.padding
        if top or bottom or left or right:
            pad_width = ((0, 0), (top, bottom), (left, right), (0, 0))
            x = np.pad(x, pad_width, constant_values=self.fill)
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)  # what one dilated window covers
        windows = np.lib.stride_tricks.sliding_window_view(x, span, axis=(1, 2))
        windows = windows[:, ::sh, ::sw, :, ::dh, ::dw]  # (N, Ho, Wo, C, kh, kw), a view
        return np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3))

    def backward(self, m, g, out, xs, needs):
        adjoint = Col2Im(m.shape(xs[0]), self.kernel_size, self.stride, self.dilation, self.padding)
        return (_apply_linear(m, adjoint, g),)


class Col2Im(Op):
    """Add windows back onto an image: (N, Ho, Wo, kh, kw, C) -> (N, H, W, C), the adjoint of
    :class:`Im2Col`. Overlapping windows add up; values that fell on the padding are dropped.
    """

    name = "col2im"
    engines = ("tensor",)

    def __init__(
        self, image_shape, kernel_size, stride=(1, 1), dilation=(1, 1), padding=((0, 0), (0, 0))
    ):
        self.image_shape = tuple(image_shape)
        self.kernel_size, self.stride, self.dilation = (
            tuple(kernel_size),
            tuple(stride),
            tuple(dilation),
        )
        self.padding = tuple(map(tuple, padding))

    def forward(self, m, cols):
        n, height, width, channels = self.image_shape
        (top, bottom), (left, right) = self.padding
        image = np.zeros((n, height + top + bottom, width + left + right, channels), cols.dtype)
        _, out_h, out_w, kh, kw, _ = cols.shape
        (sh, sw), (dh, dw) = self.stride, self.dilation
        # taps first, in one copy, so each tap below is a contiguous block (2x faster)
        taps = np.ascontiguousarray(np.moveaxis(cols, (3, 4), (0, 1)))
        for i in range(kh):  # one strided slice per kernel tap: kh * kw fast numpy adds
            rows = slice(i * dh, i * dh + sh * (out_h - 1) + 1, sh)
            for j in range(kw):
                columns = slice(j * dw, j * dw + sw * (out_w - 1) + 1, sw)
                image[:, rows, columns, :] += taps[i, j]
        return np.ascontiguousarray(image[:, top : top + height, left : left + width, :])

    def backward(self, m, g, out, xs, needs):
        forward = Im2Col(self.kernel_size, self.stride, self.dilation, self.padding)
        return (_apply_linear(m, forward, g),)


def _apply_linear(m, op, x):
    """Apply a one-input linear op inside a backward formula: on raw arrays normally, as a
    new graph node when the backward pass is being recorded (``create_graph=True``)."""
    if m is GraphMath:
        return type(x)._from_op(op, (x,))
    return op.forward(m, x)


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


class SoftmaxCrossEntropy(SavesForBackward, Op):
    """Cross-entropy of softmax(z) against target rows t (one-hot or probabilities).

    loss_n = log Σ_c e^(z_nc) - Σ_c t_nc z_nc       (the log-sum-exp is shifted by the max)
    d loss_n / d z_nc = softmax(z_n)_c - t_nc          (the famous "p - y")

    ``reduction`` says what the node outputs: ``"none"`` one loss per row, ``"sum"`` their
    sum, ``"mean"`` their average over the N rows (then the gradient is (p - y) / N). A
    training loss is then ONE node instead of the ~9 of log_softmax + pick + sum + mean,
    with a gradient anyone can read. The targets are constants stored in the op; the class
    axis is the last one. The forward pass computes softmax(z) anyway, so it keeps it for
    the backward pass (what PyTorch calls "saving a tensor for backward"): the gradient is
    then one subtraction.

    >>> z, t = np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> float(SoftmaxCrossEntropy(t, "mean").forward(ArrayMath, z))   # log 2 per row
    0.6931471805599453
    """

    name = "softmax_cross_entropy"
    engines = ("tensor",)
    REDUCTIONS = ("none", "sum", "mean")

    def __init__(self, targets, reduction: str = "none"):
        if reduction not in self.REDUCTIONS:
            raise ValueError(f"reduction must be one of {self.REDUCTIONS}, got {reduction!r}")
        self.targets, self.reduction = targets, reduction

    @property
    def display(self) -> str:
        return "CE(softmax)" if self.reduction == "none" else f"{self.reduction} CE(softmax)"

    def _row_weight(self, z_shape) -> float:
        """d(output)/d(loss_n): 1 per row for "none" and "sum", 1/N for "mean"."""
        return 1.0 / _math.prod(z_shape[:-1]) if self.reduction == "mean" else 1.0

    def forward(self, m, z):
        shifted = z - z.max(axis=-1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=-1, keepdims=True)
        if self.reduction == "none":
            loss = np.log(total[..., 0]) - (self.targets * shifted).sum(axis=-1)
        else:  # Σ_n loss_n = Σ_n log Σ_c e^(shifted) - Σ_nc t_nc shifted_nc: a sum, a dot
            loss = (np.log(total).sum() - np.vdot(self.targets, shifted)) * self._row_weight(
                z.shape
            )
        return self.save_for_backward(loss, exp / total)  # softmax(z), for the gradient

    def backward(self, m, g, out, xs, needs):
        (z,) = xs
        probs = self.saved_for(out)  # the forward's softmax, or (graph nodes) a new one
        if probs is None:
            probs = m.softmax(z)
        p_minus_t = probs - m.constant(self.targets, z)
        if self.reduction == "none":  # one upstream number per row: give it a class axis
            return (m.reshape(g, m.shape(g) + (1,)) * p_minus_t,)
        return (p_minus_t * (g * self._row_weight(m.shape(z))),)


# ----------------------------------------------------------------------------------------
# Math backends: the same formulas on floats, on arrays, or on graph nodes
# ----------------------------------------------------------------------------------------
def _domain_error(function: str, x, rule: str) -> ValueError:
    return ValueError(f"{function}({x}) is undefined: {function} needs {rule}")


class ScalarMath:
    """Python floats with the ``math`` module, made IEEE-safe (inf instead of exceptions)."""

    @staticmethod
    def raw(x):
        return x

    @staticmethod
    def constant(value, like):
        return float(value)

    unbroadcast = None  # scalars never broadcast

    @staticmethod
    def divide(a, b):
        try:
            return a / b
        except ZeroDivisionError:  # IEEE: x/0 is +-inf, 0/0 is nan
            return _math.copysign(_math.inf, a) * _math.copysign(1.0, b) if a else _math.nan

    @staticmethod
    def power(a, c):
        if a < 0 and c != int(c):
            raise _domain_error("pow", f"{a}, {c}", "a non-negative base for a fractional power")
        try:
            return float(a**c)
        except ZeroDivisionError:  # 0 ** negative
            return _math.inf
        except OverflowError:
            return _math.inf if a > 0 or c % 2 == 0 else -_math.inf

    @staticmethod
    def exp(a):
        try:
            return _math.exp(a)
        except OverflowError:
            return _math.inf

    @staticmethod
    def log(a):
        if a > 0:
            return _math.log(a)
        if a == 0:
            return -_math.inf
        if a != a:  # nan stays nan
            return a
        raise _domain_error("log", a, "x >= 0")

    @staticmethod
    def sqrt(a):
        if a < 0:
            raise _domain_error("sqrt", a, "x >= 0")
        return _math.sqrt(a)

    @staticmethod
    def sigmoid(a):
        if a >= 0:  # exp(-a) <= 1 here, so it cannot overflow
            return 1.0 / (1.0 + _math.exp(-a))
        e = _math.exp(a) if a > -745 else 0.0
        return e / (1.0 + e)

    tanh = staticmethod(_math.tanh)
    sin = staticmethod(_math.sin)
    cos = staticmethod(_math.cos)

    @staticmethod
    def relu(a):
        return a if a > 0 else 0.0

    @staticmethod
    def leaky_relu(a, alpha):
        return a if a > 0 else alpha * a

    @staticmethod
    def elu(a, alpha):
        return a if a > 0 else alpha * (_math.exp(a) - 1.0)


@functools.lru_cache(maxsize=32)
def _ones(n: int, dtype) -> np.ndarray:
    """A read-only vector of n ones, made once per length (bias gradients use it each step)."""
    ones = np.ones(n, dtype)
    ones.flags.writeable = False
    return ones


_SMALL_MATMUL = 1 << 16  # multiply-adds under which a matrix product is "small" (ArrayMath)


class ArrayMath:
    """numpy arrays; the same IEEE-safe behaviour as ScalarMath, without warnings."""

    @staticmethod
    def raw(x):
        return x

    @staticmethod
    def constant(value, like):
        if type(value) is not np.ndarray:
            value = np.asarray(value)
        if value.dtype == bool:  # a mask: g * mask keeps g's dtype, no float copy needed
            return value
        return value.astype(like.dtype, copy=False)

    @staticmethod
    def shape(x):
        return x.shape

    @staticmethod
    def divide(a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            return a / b

    @staticmethod
    def power(a, c):
        # A negative base needs a whole exponent. A constant exponent (a Python float) is
        # checked once, without the array test that costs more than the power itself.
        whole = c.is_integer() if type(c) is float else False
        if not whole and np.any((a < 0) & (np.asarray(c) != np.round(c))):
            raise ValueError(
                "pow is undefined for a negative base with a fractional exponent "
                f"(found base min {np.min(a)}); use abs() or an integer exponent"
            )
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            return np.power(a, c)

    @staticmethod
    def exp(a):
        with np.errstate(over="ignore"):
            return np.exp(a)

    @staticmethod
    def log(a):
        if np.any(a < 0):
            raise ValueError(f"log is undefined for negative numbers (found {np.min(a)})")
        with np.errstate(divide="ignore"):
            return np.log(a)

    @staticmethod
    def sqrt(a):
        if np.any(a < 0):
            raise ValueError(f"sqrt is undefined for negative numbers (found {np.min(a)})")
        return np.sqrt(a)

    @staticmethod
    def sigmoid(a):
        # exp(-|a|) never overflows; pick the algebraically equal form for each sign
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1 / (1 + e), e / (1 + e))

    tanh = staticmethod(np.tanh)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)

    @staticmethod
    def relu(a):
        return np.maximum(a, 0)

    @staticmethod
    def leaky_relu(a, alpha):
        return np.where(a > 0, a, alpha * a)

    @staticmethod
    def elu(a, alpha):
        # exp only of the non-positive part: no overflow warning for large positive a
        return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0)))

    @staticmethod
    def softmax(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    # --- shape helpers used by backward formulas ------------------------------------------
    @staticmethod
    def unbroadcast(g, like):
        shape = like.shape
        if g.shape == shape:
            return g
        return ArrayMath.sum_to(g, shape)

    @staticmethod
    def sum_to(g, shape):
        """Sum ``g`` over the axes that broadcasting added or stretched to reach ``shape``."""
        extra = g.ndim - len(shape)
        if extra and shape and g.shape[extra:] == shape and g.flags.c_contiguous:
            # The common case, a bias added to a batch (of rows, of pixels): the gradient is
            # the sum of the rows, 1ᵀG, a matrix-vector product. BLAS does it 1-20x faster
            # than numpy's sum down axis 0 (340 vs 16 µs for 21632 pixels x 8 channels).
            rows = g.reshape(-1, _math.prod(shape))
            return _ones(rows.shape[0], g.dtype).dot(rows).reshape(shape)
        axes = tuple(range(extra)) + tuple(
            i + extra for i, n in enumerate(shape) if n == 1 and g.shape[i + extra] != 1
        )
        summed = g.sum(axis=axes, keepdims=True) if axes else g
        return summed.reshape(shape)

    @staticmethod
    def broadcast_to(g, shape):
        if _math.prod(shape) < 4096:  # small (a loss gradient): a filled copy is much
            full = np.empty(shape, dtype=g.dtype)  # cheaper to make than numpy's view
            full[...] = g
            return full
        return np.broadcast_to(g, shape)

    @staticmethod
    def keep_reduced_dims(g, in_shape, axis, keepdims):
        """Give a reduced gradient its size-1 axes back so it broadcasts over the input."""
        if keepdims or axis is None and g.ndim == len(in_shape):
            return g
        return g.reshape(_reduced_shape(in_shape, axis))

    @staticmethod
    def reshape(g, shape):
        return g.reshape(shape)

    @staticmethod
    def transpose(g, axes):
        return g.transpose(axes)

    @staticmethod
    def swap_last_axes(x):
        return x.swapaxes(-1, -2)

    @staticmethod
    def matmul(a, b):
        """``a @ b``.

        >>> ArrayMath.matmul(np.eye(2), np.array([[1.0], [2.0]]))
        array([[1.],
               [2.]])
        """
        # For small matrices ndarray.dot is the same product as ``a @ b`` with less than half
        # the call overhead (0.4 vs 0.9 µs for 8x8 float32). For big ones the overhead does
        # not matter and ``@`` was up to 10% faster on transposed operands (xᵀ g, 784x8x256).
        if a.ndim == 2 and b.ndim == 2 and a.shape[0] * a.shape[1] * b.shape[1] < _SMALL_MATMUL:
            return a.dot(b)
        return a @ b

    @staticmethod
    def getitem(g, index):
        return g[index]

    @staticmethod
    def concatenate(parts, axis):
        return np.concatenate(parts, axis=axis)

    @staticmethod
    def blocks(parts, like):
        """Blocks shaped like ``like`` side by side on the last axis; None is a block of
        zeros. Written into one array: no zero blocks to make and no concatenation copy.

        >>> ArrayMath.blocks([None, np.array([[1.0, 2.0]])], np.zeros((1, 2)))
        array([[0., 0., 1., 2.]])
        """
        width = like.shape[-1]
        out = np.zeros(like.shape[:-1] + (len(parts) * width,), like.dtype)
        for k, part in enumerate(parts):
            if part is not None:
                out[..., k * width : (k + 1) * width] = part
        return out

    @staticmethod
    def astype(g, dtype):
        return g.astype(dtype)

    @staticmethod
    def scatter_add(g, index, shape):
        return ScatterAdd(index, shape).forward(ArrayMath, g)


def _reduced_shape(in_shape, axis):
    if axis is None:
        return (1,) * len(in_shape)
    axes = axis if isinstance(axis, tuple) else (axis,)
    axes = {a % len(in_shape) for a in axes}
    return tuple(1 if i in axes else n for i, n in enumerate(in_shape))


class GraphMath:
    """Graph nodes: every function builds new nodes (used when ``create_graph=True``)."""

    @staticmethod
    def raw(x):
        return x.data

    @staticmethod
    def constant(value, like):
        if np.ndim(like.data) == 0 and not hasattr(like, "shape"):
            return type(like)(float(value), requires_grad=False)
        return type(like)(np.asarray(value, dtype=like.data.dtype), requires_grad=False)

    @staticmethod
    def shape(x):
        return np.shape(x.data)

    divide = staticmethod(lambda a, b: a / b)
    power = staticmethod(lambda a, c: a**c)
    exp = staticmethod(lambda a: a.exp())
    log = staticmethod(lambda a: a.log())
    sqrt = staticmethod(lambda a: a.sqrt())
    sin = staticmethod(lambda a: a.sin())
    cos = staticmethod(lambda a: a.cos())
    tanh = staticmethod(lambda a: a.tanh())

    @staticmethod
    def unbroadcast(g, like):
        if not hasattr(g, "shape") or g.shape == np.shape(like):
            return g
        return g.sum_to(np.shape(like))

    sum_to = staticmethod(lambda g, shape: g.sum_to(shape))
    broadcast_to = staticmethod(lambda g, shape: g.broadcast_to(shape))
    reshape = staticmethod(lambda g, shape: g.reshape(shape))
    transpose = staticmethod(lambda g, axes: g.transpose(axes))
    swap_last_axes = staticmethod(lambda x: x.swapaxes(-1, -2))
    matmul = staticmethod(lambda a, b: a @ b)
    getitem = staticmethod(lambda g, index: g[index])
    concatenate = staticmethod(
        lambda parts, axis: type(parts[0])._from_op(Concatenate(axis), tuple(parts))
    )
    astype = staticmethod(lambda g, dtype: g.astype(dtype))

    @staticmethod
    def blocks(parts, like):
        zeros = GraphMath.constant(np.zeros(like.shape, like.data.dtype), like)
        return GraphMath.concatenate([zeros if p is None else p for p in parts], -1)

    @staticmethod
    def softmax(z):
        from microgradnn.functional import softmax  # a composite, so it differentiates again

        return softmax(z, axis=-1)

    @staticmethod
    def keep_reduced_dims(g, in_shape, axis, keepdims):
        if keepdims or axis is None and g.ndim == len(in_shape):
            return g
        return g.reshape(_reduced_shape(in_shape, axis))

    @staticmethod
    def scatter_add(g, index, shape):
        return type(g)._from_op(ScatterAdd(index, shape), (g,))


# Shared instances of the ops that carry no parameters (one object, many nodes).
ADD, SUB, MUL, DIV, NEG, POW = Add(), Sub(), Mul(), Div(), Neg(), Pow()
EXP, LOG, SQRT, TANH, SIGMOID, RELU, ABS, SIN, COS = (
    Exp(),
    Log(),
    Sqrt(),
    Tanh(),
    Sigmoid(),
    Relu(),
    Abs(),
    Sin(),
    Cos(),
)
MATMUL, AFFINE, MAXIMUM, MINIMUM = MatMul(), Affine(), Maximum(), Minimum()


# ----------------------------------------------------------------------------------------
# One LSTM step in three nodes (Tensor only). Built from the ops above, a step is ~17 nodes
# (two matmuls, adds, four gate slices, σ σ tanh σ, products); for small float32 arrays
# their Python cost is most of the training time. These ops compute the same numbers:
#
#     gates = [i, f, g, o] = [σ(z_i), σ(z_f), tanh(z_g), σ(z_o)]    z = x W_ih + h W_hh + b
#     c'    = f * c + i * g                                          (LstmMemory)
#     h'    = o * tanh(c')                                           (LstmOutput)
#
# The gate blocks sit side by side on the last axis in PyTorch's order i, f, g, o.
# ----------------------------------------------------------------------------------------
class LstmGates(Op):
    """All four LSTM gates of one time step, from the inputs and weights, in one node.

    Inputs: x (N, F), W_ih (F, 4H), h (N, H), W_hh (H, 4H) and optionally b (4H,).

        z     = x W_ih + h W_hh + b
        gates = [i, f, g, o] = [σ(z_i), σ(z_f), tanh(z_g), σ(z_o)]        shape (N, 4H)

    Derivatives. σ' = σ (1 - σ) and tanh' = (1 - tanh)(1 + tanh) are one formula of the
    output: (1 - gates) (gates + t) with t = 1 on the g block and t = 0 on the others. The
    rest is the matmul rule (as in :class:`MatMul`):

        dz    = grad * (1 - gates) * (gates + t)
        dx    = dz W_ihᵀ,   dW_ih = xᵀ dz,   dh = dz W_hhᵀ,   dW_hh = hᵀ dz,   db = dz

    (the engine sums db over the batch, as for any broadcast add).

    >>> x, w = np.zeros((1, 1)), np.ones((1, 4))        # one unit: gates i, f, g, o
    >>> LstmGates().forward(ArrayMath, x, w, np.zeros((1, 1)), w)
    array([[0.5, 0.5, 0. , 0.5]])
    """

    name = "lstm_gates"
    engines = ("tensor",)

    def forward(self, m, x, w_ih, h, w_hh, *bias):
        z = m.matmul(x, w_ih)
        z += m.matmul(h, w_hh)  # z is a new array: adding in place saves a copy
        if bias:
            z += bias[0]
        units = _block_width(z.shape[-1], 4, self.name)
        g_block = z[..., 2 * units : 3 * units]
        candidate = np.tanh(g_block)  # g = tanh(z_g)
        # σ on the whole array in place (four whole-array operations cost less than one set
        # per block), then the g block gets its tanh back
        gates = _sigmoid_in_place(z)
        g_block[...] = candidate
        return gates

    def backward(self, m, grad, out, xs, needs):
        x, w_ih, h, w_hh = xs[:4]  # xs[4] is b when there is one: its share is dz
        shift = _tanh_block(m.shape(out)[-1], m.raw(out).dtype)  # t: 1 on g, 0 elsewhere
        dz = grad * ((1 - out) * (out + m.constant(shift, out)))
        # z = x W_ih + h W_hh + b: the matmul rule for each product, and dz for b
        dx, dw_ih = MATMUL.backward(m, dz, None, (x, w_ih), needs[0:2])
        dh, dw_hh = MATMUL.backward(m, dz, None, (h, w_hh), needs[2:4])
        return (dx, dw_ih, dh, dw_hh) + tuple(dz if need else None for need in needs[4:])


class LstmMemory(Op):
    """The new LSTM memory from the gates (N, 4H) and the old memory c (N, H):

        c' = f * c + i * g

    Derivatives, one product rule per term:

        dc'/di = g,   dc'/df = c,   dc'/dg = i,   dc'/do = 0,   dc'/dc = f

    so the gates receive the four blocks [g, c, i, 0] * grad, side by side:

    >>> gates = np.array([[0.5, 0.25, -0.5, 0.75]])        # i, f, g, o of one unit
    >>> c = np.array([[4.0]])
    >>> LstmMemory().forward(ArrayMath, gates, c)           # 0.25 * 4 + 0.5 * (-0.5)
    array([[0.75]])
    >>> LstmMemory().backward(ArrayMath, np.ones((1, 1)), None, (gates, c), (True, True))
    (array([[-0.5,  4. ,  0.5,  0. ]]), array([[0.25]]))
    """

    name = "lstm_memory"
    symbol = "f·c + i·g"
    engines = ("tensor",)

    def forward(self, m, gates, c):
        units = _units(self.name, gates, c)
        i, f = gates[..., :units], gates[..., units : 2 * units]
        g = gates[..., 2 * units : 3 * units]
        return f * c + i * g

    def backward(self, m, grad, out, xs, needs):
        gates, c = xs
        i, f, g, _ = _gate_blocks(m, gates)
        d_gates = None
        if needs[0]:
            d_gates = m.blocks([grad * g, grad * c, grad * i, None], c)
        return d_gates, (grad * f if needs[1] else None)


class LstmOutput(SavesForBackward, Op):
    """The new LSTM hidden state from the gates (N, 4H) and the new memory c' (N, H):

        h' = o * tanh(c')

    Derivatives:

        dh'/do = tanh(c'),   dh'/dc' = o (1 - tanh(c')²),   dh'/di = dh'/df = dh'/dg = 0

    so the gates receive the blocks [0, 0, 0, tanh(c') * grad].

    The forward pass computes tanh(c') anyway, so the op keeps it for the backward pass of
    the same output (use one op object per node, as ``lstm_cell`` does, to reuse it).

    >>> gates = np.array([[0.5, 0.25, -0.5, 0.75]])        # i, f, g, o of one unit
    >>> LstmOutput().forward(ArrayMath, gates, np.zeros((1, 1)))   # 0.75 * tanh(0)
    array([[0.]])
    """

    name = "lstm_output"
    symbol = "o·tanh(c)"
    engines = ("tensor",)

    def forward(self, m, gates, c):
        units = _units(self.name, gates, c)
        tanh_c = m.tanh(c)
        return self.save_for_backward(gates[..., 3 * units :] * tanh_c, tanh_c)

    def backward(self, m, grad, out, xs, needs):
        gates, c = xs
        units = m.shape(c)[-1]
        o = m.getitem(gates, (..., slice(3 * units, 4 * units)))
        tanh_c = self.saved_for(out)  # the forward's tanh(c'), or (graph nodes) a new one
        if tanh_c is None:
            tanh_c = m.tanh(c)
        d_gates = None
        if needs[0]:
            d_gates = m.blocks([None, None, None, grad * tanh_c], c)  # [0, 0, 0, do]
        return d_gates, (grad * (o * (1 - tanh_c * tanh_c)) if needs[1] else None)


def _sigmoid_in_place(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(-z)), written over z (a fresh array the caller owns)."""
    np.negative(z, out=z)
    with np.errstate(over="ignore"):  # e^(-z) = inf for very negative z: σ -> 0, right
        np.exp(z, out=z)
    z += 1
    return np.reciprocal(z, out=z)


def _block_width(width: int, blocks: int, name: str) -> int:
    """H, the width of one gate block, after checking that there are ``blocks`` equal ones."""
    if width % blocks:
        raise ValueError(f"{name}: z needs {blocks} equal gate blocks, got {width} columns")
    return width // blocks


@functools.lru_cache(maxsize=64)
def _tanh_block(width: int, dtype) -> np.ndarray:
    """t = 1 on the g (tanh) block of the gates, 0 on the sigmoid blocks i, f, o; made once
    per width and read-only, because every time step of every LSTM uses it."""
    units = _block_width(width, 4, "lstm_gates")
    marker = np.zeros(width, dtype=dtype)
    marker[2 * units : 3 * units] = 1.0
    marker.flags.writeable = False
    return marker


def _gate_blocks(m, gates, count: int = 4) -> list:
    """The ``count`` equal blocks of gates side by side on the last axis: i, f, g, o of an
    LSTM's (..., 4H), r, z, n of a GRU's (..., 3H) (views of arrays, nodes in a graph)."""
    units = m.shape(gates)[-1] // count
    return [m.getitem(gates, (..., slice(k * units, (k + 1) * units))) for k in range(count)]


def _units(name: str, gates, state, blocks: int = 4, state_name: str = "memory") -> int:
    """H, the width of the state (LSTM memory c, GRU hidden h), after checking that the gates
    are ``blocks`` blocks of it."""
    units = state.shape[-1]
    if gates.shape[-1] != blocks * units:
        raise ValueError(
            f"{name}: the gates need {blocks} blocks as wide as the {state_name} ({units}), "
            f"got {gates.shape[-1]} columns"
        )
    return units


LSTM_GATES, LSTM_MEMORY = LstmGates(), LstmMemory()  # LstmOutput keeps tanh(c'): one per node


# ----------------------------------------------------------------------------------------
# One GRU step in two nodes (Tensor only), instead of ~15 (two matmuls, bias adds, six gate
# slices, σ σ tanh, products). PyTorch's equations and gate order r, z, n:
#
#     a = x W_ih + b_ih,   b = h W_hh + b_hh                       (both (N, 3H))
#     gates = [r, z, n] = [σ(a_r + b_r), σ(a_z + b_z), tanh(a_n + r * b_n)]   (GruGates)
#     h' = (1 - z) * n + z * h                                      (GruOutput)
# ----------------------------------------------------------------------------------------
class GruGates(SavesForBackward, Op):
    """The three GRU gates of one time step, [r, z, n], from the inputs and weights, in one node.

    Inputs: x (N, F), W_ih (F, 3H), h (N, H), W_hh (H, 3H) and optionally b_ih, b_hh (3H,).

        a = x W_ih + b_ih,   b = h W_hh + b_hh
        r = σ(a_r + b_r),   z = σ(a_z + b_z),   n = tanh(a_n + r * b_n)

    The reset gate r scales the recurrent part b_n, bias included (as in PyTorch and Keras's
    ``reset_after=True``). Derivatives, from the upstream gradient [g_r, g_z, g_n]:

        dn = g_n (1 - n²)                       through the tanh
        dr = (g_r + dn * b_n) r (1 - r)         r also sits inside n, next to b_n
        dz = g_z z (1 - z)
        da = [dr, dz, dn],   db = [dr, dz, dn * r]

    and the matmul rule: dx = da W_ihᵀ, dW_ih = xᵀ da, db_ih = da; dh = db W_hhᵀ,
    dW_hh = hᵀ db, db_hh = db (the engine sums the bias gradients over the batch). The
    forward pass computes b_n anyway, so the op keeps it for the backward pass of the same
    output (one op object per node, as ``gru_cell`` does).

    >>> x, w = np.zeros((1, 1)), np.ones((1, 3))        # one unit: gates r, z, n
    >>> GruGates().forward(ArrayMath, x, w, np.zeros((1, 1)), w)
    array([[0.5, 0.5, 0. ]])
    """

    name = "gru_gates"
    engines = ("tensor",)

    def forward(self, m, x, w_ih, h, w_hh, *biases):
        gates = m.matmul(x, w_ih)  # a: a new array, the gates are computed in place in it
        recurrent = m.matmul(h, w_hh)  # b
        if biases:
            gates += biases[0]
            recurrent += biases[1]
        units = _block_width(gates.shape[-1], 3, self.name)
        reset_update = gates[..., : 2 * units]
        reset_update += recurrent[..., : 2 * units]
        _sigmoid_in_place(reset_update)  # r, z
        b_n = recurrent[..., 2 * units :]
        candidate = gates[..., 2 * units :]
        candidate += gates[..., :units] * b_n
        np.tanh(candidate, out=candidate)  # n
        return self.save_for_backward(gates, b_n)

    def backward(self, m, grad, out, xs, needs):
        x, w_ih, h, w_hh = xs[:4]
        r, z, n = _gate_blocks(m, out, 3)
        g_r, g_z, g_n = _gate_blocks(m, grad, 3)
        b_n = self.saved_for(out)  # h W_hn + b_hn from the forward, or (graph nodes) anew
        if b_n is None:
            b_n = self._recurrent_candidate(m, xs)
        dn = g_n * (1 - n * n)
        dr = (g_r + dn * b_n) * (r * (1 - r))
        dz = g_z * (z * (1 - z))
        da = m.blocks([dr, dz, dn], dn)
        db = m.blocks([dr, dz, dn * r], dn)
        dx, dw_ih = MATMUL.backward(m, da, None, (x, w_ih), needs[0:2])
        dh, dw_hh = MATMUL.backward(m, db, None, (h, w_hh), needs[2:4])
        biases = (da if needs[4] else None, db if needs[5] else None) if len(xs) > 4 else ()
        return (dx, dw_ih, dh, dw_hh) + biases

    @staticmethod
    def _recurrent_candidate(m, xs):
        """b_n = h W_hn + b_hn, the n block of h W_hh + b_hh."""
        h, w_hh = xs[2], xs[3]
        units = m.shape(w_hh)[-1] // 3
        n_block = (..., slice(2 * units, 3 * units))
        b_n = m.getitem(m.matmul(h, w_hh), n_block)
        return b_n + m.getitem(xs[5], n_block) if len(xs) > 4 else b_n


class GruOutput(Op):
    """The new GRU hidden state from the gates [r, z, n] (N, 3H) and the old state h (N, H):

        h' = (1 - z) * n + z * h            (z = 1 keeps the old state)

    Derivatives:  dh'/dz = h - n,   dh'/dn = 1 - z,   dh'/dh = z,   dh'/dr = 0,
    so the gates receive the blocks [0, (h - n) * grad, (1 - z) * grad].

    >>> gates = np.array([[0.5, 0.25, -0.5]])          # r, z, n of one unit
    >>> GruOutput().forward(ArrayMath, gates, np.array([[2.0]]))   # 0.75 * (-0.5) + 0.25 * 2
    array([[0.125]])
    """

    name = "gru_output"
    symbol = "(1-z)·n + z·h"
    engines = ("tensor",)

    def forward(self, m, gates, h):
        units = _units(self.name, gates, h, blocks=3, state_name="state")
        z, n = gates[..., units : 2 * units], gates[..., 2 * units :]
        return (1 - z) * n + z * h

    def backward(self, m, grad, out, xs, needs):
        gates, h = xs
        _, z, n = _gate_blocks(m, gates, 3)
        d_gates = m.blocks([None, grad * (h - n), grad * (1 - z)], h) if needs[0] else None
        return d_gates, (grad * z if needs[1] else None)


GRU_OUTPUT = GruOutput()  # GruGates keeps b_n: one per node
