"""Losses: values and gradients vs PyTorch, reductions, Value/Tensor agreement, errors."""

import numpy as np
import pytest
from hypothesis import given, settings

from microgradnn import Tensor, Value, grad
from microgradnn import functional as F
from microgradnn.nn import Dense, losses
from microgradnn.testing import arrays, check_grad

RNG = np.random.default_rng(0)
PRED = RNG.normal(size=(6, 4))
PROBS = 1 / (1 + np.exp(-PRED))  # in (0, 1), away from the clipping range
BINARY = (RNG.random((6, 4)) > 0.5).astype(float)
LABELS = RNG.integers(0, 4, size=6)
ONE_HOT = np.eye(4)[LABELS]
SIGNS = 2 * BINARY - 1
REDUCTIONS = ["mean", "sum", "none"]


def ours_and_grad(loss_fn, pred, target, **kw):
    x = Tensor(pred)
    out = loss_fn(x, target, **kw)
    upstream = np.linspace(0.5, 1.5, out.size).reshape(out.shape)
    (g,) = grad(out, [x], grad_outputs=upstream) if out.size > 1 else grad(out, [x])
    return out.data, g, upstream


def torch_and_grad(torch, loss_fn, pred, upstream):
    x = torch.tensor(pred, requires_grad=True)
    out = loss_fn(x)
    out.backward(torch.tensor(upstream) if out.numel() > 1 else None)
    return out.detach().numpy(), x.grad.numpy()


# name -> (our loss, predictions, targets, options)
CASES = {
    "mse": (losses.mse, PRED, BINARY, {}),
    "mae": (losses.mae, PRED, BINARY, {}),
    "bce": (losses.binary_crossentropy, PROBS, BINARY, {}),
    "bce_logits": (losses.binary_crossentropy, PRED, BINARY, {"from_logits": True}),
    "cce_logits": (losses.categorical_crossentropy, PRED, ONE_HOT, {"from_logits": True}),
    "cce_probs": (losses.categorical_crossentropy, PROBS, ONE_HOT, {}),
    "sparse_logits": (losses.sparse_categorical_crossentropy, PRED, LABELS, {"from_logits": True}),
    "sparse_probs": (losses.sparse_categorical_crossentropy, PROBS, LABELS, {}),
    "hinge": (losses.hinge, PRED, SIGNS, {}),
}


def torch_reference(torch, case, x, reduction):
    """The same loss written with torch (its own functions where torch has one)."""
    nnf, t = torch.nn.functional, torch.tensor
    r = reduction
    return {
        "mse": lambda: nnf.mse_loss(x, t(BINARY), reduction=r),
        "mae": lambda: nnf.l1_loss(x, t(BINARY), reduction=r),
        "bce": lambda: nnf.binary_cross_entropy(x, t(BINARY), reduction=r),
        "bce_logits": lambda: nnf.binary_cross_entropy_with_logits(x, t(BINARY), reduction=r),
        "cce_logits": lambda: nnf.cross_entropy(x, t(ONE_HOT), reduction=r),
        "cce_probs": lambda: _reduce_torch(-(t(ONE_HOT) * torch.log(x)).sum(-1), r),
        "sparse_logits": lambda: nnf.cross_entropy(x, t(LABELS), reduction=r),
        "sparse_probs": lambda: nnf.nll_loss(torch.log(x), t(LABELS), reduction=r),
        "hinge": lambda: _reduce_torch(torch.clamp(1 - t(SIGNS) * x, min=0), r),
    }[case]()


def _reduce_torch(values, reduction):
    return {"mean": values.mean, "sum": values.sum, "none": lambda: values}[reduction]()


