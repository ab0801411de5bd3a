"""LayerStatistics against numbers computed by hand on tiny networks."""

import math

import numpy as np
import pytest

from microgradnn import nn, optim
from microgradnn.train import LayerStatistics
from microgradnn.train.statistics import activation_statistics, read_statistics

X = np.array([[1.0, -2.0], [0.5, 0.3], [-1.5, 2.5], [2.0, 1.0]])
Y = np.array([[0.5], [-0.2], [1.0], [0.0]])
W1 = np.array([[1.5, -0.4, 2.0], [0.8, 0.1, -1.2]])
B1 = np.array([0.1, -0.2, 0.3])
W2 = np.array([[0.7], [-1.1], [0.4]])
B2 = np.array([0.05])
LR = 0.1


def tiny_tanh_model():
    model = nn.Sequential([nn.Dense(2, 3, activation="tanh"), nn.Dense(3, 1)])
    model.layers[0].weight.data[...] = W1
    model.layers[0].bias.data[...] = B1
    model.layers[1].weight.data[...] = W2
    model.layers[1].bias.data[...] = B2
    return model


def by_hand():
    """One full-batch SGD step of mean squared error, written out with numpy."""
    h = np.tanh(X @ W1 + B1)
    out = h @ W2 + B2
    d_out = 2 * (out - Y) / len(X)
    g_w2, g_b2 = h.T @ d_out, d_out.sum(axis=0)
    d_z = (d_out @ W2.T) * (1 - h**2)
    g_w1, g_b1 = X.T @ d_z, d_z.sum(axis=0)
    norm = lambda *arrays: math.sqrt(sum(float(np.sum(a**2)) for a in arrays))  # noqa: E731
    layer1 = {
        "activation_mean": h.mean(),
        "activation_std": h.std(),
        "saturated": np.mean(np.abs(h) > 0.97),
        "grad_norm": norm(g_w1, g_b1),
        "grad_to_data": norm(g_w1, g_b1) / norm(W1, B1),
        "update_to_data": LR * norm(g_w1, g_b1) / norm(W1, B1),  # plain SGD: Δθ = -η g
    }
    layer2 = {
        "activation_mean": out.mean(),
        "activation_std": out.std(),
        "grad_norm": norm(g_w2, g_b2),
        "grad_to_data": norm(g_w2, g_b2) / norm(W2, B2),
        "update_to_data": LR * norm(g_w2, g_b2) / norm(W2, B2),
    }
    layer1["gradients"] = np.concatenate([g_w1.ravel(), g_b1])
    return layer1, layer2, h


def test_statistics_of_one_step_match_the_hand_computation():
    model = tiny_tanh_model().compile(optim.SGD, "mse", lr=LR)
    stats = LayerStatistics()
    model.fit(X, Y, epochs=1, batch_size=None, verbose=0, callbacks=[stats], seed=0)
    layer1, layer2, h = by_hand()
    gradients = layer1.pop("gradients")
    np.testing.assert_allclose(
        np.sort(stats.grad_samples["layer 1 (Dense, tanh)"][0]), np.sort(gradients), rtol=1e-12
    )
    assert 0 < layer1["saturated"] < 1  # the example does have saturated units
    assert stats.layer_names == ["layer 1 (Dense, tanh)", "layer 2 (Dense)"]
    for name, expected in zip(stats.layer_names, (layer1, layer2)):
        for key, value in expected.items():
            assert stats.history[name][key] == [pytest.approx(value, rel=1e-12)], (name, key)
    assert math.isnan(stats.history["layer 2 (Dense)"]["saturated"][0])  # linear: n/a
    assert math.isnan(stats.history["layer 1 (Dense, tanh)"]["dead"][0])
    np.testing.assert_allclose(
        np.sort(stats.samples["layer 1 (Dense, tanh)"][0]), np.sort(h.ravel())
    )
    assert stats.steps == [1] and stats.epochs == [0]


def test_scalar_mlp_gives_the_same_statistics_as_the_tensor_model():
    mlp = nn.MLP(2, [3, 1], seed=0)
    for i, neuron in enumerate(mlp.layers[0].neurons):
        for j, w in enumerate(neuron.w):
            w.data = float(W1[j, i])
        neuron.b.data = float(B1[i])
    (out_neuron,) = mlp.layers[1].neurons
    for j, w in enumerate(out_neuron.w):
        w.data = float(W2[j, 0])
    out_neuron.b.data = float(B2[0])
    stats = LayerStatistics()
    mlp.compile(optim.SGD, "mse", lr=LR).fit(
        X, Y, epochs=1, batch_size=None, verbose=0, callbacks=[stats]
    )
    layer1, layer2, _ = by_hand()
    layer1.pop("gradients")
    names = stats.layer_names
    assert names[0] == "layer 1 (Layer, tanh)"
    for name, expected in zip(names, (layer1, layer2)):
        for key, value in expected.items():
            assert stats.history[name][key][0] == pytest.approx(value, rel=1e-9), (name, key)


