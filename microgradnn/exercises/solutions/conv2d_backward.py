"""Reference solution of conv2d_backward."""

import numpy as np


def conv2d(x, k):
    kh, kw = k.shape
    y = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(y.shape[0]):
        for j in range(y.shape[1]):
            y[i, j] = np.sum(x[i : i + kh, j : j + kw] * k)
    return y


def conv2d_backward(x, k, dy):
    kh, kw = k.shape
    dx, dk = np.zeros_like(x), np.zeros_like(k)
    for i in range(dy.shape[0]):
        for j in range(dy.shape[1]):
            dx[i : i + kh, j : j + kw] += dy[i, j] * k
            dk += dy[i, j] * x[i : i + kh, j : j + kw]
    return dx, dk
