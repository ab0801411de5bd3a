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

Notation in the formulas: θ a parameter, g = ∂L/∂θ its gradient, η the learning rate
(``lr``), t the step number (1, 2, ...). Every optimizer works the same on ``Value``
parameters (floats) and ``Tensor`` parameters (arrays, float64 or float32) and matches
``torch.optim`` update for update. Gradients are only read, never modified in place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from microgradnn.engine import Node
from microgradnn.errors import unknown_name
from microgradnn.value import Value

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
    "clip_grad_norm",
    "get",
]


def _parameter_list(params) -> list[Node]:
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


def _gradient(p: Node):
    """The gradient as a float/array, or None when backward never reached ``p``."""
    g = p.grad
    return g.data if isinstance(g, Node) else g


def _write(p: Node, new) -> None:
    if isinstance(p, Value):
        p.data = float(new)
    else:  # keep the parameter's dtype (float32 stays float32)
        p.data = np.asarray(new, dtype=p.data.dtype)


def _descend(theta, scale, direction, state: dict):
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


def _check(name: str, value: float, low: float = 0.0, high: float | None = None) -> None:
    if not value >= low or (high is not None and not value < high):
        limits = f">= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"{name} must be {limits}, got {value}")


def _adam_settings(betas, eps: float, weight_decay: float) -> tuple:
    """Checked ``(betas, eps, weight_decay)`` of the Adam family (Adam, Adamax)."""
    _check("betas[0]", betas[0], 0.0, 1.0)
    _check("betas[1]", betas[1], 0.0, 1.0)
    _check("eps", eps)
    _check("weight_decay", weight_decay)
    return (float(betas[0]), float(betas[1])), eps, weight_decay


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
        _check("lr", lr)
        self.params = _parameter_list(params)
        self.lr = float(lr)
        self.state: list[dict] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (gradients accumulate otherwise)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient."""
        for p, state in zip(self.params, self.state):
            g = _gradient(p)
            if g is None:  # Tensor never reached by backward: nothing to learn from
                continue
            if self.weight_decay:  # an L2 penalty λ/2 ‖θ‖² adds λθ to the gradient
                g = g + self.weight_decay * p.data
            state["step"] = state.get("step", 0) + 1
            new = self.update(p.data, g, state)
            if new is not p.data:  # arrays are updated in place (see _descend): done
                _write(p, new)

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


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, Nesterov, weight decay.

    Update rule (the same as ``torch.optim.SGD``)::

        g ← g + λ θ                            (weight_decay λ, an L2 penalty λ/2 ‖θ‖²)
        b ← g                        at t = 1  (momentum buffer)
        b ← μ b + (1 - τ) g          for t > 1 (momentum μ, dampening τ)
        d ← g + μ b   if nesterov   else   d ← b   (d ← g when μ = 0)
        θ ← θ - η d

    Plain SGD (μ = 0) is θ ← θ - η g: step downhill, proportionally to the slope.

    >>> from microgradnn import Value
    >>> w = Value(1.0); w.grad = 2.0
    >>> SGD([w], lr=0.1).step(); w.data
    0.8
    """

    def __init__(
        self,
        params,
        lr: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        dampening: float = 0.0,
    ):
        super().__init__(params, lr)
        _check("momentum", momentum)
        _check("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.weight_decay, self.dampening = float(weight_decay), float(dampening)

    def update(self, theta, g, state):
        if self.momentum:
            if "buffer" not in state:
                buffer = g
            else:
                buffer = self.momentum * state["buffer"] + (1 - self.dampening) * g
            state["buffer"] = buffer
            g = g + self.momentum * buffer if self.nesterov else buffer
        return _descend(theta, self.lr, g, state)

    def settings(self) -> dict:
        return {
            "lr": self.lr,
            "momentum": self.momentum,
            "nesterov": self.nesterov,
            "weight_decay": self.weight_decay,
        }


class GD(SGD):
    """Classic (full-batch) gradient descent θ ← θ - η g.

    The update is exactly :class:`SGD`'s; "GD" names the use: compute the loss on ALL
    samples before every step (``fit(..., batch_size=None)``), while SGD steps after each
    sample or mini-batch. Momentum and weight decay are available as in SGD.

    >>> from microgradnn import Value
    >>> w = Value(1.0); w.grad = -1.0
    >>> GD([w], lr=0.5).step(); w.data
    1.5
    """


class Adagrad(Optimizer):
    """Adagrad: per-coordinate step sizes that shrink where gradients have been large.

    Update rule (``torch.optim.Adagrad``)::

        g ← g + λ θ                         (weight_decay λ)
        η_t = η / (1 + (t - 1) δ)           (lr_decay δ)
        s ← s + g²                          (s starts at initial_accumulator_value)
        θ ← θ - η_t g / (√s + ε)

    >>> from microgradnn import Value
    >>> w = Value(1.0); w.grad = 4.0
    >>> Adagrad([w], lr=0.1).step(); round(w.data, 6)   # 1 - 0.1 * 4 / 4
    0.9
    """

    def __init__(
        self,
        params,
        lr: float = 0.01,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ):
        super().__init__(params, lr)
        for name, value in (("lr_decay", lr_decay), ("weight_decay", weight_decay), ("eps", eps)):
            _check(name, value)
        _check("initial_accumulator_value", initial_accumulator_value)
        self.lr_decay, self.weight_decay, self.eps = lr_decay, weight_decay, eps
        self.initial_accumulator_value = initial_accumulator_value

    def update(self, theta, g, state):
        step_lr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        total = state.get("sum", self.initial_accumulator_value) + g * g
        state["sum"] = total
        return _descend(theta, step_lr, g / (np.sqrt(total) + self.eps), state)

    def settings(self) -> dict:
        return {"lr": self.lr, "lr_decay": self.lr_decay, "eps": self.eps}


class RMSprop(Optimizer):
    """RMSprop: divide by a running root-mean-square of recent gradients.

    Update rule (``torch.optim.RMSprop``)::

        g ← g + λ θ                              (weight_decay λ)
        v ← α v + (1 - α) g²                     (alpha α, v starts at 0)
        centered:  m ← α m + (1 - α) g,  v̂ = v - m²   (else v̂ = v)
        u = g / (√v̂ + ε)
        with momentum μ > 0:  b ← μ b + u,  θ ← θ - η b     else  θ ← θ - η u

    Unlike Adagrad the average forgets old gradients, so steps do not shrink forever.

    >>> from microgradnn import Value
    >>> w = Value(1.0); w.grad = 2.0
    >>> RMSprop([w], lr=0.01, alpha=0.0).step(); round(w.data, 6)   # 1 - 0.01 * 2 / 2
    0.99
    """

    def __init__(
        self,
        params,
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ):
        super().__init__(params, lr)
        _check("alpha", alpha, 0.0, 1.0)
        for name, value in (("eps", eps), ("weight_decay", weight_decay), ("momentum", momentum)):
            _check(name, value)
        self.alpha, self.eps, self.weight_decay = alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered

    def update(self, theta, g, state):
        square_avg = self.alpha * state.get("square_avg", 0.0) + (1 - self.alpha) * g * g
        state["square_avg"] = square_avg
        if self.centered:
            grad_avg = self.alpha * state.get("grad_avg", 0.0) + (1 - self.alpha) * g
            state["grad_avg"] = grad_avg
            square_avg = square_avg - grad_avg * grad_avg
        scaled = g / (np.sqrt(square_avg) + self.eps)
        if self.momentum:
            scaled = self.momentum * state.get("buffer", 0.0) + scaled
            state["buffer"] = scaled
        return _descend(theta, self.lr, scaled, state)

    def settings(self) -> dict:
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps, "momentum": self.momentum}


