# expect: dy_dz is wrong | σ(z) (1 - σ(z))
import math


def neuron(x1, x2, w1, w2, b):
    z = w1 * x1 + w2 * x2 + b
    y_hat = 1.0 / (1.0 + math.exp(-z))
    dy_dz = y_hat
    return dict(
        z=z,
        y_hat=y_hat,
        dy_dz=dy_dz,
        dy_dw1=dy_dz * x1,
        dy_dw2=dy_dz * x2,
        dy_db=dy_dz,
        dy_dx1=dy_dz * w1,
        dy_dx2=dy_dz * w2,
    )
