"""Exercise conv2d_backward: a one-channel 'valid' cross-correlation and its gradients.

Check it with:  python -m microgradnn exercises check conv2d_backward conv2d_backward.py
"""

import numpy as np


def conv2d(x, k):
    kh, kw = k.shape
    y = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    # TODO: y[i, j] = Σ_a Σ_b x[i + a, j + b] k[a, b]
    return y


def conv2d_backward(x, k, dy):
    dx = np.zeros_like(x)  # TODO
    dk = np.zeros_like(k)  # TODO
    return dx, dk
