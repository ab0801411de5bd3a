# expect: gradients: dw is wrong | factor 2
"""Reference solution of minibatch_sgd."""

import numpy as np


def gradients(w, b, X, y):
    error = X @ w + b - y
    return X.T @ error / len(y), np.sum(error) / len(y)


def sgd_epoch(w, b, X, y, lr, batch_size, order):
    steps = []
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        dw, db = gradients(w, b, X[batch], y[batch])
        w, b = w - lr * dw, b - lr * db
        steps.append((w, b))
    return steps
