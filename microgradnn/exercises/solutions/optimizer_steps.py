"""Reference solution of optimizer_steps."""

import numpy as np


def sgd_step(theta, g, lr):
    return theta - lr * g


def momentum_step(theta, g, v, lr, mu):
    v = mu * v + g
    return theta - lr * v, v


def adam_step(theta, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
