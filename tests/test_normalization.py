"""BatchNormalization and LayerNormalization: vs torch, vs finite differences, in training."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from microgradnn import Tensor, grad, nn, optim
from microgradnn.nn import BatchNormalization, LayerNormalization
from microgradnn.nn.normalization import normalize
from microgradnn.testing import arrays, check_grad

TOL = dict(rtol=1e-9, atol=1e-9)


def _rng(seed=0):
    return np.random.default_rng(seed)


def _randomize_affine(layer, seed=3):
    rng = _rng(seed)
    if layer.weight is not None:
        layer.weight.data = rng.normal(1.0, 0.5, layer.weight.shape)
    if layer.bias is not None:
        layer.bias.data = rng.normal(0.0, 0.5, layer.bias.shape)


def _torch_copy_affine(torch, layer, module):
    with torch.no_grad():
        if layer.weight is not None:
            module.weight.copy_(torch.from_numpy(layer.weight.data))
            module.bias.copy_(torch.from_numpy(layer.bias.data))


def _step(torch, layer, module, x, to_torch_layout, upstream):
    """One forward/backward on both; returns (ours, theirs) outputs and gradients."""
    ours_x = Tensor(x)
    out = layer(ours_x)
    (out * Tensor(upstream, requires_grad=False)).sum().backward()
    theirs_x = torch.tensor(to_torch_layout(x), requires_grad=True)
    theirs_out = module(theirs_x)
    (theirs_out * torch.from_numpy(to_torch_layout(upstream))).sum().backward()
    back = to_torch_layout  # both layouts here are their own inverse or the identity
    return (
        [out.data, ours_x.grad],
        [back(theirs_out.detach().numpy()), back(theirs_x.grad.numpy())],
    )


BN_CASES = {
    # name: (input shape ours, torch class, our axis, ours -> torch layout)
    "1d": ((8, 3), "BatchNorm1d", -1, lambda a: a),
    "1d_sequence_channels_first": ((6, 3, 5), "BatchNorm1d", 1, lambda a: a),
    "2d_channels_last": ((4, 5, 3, 3), "BatchNorm2d", -1, lambda a: a.transpose(0, 3, 2, 1)),
    "2d_channels_first": ((4, 3, 5, 2), "BatchNorm2d", 1, lambda a: a),
}


@pytest.mark.parametrize("affine", [True, False], ids=["affine", "no_affine"])
@pytest.mark.parametrize("case", BN_CASES, ids=list(BN_CASES))
def test_batch_normalization_equals_torch_in_training_and_evaluation(case, affine):
    torch = pytest.importorskip("torch")
    shape, kind, axis, layout = BN_CASES[case]
    torch_momentum, eps = 0.3, 1e-4
    layer = BatchNormalization(
        3, axis=axis, momentum=1 - torch_momentum, epsilon=eps, center=affine, scale=affine
    )
    module = getattr(torch.nn, kind)(3, eps=eps, momentum=torch_momentum, affine=affine).double()
    _randomize_affine(layer)
    _torch_copy_affine(torch, layer, module)
    rng = _rng(1)
    for step in range(4):  # running statistics after several steps
        x = rng.normal(step, 1.0 + step, shape)
        ours, theirs = _step(torch, layer, module, x, layout, rng.normal(size=shape))
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, **TOL)
    np.testing.assert_allclose(layer.running_mean, module.running_mean.numpy(), **TOL)
    np.testing.assert_allclose(layer.running_var, module.running_var.numpy(), **TOL)
    if affine:
        np.testing.assert_allclose(layer.weight.grad, module.weight.grad.numpy(), **TOL)
        np.testing.assert_allclose(layer.bias.grad, module.bias.grad.numpy(), **TOL)
    layer.eval(), module.eval()
    x = rng.normal(0.5, 2.0, shape)
    ours, theirs = _step(torch, layer, module, x, layout, rng.normal(size=shape))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, **TOL)
    np.testing.assert_allclose(layer.running_mean, module.running_mean.numpy(), **TOL)


@pytest.mark.parametrize("affine", [True, False], ids=["affine", "no_affine"])
@pytest.mark.parametrize("normalized_shape", [4, (3, 4)], ids=["last_axis", "last_two_axes"])
def test_layer_normalization_equals_torch(normalized_shape, affine):
    torch = pytest.importorskip("torch")
    layer = LayerNormalization(normalized_shape, epsilon=1e-5, center=affine, scale=affine)
    module = torch.nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=affine).double()
    _randomize_affine(layer)
    _torch_copy_affine(torch, layer, module)
    rng = _rng(2)
    x = rng.normal(1.0, 3.0, (2, 3, 4))
    ours, theirs = _step(torch, layer, module, x, lambda a: a, rng.normal(size=x.shape))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, **TOL)
    if affine:
        np.testing.assert_allclose(layer.weight.grad, module.weight.grad.numpy(), **TOL)
        np.testing.assert_allclose(layer.bias.grad, module.bias.grad.numpy(), **TOL)
    layer.eval()  # no running statistics: evaluation computes the same
    np.testing.assert_allclose(layer(x).data, ours[0], rtol=0, atol=0)


@pytest.mark.parametrize("which", ["batch", "layer"])
def test_second_derivatives_equal_torch(which):
    torch = pytest.importorskip("torch")
    rng = _rng(4)
    x = rng.normal(size=(5, 3))
    if which == "batch":
        layer = BatchNormalization(3, momentum=0.9, epsilon=1e-5)
        module = torch.nn.BatchNorm1d(3, eps=1e-5).double()
    else:
        layer = LayerNormalization(3, epsilon=1e-5)
        module = torch.nn.LayerNorm(3, eps=1e-5).double()
    _randomize_affine(layer)
    _torch_copy_affine(torch, layer, module)
    ours_x = Tensor(x)
    (g,) = grad((layer(ours_x) ** 3).sum(), [ours_x], create_graph=True)
    (gg,) = grad((g**2).sum(), [ours_x])
    theirs_x = torch.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad((module(theirs_x) ** 3).sum(), [theirs_x], create_graph=True)
    (tgg,) = torch.autograd.grad((tg**2).sum(), [theirs_x])
    np.testing.assert_allclose(g.data, tg.detach().numpy(), **TOL)
    np.testing.assert_allclose(gg, tgg.numpy(), rtol=1e-8, atol=1e-8)


# --- finite differences with Hypothesis inputs -----------------------------------------
def _spread_enough(x, axes):
    return bool(np.all(x.var(axis=axes) > 0.05))


@settings(max_examples=25, deadline=None)
@given(
    x=st.tuples(st.integers(2, 4), st.integers(1, 3)).flatmap(lambda s: arrays(s)),
    seed=st.integers(0, 100),
)
def test_batch_normalization_gradients_match_finite_differences(x, seed):
    assume(_spread_enough(x, 0))
    layer = BatchNormalization(x.shape[1], epsilon=1e-3)
    _randomize_affine(layer, seed)
    gamma, beta = layer.weight.data, layer.bias.data

    def f(x, gamma, beta):
        layer.weight, layer.bias = gamma, beta
        return layer(x)

    check_grad(f, x, gamma, beta, atol=1e-5, rtol=1e-4)


@settings(max_examples=25, deadline=None)
@given(x=st.tuples(st.integers(1, 3), st.integers(2, 5)).flatmap(lambda s: arrays(s)))
def test_layer_normalization_gradients_match_finite_differences(x):
    assume(_spread_enough(x, 1))
    layer = LayerNormalization(x.shape[1])
    _randomize_affine(layer)
    check_grad(lambda x: layer(x), x, atol=1e-5, rtol=1e-4)


@settings(max_examples=10, deadline=None)
@given(x=st.tuples(st.integers(2, 3), st.integers(2, 3)).flatmap(lambda s: arrays(s)))
def test_second_derivative_of_normalize_matches_finite_differences(x):
    assume(_spread_enough(x, 0) and _spread_enough(x, 1))

    def input_gradient(x):
        (g,) = grad((normalize(x, (0,), 1e-3)[0] ** 3).sum(), [x], create_graph=True)
        return g

    check_grad(input_gradient, x, atol=1e-4, rtol=1e-3)


# --- modes, state, training --------------------------------------------------------------
def test_running_statistics_follow_the_keras_momentum_rule():
    layer = BatchNormalization(2, momentum=0.8)
    x = np.array([[0.0, 10.0], [2.0, 30.0], [4.0, 20.0]])
    layer(x)
    np.testing.assert_allclose(layer.running_mean, 0.2 * x.mean(axis=0))
    np.testing.assert_allclose(layer.running_var, 0.8 + 0.2 * x.var(axis=0, ddof=1))
    assert layer.moving_mean is layer.running_mean and layer.gamma is layer.weight


def test_evaluation_uses_running_statistics_and_leaves_them_alone():
    layer = BatchNormalization(2, epsilon=0.0)
    layer.running_mean, layer.running_var = np.array([1.0, -1.0]), np.array([4.0, 0.25])
    layer.eval()
    out = layer(np.array([[3.0, 0.0]]))  # one sample is fine in evaluation
    np.testing.assert_allclose(out.data, [[1.0, 2.0]])
    np.testing.assert_array_equal(layer.running_mean, [1.0, -1.0])


def test_state_dict_saves_running_statistics_and_loads_them_back():
    model = nn.Sequential([nn.Dense(2, 3, seed=0), BatchNormalization(3)])
    model(_rng().normal(size=(6, 2)))
    state = model.state_dict()
    assert list(state) == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "layers.1.running_mean",
        "layers.1.running_var",
    ]
    fresh = nn.Sequential([nn.Dense(2, 3, seed=1), BatchNormalization(3)])
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.layers[1].running_var, model.layers[1].running_var)
    with pytest.raises(ValueError, match="running_mean"):
        fresh.load_state_dict({**state, "layers.1.running_mean": np.zeros(4)})


def test_fit_trains_and_predict_does_not_depend_on_the_batch():
    rng = _rng(5)
    x = rng.normal(3.0, 5.0, size=(128, 2))
    y = (x[:, 0] - 3.0 > 0).astype(float)
    model = nn.Sequential(
        [
            nn.Dense(2, 8, seed=0),
            BatchNormalization(8, momentum=0.9),
            nn.Activation("relu"),
            nn.Dense(8, 1, activation="sigmoid", seed=1),
        ]
    )
    model.compile(optim.Adam(model.parameters(), lr=0.02), "binary_crossentropy", ["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0, seed=0)
    assert min(history.history["loss"]) < 0.5 * history.history["loss"][0]
    loss, accuracy = model.evaluate(x, y)  # evaluation mode: running statistics
    assert accuracy > 0.9
    assert model.training  # fit restores the mode it found
    one_by_one = np.concatenate([model.predict(x[i : i + 1]) for i in range(4)])
    np.testing.assert_allclose(one_by_one, model.predict(x[:4]), rtol=1e-12)


def test_summary_counts_running_statistics_as_non_trainable_and_keeps_the_mode():
    model = nn.Sequential([nn.Dense(2, 4), BatchNormalization(4), LayerNormalization(4)])
    text = model.summary((2,), print_fn=None)  # shapes from a batch of one sample
    assert text.count("(None, 4)") == 3
    rows = [line.split() for line in text.splitlines() if "Normalization)" in line]
    assert [row[-1] for row in rows] == ["16", "8"]  # 4 γ + 4 β (+ 4 + 4 running)
    trainable = 2 * 4 + 4 + 4 + 4 + 4 + 4
    assert f"Total params: {trainable + 8}" in text and f"Trainable params: {trainable}" in text
    assert "Non-trainable params: 8" in text
    assert model.training and not model.layers[1].running_mean.any()


def test_repr_names_the_options():
    assert repr(BatchNormalization(3, momentum=0.9, center=False)).startswith(
        "BatchNormalization(3, momentum=0.9, epsilon=0.001, center=False)"
    )
    assert repr(LayerNormalization((2, 3))).startswith("LayerNormalization((2, 3), epsilon=0.001)")


@pytest.mark.parametrize(
    "make, x, message",
    [
        (lambda: BatchNormalization(3), np.ones((1, 3)), "more than one value per channel"),
        (lambda: BatchNormalization(3), np.ones((4, 2)), "expects 3 channels"),
        (lambda: BatchNormalization(3, axis=0), np.ones((3, 3)), "not the batch axis"),
        (lambda: LayerNormalization(3), np.ones((4, 2)), r"expects input ending in \(3,\)"),
        (lambda: BatchNormalization(3, momentum=10), None, "momentum in"),
        (lambda: LayerNormalization(3, epsilon=-1), None, "epsilon >= 0"),
    ],
)
def test_errors_name_the_problem(make, x, message):
    with pytest.raises(ValueError, match=message):
        make()(x)


# --- PyTorch export ----------------------------------------------------------------------
def test_to_torch_and_back_keep_numbers_and_running_statistics():
    torch = pytest.importorskip("torch")
    rng = _rng(6)
    model = nn.Sequential(
        [
            nn.Dense(3, 4, seed=0),
            BatchNormalization(4, momentum=0.7, epsilon=1e-4, center=False),
            LayerNormalization(4, epsilon=1e-5),
        ]
    )
    _randomize_affine(model.layers[2])
    for _ in range(3):
        model(rng.normal(size=(5, 3)))
    twin = nn.to_torch(model)
    bn = twin[1]
    assert type(bn).__name__ == "BatchNorm1d" and bn.momentum == pytest.approx(0.3)
    x = rng.normal(size=(5, 3))
    for mode in (True, False):
        model.train(mode), twin.train(mode)
        np.testing.assert_allclose(model(x).data, twin(torch.from_numpy(x)).detach().numpy(), **TOL)
    back = nn.from_torch(twin)
    assert back.layers[1].bias is None and back.layers[1].weight is not None
    assert back.layers[1].momentum == pytest.approx(0.7) and back.layers[2].epsilon == 1e-5
    np.testing.assert_allclose(back(x).data, model(x).data, **TOL)


def test_channels_last_images_export_with_an_axis_move():
    torch = pytest.importorskip("torch")
    layer = BatchNormalization(3)
    x = _rng(7).normal(size=(2, 4, 4, 3))
    layer(x)
    layer.eval()
    twin = nn.to_torch(layer)
    assert type(twin.inner).__name__ == "BatchNorm2d"
    np.testing.assert_allclose(layer(x).data, twin(torch.from_numpy(x)).detach().numpy(), **TOL)
    back = nn.from_torch(twin)
    np.testing.assert_allclose(back(x).data, layer(x).data, **TOL)


def test_saved_weights_carry_the_running_statistics(tmp_path):
    from microgradnn.train import load_weights, save_weights

    model = nn.Sequential([nn.Dense(2, 3, seed=0), BatchNormalization(3)])
    model(_rng(8).normal(2.0, 3.0, size=(10, 2)))
    path = save_weights(model, tmp_path / "weights")
    fresh = nn.Sequential([nn.Dense(2, 3, seed=1), BatchNormalization(3)])
    load_weights(fresh, path)
    x = _rng(9).normal(size=(4, 2))
    model.eval(), fresh.eval()
    np.testing.assert_array_equal(fresh(x).data, model(x).data)
    assert fresh.layers[1].running_mean.any()
