"""Check gradients against finite differences, and Hypothesis strategies for tests.

The idea behind :func:`check_grad` is the definition of the derivative itself:

    df/dx ~= (f(x + eps) - f(x - eps)) / (2 eps)        (central difference, error O(eps^2))

If the engine's backward pass agrees with this number for every input entry, the chain rule
was applied correctly.

>>> from microgradnn import Value
>>> report = check_grad(lambda x, y: x * y + x.exp(), 1.5, -0.5)
>>> report.max_abs_error < 1e-6
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from microgradnn.engine import Node, grad
from microgradnn.tensor import Tensor
from microgradnn.value import Value


@dataclass
class GradCheckReport:
    """What :func:`check_grad` measured: the worst absolute and relative errors."""

    max_abs_error: float
    max_rel_error: float
    analytic: list = field(repr=False)
    numeric: list = field(repr=False)

    def __str__(self) -> str:
        return (
            f"gradient check: max abs error {self.max_abs_error:.3g}, "
            f"max rel error {self.max_rel_error:.3g} over {len(self.analytic)} input(s)"
        )


def _as_input(x) -> Node:
    if isinstance(x, Value):
        return Value(x.data, label=x.label)
    if isinstance(x, Tensor):
        return Tensor(x.data.astype(np.float64), label=x.label)
    if isinstance(x, (int, float)) and not isinstance(x, np.generic):
        return Value(float(x))
    return Tensor(np.asarray(x, dtype=np.float64))


def _scalar_objective(f, inputs, upstream):
    """sum(upstream * f(inputs)) as a plain float or a scalar node."""
    out = f(*inputs)
    if isinstance(out, Value):
        return out * upstream
    return (out * Tensor(upstream, requires_grad=False)).sum()


def check_grad(
    f, *inputs, eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-5, seed: int = 0
) -> GradCheckReport:
    """Compare the engine's gradient of ``f`` with central finite differences.

    Args:
        f: a function of Values/Tensors returning a Value or a Tensor.
        *inputs: numbers, arrays, Values or Tensors (copied to float64; yours are untouched).
        eps: finite-difference step.
        atol, rtol: each entry must satisfy |analytic - numeric| <= atol + rtol * |numeric|.
        seed: for the random upstream vector used when ``f`` returns a non-scalar.

    Returns:
        A :class:`GradCheckReport`. Raises ``AssertionError`` naming the input and the entry
        on mismatch.

    >>> import numpy as np
    >>> print(check_grad(lambda w: (w * w).sum(), np.array([1.0, -2.0])))  # doctest: +ELLIPSIS
    gradient check: max abs error ..., max rel error ... over 1 input(s)
    """
    nodes = [_as_input(x) for x in inputs]
    if not nodes:
        raise ValueError("check_grad needs at least one input")
    probe = f(*nodes)
    if not isinstance(probe, Node):
        raise TypeError(f"check_grad: f must return a Value or Tensor, got {type(probe).__name__}")
    rng = np.random.default_rng(seed)
    upstream = 1.0 if isinstance(probe, Value) else rng.standard_normal(np.shape(probe.data))

    objective = _scalar_objective(f, nodes, upstream)
    analytic = [np.asarray(g, dtype=np.float64) for g in grad(objective, nodes)]
    numeric = [_numeric_gradient(f, nodes, i, upstream, eps) for i in range(len(nodes))]

    worst_abs, worst_rel = 0.0, 0.0
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        error = np.abs(a - n)
        if error.size:
            worst_abs = max(worst_abs, float(np.max(error)))
            worst_rel = max(worst_rel, float(np.max(error / np.maximum(np.abs(n), 1e-12))))
        bad = error > atol + rtol * np.abs(n)
        if np.any(bad) or not np.all(np.isfinite(a)):
            where = np.unravel_index(int(np.argmax(bad | ~np.isfinite(a))), np.shape(a))
            at = f" at index {tuple(int(k) for k in where)}" if where else ""
            raise AssertionError(
                f"gradient mismatch for input {i}{at}: "
                f"engine says {float(a[where]):.6g}, finite differences say {float(n[where]):.6g} "
                f"(abs error {error[where]:.3g}, tolerance atol={atol}, rtol={rtol})"
            )
    return GradCheckReport(worst_abs, worst_rel, analytic, numeric)


def check_function(
    function, *inputs, eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-5
) -> GradCheckReport:
    """Check a :class:`~microgradnn.Function`'s ``backward`` against central differences.

    Runs ``function.apply(*inputs)`` and compares the gradient its ``backward`` gives for
    every input with (f(x + eps) - f(x - eps)) / (2 eps). Raises an ``AssertionError`` that
    names the function, the input (by position and label) and both derivatives.

    >>> from microgradnn import Function, Value
    >>> class Square(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return x * g          # wrong: d(x²)/dx = 2x
    >>> check_function(Square, Value(3.0, label="x"))
    Traceback (most recent call last):
    ...
    AssertionError: Square.backward: gradient mismatch for input 0 ('x'): engine says 3, ...
    """
    labels = [getattr(x, "label", None) for x in inputs]
    try:
        return check_grad(function.apply, *inputs, eps=eps, atol=atol, rtol=rtol)
    except AssertionError as error:
        text = str(error)
        for i, label in enumerate(labels):
            if label:
                text = text.replace(f"for input {i}", f"for input {i} ({label!r})", 1)
        raise AssertionError(f"{function.__name__}.backward: {text}") from None


def _numeric_gradient(f, nodes, which, upstream, eps):
    node = nodes[which]
    original = node.data
    flat = np.array(original, dtype=np.float64).reshape(-1)
    result = np.zeros_like(flat)
    # no no_grad() here: f may itself call grad() (checking second derivatives)
    for k in range(flat.size):
        values = []
        for step in (eps, -eps):
            shifted = flat.copy()
            shifted[k] += step
            node.data = (
                float(shifted[0])
                if isinstance(node, Value)
                else shifted.reshape(np.shape(original))
            )
            values.append(_as_float(_scalar_objective(f, nodes, upstream)))
        result[k] = (values[0] - values[1]) / (2 * eps)
    node.data = original
    return result.reshape(np.shape(original))


def _as_float(x) -> float:
    return float(x.data) if isinstance(x, Node) else float(x)


# ----------------------------------------------------------------------------------------
# Hypothesis strategies (hypothesis is imported only when you use them)
# ----------------------------------------------------------------------------------------
#: Input domains of the elementwise primitives, away from kinks and singularities.
DOMAINS = {
    "real": (-3.0, 3.0),
    "positive": (0.2, 3.0),
    "nonzero": (0.3, 3.0),  # magnitude; sign chosen separately
    "away_from_zero": (0.1, 3.0),
}


def floats_in(low: float, high: float):
    """Hypothesis strategy: finite floats in [low, high].

    >>> floats_in(0.1, 2.0).example() >= 0.1  # doctest: +SKIP
    True
    """
    from hypothesis import strategies as st

    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def nonzero_floats(magnitude_low: float = 0.3, magnitude_high: float = 3.0):
    """Hypothesis strategy: floats with |x| in [magnitude_low, magnitude_high]."""
    from hypothesis import strategies as st

    magnitude = floats_in(magnitude_low, magnitude_high)
    return st.tuples(magnitude, st.booleans()).map(lambda t: t[0] if t[1] else -t[0])


def shapes(min_dims: int = 0, max_dims: int = 3, max_side: int = 4):
    """Hypothesis strategy: small array shapes."""
    from hypothesis.extra import numpy as hnp

    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def arrays(shape, low: float = -3.0, high: float = 3.0, dtype=np.float64):
    """Hypothesis strategy: float arrays of ``shape`` with entries in [low, high]."""
    from hypothesis.extra import numpy as hnp

    return hnp.arrays(dtype, shape, elements=floats_in(low, high))


def broadcastable_shape_pairs(max_dims: int = 3, max_side: int = 4):
    """Hypothesis strategy: two shapes that broadcast together, like (3, 1) and (4,)."""
    from hypothesis.extra import numpy as hnp

    return hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=max_dims, max_side=max_side
    ).map(lambda result: result.input_shapes)
