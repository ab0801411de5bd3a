"""The exit door to PyTorch: copy a model's architecture and weights both ways.

>>> from microgradnn import nn
>>> model = nn.Sequential([nn.Dense(2, 3, activation="relu", seed=0), nn.Dense(3, 1, seed=0)])
>>> torch_model = to_torch(model)          # doctest: +SKIP
>>> back = from_torch(torch_model)         # doctest: +SKIP

Layers are translated by *converters*: a pair of functions (ours -> torch, torch -> ours).
Dense, Activation, Dropout, Flatten and Sequential are built in, and the scalar ``MLP`` /
``Layer`` can be exported (one way: they come back as Dense layers); other layer files (conv,
recurrent) add theirs with :func:`register_converter`. torch is imported only when a
conversion runs, so microgradnn itself does not need it.

Conventions: our ``Dense.weight`` is (in, out) and computes ``x @ W``; torch's
``Linear.weight`` is (out, in) and computes ``x @ W.T``, so weights are transposed on the
way. dtypes are kept (float64 stays float64, float32 stays float32).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from microgradnn.nn.layers import Activation, Dense, Dropout, Flatten, Sequential
from microgradnn.nn.module import Module
from microgradnn.nn.scalar import MLP, Layer

__all__ = [
    "to_torch",
    "from_torch",
    "register_converter",
    "import_torch",
    "activation_to_torch",
]


class _Converter:
    __slots__ = ("layer_type", "to_torch", "from_torch", "torch_type")

    def __init__(self, layer_type, to_torch_fn, from_torch_fn, torch_type):
        self.layer_type = layer_type
        self.to_torch = to_torch_fn
        self.from_torch = from_torch_fn
        self.torch_type = torch_type


_CONVERTERS: list[_Converter] = []


def register_converter(
    layer_type: type,
    to_torch_fn: Callable,
    from_torch_fn: Callable | None = None,
    torch_type: str | type | None = None,
) -> None:
    """Teach :func:`to_torch` / :func:`from_torch` a layer type.

    Args:
        layer_type: our layer class (e.g. ``Conv2D``).
        to_torch_fn: ``f(layer) -> torch.nn.Module`` (or a list of modules, which are
            inserted one after another when inside a Sequential).
        from_torch_fn: ``f(torch_module) -> our layer``; return ``None`` for a torch module
            it does not handle.
        torch_type: the torch class (or its name, e.g. ``"Conv2d"``) that ``from_torch_fn``
            handles. Without it, ``from_torch_fn`` is tried on every unknown torch module.

    A later registration for the same ``layer_type`` replaces the earlier one.

    >>> class Twice(Module):
    ...     def forward(self, x):
    ...         return x * 2
    >>> register_converter(Twice, lambda layer: None)
    >>> Twice in [c.layer_type for c in _CONVERTERS]
    True
    >>> _CONVERTERS.pop().layer_type.__name__   # (tidy up the example)
    'Twice'
    """
    _CONVERTERS[:] = [c for c in _CONVERTERS if c.layer_type is not layer_type]
    _CONVERTERS.append(_Converter(layer_type, to_torch_fn, from_torch_fn, torch_type))


def import_torch():
    """Import torch or explain how to install it.

    >>> import_torch().__name__   # doctest: +SKIP
    'torch'
    """
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "this needs PyTorch, which is optional: pip install torch "
            "(or pip install microgradnn[parity])"
        ) from None
    return torch


# ----------------------------------------------------------------------------------------
# to torch
# ----------------------------------------------------------------------------------------
def _converter_for_layer(layer: Module) -> _Converter:
    for converter in reversed(_CONVERTERS):  # the newest registration wins
        if isinstance(layer, converter.layer_type):
            return converter
    raise TypeError(
        f"to_torch does not know how to convert {type(layer).__name__}; "
        "register one with microgradnn.nn.interop.register_converter"
    )


def _as_module_list(result) -> list:
    return list(result) if isinstance(result, (list, tuple)) else [result]


def to_torch(model: Module):
    """A ``torch.nn.Module`` that computes the same function, with copied weights.

    A Dense layer with an activation becomes ``Linear`` followed by the activation module;
    inside a Sequential these are flattened into one ``torch.nn.Sequential``. The torch
    model is put in the same train/eval mode.

    >>> import numpy as np
    >>> from microgradnn.nn import Dense
    >>> layer = Dense(3, 2, seed=0)
    >>> linear = to_torch(layer)                                  # doctest: +SKIP
    >>> np.allclose(linear.weight.detach().numpy(), layer.weight.data.T)   # doctest: +SKIP
    True
    """
    torch = import_torch()
    modules = _as_module_list(_converter_for_layer(model).to_torch(model))
    result = modules[0] if len(modules) == 1 else torch.nn.Sequential(*modules)
    result.train(model.training)
    return result


def _torch_tensor(array: np.ndarray):
    torch = import_torch()
    return torch.nn.Parameter(torch.from_numpy(np.array(array)))


def _activation_to_torch(name: str | None, options: dict):
    torch = import_torch()
    nn = torch.nn
    if name is None or name == "linear":
        return None
    simple = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "softplus": nn.Softplus}
    if name in simple:
        return simple[name]()
    if name == "leaky_relu":
        return nn.LeakyReLU(options.get("alpha", 0.01))
    if name == "elu":
        return nn.ELU(options.get("alpha", 1.0))
    if name == "softmax":
        return nn.Softmax(dim=options.get("axis", -1))
    if name == "log_softmax":
        return nn.LogSoftmax(dim=options.get("axis", -1))
    if name == "smelu":
        return _torch_smelu(options.get("beta", 1.0))
    raise TypeError(f"to_torch: no torch equivalent for activation {name!r}")


def activation_to_torch(name: str | None, options: dict | None = None):
    """The torch module for one of our activation names (None for linear), for converters
    of layers that carry an ``activation`` (Dense, Conv2D, ...).

    >>> activation_to_torch("leaky_relu", {"alpha": 0.2})   # doctest: +SKIP
    LeakyReLU(negative_slope=0.2)
    """
    return _activation_to_torch(name, options or {})


def _torch_smelu(beta: float):
    """torch has no SmeLU; a three-line module with the same formula."""
    torch = import_torch()

    class SmeLU(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.beta = beta

        def forward(self, x):
            middle = (x + self.beta) ** 2 / (4 * self.beta)
            return torch.where(x <= -self.beta, 0.0 * x, torch.where(x >= self.beta, x, middle))

    return SmeLU()


def _dense_to_torch(layer: Dense):
    torch = import_torch()
    linear = torch.nn.Linear(
        layer.in_features,
        layer.out_features,
        bias=layer.bias is not None,
        dtype=getattr(torch, layer.dtype.name),
    )
    with torch.no_grad():
        linear.weight = _torch_tensor(layer.weight.data.T)
        if layer.bias is not None:
            linear.bias = _torch_tensor(layer.bias.data)
    activation = _activation_to_torch(layer.activation, layer.activation_options)
    return linear if activation is None else [linear, activation]


def _activation_layer_to_torch(layer: Activation):
    torch = import_torch()
    module = _activation_to_torch(layer.activation, layer.activation_options)
    return torch.nn.Identity() if module is None else module


def _sequential_to_torch(model: Sequential):
    torch = import_torch()
    modules = []
    for layer in model.layers:
        modules.extend(_as_module_list(_converter_for_layer(layer).to_torch(layer)))
    return torch.nn.Sequential(*modules)


# ----------------------------------------------------------------------------------------
# from torch
# ----------------------------------------------------------------------------------------
def _matches(converter: _Converter, module) -> bool:
    wanted = converter.torch_type
    if wanted is None:
        return False
    if isinstance(wanted, str):
        return type(module).__name__ == wanted
    return isinstance(module, wanted)


def from_torch(module) -> Module:
    """Our equivalent of a torch module, with copied weights (see :func:`to_torch`).

    In a ``torch.nn.Sequential``, a ``Linear`` followed by an activation becomes one
    ``Dense(..., activation=...)``, so ``from_torch(to_torch(model))`` has the same layers
    as ``model``.

    >>> import torch                                              # doctest: +SKIP
    >>> from_torch(torch.nn.Linear(3, 2))                         # doctest: +SKIP
    Dense(3 -> 2, dtype=float32)  # 8 parameters
    """
    import_torch()
    for converter in reversed(_CONVERTERS):
        if converter.from_torch is not None and _matches(converter, module):
            return _with_mode(converter.from_torch(module), module)
    for converter in reversed(_CONVERTERS):
        if converter.from_torch is not None and converter.torch_type is None:
            result = converter.from_torch(module)
            if result is not None:
                return _with_mode(result, module)
    raise TypeError(
        f"from_torch does not know how to convert torch.nn.{type(module).__name__}; "
        "register one with microgradnn.nn.interop.register_converter"
    )


def _with_mode(layer: Module, module) -> Module:
    return layer.train(bool(module.training))


def _numpy(tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy().copy()


def _linear_from_torch(linear) -> Dense:
    weight = _numpy(linear.weight)
    dtype = weight.dtype.name
    layer = Dense(
        linear.in_features, linear.out_features, bias=linear.bias is not None, dtype=dtype
    )
    layer.weight.data = weight.T.copy()
    if linear.bias is not None:
        layer.bias.data = _numpy(linear.bias)
    return layer


_TORCH_ACTIVATIONS = {
    "ReLU": ("relu", {}),
    "Tanh": ("tanh", {}),
    "Sigmoid": ("sigmoid", {}),
    "Softplus": ("softplus", {}),
    "Identity": ("linear", {}),
}


def _activation_from_torch(module) -> Activation | None:
    name = type(module).__name__
    if name in _TORCH_ACTIVATIONS:
        activation, options = _TORCH_ACTIVATIONS[name]
        return Activation(activation, **options)
    if name == "LeakyReLU":
        return Activation("leaky_relu", alpha=module.negative_slope)
    if name == "ELU":
        return Activation("elu", alpha=module.alpha)
    if name in ("Softmax", "LogSoftmax"):
        axis = -1 if module.dim is None else module.dim
        return Activation("softmax" if name == "Softmax" else "log_softmax", axis=axis)
    if name == "SmeLU" and hasattr(module, "beta"):
        return Activation("smelu", beta=module.beta)
    return None


def _merge_activation(previous: Module | None, layer: Module) -> bool:
    """Fold an activation into the Dense before it (undoing to_torch's split)."""
    if not (isinstance(previous, Dense) and isinstance(layer, Activation)):
        return False
    if previous.activation is not None or layer.activation == "linear":
        return False
    previous.activation = layer.activation
    previous.activation_options = dict(layer.activation_options)
    previous._activation_fn = layer._activation_fn
    return True


def _sequential_from_torch(sequential) -> Sequential:
    layers: list[Module] = []
    for child in sequential:
        layer = from_torch(child)
        if layers and _merge_activation(layers[-1], layer):
            continue
        layers.append(layer)
    return Sequential(layers)


def _dropout_from_torch(module) -> Dropout:
    return Dropout(module.p)


def _flatten_from_torch(module) -> Flatten:
    if module.start_dim != 1 or module.end_dim != -1:
        raise TypeError("from_torch: only Flatten(start_dim=1, end_dim=-1) has an equivalent")
    return Flatten()


def _scalar_layer_to_torch(layer: Layer):
    """A scalar Layer is a Dense layer written neuron by neuron: neuron j's weights are
    column j of W (one way only: from_torch gives tensor layers back)."""
    first = layer.neurons[0]
    dense = Dense(len(first.w), len(layer.neurons), activation=first.activation)
    dense.weight.data = np.array([[w.data for w in n.w] for n in layer.neurons]).T
    dense.bias.data = np.array([n.b.data for n in layer.neurons])
    return _dense_to_torch(dense)


def _mlp_to_torch(model: MLP):
    modules = []
    for layer in model.layers:
        modules.extend(_as_module_list(_scalar_layer_to_torch(layer)))
    return modules


def _builtin_converters() -> None:
    def dropout_to_torch(layer):
        return import_torch().nn.Dropout(layer.p)

    def flatten_to_torch(layer):
        return import_torch().nn.Flatten()

    register_converter(Dense, _dense_to_torch, _linear_from_torch, "Linear")
    register_converter(Activation, _activation_layer_to_torch, _activation_from_torch, None)
    register_converter(Dropout, dropout_to_torch, _dropout_from_torch, "Dropout")
    register_converter(Flatten, flatten_to_torch, _flatten_from_torch, "Flatten")
    register_converter(Sequential, _sequential_to_torch, _sequential_from_torch, "Sequential")
    register_converter(Layer, _scalar_layer_to_torch, None)
    register_converter(MLP, _mlp_to_torch, None)


_builtin_converters()
