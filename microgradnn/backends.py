"""Math backends: the same derivative formulas on floats, on arrays, or on graph nodes.

The op table writes every backward formula once, with ordinary operators and with the
functions of a backend ``m``. The engine hands each formula one of three backends:

* :class:`ScalarMath` (Python floats, ``math`` module) for ``Value``,
* :class:`ArrayMath` (numpy arrays) for ``Tensor``,
* :class:`GraphMath` (graph nodes) when ``create_graph=True``: every formula then builds new
  nodes, so the gradient can be differentiated again.

The interface every backend provides (a formula may use nothing else):

``raw(x)``                the plain number/array behind ``x`` (for comparisons such as ``x > 0``)
``constant(value, like)`` ``value`` as a no-gradient number/array/node of the same kind as ``like``
``shape(x)``              the shape of ``x`` (Tensor backends)
``divide, power, exp, log, sqrt, tanh, sin, cos, sigmoid, relu, leaky_relu, elu, softmax``
                          IEEE-safe math (inf and nan instead of exceptions and warnings)
``unbroadcast(g, like)``  ``g`` summed down to ``like``'s shape (None: the backend never broadcasts)
``sum_to, broadcast_to, keep_reduced_dims, reshape, transpose, swap_last_axes, matmul,
getitem, scatter_add, concatenate, blocks, astype``
                          the array moves used by shape, reduction and kernel formulas

>>> ArrayMath.constant(np.array([True, False]), np.zeros(2)).dtype   # masks stay masks
dtype('bool')
"""

from __future__ import annotations

import math as _math

import numpy as np

from microgradnn import ops
from microgradnn.ops.arrays import reduced_shape as _reduced_shape
from microgradnn.ops.arrays import scatter_add as _scatter_add
from microgradnn.ops.arrays import sum_to as _sum_to

_SMALL_MATMUL = 1 << 16  # multiply-adds under which a matrix product is "small" (ArrayMath)


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
        except ZeroDivisionError:  # IEEE: x/0 is +-inf, 0/0 and nan/0 are nan
            if a == 0 or a != a:
                return _math.nan
            return _math.copysign(_math.inf, a) * _math.copysign(1.0, b)

    @staticmethod
    def power(a, c):
        if a < 0 and _math.isfinite(c) and c != int(c):  # (-2) ** inf is inf in IEEE
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
        if a < 0:  # exp(a) < 1 here, so it cannot overflow
            e = _math.exp(a) if a > -745 else 0.0
            return e / (1.0 + e)
        return 1.0 / (1.0 + _math.exp(-a))  # a >= 0, or nan (which stays nan)

    tanh = staticmethod(_math.tanh)

    @staticmethod
    def sin(a):
        try:
            return _math.sin(a)
        except ValueError:  # sin(+-inf) is nan in IEEE (the math module raises)
            return _math.nan

    @staticmethod
    def cos(a):
        try:
            return _math.cos(a)
        except ValueError:
            return _math.nan

    @staticmethod
    def relu(a):
        return 0.0 if a <= 0 else a  # nan stays nan (a > 0 would be False for nan)

    @staticmethod
    def leaky_relu(a, alpha):
        return a if a > 0 else alpha * a

    @staticmethod
    def elu(a, alpha):
        return a if a > 0 else alpha * (_math.exp(a) - 1.0)


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

    @staticmethod
    def sin(a):
        with np.errstate(invalid="ignore"):  # sin(+-inf) is nan, as IEEE says: no warning
            return np.sin(a)

    @staticmethod
    def cos(a):
        with np.errstate(invalid="ignore"):
            return np.cos(a)

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

    sum_to = staticmethod(_sum_to)

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
        return _scatter_add(g, index, shape)


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
    concatenate = staticmethod(lambda parts, axis: ops.Concatenate(axis).apply(*parts))
    astype = staticmethod(lambda g, dtype: g.astype(dtype))

    @staticmethod
    def blocks(parts, like):
        zeros = GraphMath.constant(np.zeros(like.shape, like.data.dtype), like)
        return GraphMath.concatenate([zeros if p is None else p for p in parts], -1)

    @staticmethod
    def softmax(z):
        # the same shifted formula as ArrayMath's, built from nodes (the shift is a
        # constant: softmax does not change when every logit moves by the same amount)
        shift = z.data.max(axis=-1, keepdims=True)
        e = (z - type(z)(shift, requires_grad=False)).exp()
        return e / e.sum(axis=-1, keepdims=True)

    @staticmethod
    def keep_reduced_dims(g, in_shape, axis, keepdims):
        if keepdims or axis is None and g.ndim == len(in_shape):
            return g
        return g.reshape(_reduced_shape(in_shape, axis))

    @staticmethod
    def scatter_add(g, index, shape):
        return ops.ScatterAdd(index, shape).apply(g)


# Shared instances of the ops that carry no parameters (one object, many nodes).
