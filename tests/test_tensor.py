"""The tensor engine: numpy interop, dtypes, broadcasting, errors, stability."""

import warnings

import numpy as np
import pytest

from microgradnn import Tensor, concatenate, grad, no_grad, stack
from microgradnn.testing import check_grad


def test_numpy_interop_and_repr():
    t = Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert np.asarray(t) is t.data
    assert t.numpy() is t.data
    assert Tensor(5).item() == 5.0 and float(Tensor([2.0])) == 2.0
    text = repr(t)
    assert "shape=(2, 2)" in text and "float64" in text
    assert len(t) == 2 and [row.shape for row in t] == [(2,), (2,)]


def test_ndarray_on_the_left_defers_to_tensor():
    t = Tensor([1.0, 2.0])
    out = np.array([3.0, 4.0]) * t
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [3.0, 4.0])


def test_integer_input_becomes_float64():
    assert Tensor([1, 2, 3]).dtype == np.float64


def test_float32_is_kept_end_to_end():
    w = Tensor(np.ones((3, 2), dtype=np.float32))
    x = Tensor(np.ones((4, 3), dtype=np.float32), requires_grad=False)
    loss = ((x @ w).sigmoid() * 2.5 + 1).log().mean()
    assert loss.dtype == np.float32
    loss.backward()
    assert w.grad.dtype == np.float32


def test_broadcasting_gradient_is_reduced_to_each_input_shape():
    a = Tensor(np.ones((4, 1, 3)))
    b = Tensor(np.ones((2, 1)))
    (a * b).sum().backward()
    assert a.grad.shape == (4, 1, 3) and b.grad.shape == (2, 1)
    np.testing.assert_array_equal(a.grad, np.full((4, 1, 3), 2.0))
    np.testing.assert_array_equal(b.grad, np.full((2, 1), 12.0))


def test_backward_on_non_scalar_requires_gradient():
    t = Tensor([1.0, 2.0]) * 2
    with pytest.raises(ValueError, match="upstream gradient"):
        t.backward()
    with pytest.raises(ValueError, match="shape"):
        t.backward(np.ones(3))
    t.backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(t.parents[0].grad, [2.0, 20.0])


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(3, 4\) @ \(5, 2\)"):
        Tensor(np.ones((3, 4))) @ Tensor(np.ones((5, 2)))


@pytest.mark.parametrize("bad", ["abc", None, [1, "a"], [[1.0, 2.0], [3.0]]])
def test_bad_data_is_rejected_clearly(bad):
    with pytest.raises((TypeError, ValueError), match="Tensor needs"):
        Tensor(bad)


def test_bad_axis_and_reshape_errors():
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        t.sum(axis=2)
    with pytest.raises(ValueError, match="cannot reshape"):
        t.reshape(4, 2)
    with pytest.raises(IndexError, match="out of range"):
        t[5]


def test_stable_functions_without_warnings():
    x = Tensor([-1000.0, 0.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = x.sigmoid()
        np.testing.assert_array_equal(s.data, [0.0, 0.5, 1.0])
        assert np.isinf(x.exp().data[-1])
        assert Tensor([0.0]).log().data[0] == -np.inf
        s.sum().backward()
        assert np.all(np.isfinite(x.grad))
    with pytest.raises(ValueError, match="negative"):
        Tensor([-1.0]).log()


def test_no_grad_and_detach():
    w = Tensor([1.0, 2.0])
    with no_grad():
        y = w * 3
    assert not y.requires_grad and y.parents == ()
    assert not w.detach().requires_grad
    with pytest.raises(ValueError, match="no_grad"):
        y.sum().backward()


def test_retain_graph_false_frees_the_graph():
    w = Tensor([1.0, 2.0])
    h = (w * w).tanh()
    loss = h.sum()
    loss.backward(retain_graph=False)
    assert loss.parents == () and h.parents == ()
    assert w.grad is not None and w.requires_grad  # leaves keep learning
    with pytest.raises(RuntimeError, match="retain_graph=False"):
        loss.backward()  # a second pass through a freed graph is refused, not silently wrong


def test_stack_concatenate_errors():
    with pytest.raises(ValueError, match="one shape"):
        stack([Tensor([1.0]), Tensor([1.0, 2.0])])
    with pytest.raises(ValueError, match="cannot concatenate"):
        concatenate([Tensor(np.ones((2, 2))), Tensor(np.ones((3, 3)))], axis=0)


def test_hessian_vector_product_of_mlp_loss_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(8, 3)), requires_grad=False)
    y = Tensor(rng.normal(size=(8, 1)), requires_grad=False)
    w1_0, w2_0 = rng.normal(size=(3, 4)), rng.normal(size=(4, 1))
    v1, v2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 1))

    def loss_and_grads(w1_data, w2_data, create_graph):
        w1, w2 = Tensor(w1_data), Tensor(w2_data)
        loss = (((x @ w1).tanh() @ w2 - y) ** 2).mean()
        return w1, w2, grad(loss, [w1, w2], create_graph=create_graph)

    w1, w2, (g1, g2) = loss_and_grads(w1_0, w2_0, True)
    hv = grad((g1 * Tensor(v1, requires_grad=False)).sum() + (g2 * v2).sum(), [w1, w2])
    eps = 1e-5
    _, _, plus = loss_and_grads(w1_0 + eps * v1, w2_0 + eps * v2, False)
    _, _, minus = loss_and_grads(w1_0 - eps * v1, w2_0 - eps * v2, False)
    for analytic, p, m in zip(hv, plus, minus):
        np.testing.assert_allclose(analytic, (p - m) / (2 * eps), rtol=1e-5, atol=1e-7)


