"""Regression tests for issue 15: one test per confirmed bug (B1..B12) and per pitfall.

Each test failed on the code the issue was filed against. The expected numbers come from
closed forms, numpy or (when installed) torch, never from this package's own output.
"""

import itertools
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from microgradnn import Tensor, Value, detect_anomaly, grad, nn, no_grad, optim
from microgradnn.nn import losses
from microgradnn.nn.conv import avg_pool2d, max_pool2d


def signed_orders(ndim: int):
    """Every permutation of range(ndim) written with every mix of positive/negative axes."""
    for order in itertools.permutations(range(ndim)):
        for signs in itertools.product((False, True), repeat=ndim):
            yield tuple(a - ndim if negative else a for a, negative in zip(order, signs))


# --- B1: transpose with mixed-sign axes --------------------------------------------------
def test_b1_transpose_gradient_is_right_for_every_signed_axis_order():
    x_data = np.arange(24.0).reshape(2, 3, 4)
    wrong = []
    for axes in signed_orders(3):
        x = Tensor(x_data)
        positive = tuple(a % 3 for a in axes)
        w = np.arange(24.0).reshape(np.transpose(x_data, positive).shape) - 7.0
        (x.transpose(*axes) * Tensor(w, requires_grad=False)).sum().backward()
        # d(sum(w * x^T))/dx = w transposed back: w's axis k is x's axis positive[k]
        expected = np.transpose(w, np.argsort(positive))
        if not np.array_equal(x.grad, expected):
            wrong.append(axes)
    assert wrong == []


def test_b1_transpose_with_a_negative_last_axis_backpropagates():
    x = Tensor(np.ones((1, 1, 1, 2)))
    x.transpose(0, 1, 2, -1).sum().backward()
    assert x.grad.shape == (1, 1, 1, 2)
    np.testing.assert_array_equal(x.grad, np.ones((1, 1, 1, 2)))


def test_b1_sum_to_refuses_a_gradient_of_the_wrong_shape():
    # (3, 2) does not broadcast to (2, 3): reshaping its 6 numbers would silently scramble them
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        Tensor(np.ones((3, 2))).sum_to((2, 3))


# --- B2: reusing an intermediate after its graph was freed -------------------------------
def test_b2_backward_through_a_freed_intermediate_raises():
    x = Tensor([1.0, 2.0])
    h = x * x
    h.sum().backward(retain_graph=False)
    with pytest.raises((RuntimeError, ValueError), match="retain_graph"):
        (h * 2 + x).sum().backward()


# --- B3: cross-entropy from logits with targets that do not sum to 1 ---------------------
def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def test_b3_crossentropy_from_logits_with_rows_not_summing_to_one():
    z_data = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]])
    y = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    z = Tensor(z_data)
    loss = losses.categorical_crossentropy(z, y, from_logits=True)
    expected = -(y * _log_softmax(z_data)).sum(axis=-1).mean()
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.1045, abs=1e-4)  # the torch number
    loss.backward()
    softmax = np.exp(_log_softmax(z_data))
    row_sums = y.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(z.grad, (softmax * row_sums - y) / 2, rtol=1e-12)


def test_b3_crossentropy_from_logits_matches_probabilities_path():
    z_data = np.array([[0.2, -0.4, 1.1], [2.0, 0.0, -1.0], [0.5, 0.5, 0.5]])
    y = np.array([[0.5, 0.0, 0.0], [0.2, 0.3, 0.1], [0.0, 0.0, 0.0]])
    for reduction in ("none", "sum", "mean"):
        from_logits = losses.categorical_crossentropy(
            Tensor(z_data), y, reduction=reduction, from_logits=True
        )
        probs = Tensor(np.exp(_log_softmax(z_data)))
        from_probs = losses.categorical_crossentropy(probs, y, reduction=reduction)
        np.testing.assert_allclose(from_logits.data, from_probs.data, rtol=1e-9)


# --- B4, B5: grad() with repeated inputs and missing grad_outputs ------------------------
def test_b4_grad_with_the_same_input_twice_gives_it_twice():
    v = Value(2.0)
    assert grad(v**3, [v, v]) == [12.0, 12.0]


def test_b5_grad_outputs_must_match_outputs():
    v = Value(2.0)
    a, b = v * 2, v * 3
    with pytest.raises(ValueError, match="grad_outputs"):
        grad([a, b], [v], grad_outputs=[1.0])


# --- B6: ELU keeps float32 ----------------------------------------------------------------
def test_b6_elu_backward_keeps_float32():
    from microgradnn import functional as F

    x = Tensor(np.array([-1.0, 0.0, 2.0], dtype=np.float32))
    y = F.elu(x)
    y.sum().backward()
    assert y.dtype == np.float32
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [np.exp(-1.0), 1.0, 1.0], rtol=1e-6)