@pytest.mark.parity
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_loss_values_and_gradients_match_torch(case, reduction):
    torch = pytest.importorskip("torch")
    loss_fn, pred, target, options = CASES[case]
    value, gradient, upstream = ours_and_grad(loss_fn, pred, target, reduction=reduction, **options)
    ref_value, ref_grad = torch_and_grad(
        torch, lambda x: torch_reference(torch, case, x, reduction), pred, upstream
    )
    np.testing.assert_allclose(value, ref_value, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gradient, ref_grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_loss_gradients_match_finite_differences(case):
    loss_fn, pred, target, options = CASES[case]
    check_grad(lambda x: loss_fn(x, target, reduction="none", **options), pred)


@settings(max_examples=20, deadline=None)
@given(logits=arrays((3, 4), -5, 5))
def test_softmax_cross_entropy_gradient_is_softmax_minus_target(logits):
    x = Tensor(logits)
    losses.categorical_crossentropy(x, ONE_HOT[:3], from_logits=True, reduction="sum").backward()
    np.testing.assert_allclose(x.grad, F.softmax(Tensor(logits)).data - ONE_HOT[:3], atol=1e-12)


def test_logit_losses_have_no_nan_at_plus_minus_1000():
    logits = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [0.0, 1000.0]])
    targets = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    for loss_fn in (losses.binary_crossentropy, losses.categorical_crossentropy):
        x = Tensor(logits)
        out = loss_fn(x, targets, from_logits=True, reduction="none")
        out.sum().backward()
        assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))
    x = Tensor(logits)
    bce = losses.binary_crossentropy(x, targets, from_logits=True, reduction="none").data
    np.testing.assert_allclose(bce, [[0, 0], [1000, 1000], [np.log(2), 0]], atol=1e-12)
    sparse = losses.sparse_categorical_crossentropy(Tensor(logits), [0, 0, 0], from_logits=True)
    assert np.isfinite(sparse.item())


def test_probability_losses_are_clipped_not_infinite():
    out = losses.binary_crossentropy(Tensor([0.0, 1.0]), [1.0, 0.0], reduction="none")
    np.testing.assert_allclose(out.data, -np.log(losses.EPSILON), rtol=1e-6)
    out = losses.categorical_crossentropy(Tensor([[0.0, 1.0]]), [[1.0, 0.0]])
    assert out.item() == pytest.approx(-np.log(losses.EPSILON))


def test_sparse_equals_categorical_with_one_hot_for_any_leading_shape():
    logits = RNG.normal(size=(2, 3, 5))
    labels = RNG.integers(0, 5, size=(2, 3))
    for from_logits, pred in ((True, logits), (False, F.softmax(Tensor(logits)).data)):
        sparse = losses.sparse_categorical_crossentropy(
            Tensor(pred), labels, from_logits=from_logits, reduction="none"
        )
        dense = losses.categorical_crossentropy(
            Tensor(pred), np.eye(5)[labels], from_logits=from_logits, reduction="none"
        )
        assert sparse.shape == (2, 3)
        np.testing.assert_allclose(sparse.data, dense.data, rtol=1e-12)


def test_value_lists_give_the_same_numbers_and_gradients_as_tensors():
    scores = [0.3, -1.2, 2.0, 0.9]
    labels = [1.0, -1.0, -1.0, 1.0]
    probs = [0.7, 0.2, 0.4, 0.99]
    binary = [1.0, 0.0, 1.0, 1.0]
    cases = [
        (losses.mse, scores, labels, {}),
        (losses.mae, scores, labels, {}),
        (losses.hinge, scores, labels, {}),
        (losses.binary_crossentropy, probs, binary, {}),
        (losses.binary_crossentropy, scores, binary, {"from_logits": True}),
    ]
    for loss_fn, pred, target, options in cases:
        for reduction in ("mean", "sum"):
            values = [Value(p) for p in pred]
            out_v = loss_fn(values, target, reduction=reduction, **options)
            out_v.backward()
            t = Tensor(pred)
            out_t = loss_fn(t, target, reduction=reduction, **options)
            out_t.backward()
            assert out_v.data == pytest.approx(out_t.item(), rel=1e-12)
            np.testing.assert_allclose([v.grad for v in values], t.grad, rtol=1e-12)
        per_item = loss_fn([Value(p) for p in pred], target, reduction="none", **options)
        assert isinstance(per_item, list) and len(per_item) == len(pred)


