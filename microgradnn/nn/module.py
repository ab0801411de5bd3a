"""``Module`` and ``Parameter``: the base every layer and model is built on.

A module is any object that holds trainable numbers. It finds them by looking at its own
attributes, in the order they were assigned (like PyTorch), so a layer only has to write
``self.weight = Parameter(...)`` and ``model.parameters()`` will list it.

>>> import numpy as np
>>> class Scale(Module):
...     def __init__(self):
...         super().__init__()
...         self.factor = Parameter(np.array([2.0]))
...     def forward(self, x):
...         return x * self.factor
>>> m = Scale()
>>> [name for name, _ in m.named_parameters()]
['factor']
>>> m(Tensor([3.0], requires_grad=False)).data
array([6.])
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator

import numpy as np

from microgradnn.engine import Node
from microgradnn.nn.hooks import HookRegistry, RemovableHandle, call_with_hooks
from microgradnn.tensor import Tensor
from microgradnn.value import Value

__all__ = [
    "Module",
    "Parameter",
    "count_parameters",
    "is_scalar_model",
    "install_training_loop",
]


class Parameter(Tensor):
    """A Tensor that a :class:`Module` should train (``requires_grad`` is always True).

    Args:
        data: the initial numbers (anything ``np.asarray`` accepts).
        dtype: ``"float64"`` (default) or ``"float32"``.
        label: a name for graph pictures.

    >>> w = Parameter(np.zeros((2, 3)), label="W")
    >>> w.shape, w.requires_grad
    ((2, 3), True)
    """

    __slots__ = ()

    def __init__(self, data, dtype=None, label: str | None = None):
        super().__init__(data, requires_grad=True, dtype=dtype, label=label)

    def __repr__(self) -> str:
        return "Parameter" + super().__repr__()[len("Tensor") :]


def _is_parameter(obj) -> bool:
    """Trainable leaves: Parameters, and Value leaves (the scalar models' weights)."""
    if isinstance(obj, Parameter):
        return True
    return isinstance(obj, Value) and obj.requires_grad and obj.op is None


def _parameter_size(p: Node) -> int:
    return int(np.size(p.data))


def count_parameters(module_or_params) -> int:
    """The number of trainable numbers in a module or a list of parameters.

    >>> count_parameters([Parameter(np.zeros((2, 3))), Value(1.0)])
    7
    """
    params = (
        module_or_params.parameters()
        if isinstance(module_or_params, Module)
        else list(module_or_params)
    )
    return sum(_parameter_size(p) for p in params)


# The functions behind Module.compile/fit/evaluate/predict/summary, installed by
# microgradnn.train (the layer above nn) when it is imported.
_TRAINING_LOOP: dict[str, Callable] = {}
_TRAINING_NAMES = ("compile", "fit", "evaluate", "predict", "summary")


def install_training_loop(**functions: Callable) -> None:
    """Give ``Module`` its Keras-style methods: ``compile=..., fit=..., evaluate=...``.

    :mod:`microgradnn.train` calls this once when it is imported; nn itself never imports
    the training loop (it sits one layer above nn). Each function takes the model first.

    >>> calls = []
    >>> install_training_loop(fit=lambda model, *args, **kwargs: calls.append(args))
    >>> Module().fit([[0.0]], epochs=1); calls
    [([[0.0]],)]
    >>> import microgradnn.train
    >>> install_training_loop(fit=microgradnn.train.fit)   # put the real one back
    """
    unknown = sorted(set(functions) - set(_TRAINING_NAMES))
    if unknown:
        raise ValueError(f"unknown training functions {unknown}; expected {_TRAINING_NAMES}")
    _TRAINING_LOOP.update(functions)


def _training_function(name: str) -> Callable:
    function = _TRAINING_LOOP.get(name)
    if function is None:
        raise RuntimeError(
            f"model.{name}(...) needs the training loop: `import microgradnn.train` first "
            "(`import microgradnn` does it for you)"
        )
    return function


def is_scalar_model(model) -> bool:
    """True for models whose parameters are ``Value`` scalars (``nn.Neuron/Layer/MLP``).

    >>> from microgradnn import nn
    >>> is_scalar_model(nn.MLP(2, [3, 1])), is_scalar_model(nn.Dense(2, 1))
    (True, False)
    """
    parameters = getattr(model, "parameters", None)
    if not callable(parameters):
        return False
    params = parameters()
    return bool(params) and all(isinstance(p, Value) for p in params)


class Module:
    """Base class of layers and models.

    Subclasses set attributes in ``__init__`` (after ``super().__init__()``) and define
    ``forward``. Parameters, sub-modules, and lists/tuples/dicts of them are discovered from
    the attributes automatically, in assignment order.

    Also provides the Keras-style ``compile/fit/evaluate/predict/summary`` methods, which
    hand the work to :mod:`microgradnn.train` (through :func:`install_training_loop`).

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w, self.b = Value(2.0), Value(1.0)
    ...     def forward(self, x):
    ...         return self.w * x + self.b
    >>> Affine()(3.0).data
    7.0
    """

    #: True in training mode (dropout active). A class default, so a subclass that forgets
    #: to call ``super().__init__()`` still works.
    training = True

    def __init__(self):
        self.training = True

    # --- running ------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        """Compute the output from the input; every layer or model defines it.

        Call the module itself (``model(x)``) rather than ``forward`` directly.
        """
        raise NotImplementedError(f"{type(self).__name__} must define forward(...)")

    def __call__(self, *args, **kwargs):
        hooks = self.__dict__.get("_hooks")
        if hooks:  # (see microgradnn.nn.hooks)
            return call_with_hooks(self, hooks, args, kwargs)
        return self.forward(*args, **kwargs)

    # --- hooks (PyTorch's semantics, see microgradnn.nn.hooks) ------------------------------
    def _hook_registry(self) -> HookRegistry:
        if "_hooks" not in self.__dict__:  # made on first use: layers need not call super()
            self._hooks = HookRegistry()
        return self._hooks

    def register_forward_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; a non-None result replaces
        ``args``. Returns a handle whose ``remove()`` unregisters the hook.

        >>> from microgradnn.nn import Dense
        >>> layer = Dense(2, 1, seed=0)
        >>> handle = layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
        >>> float(layer(np.ones((1, 2))).data[0, 0]); handle.remove()
        0.0
        """
        return self._hook_registry().add("forward_pre", hook)

    def register_forward_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; a non-None result
        replaces the output. Returns a handle whose ``remove()`` unregisters the hook.

        >>> from microgradnn.nn import Dense
        >>> layer = Dense(2, 3, seed=0)
        >>> shapes = []
        >>> handle = layer.register_forward_hook(lambda m, args, out: shapes.append(out.shape))
        >>> _ = layer(np.ones((4, 2))); handle.remove(); shapes
        [(4, 3)]
        """
        return self._hook_registry().add("forward", hook)

    def register_full_backward_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` during backward, once the gradients with respect
        to the module's outputs are known; a non-None result replaces ``grad_output``.
        Returns a handle whose ``remove()`` unregisters the hook.

        >>> from microgradnn import Tensor
        >>> from microgradnn.nn import Dense
        >>> layer, x = Dense(2, 1, seed=0), Tensor(np.ones((1, 2)))
        >>> h = layer.register_full_backward_pre_hook(lambda m, go: (go[0] * 0,))
        >>> layer(x).sum().backward(); h.remove(); x.grad
        array([[0., 0.]])
        """
        return self._hook_registry().add("backward_pre", hook)

    def register_full_backward_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` during backward, once the gradients
        with respect to the module's inputs are known; a non-None result replaces
        ``grad_input``. Returns a handle whose ``remove()`` unregisters the hook.

        >>> from microgradnn import Tensor
        >>> from microgradnn.nn import Dense
        >>> layer = Dense(2, 1, seed=0)
        >>> seen = []
        >>> h = layer.register_full_backward_hook(lambda m, gi, go: seen.append(go[0].shape))
        >>> layer(Tensor(np.ones((3, 2)))).sum().backward(); h.remove(); seen
        [(3, 1)]
        """
        return self._hook_registry().add("backward", hook)

    # --- discovering parameters and sub-modules -----------------------------------------
    def _members(self) -> Iterator[tuple[str, object]]:
        """(name, object) for each parameter or module among the attributes, in order."""
        for name, value in vars(self).items():
            yield from _flatten_member(name, value)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their attribute names (``"layers.0"`` for list items).

        >>> from microgradnn.nn import Dense, Sequential
        >>> [name for name, _ in Sequential([Dense(2, 3), Dense(3, 1)]).named_children()]
        ['layers.0', 'layers.1']
        """
        for name, member in self._members():
            if isinstance(member, Module):
                yield name, member

    def children(self) -> Iterator[Module]:
        """Direct sub-modules (see :meth:`named_children`)."""
        for _, child in self.named_children():
            yield child

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it, depth first.

        >>> from microgradnn.nn import Dense, Sequential
        >>> [type(m).__name__ for m in Sequential([Dense(2, 3)]).modules()]
        ['Sequential', 'Dense']
        """
        yield self
        for child in self.children():
            yield from child.modules()

    def named_parameters(self, prefix: str = "") -> list[tuple[str, Node]]:
        """``(dotted_name, parameter)`` pairs in a stable order, each parameter once.

        >>> from microgradnn.nn import Dense
        >>> [name for name, _ in Dense(2, 3).named_parameters()]
        ['weight', 'bias']
        """
        result: list[tuple[str, Node]] = []
        seen: set[int] = set()
        self._collect(prefix, result, seen, set())
        return result

    def _collect(self, prefix: str, result: list, seen: set, visiting: set) -> None:
        if id(self) in visiting:  # a module that contains itself: stop instead of looping
            return
        visiting.add(id(self))
        for name, member in self._members():
            full = f"{prefix}{name}"
            if isinstance(member, Module):
                member._collect(full + ".", result, seen, visiting)
            elif id(member) not in seen:
                seen.add(id(member))
                result.append((full, member))

    def parameters(self) -> list[Node]:
        """All trainable parameters (Tensors or Values), ordered, without duplicates.

        >>> from microgradnn.nn import Dense
        >>> [p.shape for p in Dense(2, 3).parameters()]
        [(2, 3), (3,)]
        """
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """How many trainable numbers the module has.

        >>> from microgradnn.nn import Dense
        >>> Dense(2, 3).num_parameters()   # 2*3 weights + 3 biases
        9
        """
        return count_parameters(self.parameters())

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter (call it before each backward pass)."""
        for p in self.parameters():
            p.zero_grad()

    # --- modes ----------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Switch to training mode (dropout active); returns the module for chaining.

        >>> from microgradnn.nn import Dropout
        >>> Dropout(0.5).eval().training
        False
        """
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (dropout off). Same as ``train(False)``."""
        return self.train(False)

    # --- buffers: arrays saved with the model but not trained ------------------------------
    def register_buffer(self, name: str, array) -> None:
        """Keep ``array`` as the attribute ``name``: saved by :meth:`state_dict`, not trained
        (batch normalization's running statistics are buffers).

        >>> m = Module()
        >>> m.register_buffer("count", np.zeros(2))
        >>> m.count, list(m.state_dict())
        (array([0., 0.]), ['count'])
        """
        self._buffer_names = (*self.__dict__.get("_buffer_names", ()), name)
        setattr(self, name, np.array(array))

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """``(dotted_name, array)`` for the buffers of this module and its sub-modules.

        >>> from microgradnn.nn import BatchNormalization, Sequential
        >>> [name for name, _ in Sequential([BatchNormalization(3)]).named_buffers()]
        ['layers.0.running_mean', 'layers.0.running_var']
        """
        for name, slot in _buffer_slots(self, prefix):
            yield name, slot.data

    # --- saving and loading -----------------------------------------------------------------
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """A copy of every parameter and buffer as a numpy array, keyed by dotted name.

        >>> from microgradnn.nn import Dense
        >>> {k: v.shape for k, v in Dense(2, 3).state_dict().items()}
        {'weight': (2, 3), 'bias': (3,)}
        """
        state = OrderedDict((name, np.array(p.data)) for name, p in self.named_parameters())
        state.update((name, np.array(array)) for name, array in self.named_buffers())
        return state

    def load_state_dict(self, state: dict, strict: bool = True) -> None:
        """Copy numbers from ``state`` (e.g. from :meth:`state_dict`) into the parameters.

        Args:
            state: mapping from dotted names to arrays.
            strict: when True, missing or unexpected keys raise ``KeyError``. Shapes must
                always match.

        >>> from microgradnn.nn import Dense
        >>> a, b = Dense(2, 3, seed=0), Dense(2, 3, seed=1)
        >>> b.load_state_dict(a.state_dict())
        >>> bool((a.weight.data == b.weight.data).all())
        True
        """
        own = OrderedDict(self.named_parameters())
        own.update(_buffer_slots(self))
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(
                f"load_state_dict for {type(self).__name__}: missing keys {missing}, "
                f"unexpected keys {unexpected} (pass strict=False to load the matching ones)"
            )
        for name, p in own.items():
            if name in state:
                _load_one(name, p, state[name])

    # --- Keras-style training (the loop itself lives in microgradnn.train) ---------------
    # train imports nn, so nn must not import train: arrows point down. Instead train plugs
    # its functions in here when it is imported (see install_training_loop); importing
    # microgradnn does that, so these methods work on every model.
    def compile(self, *args, **kwargs) -> Module:
        """Choose optimizer, loss and metrics: ``model.compile(optimizer="adam", loss="mse")``.

        Runs :func:`microgradnn.train.compile` and returns the model for chaining.
        """
        _training_function("compile")(self, *args, **kwargs)
        return self

    def fit(self, *args, **kwargs):
        """Train on data, ``model.fit(x, y, epochs=10)``; see :func:`microgradnn.train.fit`."""
        return _training_function("fit")(self, *args, **kwargs)

    def evaluate(self, *args, **kwargs):
        """Loss and metrics on data; see :func:`microgradnn.train.evaluate`."""
        return _training_function("evaluate")(self, *args, **kwargs)

    def predict(self, *args, **kwargs):
        """Outputs for new inputs as numpy; see :func:`microgradnn.train.predict`."""
        return _training_function("predict")(self, *args, **kwargs)

    def summary(self, *args, **kwargs):
        """A table of layers, output shapes and parameter counts (:func:`train.summary`)."""
        return _training_function("summary")(self, *args, **kwargs)

    # --- printing -----------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (override in layers)."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        count = self.num_parameters()
        extra = self.extra_repr()
        if not children:
            return f"{type(self).__name__}({extra})  # {_count_text(count)}"
        lines = [f"{type(self).__name__}(  # {_count_text(count)}"]
        if extra:
            lines.append(f"  {extra}")
        for name, child in children:
            short = name.rsplit(".", 1)[-1]
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({short}): {body}")
        lines.append(")")
        return "\n".join(lines)


def _count_text(count: int) -> str:
    return f"{count:,} parameter" + ("" if count == 1 else "s")


def _flatten_member(name: str, value) -> Iterator[tuple[str, object]]:
    if isinstance(value, Module) or _is_parameter(value):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _flatten_member(f"{name}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten_member(f"{name}.{key}", item)


class _BufferSlot:
    """Where a buffer lives (module, attribute), so loading can replace it like a parameter."""

    def __init__(self, module: Module, name: str):
        self.module, self.name = module, name

    @property
    def data(self) -> np.ndarray:
        return getattr(self.module, self.name)

    @data.setter
    def data(self, array: np.ndarray) -> None:
        setattr(self.module, self.name, array)


def _buffer_slots(module: Module, prefix: str = "") -> Iterator[tuple[str, _BufferSlot]]:
    for name in module.__dict__.get("_buffer_names", ()):
        yield prefix + name, _BufferSlot(module, name)
    for name, child in module.named_children():
        yield from _buffer_slots(child, f"{prefix}{name}.")


def _load_one(name: str, p, value) -> None:
    array = np.asarray(value.data if isinstance(value, Node) else value)
    expected = np.shape(p.data)
    if array.shape != expected:
        raise ValueError(
            f"load_state_dict: {name!r} has shape {array.shape} in the state dict but "
            f"{expected} in the model"
        )
    if isinstance(p, Value):
        p.data = float(array)
    else:
        p.data = np.array(array, dtype=p.data.dtype)  # a copy: the model owns its numbers
