"""Softmax cross-entropy as one node, with the famous gradient p - y."""

from __future__ import annotations

import math as _math

import numpy as np

from microgradnn.kernels.base import Kernel, SavesForBackward


class SoftmaxCrossEntropy(SavesForBackward, Kernel):
    """Cross-entropy of softmax(z) against target rows t (one-hot or probabilities).

    loss_n = -Σ_c t_nc log softmax(z_n)_c = s_n log Σ_c e^(z_nc) - Σ_c t_nc z_nc
    d loss_n / d z_nc = s_n softmax(z_n)_c - t_nc     with s_n = Σ_c t_nc

    For one-hot or probability targets s_n = 1 and the gradient is the famous "p - y".
    (The log-sum-exp is computed shifted by the row's max, so it never overflows.)

    ``one_hot=True`` promises that every target row is one-hot (rows built from integer
    labels), which skips adding the rows up.

    ``reduction`` says what the node outputs: ``"none"`` one loss per row, ``"sum"`` their
    sum, ``"mean"`` their average over the N rows (then the gradient is (p - y) / N). A
    training loss is then ONE node instead of the ~9 of log_softmax + pick + sum + mean,
    with a gradient anyone can read. The targets are constants stored in the op; the class
    axis is the last one. The forward pass computes softmax(z) anyway, so it keeps it for
    the backward pass (what PyTorch calls "saving a tensor for backward"): the gradient is
    then one subtraction.

    >>> from microgradnn.backends import ArrayMath
    >>> z, t = np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> float(SoftmaxCrossEntropy(t, "mean").forward(ArrayMath, z))   # log 2 per row
    0.6931471805599453
    """

    name = "softmax_cross_entropy"
    engines = ("tensor",)
    REDUCTIONS = ("none", "sum", "mean")

    def __init__(self, targets, reduction: str = "none", one_hot: bool = False):
        if reduction not in self.REDUCTIONS:
            raise ValueError(f"reduction must be one of {self.REDUCTIONS}, got {reduction!r}")
        self.targets, self.reduction = targets, reduction
        # s_n = Σ_c t_nc, once per op (the targets are constants); None when every row is a
        # distribution (one-hot or probabilities), the usual case: s_n = 1 drops out.
        # one_hot=True: the caller made the rows from integer labels, no need to add them up
        mass = None if one_hot else np.sum(targets, axis=-1, keepdims=True)
        self.mass = None if mass is None or np.all(mass == 1) else mass

    @property
    def display(self) -> str:
        return "CE(softmax)" if self.reduction == "none" else f"{self.reduction} CE(softmax)"

    def _row_weight(self, z_shape) -> float:
        """d(output)/d(loss_n): 1 per row for "none" and "sum", 1/N for "mean"."""
        return 1.0 / _math.prod(z_shape[:-1]) if self.reduction == "mean" else 1.0

    def forward(self, m, z):
        shifted = z - z.max(axis=-1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=-1, keepdims=True)
        log_total = np.log(total) if self.mass is None else self.mass * np.log(total)
        if self.reduction == "none":
            loss = log_total[..., 0] - (self.targets * shifted).sum(axis=-1)
        else:  # Σ_n loss_n = Σ_n s_n log Σ_c e^(shifted) - Σ_nc t_nc shifted_nc
            loss = (log_total.sum() - np.vdot(self.targets, shifted)) * self._row_weight(z.shape)
        return self.save_for_backward(loss, exp / total)  # softmax(z), for the gradient

    def backward(self, m, g, out, xs, needs):
        (z,) = xs
        probs = self.saved_for(out)  # the forward's softmax, or (graph nodes) a new one
        if probs is None:
            probs = m.softmax(z)
        if self.mass is not None:  # rows that are not distributions: s_n p - t
            probs = probs * m.constant(self.mass, z)
        p_minus_t = probs - m.constant(self.targets, z)
        if self.reduction == "none":  # one upstream number per row: give it a class axis
            return (m.reshape(g, m.shape(g) + (1,)) * p_minus_t,)
        return (p_minus_t * (g * self._row_weight(m.shape(z))),)

    def reference(self, z):
        """-Σ t log softmax(z) from primitives: shift, exp, sum, log, product, sum."""
        constant = type(z)
        shifted = z - constant(z.data.max(axis=-1, keepdims=True), requires_grad=False)
        log_total = shifted.exp().sum(axis=-1, keepdims=True).log()
        targets = constant(np.asarray(self.targets, z.data.dtype), requires_grad=False)
        losses = -(targets * (shifted - log_total)).sum(axis=-1)
        if self.reduction == "none":
            return losses
        return losses.sum() * self._row_weight(z.shape)
