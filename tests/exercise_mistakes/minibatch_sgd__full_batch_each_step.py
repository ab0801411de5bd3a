# expect: w after step 0 is wrong | full-batch step
"""Reference solution of minibatch_sgd."""

import numpy as np


def gradients(w, b, X, y):
    error = X @ w + b - y
    return 2 * X.T @ error / len(y), 2 * np.sum(error) / len(y)


def sgd_epoch(w, b, X, y, lr, batch_size, order):
    steps = []
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        dw, db = gradients(w, b, X, y)
        w, b = w - lr * dw, b - lr * db
        steps.append((w, b))
    return steps
