"""Network pictures: layer blocks and neuron-by-neuron diagrams (real nn classes and fakes)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from microgradnn import viz


# =========================================================================================
# Networks (real nn classes and duck-typed fakes)
# =========================================================================================
class FakeWeight:
    def __init__(self, rows, cols, seed=0):
        self.data = np.random.default_rng(seed).normal(size=(rows, cols))
        self.shape = self.data.shape


class FakeDense:
    def __init__(self, n_in, n_out, activation=None):
        self.weight = FakeWeight(n_in, n_out)
        self.bias = type("B", (), {"data": np.zeros(n_out), "shape": (n_out,)})()
        self.activation = activation


class FakeModel:
    def __init__(self, layers):
        self.layers = layers


def test_block_diagram_of_a_fake_dense_stack():
    model = FakeModel([FakeDense(4, 8, "relu"), FakeDense(8, 3, "softmax")])
    dot = viz.network_to_dot(model, style="blocks")
    assert "4 → 8 units" in dot and "8 → 3 units" in dot
    assert "activation relu" in dot and "activation softmax" in dot
    params = [4 * 8 + 8, 8 * 3 + 3]
    for count in params:
        assert f"{count:,} params" in dot
    assert f"{sum(params):,} trainable parameters" in dot


def test_block_diagram_of_real_layers_counts_parameters():
    nn = pytest.importorskip("microgradnn.nn")
    model = nn.Sequential(
        [nn.Dense(4, 8, activation="relu", seed=0), nn.Dropout(0.2), nn.Dense(8, 3, seed=0)]
    )
    dot = viz.network_to_dot(model)
    total = sum(p.data.size for p in model.parameters())
    assert f"{total:,} trainable parameters" in dot
    assert "Dropout" in dot and "p = 0.2" in dot
    picture = viz.draw_network(model)
    assert picture.source == dot


def test_block_diagram_of_a_small_cnn():
    nn = pytest.importorskip("microgradnn.nn")
    model = nn.Sequential(
        [
            nn.Conv2D(1, 8, 3, activation="relu", seed=0),
            nn.MaxPool2D(2),
            nn.Flatten(),
            nn.Dense(8 * 13 * 13, 10, seed=0),
            nn.Activation("softmax"),
        ]
    )
    dot = viz.network_to_dot(model)
    assert "1 channel>" in dot and "8 filters 3×3" in dot and "pool size" in dot
    assert dot.count("softmax") == 1
    assert f"{sum(p.data.size for p in model.parameters()):,} trainable" in dot


def test_neuron_picture_of_a_scalar_mlp():
    nn = pytest.importorskip("microgradnn.nn")
    model = nn.MLP(3, [4, 2], seed=0)
    dot = viz.network_to_dot(model)  # auto: scalar model -> neurons
    circles = re.findall(r"^\tn\d+_\d+ \[.*shape=circle", dot, flags=re.M)
    assert len(circles) == 3 + 4 + 2
    weight_edges = re.findall(r"^\tn\d+_\d+ -> n\d+_\d+ \[color", dot, flags=re.M)
    assert len(weight_edges) == 3 * 4 + 4 * 2
    w = model.layers[0].neurons[1].w[2].data  # input 3 -> neuron 2 of layer 1
    color = viz_network().POSITIVE if w >= 0 else viz_network().NEGATIVE
    assert re.search(rf'\tn0_2 -> n1_1 \[color="{color}"', dot)


def viz_network():
    from microgradnn.viz import network

    return network


def test_wide_layers_are_collapsed_in_the_neuron_picture():
    model = FakeModel([FakeDense(30, 2)])
    dot = viz.network_to_dot(model, style="neurons", max_units=6)
    circles = re.findall(r"^\tn0_\d+ \[.*shape=circle", dot, flags=re.M)
    assert len(circles) == 5  # 4 first + the last one, with dots in between
    assert "x30" in dot and "x5<" not in dot


def test_neuron_picture_refuses_convolutions_with_advice():
    class Conv:
        weight = FakeWeight(9, 4)

    Conv.weight.shape = (3, 3, 1, 4)
    with pytest.raises(ValueError, match="blocks"):
        viz.network_to_dot(FakeModel([Conv()]), style="neurons")
