"""to_torch / from_torch: same outputs both ways, weights copied, converters registry."""

import numpy as np
import pytest

from microgradnn.nn import (
    MLP,
    Activation,
    Dense,
    Dropout,
    Flatten,
    Module,
    Sequential,
    interop,
)

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.parity

X = np.random.default_rng(0).normal(size=(7, 3, 2))


def make_model(dtype="float64"):
    return Sequential(
        [
            Flatten(),
            Dense(6, 8, activation="relu", seed=0, dtype=dtype),
            Dropout(0.2, seed=0),
            Dense(8, 8, activation="leaky_relu", alpha=0.1, seed=1, dtype=dtype),
            Dense(8, 5, activation="smelu", beta=0.5, seed=2, dtype=dtype),
            Dense(5, 4, activation="elu", alpha=0.7, seed=3, dtype=dtype),
            Dense(4, 3, seed=4, dtype=dtype),
            Activation("log_softmax"),
        ]
    )


def test_to_torch_computes_the_same_function():
    model = make_model().eval()
    torch_model = interop.to_torch(model)
    assert not torch_model.training
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(model(X).data, expected, rtol=1e-12, atol=1e-14)
    assert sum(p.numel() for p in torch_model.parameters()) == model.num_parameters()


def test_weights_are_copies_not_shared():
    model = Dense(3, 2, seed=0)
    linear = interop.to_torch(model)
    np.testing.assert_array_equal(linear.weight.detach().numpy(), model.weight.data.T)
    with torch.no_grad():
        linear.weight.add_(1.0)
    assert not np.allclose(linear.weight.detach().numpy(), model.weight.data.T)


def test_round_trip_restores_the_same_layers_and_outputs():
    model = make_model().eval()
    back = interop.from_torch(interop.to_torch(model))
    # torch has no fused "Linear + activation": Dense(act) goes out as two modules and comes
    # back as one Dense(act). A separate Activation after a linear Dense is folded in too.
    merged = model.layers[:-2] + [model.layers[-2]]
    assert [type(layer) for layer in back.layers] == [type(layer) for layer in merged]
    assert [getattr(layer, "activation", None) for layer in back.layers] == [
        None,
        "relu",
        None,
        "leaky_relu",
        "smelu",
        "elu",
        "log_softmax",
    ]
    assert back[3].activation_options == {"alpha": 0.1} and back[4].activation_options == {
        "beta": 0.5
    }
    assert not back.training
    np.testing.assert_allclose(back(X).data, model(X).data, rtol=1e-12, atol=1e-14)


def test_from_torch_keeps_float32_and_matches_torch_outputs():
    torch.manual_seed(0)
    torch_model = torch.nn.Sequential(
        torch.nn.Linear(4, 6),
        torch.nn.Tanh(),
        torch.nn.Linear(6, 2),
        torch.nn.Softmax(dim=-1),
    )
    ours = interop.from_torch(torch_model)
    assert [type(layer).__name__ for layer in ours.layers] == ["Dense", "Dense"]
    assert ours[0].activation == "tanh" and ours[1].activation == "softmax"
    assert ours[0].weight.dtype == np.float32
    x = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(x).data, expected, rtol=1e-5, atol=1e-6)


def test_gradients_agree_after_conversion():
    model = Sequential([Dense(3, 4, activation="sigmoid", seed=0), Dense(4, 1, seed=1)])
    torch_model = interop.to_torch(model)
    x = X[:, :, 0]
    model(x).sum().backward()
    torch_model(torch.from_numpy(x)).sum().backward()
    np.testing.assert_allclose(
        model[0].weight.grad, torch_model[0].weight.grad.numpy().T, rtol=1e-12
    )


def test_unknown_layers_fail_with_a_hint_and_can_be_registered():
    class Double(Module):
        def forward(self, x):
            return x * 2

    with pytest.raises(TypeError, match="does not know how to convert Double.*register_converter"):
        interop.to_torch(Double())
    with pytest.raises(TypeError, match=r"torch.nn.GELU"):
        interop.from_torch(torch.nn.GELU())

    class TorchDouble(torch.nn.Module):
        def forward(self, x):
            return x * 2

    interop.register_converter(Double, lambda layer: TorchDouble(), lambda m: Double(), TorchDouble)
    try:
        converted = interop.to_torch(Sequential([Double(), Dense(2, 1, seed=0)]))
        assert isinstance(converted[0], TorchDouble)
        assert isinstance(interop.from_torch(converted)[0], Double)
    finally:
        interop._CONVERTERS[:] = [c for c in interop._CONVERTERS if c.layer_type is not Double]


def test_scalar_mlp_exports_to_torch_and_comes_back_as_dense_layers():
    model = MLP(2, [4, 3, 1], activation="relu", seed=0)
    torch_model = interop.to_torch(model)
    points = np.random.default_rng(2).normal(size=(6, 2))
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(points)).numpy().ravel()
    np.testing.assert_allclose([model(list(p)).data for p in points], expected, rtol=1e-12)
    back = interop.from_torch(torch_model)
    assert [layer.activation for layer in back.layers] == ["relu", "relu", None]
    np.testing.assert_allclose(back(points).data.ravel(), expected, rtol=1e-12)
