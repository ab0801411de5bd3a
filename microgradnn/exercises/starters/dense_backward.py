"""Exercise dense_backward: gradients of Y = X W + b.

Check it with:  python -m microgradnn exercises check dense_backward dense_backward.py
"""

import numpy as np


def dense_backward(X, W, b, dY):
    dX = np.zeros_like(X)  # TODO
    dW = np.zeros_like(W)  # TODO
    db = np.zeros_like(b)  # TODO
    return dX, dW, db