# --- B7: optimizer state for a Value parameter that got no gradient ----------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
        lambda p: optim.SGD(p, lr=0.1, weight_decay=0.1),
        lambda p: optim.Adam(p, lr=0.1),
        lambda p: optim.RMSprop(p, lr=0.1, momentum=0.9),
    ],
)
def test_b7_value_parameter_without_gradient_is_not_moved(make):
    used, unused = Value(1.0), Value(1.0)
    opt = make([used, unused])
    (used * unused).backward()  # step 1: both get a gradient
    opt.step()
    opt.zero_grad()
    before = unused.data
    (used * 3.0).backward()  # step 2: `unused` is not in the graph (torch skips it)
    opt.step()
    assert unused.data == before


# --- B8: in-place change between forward and backward ------------------------------------
def test_b8_optimizer_step_between_forward_and_backward_raises():
    w = Tensor([1.0, 2.0])
    loss = (w * w).sum()
    w.grad = np.ones(2)
    optim.SGD([w], lr=0.1).step()  # w changes after the graph saved it
    with pytest.raises(RuntimeError, match="modified"):
        loss.backward()


def test_b8_graph_built_after_a_change_is_fine_and_a_change_to_data_inputs_is_caught():
    w = Tensor([1.0, 2.0])
    x = Tensor([3.0, 4.0], requires_grad=False)  # data: no gradient, still checked
    w.bump_version()  # changed in place before the graph below exists
    loss = (w * x).sum()  # built after the change: nothing to complain about
    loss.backward()
    np.testing.assert_array_equal(w.grad, x.data)
    stale = (w * x).sum()
    x.data[0] = 10.0
    x.bump_version()  # the data input changed after `stale` used it
    with pytest.raises(RuntimeError, match="input 1 .*modified"):
        stale.backward()
    inner = w * 2.0  # changed between two nodes of one graph: the later node is fine,
    w.bump_version()  # the earlier one is not
    with pytest.raises(RuntimeError, match="'mul' input 0"):
        (inner + w).sum().backward()


# --- B9, B10: gradients are owned, writable arrays ---------------------------------------
def test_b9_gradients_do_not_alias_each_other_or_the_seed():
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    seed = np.array([1.0, 1.0])
    (a + b).backward(seed)
    assert not np.shares_memory(a.grad, b.grad)
    assert not np.shares_memory(a.grad, seed) and not np.shares_memory(b.grad, seed)
    a.grad += 1
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_b10_gradient_of_a_large_sum_is_writable():
    w = Tensor(np.ones(5000))
    w.sum().backward()
    assert w.grad.flags.writeable
    w.grad *= 0.5
    np.testing.assert_array_equal(w.grad, np.full(5000, 0.5))


# --- B11: Value follows IEEE 754 like Tensor (numpy) -------------------------------------
NAN, INF = math.nan, math.inf


@pytest.mark.parametrize(
    "name, value_fn, array_fn, x",
    [
        ("sigmoid(nan)", lambda v: v.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), NAN),
        ("relu(nan)", lambda v: v.relu(), lambda a: np.where(a > 0, a, a * 0), NAN),
        ("nan / 0", lambda v: v / 0, lambda a: a / 0.0, NAN),
        ("sin(inf)", lambda v: v.sin(), np.sin, INF),
        ("cos(-inf)", lambda v: v.cos(), np.cos, -INF),
        ("(-2) ** inf", lambda v: v**INF, lambda a: a**INF, -2.0),
        ("(-0.5) ** inf", lambda v: v**INF, lambda a: a**INF, -0.5),
        ("(-2) ** -inf", lambda v: v ** (-INF), lambda a: a ** (-INF), -2.0),
    ],
)
def test_b11_value_follows_ieee(name, value_fn, array_fn, x):
    with np.errstate(all="ignore"):
        expected = float(array_fn(np.float64(x)))
    # the same for Value and for Tensor, and without a RuntimeWarning (they are errors here)
    for got in (value_fn(Value(x)).data, float(value_fn(Tensor([x])).data[0])):
        assert got == expected or (math.isnan(got) and math.isnan(expected)), name


# --- B12: power-rule edges ----------------------------------------------------------------
@pytest.mark.parametrize("kind", [Value, Tensor])
def test_b12_derivative_of_x_to_the_zero_at_zero_is_zero(kind):
    x = kind(0.0)
    (x**0).sum().backward() if kind is Tensor else (x**0).backward()
    assert float(np.asarray(x.grad)) == 0.0


