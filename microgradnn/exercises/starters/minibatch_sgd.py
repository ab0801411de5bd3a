"""Exercise minibatch_sgd: batch gradients of the MSE of a linear model, then one epoch.

Check it with:  python -m microgradnn exercises check minibatch_sgd minibatch_sgd.py
"""

import numpy as np


def gradients(w, b, X, y):
    """∂L/∂w and ∂L/∂b of L = 1/m Σ (X w + b - y)² on the batch (X, y)."""
    dw = np.zeros_like(w)  # TODO
    db = 0.0  # TODO
    return dw, db


def sgd_epoch(w, b, X, y, lr, batch_size, order):
    """One epoch: consecutive batches of `order`, one step each; the (w, b) after each step."""
    steps = []
    # TODO: for each batch of indices taken from `order`:
    #           compute the gradients on that batch, step, and append (w, b)
    return steps
