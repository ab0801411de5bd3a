"""Activations, softmax, log-softmax and one-hot.

``sigmoid``, ``tanh``, ``relu``, ``leaky_relu`` and ``elu`` apply primitives of the op table
(their derivatives are hand-written there, in :mod:`microgradnn.ops.elementwise`).
``smelu``, ``softplus``, ``softmax``, ``log_softmax`` and ``logsumexp`` are *composites*:
they only combine primitives, so their derivatives come from the chain rule with no new
formula to trust, and second derivatives work too. Most functions accept a ``Value`` or a
``Tensor``; ``softmax``/``log_softmax`` also accept a list of Values (one sample).

>>> from microgradnn import Tensor
>>> softmax(Tensor([[1000.0, 1000.0]])).data   # no overflow: shifted by the max first
array([[0.5, 0.5]])
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from microgradnn import ops
from microgradnn.engine import Node
from microgradnn.tensor import Tensor
from microgradnn.value import Value

__all__ = [
    "linear",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "smelu",
    "softplus",
    "softmax",
    "log_softmax",
    "logsumexp",
    "one_hot",
]


def _as_node(x):
    """Numbers become constant Values, arrays constant Tensors; nodes pass through."""
    if isinstance(x, Node):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.ndarray)):
        return Value(float(x), requires_grad=False)
    return Tensor(x, requires_grad=False)


def linear(x):
    """The identity, f(x) = x (Keras calls it "linear"); f'(x) = 1.

    >>> linear(Value(3.0)).data
    3.0
    """
    return _as_node(x)


def sigmoid(x):
    """Logistic sigmoid σ(x) = 1 / (1 + e^(-x)); σ'(x) = σ(x)(1 - σ(x)).

    >>> sigmoid(Value(0.0)).data
    0.5
    """
    return _as_node(x).sigmoid()


def tanh(x):
    """Hyperbolic tangent; tanh'(x) = 1 - tanh(x)^2.

    >>> tanh(Value(0.0)).data
    0.0
    """
    return _as_node(x).tanh()


def relu(x):
    """Rectified linear unit max(0, x); derivative 1 for x > 0 and 0 for x < 0.

    >>> relu(Tensor([-1.0, 2.0])).data
    array([0., 2.])
    """
    return _as_node(x).relu()


def leaky_relu(x, alpha: float = 0.01):
    """Leaky ReLU: x for x > 0, alpha * x for x < 0 (a small slope keeps gradients alive).

    A primitive of the op table (:class:`microgradnn.ops.LeakyRelu`): its derivative is 1
    for x > 0 and alpha otherwise, never zero.

    >>> leaky_relu(Tensor([-2.0, 3.0]), alpha=0.1).data
    array([-0.2,  3. ])
    """
    x = _as_node(x)
    return ops.LeakyRelu(float(alpha)).apply(x)


def elu(x, alpha: float = 1.0):
    """Exponential linear unit: x for x > 0, alpha (e^x - 1) for x <= 0.

    A primitive of the op table (:class:`microgradnn.ops.Elu`). Derivative: 1 for x > 0,
    alpha e^x for x <= 0 (so alpha at 0; with alpha = 1 the curve is smooth there).

    >>> round(elu(Value(-1.0)).data, 4)
    -0.6321
    """
    x = _as_node(x)
    return ops.Elu(float(alpha)).apply(x)


def smelu(x, beta: float = 1.0):
    """Smooth ReLU with half-width beta (Shamir et al., 2020)::

        0                      for x <= -beta
        (x + beta)^2 / (4 beta)  for |x| <= beta
        x                      for x >= beta

    Value and first derivative are continuous at ±beta (derivative (x + beta) / (2 beta)
    in the middle). Built from relus: with c = relu(x + beta) - relu(x - beta), which is
    x + beta clipped to [0, 2 beta], smelu(x) = relu(x - beta) + c^2 / (4 beta).

    >>> smelu(Tensor([-2.0, 0.0, 2.0]), beta=1.0).data
    array([0.  , 0.25, 2.  ])
    """
    if beta <= 0:
        raise ValueError(f"smelu needs beta > 0, got {beta}")
    x = _as_node(x)
    clipped = (x + beta).relu() - (x - beta).relu()
    return (x - beta).relu() + clipped * clipped * (1.0 / (4.0 * beta))


def softplus(x):
    """softplus(x) = log(1 + e^x), a smooth ReLU; its derivative is sigmoid(x).

    Computed so that no exponential can overflow (softplus(1000) = 1000): with the
    positive part p = relu(x) and the negative part n = x - p (one of them is 0),

        softplus(x) = p + [log(1 + e^(-p)) - log 2] + log(1 + e^n)

    Both exponents are <= 0. For x > 0 the last term is log 2 and cancels the bracket's;
    for x < 0 the bracket is 0. Splitting x this way (rather than using |x|) also gives
    the right slope 1/2 at x = 0, where relu's derivative is taken as 0.

    >>> softplus(Tensor([-1000.0, 0.0, 1000.0])).data.round(4).tolist()
    [0.0, 0.6931, 1000.0]
    """
    x = _as_node(x)
    positive = x.relu()
    negative = x - positive
    bracket = ((-positive).exp() + 1.0).log() - _LOG2
    return positive + bracket + (negative.exp() + 1.0).log()


_LOG2 = float(np.log(2.0))


# ----------------------------------------------------------------------------------------
# softmax family
# ----------------------------------------------------------------------------------------
def _shift_by_max(x: Tensor, axis: int) -> Tensor:
    """x - max(x) along axis. The max is a constant: softmax(x - c) = softmax(x) for any c,
    so the gradient is unchanged, and the largest exponent becomes e^0 = 1 (no overflow)."""
    peak = np.max(x.data, axis=axis, keepdims=True)
    return x - Tensor(peak, requires_grad=False, dtype=x.dtype)


def _values(xs: Sequence) -> list[Value]:
    return [x if isinstance(x, Value) else Value(float(x), requires_grad=False) for x in xs]


def logsumexp(x, axis: int = -1, keepdims: bool = False):
    """log(Σ e^x) along ``axis``, computed stably as m + log(Σ e^(x - m)) with m = max(x).

    >>> round(float(logsumexp(Tensor([1000.0, 1000.0])).data), 6)
    1000.693147
    """
    if isinstance(x, (list, tuple)):
        xs = _values(x)
        peak = max(v.data for v in xs)
        return sum(((v - peak).exp() for v in xs), Value(0.0, requires_grad=False)).log() + peak
    x = _as_node(x)
    _check_axis(x, axis)
    peak = Tensor(np.max(x.data, axis=axis, keepdims=True), requires_grad=False, dtype=x.dtype)
    out = (x - peak).exp().sum(axis=axis, keepdims=True).log() + peak
    return out if keepdims else out.reshape(_drop_axis(x.shape, axis))


def softmax(x, axis: int = -1):
    """Turn scores into probabilities along ``axis``: e^(x_i) / Σ_j e^(x_j).

    Stable for huge scores (±1000). For a list of Values (one sample) returns a list.
    Derivative: d s_i / d x_j = s_i (δ_ij - s_j).

    >>> softmax(Tensor([[0.0, 0.0], [1000.0, -1000.0]])).data
    array([[0.5, 0.5],
           [1. , 0. ]])
    >>> [round(p.data, 3) for p in softmax([Value(1.0), Value(1.0)])]
    [0.5, 0.5]
    """
    if isinstance(x, (list, tuple)):
        xs = _values(x)
        peak = max(v.data for v in xs)
        exps = [(v - peak).exp() for v in xs]
        total = sum(exps[1:], exps[0])
        return [e / total for e in exps]
    x = _as_node(x)
    _check_axis(x, axis)
    exps = _shift_by_max(x, axis).exp()
    return exps / exps.sum(axis=axis, keepdims=True)


def log_softmax(x, axis: int = -1):
    """log(softmax(x)) = x - logsumexp(x), without ever computing log(0).

    Derivative: d/d x_j = δ_ij - softmax(x)_j. For a list of Values returns a list.

    >>> log_softmax(Tensor([0.0, -1000.0])).data
    array([    0., -1000.])
    """
    if isinstance(x, (list, tuple)):
        xs = _values(x)
        norm = logsumexp(xs)
        return [v - norm for v in xs]
    x = _as_node(x)
    _check_axis(x, axis)
    shifted = _shift_by_max(x, axis)
    return shifted - shifted.exp().sum(axis=axis, keepdims=True).log()


def _check_axis(x, axis: int) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"softmax-like functions need a Tensor or a list of Values, got {type(x).__name__}"
        )
    if not -max(x.ndim, 1) <= axis < max(x.ndim, 1):
        raise ValueError(f"axis {axis} is out of range for a tensor of shape {x.shape}")


def _drop_axis(shape: tuple, axis: int) -> tuple:
    if not shape:
        return ()
    axis = axis % len(shape)
    return shape[:axis] + shape[axis + 1 :]


def one_hot(labels, num_classes: int | None = None, dtype="float64") -> np.ndarray:
    """Integer class labels -> one-hot rows (a numpy array, not a graph node).

    Args:
        labels: integers in [0, num_classes), any shape (a list, an array, or a Tensor).
        num_classes: number of classes; defaults to max(labels) + 1.
        dtype: the dtype of the rows.

    >>> one_hot([0, 2, 1]).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    >>> one_hot([0, 2], num_classes=4).shape
    (2, 4)
    """
    labels = np.asarray(labels.data if isinstance(labels, Node) else labels)
    if labels.size and labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            raise ValueError("one_hot needs integer class labels, got fractional numbers")
    elif labels.size and labels.dtype.kind not in "iub":
        raise TypeError(f"one_hot needs integer class labels, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(f"class labels must be >= 0, got {labels.min()}")
    needed = int(labels.max()) + 1 if labels.size else 0
    num_classes = needed if num_classes is None else num_classes
    if needed > num_classes:
        raise ValueError(
            f"label {needed - 1} does not fit in num_classes={num_classes}: "
            f"labels must be in [0, {num_classes})"
        )
    return np.eye(num_classes, dtype=dtype)[labels]
