"""Optimizers: rules that turn gradients into parameter updates (PyTorch-style API).

>>> from microgradnn import Value
>>> w = Value(3.0)
>>> opt = SGD([w], lr=0.1)
>>> for _ in range(3):
...     opt.zero_grad()
...     loss = w * w          # minimum at w = 0; gradient 2w
...     loss.backward()
...     opt.step()            # w <- w - 0.1 * 2w = 0.8 w
>>> round(w.data, 6)          # 3 * 0.8^3
1.536

Every optimizer works the same on ``Value`` parameters (floats) and ``Tensor`` parameters
(arrays, float64 or float32) and matches ``torch.optim`` update for update. Gradients are
only read, never modified in place.

- :mod:`~microgradnn.optim.optimizer`: the base class (``step``, ``zero_grad``, state);
- :mod:`~microgradnn.optim.optimizers`: SGD, GD, Adagrad, RMSprop, Adam, Adamax;
- :mod:`~microgradnn.optim.schedulers`: StepLR, ExponentialLR, ReduceLROnPlateau;
- :mod:`~microgradnn.optim.clipping`: ``clip_grad_norm``.
"""

from __future__ import annotations

from collections.abc import Iterable

from microgradnn.errors import unknown_name
from microgradnn.optim.clipping import clip_grad_norm
from microgradnn.optim.optimizer import Optimizer
from microgradnn.optim.optimizers import GD, SGD, Adagrad, Adam, Adamax, RMSprop
from microgradnn.optim.schedulers import ExponentialLR, ReduceLROnPlateau, StepLR

__all__ = [
    "Optimizer",
    "SGD",
    "GD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "Adamax",
    "StepLR",
    "ExponentialLR",
    "ReduceLROnPlateau",
    "clip_grad_norm",
    "get",
]


_REGISTRY = {
    "sgd": SGD,
    "gd": GD,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamax": Adamax,
}


def get(optimizer, params: Iterable | None = None, **options) -> Optimizer:
    """An optimizer from a name (``"adam"``), a class, or an existing instance (returned).

    >>> from microgradnn import Value
    >>> get("adam", [Value(1.0)], lr=0.01)
    Adam(1 parameters, lr=0.01, betas=(0.9, 0.999), eps=1e-08)
    """
    if isinstance(optimizer, Optimizer):
        if options:
            raise ValueError("options cannot be applied to an optimizer that already exists")
        return optimizer
    if isinstance(optimizer, str):
        key = optimizer.lower()
        if key not in _REGISTRY:
            raise ValueError(unknown_name("optimizer", optimizer, _REGISTRY))
        optimizer = _REGISTRY[key]
    if not (isinstance(optimizer, type) and issubclass(optimizer, Optimizer)):
        raise TypeError(f"expected an optimizer name, class or instance, got {optimizer!r}")
    if params is None:
        raise ValueError(f"{optimizer.__name__} needs the parameters to optimize")
    return optimizer(params, **options)
