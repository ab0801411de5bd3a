"""Exercise 6: gradient descent on mini-batches; one epoch, step by step."""

import numpy as np

from microgradnn.exercises.feedback import Wrong, check_array, check_number, show, unpack
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Tutorial 6 (gradient descent, SGD and mini-batches). A linear model ŷ = X w + b with the
mean squared error of a batch B of m samples:

    L_B = 1/m Σ_{i ∈ B} (ŷ_i - y_i)²
    ∂L_B/∂w = 2/m X_Bᵀ (ŷ_B - y_B),     ∂L_B/∂b = 2/m Σ_{i ∈ B} (ŷ_i - y_i)
    w ← w - α ∂L_B/∂w,   b ← b - α ∂L_B/∂b          (one step per batch)

One epoch visits the samples in the given `order`, cut into consecutive batches of
`batch_size` (the last batch may be smaller), and takes one step per batch with the
weights updated by the previous steps. batch_size = 1 is SGD, batch_size = n is classic GD.

Fill in `gradients(w, b, X, y)` -> (dw, db) and `sgd_epoch(w, b, X, y, lr, batch_size,
order)` -> a list with the (w, b) after each step. X is (n, p), y and order are (n,).
"""


def gradients_reference(w, b, X, y):
    error = X @ w + b - y
    return 2 * X.T @ error / len(y), float(2 * np.sum(error) / len(y))


def epoch_reference(w, b, X, y, lr, batch_size, order):
    steps = []
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        dw, db = gradients_reference(w, b, X[batch], y[batch])
        w, b = w - lr * dw, b - lr * db
        steps.append((w, b))
    return steps


def _check_gradients(function, w, b, X, y):
    inputs = dict(w=w, b=b, X=X, y=y) if X.size <= 12 else None
    dw, db = unpack(function(w.copy(), b, X.copy(), y.copy()), ("dw", "db"), "gradients")
    want_dw, want_db = gradients_reference(w, b, X, y)
    error = X @ w + b - y
    check_array(
        dw,
        want_dw,
        "gradients: dw",
        on_input=inputs,
        hint="2/m Xᵀ (ŷ - y), with ŷ = X w + b and m = len(y)",
        mistakes=[
            (X.T @ error / len(y), "the factor 2 from the square is missing"),
            (2 * X.T @ error, "divide by m, the batch size (the loss is a mean)"),
            (-2 * X.T @ error / len(y), "the sign: ŷ - y, not y - ŷ"),
        ],
    )
    check_number(db, want_db, "gradients: db", on_input=inputs, hint="2/m Σ (ŷ - y)")


def _check_epoch(function, w, b, X, y, lr, batch_size, order):
    result = function(w.copy(), b, X.copy(), y.copy(), lr, batch_size, order.copy())
    want = epoch_reference(w, b, X, y, lr, batch_size, order)
    batches = [order[s : s + batch_size].tolist() for s in range(0, len(order), batch_size)]
    setup = [
        f"n={len(y)}, batch_size={batch_size}, order={order.tolist()}, lr={show(lr)}",
        f"so the batches are {batches}",
    ]
    if not isinstance(result, (list, tuple)) or len(result) != len(want):
        got = len(result) if isinstance(result, (list, tuple)) else type(result).__name__
        raise Wrong(
            f"sgd_epoch should return {len(want)} (w, b) pairs, one per batch, got {got}",
            setup,
            hint="ceil(n / batch_size) steps; append (w, b) after each step",
        )
    for step, (pair, (want_w, want_b)) in enumerate(zip(result, want)):
        got_w, got_b = unpack(pair, ("w", "b"), f"step {step} of sgd_epoch")
        full = epoch_reference(w, b, X, y, lr, len(y), np.arange(len(y)))[0]
        where = [*setup, f"first wrong after step {step} (batch {batches[step]})"]
        hint = (
            "each step uses only its batch, at the weights left by the previous step"
            if step
            else "the first step uses only the first batch of `order`"
        )
        if np.allclose(np.asarray(got_w, dtype=float), full[0]) and batch_size < len(y):
            hint = "that is a full-batch step: use only the samples of this batch"
        got_w = np.asarray(got_w, dtype=float)
        if got_w.shape != want_w.shape or not np.allclose(got_w, want_w, rtol=1e-6, atol=1e-9):
            check_array(
                got_w, want_w, f"w after step {step}", on_input=" ; ".join(where), hint=hint
            )
        check_number(got_b, want_b, f"b after step {step}", on_input=" ; ".join(where), hint=hint)


def check(student):
    gradients = student.function("gradients")
    sgd_epoch = student.function("sgd_epoch")

    def test(X, y, w, b, lr, batch_size, seed):
        _check_gradients(gradients, w, b, X, y)
        order = np.random.default_rng(seed).permutation(len(y))
        _check_epoch(sgd_epoch, w, b, X, y, lr, min(batch_size, len(y)), order)

    X = np.array([[1.0, 2.0], [0.0, 1.0], [-1.0, 0.5], [2.0, -1.0], [0.5, 0.5]])
    fixed = [
        dict(
            X=X,
            y=np.array([1.0, 0.0, -1.0, 2.0, 0.5]),
            w=np.array([0.1, -0.2]),
            b=0.0,
            lr=0.1,
            batch_size=2,
            seed=3,
        )
    ]
    spec = {
        "X": ("array", ("n", "p"), -2.0, 2.0),
        "y": ("array", ("n",), -2.0, 2.0),
        "w": ("array", ("p",), -1.0, 1.0),
        "b": ("float", -1.0, 1.0),
        "lr": ("float", 0.01, 0.2),
        "batch_size": ("int", 1, 4),
        "seed": ("int", 0, 99),
    }
    for_all(test, spec, dims={"n": (1, 6), "p": (1, 3)}, fixed=fixed, n=25)


EXERCISE = Exercise(
    name="minibatch_sgd",
    section=6,
    title="mini-batch gradient descent: gradients of a batch, and one epoch step by step",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=("one epoch of mini-batch SGD reproduced step by step",),
)
