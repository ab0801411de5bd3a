"""Exercise 10: a 2-D convolution (cross-correlation) forward and backward, one channel."""

import numpy as np

from microgradnn.exercises.feedback import check_array, unpack
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Tutorial 10 (CNNs). A convolutional layer slides a small kernel k (kh, kw) over the image x
(H, W) ("valid": no padding, stride 1). Deep-learning libraries compute a cross-correlation:

    y[i, j] = Σ_a Σ_b x[i + a, j + b] · k[a, b]          y has shape (H - kh + 1, W - kw + 1)

Each x[i + a, j + b] · k[a, b] term sends the upstream gradient dy[i, j] back to both
factors, so

    ∂L/∂k[a, b] = Σ_i Σ_j dy[i, j] · x[i + a, j + b]      (correlate x with dy)
    ∂L/∂x[p, q] = Σ_i Σ_j dy[i, j] · k[p - i, q - j]      (only where 0 ≤ p-i < kh, 0 ≤ q-j < kw)

Fill in `conv2d(x, k)` -> y and `conv2d_backward(x, k, dy)` -> (dx, dk). Plain loops are
fine: get it right first.
"""


def conv2d_reference(x, k):
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i : i + kh, j : j + kw] * k)
    return out


def backward_reference(x, k, dy):
    kh, kw = k.shape
    dx, dk = np.zeros_like(x), np.zeros_like(k)
    for i in range(dy.shape[0]):
        for j in range(dy.shape[1]):
            dx[i : i + kh, j : j + kw] += dy[i, j] * k
            dk += dy[i, j] * x[i : i + kh, j : j + kw]
    return dx, dk


def check(student):
    forward = student.function("conv2d")
    backward = student.function("conv2d_backward")

    def test(x, k, seed):
        if x.shape[0] < k.shape[0] or x.shape[1] < k.shape[1]:
            x = np.pad(
                x, ((0, max(0, k.shape[0] - x.shape[0])), (0, max(0, k.shape[1] - x.shape[1])))
            )
        y = conv2d_reference(x, k)
        dy = np.random.default_rng(seed).uniform(-1, 1, size=y.shape).round(2)
        inputs = dict(x=x, k=k) if x.size <= 9 else None
        check_array(
            forward(x.copy(), k.copy()),
            y,
            "conv2d(x, k)",
            on_input=inputs,
            hint="y[i, j] = Σ x[i+a, j+b] k[a, b]: the window starts at (i, j)",
            mistakes=[
                (
                    conv2d_reference(x, k[::-1, ::-1]),
                    "that is a true convolution (flipped kernel); use k[a, b] as is",
                )
            ],
        )
        dx, dk = unpack(backward(x.copy(), k.copy(), dy.copy()), ("dx", "dk"), "conv2d_backward")
        want_dx, want_dk = backward_reference(x, k, dy)
        with_dy = dict(x=x, k=k, dy=dy) if x.size <= 9 else None
        check_array(
            dk,
            want_dk,
            "dk",
            on_input=with_dy,
            hint="dk[a, b] = Σ_ij dy[i, j] x[i+a, j+b] (every window, weighted by dy)",
            mistakes=[
                (
                    backward_reference(x, k, dy[::-1, ::-1])[1],
                    "do not flip dy: dk is the correlation of x with dy",
                )
            ],
        )
        check_array(
            dx,
            want_dx,
            "dx",
            on_input=with_dy,
            hint="each window x[i:i+kh, j:j+kw] receives dy[i, j] * k (add them up)",
            mistakes=[
                (
                    backward_reference(x, k[::-1, ::-1], dy)[0],
                    "you flipped the kernel: window (i, j) gets dy[i, j] k, unflipped",
                )
            ],
        )

    fixed = [dict(x=np.arange(9.0).reshape(3, 3), k=np.array([[1.0, 0.0], [0.0, -1.0]]), seed=0)]
    spec = {
        "x": ("array", ("h", "w"), -2.0, 2.0),
        "k": ("array", ("kh", "kw"), -2.0, 2.0),
        "seed": ("int", 0, 99),
    }
    for_all(
        test, spec, dims={"h": (2, 5), "w": (2, 5), "kh": (1, 3), "kw": (1, 3)}, fixed=fixed, n=25
    )


EXERCISE = Exercise(
    name="conv2d_backward",
    section=10,
    title="conv2d forward and backward (dx, dk) for one channel",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=("conv2d forward and backward right: dx is a 'full' convolution of dy with k",),
)
