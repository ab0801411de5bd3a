"""``Tensor``: a numpy array that remembers how it was computed.

>>> import numpy as np
>>> from microgradnn import Tensor
>>> w = Tensor([[1.0, 2.0], [3.0, 4.0]], label="w")
>>> x = Tensor([1.0, -1.0], requires_grad=False)
>>> loss = (w @ x).sum()
>>> loss.backward()
>>> w.grad
array([[ 1., -1.],
       [ 1., -1.]])
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

from microgradnn import kernels, ops
from microgradnn.backends import ArrayMath, GraphMath
from microgradnn.engine import Node, apply
from microgradnn.errors import numpy_function_hint
from microgradnn.operators import Operators

_FLOAT_DTYPES = (np.float64, np.float32)
_in_place_changes = 0  # a clock: in-place changes so far, over all tensors (bump_version)
_LEAF = float("inf")  # a leaf's _made_at: it has no inputs that could change under it
_made_at = operator.attrgetter("_made_at")


def _to_array(data, dtype=None) -> np.ndarray:
    if type(data) is np.ndarray and data.dtype.type in _FLOAT_DTYPES:  # the usual case
        if dtype is None or data.dtype == dtype:
            return data
    if isinstance(data, Node):
        raise TypeError(
            f"cannot make a Tensor from a {type(data).__name__}; "
            "use .data to get its numbers, or use it directly"
        )
    if data is None:
        raise TypeError("Tensor needs numbers, got None")
    try:
        array = np.asarray(data)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"Tensor needs a rectangular array of numbers: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor needs numbers, got an array of dtype {array.dtype} "
            f"(first item: {array.flat[0]!r})"
            if array.size
            else f"Tensor needs numbers, got an empty array of dtype {array.dtype}"
        )
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.type not in _FLOAT_DTYPES:
            raise TypeError(f"Tensor dtype must be float64 or float32, got {dtype}")
        return array.astype(dtype, copy=False)
    if array.dtype.type in _FLOAT_DTYPES:
        return array
    return array.astype(np.float64)


class Tensor(Operators, Node):
    """An n-dimensional array node (numpy float64 by default, float32 supported).

    Args:
        data: anything ``np.asarray`` accepts (numbers, nested lists, arrays).
        requires_grad: compute d(output)/d(this) in backward (True by default; pass False for
            input data so no gradient work is wasted on it).
        dtype: ``"float64"`` (default) or ``"float32"``.
        label: a name shown in graph pictures.

    Broadcasting follows numpy; gradients are summed back to each input's shape by the engine.

    >>> t = Tensor([[1.0, 2.0, 3.0]])
    >>> t.shape, t.dtype
    ((1, 3), dtype('float64'))
    """

    # version: 0 until the data is changed in place, then the number of that change;
    # _made_at: how many in-place changes had happened when this node was computed.
    # A parent whose version is above its child's _made_at changed after the child used it.
    __slots__ = ("version", "_made_at")
    math, graph_math = ArrayMath, GraphMath
    tracks_versions = True

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """numpy calls this for ``ndarray * t`` and for ``np.tanh(t)``.

        An operator with an array on the left goes to our reflected operator, so the mixed
        expression still builds a graph. A numpy function is refused: it would return plain
        numbers with no gradient, so the error names the Tensor method to use instead.

        >>> (np.array([1.0, 2.0]) * Tensor([3.0, 4.0])).data
        array([3., 8.])
        """
        reflected = _REFLECTED_OPERATORS.get(ufunc.__name__)
        if reflected and method == "__call__" and not kwargs and inputs[1:] == (self,):
            return getattr(self, reflected)(inputs[0])
        raise TypeError(numpy_function_hint(ufunc, method, Tensor))

    def __init__(self, data, requires_grad: bool = True, dtype=None, label: str | None = None):
        self._init_leaf(_to_array(data, dtype), label, requires_grad)
        self.version, self._made_at = 0, _LEAF

    # --- in-place safety ------------------------------------------------------------------
    def bump_version(self) -> None:
        """Record that ``data`` was changed in place (optimizers call this after a step).

        A graph that used the old data can then no longer be backpropagated: its
        gradients would be computed at the new numbers.

        >>> w = Tensor([1.0, 2.0]); loss = (w * w).sum()
        >>> w.data += 1; w.bump_version()
        >>> loss.backward()
        Traceback (most recent call last):
        ...
        RuntimeError: tensor 'mul' input 0 (unnamed, shape (2,)) was modified in place ...
        """
        global _in_place_changes
        _in_place_changes += 1
        self.version = _in_place_changes

    def _record_versions(self) -> None:
        self.version, self._made_at = 0, _in_place_changes

    @staticmethod
    def check_versions(order) -> None:
        """Raise when a node's input was changed in place after the node was computed."""
        now = _in_place_changes
        if min(map(_made_at, order)) >= now:  # no change since the graph was made (usual)
            return
        for node in order:
            for position, parent in enumerate(node.parents):
                if parent.version > node._made_at:
                    raise RuntimeError(
                        f"tensor {node.label or node.op.name!r} input {position} "
                        f"({parent.label or 'unnamed'}, shape {parent.shape}) was modified in "
                        "place after the graph used it; compute the forward pass again after "
                        "changing it (e.g. call backward() before optimizer.step())"
                    )

    def _seed_gradient(self, grad):
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() on a non-scalar Tensor of shape {self.shape} needs an upstream "
                    "gradient of the same shape, e.g. t.backward(np.ones(t.shape)); "
                    "or reduce it to a scalar first (t.sum(), t.mean())"
                )
            if self.data.ndim == 0:  # the usual loss: np.ones is a slower Python function
                return np.array(1, self.data.dtype)
            return np.ones(self.data.shape, self.data.dtype)
        # a copy: the caller's array must never become (or alias) a node's gradient
        seed = np.array(grad.data if isinstance(grad, Node) else grad, self.dtype, copy=True)
        if seed.shape != self.shape:
            raise ValueError(
                f"backward() gradient has shape {seed.shape} but the tensor has shape {self.shape}"
            )
        return seed

    # --- numpy-like attributes ------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    def numpy(self) -> np.ndarray:
        """The underlying numpy array (no copy)."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self) -> float:
        """The single number of a size-1 tensor. ``Tensor([2.0]).item()`` -> ``2.0``."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def __float__(self):
        return float(self.item())

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def astype(self, dtype) -> Tensor:
        """A differentiable copy in another float dtype (``"float32"``/``"float64"``)."""
        dtype = np.dtype(dtype)
        if dtype.type not in _FLOAT_DTYPES:
            raise TypeError(f"Tensor dtype must be float64 or float32, got {dtype}")
        if dtype == self.dtype:
            return self
        return ops.Cast(dtype).apply(self)

    # --- operators ------------------------------------------------------------------------
    def _binary(self, op, other, reflected=False):
        other = _as_tensor(other, self.dtype)
        parents = (other, self) if reflected else (self, other)
        try:
            return apply(op, parents)
        except ValueError:
            left, right = parents
            if _broadcastable(left.shape, right.shape):
                raise
            raise ValueError(
                f"{op.name}: shapes {left.shape} and {right.shape} do not broadcast "
                "(numpy rule: compare from the last axis; sizes must match or be 1)"
            ) from None

    def __pow__(self, other):
        if isinstance(other, Tensor):
            return self._binary(ops.POW, other)
        if isinstance(other, numbers.Real) and not isinstance(other, bool):
            return ops.PowConst(float(other)).apply(self)
        return self._binary(ops.POW, other)

    def __rpow__(self, other):
        return self._binary(ops.POW, other, reflected=True)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    # comparisons compare numbers and return numpy bool arrays (no graph)
    def __lt__(self, other):
        return self.data < _raw(other)

    def __le__(self, other):
        return self.data <= _raw(other)

    def __gt__(self, other):
        return self.data > _raw(other)

    def __ge__(self, other):
        return self.data >= _raw(other)

    def __eq__(self, other):
        return self.data == _raw(other)

    def __ne__(self, other):
        return self.data != _raw(other)

    __hash__ = Node.__hash__

    # --- elementwise functions ------------------------------------------------------------
    def _unary(self, op):
        return op.apply(self)

    def maximum(self, other):
        """Elementwise max with another tensor or number. ``Tensor([1., 5.]).maximum(3)``."""
        return self._binary(ops.MAXIMUM, other)

    def minimum(self, other):
        """Elementwise min with another tensor or number."""
        return self._binary(ops.MINIMUM, other)

    def clip(self, low=None, high=None):
        """Limit values to [low, high]; the gradient is zero where clipping happened.

        >>> Tensor([-2.0, 0.5, 3.0]).clip(0, 1).data
        array([0. , 0.5, 1. ])
        """
        out = self
        if low is not None:
            out = out.maximum(low)
        if high is not None:
            out = out.minimum(high)
        return out

    # --- reductions -----------------------------------------------------------------------
    def sum(self, axis=None, keepdims: bool = False):
        """Sum over ``axis`` (an int, a tuple, or None for all).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0).data
        array([4., 6.])
        """
        return ops.Sum(_check_axis(axis, self.ndim), keepdims).apply(self)

    def mean(self, axis=None, keepdims: bool = False):
        """Average over ``axis``: the sum divided by the number of elements summed.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean().item()
        2.5
        """
        return ops.Mean(_check_axis(axis, self.ndim), keepdims).apply(self)

    def max(self, axis=None, keepdims: bool = False):
        """Largest entry over ``axis``; the gradient flows to the maximal entries."""
        if self.size == 0:
            raise ValueError("max() of an empty tensor")
        return ops.Max(_check_axis(axis, self.ndim), keepdims).apply(self)

    # --- shapes ---------------------------------------------------------------------------
    def reshape(self, *shape):
        """Same numbers, new shape (one entry may be -1). ``t.reshape(2, 3)``."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            np.empty(self.shape, dtype=bool).reshape(shape)  # validate cheaply
        except ValueError:
            raise ValueError(
                f"cannot reshape a tensor of shape {self.shape} ({self.size} elements) "
                f"into shape {shape}"
            ) from None
        return ops.Reshape(shape).apply(self)

    def transpose(self, *axes):
        """Permute axes (reverse them when none are given). ``t.T`` for 2-D."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        axes = axes or None
        if axes is not None and sorted(a % self.ndim for a in axes) != list(range(self.ndim)):
            raise ValueError(f"transpose axes {axes} are not a permutation of {self.ndim} axes")
        return ops.Transpose(axes).apply(self)

    @property
    def T(self):
        return self.transpose()

    def swapaxes(self, axis1: int, axis2: int):
        """Exchange two axes."""
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return self.transpose(tuple(axes))

    def broadcast_to(self, shape):
        """Repeat along new or size-1 axes to reach ``shape`` (numpy rules)."""
        shape = tuple(shape)
        if self.shape == shape:
            return self
        np.broadcast_shapes(self.shape, shape)  # raises a clear numpy error if impossible
        return ops.BroadcastTo(shape).apply(self)

    def sum_to(self, shape):
        """Sum down to ``shape`` (undo broadcasting)."""
        shape = tuple(shape)
        if self.shape == shape:
            return self
        return ops.SumTo(shape).apply(self)

    def flatten(self):
        """All entries in one axis."""
        return self.reshape(-1)

    def __getitem__(self, index):
        index = _clean_index(index)
        try:
            self.data[index]
        except IndexError as error:
            raise IndexError(
                f"index {index!r} out of range for shape {self.shape}: {error}"
            ) from None
        return ops.GetItem(index).apply(self)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, threshold=20, edgeitems=2, prefix="Tensor(")
        extra = f", shape={self.shape}, dtype={self.dtype}"
        if not self.is_leaf:
            extra += f", op={self.op.display!r}"
        elif not self.requires_grad:
            extra += ", requires_grad=False"
        if self.label:
            extra += f", label={self.label!r}"
        return f"Tensor({body}{extra})"


