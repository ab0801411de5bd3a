"""Exercise 9: the backward pass of a Dense layer, Y = X W + b."""

import numpy as np

from microgradnn.exercises.feedback import check_array, unpack
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Tutorial 9 (the Keras workflow): a Dense layer computes Y = X W + b for a batch X of shape
(n, p), weights W (p, q) and bias b (q,) added to every row. Given the upstream gradient
dY = ∂L/∂Y (n, q), the chain rule gives

    ∂L/∂X = dY Wᵀ           (n, p)
    ∂L/∂W = Xᵀ dY           (p, q)
    ∂L/∂b = Σ_rows dY       (q,)     (b is used by every row: the gradients add up)

A way to remember: every gradient has the shape of what it is the gradient of, and there is
only one way to multiply the pieces to get that shape.

Fill in `dense_backward(X, W, b, dY)` -> (dX, dW, db).
"""


def check(student):
    function = student.function("dense_backward")

    def test(X, W, b, dY):
        inputs = dict(X=X, W=W, dY=dY) if X.size <= 6 else None
        result = function(X.copy(), W.copy(), b.copy(), dY.copy())
        dX, dW, db = unpack(result, ("dX", "dW", "db"), "dense_backward")
        check_array(
            dX,
            dY @ W.T,
            "dX",
            on_input=inputs,
            hint="∂L/∂X = dY Wᵀ: shape (n, p)",
            mistakes=[(np.zeros((len(X), W.shape[0])), "dX is still all zeros")],
        )
        check_array(
            dW,
            X.T @ dY,
            "dW",
            on_input=inputs,
            hint="∂L/∂W = Xᵀ dY: shape (p, q)",
            mistakes=[(X.T @ dY / len(X), "do not divide by n: dY already holds 1/n")],
        )
        check_array(
            db,
            dY.sum(axis=0),
            "db",
            on_input=inputs,
            hint="sum dY over the rows (the batch): b is added to every row",
            mistakes=[(dY.mean(axis=0), "sum over the batch, not the mean")],
        )

    fixed = [
        dict(
            X=np.array([[1.0, 2.0], [3.0, -1.0]]),
            W=np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]]),
            b=np.zeros(3),
            dY=np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]]),
        )
    ]
    spec = {
        "X": ("array", ("n", "p"), -2.0, 2.0),
        "W": ("array", ("p", "q"), -2.0, 2.0),
        "b": ("array", ("q",), -1.0, 1.0),
        "dY": ("array", ("n", "q"), -2.0, 2.0),
    }
    for_all(test, spec, dims={"n": (1, 4), "p": (1, 4), "q": (1, 4)}, fixed=fixed, n=25)


EXERCISE = Exercise(
    name="dense_backward",
    section=9,
    title="a Dense layer's backward pass: dX, dW and db",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=("dX = dY Wᵀ, dW = Xᵀ dY, db = Σ dY: the heart of every Dense network",),
)
