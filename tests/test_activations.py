"""Activation functions: derivatives vs finite differences, stability, SmeLU smoothness."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnn import Tensor, Value, grad
from microgradnn import functional as F
from microgradnn.nn import Activation, activations
from microgradnn.testing import arrays, check_grad, floats_in

# name -> (function, points to avoid: the kinks where the derivative jumps)
ELEMENTWISE = {
    "linear": (F.linear, []),
    "sigmoid": (F.sigmoid, []),
    "tanh": (F.tanh, []),
    "relu": (F.relu, [0.0]),
    "leaky_relu": (lambda x: F.leaky_relu(x, alpha=0.2), [0.0]),
    "elu": (lambda x: F.elu(x, alpha=1.5), [0.0]),
    "smelu": (lambda x: F.smelu(x, beta=0.7), []),  # C^1, but the 2nd derivative jumps
    "softplus": (F.softplus, []),
}

KINK_MARGIN = 0.05


def away_from(kinks):
    return floats_in(-4, 4).filter(lambda x: all(abs(x - k) > KINK_MARGIN for k in kinks))


def reference(name, x):
    """Textbook formulas with numpy, to compare values against."""
    return {
        "linear": lambda: x,
        "sigmoid": lambda: 1 / (1 + np.exp(-x)),
        "tanh": lambda: np.tanh(x),
        "relu": lambda: np.maximum(x, 0),
        "leaky_relu": lambda: np.where(x > 0, x, 0.2 * x),
        "elu": lambda: np.where(x > 0, x, 1.5 * (np.exp(np.minimum(x, 0)) - 1)),
        "smelu": lambda: np.where(
            x <= -0.7, 0.0, np.where(x >= 0.7, x, (x + 0.7) ** 2 / (4 * 0.7))
        ),
        "softplus": lambda: np.log1p(np.exp(x)),
    }[name]()


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_value_derivative_matches_finite_differences(name, data):
    function, kinks = ELEMENTWISE[name]
    x = data.draw(away_from(kinks))
    check_grad(function, x, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_tensor_derivative_and_value_match_reference(name, data):
    function, kinks = ELEMENTWISE[name]
    x = data.draw(
        arrays((5,), -4, 4).filter(
            lambda a: all(np.all(np.abs(a - k) > KINK_MARGIN) for k in kinks)
        )
    )
    check_grad(function, x)
    np.testing.assert_allclose(function(Tensor(x)).data, reference(name, x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_value_and_tensor_versions_agree(name):
    function, _ = ELEMENTWISE[name]
    xs = np.linspace(-3.1, 2.9, 13)
    tensor_out = function(Tensor(xs)).data
    value_out = [function(Value(float(x))).data for x in xs]
    np.testing.assert_allclose(value_out, tensor_out, rtol=1e-13, atol=1e-15)


@settings(max_examples=20, deadline=None)
@given(x=floats_in(-6, 6))
def test_softplus_derivative_is_sigmoid(x):
    v = Value(x)
    (dx,) = grad(F.softplus(v), [v])
    assert math.isclose(dx, 1 / (1 + math.exp(-x)), rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("beta", [0.3, 1.0, 2.5])
def test_smelu_value_and_derivative_continuous_at_plus_minus_beta(beta):
    def value_and_slope(x):
        v = Value(x)
        out = F.smelu(v, beta=beta)
        out.backward()
        return out.data, v.grad

    for edge in (-beta, beta):
        left, right = value_and_slope(edge - 1e-9), value_and_slope(edge + 1e-9)
        assert left[0] == pytest.approx(right[0], abs=1e-8)
        assert left[1] == pytest.approx(right[1], abs=1e-8)
    # and the pieces are what the formula says: flat, quadratic, identity
    assert value_and_slope(-beta - 1) == (0.0, 0.0)
    assert value_and_slope(beta + 1) == pytest.approx((beta + 1, 1.0))
    assert value_and_slope(0.0) == pytest.approx((beta / 4, 0.5))


def test_smelu_rejects_non_positive_beta():
    with pytest.raises(ValueError, match="beta > 0"):
        F.smelu(Value(1.0), beta=0.0)


def test_softplus_is_stable_for_huge_inputs():
    x = Tensor([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    out = F.softplus(x)
    out.sum().backward()
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(out.data[[0, 4]], [0.0, 1000.0])
    sigmoid = 1 / (1 + np.exp(-np.clip(x.data, -700, 700)))
    np.testing.assert_allclose(x.grad, sigmoid, rtol=1e-12, atol=1e-300)


# ----------------------------------------------------------------------------------------
# softmax / log_softmax
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_softmax_and_log_softmax_stable_at_1000_along_any_axis(axis):
    rng = np.random.default_rng(0)
    logits = rng.choice([-1000.0, 0.0, 1000.0], size=(3, 4, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = Tensor(logits)
        probs = F.softmax(x, axis=axis)
        log_probs = F.log_softmax(x, axis=axis)
        (probs * Tensor(rng.standard_normal(probs.shape), requires_grad=False)).sum().backward()
        log_probs.sum().backward()
    shifted = logits - logits.max(axis=axis, keepdims=True)
    expected_log = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    np.testing.assert_allclose(log_probs.data, expected_log)
    np.testing.assert_allclose(probs.data, np.exp(expected_log))
    np.testing.assert_allclose(probs.data.sum(axis=axis), 1.0)
    assert np.all(np.isfinite(x.grad))


@pytest.mark.parametrize("axis", [0, 1, -1])
@settings(max_examples=10, deadline=None)
@given(x=arrays((3, 4), -5, 5))
def test_softmax_gradients_match_finite_differences(axis, x):
    check_grad(lambda t: F.softmax(t, axis=axis), x)
    check_grad(lambda t: F.log_softmax(t, axis=axis), x)


def test_softmax_jacobian_is_diag_minus_outer():
    x = np.array([0.3, -1.2, 2.0])
    s = np.exp(x) / np.exp(x).sum()
    jacobian = []
    for i in range(3):
        t = Tensor(x)
        F.softmax(t)[i].backward()
        jacobian.append(t.grad)
    np.testing.assert_allclose(jacobian, np.diag(s) - np.outer(s, s), atol=1e-15)


def test_softmax_of_value_list_matches_tensor():
    scores = [0.5, -2.0, 1000.0, 999.0]
    values = [Value(s) for s in scores]
    probs = F.softmax(values)
    log_probs = F.log_softmax(values)
    np.testing.assert_allclose([p.data for p in probs], F.softmax(Tensor(scores)).data)
    np.testing.assert_allclose([p.data for p in log_probs], F.log_softmax(Tensor(scores)).data)
    log_probs[2].backward()
    np.testing.assert_allclose(
        [v.grad for v in values], np.eye(4)[2] - F.softmax(Tensor(scores)).data
    )


def test_logsumexp_matches_naive_formula_where_safe():
    x = np.random.default_rng(2).normal(size=(2, 3))
    np.testing.assert_allclose(F.logsumexp(Tensor(x), axis=1).data, np.log(np.exp(x).sum(1)))
    assert F.logsumexp(Tensor(x), axis=0, keepdims=True).shape == (1, 3)


def test_softmax_axis_out_of_range_is_a_clear_error():
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        F.softmax(Tensor(np.zeros((2, 2))), axis=2)


def test_one_hot_and_its_errors():
    np.testing.assert_array_equal(F.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        F.one_hot([3], 3)


# ----------------------------------------------------------------------------------------
# lookup by name and layers
# ----------------------------------------------------------------------------------------
def test_get_by_name_options_and_errors():
    assert activations.get(None) is F.linear
    assert activations.get("ReLU") is F.relu
    assert activations.get("leaky_relu", alpha=0.5)(Value(-2.0)).data == -1.0
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activations.get("swish")
    assert set(activations.NAMES) >= {"smelu", "softmax", "log_softmax", "softplus", "elu"}


def test_activation_layer_applies_the_function_on_arrays():
    layer = Activation("elu", alpha=2.0)
    out = layer(np.array([[-1.0, 1.0]]))
    np.testing.assert_allclose(out.data, [[2 * (np.exp(-1) - 1), 1.0]])
    assert "elu" in repr(layer) and "alpha=2.0" in repr(layer)


@pytest.mark.parity
def test_activations_match_torch():
    torch = pytest.importorskip("torch")
    x = np.linspace(-5, 5, 41) + 0.013  # avoid exact kinks
    pairs = {
        "sigmoid": (F.sigmoid, torch.sigmoid),
        "tanh": (F.tanh, torch.tanh),
        "relu": (F.relu, torch.relu),
        "leaky_relu": (
            lambda t: F.leaky_relu(t, 0.1),
            lambda t: torch.nn.functional.leaky_relu(t, 0.1),
        ),
        "elu": (lambda t: F.elu(t, 0.7), lambda t: torch.nn.functional.elu(t, 0.7)),
        "softplus": (F.softplus, torch.nn.functional.softplus),
    }
    for name, (ours, theirs) in pairs.items():
        t = Tensor(x)
        out = ours(t)
        out.sum().backward()
        tt = torch.tensor(x, requires_grad=True)
        ref = theirs(tt)
        ref.sum().backward()
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=name)
