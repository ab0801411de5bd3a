"""Exercise 5: loss values and their gradients (MSE, binary and softmax cross-entropy)."""

import numpy as np

from microgradnn.exercises.feedback import check_array, check_number, unpack
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Tutorial 5 (losses). For n samples (rows), using the mean over the samples as Keras does
(the lecture's sums without 1/n differ only by the factor n):

    MSE      L = 1/n Σ_i ||y_i - ŷ_i||²                      ∂L/∂ŷ = 2 (ŷ - y) / n
    BCE      L = -1/n Σ_i [y_i log ŷ_i + (1 - y_i) log(1 - ŷ_i)]
             ∂L/∂ŷ_i = (ŷ_i - y_i) / (ŷ_i (1 - ŷ_i)) / n
    softmax cross-entropy, from the scores (logits) s_i of each sample:
             p_i = softmax(s_i),  L = -1/n Σ_i Σ_j y_ij log p_ij
             ∂L/∂s = (p - y) / n                              (the famous p - y)

Fill in `mse(y_hat, y)`, `bce(y_hat, y)` and `softmax_cross_entropy(logits, y)`; each returns
(loss, gradient) with the gradient the same shape as its first argument. y_hat and y of mse
are (n, d); bce's are (n,) with 0 < ŷ < 1 and y in {0, 1}; logits and one-hot y are (n, k).
Subtract the row maximum before exp so large logits do not overflow.
"""


def mse_reference(y_hat, y):
    n = y_hat.shape[0]
    return float(np.sum((y - y_hat) ** 2) / n), 2 * (y_hat - y) / n


def bce_reference(y_hat, y):
    n = y_hat.shape[0]
    loss = -np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)) / n
    return float(loss), (y_hat - y) / (y_hat * (1 - y_hat)) / n


def softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def ce_reference(logits, y):
    n = logits.shape[0]
    p = softmax(logits)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(y * log_p) / n), (p - y) / n


def _numeric(loss, x, y, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = (loss(up, y)[0] - loss(down, y)[0]) / (2 * eps)
    return grad


def _check_loss(function, name, reference, x, y, mistakes, hints):
    inputs = {"first argument": x, "y": y} if x.size <= 8 else None
    loss, grad = unpack(function(x.copy(), y.copy()), ("loss", "grad"), name)
    want_loss, want_grad = reference(x, y)
    check_number(
        loss,
        want_loss,
        f"{name}: the loss",
        on_input=inputs,
        hint=hints[0],
        mistakes=[(m, h) for m, h in mistakes if np.ndim(m) == 0],
    )
    check_array(
        grad,
        want_grad,
        f"{name}: the gradient",
        on_input=inputs,
        hint=hints[1],
        mistakes=[(m, h) for m, h in mistakes if np.ndim(m) > 0],
        columns={"numeric": _numeric(reference, x, y)},
    )


def check(student):
    functions = {n: student.function(n) for n in ("mse", "bce", "softmax_cross_entropy")}

    def test(a, t, s, seed):
        rng = np.random.default_rng(seed)
        n = a.shape[0]
        mse_loss, _ = mse_reference(a, t)
        _check_loss(
            functions["mse"],
            "mse",
            mse_reference,
            a,
            t,
            [
                (
                    mse_loss / a.shape[1] if a.shape[1] > 1 else np.nan,
                    "sum over the d outputs of a sample, mean only over the n samples",
                ),
                (2 * (a - t), "divide the gradient by n too (the loss is a mean)"),
                (2 * (t - a) / n, "the sign: ∂/∂ŷ (y - ŷ)² = -2 (y - ŷ) = 2 (ŷ - y)"),
                ((a - t) / n, "the factor 2 from the square is missing"),
            ],
            ("1/n Σ ||y - ŷ||²", "2 (ŷ - y) / n"),
        )
        p = np.clip(1 / (1 + np.exp(-a[:, 0])), 0.05, 0.95)
        y01 = (rng.random(n) < 0.5).astype(float)
        _check_loss(
            functions["bce"],
            "bce",
            bce_reference,
            p,
            y01,
            [
                ((p - y01) / n, "that is ∂L/∂z for ŷ = σ(z); here we want ∂L/∂ŷ"),
                ((p - y01) / (p * (1 - p)), "divide by n (the loss is a mean)"),
            ],
            ("-1/n Σ [y log ŷ + (1 - y) log(1 - ŷ)]", "(ŷ - y) / (ŷ (1 - ŷ)) / n"),
        )
        onehot = np.eye(s.shape[1])[rng.integers(0, s.shape[1], size=s.shape[0])]
        p = softmax(s)
        _check_loss(
            functions["softmax_cross_entropy"],
            "softmax_cross_entropy",
            ce_reference,
            s,
            onehot,
            [
                ((p - onehot), "divide by n (the loss is a mean)"),
                ((onehot - p) / s.shape[0], "the sign: p - y, not y - p"),
                (-onehot / p / s.shape[0], "that is ∂L/∂p; go through softmax"),
            ],
            ("-1/n Σ Σ y log softmax(s)", "(softmax(s) - y) / n"),
        )

    big = np.array([[1000.0, 0.0, -1000.0], [2.0, 1.0, 0.5]])
    fixed = [
        dict(
            a=np.array([[0.5], [2.0], [-1.0]]),
            t=np.array([[1.0], [1.0], [0.0]]),
            s=np.array([[2.0, 1.0, 0.1]]),
            seed=0,
        ),
        dict(a=np.array([[0.2, -0.4]]), t=np.array([[0.0, 1.0]]), s=big, seed=1),
    ]
    spec = {
        "a": ("array", ("n", "d"), -2.0, 2.0),
        "t": ("array", ("n", "d"), -2.0, 2.0),
        "s": ("array", ("m", "k"), -5.0, 5.0),
        "seed": ("int", 0, 1000),
    }
    for_all(
        test, spec, dims={"n": (1, 4), "d": (1, 3), "m": (1, 3), "k": (2, 4)}, fixed=fixed, n=20
    )


EXERCISE = Exercise(
    name="loss_gradients",
    section=5,
    title="MSE, binary and softmax cross-entropy: values and gradients (p - y)",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=("all three losses and gradients right, also for logits of ±1000",),
)
