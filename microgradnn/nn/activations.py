"""Activation functions by name, for layers: ``activations.get("relu")``.

The math lives in :mod:`microgradnn.functional` (each function is a composite of engine
primitives, with its formula and derivative in the docstring). This module maps the names a
layer accepts (``Dense(..., activation="relu")``) to those functions.

>>> from microgradnn import Value
>>> get("tanh")(Value(0.0)).data
0.0
>>> sorted(NAMES)[:4]
['elu', 'leaky_relu', 'linear', 'log_softmax']
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from microgradnn import functional as F
from microgradnn.errors import unknown_name

__all__ = ["get", "name_of", "NAMES"]

_REGISTRY: dict[str, Callable] = {
    "linear": F.linear,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "smelu": F.smelu,
    "softmax": F.softmax,
    "log_softmax": F.log_softmax,
    "softplus": F.softplus,
}
_ALIASES = {"identity": "linear", "none": "linear", "leakyrelu": "leaky_relu"}

#: The activation names every layer understands.
NAMES = tuple(_REGISTRY)


def _canonical(name: str) -> str:
    key = name.lower().replace("-", "_")
    return _ALIASES.get(key, key)


def get(activation: str | Callable | None, **options) -> Callable:
    """The activation function for a name (``None`` means linear) or a callable as is.

    Args:
        activation: a name from :data:`NAMES` (e.g. ``"leaky_relu"``), None, or a function.
        **options: settings of the function, e.g. ``alpha=0.2`` for leaky_relu,
            ``beta=2.0`` for smelu, ``axis=1`` for softmax.

    >>> from microgradnn import Tensor
    >>> get("leaky_relu", alpha=0.5)(Tensor([-2.0])).data
    array([-1.])
    """
    if activation is None:
        activation = "linear"
    if callable(activation):
        return functools.partial(activation, **options) if options else activation
    if not isinstance(activation, str):
        raise TypeError(f"activation must be a name, a function or None, got {activation!r}")
    key = _canonical(activation)
    if key not in _REGISTRY:
        raise ValueError(unknown_name("activation", activation, NAMES))
    function = _REGISTRY[key]
    return functools.partial(function, **options) if options else function


def name_of(activation: str | Callable | None) -> str | None:
    """The canonical name of an activation (None for linear/None), for reprs and exports.

    >>> name_of("Identity"), name_of("ReLU"), name_of(None)
    (None, 'relu', None)
    """
    if activation is None:
        return None
    if callable(activation):
        return getattr(activation, "__name__", type(activation).__name__)
    key = _canonical(activation)
    get(key)  # raises for unknown names
    return None if key == "linear" else key
