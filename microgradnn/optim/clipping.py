"""Gradient clipping: limit the size of a step when gradients explode.

>>> from microgradnn import Value
>>> a = Value(0.0); a.grad = 10.0
>>> clip_grad_norm([a], max_norm=1.0), round(a.grad, 4)
(10.0, 1.0)
"""

from __future__ import annotations

import math

import numpy as np

from microgradnn.optim.optimizer import gradient_of, parameter_list
from microgradnn.value import Value

__all__ = ["clip_grad_norm"]


def clip_grad_norm(params, max_norm: float) -> float:
    """Rescale all gradients together so their global L2 norm is at most ``max_norm``.

    The norm is ‖g‖ = sqrt(Σ over all parameters of Σ g²). When it exceeds ``max_norm``
    every gradient is multiplied by max_norm / (‖g‖ + 1e-6) (as PyTorch does), which keeps
    the direction and limits the step. Gradients are replaced, not modified in place.
    Returns the norm before clipping.

    >>> from microgradnn import Value
    >>> a, b = Value(0.0), Value(0.0)
    >>> a.grad, b.grad = 3.0, 4.0
    >>> clip_grad_norm([a, b], max_norm=1.0)
    5.0
    >>> round(a.grad, 4), round(b.grad, 4)
    (0.6, 0.8)
    """
    params = parameter_list(params)
    grads = [gradient_of(p) for p in params]
    total = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads if g is not None))
    coefficient = max_norm / (total + 1e-6)
    if coefficient < 1:
        for p, g in zip(params, grads):
            if g is None:
                continue
            p.grad = float(g * coefficient) if isinstance(p, Value) else g * coefficient
    return total
