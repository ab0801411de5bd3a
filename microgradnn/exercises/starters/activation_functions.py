"""Exercise activation_functions: five activations as microgradnn Functions.

Check it with:  python -m microgradnn exercises check activation_functions activation_functions.py
Try one first:  check_function(Sigmoid, Tensor(np.linspace(-3, 3, 7)))
"""

import numpy as np

from microgradnn import Function


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("TODO: σ(x), stable for very negative x")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("TODO: grad_output * σ'(x)")


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("TODO")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("TODO")


class LeakyReLU(Function):  # slope 0.01 for x <= 0
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("TODO")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("TODO")


class ELU(Function):  # alpha = 1
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("TODO")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("TODO")


class SmeLU(Function):  # beta = 1
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("TODO")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("TODO")