# ----------------------------------------------------------------------------------------
# helpers and functions taking several tensors
# ----------------------------------------------------------------------------------------
# numpy ufunc name -> the Tensor method that computes ``array <op> tensor``
_REFLECTED_OPERATORS = {
    "add": "__radd__",
    "subtract": "__rsub__",
    "multiply": "__rmul__",
    "divide": "__rtruediv__",
    "true_divide": "__rtruediv__",
    "power": "__rpow__",
    "matmul": "__rmatmul__",
    "less": "__gt__",
    "less_equal": "__ge__",
    "greater": "__lt__",
    "greater_equal": "__le__",
    "equal": "__eq__",
    "not_equal": "__ne__",
}


def _raw(x):
    return x.data if isinstance(x, Node) else x


def _as_tensor(x, dtype=np.float64) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Node):
        raise TypeError(
            f"cannot mix Tensor and {type(x).__name__} in one expression; "
            "convert with Tensor(value.data) or use Value throughout"
        )
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        # a plain number adopts the tensor's dtype, so float32 stays float32
        return Tensor(np.asarray(x, dtype=dtype), requires_grad=False)
    return Tensor(x, requires_grad=False)


def _broadcastable(a: tuple, b: tuple) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _check_axis(axis, ndim):
    if axis is None:
        return None
    axes = axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if not isinstance(a, (int, np.integer)) or not -ndim <= a < ndim:
            raise ValueError(f"axis {a!r} is out of range for a tensor with {ndim} dimensions")
    return tuple(int(a) for a in axis) if isinstance(axis, tuple) else int(axis)


