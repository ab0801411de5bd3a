"""Exercise 2: Rosenblatt's perceptron rule and Widrow-Hoff's LMS rule, one sample each."""

import numpy as np

from microgradnn.exercises.feedback import Wrong, check_array, check_number, unpack
from microgradnn.exercises.inputs import for_all
from microgradnn.exercises.registry import Exercise

INSTRUCTIONS = """
Tutorial 2 (the first neurons). Labels are y = ±1, the net input is z = w · x + b.

Perceptron (1958): predict ŷ = sign(z) (take sign(0) = +1); only when ŷ ≠ y:

    w ← w + η y x,     b ← b + η y          (nothing changes when ŷ = y)

ADALINE / LMS (1960): learn from the linear output z itself, for every sample:

    w ← w + η (y - z) x,     b ← b + η (y - z)

(one gradient-descent step on ½ (y - z)², since ∂/∂w ½ (y - z)² = -(y - z) x).

Fill in `perceptron_update(w, b, x, y, lr)` and `lms_update(w, b, x, y, lr)`: each returns
the new (w, b) for one sample, with w and x numpy arrays of the same length and b a float.
Do not change the arrays you are given (return new ones).
"""


def perceptron_reference(w, b, x, y, lr):
    predicted = 1.0 if float(w @ x + b) >= 0 else -1.0
    if predicted == y:
        return w.copy(), b
    return w + lr * y * x, b + lr * y


def lms_reference(w, b, x, y, lr):
    error = y - float(w @ x + b)
    return w + lr * error * x, b + lr * error


def _call(function, name, w, b, x, y, lr):
    w_in, x_in = w.copy(), x.copy()
    new_w, new_b = unpack(function(w_in, b, x_in, y, lr), ("w", "b"), name)
    if not (np.array_equal(w_in, w) and np.array_equal(x_in, x)):
        raise Wrong(
            f"{name} changed the array it was given",
            hint="write w = w + ... (a new array), not w += ... (changes the caller's)",
        )
    return new_w, new_b


def check(student):
    perceptron = student.function("perceptron_update")
    lms = student.function("lms_update")

    def test(w, b, x, y, lr):
        y = 1.0 if y > 0 else -1.0
        inputs = dict(w=w, b=b, x=x, y=y, lr=lr)
        z = float(w @ x + b)
        new_w, new_b = _call(perceptron, "perceptron_update", w, b, x, y, lr)
        want_w, want_b = perceptron_reference(w, b, x, y, lr)
        mistakes = [(w + lr * y * x, "when ŷ = y (a correct prediction) nothing may change")]
        if np.sign(z if z != 0 else 1) != y:
            mistakes = [(w, f"here z = {z:.4g} so ŷ = {1 if z >= 0 else -1} ≠ y: update")]
            mistakes.append((w - lr * y * x, "the sign: move towards the sample, w + η y x"))
        check_array(
            new_w,
            want_w,
            "perceptron_update: new w",
            on_input=inputs,
            mistakes=mistakes,
            hint="w ← w + η y x only when sign(w·x + b) ≠ y",
        )
        check_number(
            new_b,
            want_b,
            "perceptron_update: new b",
            on_input=inputs,
            hint="b ← b + η y, only when the prediction was wrong",
        )
        new_w, new_b = _call(lms, "lms_update", w, b, x, y, lr)
        want_w, want_b = lms_reference(w, b, x, y, lr)
        lms_mistakes = [
            (w + lr * (z - y) * x, "the error is (y - z), target minus output"),
            (w + lr * (y - np.sign(z)) * x, "LMS uses the linear z = w·x + b, not its sign"),
        ]
        check_array(
            new_w,
            want_w,
            "lms_update: new w",
            on_input=inputs,
            mistakes=lms_mistakes,
            hint="w ← w + η (y - z) x with z = w·x + b",
        )
        check_number(new_b, want_b, "lms_update: new b", on_input=inputs, hint="b ← b + η (y - z)")

    fixed = [
        dict(w=np.array([0.5, -1.0]), b=0.25, x=np.array([1.0, 1.0]), y=1.0, lr=0.5),
        dict(w=np.array([0.5, -1.0]), b=0.25, x=np.array([1.0, 0.0]), y=-1.0, lr=1.0),
        dict(w=np.array([0.5, -1.0]), b=0.25, x=np.array([1.0, 0.0]), y=1.0, lr=1.0),
    ]
    spec = {
        "w": ("array", ("d",), -2.0, 2.0),
        "b": ("float", -1.0, 1.0),
        "x": ("array", ("d",), -2.0, 2.0),
        "y": ("float", -1.0, 1.0),
        "lr": ("float", 0.05, 1.0),
    }
    for_all(test, spec, dims={"d": (1, 4)}, fixed=fixed, n=40)


EXERCISE = Exercise(
    name="perceptron_lms",
    section=2,
    title="the perceptron and LMS update rules for one sample",
    instructions=INSTRUCTIONS,
    check=check,
    passed_lines=("both rules right: the perceptron learns from mistakes, LMS from every error",),
)
