"""Tensor layers: ``Dense`` (alias ``Linear``), ``Activation``, ``Dropout``, ``Flatten``,
``Sequential``, and the weight initializers.

Shapes follow Keras: batch first, features last. A dense layer computes ``x @ W + b`` with
``W`` of shape (in_features, out_features), so each *column* of ``W`` is one neuron.

>>> import numpy as np
>>> model = Sequential([Dense(2, 8, activation="relu", seed=0), Dense(8, 1, seed=1)])
>>> model(np.zeros((5, 2))).shape
(5, 1)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from microgradnn.engine import Node
from microgradnn.errors import unknown_name
from microgradnn.nn import activations
from microgradnn.nn.module import Module, Parameter
from microgradnn.seeding import as_rng
from microgradnn.tensor import Tensor, _affine

__all__ = [
    "Dense",
    "Linear",
    "Activation",
    "Dropout",
    "Flatten",
    "Sequential",
    "initialize",
    "INITIALIZERS",
    "as_rng",
    "as_input",
]


# ----------------------------------------------------------------------------------------
# helpers shared by layers (also used by conv/recurrent layers)
# ----------------------------------------------------------------------------------------
def as_input(x, dtype=None) -> Tensor:
    """Turn layer input into a Tensor: arrays become constants (no gradient), a Tensor of
    another dtype is cast (differentiably) to ``dtype``.

    >>> as_input([[1, 2]]).requires_grad
    False
    """
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == dtype else x.astype(dtype)
    if isinstance(x, Node):
        raise TypeError(
            f"tensor layers need a Tensor or an array, got a {type(x).__name__}; "
            "use the scalar models (nn.MLP) for Values"
        )
    return Tensor(x, requires_grad=False, dtype=dtype)


def _glorot_uniform(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def _glorot_normal(rng, shape, fan_in, fan_out):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=shape)


def _he_uniform(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape)


def _he_normal(rng, shape, fan_in, fan_out):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


def _uniform(rng, shape, fan_in, fan_out):
    return rng.uniform(-1.0, 1.0, size=shape)


def _zeros(rng, shape, fan_in, fan_out):
    return np.zeros(shape)


#: Weight initializers by name. ``fan_in``/``fan_out`` = inputs/outputs per neuron.
INITIALIZERS: dict[str, Callable] = {
    "glorot_uniform": _glorot_uniform,
    "glorot_normal": _glorot_normal,
    "he_uniform": _he_uniform,
    "he_normal": _he_normal,
    "uniform": _uniform,
    "zeros": _zeros,
}
_INIT_ALIASES = {"xavier_uniform": "glorot_uniform", "xavier_normal": "glorot_normal"}


def initialize(init: str, shape, fan_in: int, fan_out: int, rng=None, dtype="float64"):
    """Random starting weights (a numpy array) drawn by a named rule.

    * ``glorot_uniform`` (Xavier): U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).
      Keeps the variance of signals and gradients roughly constant for tanh/sigmoid layers.
    * ``glorot_normal``: N(0, σ²) with σ = sqrt(2 / (fan_in + fan_out)).
    * ``he_uniform`` (Kaiming): U(-a, a) with a = sqrt(6 / fan_in); suited to ReLU, which
      zeroes half of its inputs, hence twice the variance of Glorot.
    * ``he_normal``: N(0, σ²) with σ = sqrt(2 / fan_in).
    * ``uniform``: U(-1, 1) (the scalar micrograd-style neurons).
    * ``zeros``: all zeros (fine for biases, bad for weights: every neuron stays the same).

    Args:
        init: one of the names above.
        shape: shape of the array.
        fan_in, fan_out: number of inputs and outputs of each neuron.
        rng: seed (int), numpy Generator, or None.
        dtype: "float64" or "float32".

    >>> w = initialize("he_normal", (1000, 10), fan_in=1000, fan_out=10, rng=0)
    >>> bool(abs(w.std() - np.sqrt(2 / 1000)) < 0.002)
    True
    """
    key = _INIT_ALIASES.get(init, init)
    if key not in INITIALIZERS:
        raise ValueError(unknown_name("initializer", init, INITIALIZERS))
    return np.asarray(INITIALIZERS[key](as_rng(rng), shape, fan_in, fan_out), dtype=dtype)


# ----------------------------------------------------------------------------------------
# layers
# ----------------------------------------------------------------------------------------
class Dense(Module):
    """Fully connected layer: ``activation(x @ W + b)``.

    Args:
        in_features: size of the last axis of the input.
        out_features: number of neurons (size of the last axis of the output).
        activation: a name from :data:`microgradnn.nn.activations.NAMES`, a function, or
            None (linear).
        bias: add a learned bias vector ``b`` (shape (out_features,)).
        init: weight initializer name (see :func:`initialize`); biases start at zero.
        seed: int or numpy Generator for reproducible weights.
        dtype: "float64" (default) or "float32".
        **activation_options: e.g. ``alpha=0.2`` for leaky_relu.

    Attributes: ``weight`` (in_features, out_features), ``bias`` (out_features,) or None,
    ``activation`` (name or None).

    >>> layer = Dense(3, 2, activation="relu", seed=0)
    >>> layer.weight.shape, layer.bias.shape
    ((3, 2), (2,))
    >>> layer(np.ones((4, 3))).shape
    (4, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        activation: str | Callable | None = None,
        bias: bool = True,
        init: str = "glorot_uniform",
        seed=None,
        dtype="float64",
        **activation_options,
    ):
        super().__init__()
        _check_positive_int(in_features, "in_features", "Dense")
        _check_positive_int(out_features, "out_features", "Dense")
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.dtype = np.dtype(dtype)
        weights = initialize(init, (in_features, out_features), in_features, out_features, seed)
        self.weight = Parameter(weights, dtype=self.dtype, label="W")
        self.bias = Parameter(np.zeros(out_features), dtype=self.dtype, label="b") if bias else None
        self.init = init
        self.activation = activations.name_of(activation)
        self.activation_options = dict(activation_options)
        self._activation_fn = activations.get(activation, **activation_options)

    def forward(self, x) -> Tensor:
        x = as_input(x, self.dtype)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Dense({self.in_features} -> {self.out_features}) expects input with "
                f"{self.in_features} features in the last axis, got shape {x.shape}"
            )
        return self._activation_fn(_affine(x, self.weight, self.bias))  # x @ W + b

    def extra_repr(self) -> str:
        text = f"{self.in_features} -> {self.out_features}"
        if self.activation:
            text += f", activation={self.activation!r}"
        if self.bias is None:
            text += ", bias=False"
        if self.dtype != np.float64:
            text += f", dtype={self.dtype.name}"
        return text