def test_dead_relu_units_are_counted():
    layer = nn.Dense(2, 3, activation="relu")
    layer.weight.data[...] = [[1.0, -1.0, 0.5], [1.0, -1.0, -0.5]]
    layer.bias.data[...] = [0.0, -10.0, 0.0]  # unit 2 is below zero for every sample
    model = nn.Sequential([layer, nn.Dense(3, 1, seed=0)]).compile("sgd", "mse", lr=0.01)
    stats = LayerStatistics()
    model.fit(X, Y, epochs=2, batch_size=None, verbose=0, callbacks=[stats])
    assert stats.history["layer 1 (Dense, relu)"]["dead"] == [pytest.approx(1 / 3)] * 2
    assert activation_statistics(np.array([[0.0, 0.2], [0.0, -0.0]]), "relu")["dead"] == 0.5


def test_sigmoid_saturation_uses_the_distance_from_one_half():
    a = np.array([[0.99, 0.5], [0.001, 0.9]])
    assert activation_statistics(a, "sigmoid")["saturated"] == 0.5  # 0.99 and 0.001


def test_every_k_steps_and_no_records_from_validation_batches():
    x = np.random.default_rng(0).normal(size=(12, 2))
    y = x.sum(axis=1, keepdims=True)
    model = tiny_tanh_model().compile("sgd", "mse", lr=0.05)
    stats = LayerStatistics(every=3)
    model.fit(x, y, epochs=2, batch_size=2, validation_split=1 / 6, verbose=0, callbacks=[stats])
    # 10 training samples, 5 steps per epoch: steps 3, 6, 9 are recorded
    assert stats.steps == [3, 6, 9] and stats.epochs == [0, 1, 1]
    assert all(len(s) == 2 * 3 for s in stats.samples["layer 1 (Dense, tanh)"])  # one batch
    model.predict(x)  # after training the hooks are gone
    assert len(stats.samples["layer 1 (Dense, tanh)"]) == 3
    assert not model.layers[0]._hooks.forward


def test_reading_names_a_stalled_layer_and_a_healthy_run():
    x = np.random.default_rng(1).normal(size=(64, 2))
    y = np.tanh(x[:, :1] - x[:, 1:])
    stalled = tiny_tanh_model().compile("sgd", "mse", lr=1e-7)
    stats = LayerStatistics()
    stalled.fit(x, y, epochs=1, batch_size=None, verbose=0, callbacks=[stats])
    assert "layer 1's updates are" in stats.reading() and "learning stalls" in stats.reading()
    healthy = tiny_tanh_model().compile("sgd", "mse", lr=0.01)
    stats = LayerStatistics()
    healthy.fit(x, y, epochs=1, batch_size=None, verbose=0, callbacks=[stats])
    ratios = [stats.history[n]["update_to_data"][0] for n in stats.layer_names]
    assert all(1e-4 < r < 3e-2 for r in ratios), ratios
    assert stats.reading() == read_statistics(stats)
    assert stats.reading().endswith("learning looks healthy")


def test_every_must_be_a_positive_count():
    with pytest.raises(ValueError, match="every"):
        LayerStatistics(every=0)


def test_statistics_plots_write_pngs_with_one_panel_per_layer(tmp_path):
    from microgradnn import plots

    x = np.random.default_rng(2).normal(size=(40, 2))
    y = (x[:, :1] > 0).astype(float)
    model = nn.Sequential(
        [
            nn.Dense(2, 6, activation="tanh", seed=0),
            nn.Dense(6, 6, activation="relu", seed=1),
            nn.Dense(6, 1, activation="sigmoid", seed=2),
        ]
    ).compile("adam", "binary_crossentropy", lr=0.01)
    stats = LayerStatistics()
    model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[stats])
    figure = plots.activation_histograms(stats, path=tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 0
    assert [ax.get_title().split("\n")[0] for ax in figure.axes] == stats.layer_names
    assert figure.axes[0].get_ylim() == (-1.0, 1.0)  # tanh: the whole output range
    figure = plots.gradient_histograms(stats, path=tmp_path / "g.png")
    low, high = figure.axes[0].get_ylim()
    assert low == -high == -max(abs(s).max() for s in stats.grad_samples[stats.layer_names[0]])
    figure = plots.ratio_curves(stats, path=tmp_path / "r.png")
    assert len(figure.axes[1].get_lines()) == 3 + 1  # three layers and the 1e-3 line
    assert stats.reading() in " ".join(t.get_text() for t in figure.texts).replace("\n", " ")
    with pytest.raises(ValueError, match="no record"):
        plots.ratio_curves(LayerStatistics(), show=False)


def test_histograms_of_a_deep_model_wrap_into_rows_of_five_panels():
    from microgradnn import plots

    x = np.random.default_rng(3).normal(size=(16, 3))
    model = nn.Sequential([nn.Dense(3, 3, activation="tanh", seed=i) for i in range(7)])
    model.compile("sgd", "mse")
    stats = LayerStatistics()
    model.fit(x, x, epochs=1, verbose=0, callbacks=[stats])
    figure = plots.gradient_histograms(stats, show=False)
    shown = [ax for ax in figure.axes if ax.get_visible()]
    assert [ax.get_title().split("\n")[0] for ax in shown] == stats.layer_names  # 7 layers
    assert len(figure.axes) == 10  # two rows of five, the last three hidden
    rows = {round(ax.get_position().y0, 3) for ax in shown}
    assert len(rows) == 2
