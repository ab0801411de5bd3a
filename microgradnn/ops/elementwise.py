"""Functions applied to every number on its own: exp, log, tanh, sigmoid, relu, ..., and the
two-input maximum, minimum and where."""

from __future__ import annotations

import numpy as np

from microgradnn.ops.base import Op


class Exp(Op):
    """exp(a).  d/da = exp(a) = out."""

    name = "exp"

    def forward(self, m, a):
        return m.exp(a)

    def backward(self, m, g, out, xs, needs):
        return (g * out,)


class Log(Op):
    """ln(a) for a >= 0.  d/da = 1/a."""

    name = "log"

    def forward(self, m, a):
        return m.log(a)

    def backward(self, m, g, out, xs, needs):
        return (m.divide(g, xs[0]),)


class Sqrt(Op):
    """sqrt(a) for a >= 0.  d/da = 1 / (2 sqrt(a)) = 0.5 / out."""

    name = "sqrt"

    def forward(self, m, a):
        return m.sqrt(a)

    def backward(self, m, g, out, xs, needs):
        return (m.divide(g * 0.5, out),)


class Tanh(Op):
    """tanh(a).  d/da = 1 - tanh(a)^2 = 1 - out^2."""

    name = "tanh"

    def forward(self, m, a):
        return m.tanh(a)

    def backward(self, m, g, out, xs, needs):
        return (g * (1 - out * out),)


class Sigmoid(Op):
    """sigma(a) = 1 / (1 + exp(-a)).  d/da = sigma(a) (1 - sigma(a)) = out (1 - out)."""

    name = "sigmoid"
    symbol = "σ"

    def forward(self, m, a):
        return m.sigmoid(a)

    def backward(self, m, g, out, xs, needs):
        return (g * (out * (1 - out)),)


class Relu(Op):
    """max(0, a).  d/da = 1 where a > 0, else 0 (we pick 0 at the kink a = 0)."""

    name = "relu"

    def forward(self, m, a):
        return m.relu(a)

    def backward(self, m, g, out, xs, needs):
        (a,) = xs
        return (g * m.constant(m.raw(a) > 0, a),)


class LeakyRelu(Op):
    """a for a > 0, alpha * a otherwise.  d/da = 1 for a > 0, alpha otherwise (also at 0,
    so the gradient is never zero: that is the point of the leak)."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01):
        self.alpha = alpha

    def forward(self, m, a):
        return m.leaky_relu(a, self.alpha)

    def backward(self, m, g, out, xs, needs):
        (a,) = xs
        return (g * m.constant(np.where(m.raw(a) > 0, 1.0, self.alpha), a),)


class Elu(Op):
    """a for a > 0, alpha (e^a - 1) otherwise.  d/da = 1 for a > 0, alpha e^a = out + alpha
    otherwise (alpha at 0, like PyTorch)."""

    name = "elu"

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def forward(self, m, a):
        return m.elu(a, self.alpha)

    def backward(self, m, g, out, xs, needs):
        (a,) = xs
        # two boolean masks (not 1 - mask: that is an int array and makes float32 float64)
        positive, negative = m.constant(m.raw(a) > 0, a), m.constant(m.raw(a) <= 0, a)
        return (g * (positive + negative * (out + self.alpha)),)


class Abs(Op):
    """|a|.  d/da = sign(a) (0 at the kink a = 0)."""

    name = "abs"

    def forward(self, m, a):
        return abs(a)

    def backward(self, m, g, out, xs, needs):
        (a,) = xs
        return (g * m.constant(np.sign(m.raw(a)), a),)


class Sin(Op):
    """sin(a).  d/da = cos(a)."""

    name = "sin"

    def forward(self, m, a):
        return m.sin(a)

    def backward(self, m, g, out, xs, needs):
        return (g * m.cos(xs[0]),)


class Cos(Op):
    """cos(a).  d/da = -sin(a)."""

    name = "cos"

    def forward(self, m, a):
        return m.cos(a)

    def backward(self, m, g, out, xs, needs):
        return (-(g * m.sin(xs[0])),)


class Maximum(Op):
    """max(a, b) elementwise.  The gradient goes to the larger input (to a on ties)."""

    name = "maximum"
    engines = ("tensor",)

    def forward(self, m, a, b):
        return np.maximum(a, b)

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        a_wins = m.raw(a) >= m.raw(b)
        return g * m.constant(a_wins, out), g * m.constant(~a_wins, out)


class Minimum(Op):
    """min(a, b) elementwise.  The gradient goes to the smaller input (to a on ties)."""

    name = "minimum"
    engines = ("tensor",)

    def forward(self, m, a, b):
        return np.minimum(a, b)

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        a_wins = m.raw(a) <= m.raw(b)
        return g * m.constant(a_wins, out), g * m.constant(~a_wins, out)


class Where(Op):
    """where(condition, a, b): a where the (constant) condition holds, else b."""

    name = "where"
    engines = ("tensor",)

    def __init__(self, condition):
        self.condition = np.asarray(condition, dtype=bool)

    def forward(self, m, a, b):
        return np.where(self.condition, a, b)

    def backward(self, m, g, out, xs, needs):
        keep = self.condition
        return g * m.constant(keep, out), g * m.constant(~keep, out)
