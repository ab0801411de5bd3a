"""The operators you type: ``+ - * / ** @`` and unary minus. One class per operator; each
docstring is a line of a calculus table."""

from __future__ import annotations

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
    """a ** c for a constant exponent c.  d/da = c * a^(c-1)  (the power rule)."""

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
        return (g * (c * m.power(a, c - 1)),)


class Pow(Op):
    """a ** b with both sides variable.  d/da = b a^(b-1),  d/db = a^b ln(a)."""

    name, symbol = "pow", "**"

    def forward(self, m, a, b):
        return m.power(a, b)

    def backward(self, m, g, out, xs, needs):
        a, b = xs
        da = g * (b * m.power(a, b - 1)) if needs[0] else None
        db = g * (out * m.log(a)) if needs[1] else None
        return da, db


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
