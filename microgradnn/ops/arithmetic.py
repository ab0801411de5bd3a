"""The operators you type: ``+ - * / ** @`` and unary minus. One class per operator; each
docstring is a line of a calculus table."""

from __future__ import annotations

import numpy as np

from microgradnn.ops.base import Op


class Add(Op):
    """a + b.  d/da = 1, d/db = 1."""

    name, symbol = "add", "+"

    def forward(self, m, a, b):
        return a + b

    def backward(self, m, g, out, xs, needs):
        return g, g


class Sub(Op):
    """a - b.  d/da = 1, d/db = -1."""

    name, symbol = "sub", "-"

    def forward(self, m, a, b):
        return a - b

    def backward(self, m, g, out, xs, needs):
        return g, -g


class Mul(Op):
    """a * b.  d/da = b, d/db = a."""

    name, symbol = "mul", "*"

    def forward(self, m, a, b):
        return a * b

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        return (g * b if needs[0] else None), (g * a if needs[1] else None)


class Div(Op):
    """a / b.  d/da = 1/b, d/db = -a/b^2 = -out/b."""

    name, symbol = "div", "/"

    def forward(self, m, a, b):
        return m.divide(a, b)

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        da = m.divide(g, b) if needs[0] else None
        db = -m.divide(g * out, b) if needs[1] else None
        return da, db


class Neg(Op):
    """-a.  d/da = -1."""

    name, symbol = "neg", "-"

    def forward(self, m, a):
        return -a

    def backward(self, m, g, out, xs, needs):
        return (-g,)


class PowConst(Op):
    """a ** c for a constant exponent c.  d/da = c * a^(c-1)  (the power rule; 0 for c = 0,
    also at a = 0)."""

    name = "pow_const"

    def __init__(self, exponent: float):
        self.exponent = exponent

    @property
    def display(self) -> str:
        return f"**{self.exponent:g}"

    def forward(self, m, a):
        return m.power(a, self.exponent)

    def backward(self, m, g, out, xs, needs):
        (a,) = xs
        c = self.exponent
        if c == 2:  # the common square: skip the general power for speed
            return (g * (2 * a),)
        if c == 0:  # a^0 = 1 is constant: slope 0, also at a = 0 where 0 * 0^-1 is nan
            return (g * 0.0,)
        return (g * (c * m.power(a, c - 1)),)


class Pow(Op):
    """a ** b with both sides variable.  d/da = b a^(b-1),  d/db = a^b ln(a).

    At the edges PyTorch's values: d/da = 0 at a = b = 0; d/db = 0 at a = 0 (b >= 0, the
    limit of a^b ln a) and nan where a < 0 (ln a is undefined there; a^b itself exists
    for a whole b, so only this one gradient is nan).
    """

    name, symbol = "pow", "**"

    def forward(self, m, a, b):
        return m.power(a, b)

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        a_raw, b_raw = m.raw(a), m.raw(b)
        da = db = None
        if needs[0]:
            # at a = b = 0 use a^0 = 1 instead of 0^-1 = inf (0 * inf would be nan); anywhere
            # else the mask is 0 and changes nothing, so second derivatives stay right
            both_zero = (a_raw == 0) & (b_raw == 0)
            exponent = b - 1 + m.constant(both_zero, b) if np.any(both_zero) else b - 1
            da = g * (b * m.power(a, exponent))
        if needs[1]:
            log_a = m.log(a) if np.all(a_raw > 0) else _log_of_base(m, a, b)
            db = g * (out * log_a)
        return da, db


def _log_of_base(m, a, b):
    """ln(a) for d(a^b)/db = a^b ln(a) where some base is not positive:

    * a = 0 and b >= 0: ln(1) = 0 instead of -inf, so the product is the limit 0;
    * a < 0: nan (no error: the forward a^b was fine, only this derivative is undefined).
    """
    a_raw, b_raw = m.raw(a), m.raw(b)
    zero_limit = (a_raw == 0) & (b_raw >= 0)
    undefined = np.where(a_raw < 0, np.nan, 0.0)
    return m.log(abs(a) + m.constant(zero_limit, a)) + m.constant(undefined, a)


class MatMul(Op):
    """a @ b (2-D or batched).  d/da = g @ b^T,  d/db = a^T @ g."""

    name, symbol = "matmul", "@"
    engines = ("tensor",)

    def forward(self, m, a, b):
        return m.matmul(a, b)

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        da = m.matmul(g, m.swap_last_axes(b)) if needs[0] else None
        db = m.matmul(m.swap_last_axes(a), g) if needs[1] else None
        return da, db