@pytest.mark.parametrize("kind", [Value, Tensor])
def test_b12_derivative_of_exponent_at_zero_base_is_zero(kind):
    a, b = kind(0.0), kind(2.0)
    out = a**b
    out.sum().backward() if kind is Tensor else out.backward()
    assert float(np.asarray(b.grad)) == 0.0  # torch: 0 ** b * log(0) taken as 0
    assert float(np.asarray(a.grad)) == 0.0  # 2 * 0 ** 1


@pytest.mark.parametrize("kind", [Value, Tensor])
def test_b12_negative_base_with_variable_exponent_gives_nan_only_for_the_exponent(kind):
    a, b = kind([-2.0] if kind is Tensor else -2.0), kind([2.0] if kind is Tensor else 2.0)
    out = a**b
    out.sum().backward() if kind is Tensor else out.backward()
    assert float(np.asarray(out.data).ravel()[0]) == 4.0
    assert float(np.asarray(a.grad).ravel()[0]) == -4.0  # b a^(b-1) = 2 * (-2)
    assert math.isnan(float(np.asarray(b.grad).ravel()[0]))  # a^b ln(a): ln(-2) undefined


@pytest.mark.parametrize(
    "base, exponent",
    [(0.0, 2.0), (0.0, 0.0), (0.0, -1.0), (0.0, 0.5), (-2.0, 2.0), (-2.0, 3.0), (-2.0, 0.0)],
)
def test_b12_power_rule_edges_match_torch(base, exponent):
    torch = pytest.importorskip("torch")
    ta = torch.tensor([base], dtype=torch.float64, requires_grad=True)
    tb = torch.tensor([exponent], dtype=torch.float64, requires_grad=True)
    (ta**tb).sum().backward()
    tc = torch.tensor([base], dtype=torch.float64, requires_grad=True)
    (tc**exponent).sum().backward()  # a constant exponent
    for kind in (Value, Tensor):
        a, b, c = kind(base), kind(exponent), kind(base)
        (a**b).sum().backward() if kind is Tensor else (a**b).backward()
        (c**exponent).sum().backward() if kind is Tensor else (c**exponent).backward()
        got = [float(np.asarray(x.grad)) for x in (a, b, c)]
        want = [float(t.grad[0]) for t in (ta, tb, tc)]
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=kind.__name__)


def test_b12_cli_graph_of_power_with_negative_base_does_not_crash(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "microgradnn", "graph", "x**y", "--values", "x=-2,y=2"]
        + ["--backward", "-o", str(tmp_path / "g.dot")],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # writes nothing into the repository
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert "4" in result.stderr  # f = 4


# --- pitfalls a new user hits -------------------------------------------------------------
def test_pitfall_scalar_mlp_accepts_a_numpy_row():
    model = nn.MLP(2, [3, 1], seed=0)
    x = np.array([[0.5, -1.0], [1.0, 2.0]])
    assert model(x[0]).data == model([0.5, -1.0]).data


def test_pitfall_math_function_on_a_value_warns_and_names_the_method():
    v = Value(1.0)
    with pytest.warns(UserWarning, match=r"v\.exp\(\)"):
        math.exp(v)
    with warnings.catch_warnings():  # a constant has no graph to lose: no warning
        warnings.simplefilter("error")
        assert float(Value(2.0, requires_grad=False)) == 2.0


def test_pitfall_equal_values_keep_hash_consistency():
    a, b = Value(2.0), Value(2.0)
    if a == b:  # whatever == means, equal objects must hash alike
        assert hash(a) == hash(b)
    items = [a, b]
    items.remove(b)
    assert items[0] is a
    assert len({a, b}) == 2  # two graph nodes, even with the same number


def test_pitfall_numpy_function_on_a_tensor_hints_the_method():
    with pytest.raises(TypeError, match=r"\.tanh\(\)"):
        np.tanh(Tensor([1.0, 2.0]))


def test_pitfall_no_grad_works_as_a_bare_decorator():
    @no_grad
    def double(x):
        return x * 2

    assert double(Value(1.0)).requires_grad is False


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
@pytest.mark.parametrize("padding", [2, 3])
def test_pitfall_pooling_padding_as_large_as_the_window_is_rejected(pool, padding):
    x = Tensor(np.random.default_rng(0).normal(size=(1, 3, 3, 1)))
    with pytest.raises(ValueError, match="padding"):
        pool(x, 2, stride=1, padding=padding)


def test_pitfall_detect_anomaly_flags_inf():
    with detect_anomaly(), pytest.raises(FloatingPointError, match="inf"):
        Value(1.0) / 0.0
