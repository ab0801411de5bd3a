"""Exercise 4: the lecture's activations and their derivatives, each written as a Function."""

import numpy as np

from microgradnn.exercises.feedback import Skip, Wrong, check_array
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Tutorial 4 (activation functions). Write each activation as a `microgradnn.Function`:
`forward(ctx, x)` gets the raw input (a float, or a numpy array for a Tensor) and returns
φ(x); it may keep what backward needs with `ctx.save_for_backward(...)`. `backward(ctx,
grad_output)` returns grad_output · φ'(x) (the chain rule: upstream times local).

    Sigmoid     σ(x) = 1 / (1 + e^(-x))              σ'(x) = σ(x) (1 - σ(x))
    Tanh        tanh(x)                              1 - tanh(x)²
    LeakyReLU   x if x > 0 else 0.01 x               1 if x > 0 else 0.01
    ELU         x if x > 0 else e^x - 1              1 if x > 0 else e^x
    SmeLU (β=1) 0 if x ≤ -β; (x + β)²/(4β) if |x| ≤ β; x if x ≥ β
                                                     0; (x + β)/(2β); 1

Your code must work on arrays: use np.where(condition, a, b), not `if x > 0`. For the
sigmoid, avoid exp overflow for very negative x (hint: for x < 0 use e^x / (1 + e^x)).

Try each one yourself with `microgradnn.testing.check_function(Sigmoid, Tensor(...))`.
The hidden checks call forward and backward on their own (so a wrong derivative is found
even when the forward is right), compare with central differences of the true function,
and show the elements that differ.
"""


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _smelu(x, beta=1.0):
    return np.where(x <= -beta, 0.0, np.where(x >= beta, x, (x + beta) ** 2 / (4 * beta)))


#: name -> (function, derivative, domain used by the random checks)
REFERENCE = {
    "Sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "Tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "LeakyReLU": (lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1.0, 0.01)),
    "ELU": (
        lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
        lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))),
    ),
    "SmeLU": (_smelu, lambda x: np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, (x + 1) / 2))),
}

MISTAKES = {
    "Sigmoid": lambda x, g: [
        (g * _sigmoid(x), "that is σ(x), not σ'(x) = σ(x)(1 - σ(x))"),
        (_sigmoid(x) * (1 - _sigmoid(x)), "multiply by grad_output"),
    ],
    "Tanh": lambda x, g: [
        (g * (1 - np.tanh(x)), "1 - tanh(x)², the square is missing"),
        (1 - np.tanh(x) ** 2, "multiply by grad_output (chain rule)"),
    ],
    "LeakyReLU": lambda x, g: [(g * (x > 0), "the negative side has slope 0.01, not 0")],
    "ELU": lambda x, g: [
        (
            g * np.where(x > 0, 1.0, np.expm1(np.minimum(x, 0))),
            "for x ≤ 0 the derivative of e^x - 1 is e^x (no -1)",
        )
    ],
    "SmeLU": lambda x, g: [
        (
            g * np.where(np.abs(x) <= 1, (x + 1) / 4, (x > 1) * 1.0),
            "d/dx (x + β)²/(4β) = 2(x + β)/(4β) = (x + β)/(2β)",
        )
    ],
}


def _away_from_kinks(x, name):
    kinks = {"LeakyReLU": [0.0], "ELU": [0.0], "SmeLU": [-1.0, 1.0]}.get(name, [])
    for kink in kinks:
        x = np.where(np.abs(x - kink) < 1e-3, kink + 0.05, x)
    return x


def _check_one(cls, name, x, g):
    forward, derivative = REFERENCE[name]
    x = _away_from_kinks(x, name)
    for f in ("forward", "backward"):
        if not callable(getattr(cls, f, None)):
            raise Wrong(f"{name} has no {f}(ctx, ...)", hint="keep the starter's methods")
    from microgradnn.function import Context

    ctx = Context()  # the engine's own ctx, but forward and backward called one at a time
    out = cls.forward(ctx, x.copy())
    check_array(
        out,
        forward(x),
        f"{name}.forward(x)",
        columns={"x": x},
        hint=f"forward must return {name}(x) for every element of x",
    )
    grad = cls.backward(ctx, g.copy())
    if isinstance(grad, tuple) and len(grad) == 1:
        grad = grad[0]
    numeric = (forward(x + 1e-6) - forward(x - 1e-6)) / 2e-6 * g
    check_array(
        grad,
        g * derivative(x),
        f"{name}.backward(grad_output)",
        columns={"x": x, "upstream": g, "numeric": numeric},
        mistakes=MISTAKES[name](x, g),
        hint=f"return grad_output * {name}'(x); 'numeric' is a central difference",
    )


def _check_engine(cls, name):
    """End to end through the engine (when microgradnn.Function is available)."""
    try:
        from microgradnn import Tensor
        from microgradnn.testing import check_function
    except ImportError:
        return
    x = _away_from_kinks(np.linspace(-3, 3, 7), name)
    try:
        check_function(cls, Tensor(x))
    except AssertionError as error:
        raise Wrong(
            f"{name} fails check_function through the engine", [str(error).splitlines()[0][:300]]
        ) from None


def check(student):
    try:
        from microgradnn import Function  # noqa: F401
    except ImportError:
        raise Skip("this microgradnn has no Function yet (update microgradnn)") from None
    classes = {name: student.function(name) for name in REFERENCE}

    def test(x, g):
        for name, cls in classes.items():
            _check_one(cls, name, x, g)

    edge = np.array([-1000.0, -30.0, -1.0, -0.5, 0.5, 1.0, 30.0, 1000.0])
    fixed = [dict(x=np.linspace(-2.5, 2.5, 6), g=np.ones(6)), dict(x=edge, g=np.ones(8))]
    spec = {"x": ("array", ("n",), -4.0, 4.0), "g": ("array", ("n",), -2.0, 2.0)}
    for_all(test, spec, dims={"n": (1, 6)}, fixed=fixed, n=20)
    for name, cls in classes.items():
        _check_engine(cls, name)


EXERCISE = Exercise(
    name="activation_functions",
    section=4,
    title="sigmoid, tanh, leaky ReLU, ELU and SmeLU as Functions (forward and backward)",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=("all five activations agree with the true derivatives, also at x = ±1000",),
)