class Adam(Optimizer):
    """Adam: momentum (a running mean of g) divided by a running RMS of g, bias-corrected.

    Update rule (``torch.optim.Adam``)::

        g ← g + λ θ                              (weight_decay λ)
        m ← β₁ m + (1 - β₁) g                    (first moment, starts at 0)
        v ← β₂ v + (1 - β₂) g²                   (second moment, starts at 0)
        (amsgrad: v_max ← max(v_max, v) and use v_max for v below)
        m̂ = m / (1 - β₁ᵗ),   v̂ = v / (1 - β₂ᵗ)   (undo the bias towards 0 of early steps)
        θ ← θ - η m̂ / (√v̂ + ε)

    The first step moves every coordinate by about η, whatever the gradient's size.

    >>> from microgradnn import Value
    >>> w = Value(1.0); w.grad = 123.0
    >>> Adam([w], lr=0.1).step(); round(w.data, 6)
    0.9
    """

    def __init__(
        self,
        params,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = _adam_settings(betas, eps, weight_decay)
        self.amsgrad = amsgrad

    def update(self, theta, g, state):
        beta1, beta2 = self.betas
        m = beta1 * state.get("m", 0.0) + (1 - beta1) * g
        v = beta2 * state.get("v", 0.0) + (1 - beta2) * g * g
        state["m"], state["v"] = m, v
        if self.amsgrad:
            v = np.maximum(state.get("v_max", 0.0), v)
            state["v_max"] = v
        t = state["step"]
        bias1, bias2 = 1 - beta1**t, 1 - beta2**t
        denominator = np.sqrt(v) / math.sqrt(bias2) + self.eps
        return _descend(theta, self.lr / bias1, m / denominator, state)

    def settings(self) -> dict:
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps}