def test_gradient_penalty_can_be_backpropagated():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 2))
    w0 = rng.normal(size=(2, 1))

    def penalized(w):
        y_hat = (Tensor(x, requires_grad=False) @ w).sigmoid()
        (gw,) = grad(y_hat.sum(), [w], create_graph=True)
        return ((y_hat - 1.0) ** 2).mean() + 0.1 * (gw * gw).sum()

    check_grad(penalized, w0)


def test_backward_create_graph_stores_differentiable_grads():
    x = Tensor([2.0])
    (x**3).sum().backward(create_graph=True)
    assert isinstance(x.grad, Tensor)
    np.testing.assert_allclose(x.grad.data, [12.0])
    (dx2,) = grad(x.grad.sum(), [x])
    np.testing.assert_allclose(dx2, [12.0])


def test_parity_composites_with_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a_np, b_np = rng.normal(size=(4, 3)), rng.normal(size=(3, 5))
    c_np = rng.uniform(0.5, 2.0, size=(1, 5))

    def expression(a, b, c, lib):
        h = (a @ b) * c - c.sqrt() / (1 + (a @ b) ** 2)
        h = h.tanh() + (h * 0.5).sigmoid() * h.exp().log()
        idx = [0, 2, 2]
        return (
            (h[idx] ** 2).sum() + h.max(1)[0].sum()
            if lib == "torch"
            else ((h[np.array(idx)] ** 2).sum() + h.max(axis=1).sum())
        )

    ours = [Tensor(v) for v in (a_np, b_np, c_np)]
    out = expression(*ours, "ours")
    out.backward()
    theirs = [torch.tensor(v, requires_grad=True) for v in (a_np, b_np, c_np)]
    t_out = expression(*theirs, "torch")
    t_out.backward()
    assert out.item() == pytest.approx(t_out.item(), rel=1e-12)
    for mine, ref in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("create_graph", [False, True])
def test_max_splits_the_gradient_equally_between_tied_maxima(create_graph):
    x = Tensor([[1.0, 3.0, 5.0], [1.0, 2.0, 5.0], [1.0, 2.0, 0.0]])
    weights = np.array([2.0, 3.0, 4.0])
    (g,) = grad((x.max(axis=0) * weights).sum(), [x], create_graph=create_graph)
    expected = np.array([[2 / 3, 3.0, 2.0], [2 / 3, 0.0, 2.0], [2 / 3, 0.0, 0.0]])
    np.testing.assert_allclose(g.data if create_graph else g, expected, rtol=1e-12)


@pytest.mark.parametrize("bias_shape", [(4,), (3, 4), (1, 4)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bias_gradient_is_the_upstream_summed_over_the_broadcast_axes(bias_shape, dtype):
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(5, 3, 4)), requires_grad=False, dtype=dtype)
    bias = Tensor(rng.normal(size=bias_shape), dtype=dtype)
    upstream = rng.normal(size=(5, 3, 4)).astype(dtype)
    (x + bias).backward(upstream)
    summed = upstream.astype(np.float64).sum(axis=0)
    expected = summed.sum(axis=0, keepdims=True) if bias_shape == (1, 4) else summed
    expected = expected.sum(axis=0) if bias_shape == (4,) else expected
    assert bias.grad.shape == bias_shape and bias.grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(bias.grad, expected, rtol=1e-5 if dtype == "float32" else 1e-12)