def _clean_index(index):
    """Turn Tensors inside an index into integer/bool arrays (indices are constants)."""
    if isinstance(index, tuple):
        return tuple(_clean_index(i) for i in index)
    if isinstance(index, Tensor):
        index = index.data
    if isinstance(index, list):
        index = np.asarray(index)
    if isinstance(index, np.ndarray) and index.dtype.kind == "f":
        if not np.all(index == np.round(index)):
            raise IndexError("tensor indices must be integers or booleans")
        index = index.astype(np.intp)
    return index


def matmul(a, b) -> Tensor:
    """Matrix product ``a @ b`` (2-D, batched, or with 1-D vectors like numpy).

    >>> matmul(Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]])).data
    array([[11.]])
    """
    a = _as_tensor(a, getattr(b, "dtype", np.float64))
    b = _as_tensor(b, a.dtype)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul needs tensors with at least one dimension (use * for scalars)")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(
            f"matmul shapes {a.shape} @ {b.shape} do not align: "
            f"{a.shape[-1]} columns on the left vs "
            f"{b.shape[-2 if b.ndim > 1 else 0]} rows on the right"
        )
    # numpy treats 1-D operands as a row / a column; do the same with reshapes so the op
    # itself only ever sees matrices
    squeeze_left, squeeze_right = a.ndim == 1, b.ndim == 1
    if squeeze_left:
        a = a.reshape(1, -1)
    if squeeze_right:
        b = b.reshape(-1, 1)
    out = ops.MATMUL.apply(a, b)
    if squeeze_left and squeeze_right:
        return out.reshape(())
    if squeeze_left:
        return out.reshape(out.shape[:-2] + out.shape[-1:])
    if squeeze_right:
        return out.reshape(out.shape[:-1])
    return out


