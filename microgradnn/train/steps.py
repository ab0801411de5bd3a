"""One batch through a model: checked inputs, the forward pass, the loss as a number.

``fit``, ``evaluate`` and ``predict`` share these, for tensor models (one Tensor per batch)
and scalar models (``nn.MLP`` on ``Value``: one forward pass per sample).

>>> import numpy as np
>>> x, y = check_data([[0.0, 1.0], [2.0, 3.0]], [0, 1], "fit")
>>> x.shape, y.shape
((2, 2), (2,))
"""

from __future__ import annotations

import math

import numpy as np

from microgradnn.engine import Node
from microgradnn.tensor import Tensor

__all__ = [
    "check_data",
    "check_epochs",
    "input_dtype",
    "forward_batch",
    "output_numbers",
    "loss_number",
    "scalar_loss",
]


def _as_array(values, name: str) -> np.ndarray:
    if isinstance(values, Node):
        return np.asarray(values.data)
    array = np.asarray(values)
    if array.dtype == object:
        raise TypeError(f"{name} must be numbers (a rectangular array), got ragged or mixed data")
    return array


def check_data(x, y, who: str) -> tuple[np.ndarray, np.ndarray | None]:
    x = _as_array(x, "x")
    if x.ndim == 0:
        raise ValueError(f"{who}: x must have samples along its first axis, got a single number")
    if len(x) == 0:
        raise ValueError(f"{who}: the data set is empty (x has 0 samples)")
    if y is None:
        return x, None
    y = _as_array(y, "y")
    if y.ndim == 0 or len(y) != len(x):
        count = "a single number" if y.ndim == 0 else f"{len(y)} samples"
        raise ValueError(
            f"{who}: x and y must have the same number of samples, got {len(x)} and {count}"
        )
    return x, y


def check_epochs(epochs) -> int:
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    return int(epochs)


# --- running a model on a batch --------------------------------------------------------------
def input_dtype(model):
    params = model.parameters() if callable(getattr(model, "parameters", None)) else []
    for p in params:
        if isinstance(p, Tensor):
            return p.dtype
    return None


def forward_batch(model, xb: np.ndarray, scalar: bool, dtype):
    """Outputs for a batch: a Tensor, or (scalar models) a list with one output per sample."""
    if scalar:
        return [model(row.tolist()) for row in xb]
    if xb.dtype.kind not in "f" or (dtype is not None and xb.dtype != dtype):
        xb = xb.astype(dtype if dtype is not None else np.float64)
    return model(Tensor(xb, requires_grad=False))


def output_numbers(outputs, scalar: bool) -> np.ndarray:
    """Plain numbers of a batch of outputs, shape (samples, outputs) for scalar models."""
    if not scalar:
        return np.array(outputs.data if isinstance(outputs, Node) else outputs)
    rows = [
        [v.data for v in out] if isinstance(out, (list, tuple)) else [out.data] for out in outputs
    ]
    return np.array(rows, dtype=np.float64)


def loss_number(loss) -> float:
    if isinstance(loss, Node):
        return float(np.asarray(loss.data).reshape(-1)[0]) if np.size(loss.data) == 1 else math.nan
    return float(loss)


def scalar_loss(loss) -> Node:
    if not isinstance(loss, Node) or np.size(loss.data) != 1:
        raise ValueError(
            "the loss must return one number (a scalar Tensor or Value) to call backward(); "
            "use reduction='mean' or 'sum'"
        )
    return loss
