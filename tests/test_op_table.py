"""Every primitive in the op table: gradients vs central finite differences (Hypothesis).

An op added to ``microgradnn.ops.OP_TABLE`` without an entry below fails
``test_every_op_has_a_gradient_test``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnn import (
    Tensor,
    Value,
    affine,
    backends,
    concatenate,
    grad,
    kernels,
    ops,
    stack,
    where,
)
from microgradnn.functional import elu, leaky_relu
from microgradnn.ops import OP_TABLE
from microgradnn.testing import (
    arrays,
    broadcastable_shape_pairs,
    check_grad,
    floats_in,
    nonzero_floats,
    shapes,
)
from microgradnn.value import dot

REAL = floats_in(-3, 3)
POSITIVE = floats_in(0.2, 3)
NONZERO = nonzero_floats(0.2, 3)
EXPONENT = floats_in(-2.5, 3.5)

# op name -> (function of Values, strategies for its inputs)
SCALAR_CASES = {
    "add": (lambda a, b: a + b, [REAL, REAL]),
    "sub": (lambda a, b: a - b, [REAL, REAL]),
    "mul": (lambda a, b: a * b, [REAL, REAL]),
    "div": (lambda a, b: a / b, [REAL, NONZERO]),
    "neg": (lambda a: -a, [REAL]),
    "pow_const": (lambda a: a**2.7, [POSITIVE]),
    "pow": (lambda a, b: a**b, [POSITIVE, EXPONENT]),
    "exp": (lambda a: a.exp(), [REAL]),
    "log": (lambda a: a.log(), [POSITIVE]),
    "sqrt": (lambda a: a.sqrt(), [POSITIVE]),
    "tanh": (lambda a: a.tanh(), [REAL]),
    "sigmoid": (lambda a: a.sigmoid(), [REAL]),
    "relu": (lambda a: a.relu(), [NONZERO]),
    "abs": (lambda a: a.abs(), [NONZERO]),
    "sin": (lambda a: a.sin(), [REAL]),
    "cos": (lambda a: a.cos(), [REAL]),
    "dot": (lambda w1, w2, x1, x2, b: dot([w1, w2], [x1, x2], b), [REAL] * 5),
    "leaky_relu": (lambda a: leaky_relu(a, alpha=0.2), [NONZERO]),
    "elu": (lambda a: elu(a, alpha=0.7), [NONZERO]),
}

ELEMENTWISE_UNARY = {
    "neg": (lambda a: -a, (-3, 3)),
    "pow_const": (lambda a: a**1.5, (0.2, 3)),
    "exp": (lambda a: a.exp(), (-3, 3)),
    "log": (lambda a: a.log(), (0.2, 3)),
    "sqrt": (lambda a: a.sqrt(), (0.2, 3)),
    "tanh": (lambda a: a.tanh(), (-3, 3)),
    "sigmoid": (lambda a: a.sigmoid(), (-3, 3)),
    "relu": (lambda a: a.relu(), (0.1, 3)),  # sign flipped at random below
    "abs": (lambda a: a.abs(), (0.1, 3)),
    "sin": (lambda a: a.sin(), (-3, 3)),
    "cos": (lambda a: a.cos(), (-3, 3)),
    "leaky_relu": (lambda a: leaky_relu(a, alpha=0.2), (0.1, 3)),
    "elu": (lambda a: elu(a, alpha=0.7), (0.1, 3)),
}

ELEMENTWISE_BINARY = {
    "add": (lambda a, b: a + b, (-3, 3), (-3, 3)),
    "sub": (lambda a, b: a - b, (-3, 3), (-3, 3)),
    "mul": (lambda a, b: a * b, (-3, 3), (-3, 3)),
    "div": (lambda a, b: a / b, (-3, 3), (0.3, 3)),
    "pow": (lambda a, b: a**b, (0.3, 3), (-2, 2)),
}

# Tensor-only ops each have a dedicated test function below.
TENSOR_ONLY_TESTS = {
    "matmul",
    "affine",
    "sum",
    "mean",
    "max",
    "reshape",
    "transpose",
    "getitem",
    "scatter_add",
    "broadcast_to",
    "sum_to",
    "cast",
    "concatenate",
    "stack",
    "where",
    "maximum",
    "minimum",
    "im2col",
    "col2im",
    "softmax_cross_entropy",
    "lstm_gates",
    "lstm_memory",
    "lstm_output",
    "gru_gates",
    "gru_output",
}


def test_every_op_has_a_gradient_test():
    for name, op in OP_TABLE.items():
        if "value" in op.engines:
            assert name in SCALAR_CASES, f"op {name!r} has no scalar gradient test"
        if "tensor" in op.engines:
            covered = name in ELEMENTWISE_UNARY or name in ELEMENTWISE_BINARY
            assert covered or name in TENSOR_ONLY_TESTS, f"op {name!r} has no tensor test"


# ------------------------------------------------------------------------- scalar engine
@pytest.mark.parametrize("name", sorted(SCALAR_CASES))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_value_gradient_matches_finite_differences(name, data):
    f, strategies = SCALAR_CASES[name]
    inputs = [data.draw(s) for s in strategies]
    check_grad(f, *inputs)


@pytest.mark.parametrize("name", sorted(SCALAR_CASES))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_value_second_derivative_matches_finite_differences(name, data):
    f, strategies = SCALAR_CASES[name]
    inputs = [data.draw(s) for s in strategies]

    def first_derivative_sum(*xs):
        grads = grad(f(*xs), list(xs), create_graph=True)
        total = grads[0]
        for g in grads[1:]:
            total = total + g
        return total + xs[0] * 0.0  # keeps a graph even when the derivative is constant

    check_grad(first_derivative_sum, *inputs, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------------- tensor engine
@pytest.mark.parametrize("name", sorted(ELEMENTWISE_UNARY))
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_tensor_unary_gradient(name, data):
    f, (low, high) = ELEMENTWISE_UNARY[name]
    shape = data.draw(shapes(max_dims=3))
    x = data.draw(arrays(shape, low, high))
    if name in ("relu", "abs", "leaky_relu", "elu"):
        x = x * data.draw(arrays(shape, -1, 1).map(lambda s: np.where(s < 0, -1.0, 1.0)))
    check_grad(f, x)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE_BINARY))
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_tensor_binary_gradient_with_broadcasting(name, data):
    f, range_a, range_b = ELEMENTWISE_BINARY[name]
    shape_a, shape_b = data.draw(broadcastable_shape_pairs())
    a = data.draw(arrays(shape_a, *range_a))
    b = data.draw(arrays(shape_b, *range_b))
    if name == "div":
        b = b * data.draw(arrays(shape_b, -1, 1).map(lambda s: np.where(s < 0, -1.0, 1.0)))
    check_grad(f, a, b)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_matmul_gradient_including_batched_and_vectors(data):
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    batch = data.draw(st.sampled_from([(), (2,), (3, 1)]))
    a = data.draw(arrays(batch + (n, k)))
    b_batch = data.draw(st.sampled_from([(), batch[-1:] if batch else ()]))
    b = data.draw(arrays(b_batch + (k, m)))
    check_grad(lambda x, y: x @ y, a, b)
    v = data.draw(arrays((k,)))
    check_grad(lambda x, y: x @ y, a, v)
    check_grad(lambda x, y: x @ y, v, b)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_affine_gradient_first_and_second_order(data):
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    batch = data.draw(st.sampled_from([(n,), (2, n), ()]))  # () is a single row
    x, w, b = data.draw(arrays(batch + (k,))), data.draw(arrays((k, m))), data.draw(arrays((m,)))
    check_grad(affine, x, w, b)
    check_grad(affine, x, w)

    def gradient_norm(x, w, b):  # second order: differentiate the gradient's size
        gx, gw, gb = grad((affine(x, w, b).tanh() ** 2).sum(), [x, w, b], create_graph=True)
        return (gx * gx).sum() + (gw * gw).sum() + (gb * gb).sum()

    check_grad(gradient_norm, x, w, b, rtol=1e-4, atol=1e-6)


def test_affine_is_matmul_plus_bias_in_one_node():
    rng = np.random.default_rng(0)
    x, w, b = (Tensor(rng.normal(size=s)) for s in [(5, 3), (3, 2), (2,)])
    fused, written_out = affine(x, w, b), x @ w + b
    assert fused.op.name == "affine" and fused.parents == (x, w, b)
    np.testing.assert_allclose(fused.data, written_out.data, rtol=1e-14)
    fused.sum().backward()
    fused_grads = [t.grad.copy() for t in (x, w, b)]
    for t in (x, w, b):
        t.zero_grad()
    written_out.sum().backward()
    for got, want in zip(fused_grads, [x.grad, w.grad, b.grad]):
        np.testing.assert_allclose(got, want, rtol=1e-14)
    with pytest.raises(ValueError, match="does not align"):
        affine(x, Tensor(np.ones((4, 2))))
    with pytest.raises(ValueError, match="bias of shape"):
        affine(x, w, Tensor(np.ones(3)))


def _axis_strategy(ndim):
    single = st.integers(-ndim, ndim - 1) if ndim else st.none()
    both = st.tuples(st.integers(0, ndim - 1)) if ndim else st.none()
    return st.one_of(st.none(), single, both)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_sum_and_mean_gradient_with_axis_and_keepdims(data):
    shape = data.draw(shapes(min_dims=1))
    axis = data.draw(_axis_strategy(len(shape)))
    keepdims = data.draw(st.booleans())
    x = data.draw(arrays(shape))
    check_grad(lambda t: t.sum(axis=axis, keepdims=keepdims), x)
    check_grad(lambda t: (t * t).mean(axis=axis, keepdims=keepdims), x)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_max_gradient_with_axis_and_keepdims(data):
    shape = data.draw(shapes(min_dims=1))
    axis = data.draw(_axis_strategy(len(shape)))
    keepdims = data.draw(st.booleans())
    # distinct entries, spaced well beyond eps, so the maximum is unique and stable
    size = int(np.prod(shape))
    perm = data.draw(st.permutations(range(size)))
    x = np.asarray(perm, dtype=float).reshape(shape) * 0.1
    check_grad(lambda t: t.max(axis=axis, keepdims=keepdims), x)


def test_max_splits_gradient_equally_on_ties():
    t = Tensor([1.0, 3.0, 3.0])
    t.max().backward()
    np.testing.assert_allclose(t.grad, [0.0, 0.5, 0.5])


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_reshape_and_transpose_gradient(data):
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(arrays(shape))
    check_grad(lambda t: t.reshape(-1) * 2.0, x)
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    check_grad(lambda t: t.transpose(perm) ** 2, x)
    check_grad(lambda t: t.T, x)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_getitem_gradient_accumulates_repeated_indices(data):
    n = data.draw(st.integers(1, 5))
    x = data.draw(arrays((n, 3)))
    idx = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=7)))
    check_grad(lambda t: t[idx] ** 2, x)
    check_grad(lambda t: t[1:, ::2] * 3.0 if n > 1 else t[:, ::2], x)
    check_grad(lambda t: t[idx, idx % 3], x)


def test_getitem_repeated_index_closed_form():
    t = Tensor([1.0, 2.0, 3.0])
    t[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(t.grad, [3.0, 0.0, 1.0])


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_scatter_add_gradient(data):
    n = data.draw(st.integers(1, 5))
    idx = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=6)))
    g = data.draw(arrays((len(idx),)))

    def scatter(t):
        return ops.ScatterAdd(idx, (n,)).apply(t) ** 2

    check_grad(scatter, g)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_broadcast_to_and_sum_to_gradient(data):
    small, big = data.draw(broadcastable_shape_pairs())
    target = np.broadcast_shapes(small, big)
    x = data.draw(arrays(small))
    check_grad(lambda t: t.broadcast_to(target) ** 2, x)
    y = data.draw(arrays(target))
    check_grad(lambda t: t.sum_to(small) ** 2, y)


def test_cast_gradient_and_dtype():
    x = np.array([0.5, -1.5, 2.0])
    check_grad(
        lambda t: t.astype("float32").astype("float64") ** 2, x, eps=1e-2, atol=1e-4, rtol=1e-4
    )
    t = Tensor(x)
    y = t.astype("float32")
    assert y.dtype == np.float32
    (y * y).sum().backward()
    assert t.grad.dtype == np.float64


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_concatenate_and_stack_gradient(data):
    rows = [data.draw(st.integers(1, 3)) for _ in range(3)]
    parts = [data.draw(arrays((r, 2))) for r in rows]
    check_grad(lambda a, b, c: concatenate([a, b * 2.0, c], axis=0) ** 2, *parts)
    same = [data.draw(arrays((2, 3))) for _ in range(3)]
    axis = data.draw(st.integers(-3, 2))
    check_grad(lambda a, b, c: stack([a, b, c * c], axis=axis), *same)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_where_maximum_minimum_gradient(data):
    shape = data.draw(shapes(min_dims=1))
    a = data.draw(arrays(shape))
    b = a + data.draw(arrays(shape, 0.1, 1.0)) * np.where(a > 0, -1, 1)  # never ties
    cond = a > 0
    check_grad(lambda x, y: where(cond, x * x, y), a, b)
    check_grad(lambda x, y: x.maximum(y), a, b)
    check_grad(lambda x, y: x.minimum(y), a, b)
    check_grad(lambda x: x.clip(-1.0, 1.0), a + np.where(np.abs(np.abs(a) - 1) < 0.05, 0.1, 0))


def _window_settings(draw):
    """Small kernel/stride/dilation/padding and an image big enough for one window."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    height = draw(st.integers(max(1, span[0] - sum(padding[0])), 5))
    width = draw(st.integers(max(1, span[1] - sum(padding[1])), 5))
    shape = (draw(st.integers(1, 2)), height, width, draw(st.integers(1, 2)))
    return shape, (kernel, stride, dilation, padding)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_im2col_and_col2im_gradient(data):
    shape, window = _window_settings(data.draw)
    x = data.draw(arrays(shape))
    check_grad(lambda t: kernels.Im2Col(*window).apply(t) ** 2, x)
    cols_shape = kernels.Im2Col(*window).forward(backends.ArrayMath, x).shape
    cols = data.draw(arrays(cols_shape))
    check_grad(lambda c: kernels.Col2Im(shape, *window).apply(c) ** 2, cols)


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_im2col_and_col2im_are_adjoint(data):
    """<im2col(x), c> == <x, col2im(c)>: each is the other's derivative."""
    shape, window = _window_settings(data.draw)
    x = data.draw(arrays(shape))
    cols = kernels.Im2Col(*window).forward(backends.ArrayMath, x)
    c = data.draw(arrays(cols.shape))
    back = kernels.Col2Im(shape, *window).forward(backends.ArrayMath, c)
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back), rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------- second order on tensors
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_tensor_second_derivatives_of_composites(data):
    """Gradients of gradients through matmul, sum, max, getitem, broadcasting."""
    w = data.draw(arrays((3, 2)))
    x = data.draw(arrays((4, 3), -1, 1))

    def grad_norm(weights):
        h = (Tensor(x, requires_grad=False) @ weights).tanh()
        loss = (h[np.array([0, 1, 1])] ** 2).sum() + h.sigmoid().mean(axis=0).sum()
        cols = kernels.Im2Col((2, 1), padding=((1, 0), (0, 0))).apply(h[None, :, :, None])
        loss = loss + (cols**3).sum()
        (gw,) = grad(loss, [weights], create_graph=True)
        return (gw * gw).sum()

    check_grad(grad_norm, w, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_softmax_cross_entropy_gradient_first_and_second_order(reduction, data):
    batch = data.draw(st.sampled_from([(1,), (3,), (2, 2)]))
    classes = data.draw(st.integers(2, 5))
    z = data.draw(arrays(batch + (classes,), -4, 4))
    raw = data.draw(arrays(batch + (classes,), 0.05, 1.0))
    targets = raw / raw.sum(axis=-1, keepdims=True)

    def loss(t):
        return kernels.SoftmaxCrossEntropy(targets, reduction).apply(t)

    check_grad(loss, z)

    def gradient_norm(t):
        (g,) = grad(loss(t).sum(), [t], create_graph=True)
        return (g * g).sum()

    check_grad(gradient_norm, z, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_softmax_cross_entropy_equals_the_log_softmax_composite(reduction):
    from microgradnn.functional import log_softmax

    z = np.array([[1000.0, -1000.0, 3.0], [0.5, 0.2, -0.1], [-2.0, 0.0, 2.0]])
    targets = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    fused_input, composite_input = Tensor(z), Tensor(z)
    fused = kernels.SoftmaxCrossEntropy(targets, reduction).apply(fused_input)
    per_row = -(Tensor(targets) * log_softmax(composite_input)).sum(axis=-1)
    composite = {"none": per_row, "sum": per_row.sum(), "mean": per_row.mean()}[reduction]
    np.testing.assert_allclose(fused.data, composite.data, rtol=1e-12)
    assert np.shape(fused.data) == np.shape(composite.data)
    upstream = np.linspace(0.5, 1.5, per_row.size).reshape(per_row.shape)
    seed = upstream if reduction == "none" else None
    fused.backward(seed)
    composite.backward(seed)
    np.testing.assert_allclose(fused_input.grad, composite_input.grad, rtol=1e-12, atol=1e-15)


def test_softmax_cross_entropy_refuses_an_unknown_reduction():
    with pytest.raises(ValueError, match="reduction"):
        kernels.SoftmaxCrossEntropy(np.eye(2), "average")


def _lstm_op(op):
    """The op as a function of Tensors (gates: x, W_ih, h, W_hh[, b]; others: gates, c)."""
    return lambda *inputs: op.apply(*inputs)


@st.composite
def _lstm_op_inputs(draw, max_size=3):
    """(op, inputs) for one of the fused LSTM and GRU ops, small sizes, moderate values."""
    n, features, units = (draw(st.integers(1, max_size)) for _ in range(3))
    kind = draw(
        st.sampled_from(
            ["gates", "gates_no_bias", "memory", "output", "gru", "gru_no_bias", "gru_output"]
        )
    )
    blocks = 3 if kind.startswith("gru") else 4
    if kind in ("gates", "gates_no_bias", "gru", "gru_no_bias"):
        shapes_ = [(n, features), (features, blocks * units), (n, units), (units, blocks * units)]
        if not kind.endswith("no_bias"):
            shapes_ += [(blocks * units,)] * (2 if blocks == 3 else 1)  # GRU: b_ih and b_hh
        inputs = [draw(arrays(s, -1.5, 1.5)) for s in shapes_]
        return (kernels.GruGates() if blocks == 3 else kernels.LSTM_GATES), inputs
    gates = draw(arrays((n, blocks * units), -1, 1))  # any numbers: the ops are smooth in them
    state = draw(arrays((n, units), -2, 2))
    op = {
        "memory": kernels.LSTM_MEMORY,
        "output": kernels.LstmOutput(),
        "gru_output": kernels.GRU_OUTPUT,
    }
    return op[kind], [gates, state]


@settings(max_examples=40, deadline=None)
@given(case=_lstm_op_inputs())
def test_lstm_ops_gradient(case):
    op, inputs = case
    check_grad(_lstm_op(op), *inputs)


@settings(max_examples=15, deadline=None)
@given(case=_lstm_op_inputs(max_size=2), data=st.data())
def test_lstm_ops_second_order(case, data):
    op, inputs = case
    upstream = data.draw(arrays(op.forward(backends.ArrayMath, *inputs).shape))

    def gradient_norm(*xs):  # differentiate the size of the gradient: second derivatives
        loss = (_lstm_op(op)(*xs) * Tensor(upstream, requires_grad=False)).sum()
        grads = grad(loss, list(xs), create_graph=True)
        return sum((g * g).sum() for g in grads)

    check_grad(gradient_norm, *inputs, rtol=1e-4, atol=1e-6)


def test_lstm_gates_are_sigmoid_sigmoid_tanh_sigmoid_of_the_affine_map():
    rng = np.random.default_rng(0)
    x, w_ih, h, w_hh, b = (rng.normal(size=s) * 3 for s in [(2, 3), (3, 8), (2, 2), (2, 8), (8,)])
    z = x @ w_ih + h @ w_hh + b
    expected = np.concatenate(
        [1 / (1 + np.exp(-z[:, :4])), np.tanh(z[:, 4:6]), 1 / (1 + np.exp(-z[:, 6:]))], axis=1
    )
    gates = kernels.LSTM_GATES.forward(backends.ArrayMath, x, w_ih, h, w_hh, b)
    np.testing.assert_allclose(gates, expected, rtol=1e-13, atol=1e-15)
    huge_z = [np.array([[1e4], [-1e4]]), np.ones((1, 4)), np.zeros((2, 1)), np.zeros((1, 4))]
    extreme = kernels.LSTM_GATES.forward(backends.ArrayMath, *huge_z)
    np.testing.assert_array_equal(extreme, [[1, 1, 1, 1], [0, 0, -1, 0]])  # no nan, no warning
    with pytest.raises(ValueError, match="4 blocks as wide as the memory"):
        kernels.LSTM_MEMORY.forward(backends.ArrayMath, gates, np.zeros((2, 3)))


def test_lstm_output_reuses_its_saved_tanh_only_for_its_own_output():
    op = kernels.LstmOutput()  # one object, two nodes: the second forward replaces the saved tanh
    gates, c1, c2 = Tensor(np.full((1, 4), 0.5)), Tensor([[0.3]]), Tensor([[-2.0]])
    first = op.apply(gates, c1)
    op.apply(gates, c2)
    first.sum().backward()
    np.testing.assert_allclose(c1.grad, 0.5 * (1 - np.tanh(0.3) ** 2), rtol=1e-14)
    np.testing.assert_allclose(gates.grad, [[0, 0, 0, np.tanh(0.3)]], rtol=1e-14)


def test_leaky_relu_and_elu_slopes_at_zero_are_never_zero():
    for function, alpha in ((leaky_relu, 0.2), (elu, 0.7)):
        x = Value(0.0)
        function(x, alpha=alpha).backward()
        assert x.grad == alpha  # like PyTorch: the left-hand slope at the kink
        t = Tensor([0.0, 1.0, -1.0])
        function(t, alpha=alpha).sum().backward()
        assert t.grad[0] == alpha and t.grad[1] == 1.0


def test_gru_gates_are_sigmoid_sigmoid_tanh_with_the_reset_gate_on_the_recurrent_part():
    rng = np.random.default_rng(0)
    shapes_ = [(2, 3), (3, 6), (2, 2), (2, 6), (6,), (6,)]
    x, w_ih, h, w_hh, b_ih, b_hh = (rng.normal(size=s) * 3 for s in shapes_)
    a, b = x @ w_ih + b_ih, h @ w_hh + b_hh
    r, z = (1 / (1 + np.exp(-(a[:, k : k + 2] + b[:, k : k + 2]))) for k in (0, 2))
    n = np.tanh(a[:, 4:] + r * b[:, 4:])
    gates = kernels.GruGates().forward(backends.ArrayMath, x, w_ih, h, w_hh, b_ih, b_hh)
    np.testing.assert_allclose(gates, np.concatenate([r, z, n], axis=1), rtol=1e-13, atol=1e-15)
    huge = [np.array([[1e4], [-1e4]]), np.ones((1, 3)), np.zeros((2, 1)), np.zeros((1, 3))]
    extreme = kernels.GruGates().forward(backends.ArrayMath, *huge)
    np.testing.assert_array_equal(extreme, [[1, 1, 1], [0, 0, -1]])  # no nan, no warning
    with pytest.raises(ValueError, match="3 blocks as wide as the state"):
        kernels.GRU_OUTPUT.forward(backends.ArrayMath, gates, np.zeros((2, 3)))


def test_gru_gates_reuse_the_saved_recurrent_candidate_only_for_their_own_output():
    op = kernels.GruGates()  # one object, two nodes: the second forward replaces what was saved
    x, w_ih = Tensor([[0.5]], requires_grad=False), Tensor([[0.1, 0.2, 0.3]])
    w_hh = Tensor([[0.4, -0.5, 0.6]])
    h1, h2 = Tensor([[0.7]]), Tensor([[-1.5]])
    first = op.apply(x, w_ih, h1, w_hh)
    op.apply(x, w_ih, h2, w_hh)
    first[:, 2].sum().backward()  # d n / d h through both tanh arguments
    r, n = first.data[0, 0], first.data[0, 2]
    dn_dh = (1 - n * n) * (r * 0.6 + 0.6 * 0.7 * r * (1 - r) * 0.4)
    np.testing.assert_allclose(h1.grad, [[dn_dh]], rtol=1e-12)


def test_softmax_cross_entropy_reuses_its_saved_softmax_only_for_its_own_output():
    targets = np.array([[1.0, 0.0, 0.0]])
    op = kernels.SoftmaxCrossEntropy(targets)  # one object, two nodes
    z1, z2 = Tensor([[0.5, -1.0, 2.0]]), Tensor([[3.0, 0.0, -3.0]])
    first = op.apply(z1)
    op.apply(z2)  # replaces what the op saved
    first.sum().backward()
    expected = np.exp(z1.data) / np.exp(z1.data).sum() - targets
    np.testing.assert_allclose(z1.grad, expected, rtol=1e-14)