def test_categorical_losses_on_value_rows_match_tensors():
    rows = [[0.2, -1.0, 0.5], [2.0, 0.1, -0.3]]
    labels = [2, 0]
    for from_logits, pred in ((True, rows), (False, F.softmax(Tensor(rows)).data.tolist())):
        values = [[Value(x) for x in row] for row in pred]
        sparse = losses.sparse_categorical_crossentropy(values, labels, from_logits=from_logits)
        dense = losses.categorical_crossentropy(values, np.eye(3)[labels], from_logits=from_logits)
        expected = losses.sparse_categorical_crossentropy(
            Tensor(pred), labels, from_logits=from_logits
        ).item()
        assert sparse.data == pytest.approx(expected, rel=1e-12)
        assert dense.data == pytest.approx(expected, rel=1e-12)
    one_sample = losses.sparse_categorical_crossentropy(
        [Value(0.0), Value(0.0)], [1], from_logits=True
    )
    assert one_sample.data == pytest.approx(np.log(2))


def test_shape_and_label_errors_are_clear():
    with pytest.raises(ValueError, match=r"mse: y_pred has shape \(3, 2\) but y_true has shape"):
        losses.mse(Tensor(np.zeros((3, 2))), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="labels must be -1 or \\+1.*2\\*y - 1"):
        losses.hinge(Tensor([0.5, 0.5]), [0, 1])
    with pytest.raises(ValueError, match=r"targets must be probabilities in \[0, 1\]"):
        losses.binary_crossentropy(Tensor([0.5]), [2.0])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 4\).*max 4"):
        losses.sparse_categorical_crossentropy(Tensor(PRED[:2]), [0, 4])
    for from_logits in (False, True):  # a negative label never wraps around to the last class
        with pytest.raises(ValueError, match=r"labels must be in \[0, 4\), got min -1"):
            losses.sparse_categorical_crossentropy(
                Tensor(PRED[:2]), [-1, 2], from_logits=from_logits
            )
    with pytest.raises(ValueError, match="use sparse_categorical_crossentropy"):
        losses.categorical_crossentropy(Tensor(PRED), LABELS)
    with pytest.raises(ValueError, match="use categorical_crossentropy"):
        losses.sparse_categorical_crossentropy(Tensor(PRED), ONE_HOT)
    with pytest.raises(ValueError, match="labels must be integers"):
        losses.sparse_categorical_crossentropy(Tensor(PRED[:1]), [0.5])
    with pytest.raises(ValueError, match="reduction must be one of"):
        losses.mse(Tensor([1.0]), [1.0], reduction="average")
    with pytest.raises(ValueError, match="3 predictions but 2 targets"):
        losses.mse([Value(1.0)] * 3, [1.0, 2.0])


def test_column_predictions_accept_flat_targets():
    # a common pitfall: (N, 1) outputs against (N,) labels must not broadcast to (N, N)
    out = losses.mse(Tensor([[1.0], [3.0]]), np.array([1.0, 1.0]), reduction="none")
    assert out.shape == (2, 1)
    np.testing.assert_allclose(out.data, [[0.0], [4.0]])


def test_get_by_name_and_options():
    assert losses.get("mean_squared_error") is losses.mse
    assert losses.get(losses.hinge) is losses.hinge
    bce = losses.get("binary_crossentropy", from_logits=True)
    assert bce(Tensor([0.0]), [1.0]).item() == pytest.approx(np.log(2))
    assert bce(Tensor([0.0, 0.0]), [1.0, 0.0], reduction="sum").item() == pytest.approx(
        2 * np.log(2)
    )
    with pytest.raises(ValueError, match="unknown loss 'cross'"):
        losses.get("cross")


# ----------------------------------------------------------------------------------------
# penalties
# ----------------------------------------------------------------------------------------
def test_l1_and_l2_penalties_on_values_and_tensors():
    layer = Dense(3, 2, seed=0)
    w, b = layer.weight.data, layer.bias.data
    expected_l2 = 0.1 * (np.sum(w**2) + np.sum(b**2))
    assert losses.l2_penalty(layer, 0.1).item() == pytest.approx(expected_l2)
    assert losses.l2_penalty(0.1, layer.parameters()).item() == pytest.approx(expected_l2)
    l1 = losses.l1_penalty(layer, lam=0.5)
    l1.backward()
    np.testing.assert_allclose(layer.weight.grad, 0.5 * np.sign(w))
    values = [Value(1.5), Value(-2.0)]
    assert losses.l2_penalty(values, lam=2.0).data == pytest.approx(2.0 * (2.25 + 4.0))


