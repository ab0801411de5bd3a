"""The optimizer base class: the parameter list, per-parameter state, and ``step()``.

A rule (SGD, Adam, ... in :mod:`microgradnn.optim.optimizers`) only defines ``update``: how
one parameter θ moves given its gradient g and its private state. ``step()`` walks the
parameters, skips those that got no gradient, adds weight decay, and writes the result.

>>> from microgradnn import Value
>>> class HalfStep(Optimizer):
...     def update(self, theta, g, state):
...         return theta - 0.5 * self.lr * g
>>> w = Value(1.0); w.grad = 2.0
>>> HalfStep([w], lr=1.0).step(); w.data
0.0
"""

from __future__ import annotations

import numpy as np

from microgradnn.engine import Node
from microgradnn.value import Value

__all__ = ["Optimizer", "parameter_list", "gradient_of", "descend", "check_setting"]


def parameter_list(params) -> list[Node]:
    """A model (anything with .parameters()) or an iterable of nodes -> unique list."""
    if hasattr(params, "parameters") and callable(params.parameters):
        params = params.parameters()
    if isinstance(params, Node):
        params = [params]
    unique, seen = [], set()
    for p in params:
        if not isinstance(p, Node):
            raise TypeError(f"optimizers need Value or Tensor parameters, got {type(p).__name__}")
        if not p.requires_grad:
            raise ValueError("an optimizer parameter has requires_grad=False; it cannot learn")
        if id(p) not in seen:
            seen.add(id(p))
            unique.append(p)
    if not unique:
        raise ValueError("optimizer got an empty parameter list")
    return unique


def gradient_of(p: Node):
    """The gradient as a float/array, or None when backward did not reach ``p``.

    "Not reached" is how the engine left it: a Tensor's grad is still None, a Value's grad
    is still the very object ``Value.initial_grad`` (the 0.0 that ``zero_grad`` puts back;
    backward replaces it by a new number whenever it reaches the parameter, even a 0.0).
    Such parameters are skipped by ``step``, as ``torch.optim`` skips grads that are None:
    no momentum, weight decay or Adam/RMSprop state moves a parameter the loss did not use.

    >>> from microgradnn import Value
    >>> used, unused = Value(2.0), Value(5.0)
    >>> (used * 0.0).backward()
    >>> gradient_of(used), gradient_of(unused)
    (0.0, None)
    """
    g = p.grad
    if g is type(p).initial_grad:  # identity, not equality: a computed 0.0 is a gradient
        return None
    return g.data if isinstance(g, Node) else g


def _write(p: Node, new) -> None:
    if isinstance(p, Value):
        p.data = float(new)
    else:  # keep the parameter's dtype (float32 stays float32)
        p.data = np.asarray(new, dtype=p.data.dtype)


def descend(theta, scale, direction, state: dict):
    """θ - scale · direction, for a float or an array parameter.

    Arrays are updated in place, and scale · direction is written into one scratch array
    kept per parameter (``state["scratch"]``): an update then allocates nothing. For a
    784x256 weight matrix that saves making a new 1.6 MB array at every step, and we
    measured that the fresh, cold memory made the next backward pass up to 30% slower
    (``benchmarks/bench_tensor.py``).
    """
    if not (isinstance(theta, np.ndarray) and theta.flags.writeable):
        return theta - scale * direction
    scratch = state.get("scratch")
    if scratch is None or scratch.shape != theta.shape or scratch.dtype != theta.dtype:
        scratch = state["scratch"] = np.empty_like(theta)
    np.multiply(direction, scale, out=scratch)
    theta -= scratch
    return theta


def check_setting(name: str, value: float, low: float = 0.0, high: float | None = None) -> None:
    if not value >= low or (high is not None and not value < high):
        limits = f">= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"{name} must be {limits}, got {value}")


class Optimizer:
    """Base class: keeps the parameter list, per-parameter state, and ``lr``.

    Subclasses implement ``update(theta, g, state)`` returning the new θ; ``state`` is a
    dict private to one parameter (momentum buffers, running averages, step count).

    >>> from microgradnn import Value
    >>> opt = Optimizer([Value(1.0)], lr=0.5)
    >>> opt.lr, len(opt.params)
    (0.5, 1)
    """

    #: λ of the L2 penalty applied in :meth:`step` (subclasses that offer it set it)
    weight_decay = 0.0

    def __init__(self, params, lr: float):
        check_setting("lr", lr)
        self.params = parameter_list(params)
        self.lr = float(lr)
        self.state: list[dict] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (gradients accumulate otherwise)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient.

        Parameters the last backward pass did not reach (see :func:`gradient_of`) are left
        alone, state included: their step count, momentum and averages do not advance.
        """
        for p, state in zip(self.params, self.state):
            g = gradient_of(p)
            if g is None:  # not reached by backward: nothing to learn from (as in torch)
                continue
            if self.weight_decay:  # an L2 penalty λ/2 ‖θ‖² adds λθ to the gradient
                g = g + self.weight_decay * p.data
            state["step"] = state.get("step", 0) + 1
            new = self.update(p.data, g, state)
            if new is not p.data:  # arrays are updated in place (see _descend): done
                _write(p, new)
            if p.tracks_versions:  # a graph that saw the old numbers can no longer backward
                p.bump_version()

    def update(self, theta, g, state: dict):
        """Return the new value of one parameter from its value ``theta`` (float or array),
        its gradient ``g`` (weight decay already added by :meth:`step`) and its private
        ``state`` dict (``state["step"]`` = t)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.settings().items())
        return f"{type(self).__name__}({len(self.params)} parameters, {settings})"

    def settings(self) -> dict:
        """The hyper-parameters, for printing and saving."""
        return {"lr": self.lr}