class Adamax(Optimizer):
    """Adamax: Adam with the infinity norm (a running max of |g|) instead of the RMS.

    Update rule (``torch.optim.Adamax``)::

        g ← g + λ θ                              (weight_decay λ)
        m ← β₁ m + (1 - β₁) g
        u ← max(β₂ u, |g| + ε)                   (u starts at 0)
        θ ← θ - η / (1 - β₁ᵗ) · m / u

    >>> from microgradnn import Value
    >>> w = Value(1.0); w.grad = -5.0
    >>> Adamax([w], lr=0.1).step(); round(w.data, 6)
    1.1
    """

    def __init__(
        self,
        params,
        lr: float = 0.002,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = _adam_settings(betas, eps, weight_decay)

    def update(self, theta, g, state):
        beta1, beta2 = self.betas
        m = beta1 * state.get("m", 0.0) + (1 - beta1) * g
        u = np.maximum(beta2 * state.get("u", 0.0), np.abs(g) + self.eps)
        state["m"], state["u"] = m, u
        return _descend(theta, self.lr / (1 - beta1 ** state["step"]), m / u, state)

    def settings(self) -> dict:
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps}


# ----------------------------------------------------------------------------------------
# learning-rate schedules (call .step() once per epoch, after the optimizer steps)
# ----------------------------------------------------------------------------------------
class _Schedule:
    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a schedule needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0

    def step(self) -> None:
        """Advance one epoch and set the optimizer's ``lr`` for the next one."""
        self.last_epoch += 1
        self.optimizer.lr = self._next_lr(self.optimizer.lr)

    def get_last_lr(self) -> float:
        """The learning rate currently set in the optimizer."""
        return self.optimizer.lr

    def _next_lr(self, lr: float) -> float:
        raise NotImplementedError


class StepLR(_Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs:
    η_epoch = η₀ · γ^⌊epoch / step_size⌋.

    >>> from microgradnn import Value
    >>> schedule = StepLR(SGD([Value(0.0)], lr=1.0), step_size=2, gamma=0.5)
    >>> rates = []
    >>> for _ in range(4):
    ...     schedule.step(); rates.append(schedule.get_last_lr())
    >>> rates
    [1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        if not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"step_size must be a positive integer, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma

    def _next_lr(self, lr: float) -> float:
        return lr * self.gamma if self.last_epoch % self.step_size == 0 else lr


class ExponentialLR(_Schedule):
    """Multiply the learning rate by ``gamma`` every epoch: η_epoch = η₀ · γ^epoch.

    >>> from microgradnn import Value
    >>> schedule = ExponentialLR(SGD([Value(0.0)], lr=1.0), gamma=0.5)
    >>> schedule.step(); schedule.step(); schedule.get_last_lr()
    0.25
    """

    def __init__(self, optimizer: Optimizer, gamma: float):
        super().__init__(optimizer)
        self.gamma = gamma

    def _next_lr(self, lr: float) -> float:
        return lr * self.gamma


# ----------------------------------------------------------------------------------------
# utilities
# ----------------------------------------------------------------------------------------
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
    params = _parameter_list(params)
    grads = [_gradient(p) for p in params]
    total = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads if g is not None))
    coefficient = max_norm / (total + 1e-6)
    if coefficient < 1:
        for p, g in zip(params, grads):
            if g is None:
                continue
            p.grad = float(g * coefficient) if isinstance(p, Value) else g * coefficient
    return total


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
