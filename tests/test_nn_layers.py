"""Tensor layers: Dense, initializers, Dropout, Flatten, Activation, Sequential; a tensor
MLP learning a synthetic task."""

import numpy as np
import pytest
from hypothesis import given, settings

from microgradnn import Tensor, optim
from microgradnn import functional as F
from microgradnn.nn import (
    INITIALIZERS,
    Activation,
    Dense,
    Dropout,
    Flatten,
    Linear,
    Sequential,
    initialize,
    losses,
)
from microgradnn.testing import arrays, check_grad


def test_dense_computes_x_at_w_plus_b_then_activation():
    layer = Dense(3, 2, activation="tanh", seed=0)
    layer.bias.data = np.array([0.5, -0.5])
    x = np.random.default_rng(0).normal(size=(4, 3))
    expected = np.tanh(x @ layer.weight.data + layer.bias.data)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-14)
    assert Linear is Dense


def test_dense_works_on_extra_leading_axes_and_without_bias():
    layer = Dense(3, 2, bias=False, seed=0)
    x = np.ones((2, 5, 3))
    assert layer(x).shape == (2, 5, 2)
    assert layer.bias is None and len(layer.parameters()) == 1
    assert "bias=False" in repr(layer)


@settings(max_examples=10, deadline=None)
@given(x=arrays((2, 3), -2, 2))
def test_dense_gradients_match_finite_differences(x):
    layer = Dense(3, 2, activation="sigmoid", seed=1)
    w, b = layer.weight.data, layer.bias.data + 0.1

    def through_layer(inputs, weight, bias):
        layer.weight, layer.bias = weight, bias
        return layer(inputs)

    check_grad(through_layer, x, w, b)


def test_dense_rejects_wrong_feature_count_with_a_clear_message():
    layer = Dense(4, 2)
    with pytest.raises(
        ValueError, match=r"Dense\(4 -> 2\) expects input with 4 features .* \(32, 3\)"
    ):
        layer(np.zeros((32, 3)))
    with pytest.raises(ValueError, match="positive integer in_features"):
        Dense(0, 2)
    with pytest.raises(ValueError, match="unknown initializer 'glorot'"):
        Dense(2, 2, init="glorot")
    with pytest.raises(ValueError, match="unknown activation"):
        Dense(2, 2, activation="swish")


def test_dense_seed_makes_weights_reproducible():
    a, b, c = Dense(5, 4, seed=7), Dense(5, 4, seed=7), Dense(5, 4, seed=8)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.weight.data, c.weight.data)
    rng = np.random.default_rng(0)
    first, second = Dense(5, 4, seed=rng), Dense(5, 4, seed=rng)  # a shared generator
    assert not np.array_equal(first.weight.data, second.weight.data)
    np.testing.assert_array_equal(a.bias.data, np.zeros(4))


def test_float32_layers_keep_float32_forward_and_backward():
    model = Sequential(
        [
            Dense(3, 4, activation="relu", dtype="float32", seed=0),
            Dense(4, 1, dtype="float32", seed=1),
        ]
    )
    x = np.random.default_rng(0).normal(size=(5, 3))  # float64 input is cast
    out = model(x)
    assert out.dtype == np.float32
    losses.mse(out, np.zeros((5, 1), dtype="float32")).backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())
    assert "dtype=float32" in repr(model[0])


@pytest.mark.parametrize(
    ("init", "expected_std"),
    [
        ("glorot_uniform", np.sqrt(2 / (400 + 300))),  # U(-a, a) has std a / sqrt(3)
        ("glorot_normal", np.sqrt(2 / (400 + 300))),
        ("he_uniform", np.sqrt(2 / 400)),
        ("he_normal", np.sqrt(2 / 400)),
        ("uniform", 1 / np.sqrt(3)),
    ],
)
def test_initializers_have_the_documented_spread(init, expected_std):
    w = initialize(init, (400, 300), fan_in=400, fan_out=300, rng=0)
    assert abs(w.mean()) < 0.02 * expected_std * 10
    assert w.std() == pytest.approx(expected_std, rel=0.02)
    if init.endswith("uniform"):
        assert np.abs(w).max() <= expected_std * np.sqrt(3)
    assert set(INITIALIZERS) >= {
        "glorot_uniform",
        "glorot_normal",
        "he_uniform",
        "he_normal",
        "zeros",
    }
    assert np.all(initialize("zeros", (2, 2), 2, 2) == 0)


def test_dropout_is_inverted_seeded_and_off_in_eval():
    x = np.ones((200, 50))
    layer = Dropout(0.3, seed=0)
    out = layer(x).data
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(out[kept], 1 / 0.7)
    assert abs(out.mean() - 1.0) < 0.03  # expectation preserved
    np.testing.assert_array_equal(Dropout(0.3, seed=0)(x).data, out)  # same seed, same mask
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, x)
    with pytest.raises(ValueError, match=r"must be in \[0, 1\)"):
        Dropout(1.0)


def test_dropout_gradient_flows_only_through_kept_units():
    t = Tensor(np.ones((4, 5)))
    out = Dropout(0.5, seed=1)(t)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, out.data)  # kept: 1/(1-p) = 2, dropped: 0


def test_flatten_keeps_the_batch_axis():
    t = Tensor(np.arange(24.0).reshape(2, 3, 4))
    out = Flatten()(t)
    assert out.shape == (2, 12)
    out.sum().backward()
    assert t.grad.shape == (2, 3, 4)


def test_sequential_list_or_arguments_add_index_and_errors():
    a, b = Dense(2, 3), Activation("relu")
    for model in (Sequential([a, b]), Sequential(a, b)):
        assert model.layers == [a, b] and model[1] is b and len(model) == 2
        assert list(model) == [a, b]
    assert isinstance(Sequential([a, b])[:1], Sequential)
    with pytest.raises(TypeError, match="did you forget the parentheses"):
        Sequential([Dense(2, 2), Flatten])


def test_activation_layer_passes_options_and_axis():
    probs = Activation("softmax", axis=0)(np.zeros((4, 2)))
    np.testing.assert_allclose(probs.data, 0.25)


def test_tensor_mlp_learns_three_spirals_quickly():
    """A synthetic task: three interleaved noisy spirals (not linearly separable)."""
    rng = np.random.default_rng(0)
    per_class, classes = 60, 3
    radius = np.tile(np.linspace(0.1, 1.0, per_class), classes)
    labels = np.repeat(np.arange(classes), per_class)
    angle = labels * 2 * np.pi / classes + radius * 3.0 + rng.normal(0, 0.1, radius.size)
    x = np.c_[radius * np.cos(angle), radius * np.sin(angle)]

    model = Sequential(
        [
            Dense(2, 32, activation="relu", init="he_normal", seed=1),
            Dense(32, 32, activation="relu", init="he_normal", seed=2),
            Dense(32, classes, seed=3),
        ]
    )
    opt = optim.Adam(model.parameters(), lr=0.02)
    logits = model(x)
    first_loss = losses.sparse_categorical_crossentropy(logits, labels, from_logits=True).item()
    for _ in range(300):
        opt.zero_grad()
        loss = losses.sparse_categorical_crossentropy(model(x), labels, from_logits=True)
        loss.backward()
        opt.step()
    accuracy = np.mean(np.argmax(model(x).data, axis=1) == labels)
    assert accuracy >= 0.95
    assert loss.item() < first_loss / 5
    np.testing.assert_allclose(F.softmax(model(x)).data.sum(axis=1), 1.0)
