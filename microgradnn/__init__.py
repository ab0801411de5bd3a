"""microgradnn: learn how neural networks learn by building the machinery in the open.

>>> from microgradnn import Value
>>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
>>> f = (x + y) * z
>>> f.backward()
>>> (f.data, x.grad, y.grad, z.grad)
(-12.0, -4.0, -4.0, 3.0)

Submodules (``nn``, ``optim``, ``viz``, ``data``, ...) are imported on first use, so
``import microgradnn`` stays fast and does not load matplotlib or graphviz.
"""

import importlib

from microgradnn.anomaly import detect_anomaly
from microgradnn.engine import backward, enable_grad, grad, is_grad_enabled, no_grad
from microgradnn.function import Context, Function
from microgradnn.seeding import set_seed
from microgradnn.tensor import Tensor, affine, concatenate, matmul, maximum, minimum, stack, where
from microgradnn.value import Value

__version__ = "0.1.0"

_SUBMODULES = {
    "engine",
    "ops",
    "kernels",
    "backends",
    "anomaly",
    "function",
    "operators",
    "functional",
    "nn",
    "optim",
    "train",
    "data",
    "metrics",
    "plots",
    "viz",
    "testing",
    "expression",
    "errors",
    "seeding",
}

__all__ = [
    "Value",
    "Tensor",
    "Function",
    "Context",
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "detect_anomaly",
    "matmul",
    "affine",
    "concatenate",
    "stack",
    "where",
    "maximum",
    "minimum",
    "set_seed",
    *sorted(_SUBMODULES),
]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"microgradnn.{name}")
    raise AttributeError(f"module 'microgradnn' has no attribute {name!r}")


# The training loop sits above nn, and nn never imports it; importing it here hands
# compile/fit/evaluate/predict/summary to nn.Module, so `model.fit(...)` works after any
# import of microgradnn (it loads no plotting library).
import microgradnn.train  # noqa: E402,F401
