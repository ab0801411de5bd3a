"""Reference solution of rnn_bptt."""

import numpy as np


def rnn_step_backward(x, h_prev, Wx, Wh, b, dh):
    h = np.tanh(x @ Wx + h_prev @ Wh + b)
    dz = dh * (1 - h**2)
    return {
        "h": h,
        "dz": dz,
        "dWx": np.outer(x, dz),
        "dWh": np.outer(h_prev, dz),
        "db": dz,
        "dx": dz @ Wx.T,
        "dh_prev": dz @ Wh.T,
    }
