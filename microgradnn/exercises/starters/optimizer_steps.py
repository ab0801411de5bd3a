"""Exercise optimizer_steps: one step of SGD, momentum and Adam.

Check it with:  python -m microgradnn exercises check optimizer_steps optimizer_steps.py
"""

import numpy as np


def sgd_step(theta, g, lr):
    return theta  # TODO: θ - η g


def momentum_step(theta, g, v, lr, mu):
    v = v  # TODO: the new velocity
    theta = theta  # TODO: the step with the new velocity
    return theta, v


def adam_step(theta, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = m  # TODO: first moment
    v = v  # TODO: second moment
    m_hat = m  # TODO: bias correction
    v_hat = v  # TODO
    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta, m, v
