# expect: Sigmoid.forward(x) contains nan or inf | overflow
"""Reference solution of activation_functions."""

import numpy as np

from microgradnn import Function


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.exp(x) / (np.exp(x) + 1)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output * out * (1 - out)


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output * (1 - out**2)


class LeakyReLU(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.where(x > 0, x, 0.01 * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * np.where(x > 0, 1.0, 0.01)


class ELU(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))


class SmeLU(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        middle = (x + 1) ** 2 / 4
        return np.where(x <= -1, 0.0, np.where(x >= 1, x, middle))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, (x + 1) / 2))
