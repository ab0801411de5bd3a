"""Exercise perceptron_lms: one update of the perceptron rule and of the LMS rule.

Check it with:  python -m microgradnn exercises check perceptron_lms perceptron_lms.py
"""

import numpy as np  # (you will probably want np.dot or @)


def perceptron_update(w, b, x, y, lr):
    """The perceptron's new (w, b) after seeing sample x with label y = ±1."""
    # TODO: predict ŷ = sign(w·x + b) (sign(0) = +1); if ŷ ≠ y move w and b towards y
    return w, b


def lms_update(w, b, x, y, lr):
    """ADALINE's new (w, b) after seeing sample x with target y (LMS / Widrow-Hoff)."""
    # TODO: z = w·x + b, then w ← w + η (y - z) x and b ← b + η (y - z)
    return w, b
