"""Scalar models on ``Value``: a neuron, a layer of neurons, a multi-layer perceptron.

These are the models of the first lessons: every weight is one ``Value``, so the whole
computation graph can be drawn and each gradient inspected. They process ONE sample at a
time (a list of numbers), which keeps them simple but slow: use :class:`Dense` layers for
real data sets.

>>> model = MLP(2, [4, 1], seed=0)
>>> out = model([1.0, -2.0])
>>> type(out).__name__, len(model.parameters())   # (2*4 + 4) + (4*1 + 1)
('Value', 17)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from microgradnn import kernels
from microgradnn.nn import activations
from microgradnn.nn.layers import as_rng
from microgradnn.nn.module import Module
from microgradnn.value import Value, as_value

__all__ = ["Neuron", "Layer", "MLP"]


def _as_values(x, nin: int, who: str) -> list[Value]:
    """The inputs as a list of Values (plain numbers become constants, once per layer).

    One sample: a list, a tuple or a 1-D numpy array (a row of a data set, ``X[0]``).
    """
    if isinstance(x, np.ndarray):
        if x.ndim > 1:
            raise ValueError(
                f"{who} takes ONE sample (a 1-D row of {nin} numbers), got an array of shape "
                f"{x.shape}; call it on each row: [model(row) for row in X]"
            )
        x = x.reshape(-1).tolist()  # numpy scalars -> Python floats, the fast path of Value
    elif isinstance(x, Value) or not isinstance(x, Sequence):
        x = [x]
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}")
    return [_as_input(xi, i) for i, xi in enumerate(x, 1)]


def _as_input(xi, position: int) -> Value:
    """A Value for input ``position``; a plain number becomes the constant ``x<position>``."""
    value = as_value(xi)
    if value is not xi and value.label is None:
        value.label = f"x{position}"  # the lecture's x1 ... xn (pictures, error messages)
    return value


def _name_by_place(neuron: Neuron, place: str) -> None:
    """Name a neuron's parameters by where they sit: ``w[l][j,i]`` and ``b[l][j]``.

    ``place`` is ``"[l][j"`` inside an MLP, ``"[j"`` inside a Layer (1-based, as the lecture
    writes w_ij of layer l); input i is appended to the weights.
    """
    for i, weight in enumerate(neuron.w, 1):
        weight.label = f"w{place},{i}]"
    neuron.b.label = f"b{place}]"


class Neuron(Module):
    """One artificial neuron: ``activation(w · x + b)``.

    Args:
        nin: number of inputs.
        activation: name (``"tanh"``, ``"relu"``, ``"linear"``, ...), a function or None.
        seed: int or numpy Generator; weights start uniform in [-1, 1], the bias at 0.
        fused: compute ``w · x + b`` as ONE graph node (:func:`microgradnn.value.dot`, the
            default: same numbers, far fewer nodes, much faster) or, with ``fused=False``,
            as n multiplications and n additions, to see every product in a graph picture.

    Attributes: ``w`` (list of Values), ``b`` (Value), ``activation`` (name or None).
    Parameters are named ``w1 ... wn`` and ``b`` (inside a :class:`Layer` or :class:`MLP`
    by place, ``w[l][j,i]``); plain-number inputs become constants named ``x1 ... xn``.

    >>> n = Neuron(2, activation="linear", seed=0)
    >>> n.w[0].data, n.w[1].data = 2.0, -1.0
    >>> n([3.0, 1.0]).data   # 2*3 - 1*1 + 0
    5.0
    """

    def __init__(
        self, nin: int, activation: str | Callable | None = "tanh", seed=None, fused: bool = True
    ):
        super().__init__()
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Neuron needs a positive number of inputs, got {nin!r}")
        rng = as_rng(seed)
        self.w = [Value(float(rng.uniform(-1, 1)), label=f"w{i}") for i in range(1, nin + 1)]
        self.b = Value(0.0, label="b")
        self.activation = activations.name_of(activation)
        self._activation_fn = activations.get(activation)
        self.fused = fused

    def forward(self, x) -> Value:
        return self._fire(_as_values(x, len(self.w), "Neuron"))

    def _fire(self, x: list[Value]) -> Value:
        """activation(w · x + b) for inputs already checked and converted to Values."""
        if self.fused:  # one dot node; w, x and b are Values already (no checks needed)
            weighted_sum = kernels.dot_op(len(self.w), True).apply(*self.w, *x, self.b)
            return self._activation_fn(weighted_sum)
        total = self.b
        for wi, xi in zip(self.w, x):
            total = total + wi * xi
        return self._activation_fn(total)

    def extra_repr(self) -> str:
        return f"{len(self.w)}, activation={self.activation or 'linear'!r}"


class Layer(Module):
    """``nout`` independent neurons that all see the same inputs.

    Returns a single Value when ``nout == 1``, else a list of Values.

    >>> layer = Layer(3, 2, seed=0)
    >>> len(layer([1.0, 2.0, 3.0])), len(layer.neurons)
    (2, 2)
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | Callable | None = "tanh",
        seed=None,
        fused: bool = True,
    ):
        super().__init__()
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(f"Layer needs a positive number of neurons, got {nout!r}")
        rng = as_rng(seed)
        self.neurons = [Neuron(nin, activation, seed=rng, fused=fused) for _ in range(nout)]
        for j, neuron in enumerate(self.neurons, 1):
            _name_by_place(neuron, f"[{j}")

    def forward(self, x):
        # Convert the inputs once here: otherwise every neuron would wrap the same numbers.
        x = _as_values(x, len(self.neurons[0].w), "Layer")
        outputs = [
            neuron(x) if neuron.__dict__.get("_hooks") else neuron._fire(x)  # hooks need __call__
            for neuron in self.neurons
        ]
        return outputs[0] if len(outputs) == 1 else outputs

    def extra_repr(self) -> str:
        first = self.neurons[0]
        return f"{len(first.w)} -> {len(self.neurons)}, activation={first.activation or 'linear'!r}"

    def __repr__(self) -> str:  # one line: listing every neuron would drown the reader
        return f"Layer({self.extra_repr()})  # {self.num_parameters():,} parameters"


