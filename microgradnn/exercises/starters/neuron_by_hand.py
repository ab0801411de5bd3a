"""Exercise neuron_by_hand: z = w1 x1 + w2 x2 + b, ŷ = σ(z), and its gradients.

Check it with:  python -m microgradnn exercises check neuron_by_hand neuron_by_hand.py
"""

import math  # math.exp


def neuron(x1, x2, w1, w2, b):
    # forward
    z = None  # TODO
    y_hat = None  # TODO: σ(z)

    # backward (gradients of ŷ)
    dy_dz = None  # TODO: σ'(z)
    dy_dw1 = None  # TODO
    dy_dw2 = None  # TODO
    dy_db = None  # TODO
    dy_dx1 = None  # TODO
    dy_dx2 = None  # TODO

    return {
        "z": z,
        "y_hat": y_hat,
        "dy_dz": dy_dz,
        "dy_dw1": dy_dw1,
        "dy_dw2": dy_dw2,
        "dy_db": dy_db,
        "dy_dx1": dy_dx1,
        "dy_dx2": dy_dx2,
    }
