"""Exercise 7: one step of SGD, momentum and Adam (PyTorch's formulas)."""

import numpy as np

from microgradnn.exercises.feedback import check_array, unpack
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Tutorial 7 (optimizers). With gradient g = ∂L/∂θ, learning rate η and step number t
(t = 1 for the first step), as in microgradnn.optim and PyTorch:

    SGD        θ ← θ - η g
    momentum   v ← μ v + g,   θ ← θ - η v
    Adam       m ← β1 m + (1 - β1) g
               v ← β2 v + (1 - β2) g²
               m̂ = m / (1 - β1^t),   v̂ = v / (1 - β2^t)
               θ ← θ - η m̂ / (√v̂ + ε)

Fill in `sgd_step(theta, g, lr)` -> theta, `momentum_step(theta, g, v, lr, mu)` ->
(theta, v) and `adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)` -> (theta, m, v).
All arrays have the same shape; return new arrays (do not change the ones you get).
"""


def adam_reference(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def check(student):
    sgd, momentum, adam = (student.function(n) for n in ("sgd_step", "momentum_step", "adam_step"))

    def test(theta, g, m, v, t, lr, mu):
        v = np.abs(v)  # a running average of squares is never negative
        inputs = dict(theta=theta, g=g) if theta.size <= 4 else None
        got = sgd(theta.copy(), g.copy(), lr)
        check_array(
            got,
            theta - lr * g,
            "sgd_step: theta",
            on_input=inputs,
            mistakes=[(theta + lr * g, "step against the gradient: θ - η g")],
            hint="θ - η g",
        )
        got_theta, got_v = unpack(
            momentum(theta.copy(), g.copy(), m.copy(), lr, mu), ("theta", "v"), "momentum_step"
        )
        want_v = mu * m + g
        check_array(
            got_v,
            want_v,
            "momentum_step: v",
            on_input=dict(v=m, g=g, mu=mu),
            mistakes=[
                (
                    mu * m - lr * g,
                    "that is the other convention (v ← μv - ηg); "
                    "here v ← μ v + g and the step is θ - η v",
                ),
                (mu * m + (1 - mu) * g, "no (1 - μ) factor: v ← μ v + g"),
            ],
            hint="v ← μ v + g (the new velocity)",
        )
        check_array(
            got_theta,
            theta - lr * want_v,
            "momentum_step: theta",
            on_input=inputs,
            mistakes=[(theta - lr * m, "step with the NEW velocity v, after updating it")],
            hint="θ - η v with the new v",
        )
        args = dict(t=t, lr=lr, beta1=0.9, beta2=0.999, eps=1e-8)
        result = adam(theta.copy(), g.copy(), m.copy(), v.copy(), **args)
        got_theta, got_m, got_v = unpack(result, ("theta", "m", "v"), "adam_step")
        want_theta, want_m, want_v = adam_reference(theta, g, m, v, **args)
        shown = dict(m=m, v=v, g=g, t=t) if m.size <= 3 else dict(t=t)
        check_array(got_m, want_m, "adam_step: m", on_input=shown, hint="m ← β1 m + (1 - β1) g")
        check_array(
            got_v,
            want_v,
            "adam_step: v",
            on_input=shown,
            hint="v ← β2 v + (1 - β2) g²",
            mistakes=[(0.999 * v + 0.001 * g, "square the gradient: g², elementwise")],
        )
        no_correction = theta - lr * want_m / (np.sqrt(want_v) + 1e-8)
        t_minus = adam_reference(theta, g, m, v, max(t - 1, 0.5), lr, 0.9, 0.999, 1e-8)[0]
        inside = theta - lr * want_m / (1 - 0.9**t) / np.sqrt(want_v / (1 - 0.999**t) + 1e-8)
        check_array(
            got_theta,
            want_theta,
            "adam_step: theta",
            on_input=shown,
            mistakes=[
                (no_correction, "the bias correction m̂ = m/(1-β1^t), v̂ = v/(1-β2^t) is missing"),
                (t_minus, "t counts from 1: the first step has t = 1"),
                (inside, "ε goes outside the square root: √v̂ + ε"),
            ],
            hint="θ - η m̂ / (√v̂ + ε) with the bias-corrected m̂ and v̂",
            rtol=1e-5,
        )

    fixed = [
        dict(
            theta=np.array([1.0, -2.0]),
            g=np.array([0.5, -0.1]),
            m=np.zeros(2),
            v=np.zeros(2),
            t=1,
            lr=0.1,
            mu=0.9,
        ),
        dict(
            theta=np.array([0.3]),
            g=np.array([2.0]),
            m=np.array([0.1]),
            v=np.array([0.04]),
            t=3,
            lr=0.01,
            mu=0.5,
        ),
    ]
    spec = {
        "theta": ("array", ("n",), -2.0, 2.0),
        "g": ("array", ("n",), -2.0, 2.0),
        "m": ("array", ("n",), -1.0, 1.0),
        "v": ("array", ("n",), 0.0, 1.0),
        "t": ("int", 1, 50),
        "lr": ("float", 0.001, 0.5),
        "mu": ("float", 0.0, 0.99),
    }
    for_all(test, spec, dims={"n": (1, 5)}, fixed=fixed, n=25)


EXERCISE = Exercise(
    name="optimizer_steps",
    section=7,
    title="one step of SGD, momentum and Adam",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=("SGD, momentum and Adam steps match microgradnn.optim (and PyTorch)",),
)