class MLP(Module):
    """Multi-layer perceptron of :class:`Layer` s: ``MLP(2, [16, 16, 1])``.

    Args:
        nin: number of inputs.
        sizes: neurons per layer; the last entry is the output size.
        activation: activation of the hidden layers (default ``"tanh"``).
        output_activation: activation of the last layer (default None: linear scores,
            as the hinge and "from logits" losses expect).
        seed: int or numpy Generator for reproducible weights.
        fused: one graph node per neuron's weighted sum (default) or every product visible.

    >>> model = MLP(3, [4, 4, 1], activation="relu", seed=0)
    >>> [type(layer).__name__ for layer in model.layers]
    ['Layer', 'Layer', 'Layer']
    >>> model.layers[-1].neurons[0].activation is None
    True
    >>> model.layers[1].neurons[2].w[0].label, model.layers[1].neurons[2].b.label  # by place
    ('w[2][3,1]', 'b[2][3]')
    """

    def __init__(
        self,
        nin: int,
        sizes: Sequence[int],
        activation: str | Callable | None = "tanh",
        output_activation: str | Callable | None = None,
        seed=None,
        fused: bool = True,
    ):
        super().__init__()
        sizes = list(sizes)
        if not sizes:
            raise ValueError("MLP needs at least one layer size, e.g. MLP(2, [16, 16, 1])")
        rng = as_rng(seed)
        widths = [nin, *sizes]
        self.layers = [
            Layer(
                widths[i],
                widths[i + 1],
                activation if i < len(sizes) - 1 else output_activation,
                seed=rng,
                fused=fused,
            )
            for i in range(len(sizes))
        ]
        for number, layer in enumerate(self.layers, 1):
            for j, neuron in enumerate(layer.neurons, 1):
                _name_by_place(neuron, f"[{number}][{j}")

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
