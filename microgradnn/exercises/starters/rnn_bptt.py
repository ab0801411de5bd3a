"""Exercise rnn_bptt: one step of backpropagation through time, h = tanh(x Wx + h_prev Wh + b).

Check it with:  python -m microgradnn exercises check rnn_bptt rnn_bptt.py
"""

import numpy as np


def rnn_step_backward(x, h_prev, Wx, Wh, b, dh):
    h = None  # TODO: the forward step
    dz = None  # TODO: back through tanh
    dWx = np.zeros_like(Wx)  # TODO
    dWh = np.zeros_like(Wh)  # TODO
    db = np.zeros_like(b)  # TODO
    dx = np.zeros_like(x)  # TODO
    dh_prev = np.zeros_like(h_prev)  # TODO: what flows to the previous step
    return {"h": h, "dz": dz, "dWx": dWx, "dWh": dWh, "db": db, "dx": dx, "dh_prev": dh_prev}
