"""Every fused kernel equals its reference composite: value, gradient, second derivative.

The test is parametrized over ``kernels.KERNELS``: a kernel added without an entry in
``CASES`` below fails here, so no kernel can be added unchecked.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnn import Tensor, Value, grad, kernels


def _t(rng, *shape, low=-1.0, high=1.0):
    return Tensor(rng.uniform(low, high, shape))


def _dot(rng):
    n = int(rng.integers(1, 4))
    op = kernels.Dot(n, has_bias=True)
    return op, [Value(float(v)) for v in rng.uniform(-2, 2, 2 * n + 1)]


def _affine(rng):
    n, i, o = (int(v) for v in rng.integers(1, 4, 3))
    return kernels.Affine(), [_t(rng, n, i), _t(rng, i, o), _t(rng, o)]


def _cross_entropy(rng):
    n, c = (int(v) for v in rng.integers(1, 4, 2))
    targets = rng.uniform(0, 1, (n, c))  # rows need not sum to 1 (issue 15, B3)
    one_hot = bool(rng.integers(2))  # or rows from integer labels, with the promise
    if one_hot:
        targets = np.eye(c)[rng.integers(0, c, n)]
    reduction = ["none", "sum", "mean"][int(rng.integers(3))]
    op = kernels.SoftmaxCrossEntropy(targets, reduction, one_hot=one_hot)
    return op, [_t(rng, n, c, low=-3, high=3)]


def _windows_settings(rng):
    kernel = tuple(int(v) for v in rng.integers(1, 3, 2))
    stride = tuple(int(v) for v in rng.integers(1, 3, 2))
    dilation = tuple(int(v) for v in rng.integers(1, 3, 2))
    padding = tuple(tuple(int(v) for v in rng.integers(0, 2, 2)) for _ in range(2))
    return kernel, stride, dilation, padding


def _im2col(rng):
    kernel, stride, dilation, padding = _windows_settings(rng)
    return kernels.Im2Col(kernel, stride, dilation, padding), [_t(rng, 2, 5, 4, 2)]


def _col2im(rng):
    kernel, stride, dilation, padding = _windows_settings(rng)
    image = (2, 5, 4, 2)
    cols_shape = (
        kernels.Im2Col(kernel, stride, dilation, padding).forward(None, np.zeros(image)).shape
    )
    return kernels.Col2Im(image, kernel, stride, dilation, padding), [_t(rng, *cols_shape)]


def _recurrent(rng, blocks, op, biases):
    n, f, h = 2, int(rng.integers(1, 3)), int(rng.integers(1, 3))
    inputs = [_t(rng, n, f), _t(rng, f, blocks * h), _t(rng, n, h), _t(rng, h, blocks * h)]
    return op, inputs + [_t(rng, blocks * h) for _ in range(biases)]


def _gates_and_state(rng, blocks, op):
    n, h = 2, int(rng.integers(1, 3))
    return op, [_t(rng, n, blocks * h), _t(rng, n, h, low=-2, high=2)]


CASES = {
    kernels.Dot: _dot,
    kernels.Affine: _affine,
    kernels.SoftmaxCrossEntropy: _cross_entropy,
    kernels.Im2Col: _im2col,
    kernels.Col2Im: _col2im,
    kernels.LstmGates: lambda rng: _recurrent(rng, 4, kernels.LstmGates(), 1),
    kernels.LstmMemory: lambda rng: _gates_and_state(rng, 4, kernels.LstmMemory()),
    kernels.LstmOutput: lambda rng: _gates_and_state(rng, 4, kernels.LstmOutput()),
    kernels.GruGates: lambda rng: _recurrent(rng, 3, kernels.GruGates(), 2),
    kernels.GruOutput: lambda rng: _gates_and_state(rng, 3, kernels.GruOutput()),
}


def _objective(out, upstream):
    """A scalar from the output: sum(upstream * out) (so every output entry matters)."""
    if isinstance(out, Value):
        return out * upstream
    return (out * Tensor(upstream, requires_grad=False)).sum()


def _square_sum(grads):
    total = None
    for g in grads:
        term = g * g if isinstance(g, Value) else (g * g).sum()
        total = term if total is None else total + term
    return total


def _second(total, inputs):
    """Gradients of ``total``; zeros when it does not depend on the inputs (linear kernels)."""
    if not total.requires_grad:
        return [np.zeros(np.shape(x.data)) for x in inputs]
    return grad(total, inputs)


def _as_numbers(values):
    return [np.asarray(getattr(v, "data", v), dtype=float) for v in values]


def test_every_kernel_has_a_reference_and_a_case():
    assert set(kernels.KERNELS) == set(CASES)
    for kernel in kernels.KERNELS:
        assert kernel.reference is not kernels.Kernel.reference, kernel.__name__


@pytest.mark.parametrize("kernel", kernels.KERNELS, ids=lambda k: k.__name__)
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_kernel_equals_its_reference(kernel, seed):
    rng = np.random.default_rng(seed)
    op, inputs = CASES[kernel](rng)
    fused, composite = op.apply(*inputs), op.reference(*inputs)
    np.testing.assert_allclose(
        np.asarray(fused.data), np.asarray(composite.data), rtol=1e-10, atol=1e-12
    )
    upstream = rng.standard_normal(np.shape(fused.data))
    upstream = float(upstream) if isinstance(fused, Value) else upstream
    # first derivatives, recorded so they can be differentiated again
    first_fused = grad(_objective(op.apply(*inputs), upstream), inputs, create_graph=True)
    first_ref = grad(_objective(op.reference(*inputs), upstream), inputs, create_graph=True)
    for a, b in zip(_as_numbers(first_fused), _as_numbers(first_ref)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)
    # second derivatives: the gradient of |first gradient|² with respect to every input
    second_fused = _second(_square_sum(first_fused), inputs)
    second_ref = _second(_square_sum(first_ref), inputs)
    for a, b in zip(_as_numbers(second_fused), _as_numbers(second_ref)):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)
