"""Exercise loss_gradients: each function returns (loss, gradient w.r.t. its first argument).

Check it with:  python -m microgradnn exercises check loss_gradients loss_gradients.py
"""

import numpy as np


def mse(y_hat, y):
    n = y_hat.shape[0]
    loss = None  # TODO: 1/n Σ_i ||y_i - ŷ_i||²
    grad = None  # TODO: ∂L/∂ŷ, same shape as y_hat
    return loss, grad


def bce(y_hat, y):
    loss = None  # TODO: -1/n Σ [y log ŷ + (1 - y) log(1 - ŷ)]
    grad = None  # TODO: ∂L/∂ŷ
    return loss, grad


def softmax_cross_entropy(logits, y):
    p = None  # TODO: softmax of each row (subtract the row max first)
    loss = None  # TODO: -1/n Σ Σ y log p
    grad = None  # TODO: ∂L/∂logits
    return loss, grad