#: PyTorch's name for :class:`Dense`.
Linear = Dense


class Activation(Module):
    """An activation function as a layer: ``Activation("relu")``.

    >>> Activation("relu")(np.array([-1.0, 2.0])).data
    array([0., 2.])
    """

    def __init__(self, activation: str | Callable, **options):
        super().__init__()
        self.activation = activations.name_of(activation) or "linear"
        self.activation_options = dict(options)
        self._activation_fn = activations.get(activation, **options)

    def forward(self, x):
        return self._activation_fn(as_input(x) if not isinstance(x, Node) else x)

    def extra_repr(self) -> str:
        options = "".join(f", {k}={v!r}" for k, v in self.activation_options.items())
        return f"{self.activation!r}{options}"


class Dropout(Module):
    """Inverted dropout: while training, zero each entry with probability ``p`` and scale
    the survivors by 1 / (1 - p), so the expected output equals the input. In eval mode
    (``model.eval()``) it does nothing.

    Args:
        p: drop probability in [0, 1).
        seed: int or numpy Generator for reproducible masks.

    >>> layer = Dropout(0.5, seed=0)
    >>> out = layer(np.ones((2, 4))).data
    >>> sorted(set(out.ravel().tolist()))   # dropped -> 0, kept -> 1 / (1 - 0.5)
    [0.0, 2.0]
    >>> layer.eval()(np.ones(3)).data
    array([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, seed=None):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout probability p must be in [0, 1), got {p}")
        self.p = float(p)
        self._rng = as_rng(seed)

    def forward(self, x):
        x = as_input(x) if not isinstance(x, Tensor) else x
        if not self.training or self.p == 0.0:
            return x
        keep = self._rng.random(x.shape) >= self.p
        mask = keep.astype(x.dtype) / (1.0 - self.p)
        return x * Tensor(mask, requires_grad=False, dtype=x.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p:g}"


class Flatten(Module):
    """Keep the batch axis, merge all others: (N, d1, d2, ...) -> (N, d1*d2*...).

    >>> Flatten()(np.zeros((4, 2, 3))).shape
    (4, 6)
    """

    def forward(self, x):
        x = as_input(x) if not isinstance(x, Tensor) else x
        if x.ndim < 1:
            raise ValueError("Flatten needs at least a batch axis, got a 0-d tensor")
        return x.reshape(x.shape[0], -1)


class Sequential(Module):
    """Layers applied one after another: ``Sequential([Dense(2, 4), Dense(4, 1)])``.

    Accepts a list (Keras style) or the layers as separate arguments (PyTorch style).
    ``model.layers`` is the list; ``model[i]`` and ``len(model)`` work too.

    >>> model = Sequential([Dense(2, 4, activation="tanh", seed=0), Dense(4, 1, seed=0)])
    >>> len(model), type(model[0]).__name__
    (2, 'Dense')
    >>> model.add(Activation("sigmoid")); len(model)
    3
    """

    def __init__(self, layers: Iterable[Module] | Module = (), *more_layers: Module):
        super().__init__()
        if isinstance(layers, Module):
            layers = [layers, *more_layers]
        else:
            layers = list(layers) + list(more_layers)
        self.layers: list[Module] = []
        for layer in layers:
            self.add(layer)

    def add(self, layer: Module) -> None:
        """Append a layer at the end (Keras' ``model.add``)."""
        if not isinstance(layer, Module):
            raise TypeError(
                f"Sequential takes layers (Module instances), got {type(layer).__name__}; "
                "did you forget the parentheses, e.g. Flatten() instead of Flatten?"
            )
        self.layers.append(layer)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(self.layers[index])
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)


def _check_positive_int(value, name: str, layer: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{layer} needs a positive integer {name}, got {value!r}")