def affine(x, weight, bias=None) -> Tensor:
    """``x @ weight + bias`` as one graph node (what a dense layer computes).

    Same numbers and gradients as ``x @ weight + bias`` written out (two nodes), see
    :class:`microgradnn.kernels.Affine`. ``x`` is (..., in) -- a single row (in,) works too --,
    ``weight`` is (in, out) and ``bias`` is (out,) or None.

    >>> affine(Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]]), Tensor([0.5])).data
    array([[11.5]])
    """
    x = _as_tensor(x, getattr(weight, "dtype", np.float64))
    weight = _as_tensor(weight, x.dtype)
    if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[0]:
        raise ValueError(
            f"affine: x of shape {x.shape} @ weight of shape {weight.shape} does not align; "
            "weight must be (in, out) with in = the size of x's last axis"
        )
    parents = (x, weight) if bias is None else (x, weight, _as_tensor(bias, x.dtype))
    if len(parents) == 3 and parents[2].shape != weight.shape[1:]:
        raise ValueError(
            f"affine: bias of shape {parents[2].shape} does not match {weight.shape[1]} outputs"
        )
    return _affine(*parents)


def _affine(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """:func:`affine` for operands already checked (dense layers check their own)."""
    parents = (x, weight) if bias is None else (x, weight, bias)
    if x.ndim == 1:  # one row: give it a batch axis of 1 and take it away again
        row = (x.reshape(1, -1),) + parents[1:]
        return apply(kernels.AFFINE, row).reshape(weight.shape[1:])
    return apply(kernels.AFFINE, parents)


def concatenate(tensors, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis.

    >>> concatenate([Tensor([1.0]), Tensor([2.0, 3.0])]).data
    array([1., 2., 3.])
    """
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate needs at least one tensor")
    try:
        np.concatenate([np.empty(t.shape, dtype=bool) for t in tensors], axis=axis)
    except (ValueError, np.exceptions.AxisError) as error:
        shapes = [t.shape for t in tensors]
        raise ValueError(f"cannot concatenate shapes {shapes} along axis {axis}: {error}") from None
    return apply(ops.Concatenate(axis), tuple(tensors))


def stack(tensors, axis: int = 0) -> Tensor:
    """Stack same-shaped tensors along a new axis.

    >>> stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]).shape
    (2, 2)
    """
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack needs tensors of one shape, got {sorted(shapes)}")
    return apply(ops.Stack(axis), tuple(tensors))


def where(condition, a, b) -> Tensor:
    """Pick from ``a`` where ``condition`` is true, else from ``b`` (condition is constant).

    >>> where(np.array([True, False]), Tensor([1.0, 2.0]), Tensor([9.0, 9.0])).data
    array([1., 9.])
    """
    condition = np.asarray(_raw(condition), dtype=bool)
    a = _as_tensor(a)
    b = _as_tensor(b, a.dtype)
    return ops.Where(condition).apply(a, b)


def maximum(a, b) -> Tensor:
    """Elementwise maximum of two tensors (or a tensor and a number).

    >>> maximum(Tensor([1.0, 5.0]), 3.0).data
    array([3., 5.])
    """
    return _as_tensor(a).maximum(b)


def minimum(a, b) -> Tensor:
    """Elementwise minimum of two tensors (or a tensor and a number).

    >>> minimum(Tensor([1.0, 5.0]), 3.0).data
    array([1., 3.])
    """
    return _as_tensor(a).minimum(b)
