"""Exercise 11: one step of backpropagation through time in a simple RNN cell."""

import numpy as np

from microgradnn.exercises.feedback import Wrong, check_array
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Tutorial 11 (recurrent networks). A SimpleRNN step (row vectors, as in microgradnn.nn):

    z_t = x_t Wx + h_{t-1} Wh + b,      h_t = tanh(z_t)

Backpropagation through time walks the steps backwards. At step t, dh = ∂L/∂h_t is the
gradient arriving at h_t (from the output at t *plus* from step t + 1). Then

    dz       = dh ⊙ (1 - h_t²)                 (tanh' at this step)
    ∂L/∂Wx  += x_tᵀ dz        ∂L/∂Wh += h_{t-1}ᵀ dz        ∂L/∂b += dz
    ∂L/∂x_t  = dz Wxᵀ         ∂L/∂h_{t-1} = dz Whᵀ          (this one flows to step t - 1)

Fill in `rnn_step_backward(x, h_prev, Wx, Wh, b, dh)` returning a dict with "h" (the
forward h_t), "dz", "dWx", "dWh", "db", "dx" and "dh_prev" for this one step.
x is (p,), h_prev, b and dh are (q,), Wx is (p, q), Wh is (q, q).
"""

ORDER = ("h", "dz", "dWx", "dWh", "db", "dx", "dh_prev")


def reference(x, h_prev, Wx, Wh, b, dh):
    h = np.tanh(x @ Wx + h_prev @ Wh + b)
    dz = dh * (1 - h**2)
    return dict(
        h=h,
        dz=dz,
        dWx=np.outer(x, dz),
        dWh=np.outer(h_prev, dz),
        db=dz,
        dx=dz @ Wx.T,
        dh_prev=dz @ Wh.T,
    )


def _mistakes(name, x, h_prev, Wx, Wh, b, dh, want):
    h, dz = want["h"], want["dz"]
    table = {
        "h": [(lambda: x @ Wx + h_prev @ Wh + b, "apply tanh to z")],
        "dz": [
            (lambda: dh * (1 - h), "tanh'(z) = 1 - tanh(z)² = 1 - h², squared"),
            (lambda: 1 - h**2, "multiply by the upstream dh (chain rule)"),
            (lambda: dh * (1 - np.tanh(h) ** 2), "1 - h², with h = tanh(z) already"),
        ],
        "dWx": [
            (lambda: np.outer(dz, x), "dWx has the shape of Wx (p, q): outer(x, dz)"),
            (lambda: np.outer(x, dh), "use dz (after tanh'), not dh"),
        ],
        "dWh": [
            (lambda: np.outer(h, dz), "Wh multiplies the PREVIOUS state: outer(h_prev, dz)"),
            (lambda: np.outer(h_prev, dh), "use dz (after tanh'), not dh"),
        ],
        "db": [(lambda: dh, "use dz (after tanh'), not dh")],
        "dx": [(lambda: dz @ Wx, "transpose: dz Wxᵀ"), (lambda: dh @ Wx.T, "use dz, not dh")],
        "dh_prev": [(lambda: dz @ Wh, "transpose: dz Whᵀ"), (lambda: dh @ Wh.T, "use dz, not dh")],
    }
    out = []
    for make, hint in table[name]:
        try:  # some candidates only exist for some shapes
            out.append((make(), hint))
        except ValueError:
            pass
    return out


def check(student):
    function = student.function("rnn_step_backward")

    def test(x, h_prev, Wx, Wh, b, dh):
        got = function(x.copy(), h_prev.copy(), Wx.copy(), Wh.copy(), b.copy(), dh.copy())
        if not isinstance(got, dict):
            raise Wrong("rnn_step_backward should return a dict", hint="keep the starter's dict")
        want = reference(x, h_prev, Wx, Wh, b, dh)
        inputs = dict(x=x, h_prev=h_prev, dh=dh) if x.size + h_prev.size <= 5 else None
        for name in ORDER:
            check_array(
                got.get(name),
                want[name],
                name,
                on_input=inputs,
                mistakes=_mistakes(name, x, h_prev, Wx, Wh, b, dh, want),
                hint=f"see the formula for {name} in `exercises show rnn_bptt`",
            )

    fixed = [
        dict(
            x=np.array([1.0, -1.0]),
            h_prev=np.array([0.5, 0.0]),
            Wx=np.array([[0.2, -0.3], [0.4, 0.1]]),
            Wh=np.array([[0.5, 0.2], [-0.1, 0.3]]),
            b=np.array([0.0, 0.1]),
            dh=np.array([1.0, -0.5]),
        )
    ]
    spec = {
        "x": ("array", ("p",), -2.0, 2.0),
        "h_prev": ("array", ("q",), -1.0, 1.0),
        "Wx": ("array", ("p", "q"), -1.0, 1.0),
        "Wh": ("array", ("q", "q"), -1.0, 1.0),
        "b": ("array", ("q",), -0.5, 0.5),
        "dh": ("array", ("q",), -1.0, 1.0),
    }
    for_all(test, spec, dims={"p": (1, 3), "q": (1, 3)}, fixed=fixed, n=25)


EXERCISE = Exercise(
    name="rnn_bptt",
    section=11,
    title="one step of backpropagation through time in a SimpleRNN cell",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=("one BPTT step right; a whole sequence is this step in a loop, t = T ... 1",),
)
