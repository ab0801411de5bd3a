# expect: mse: the gradient is wrong | factor 2
"""Reference solution of loss_gradients."""

import numpy as np


def mse(y_hat, y):
    n = y_hat.shape[0]
    return np.sum((y - y_hat) ** 2) / n, (y_hat - y) / n


def bce(y_hat, y):
    n = y_hat.shape[0]
    loss = -np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)) / n
    return loss, (y_hat - y) / (y_hat * (1 - y_hat)) / n


def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    p = np.exp(log_p)
    return -np.sum(y * log_p) / n, (p - y) / n
