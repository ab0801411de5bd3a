"""The update rules: SGD (momentum, Nesterov), Adagrad, RMSprop, Adam, Adamax.

Each rule is a subclass of :class:`~microgradnn.optim.optimizer.Optimizer` that only says how
one parameter moves (``update``); the base class walks the parameters. Notation: θ a parameter,
g = ∂L/∂θ its gradient, η the learning rate (``lr``), t the step number (1, 2, ...).

>>> from microgradnn import Value
>>> w = Value(1.0); w.grad = 2.0
>>> SGD([w], lr=0.1).step(); w.data
0.8
"""

from __future__ import annotations

import math

import numpy as np

from microgradnn.optim.optimizer import Optimizer, check_setting, descend

__all__ = ["SGD", "GD", "Adagrad", "RMSprop", "Adam", "Adamax"]


def adam_settings(betas, eps: float, weight_decay: float) -> tuple:
    """Checked ``(betas, eps, weight_decay)`` of the Adam family (Adam, Adamax)."""
    check_setting("betas[0]", betas[0], 0.0, 1.0)
    check_setting("betas[1]", betas[1], 0.0, 1.0)
    check_setting("eps", eps)
    check_setting("weight_decay", weight_decay)
    return (float(betas[0]), float(betas[1])), eps, weight_decay


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
        check_setting("momentum", momentum)
        check_setting("weight_decay", weight_decay)
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
        return descend(theta, self.lr, g, state)

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
            check_setting(name, value)
        check_setting("initial_accumulator_value", initial_accumulator_value)
        self.lr_decay, self.weight_decay, self.eps = lr_decay, weight_decay, eps
        self.initial_accumulator_value = initial_accumulator_value

    def update(self, theta, g, state):
        step_lr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        total = state.get("sum", self.initial_accumulator_value) + g * g
        state["sum"] = total
        return descend(theta, step_lr, g / (np.sqrt(total) + self.eps), state)

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
        check_setting("alpha", alpha, 0.0, 1.0)
        for name, value in (("eps", eps), ("weight_decay", weight_decay), ("momentum", momentum)):
            check_setting(name, value)
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
        return descend(theta, self.lr, scaled, state)

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
        self.betas, self.eps, self.weight_decay = adam_settings(betas, eps, weight_decay)
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
        return descend(theta, self.lr / bias1, m / denominator, state)

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
        self.betas, self.eps, self.weight_decay = adam_settings(betas, eps, weight_decay)

    def update(self, theta, g, state):
        beta1, beta2 = self.betas
        m = beta1 * state.get("m", 0.0) + (1 - beta1) * g
        u = np.maximum(beta2 * state.get("u", 0.0), np.abs(g) + self.eps)
        state["m"], state["u"] = m, u
        return descend(theta, self.lr / (1 - beta1 ** state["step"]), m / u, state)

    def settings(self) -> dict:
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps}