def test_gradient_penalty_value_and_its_gradient_by_hand():
    # y = w1 * x + w2^2 x  =>  dy/dw1 = x, dy/dw2 = 2 w2 x
    # penalty P = lam (x^2 + 4 w2^2 x^2)  =>  dP/dw1 = 0, dP/dw2 = 8 lam w2 x^2
    w1, w2, x, lam = Value(0.7), Value(-1.3), 2.0, 0.25
    y = w1 * x + w2 * w2 * x
    penalty = losses.gradient_penalty(lam, y, [w1, w2])
    assert penalty.data == pytest.approx(lam * (x**2 + 4 * w2.data**2 * x**2))
    penalty.backward()
    assert w1.grad == pytest.approx(0.0)
    assert w2.grad == pytest.approx(8 * lam * w2.data * x**2)


@pytest.mark.parity
def test_gradient_penalty_matches_torch_on_a_dense_model():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(5, 3))
    layer1, layer2 = Dense(3, 4, activation="tanh", seed=1), Dense(4, 1, seed=2)
    params = [*layer1.parameters(), *layer2.parameters()]
    out = layer2(layer1(x))
    penalty = losses.gradient_penalty(out, params, lam=0.3)
    (loss := penalty + losses.mse(out, np.ones((5, 1)))).backward()

    tparams = [torch.tensor(p.data, requires_grad=True) for p in params]
    w1, b1, w2, b2 = tparams
    tout = torch.tanh(torch.tensor(x) @ w1 + b1) @ w2 + b2
    tgrads = torch.autograd.grad(tout.sum(), tparams, create_graph=True)
    tpenalty = 0.3 * sum((g * g).sum() for g in tgrads)
    tloss = tpenalty + ((tout - 1) ** 2).mean()
    tloss.backward()
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-10)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_penalty_argument_errors():
    with pytest.raises(TypeError, match="expected 2 argument"):
        losses.gradient_penalty(0.1, Value(1.0))
    with pytest.raises(ValueError, match="no parameters"):
        losses.l2_penalty([], lam=1.0)


@pytest.mark.parametrize("case", sorted(CASES))
def test_float32_predictions_give_float32_losses_and_gradients(case):
    loss_fn, pred, target, options = CASES[case]
    x = Tensor(pred, dtype="float32")
    out = loss_fn(x, target, **options)
    out.backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    reference = loss_fn(Tensor(pred), target, **options).item()
    assert out.item() == pytest.approx(reference, rel=1e-5)


@pytest.mark.parity
def test_per_sample_gradient_penalty_matches_torch_loop():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(4, 3))
    layer = Dense(3, 1, activation="tanh", seed=5)
    penalty = losses.gradient_penalty(0.2, layer(x), layer, per_sample=True)
    penalty.backward()

    w = torch.tensor(layer.weight.data, requires_grad=True)
    b = torch.tensor(layer.bias.data, requires_grad=True)
    out = torch.tanh(torch.tensor(x) @ w + b)
    terms = []
    for i in range(4):
        gw, gb = torch.autograd.grad(out[i].sum(), [w, b], create_graph=True)
        terms.append((gw * gw).sum() + (gb * gb).sum())
    tpenalty = 0.2 * sum(terms) / 4
    tpenalty.backward()
    assert penalty.item() == pytest.approx(tpenalty.item(), rel=1e-10)
    np.testing.assert_allclose(layer.weight.grad, w.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, b.grad.numpy(), rtol=1e-10)


def test_per_sample_penalty_of_value_list_equals_tensor_rows():
    x = [0.5, -2.0, 1.5]
    w = Value(0.8)
    values = losses.gradient_penalty([(w * xi).tanh() for xi in x], [w], lam=1.0, per_sample=True)
    expected = np.mean([(xi * (1 - np.tanh(0.8 * xi) ** 2)) ** 2 for xi in x])
    assert values.data == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_numpy_predictions_give_a_constant_tensor_loss(case):
    loss_fn, pred, target, options = CASES[case]
    out = loss_fn(pred, target, **options)
    assert isinstance(out, Tensor) and not out.requires_grad
    assert out.item() == pytest.approx(loss_fn(Tensor(pred), target, **options).item())
